"""Database tables. The database is the source of truth; the search index derives from it."""

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every database (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Status(str, enum.Enum):
    pending = "pending"
    # Returned to the submitter for revision («на доработке»); back to pending when resubmitted.
    revision = "revision"
    published = "published"
    rejected = "rejected"
    archived = "archived"


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=200)
    federal_district: str = Field(max_length=100, index=True)
    iso_3166_2: str | None = Field(default=None, max_length=16)


class Theme(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class MunicipalityType(SQLModel, table=True):
    __tablename__ = "municipality_type"

    slug: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    law_note: str | None = Field(default=None, max_length=1000)


class PracticeTheme(SQLModel, table=True):
    __tablename__ = "practice_theme"

    practice_id: int = Field(foreign_key="practice.id", primary_key=True, ondelete="CASCADE")
    theme_slug: str = Field(foreign_key="theme.slug", primary_key=True, index=True)


class Practice(SQLModel, table=True):
    __table_args__ = (Index("ix_practice_status_published_at", "status", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    tracking_code: str = Field(max_length=32, unique=True, index=True)

    title: str = Field(max_length=300)
    summary: str | None = Field(default=None, sa_type=Text)
    problem: str | None = Field(default=None, sa_type=Text)
    solution: str | None = Field(default=None, sa_type=Text)
    outcome: str | None = Field(default=None, sa_type=Text)
    # [{"indicator", "value_before", "value_after", "unit", "period"}]; read with the card, never queried.
    outcome_figures: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    region_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    municipality: str | None = Field(default=None, max_length=300)
    municipality_type_slug: str = Field(foreign_key="municipality_type.slug", index=True, max_length=64)

    year_started: int | None = Field(default=None)
    resources: str | None = Field(default=None, sa_type=Text)
    partners: str | None = Field(default=None, sa_type=Text)

    contact_organisation: str | None = Field(default=None, max_length=300)
    contact_person: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_website: str | None = Field(default=None, max_length=500)
    contact_public: bool = Field(default=False)

    source_url: str | None = Field(default=None, max_length=1000)
    # Further pages the card's facts come from (URLs), besides source_url.
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    # [{"title", "url"}]
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # When the card's facts were last checked against their sources.
    verified_at: date | None = Field(default=None)

    status: Status = Field(default=Status.pending, max_length=16, index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)
    published_at: datetime | None = _ts(default=None)
    # Bumped on every change; the search sync never applies an older version over a newer one.
    version: int = Field(default=1)

    submitter_name: str | None = Field(default=None, max_length=200)
    submitter_organisation: str | None = Field(default=None, max_length=300)
    submitter_email: str | None = Field(default=None, max_length=254)
    moderation_note: str | None = Field(default=None, sa_type=Text)
    # Generated load-test data; never part of seed_data/.
    synthetic: bool = Field(default=False, index=True)

    region: Region = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    municipality_type: MunicipalityType = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    themes: list[Theme] = Relationship(
        link_model=PracticeTheme, sa_relationship_kwargs={"lazy": "selectin", "order_by": "Theme.slug"}
    )
    awards: list["Award"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin", "order_by": "(Award.year, Award.id)", "cascade": "all, delete-orphan",
        }
    )

    # Approved adoption reports: part of the public card (loaded with it, oldest first).
    adoptions: list["Adoption"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "viewonly": True,
            "primaryjoin": "and_(Practice.id == Adoption.practice_id, Adoption.status == 'approved')",
            "order_by": "(Adoption.moderated_at, Adoption.id)",
        }
    )

    @property
    def is_public(self) -> bool:
        return self.status == Status.published


class Competition(SQLModel, table=True):
    """A competition whose awards practices carry (reference data: seed_data/competitions.csv)."""

    slug: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    short_name: str | None = Field(default=None, max_length=100)
    level: str | None = Field(default=None, max_length=20)  # federal, regional, corporate
    organiser: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=1000)


class Nomination(SQLModel, table=True):
    """A nomination of a competition, with the years its name was used (seed_data/nominations.csv)."""

    slug: str = Field(primary_key=True, max_length=64)
    competition_slug: str = Field(foreign_key="competition.slug", index=True, max_length=64)
    name: str = Field(max_length=500)
    year_from: int | None = Field(default=None)
    year_to: int | None = Field(default=None)


class Award(SQLModel, table=True):
    """A practice's award in a competition, with the page that says so."""

    id: int | None = Field(default=None, primary_key=True)
    # Set through Practice.awards; never null in the table.
    practice_id: int | None = Field(default=None, foreign_key="practice.id", index=True, ondelete="CASCADE", nullable=False)
    competition_slug: str = Field(foreign_key="competition.slug", index=True, max_length=64)
    year: int
    nomination_slug: str | None = Field(default=None, foreign_key="nomination.slug", max_length=64)
    category: str | None = Field(default=None, max_length=4)  # "I" (urban) or "II" (rural)
    place: str | None = Field(default=None, max_length=16)  # "1".."10", "winner" or "laureate"
    prize: str | None = Field(default=None, max_length=200)
    source_url: str | None = Field(default=None, max_length=1000)

    def to_record(self) -> dict[str, Any]:
        record = {
            "competition": self.competition_slug,
            "year": self.year,
            "nomination": self.nomination_slug,
            "category": self.category,
            "place": self.place,
            "prize": self.prize,
            "source_url": self.source_url,
        }
        return {k: v for k, v in record.items() if v is not None}


