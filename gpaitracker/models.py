"""Register tables (SQLModel). Schema changes need an Alembic migration in migrations/versions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from gpaitracker.enums import (
    IncidentCategory,
    Priority,
    ReportKind,
    RequestKind,
    RequestStatus,
    Role,
    Status,
)

__all__ = ["Priority", "Role", "Status"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enum_column(enum: type[StrEnum]) -> SAEnum:
    """Stored as its value in a VARCHAR(16) (not a native enum), read back as the enum."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Versioned(SQLModel):
    """Editable rows: optimistic locking (a stale UPDATE matches no row) and a change time.

    `row_version` counts saved changes of the row; a write that read an older value is refused.
    """

    row_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]


class Meta(SQLModel, table=True):
    """Small key/value facts about the register (first admin, creation date)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


class Organisation(Versioned, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    non_eu: bool = False
    sme: bool = False
    signatory: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class Person(Versioned, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True, index=True)
    role: Role = Field(default=Role.OFFICER, sa_type=enum_column(Role))
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class AIModel(Versioned, table=True):
    __tablename__ = "ai_model"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=64, unique=True, index=True)
    version: str = Field(default="", max_length=64)
    placed_on_market: dt.date
    training_flop: float | None = None
    open_source: bool = False
    designated_systemic_risk: bool = False
    threshold_date: dt.date | None = None
    notes: str = ""
    retired: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Art. 53(2) conditions besides the licence (open_source), and monetisation (recital 103)
    weights_public: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    architecture_public: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    usage_public: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    monetised: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    designation_date: dt.date | None = None  # Art. 52(4)
    rebuttal_accepted: dt.date | None = None  # Art. 52(3)
    modality: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    not_gpai: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    base_model: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    base_flop: float | None = None
    most_capable: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    sr_since: dt.date | None = None  # the day a registered model became systemic-risk


class Catalogue(SQLModel, table=True):
    """One loaded version of a catalogue; rows are never edited, new versions add new rows."""

    __tablename__ = "catalogue"
    __table_args__ = (UniqueConstraint("catalogue_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    catalogue_id: str = Field(max_length=64, index=True)
    version: str = Field(max_length=64)
    title: str = Field(max_length=300)
    published: dt.date
    source_sha256: str = Field(max_length=64)
    active: bool = True
    loaded_at: dt.datetime = Field(default_factory=utcnow)


class CatalogueEntry(SQLModel, table=True):
    __tablename__ = "catalogue_entry"
    __table_args__ = (UniqueConstraint("catalogue_pk", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    catalogue_pk: int = Field(foreign_key="catalogue.id", index=True)
    code: str = Field(max_length=64, index=True)
    parent_code: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=300)
    reference: str = Field(default="", max_length=300)
    summary: str = ""
    applies: list[str] = Field(default_factory=lambda: ["all"], sa_type=JSON)
    due_rule: str = Field(default="none", max_length=64)
    recurrence_months: int | None = None
    evidence: list[str] = Field(default_factory=list, sa_type=JSON)
    kpis: list[str] = Field(default_factory=list, sa_type=JSON)
    position: int = 0
    level: str = Field(default="model", max_length=16, sa_column_kwargs={"server_default": "model"})


class Requirement(Versioned, table=True):
    """A register item: one catalogue entry applied to one model."""

    __tablename__ = "requirement"
    __table_args__ = (UniqueConstraint("model_id", "code", "occurrence"),)
    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="ai_model.id", index=True)
    entry_id: int = Field(foreign_key="catalogue_entry.id", index=True)
    code: str = Field(max_length=64, index=True)
    occurrence: int = 1
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="person.id")
    due_date: dt.date | None = Field(default=None, index=True)
    priority: Priority = Field(default=Priority.MEDIUM, sa_type=enum_column(Priority))
    status: Status = Field(default=Status.NOT_STARTED, sa_type=enum_column(Status), index=True)
    result: str = ""
    na_justification: str = ""
    applicable: bool = True
    withdrawn: bool = False
    # Review: what approval leads to, who submitted, who approved (four-eyes), and everyone
    # who owned the item since it was last reopened (none of them may approve it).
    review_outcome: Status | None = Field(default=None, sa_type=enum_column(Status))
    submitted_by: int | None = Field(default=None, foreign_key="person.id")
    submitted_at: dt.datetime | None = None
    approved_by: int | None = Field(default=None, foreign_key="person.id")
    approved_at: dt.datetime | None = None
    approval_override: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    cycle_owner_ids: list[int] = Field(
        default_factory=list, sa_type=JSON, sa_column_kwargs={"server_default": "[]"}
    )
    created_at: dt.datetime = Field(default_factory=utcnow)
    completed_at: dt.datetime | None = None
    # A provider-level item held by another model's item: this one is kept, not applicable.
    covered_by_id: int | None = Field(default=None, foreign_key="requirement.id")


class Comment(SQLModel, table=True):
    """One entry of an item's append-only comment thread."""

    __tablename__ = "comment"
    id: int | None = Field(default=None, primary_key=True)
    requirement_id: int = Field(foreign_key="requirement.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id")
    at: dt.datetime = Field(default_factory=utcnow)
    kind: str = Field(default="comment", max_length=16)  # comment, status, reopen, migrated
    text: str


