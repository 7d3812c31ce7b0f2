"""The index catches up without any further request: after a crash between the commit and the
inline sync (the web process drains the outbox at start), after an engine failure (it drains
on a timer), and `/readyz` fails while a row waits longer than OUTBOX_MAX_AGE."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.catalogue.practices.service import create_practice
from app.catalogue.reference import Reference
from app.db import session_scope
from app.main import create_app
from app.models import Outbox, utcnow
from app.search.sync import drain_inline
from app.settings import Settings
from tests.conftest import practice_data
from tests.test_sync import Flaky

PATIENCE = 60.0  # a bound on the wait, not a measurement


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _commit_without_sync(engine, title: str) -> int:  # type: ignore[no-untyped-def]
    """What a crash right after the commit leaves: the practice and its pending outbox row."""
    with session_scope(engine) as s:  # no after-commit hook: the inline sync never runs
        practice = create_practice(s, Reference(s), practice_data(title=title), actor="test")
        s.flush()
        assert practice.id is not None
        return practice.id


def _found(client: TestClient, text: str) -> set[int]:
    body = client.get("/api/v1/practices", params={"q": text}).json()
    return {item["id"] for item in body["items"]}


def test_a_practice_left_behind_by_a_crash_is_found_once_the_app_starts(settings, engine):
    practice_id = _commit_without_sync(engine, "Сквер у сельской школы")
    app = create_app(settings)
    try:
        assert practice_id not in app.state.index.ids()
        with TestClient(app) as client:  # the start, and nothing else: no other write follows
            _eventually(lambda: practice_id in _found(client, "сквер школы"), "the start did not drain the outbox")
        with Session(engine) as s:
            assert s.exec(select(Outbox).where(col(Outbox.done_at).is_(None))).all() == []
    finally:
        app.state.index.close()


def test_rows_due_again_after_an_engine_failure_are_applied_on_the_timer(settings, engine):
    app = create_app(settings.model_copy(update={"sync_interval": 0.2}))
    flaky = Flaky(app.state.index)
    app.state.index = flaky
    try:
        with TestClient(app):
            flaky.down = True
            with session_scope(engine, lambda: drain_inline(engine, flaky)) as s:
                create_practice(s, Reference(s), practice_data(title="Школа старост"), actor="test")
            with Session(engine) as s:
                row = s.exec(select(Outbox)).one()
            assert row.done_at is None and row.attempts >= 1  # the inline sync failed
            flaky.down = False
            with Session(engine) as s:  # the back-off is over
                s.exec(update(Outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))  # type: ignore[call-overload]
                s.commit()
            _eventually(lambda: row.practice_id in flaky.ids(), "the timer never retried the row")
    finally:
        flaky.inner.close()


def test_readyz_fails_while_an_outbox_row_waits_too_long(settings: Settings, engine):
    # The production shape with its sync worker stopped: nobody drains the outbox.
    app = create_app(settings.model_copy(update={"sync_inline": False, "outbox_max_age": 120}))
    try:
        with TestClient(app) as client:
            _commit_without_sync(engine, "Народный бюджет")
            ready = client.get("/readyz")
            assert ready.status_code == 200  # pending, but not for long yet
            assert ready.json()["checks"]["outbox"]["stale"] is False
            with Session(engine) as s:
                s.exec(update(Outbox).values(created_at=utcnow() - timedelta(seconds=121)))  # type: ignore[call-overload]
                s.commit()
            ready = client.get("/readyz")
            assert ready.status_code == 503
            outbox = ready.json()["checks"]["outbox"]
            assert outbox["stale"] is True and outbox["pending"] == 1 and outbox["max_age_seconds"] == 120
    finally:
        app.state.index.close()
