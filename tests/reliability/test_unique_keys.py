"""Unique keys decided by the database under a crowd: one title sent by many at the same moment,
the same form posted twice (a double click), a taken address or tracking code met in the write.

Figures (SQLite and PostgreSQL runs alike): 20 parallel API submissions with one title → 20 × 201,
20 distinct addresses; 2 × 4 double form posts → 8 × 303; 5xx seen 0; no traceback in the log.
Before the fix (issue 13): 6–12 of the 20 were 500 (`UNIQUE constraint failed: practice.slug`),
and a double post gave a 500 in one of its two requests.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.catalogue.practices import unique
from app.catalogue.practices.service import CatalogueError, create_practice, update_practice
from app.catalogue.reference import Reference
from app.db import session_scope
from app.models import Practice, Status
from tests.conftest import practice_data
from tests.factories import practice_to_in
from tests.reliability.conftest import assert_no_traceback, burst, statuses
from tests.submit.helpers import api_body, form_data

TITLE = "Народный бюджет в каждом дворе"


def test_twenty_identical_titles_at_once_all_land_with_distinct_addresses(live, session, server_log):
    with live.client() as http:
        responses = burst([lambda: http.post("/api/v1/submissions", json=api_body(title=TITLE))] * 20)
    assert statuses(responses) == {201: 20}, [r.text[:200] for r in responses if r.status_code != 201]
    slugs = session.exec(select(Practice.slug)).all()
    assert len(slugs) == 20 and len(set(slugs)) == 20
    assert "narodnyy-byudzhet-v-kazhdom-dvore" in slugs
    codes = {r.json()["tracking_code"] for r in responses}
    assert len(codes) == 20
    assert_no_traceback(server_log)


def test_a_double_click_on_the_form_sends_two_submissions_and_no_error(live, session, server_log):
    with live.client() as http:
        for round_ in range(4):
            data = form_data(title=f"{TITLE} {round_}")
            responses = burst([lambda data=data: http.post("/submit", data=data)] * 2)
            assert statuses(responses) == {303: 2}, [r.text[:300] for r in responses]
    assert len(session.exec(select(Practice.slug)).all()) == 8
    assert_no_traceback(server_log)


def test_an_address_taken_between_the_look_and_the_write_gets_the_next_one(app, session, monkeypatch):
    """The race made certain: the look says the address is free, the insert meets it taken."""
    first = _create(app, title=TITLE)
    looks = iter([first.slug])
    real = unique.free_slug

    def look(s, wanted, exclude_id=None):  # type: ignore[no-untyped-def]
        return next(looks, None) or real(s, wanted, exclude_id)

    monkeypatch.setattr(unique, "free_slug", look)
    second = _create(app, title=TITLE)
    assert first.slug == "narodnyy-byudzhet-v-kazhdom-dvore"
    assert second.slug == first.slug + "-2"


def test_a_taken_tracking_code_is_replaced_in_the_write(app, monkeypatch):
    first = _create(app)
    codes = iter([first.tracking_code, "P-0000ABCD"])
    monkeypatch.setattr(unique, "new_tracking_code", lambda: next(codes))
    second = _create(app)
    assert second.tracking_code == "P-0000ABCD"


def test_a_crowd_beyond_every_attempt_is_a_clear_error_naming_the_address(app, monkeypatch):
    taken = _create(app, title=TITLE).slug
    monkeypatch.setattr(unique, "free_slug", lambda *_, **__: taken)
    monkeypatch.setattr(unique, "random_slug", lambda _: taken)
    with pytest.raises(CatalogueError) as refused:
        _create(app, title=TITLE)
    assert refused.value.errors == [{"field": "slug", "message": unique.EXHAUSTED}]


def test_an_edit_to_an_address_taken_meanwhile_gets_the_next_one(app, session, monkeypatch):
    one, two = _create(app, title="Первая практика"), _create(app, title="Вторая практика")
    monkeypatch.setattr(unique, "free_slug", lambda _, wanted, *__: wanted)  # the look misses the taken one
    state = app.state
    with session_scope(state.engine) as s:
        practice = s.get(Practice, two.id)
        changes = update_practice(s, Reference(s), practice, practice_to_in(practice).model_copy(
            update={"slug": one.slug}), "test")
    assert changes["slug"][1] != one.slug and changes["slug"][1].startswith("pervaya-praktika-")
    session.expire_all()
    assert session.get(Practice, two.id).slug == changes["slug"][1]


def _create(app, **overrides):  # type: ignore[no-untyped-def]
    with session_scope(app.state.engine) as s:
        return create_practice(s, Reference(s), practice_data(status="pending", **overrides), actor="test")


def test_a_unit_of_work_that_fails_after_the_insert_leaves_nothing(app, session):
    """The savepoint is nested in the unit of work's transaction: on SQLite a SAVEPOINT opened
    outside a transaction would commit the practice on its release, whatever followed."""
    with pytest.raises(RuntimeError), session_scope(app.state.engine) as s:
        create_practice(s, Reference(s), practice_data(title=TITLE), actor="test")
        raise RuntimeError("what follows the insert fails")
    assert session.exec(select(Practice.id)).all() == []


def test_the_helper_takes_a_practice_already_added_to_the_session(app, session):
    """How an importer may call it: a new practice, added to the session already, with a taken address."""
    taken = _create(app, title=TITLE).slug
    with session_scope(app.state.engine) as s:
        practice = Practice(slug=taken, title=TITLE, region_code="RU-BEL", municipality_type_slug="municipal-district",
                            status=Status.pending)
        s.add(practice)
        unique.insert_with_unique_slug(s, practice)
        assert practice.id is not None and practice.tracking_code.startswith("P-")
    assert sorted(session.exec(select(Practice.slug)).all()) == [taken, taken + "-2"]
