"""What the submitter hears of, queued as mail in the transaction of the change.

received: the submission arrived (tracking link); revision: returned for revision (the
moderator's message and a private edit link); published: the public link; rejected: the
reason. Nothing is queued for a practice without a submitter's address (imports, moderators).
"""

from __future__ import annotations

from sqlmodel import Session

from app.catalogue.practices import tokens
from app.mail import outbox
from app.models import Practice

# The audit action of a status change → the mail it sends.
MAIL_OF_ACTION = {"approve": "published", "reject": "rejected", "revise": "revision"}


def _send(session: Session, practice: Practice, kind: str, **extra: object) -> None:
    if not practice.submitter_email:
        return
    context = {"title": practice.title, "code": practice.tracking_code, "slug": practice.slug, **extra}
    outbox.queue(session, kind, practice.submitter_email, context, practice_id=practice.id)


def received(session: Session, practice: Practice) -> None:
    _send(session, practice, "received")


def status_changed(session: Session, practice: Practice, action: str) -> None:
    kind = MAIL_OF_ACTION.get(action)
    if kind is None or not practice.submitter_email:
        return
    if kind == "revision":
        site = outbox.site_of(session)
        token, expires = tokens.issue(session, practice, site.secret, site.edit_link_days)
        _send(session, practice, kind, note=practice.moderation_note or "", edit_url=f"{site.url}/submit/edit/{token}",
              expires=expires.isoformat())
    elif kind == "rejected":
        _send(session, practice, kind, note=practice.moderation_note or "")
    else:
        _send(session, practice, kind)
