"""The register's closed vocabularies. Plain enums, so the doors can use them without the ORM."""

from __future__ import annotations

from enum import StrEnum


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


class Entity(StrEnum):
    """What an audit event is about; events name the row by id within its kind."""

    REQUIREMENT = "requirement"
    PERSON = "person"
    MODEL = "model"
    EVIDENCE = "evidence"
    ORGANISATION = "organisation"
    CATALOGUE = "catalogue"
    SETTING = "setting"
    REPORT = "report"
