"""GET /api/v1/changes: a mirror that follows the feed ends up equal to the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.catalogue.practices.service import update_practice
from app.catalogue.reference import Reference
from app.models import ChangeLog, Practice, Status
from tests.api.conftest import error_fields, set_status
from tests.factories import practice_to_in

URL = "/api/v1/changes"


def sync(client, mirror: dict[int, Any], cursor: str = "", limit: int | None = None) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Apply every change after `cursor` to `mirror`; returns the new cursor and the requests made."""
    requests = 0
    while True:
        params: dict[str, Any] = {"since": cursor} if cursor else {}
        if limit:
            params["limit"] = limit
        response = client.get(URL, params=params)
        requests += 1
        assert response.status_code == 200, response.text
        body = response.json()
        for change in body["changes"]:
            if change["kind"] == "upsert":
                assert change["practice"]["id"] == change["id"]
                mirror[change["id"]] = change["practice"]
            else:
                assert change["practice"] is None and change["slug"]
                mirror.pop(change["id"], None)
        assert int(body["next_cursor"]) >= int(cursor or 0)
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return cursor, requests
        assert requests < 1000


def catalogue(client, engine) -> dict[int, Any]:  # type: ignore[no-untyped-def]
    """The truth: every published practice as the API shows it."""
    with Session(engine) as session:
        ids = session.exec(select(Practice.id).where(Practice.status == Status.published)).all()
    return {i: client.get(f"/api/v1/practices/{i}").json() for i in ids}


def edit(apply, key: str, **changes: Any) -> None:  # type: ignore[no-untyped-def]
    def go(session: Session) -> None:
        practice = session.exec(select(Practice).where(Practice.slug == key)).unique().one()
        data = practice_to_in(practice).model_copy(update=changes)
        assert update_practice(session, Reference(session), practice, data, actor="moderator")

    apply(go)


def test_mirror_from_scratch_equals_catalogue(client, engine, corpus):
    mirror: dict[int, Any] = {}
    sync(client, mirror)
    assert mirror == catalogue(client, engine)
    assert len(mirror) == 8
    assert not {p["slug"] for p in mirror.values()} & {"tajnaya-pending", "tajnaya-rejected", "tajnaya-archived"}


@pytest.mark.parametrize("limit", [None, 1, 3])
def test_mirror_follows_publishes_edits_and_withdrawals(client, engine, corpus, apply, make_practice, limit):
    mirror: dict[int, Any] = {}
    cursor, _ = sync(client, mirror, limit=limit)

    set_status(apply, "tajnaya-pending", Status.published)  # approved
    set_status(apply, "tajnaya-archived", Status.published)  # restored
    set_status(apply, "dvory-belgorod", Status.archived)  # withdrawn
    edit(apply, "robototehnika-ekb", title="Кружки робототехники в сёлах")
    edit(apply, "robototehnika-ekb", slug="robototehnika-v-selah")  # renamed: same id, new slug
    edit(apply, "volontery-ekb", contact_public=True)
    make_practice(title="Совершенно новая практика", region="RU-NVS")
    make_practice(title="Ещё не проверенная", status="pending")  # not public: no change
    cursor, _ = sync(client, mirror, cursor, limit=limit)
    truth = catalogue(client, engine)
    assert mirror == truth
    renamed = next(p for p in mirror.values() if p["slug"] == "robototehnika-v-selah")
    assert renamed["title"] == "Кружки робототехники в сёлах"
    assert "dvory-belgorod" not in {p["slug"] for p in mirror.values()}

    # Withdrawn and put back, edited while withdrawn: the mirror still ends up equal.
    set_status(apply, "yunarmiya-belgorod", Status.archived)
    edit(apply, "yunarmiya-belgorod", summary="Обновлённое описание в архиве")
    set_status(apply, "yunarmiya-belgorod", Status.published)
    set_status(apply, "molodezhnyj-sovet-kazan", Status.archived)
    cursor, _ = sync(client, mirror, cursor, limit=limit)
    assert mirror == catalogue(client, engine)
    assert next(p for p in mirror.values() if p["slug"] == "yunarmiya-belgorod")["summary"] == "Обновлённое описание в архиве"

    # Nothing new: the same cursor comes back and nothing changes.
    body = client.get(URL, params={"since": cursor}).json()
    assert body == {**body, "changes": [], "next_cursor": cursor, "has_more": False}