class Evidence(Versioned, table=True):
    __tablename__ = "evidence"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    description: str = ""
    kind: str = Field(default="file", max_length=8)
    url: str | None = Field(default=None, max_length=2000)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = Field(default=None, index=True)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class EvidenceRevision(SQLModel, table=True):
    __tablename__ = "evidence_revision"
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    number: int = 1
    sha256: str = Field(max_length=64, index=True)
    size: int = 0
    media_type: str = Field(default="application/octet-stream", max_length=200)
    original_name: str = Field(default="", max_length=1000)
    note: str = ""
    added_by: int | None = Field(default=None, foreign_key="person.id")
    added_at: dt.datetime = Field(default_factory=utcnow)


class EvidenceLink(SQLModel, table=True):
    __tablename__ = "evidence_link"
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    requirement_id: int = Field(foreign_key="requirement.id", primary_key=True, index=True)


class AuditEvent(SQLModel, table=True):
    """One change, hash-chained to the previous event so later edits of the log show.

    The entity is named by its row id (stable) and by a label (key, email, slug) as it was
    when the event was recorded. `format` says which fields the hash covers (see audit.py).
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity_row", "entity", "row_id"),)
    id: int | None = Field(default=None, primary_key=True)
    format: int = Field(default=2, sa_column_kwargs={"server_default": "1"})
    at: dt.datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    row_id: int | None = Field(default=None)
    label: str = Field(max_length=128, index=True)
    field: str = Field(default="", max_length=64)
    old_value: str | None = None
    new_value: str | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ReportRecord(SQLModel, table=True):
    """A board report as it was issued: what it covered, its file's hash and the audit head.

    `metrics` holds the figures (Figures.as_dict()) and, under "items", each reported item's
    [status, due ISO date or None] by key, so that the next report can say what changed.
    """

    __tablename__ = "report_record"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    author_id: int | None = Field(default=None, foreign_key="person.id")
    as_of: dt.date
    model_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    signer: str = Field(default="", max_length=300)
    pdf_sha256: str = Field(max_length=64, index=True)
    audit_head_id: int | None = Field(default=None)
    audit_head_hash: str | None = Field(default=None, max_length=64)
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class RegisterRequest(Versioned, table=True):
    """The Art. 52(1) notification, or a request received: its deadline and its answer."""

    __tablename__ = "request"
    id: int | None = Field(default=None, primary_key=True)
    kind: RequestKind = Field(sa_type=enum_column(RequestKind), index=True)
    model_id: int | None = Field(default=None, foreign_key="ai_model.id", index=True)
    subject: str = Field(max_length=300)
    requester: str = Field(default="", max_length=200)
    received: dt.date
    stated_deadline: dt.date | None = None
    deadline: dt.date | None = Field(default=None, index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    status: RequestStatus = Field(
        default=RequestStatus.OPEN, sa_type=enum_column(RequestStatus), index=True
    )
    answered_on: dt.date | None = None
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")
    notes: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow)


class Incident(Versioned, table=True):
    """A serious incident of a model with systemic risk (COP-SS-9)."""

    __tablename__ = "incident"
    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="ai_model.id", index=True)
    title: str = Field(max_length=300)
    category: IncidentCategory = Field(sa_type=enum_column(IncidentCategory))
    aware_on: dt.date
    occurred_on: dt.date | None = None
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    resolved_on: dt.date | None = None
    notes: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow)


class IncidentReport(SQLModel, table=True):
    """A report sent on an incident (never edited): its kind, day and the file sent."""

    __tablename__ = "incident_report"
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: ReportKind = Field(sa_type=enum_column(ReportKind))
    sent_on: dt.date
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")
    note: str = ""
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class MdfVersion(Versioned, table=True):
    """One version of a model's Model Documentation Form; a frozen one's values never change.

    `exports` holds, per audience, the SHA-256 of the JSON and PDF exported and the evidence
    they were filed as.
    """

    __tablename__ = "mdf_version"
    __table_args__ = (UniqueConstraint("model_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="ai_model.id", index=True)
    number: int = 1
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    frozen: bool = False
    frozen_at: dt.datetime | None = None
    frozen_by: int | None = Field(default=None, foreign_key="person.id")
    exports: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class EvidenceObject(SQLModel, table=True):
    """An evidence file stored in the database (team mode), named by its SHA-256."""

    __tablename__ = "evidence_object"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_type=BigInteger)
    chunks: int
    created_at: dt.datetime = Field(default_factory=utcnow)


class EvidenceChunk(SQLModel, table=True):
    """One piece of an evidence object, in order of seq (0, 1, ...)."""

    __tablename__ = "evidence_chunk"
    sha256: str = Field(foreign_key="evidence_object.sha256", primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)


class TeamLogin(SQLModel, table=True):
    """A database server login and the person it acts as."""

    __tablename__ = "team_login"
    login: str = Field(primary_key=True, max_length=63)
    person_id: int = Field(foreign_key="person.id")
