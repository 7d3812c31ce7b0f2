"""The mail outbox against a real SMTP server on loopback: every message arrives, once, even
when the server goes away mid-queue; refused addresses are not retried; several senders
never send one message twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.catalogue.practices.schemas import Submitter
from app.catalogue.practices.service import change_status, create_practice
from app.catalogue.reference import Reference
from app.db import session_scope
from app.mail import outbox
from app.mail.sender import LEASE, Mailer, _claim
from app.models import MailMessage, MailState, Practice, Status, utcnow
from tests.conftest import practice_data
from tests.smtp_server import SmtpSink, text_of

LATER = timedelta(days=2)  # past every back-off


def later() -> datetime:
    return utcnow() + LATER


def much_later() -> datetime:
    """Past the back-off of messages that failed at `later`."""
    return utcnow() + 2 * LATER


def queue_many(engine: Any, n: int, prefix: str = "m") -> list[str]:
    """`n` messages of the «received» kind, each in its own transaction; returns their uids."""
    for i in range(n):
        with session_scope(engine) as session:
            outbox.queue(session, "received", f"{prefix}{i}@example.org", {"title": f"Практика {i}", "code": f"P-{i:08X}"})
    with Session(engine) as session:
        return list(session.exec(select(MailMessage.uid).order_by(col(MailMessage.id))))


def states(engine: Any) -> Counter[str]:
    with Session(engine) as session:
        return Counter(s.value for s in session.exec(select(MailMessage.state)))


def arrived_uids(smtp: SmtpSink) -> Counter[str]:
    return Counter(str(m["Message-ID"]).strip("<>").split("@")[0] for m in smtp.messages)


def test_a_queued_message_arrives_in_russian_with_a_stable_message_id(engine, settings, smtp):
    [uid] = queue_many(engine, 1)
    report = Mailer.from_settings(engine, settings).drain()
    assert (report.sent, report.retried, report.refused) == (1, 0, 0)
    [message] = smtp.wait_for(1)
    assert message["To"] == "m0@example.org"
    assert message["Subject"] == "Заявка P-00000000 принята"
    assert message["Message-ID"] == f"<{uid}@localhost>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "Ваша заявка «Практика 0» принята" in text_of(message)
    assert states(engine) == {"sent": 1}


def test_smtp_server_stopped_mid_queue_every_message_arrives_after_it_is_back_exactly_once(engine, settings, smtp):
    uids = queue_many(engine, 30)
    mailer = Mailer.from_settings(engine, settings)
    first = mailer.send_due(limit=10)  # ten go out, then the server goes away mid-queue
    assert first.sent == 10
    smtp.refuse_from_now()  # «421 shutting down» to the next message …
    second = mailer.send_due()
    assert (second.sent, second.retried) == (0, 1)
    smtp.stop()  # … and then nobody answers at all
    third = mailer.drain(now=later)
    assert (third.sent, third.retried) == (0, 1)
    assert states(engine) == {"sent": 10, "pending": 20}  # nothing lost, nothing marked sent that did not go
    assert len(smtp.messages) == 10

    smtp.start()
    # The round stopped at the first failure: the 19 never tried go at once; the one that
    # failed twice waits for its back-off.
    assert mailer.drain(now=utcnow).sent == 19
    assert mailer.drain(now=much_later).sent == 1
    smtp.wait_for(30)
    assert arrived_uids(smtp) == Counter({uid: 1 for uid in uids})
    assert states(engine) == {"sent": 30}
    with Session(engine) as session:
        retried = session.exec(select(MailMessage).where(col(MailMessage.attempts) > 1)).all()
        assert retried and all(m.last_error is None and m.sent_at for m in retried)


def _status_changes(engine: Any, n: int) -> list[tuple[int, str]]:
    """`n` practices with a submitter (made without mail), then one status change each."""
    actions = [(Status.published, None, "published"), (Status.rejected, "Дубль", "rejected"),
               (Status.revision, "Добавьте цифры", "revision")]
    expected = []
    with session_scope(engine) as session:
        ref = Reference(session)
        made = [
            create_practice(session, ref, practice_data(status="pending"), actor="test",
                            submitter=Submitter(name="Иван", email=f"user{i}@example.org"))
            for i in range(n)
        ]
        ids = [p.id for p in made]
    for i, practice_id in enumerate(ids):
        new, note, kind = actions[i % 3]
        with session_scope(engine) as session:
            practice = session.get(Practice, practice_id)
            change_status(session, practice, new, "admin:test", note)
        expected.append((practice_id, kind))
    return expected


def test_hundred_status_changes_while_smtp_is_down_then_up_hundred_messages_none_twice_none_lost(engine, settings, smtp):
    smtp.stop()
    expected = _status_changes(engine, 100)
    mailer = Mailer.from_settings(engine, settings)
    for _ in range(3):  # the worker keeps trying while the server is down
        assert mailer.drain(now=later).sent == 0
    assert states(engine) == {"pending": 100}

    smtp.start()
    report = mailer.drain(now=much_later)
    assert report.sent == 100
    messages = smtp.wait_for(100)
    assert len(messages) == 100
    assert len({m["Message-ID"] for m in messages}) == 100
    with Session(engine) as session:
        rows = session.exec(select(MailMessage)).all()
    assert sorted((r.practice_id, r.kind) for r in rows) == sorted(expected)
    assert {r.state for r in rows} == {MailState.sent}
    assert Counter(m["To"] for m in messages) == Counter(r.recipient for r in rows)


def test_refused_address_fails_for_good_and_the_others_still_go(engine, settings, smtp):
    smtp.bad_addresses.add("m1@example.org")
    queue_many(engine, 3)
    report = Mailer.from_settings(engine, settings).drain()
    assert (report.sent, report.refused, report.retried) == (2, 1, 0)
    assert sorted(m["To"] for m in smtp.wait_for(2)) == ["m0@example.org", "m2@example.org"]
    with Session(engine) as session:
        failed = session.exec(select(MailMessage).where(MailMessage.state == MailState.failed)).one()
        assert failed.recipient == "m1@example.org" and "550" in (failed.last_error or "")
        assert outbox.mail_status(session).failed == 1
    assert Mailer.from_settings(engine, settings).drain(now=later).refused == 0  # not retried


def test_parallel_senders_never_send_one_message_twice(engine, settings, smtp):
    uids = queue_many(engine, 60)
    barrier = threading.Barrier(3)
    reports = []

    def run() -> None:
        barrier.wait(10)
        reports.append(Mailer.from_settings(engine, settings).drain())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in reports) == 60
    smtp.wait_for(60)
    assert arrived_uids(smtp) == Counter({uid: 1 for uid in uids})


def test_a_sender_that_died_after_claiming_leaves_the_message_to_the_next_one(engine, settings, smtp):
    """SQLite: the claim is committed with a lease; PostgreSQL: the claim is a row lock that
    dies with the sender's transaction. Either way the message goes, once, with its Message-ID."""
    [uid] = queue_many(engine, 1)
    mailer = Mailer.from_settings(engine, settings)
    dead = Session(engine)
    claimed = _claim(dead, utcnow())
    assert claimed is not None and claimed.uid == uid
    if engine.dialect.name == "postgresql":
        assert mailer.drain().sent == 0  # locked by the (still open) dying sender: skipped, not waited for
        dead.close()  # the sender dies: its transaction rolls back
        assert mailer.drain().sent == 1
    else:
        dead.close()
        assert mailer.drain().sent == 0  # claimed, within the lease
        assert mailer.drain(now=lambda: utcnow() + LEASE + timedelta(seconds=1)).sent == 1
    [message] = smtp.wait_for(1)
    assert message["Message-ID"] == f"<{uid}@localhost>"
    assert states(engine) == {"sent": 1}


