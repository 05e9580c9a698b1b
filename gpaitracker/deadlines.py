"""The clocks of the requests register and of serious incidents, on plain dates.

Requests: the Art. 52(1) notification 14 days after the threshold is met or foreseen; an AI
Office request by the deadline it states (Art. 91, COP-T-1.2); a downstream provider's within
14 days (COP-T-1.2); a copyright complaint within a reasonable time (COP-C-1.5), which has no
number, so only a target the officer sets. Serious incidents (COP-SS-9.3, 9.4): the initial
report 2, 5, 10 or 15 days after becoming aware, by category; then an intermediate report
every 4 weeks while unresolved; a final report within 60 days of resolution; records kept at
least 5 years from the later of the incident and the last document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from gpaitracker.enums import IncidentCategory, ReportKind, RequestKind

REQUEST_DAYS = {RequestKind.NOTIFICATION: 14, RequestKind.DOWNSTREAM: 14}
INITIAL_DAYS = {
    IncidentCategory.CRITICAL_INFRASTRUCTURE: 2,
    IncidentCategory.CYBERSECURITY: 5,
    IncidentCategory.DEATH: 10,
    IncidentCategory.HARM: 15,
}
CATEGORY_TEXT = {
    IncidentCategory.CRITICAL_INFRASTRUCTURE: "serious and irreversible disruption of "
    "critical infrastructure",
    IncidentCategory.CYBERSECURITY: "serious cybersecurity breach (incl. weight exfiltration)",
    IncidentCategory.DEATH: "death of a person",
    IncidentCategory.HARM: "serious harm to health, fundamental rights, property or the "
    "environment",
}
UPDATE_DAYS = 28  # intermediate reports every 4 weeks
FINAL_DAYS = 60  # final report after resolution
RETENTION_YEARS = 5


def request_deadline(
    kind: RequestKind, received: dt.date, stated: dt.date | None = None
) -> dt.date | None:
    """When a request must be answered (or the notification sent); None: no fixed number."""
    if kind in REQUEST_DAYS:
        return received + dt.timedelta(days=REQUEST_DAYS[kind])
    return stated  # AI Office: the request's own deadline; complaints: the officer's target


class Sent(NamedTuple):
    kind: ReportKind
    sent_on: dt.date


class NextReport(NamedTuple):
    kind: ReportKind
    due: dt.date


def next_report(
    category: IncidentCategory,
    aware_on: dt.date,
    reports: Sequence[Sent],
    resolved_on: dt.date | None,
) -> NextReport | None:
    """The report owed next, or None once the final report is sent."""
    if any(r.kind == ReportKind.FINAL for r in reports):
        return None
    sent = sorted(r.sent_on for r in reports)
    if not any(r.kind == ReportKind.INITIAL for r in reports):
        initial = NextReport(
            ReportKind.INITIAL, aware_on + dt.timedelta(days=INITIAL_DAYS[category])
        )
        if resolved_on is None:
            return initial
        final = resolved_on + dt.timedelta(days=FINAL_DAYS)
        return initial if initial.due <= final else NextReport(ReportKind.FINAL, final)
    if resolved_on is not None:
        return NextReport(ReportKind.FINAL, resolved_on + dt.timedelta(days=FINAL_DAYS))
    return NextReport(ReportKind.INTERMEDIATE, sent[-1] + dt.timedelta(days=UPDATE_DAYS))


def keep_until(aware_on: dt.date, documents: Sequence[dt.date]) -> dt.date:
    """COP-SS-9.4: at least 5 years from the incident or the document, whichever is later."""
    last = max([aware_on, *documents])
    try:
        return last.replace(year=last.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return last.replace(year=last.year + RETENTION_YEARS, day=28)
