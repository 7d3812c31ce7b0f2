"""A corpus for the open-data endpoints: published practices that vary in every filter, and
practices that must never appear anywhere (pending, rejected, archived)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from app.catalogue.practices.service import change_status
from app.db import session_scope
from app.models import Practice, Status
from app.search.sync import drain_inline
from tests.corpus import CORPUS

# Never visible: every title carries the word "Тайная" so a text search would find them.
HIDDEN: list[dict[str, Any]] = [
    {"slug": "tajnaya-pending", "title": "Тайная практика на проверке", "region": "RU-BEL",
     "themes": ["youth"], "status": "pending", "year_started": 2021},
    {"slug": "tajnaya-rejected", "title": "Тайная отклонённая практика", "region": "RU-TA",
     "themes": ["youth"], "status": "pending", "year_started": 2021},
    {"slug": "tajnaya-archived", "title": "Тайная практика в архиве", "region": "RU-SVE",
     "themes": ["education"], "status": "published", "year_started": 2021},
]
HIDDEN_SLUGS = {h["slug"] for h in HIDDEN}


@pytest.fixture
def apply(app) -> Callable[[Callable[[Session], Any]], Any]:  # type: ignore[no-untyped-def]
    """Run a catalogue service in its own unit of work, with the inline search sync after it."""
    state = app.state

    def run(fn: Callable[[Session], Any]) -> Any:
        with session_scope(state.engine, lambda: drain_inline(state.engine, state.index)) as session:
            return fn(session)

    return run


def set_status(apply, slug: str, status: Status, note: str | None = None) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    def go(session: Session) -> None:
        practice = session.exec(select(Practice).where(Practice.slug == slug)).unique().one()
        change_status(session, practice, status, actor="moderator", note=note)

    apply(go)


SUBMITTER_EMAIL = "submitter-secret@example.ru"
MODERATION_NOTE = "Внутренняя заметка модератора"


def _mark_submitted(session: Session, slug: str) -> None:
    """As if the practice came through the public form: submitter and a moderator's note."""
    from sqlmodel import select

    practice = session.exec(select(Practice).where(Practice.slug == slug)).unique().one()
    practice.submitter_name = "Пётр Секретов"
    practice.submitter_email = SUBMITTER_EMAIL
    practice.moderation_note = MODERATION_NOTE
    session.add(practice)


@pytest.fixture
def corpus(make_practice, apply) -> dict[str, Practice]:  # type: ignore[no-untyped-def]
    """Slug -> Practice for the published corpus; the hidden ones exist in every state but published."""
    out = {item["slug"]: make_practice(**item) for item in CORPUS}
    for item in HIDDEN:
        make_practice(**item)
    apply(lambda session: _mark_submitted(session, "yunarmiya-belgorod"))
    set_status(apply, "tajnaya-rejected", Status.rejected, note="Не муниципальная практика")
    set_status(apply, "tajnaya-archived", Status.archived)
    return out


def problem_of(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == response.status_code
    return body


def error_fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text
    return [e["field"] for e in problem_of(response)["errors"]]
