"""What may happen to a practice: create, edit, approve, reject, archive.

Services flush, never commit. Every change to what is public writes an outbox row (for the
search index) and a change-log row (for mirrors) in the same transaction, and every action
lands in the audit log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from typing import Any

from sqlmodel import Session, col, select

from app.catalogue.reference import Reference
from app.catalogue.schemas import PracticeIn, SubmissionIn
from app.catalogue.slugs import slugify
from app.db import mark_outbox_written
from app.models import (
    AuditLog,
    ChangeLog,
    Outbox,
    OutboxOp,
    Practice,
    Status,
    Theme,
    utcnow,
)

# Card fields a moderator may edit, in form order (contact flattened).
CARD_FIELDS = (
    "title", "summary", "problem", "solution", "outcome", "outcome_figures", "region_code",
    "municipality", "municipality_type_slug", "year_started", "resources", "partners",
    "contact_organisation", "contact_person", "contact_email", "contact_phone", "contact_website",
    "contact_public", "source_url", "documents",
)


class CatalogueError(ValueError):
    """A request the catalogue refuses; `errors` is [{"field", "message"}]."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def check_references(session: Session, data: PracticeIn) -> list[dict[str, str]]:
    return Reference.of(session).errors(data.model_dump(include={"region", "municipality_type", "themes"}))


def _card_values(data: PracticeIn) -> dict[str, Any]:
    contact = data.contact
    return {
        "title": data.title,
        "summary": data.summary,
        "problem": data.problem,
        "solution": data.solution,
        "outcome": data.outcome,
        "outcome_figures": [f.model_dump() for f in data.outcome_figures],
        "region_code": data.region,
        "municipality": data.municipality,
        "municipality_type_slug": data.municipality_type,
        "year_started": data.year_started,
        "resources": data.resources,
        "partners": data.partners,
        "contact_organisation": contact.organisation,
        "contact_person": contact.person,
        "contact_email": contact.email,
        "contact_phone": contact.phone,
        "contact_website": contact.website,
        "contact_public": data.contact_public,
        "source_url": data.source_url,
        "documents": [d.model_dump() for d in data.documents],
    }


def unique_slug(session: Session, wanted: str, exclude_id: int | None = None) -> str:
    base = wanted[:80].strip("-") or "practice"
    candidate, n = base, 2
    while True:
        found = session.exec(select(Practice.id).where(Practice.slug == candidate)).first()
        if found is None or found == exclude_id:
            return candidate
        candidate = f"{base[:76]}-{n}"
        n += 1


def new_tracking_code(session: Session) -> str:
    while True:
        code = "P-" + secrets.token_hex(4).upper()
        if session.exec(select(Practice.id).where(Practice.tracking_code == code)).first() is None:
            return code


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
    practice.themes = [session.get(Theme, s) for s in slugs]  # type: ignore[misc]


def create_practice(
    session: Session, data: PracticeIn, actor: str, submitter: dict[str, Any] | None = None
) -> Practice:
    errors = check_references(session, data)
    if errors:
        raise CatalogueError(errors)
    now = utcnow()
    practice = Practice(
        slug=unique_slug(session, data.slug or slugify(data.title)),
        tracking_code=new_tracking_code(session),
        status=data.status,
        created_at=now,
        updated_at=now,
        published_at=now if data.status == Status.published else None,
        **_card_values(data),
    )
    if submitter:
        practice.submitter_name = submitter.get("name")
        practice.submitter_organisation = submitter.get("organisation")
        practice.submitter_email = submitter.get("email")
    _set_themes(session, practice, data.themes)
    session.add(practice)
    session.flush()
    audit(session, practice, actor, "create", {"status": practice.status.value})
    if practice.status == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    return practice


def submit_practice(session: Session, data: SubmissionIn) -> Practice:
    """A proposal from the public: always pending until a moderator acts."""
    card = PracticeIn.model_validate(data.model_dump(exclude={"submitter", "status"}) | {"status": "pending"})
    return create_practice(session, card, actor=f"submitter:{data.submitter.email}", submitter=data.submitter.model_dump())


def _diff(practice: Practice, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [getattr(practice, k), v] for k, v in values.items() if getattr(practice, k) != v}


