"""What may happen to a practice: create, edit, approve, return for revision, resubmit,
reject, archive.

Services flush, never commit. Every change to what is public writes an outbox row (for the
search index) and a change-log row (for mirrors) in the same transaction, every action lands
in the audit log, and what the submitter should hear of is queued as mail (`notices`), in the
same transaction too.

The optimistic check is the database's: a change bumps the version with
`UPDATE … WHERE version = <the version read>`, so of two concurrent changes to one card the
second matches nothing and is refused (`StaleCard`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from app.catalogue.practices import fields, notices, tokens, unique
from app.catalogue.practices.errors import CatalogueError as CatalogueError  # the name routes import
from app.catalogue.practices.schemas import CardIn, PracticeIn, SubmissionIn, Submitter
from app.catalogue.practices.slugs import slugify
from app.catalogue.reference import Reference
from app.db import mark_outbox_written
from app.models import AuditLog, Award, ChangeLog, EditToken, Outbox, OutboxOp, Practice, Status, Theme, utcnow

STALE_MESSAGE = (
    "Карточку изменили после того, как вы открыли страницу (возможно, другой модератор). "
    "Ваши правки не сохранены: они показаны ниже; сверьтесь с журналом и отправьте ещё раз."
)


class StaleCard(CatalogueError):
    """The card changed since it was read (answered with 409)."""

    def __init__(self) -> None:
        super().__init__([{"field": "version", "message": STALE_MESSAGE}])


def _check(ref: Reference, data: CardIn) -> None:
    errors = ref.errors(data.model_dump(include={"region", "municipality_type", "themes", "awards"}))
    if errors:
        raise CatalogueError(errors)


def _column_values(data: CardIn) -> dict[str, Any]:
    return fields.column_values(data.model_dump(mode="python"))


def record_public_change(session: Session, practice: Practice, op: OutboxOp) -> None:
    """Queue the change for the search index and the mirrors' change feed."""
    assert practice.id is not None
    session.add(Outbox(practice_id=practice.id, op=op, version=practice.version))
    session.add(ChangeLog(practice_id=practice.id, slug=practice.slug, kind=op.value))
    mark_outbox_written(session)


def audit(session: Session, practice: Practice | None, actor: str, action: str, changes: dict[str, Any]) -> None:
    session.add(
        AuditLog(practice_id=practice.id if practice else None, actor=actor, action=action, changes=changes)
    )


def _set_themes(session: Session, practice: Practice, slugs: list[str]) -> None:
    practice.themes = [theme for s in slugs if (theme := session.get(Theme, s)) is not None]


def _awards(data: PracticeIn) -> list[Award]:
    return [
        Award(competition_slug=a.competition, year=a.year, nomination_slug=a.nomination, category=a.category,
              place=a.place, prize=a.prize, source_url=a.source_url)
        for a in data.awards
    ]


def _award_records(practice: Practice) -> list[dict[str, Any]]:
    return [a.to_record() for a in practice.awards]


def create_practice(
    session: Session, ref: Reference, data: CardIn, actor: str, submitter: Submitter | None = None
) -> Practice:
    """A new practice. A card from the public (`CardIn`, not `PracticeIn`) is always pending."""
    _check(ref, data)
    card = data if isinstance(data, PracticeIn) else PracticeIn.model_validate(data.model_dump() | {"status": "pending"})
    now = utcnow()
    practice = Practice(
        slug=card.slug or slugify(card.title),
        tracking_code=unique.new_tracking_code(),
        status=card.status,
        created_at=now,
        updated_at=now,
        published_at=now if card.status == Status.published else None,
        **_column_values(card),
    )
    if submitter is not None:
        practice.submitter_name = submitter.name
        practice.submitter_organisation = submitter.organisation
        practice.submitter_email = submitter.email
    _set_themes(session, practice, card.themes)
    practice.awards = _awards(card)
    unique.insert_with_unique_slug(session, practice)
    audit(session, practice, actor, "create", {"status": practice.status.value})
    if practice.status == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    return practice


def submit_practice(session: Session, ref: Reference, data: SubmissionIn) -> Practice:
    """A proposal from the public: always pending until a moderator acts. The submitter is
    told by mail that it arrived, with the tracking link."""
    card = CardIn.model_validate(data.model_dump(exclude={"submitter", "status"}))
    practice = create_practice(session, ref, card, actor=f"submitter:{data.submitter.email}", submitter=data.submitter)
    notices.received(session, practice)
    return practice


def _diff(practice: Practice, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [getattr(practice, k), v] for k, v in values.items() if getattr(practice, k) != v}


