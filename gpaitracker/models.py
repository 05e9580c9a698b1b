"""Register tables (SQLModel). Schema changes need an Alembic migration in migrations/versions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    REVIEWER = "reviewer"
    EXECUTIVE = "executive"
    AUDITOR = "auditor"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    DONE = "done"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Meta(SQLModel, table=True):
    """Small key/value facts about the register (first admin, creation date)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    non_eu: bool = False
    sme: bool = False
    signatory: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class Person(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True, index=True)
    role: str = Field(default=Role.OFFICER, max_length=16)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class AIModel(SQLModel, table=True):
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
    applies: str = Field(default="all", max_length=300)
    due_rule: str = Field(default="none", max_length=64)
    recurrence_months: int | None = None
    evidence: str = Field(default="[]")
    kpis: str = Field(default="[]")
    position: int = 0


class Requirement(SQLModel, table=True):
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
    priority: str = Field(default=Priority.MEDIUM, max_length=16)
    status: str = Field(default=Status.NOT_STARTED, max_length=16, index=True)
    result: str = ""
    notes: str = ""
    na_justification: str = ""
    applicable: bool = True
    withdrawn: bool = False
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    completed_at: dt.datetime | None = None


class Evidence(SQLModel, table=True):
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
    """One change, hash-chained to the previous event so later edits of the log show."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=128, index=True)
    field: str = Field(default="", max_length=64)
    old_value: str | None = None
    new_value: str | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ReportRecord(SQLModel, table=True):
    __tablename__ = "report_record"
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    sha256: str = Field(max_length=64)
    path: str = Field(default="", max_length=2000)
    metrics: str = Field(default="{}")
    signer: str = Field(default="", max_length=300)
