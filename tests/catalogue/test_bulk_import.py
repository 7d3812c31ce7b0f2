"""Imports write new practices in chunks (`bulk.create_many`): the same rows as one by one,
addresses kept unique by the database under parallel imports, submitters' cards left alone."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.catalogue.practices import bulk
from app.catalogue.practices.io import ImportFailed, import_lines
from app.catalogue.practices.schemas import SubmissionIn
from app.catalogue.practices.service import submit_practice
from app.catalogue.reference import Reference
from app.models import AuditLog, Award, ChangeLog, Outbox, Practice, PracticeTheme, Status
from tests.catalogue.test_io import lines, record


def total(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def many(n: int, **overrides: object) -> list[str]:
    return lines(*(record(title=f"Практика номер {i}", slug=f"bulk-{i}", **overrides) for i in range(n)))


def test_a_file_larger_than_a_chunk_writes_every_row_the_single_path_writes(session: Session) -> None:
    n = bulk.CHUNK + 7
    award = {"competition": "lmp", "year": 2023, "place": "1"}
    report = import_lines(session, Reference(session), many(n, awards=[award]))
    session.commit()
    assert (report.created, report.updated, report.skipped) == (n, 0, 0)
    assert total(session, Practice) == n
    assert total(session, PracticeTheme) == 2 * n  # two themes each
    assert total(session, Award) == n
    assert total(session, AuditLog) == n
    assert total(session, Outbox) == n and total(session, ChangeLog) == n
    codes = session.exec(select(Practice.tracking_code)).all()
    assert len(set(codes)) == n
    p = session.exec(select(Practice).where(Practice.slug == f"bulk-{n - 1}")).one()
    assert p.status == Status.published and p.published_at is not None and p.version == 1
    assert {t.slug for t in p.themes} == {"finance", "civic-participation"}
    assert [a.competition_slug for a in p.awards] == ["lmp"]
    assert p.outcome_figures[0]["value_after"] == 41 and p.contact_email == "adm@example.ru"
    outbox = session.exec(select(Outbox).where(Outbox.practice_id == p.id)).one()
    assert outbox.version == p.version and outbox.done_at is None


def test_pending_rows_are_not_queued_for_the_index(session: Session) -> None:
    import_lines(session, Reference(session), many(3, status="pending"))
    session.commit()
    assert total(session, Practice) == 3 and total(session, Outbox) == 0 and total(session, ChangeLog) == 0


def submitted(session: Session, slug_title: str) -> Practice:
    data = SubmissionIn.model_validate({
        "title": slug_title, "summary": "Жители выбирают проекты.", "region": "RU-KHA",
        "municipality_type": "municipal-district", "themes": ["finance"],
        "submitter": {"name": "Ирина", "email": "irina@example.ru"},
    })
    practice = submit_practice(session, Reference(session), data)
    session.commit()
    return practice


def test_an_import_does_not_take_over_a_submitters_card(session: Session) -> None:
    mine = submitted(session, "Школа старост")
    with pytest.raises(ImportFailed) as failed:
        import_lines(session, Reference(session), lines(record(title="Чужое", slug=mine.slug)))
    session.rollback()
    assert failed.value.errors[0].field == "slug" and "через форму" in failed.value.errors[0].message
    session.refresh(mine)
    assert mine.title == "Школа старост" and mine.status == Status.pending

    report = import_lines(session, Reference(session), lines(record(title="Чужое", slug=mine.slug)), skip_bad=True)
    assert (report.created, report.skipped) == (0, 1)


def test_told_to_it_updates_a_submitters_card(engine: Engine) -> None:
    from app.catalogue.practices.io import check_sources, jsonl_sources, write_checked

    with Session(engine) as session:
        mine = submitted(session, "Школа старост")
        ref = Reference(session)
        report = write_checked(session, ref, check_sources(jsonl_sources(lines(record(title="Школа старост 2.0",
                                                                                          slug=mine.slug))), ref),
                               update_submitted=True)
        session.commit()
        assert report.updated == 1
        session.refresh(mine)
        assert mine.title == "Школа старост 2.0" and mine.submitter_email == "irina@example.ru"


def test_parallel_imports_of_one_file_create_each_practice_once(engine: Engine) -> None:
    """Two imports of the same 300 lines at once (a double click, two terminals): every line
    is created by one of them and found as existing by the other; no address gets a suffix."""
    file = many(300)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            with Session(engine) as session:
                ref = Reference(session)
                barrier.wait()
                import_lines(session, ref, file)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with Session(engine) as session:
        slugs = session.exec(select(Practice.slug)).all()
        assert sorted(slugs) == sorted(f"bulk-{i}" for i in range(300))
        assert session.exec(select(func.count()).select_from(Outbox).where(col(Outbox.op) == "upsert")).one() >= 300


def _rows(session: Session, model: type, practice_id: int) -> list[dict[str, object]]:
    """The rows of `model` for one practice as plain values, with what differs between two
    practices by nature (ids, addresses, tracking codes, the moment) replaced by what it is."""
    table = model.__table__  # type: ignore[attr-defined]
    key = table.c.id if "id" in table.c and model is Practice else table.c.practice_id
    out = []
    for row in session.connection().execute(select(table).where(key == practice_id)).mappings():
        values: dict[str, object] = {}
        for name, value in row.items():
            if name in ("id", "seq", "practice_id", "slug", "tracking_code"):
                value = "…" if value is not None else None
            elif isinstance(value, datetime):
                value = "a time" if value.tzinfo is not None else "a naive time"
            values[name] = value
        out.append(values)
    return sorted(out, key=repr)


def test_a_chunk_writes_exactly_the_rows_create_practice_writes(session: Session) -> None:
    """Column by column, in every table a new practice touches (on PostgreSQL the chunk goes in
    by COPY, so this compares COPY with the ORM's INSERTs)."""
    from app.catalogue.practices.schemas import PracticeIn
    from app.catalogue.practices.service import create_practice

    def card(slug: str, status: str) -> PracticeIn:
        return PracticeIn.model_validate(record(
            slug=slug, status=status, problem="Мало денег", solution="Голосование", outcome="41 проект",
            resources="10 млн ₽", partners="Минфин края", contact={"organisation": "Администрация", "person": "Ирина",
                                                                    "email": "adm@example.ru", "phone": "+7 4212 00-00-00",
                                                                    "website": "https://example.ru"},
            sources=["https://example.ru/news/2"],
            awards=[{"competition": "lmp", "year": 2023, "place": "1"},
                    {"competition": "lmp", "year": 2022, "place": "laureate"}]))

    ref = Reference(session)
    for status in (Status.published, Status.pending):
        single = create_practice(session, ref, card(f"single-{status.value}", status.value), actor="import")
        session.flush()
        assert not bulk.create_many(session, [bulk.NewCard(card(f"bulk-{status.value}", status.value),
                                                           f"bulk-{status.value}", status)], "import")
        chunked = session.exec(select(Practice).where(Practice.slug == f"bulk-{status.value}")).one()
        assert single.id is not None and chunked.id is not None
        for model in (Practice, PracticeTheme, Award, AuditLog, Outbox, ChangeLog):
            expected = _rows(session, model, single.id)
            assert _rows(session, model, chunked.id) == expected, model.__name__
            assert expected or (model in (Outbox, ChangeLog) and status == Status.pending), model.__name__
        assert chunked.tracking_code != single.tracking_code and len(chunked.tracking_code) == len(single.tracking_code)
