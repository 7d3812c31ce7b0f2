"""What may happen to an adoption report: it is made (pending), approved or rejected.

Approval changes the practice's public card: the practice's version is bumped in the database
(`version = version + 1`, never read-modify-write) and, when it is published, an outbox row
(search index) and a change-log row (mirrors) follow in the same transaction; the practice's
contact, if it has an e-mail address, is told by mail. A decision is taken once: the status
moves from pending with one conditional UPDATE, so two moderators cannot both decide.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from app.catalogue.adoptions.schemas import AdoptionIn
from app.catalogue.practices.service import CatalogueError, audit, record_public_change
from app.catalogue.reference import Reference
from app.mail import outbox
from app.models import Adoption, AdoptionStatus, OutboxOp, Practice, Status, utcnow

DECIDED = "это сообщение о внедрении уже рассмотрено"


def report(session: Session, ref: Reference, practice: Practice, data: AdoptionIn) -> Adoption:
    """A report from the public; waits for a moderator."""
    errors = ref.errors(data.model_dump(include={"region", "municipality_type"}))
    if errors:
        raise CatalogueError(errors)
    assert practice.id is not None
    adoption = Adoption(
        practice_id=practice.id,
        municipality=data.municipality,
        region_code=data.region,
        municipality_type_slug=data.municipality_type,
        year=data.year,
        what_changed=data.what_changed,
        outcome_figures=[f.model_dump(exclude_none=True) for f in data.outcome_figures],
        contact_name=data.contact.name,
        contact_organisation=data.contact.organisation,
        contact_email=str(data.contact.email),
        contact_phone=data.contact.phone,
    )
    session.add(adoption)
    session.flush()
    audit(session, practice, f"adopter:{adoption.contact_email}", "adoption_report",
          {"adoption": adoption.id, "municipality": adoption.municipality})
    return adoption


def _decide(session: Session, adoption: Adoption, status: AdoptionStatus, note: str | None) -> None:
    now = utcnow()
    result = session.exec(
        update(Adoption)
        .where(col(Adoption.id) == adoption.id, col(Adoption.status) == AdoptionStatus.pending)
        .values(status=status, moderated_at=now, moderation_note=note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise CatalogueError([{"field": "status", "message": DECIDED}])
    for key, value in (("status", status), ("moderated_at", now), ("moderation_note", note)):
        set_committed_value(adoption, key, value)


def approve(session: Session, adoption: Adoption, actor: str) -> None:
    _decide(session, adoption, AdoptionStatus.approved, None)
    practice = session.get(Practice, adoption.practice_id)
    assert practice is not None
    now = utcnow()
    version = session.exec(
        update(Practice)
        .where(col(Practice.id) == practice.id)
        .values(version=col(Practice.version) + 1, updated_at=now)
        .returning(col(Practice.version))
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(practice, "version", version)
    set_committed_value(practice, "updated_at", now)
    session.expire(practice, ["adoptions"])
    audit(session, practice, actor, "adoption_approve", {"adoption": adoption.id, "municipality": adoption.municipality})
    if practice.status == Status.published:
        record_public_change(session, practice, OutboxOp.upsert)
    if practice.contact_email:
        outbox.queue(session, "adopted", practice.contact_email, {
            "title": practice.title, "slug": practice.slug, "municipality": adoption.municipality,
            "region": adoption.region.name if adoption.region else adoption.region_code,
            "year": adoption.year, "what_changed": adoption.what_changed,
        }, practice_id=practice.id)


def reject(session: Session, adoption: Adoption, actor: str, note: str | None) -> None:
    if not (note and note.strip()):
        raise CatalogueError([{"field": "note", "message": "укажите причину отклонения"}])
    _decide(session, adoption, AdoptionStatus.rejected, note.strip())
    practice = session.get(Practice, adoption.practice_id)
    audit(session, practice, actor, "adoption_reject",
          {"adoption": adoption.id, "municipality": adoption.municipality, "note": note.strip()})