def update_practice(session: Session, ref: Reference, practice: Practice, data: PracticeIn, actor: str) -> dict[str, Any]:
    """Apply an edit (not a status change); returns what changed."""
    _check(ref, data)
    values = _column_values(data)
    changes: dict[str, Any] = _diff(practice, values)
    old_themes = sorted(t.slug for t in practice.themes)
    if old_themes != sorted(data.themes):
        changes["themes"] = [old_themes, sorted(data.themes)]
    new_awards = [a.to_record() for a in _awards(data)]
    if _award_records(practice) != new_awards:
        changes["awards"] = [_award_records(practice), new_awards]
    new_slug = data.slug if data.slug and data.slug != practice.slug else None
    if new_slug:
        changes["slug"] = [practice.slug, new_slug]
    if not changes:
        return {}
    _bump(session, practice)
    if new_slug:  # the address given may be a variant of the one asked for, if that is taken
        changes["slug"][1] = unique.change_slug(session, practice, new_slug)
    for key, value in values.items():
        setattr(practice, key, value)
    _set_themes(session, practice, data.themes)
    if "awards" in changes:
        practice.awards = _awards(data)
    session.add(practice)
    session.flush()
    audit(session, practice, actor, "edit", _jsonable(changes))
    if practice.status == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    return changes


def _bump(session: Session, practice: Practice) -> None:
    """Version + 1, decided by the database: only if it is still the version this request read.
    Called before the card's attributes change, so a refusal leaves nothing to flush."""
    now = utcnow()
    result = session.exec(
        update(Practice)
        .where(col(Practice.id) == practice.id, col(Practice.version) == practice.version)
        .values(version=col(Practice.version) + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleCard()
    set_committed_value(practice, "version", practice.version + 1)
    set_committed_value(practice, "updated_at", now)


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, enum.Enum):
            return v.value
        if isinstance(v, date):
            return v.isoformat()
        return v

    return {k: [plain(v) for v in pair] for k, pair in changes.items()}


# Which status may follow which, and the action's name in the audit log.
TRANSITIONS: dict[tuple[Status, Status], str] = {
    (Status.pending, Status.published): "approve",
    (Status.pending, Status.rejected): "reject",
    (Status.pending, Status.revision): "revise",
    (Status.revision, Status.pending): "resubmit",
    (Status.revision, Status.published): "approve",
    (Status.revision, Status.rejected): "reject",
    (Status.rejected, Status.published): "approve",
    (Status.published, Status.archived): "archive",
    (Status.archived, Status.published): "restore",
    (Status.rejected, Status.pending): "reopen",
}
# Actions that need a message to the submitter, and what to say when it is missing.
NOTE_REQUIRED = {"reject": "укажите причину отклонения", "revise": "напишите отправителю, что доработать"}


def change_status(
    session: Session, practice: Practice, new: Status, actor: str, note: str | None = None
) -> None:
    action = TRANSITIONS.get((practice.status, new))
    if action is None:
        raise CatalogueError(
            [{"field": "status", "message": f"нельзя перевести из «{practice.status.value}» в «{new.value}»"}]
        )
    if action in NOTE_REQUIRED and not (note and note.strip()):
        raise CatalogueError([{"field": "moderation_note", "message": NOTE_REQUIRED[action]}])
    _bump(session, practice)
    old = practice.status
    practice.status = new
    if note is not None:
        practice.moderation_note = note.strip() or None
    if new == Status.published and practice.published_at is None:
        practice.published_at = utcnow()
    session.add(practice)
    session.flush()
    audit(session, practice, actor, action, {"status": [old.value, new.value], "note": note})
    if new == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    elif old == Status.published:
        record_public_change(session, practice, OutboxOp.delete)
    if old == Status.revision:
        tokens.revoke(session, practice.id)  # type: ignore[arg-type]  # flushed: has an id
    notices.status_changed(session, practice, action)


def resubmit(session: Session, ref: Reference, token: EditToken, practice: Practice, card: CardIn) -> dict[str, Any]:
    """The submitter fixed the card through the private edit link: apply the edit, spend the
    link (once: one conditional UPDATE decides between concurrent posts) and put the practice
    back in the queue. Returns what changed."""
    if not tokens.spend(session, token):
        raise CatalogueError([{"field": "token", "message": tokens.SPENT_MESSAGE}])
    actor = f"submitter:{practice.submitter_email or 'edit-link'}"
    record = fields.to_record(practice) | card.model_dump(mode="json")
    changes = update_practice(session, ref, practice, PracticeIn.model_validate(record), actor)
    change_status(session, practice, Status.pending, actor)
    return changes
