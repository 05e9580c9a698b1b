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
    REQUEST = "request"
    INCIDENT = "incident"
    MDF = "mdf"


class RequestKind(StrEnum):
    """What the requests register holds: the Art. 52(1) notification and requests received."""

    NOTIFICATION = "notification"  # Art. 52(1): to the Commission within 14 days
    AIO = "aio"  # AI Office request (Art. 91): the deadline it states
    DOWNSTREAM = "downstream"  # downstream provider (COP-T-1.2): 14 days
    COMPLAINT = "complaint"  # copyright complaint (COP-C-1.5): a reasonable time


class RequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class IncidentCategory(StrEnum):
    """COP-SS-9.3 tiers, most urgent first."""

    CRITICAL_INFRASTRUCTURE = "infrastructure"  # serious and irreversible disruption: 2 days
    CYBERSECURITY = "cybersecurity"  # serious cybersecurity breach, weight exfiltration: 5
    DEATH = "death"  # 10 days
    HARM = "harm"  # serious harm to health, fundamental rights, property, environment: 15


class ReportKind(StrEnum):
    INITIAL = "initial"
    INTERMEDIATE = "intermediate"
    FINAL = "final"