def test_withdrawal_is_a_tombstone_with_id_and_slug(client, corpus, apply):
    cursor = client.get(URL).json()["next_cursor"]
    set_status(apply, "volontery-ekb", Status.archived)
    changes = client.get(URL, params={"since": cursor}).json()["changes"]
    assert changes == [{"seq": changes[0]["seq"], "kind": "delete", "id": corpus["volontery-ekb"].id,
                        "slug": "volontery-ekb", "practice": None}]


def test_several_changes_collapse_into_the_latest_state(client, corpus, apply):
    cursor = client.get(URL).json()["next_cursor"]
    for n in range(3):
        edit(apply, "shkolnye-dvory-kazan", summary=f"Версия {n}")
    body = client.get(URL, params={"since": cursor}).json()
    assert len(body["changes"]) == 1
    change = body["changes"][0]
    assert change["kind"] == "upsert" and change["practice"]["summary"] == "Версия 2"
    assert change["seq"] == int(body["next_cursor"])


def test_limit_pages_the_log(client, corpus):
    first = client.get(URL, params={"limit": 3}).json()
    assert len(first["changes"]) == 3 and first["has_more"] is True
    assert first["links"]["next"] == f"http://testserver/api/v1/changes?since={first['next_cursor']}&limit=3"
    second = client.get(first["links"]["next"]).json()
    assert {c["id"] for c in first["changes"]}.isdisjoint({c["id"] for c in second["changes"]})


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "abc"}, "since"), ({"since": "-1"}, "since"), ({"since": "1.5"}, "since"),
    ({"limit": "0"}, "limit"), ({"limit": "1001"}, "limit"), ({"limit": "x"}, "limit"),
    ({"cursor": "5"}, "cursor"),
    # digits to str.isdigit that int() refuses or reads otherwise (found by the schema fuzzer)
    ({"since": "²"}, "since"), ({"limit": "٣"}, "limit"),
])
def test_bad_parameters_are_named(client, params, field):
    assert error_fields(client.get(URL, params=params)) == [field]


def test_in_flight_change_holds_the_cursor_back(client, engine, corpus, make_practice):
    """PostgreSQL: a seq handed out to a transaction that commits late is never skipped."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: seqs are assigned in commit order")
    mirror: dict[int, Any] = {}
    cursor, _ = sync(client, mirror)
    late = corpus["shkolnye-dvory-kazan"]
    with engine.connect() as slow:  # a transaction that takes a seq now and commits later
        slow.execute(text("UPDATE practice SET title = 'Поздняя правка', version = version + 1 WHERE id = :id"),
                     {"id": late.id})
        held = slow.execute(
            text("INSERT INTO change_log (practice_id, slug, kind, at) VALUES (:id, :slug, 'upsert', now()) RETURNING seq"),
            {"id": late.id, "slug": late.slug},
        ).scalar()
        fresh = make_practice(title="Практика, закоммиченная раньше", region="RU-NVS")  # seq after the held one
        body = client.get(URL, params={"since": cursor}).json()
        assert int(body["next_cursor"]) < held  # not past the in-flight seq...
        assert fresh.id not in {c["id"] for c in body["changes"]}  # ...so the later one waits too
        slow.commit()
    cursor, _ = sync(client, mirror, cursor)
    assert int(cursor) > held
    assert mirror[late.id]["title"] == "Поздняя правка"
    assert fresh.id in mirror
    assert mirror == catalogue(client, engine)


def test_rolled_back_gap_does_not_stall_a_quiet_catalogue(client, engine, corpus, make_practice):
    """A seq lost to a rollback is skipped once no writer is in flight."""
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO change_log (practice_id, slug, kind, at) VALUES (1, 'x', 'upsert', CURRENT_TIMESTAMP)"))
        conn.rollback()
    fresh = make_practice(title="Практика после отката", region="RU-NVS")
    mirror: dict[int, Any] = {}
    sync(client, mirror)
    assert fresh.id in mirror
    with Session(engine) as session:
        last = session.exec(select(ChangeLog.seq).order_by(col(ChangeLog.seq).desc())).first()
    assert client.get(URL).json()["next_cursor"] == str(last)