def update_practice(session: Session, practice: Practice, data: PracticeIn, actor: str) -> dict[str, Any]:
    """Apply an edit (not a status change); returns what changed."""
    errors = check_references(session, data)
    if errors:
        raise CatalogueError(errors)
    values = _card_values(data)
    changes: dict[str, Any] = _diff(practice, values)
    old_themes = sorted(t.slug for t in practice.themes)
    if old_themes != sorted(data.themes):
        changes["themes"] = [old_themes, sorted(data.themes)]
    if data.slug and data.slug != practice.slug:
        changes["slug"] = [practice.slug, unique_slug(session, data.slug, exclude_id=practice.id)]
    if not changes:
        return {}
    for key, value in values.items():
        setattr(practice, key, value)
    if "slug" in changes:
        practice.slug = changes["slug"][1]
    _set_themes(session, practice, data.themes)
    _touch(practice)
    session.add(practice)
    session.flush()
    audit(session, practice, actor, "edit", _jsonable(changes))
    if practice.status == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    return changes


def _touch(practice: Practice) -> None:
    practice.updated_at = utcnow()
    practice.version += 1


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: [str(v) if hasattr(v, "value") else v for v in pair] for k, pair in changes.items()}


# Which status may follow which, and the action's name in the audit log.
TRANSITIONS: dict[tuple[Status, Status], str] = {
    (Status.pending, Status.published): "approve",
    (Status.pending, Status.rejected): "reject",
    (Status.rejected, Status.published): "approve",
    (Status.published, Status.archived): "archive",
    (Status.archived, Status.published): "restore",
    (Status.rejected, Status.pending): "reopen",
}


def change_status(
    session: Session, practice: Practice, new: Status, actor: str, note: str | None = None
) -> None:
    action = TRANSITIONS.get((practice.status, new))
    if action is None:
        raise CatalogueError(
            [{"field": "status", "message": f"нельзя перевести из «{practice.status.value}» в «{new.value}»"}]
        )
    if new == Status.rejected and not (note and note.strip()):
        raise CatalogueError([{"field": "moderation_note", "message": "укажите причину отклонения"}])
    old = practice.status
    practice.status = new
    if note is not None:
        practice.moderation_note = note.strip() or None
    if new == Status.published and practice.published_at is None:
        practice.published_at = utcnow()
    _touch(practice)
    session.add(practice)
    session.flush()
    audit(session, practice, actor, action, {"status": [old.value, new.value], "note": note})
    if new == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    elif old == Status.published:
        record_public_change(session, practice, OutboxOp.delete)


def practice_to_record(practice: Practice) -> dict[str, Any]:
    """The JSON Lines record (DESIGN.md import/export format); empty fields are left out."""
    contact = {
        "organisation": practice.contact_organisation,
        "person": practice.contact_person,
        "email": practice.contact_email,
        "phone": practice.contact_phone,
        "website": practice.contact_website,
    }
    record: dict[str, Any] = {
        "slug": practice.slug,
        "title": practice.title,
        "summary": practice.summary,
        "problem": practice.problem,
        "solution": practice.solution,
        "outcome": practice.outcome,
        "outcome_figures": practice.outcome_figures or None,
        "region": practice.region_code,
        "municipality": practice.municipality,
        "municipality_type": practice.municipality_type_slug,
        "themes": sorted(t.slug for t in practice.themes),
        "year_started": practice.year_started,
        "resources": practice.resources,
        "partners": practice.partners,
        "contact": {k: v for k, v in contact.items() if v} or None,
        "contact_public": practice.contact_public,
        "source_url": practice.source_url,
        "documents": practice.documents or None,
        "status": practice.status.value,
    }
    return {k: v for k, v in record.items() if v is not None}


def practice_to_in(practice: Practice) -> PracticeIn:
    return PracticeIn.model_validate(practice_to_record(practice))


def iter_practices(
    session: Session, statuses: Iterable[Status] = (Status.published,), batch: int = 1000
) -> Iterator[Practice]:
    """Practices of the given statuses in id order, read in batches (keyset paging), so a
    catalogue of any size streams in constant memory."""
    wanted, last = list(statuses), 0
    while True:
        chunk = list(
            session.exec(
                select(Practice)
                .where(col(Practice.status).in_(wanted), col(Practice.id) > last)
                .order_by(col(Practice.id))
                .limit(batch)
            ).unique()
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id or last
        session.expunge_all()  # the batch is consumed: don't let the identity map grow


def get_public(session: Session, key: str | int) -> Practice | None:
    """A published practice by id or slug."""
    stmt = select(Practice).where(Practice.status == Status.published)
    if isinstance(key, int) or (isinstance(key, str) and key.isascii() and key.isdigit()):
        stmt = stmt.where(Practice.id == int(key))
    else:
        stmt = stmt.where(Practice.slug == key)
    return session.exec(stmt).first()
