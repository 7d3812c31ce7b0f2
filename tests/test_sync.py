"""Outbox → index: nothing is lost when the engine fails; the index converges on the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.catalogue.practices.service import change_status, update_practice
from app.catalogue.reference import Reference
from app.db import session_scope
from app.models import Outbox, Practice, Status, utcnow
from app.search.base import SearchUnavailable
from app.search.sync import drain, outbox_status, reindex
from tests.factories import practice_to_in, search_query


class Flaky:
    """Wraps a real engine; while `down`, every write fails like an unreachable server."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.down, self.name = inner, False, inner.name

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)

    def _check(self) -> None:
        if self.down:
            raise SearchUnavailable("engine down (test)")

    def upsert(self, docs):  # type: ignore[no-untyped-def]
        self._check()
        return self.inner.upsert(docs)

    def delete(self, ids):  # type: ignore[no-untyped-def]
        self._check()
        return self.inner.delete(ids)

    def health(self) -> bool:
        return not self.down and self.inner.health()


@pytest.fixture
def flaky(app):  # type: ignore[no-untyped-def]
    wrapper = Flaky(app.state.index)
    app.state.index = wrapper
    return wrapper


def _due_now(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        s.exec(update(Outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))  # type: ignore[call-overload]
        s.commit()


def test_publish_is_indexed_inline_and_row_marked_done(app, make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    p = make_practice(title="Народный бюджет")
    assert app.state.index.ids() == {p.id}
    with Session(engine) as s:
        rows = s.exec(select(Outbox)).all()
    assert len(rows) == 1 and rows[0].done_at is not None


def test_engine_down_loses_nothing_and_recovers(app, flaky, make_practice, engine, client) -> None:  # type: ignore[no-untyped-def]
    flaky.down = True
    p = make_practice(title="Школа старост")  # the write succeeds although the engine is down
    with Session(engine) as s:
        assert s.get(Practice, p.id) is not None
        row = s.exec(select(Outbox)).one()
        assert row.done_at is None and row.attempts == 1 and "engine down" in (row.last_error or "")
        assert row.next_attempt_at > utcnow()
        status = outbox_status(s)
    assert status.pending == 1 and status.failing == 1
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["outbox"]["pending"] == 1

    flaky.down = False
    assert drain(engine, flaky).applied == 0  # backing off: not due yet
    _due_now(engine)
    report = drain(engine, flaky)
    assert (report.applied, report.upserted) == (1, 1)
    assert flaky.ids() == {p.id}
    assert client.get("/readyz").status_code == 200


def test_archive_and_edit_reach_the_index(app, make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    index = app.state.index
    p = make_practice(title="Мобильная библиотека")
    after = lambda: drain(engine, index)  # noqa: E731
    with session_scope(engine, after) as s:
        practice = s.get(Practice, p.id)
        update_practice(s, Reference(s), practice, practice_to_in(practice).model_copy(update={"title": "Библиотека на колёсах"}), "test")
    assert index.get(p.id)["title"] == "Библиотека на колёсах"
    with session_scope(engine, after) as s:
        change_status(s, s.get(Practice, p.id), Status.archived, "test")
    assert p.id not in index.ids()


def test_latest_state_wins_when_rows_pile_up(app, flaky, make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    flaky.down = True
    p = make_practice(title="Первая версия")
    for title in ("Вторая версия", "Третья версия"):
        with session_scope(engine) as s:
            practice = s.get(Practice, p.id)
            update_practice(s, Reference(s), practice, practice_to_in(practice).model_copy(update={"title": title}), "test")
    flaky.down = False
    _due_now(engine)
    assert drain(engine, flaky).applied == 3
    doc = flaky.get(p.id)
    assert doc["title"] == "Третья версия" and doc["version"] == 3


def test_reindex_rebuilds_from_database_and_clears_the_backlog(app, flaky, make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    published = [make_practice(title=f"Практика {i}") for i in range(3)]
    make_practice(title="Ждёт модерации", status="pending")
    flaky.down = True
    extra = make_practice(title="Добавлена при недоступном поиске")
    flaky.inner.delete([published[0].id])  # the index drifted from the database
    flaky.down = False
    assert reindex(engine, flaky) == 4
    assert flaky.ids() == {*(p.id for p in published), extra.id}
    with Session(engine) as s:
        assert outbox_status(s).pending == 0
        assert s.exec(select(Outbox).where(col(Outbox.done_at).is_(None))).all() == []


def test_sync_skips_practices_an_editor_holds_and_never_waits(app, flaky, make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite has one writer at a time)")
    flaky.down = True
    held, free = make_practice(title="Редактируется"), make_practice(title="Свободна")
    flaky.down = False
    _due_now(engine)
    with Session(engine) as editor:  # a moderator's open transaction holds one practice
        editor.exec(select(Practice).where(Practice.id == held.id).with_for_update(of=Practice)).unique().one()
        report = drain(engine, flaky)
        assert (report.applied, report.upserted) == (1, 1)
        assert flaky.ids() == {free.id}
        editor.rollback()
    assert drain(engine, flaky).applied == 1  # the held one follows once released
    assert flaky.ids() == {held.id, free.id}


def test_documents_carry_every_field_and_only_published_practices(make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    from app.search.documents import documents_of, iter_documents

    full = make_practice(
        title="Ёлка во дворе", summary="Кратко", problem="Проблема", solution="Решение", outcome="Итог",
        region="RU-TA", municipality="Казань", municipality_type="urban-okrug", themes=["youth", "finance"],
        year_started=2021, outcome_figures=[{"indicator": "Жители", "value_before": 1, "value_after": 2}],
    )
    bare = make_practice(summary=None, municipality=None, themes=["digital"])
    hidden = make_practice(status="pending", themes=["youth"])
    with Session(engine) as s:
        docs = documents_of(s, [hidden.id, bare.id, full.id, 10**6])
        streamed = list(iter_documents(s, batch=1))
    assert [d["id"] for d in docs] == [full.id, bare.id]
    assert streamed == docs  # batches of one keep each practice's own themes
    assert docs[0] == {
        "id": full.id, "slug": full.slug, "title": "Ёлка во дворе", "summary": "Кратко",
        "problem": "Проблема", "solution": "Решение", "outcome": "Итог", "municipality": "Казань",
        "region": "RU-TA", "region_name": "Республика Татарстан", "federal_district": "volga",
        "municipality_type": "urban-okrug", "themes": ["finance", "youth"], "awards": [],
        "tags": ["Муниципальные финансы. Бюджет, доходы, инициативное бюджетирование",
                 "Молодёжная политика и патриотическое воспитание. Молодёжные объединения, добровольчество, юнармия",
                 "Городской округ", "Приволжский федеральный округ"],
        "year_started": 2021,
        "has_figures": True, "published_at": full.published_at.timestamp(),
        "updated_at": full.updated_at.timestamp(), "version": full.version,
    }
    assert docs[1]["summary"] == docs[1]["municipality"] == "" and docs[1]["has_figures"] is False
    assert docs[1]["themes"] == ["digital"] and docs[1]["year_started"] is None


def test_published_documents_read_page_by_page_anywhere(make_practice, engine) -> None:  # type: ignore[no-untyped-def]
    import pickle

    from app.db import make_engine
    from app.search.documents import PublishedDocuments, iter_documents

    made = [make_practice(title=f"Страница {i}") for i in range(5)]
    make_practice(status="pending")
    source = PublishedDocuments(engine, batch=2)
    pages = source.pages()
    assert len(pages) == 3
    elsewhere = pickle.loads(pickle.dumps(source))  # what a worker process gets: the URL, not a connection
    assert elsewhere.batch == 2 and elsewhere.engine.url == engine.url
    with Session(engine) as s:
        expected = list(iter_documents(s))
    assert [d for page in pages for d in elsewhere.read(page)] == expected == list(source)
    assert [d["id"] for d in expected] == [p.id for p in made]
    assert PublishedDocuments(make_engine("sqlite://")).pages() is None  # no other process can read it


def test_reindex_reads_and_stems_in_worker_processes(app, make_practice, engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.search.documents import PublishedDocuments
    from app.search.local import workers as local_workers

    index = app.state.index
    if index.name != "local":
        pytest.skip("worker processes are the local engine's way to rebuild")
    made = [make_practice(title=f"Ёлка номер {i}") for i in range(9)]
    make_practice(title="Ёлка на модерации", status="pending")
    monkeypatch.setattr(PublishedDocuments, "PAGE", 2)
    monkeypatch.setattr(local_workers, "cpus", lambda: 2)
    staged: list[object] = []
    real = local_workers.staged

    def spy(*args):  # type: ignore[no-untyped-def]
        staged.append(args[1])
        yield from real(*args)

    monkeypatch.setattr(local_workers, "staged", spy)
    index.inner.delete([made[0].id])  # drifted
    assert reindex(engine, index) == 9
    assert len(staged) == 1 and len(staged[0]) == 5  # type: ignore[arg-type]
    hits = index.search(search_query(text="елка", per_page=50))
    assert {h.id for h in hits.hits} == {p.id for p in made} and hits.total == 9
