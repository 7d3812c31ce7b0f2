"""Sending the queued mail: each message exactly once, none lost.

One message at a time:
- claim it. PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` in a transaction that stays open
  while the message is sent and is committed with the message marked sent, so the claim and
  the mark are one transaction and two senders never take the same message; a sender that
  dies mid-send rolls back and the message is simply due again. SQLite has no row locks (and a
  write transaction held during SMTP would stop every other writer), so there the claim is a
  committed conditional UPDATE to `sending` with a claim token, and the mark is conditional on
  that token; a claim left behind by a dead sender is taken over after `LEASE`.
- send it (the Message-ID is the row's, the same on every attempt, so the rare repeat after a
  crash between the server's acceptance and our mark is recognisably one message);
- mark it sent, or due again later with back-off (`TemporaryFailure`: the round stops, the
  server is not there), or failed for good (`PermanentFailure`: the address was refused).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jinja2 import Environment
from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.mail.compose import SECRET_KEYS, compose, make_environment
from app.mail.transport import PermanentFailure, Sender, TemporaryFailure, Transport, make_transport
from app.models import MailMessage, MailState, utcnow
from app.settings import Settings

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
FIRST_RETRY = timedelta(seconds=30)
LEASE = timedelta(minutes=15)  # far above SMTP_TIMEOUT: a live sender has finished by then
BATCH = 500


@dataclass
class MailReport:
    sent: int = 0
    retried: int = 0  # failed for now, due again after a back-off
    refused: int = 0  # failed for good
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    delay: timedelta = FIRST_RETRY * 2 ** min(max(0, attempts - 1), 20)
    return min(delay, MAX_BACKOFF)


def _due(now: datetime) -> Any:
    return or_(
        and_(col(MailMessage.state) == MailState.pending, col(MailMessage.next_attempt_at) <= now),
        and_(col(MailMessage.state) == MailState.sending, col(MailMessage.claimed_at) < now - LEASE),
    )


def _claim(session: Session, now: datetime) -> MailMessage | None:
    token = uuid.uuid4().hex
    claimed = {"state": MailState.sending, "claim_token": token, "claimed_at": now,
               "attempts": col(MailMessage.attempts) + 1}
    if session.get_bind().dialect.name == "postgresql":
        row = session.exec(
            select(MailMessage).where(_due(now)).order_by(col(MailMessage.id)).limit(1).with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        session.exec(update(MailMessage).where(col(MailMessage.id) == row.id).values(**claimed))
    else:
        first_due = select(MailMessage.id).where(_due(now)).order_by(col(MailMessage.id)).limit(1).scalar_subquery()
        session.exec(update(MailMessage).where(col(MailMessage.id) == first_due).values(**claimed))
        session.commit()  # the claim is visible: another sender skips the row
    session.expire_all()
    return session.exec(select(MailMessage).where(MailMessage.claim_token == token)).first()


def _finish(session: Session, row: MailMessage, **values: Any) -> None:
    """Mark the claimed row (only if the claim is still ours) and commit."""
    session.exec(
        update(MailMessage)
        .where(col(MailMessage.id) == row.id, col(MailMessage.claim_token) == row.claim_token)
        .values(claim_token=None, **values)
    )
    session.commit()


class Mailer:
    """Sends the queued mail of one database through one transport."""

    def __init__(self, engine: Engine, transport: Transport, mail_from: str, env: Environment | None = None) -> None:
        self.engine = engine
        self.transport = transport
        self.mail_from = mail_from
        self.env = env or make_environment()

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> Mailer:
        return cls(engine, make_transport(settings), settings.mail_from)

    def send_due(self, limit: int = BATCH, now: Callable[[], datetime] = utcnow) -> MailReport:
        """Send up to `limit` due messages over one connection; stops when the server is away."""
        report = MailReport()
        with ExitStack() as stack:
            sender: Sender | None = None
            for _ in range(limit):
                with Session(self.engine, expire_on_commit=False) as session:
                    row = _claim(session, now())
                    if row is None:
                        break
                    try:
                        message = compose(self.env, row, self.mail_from)
                        if sender is None:
                            sender = stack.enter_context(self.transport.open())
                        sender.send(message)
                    except PermanentFailure as exc:
                        _finish(session, row, state=MailState.failed, last_error=str(exc)[:2000])
                        report.refused += 1
                        report.errors.append(str(exc))
                        log.warning("mail %s to %s refused for good: %s", row.uid, row.recipient, exc)
                        continue
                    except Exception as exc:  # TemporaryFailure, or a bug in a template: kept, retried later
                        error = f"{type(exc).__name__}: {exc}"[:2000]
                        _finish(session, row, state=MailState.pending, last_error=error,
                                next_attempt_at=now() + backoff(row.attempts))
                        report.retried += 1
                        report.errors.append(error)
                        if not isinstance(exc, TemporaryFailure):
                            log.exception("mail %s could not be composed", row.uid)
                        log.warning("mail %s not sent (attempt %d), retried later: %s", row.uid, row.attempts, error)
                        break
                    context = {k: v for k, v in row.context.items() if k not in SECRET_KEYS}
                    _finish(session, row, state=MailState.sent, sent_at=now(), last_error=None, context=context)
                    report.sent += 1
        return report

    def drain(self, now: Callable[[], datetime] = utcnow) -> MailReport:
        """Send rounds until nothing is due or the server is away."""
        total = MailReport()
        while True:
            step = self.send_due(now=now)
            total.sent += step.sent
            total.retried += step.retried
            total.refused += step.refused
            total.errors += step.errors
            if step.retried or (step.sent + step.refused) < BATCH:
                return total
