"""Queueing mail in the unit of work that causes it, and what the queue looks like (/readyz)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import MailMessage, MailState, utcnow
from app.settings import Settings, get_settings

# What the message's links and private tokens need: put on the session by the request's
# session dependency (`app.deps`), taken from the settings elsewhere (CLI, tests).
SITE_KEY = "mail_site"
WRITTEN_KEY = "mail_written"


@dataclass(frozen=True)
class Site:
    url: str  # public address, no trailing slash
    secret: str  # signs private edit links
    edit_link_days: int

    @classmethod
    def of(cls, settings: Settings, url: str | None = None) -> Site:
        base = url or settings.base_url or f"http://{settings.host}:{settings.port}"
        return cls(base.rstrip("/"), settings.secret_key, settings.edit_link_days)


def site_of(session: Session) -> Site:
    site = session.info.get(SITE_KEY)
    return site if isinstance(site, Site) else Site.of(get_settings())


def queue(session: Session, kind: str, recipient: str, context: dict[str, Any], practice_id: int | None = None) -> None:
    """Queue one message; it is sent only if the surrounding transaction commits."""
    session.add(MailMessage(uid=uuid.uuid4().hex, kind=kind, recipient=recipient,
                            context={"site": site_of(session).url, **context}, practice_id=practice_id))
    session.info[WRITTEN_KEY] = True


def written(session: Session) -> bool:
    """Whether this unit of work queued mail (and forget it: asked once, after the commit)."""
    return bool(session.info.pop(WRITTEN_KEY, False))


@dataclass
class MailStatus:
    pending: int  # waiting (or being sent)
    oldest_age: float  # seconds; 0 when nothing waits
    failing: int  # waiting after a failed attempt
    failed: int  # refused for good (a bad address)


def mail_status(session: Session) -> MailStatus:
    waiting = col(MailMessage.state).in_([MailState.pending, MailState.sending])
    pending, oldest, failing = session.exec(
        select(
            func.count(col(MailMessage.id)),
            func.min(MailMessage.created_at),
            # An attempt under way counts once it has failed: a claim already counts in `attempts`.
            func.count(col(MailMessage.id)).filter(col(MailMessage.last_error).is_not(None)),
        ).where(waiting)
    ).one()
    failed = session.exec(
        select(func.count(col(MailMessage.id))).where(MailMessage.state == MailState.failed)
    ).one()
    age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
    return MailStatus(pending=pending or 0, oldest_age=age, failing=failing or 0, failed=failed or 0)