class OutboxOp(str, enum.Enum):
    upsert = "upsert"
    delete = "delete"


class Outbox(SQLModel, table=True):
    """A change to what is public, waiting to reach the search index."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(index=True)
    op: OutboxOp = Field(max_length=8)
    version: int = Field(default=1)
    created_at: datetime = _ts(default_factory=utcnow)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _ts(default_factory=utcnow)
    last_error: str | None = Field(default=None, sa_type=Text)
    done_at: datetime | None = _ts(default=None, index=True)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    # Rate limits count recent rows of one client and action (app/security.py).
    __table_args__ = (Index("ix_audit_log_actor_action_at", "actor", "action", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=50)
    # {"field": [old, new]} for edits; free details otherwise.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = _ts(default_factory=utcnow)


class AdminUser(SQLModel, table=True):
    __tablename__ = "admin_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    password_hash: str = Field(max_length=300)
    created_at: datetime = _ts(default_factory=utcnow)
    active: bool = Field(default=True)


class AdminSession(SQLModel, table=True):
    """A moderator's signed-in browser. The cookie carries a random token; only its SHA-256 is
    stored, so a copy of the database opens no session. Deleting the row ends the session."""

    __tablename__ = "admin_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="admin_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = _ts(default_factory=utcnow)
    last_seen_at: datetime = _ts(default_factory=utcnow)


class ChangeLog(SQLModel, table=True):
    """Monotonic feed of public changes for mirrors (`/api/v1/changes`)."""

    __tablename__ = "change_log"

    seq: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(index=True)
    slug: str = Field(max_length=120)
    kind: str = Field(max_length=16)  # "upsert" or "delete" (tombstone)
    at: datetime = _ts(default_factory=utcnow)


class EditToken(SQLModel, table=True):
    """A private edit link sent to a submitter whose practice is «на доработке».

    Only an HMAC of the token is stored (the token itself travels once, by mail); it expires
    and is spent by the first resubmission (`used_at` set by one conditional UPDATE).
    """

    __tablename__ = "edit_token"

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


class MailState(str, enum.Enum):
    pending = "pending"
    sending = "sending"  # claimed by a sender (SQLite: committed claim with a lease)
    sent = "sent"
    failed = "failed"  # refused for good (a bad address): never retried


class MailMessage(SQLModel, table=True):
    """A mail waiting to be sent: written in the transaction of the change it tells about.

    `uid` makes the Message-ID, the same on every attempt, so a message sent twice after a
    crash is recognisably one message. The body is rendered when sent, from `context`.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=32)
    recipient: str = Field(max_length=254)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    practice_id: int | None = Field(default=None, index=True)
    state: MailState = Field(default=MailState.pending, max_length=8)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _ts(default_factory=utcnow)
    claim_token: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = _ts(default=None)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _ts(default_factory=utcnow)
    sent_at: datetime | None = _ts(default=None)


class AdoptionStatus(str, enum.Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Adoption(SQLModel, table=True):
    """«Мы внедрили эту практику»: another municipality reports that it adopted a practice.
    Public (on the card, in the API) once a moderator approved it; the contact never is."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    municipality: str = Field(max_length=300)
    region_code: str = Field(foreign_key="region.code", max_length=16)
    municipality_type_slug: str = Field(foreign_key="municipality_type.slug", max_length=64)
    year: int | None = Field(default=None)
    what_changed: str = Field(sa_type=Text)
    # [{"indicator", "value_before", "value_after", "unit", "period"}], as on the card.
    outcome_figures: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contact_name: str = Field(max_length=200)
    contact_organisation: str | None = Field(default=None, max_length=300)
    contact_email: str = Field(max_length=254)
    contact_phone: str | None = Field(default=None, max_length=50)
    status: AdoptionStatus = Field(default=AdoptionStatus.pending, max_length=16, index=True)
    moderation_note: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _ts(default_factory=utcnow)
    moderated_at: datetime | None = _ts(default=None)

    region: Region = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    municipality_type: MunicipalityType = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class ImportStatus(str, enum.Enum):
    checked = "checked"  # read and checked; nothing written yet
    imported = "imported"


class ImportBatch(SQLModel, table=True):
    """A spreadsheet a moderator uploaded: its rows as read and checked, waiting for the
    moderator's word. It is imported at most once: the status changes by one conditional update
    in the same transaction as the practices it writes."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=255)
    created_by: str = Field(max_length=100)
    created_at: datetime = _ts(default_factory=utcnow, index=True)
    # [{"line", "title", "slug", "raw" (the record, when it could be read), "errors": [{"where", "message"}]}]
    rows: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    good: int = Field(default=0)
    bad: int = Field(default=0)
    status: ImportStatus = Field(default=ImportStatus.checked, max_length=16)
    imported_at: datetime | None = _ts(default=None)
    imported_by: str | None = Field(default=None, max_length=100)
    # {"created", "updated", "unchanged", "skipped", "published"}
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