def test_a_message_counts_as_failing_once_an_attempt_failed_not_while_the_first_is_under_way(engine, settings, smtp):
    queue_many(engine, 1)
    first = Session(engine)
    try:
        assert _claim(first, utcnow()) is not None  # another sender's first attempt, under way
        with Session(engine) as session:
            status = outbox.mail_status(session)
        assert (status.pending, status.failing) == (1, 0)
    finally:
        first.close()
    smtp.stop()
    past_the_lease = utcnow() + LEASE + timedelta(seconds=1)
    assert Mailer.from_settings(engine, settings).drain(now=lambda: past_the_lease).retried == 1
    with Session(engine) as session:
        status = outbox.mail_status(session)
    assert (status.pending, status.failing) == (1, 1)


def test_mail_is_queued_only_if_the_change_commits(engine, settings, smtp):
    try:
        with session_scope(engine) as session:
            outbox.queue(session, "received", "a@example.org", {"title": "x", "code": "P-00000000"})
            raise RuntimeError("the request failed after queueing")
    except RuntimeError:
        pass
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(MailMessage)).one() == 0


def test_the_private_edit_link_is_not_kept_after_sending(engine, settings, smtp):
    with session_scope(engine) as session:
        outbox.queue(session, "revision", "a@example.org", {
            "title": "x", "code": "P-00000001", "slug": "x", "note": "Добавьте цифры",
            "edit_url": "http://testserver/submit/edit/" + "t" * 43, "expires": "2030-01-05T00:00:00+00:00"})
    Mailer.from_settings(engine, settings).drain()
    [message] = smtp.wait_for(1)
    assert "http://testserver/submit/edit/" + "t" * 43 in text_of(message)
    assert "5 января 2030 г." in text_of(message)
    with Session(engine) as session:
        row = session.exec(select(MailMessage)).one()
        assert "edit_url" not in row.context and row.context["note"] == "Добавьте цифры"
    with session_scope(engine) as session:  # a repeat of the statement does nothing to a sent row
        session.exec(update(MailMessage).where(col(MailMessage.state) == MailState.pending).values(attempts=9))
    assert states(engine) == {"sent": 1}
