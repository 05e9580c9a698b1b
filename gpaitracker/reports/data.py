"""What a board report shows, as plain values: the PDF layout reads these and nothing else.

The register side (services.report_export) fills them from the metrics and the register; the
layout (reports.pdf) never queries anything, so a report can be built from hand-made data.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

# Status values in the order tables and charts show them, with their captions.
STATUSES: tuple[tuple[str, str], ...] = (
    ("done", "Done"),
    ("in_review", "In review"),
    ("in_progress", "In progress"),
    ("not_started", "Not started"),
    ("blocked", "Blocked"),
    ("not_applicable", "Not applicable"),
)


class Headline(NamedTuple):
    total: int  # items that apply (not withdrawn, model not retired), any status
    done: int
    overdue: int
    due_30: int
    percent_done: float  # done / (total - not applicable), 0..100
    evidence_coverage: float  # percent of open-or-done items with at least one valid evidence
    rag: dict[str, int]  # red / amber / green -> count


class Breakdown(NamedTuple):
    """One bar of a chart and one row of a table: a chapter or a model."""

    name: str
    by_status: dict[str, int]  # status value -> count
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


class ItemLine(NamedTuple):
    key: str  # e.g. atlas-2/AIA-53-1-a
    title: str
    owner: str | None  # display name or email
    due: dt.date | None
    status: str  # status value
    days_late: int  # 0 when not overdue


class RecordLine(NamedTuple):
    """An incident report or a request answer owed (the requests register, COP-SS-9)."""

    label: str  # "incident #2", "request #3"
    title: str  # what is owed
    model: str | None
    owner: str | None
    due: dt.date
    days_late: int  # 0 when not late


class MovedDeadline(NamedTuple):
    item: ItemLine
    old_due: dt.date | None
    new_due: dt.date | None


class ChangesSince(NamedTuple):
    previous_number: int
    previous_as_of: dt.date
    newly_done: list[ItemLine]
    newly_overdue: list[ItemLine]
    new_obligations: list[ItemLine]
    deadlines_moved: list[MovedDeadline]


class ItemTable(NamedTuple):
    """The items of one model in one chapter."""

    model: str
    chapter: str
    items: list[ItemLine]


class EvidenceLine(NamedTuple):
    title: str
    revision: int
    sha256: str
    valid_until: dt.date | None
    items: int  # how many of the reported items it supports


class TrendPoint(NamedTuple):
    week_end: dt.date
    done: int
    overdue: int


class AuditAnchor(NamedTuple):
    event_id: int
    hash: str
    at: dt.datetime


class ReportData(NamedTuple):
    organisation: str
    number: int  # report number within this register, 1, 2, ...
    as_of: dt.date
    generated_at: dt.datetime  # UTC
    models: list[str]
    prepared_by: str  # "Name <email>"
    approved_by: str | None  # filled in by hand on paper when None
    headline: Headline
    key_messages: list[str]  # the three things the board must know
    by_chapter: list[Breakdown]
    by_model: list[Breakdown]
    trend: list[TrendPoint]  # oldest first
    changes: ChangesSince | None  # None for the register's first report
    overdue: list[ItemLine]  # most days late first
    next_90: list[ItemLine]  # due within 90 days of as_of, soonest first
    tables: list[ItemTable]
    evidence: list[EvidenceLine]
    audit_head: AuditAnchor | None  # None when the trail is empty
    # Incident reports and request answers owed within 90 days of as_of, late ones first.
    records: tuple[RecordLine, ...] = ()


class SignatureBox(NamedTuple):
    """Where the layout left room for the visible signature: a page and a rectangle in PDF
    points from the page's lower-left corner."""

    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float
