"""Moderators acting on one practice at the same moment: the database decides, once.

Figures (SQLite and PostgreSQL runs alike): 10 parallel approvals of one practice → 1 × 303,
9 × 409; 10 parallel bulk approvals → 1 published, 9 skipped; 10 parallel saves of one edit →
1 × 303, 9 × 409; each time exactly one audit entry, one outbox row and one change-feed row for
the one real change; 5xx seen 0; no traceback in the log.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import select

from app.models import AuditLog, ChangeLog, Outbox, Practice, Status
from tests.moderation import PASSWORD, form_values
from tests.reliability.conftest import assert_no_traceback, burst, statuses
from tests.submit.helpers import form_data, practice_by_code, tracking_code

CROWD = 10


def _sign_in(http, moderator) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/admin/login", data={"username": moderator, "password": PASSWORD})
    assert response.status_code == 303


def _submitted(http, session) -> Practice:  # type: ignore[no-untyped-def]
    response = http.post("/submit", data=form_data())
    assert response.status_code == 303
    return practice_by_code(session, tracking_code(response))


def _rows(session, model, practice_id: int) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(model.practice_id == practice_id)).one()


def _audit(session, practice_id: int, action: str) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(AuditLog).where(
        AuditLog.practice_id == practice_id, AuditLog.action == action)).one()


def test_parallel_approvals_of_one_practice_publish_it_once(live, moderator, session, server_log):
    with live.client() as http:
        _sign_in(http, moderator)
        practice = _submitted(http, session)
        data = {"action": "approve", "version": str(practice.version)}
        responses = burst([lambda: http.post(f"/admin/practices/{practice.id}/status", data=data)] * CROWD)
    assert statuses(responses) == {303: 1, 409: CROWD - 1}
    assert practice_by_code(session, practice.tracking_code).status == Status.published
    assert _audit(session, practice.id, "approve") == 1
    assert _rows(session, Outbox, practice.id) == 1 and _rows(session, ChangeLog, practice.id) == 1
    assert_no_traceback(server_log)


def test_parallel_bulk_approvals_publish_once(live, moderator, session, server_log):
    with live.client() as http:
        _sign_in(http, moderator)
        practice = _submitted(http, session)
        data = {"action": "approve", "ids": str(practice.id), f"version.{practice.id}": str(practice.version)}
        responses = burst([lambda: http.post("/admin/bulk", data=data)] * CROWD)
    assert statuses(responses) == {303: CROWD}
    published = [r for r in responses if "n=1" in r.headers["location"]]
    assert len(published) == 1
    assert _audit(session, practice.id, "approve") == 1
    assert _rows(session, Outbox, practice.id) == 1 and _rows(session, ChangeLog, practice.id) == 1
    assert_no_traceback(server_log)


def test_parallel_saves_of_one_edit_change_the_card_once(live, moderator, session, server_log):
    with live.client() as http:
        _sign_in(http, moderator)
        practice = _submitted(http, session)
        submitted_version = practice.version
        approve = {"action": "approve", "version": str(practice.version)}
        assert http.post(f"/admin/practices/{practice.id}/status", data=approve).status_code == 303
        page = BeautifulSoup(http.get(f"/admin/practices/{practice.id}").text, "html.parser")
        form = page.find("form", action=f"/admin/practices/{practice.id}")
        data = form_values(form) | {"title": ["Новое название практики"], "slug": ["novyy-adres"]}
        responses = burst([lambda: http.post(f"/admin/practices/{practice.id}", data=data)] * CROWD)
    assert statuses(responses) == {303: 1, 409: CROWD - 1}
    session.expire_all()
    saved = session.get(Practice, practice.id)
    assert (saved.title, saved.slug, saved.version) == ("Новое название практики", "novyy-adres", submitted_version + 2)
    assert _audit(session, practice.id, "edit") == 1
    assert _rows(session, Outbox, practice.id) == 2 and _rows(session, ChangeLog, practice.id) == 2  # approve, edit
    assert_no_traceback(server_log)
