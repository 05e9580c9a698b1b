"""The request and incident clocks, on hand-computed dates."""

import datetime as dt

from gpaitracker import deadlines
from gpaitracker.deadlines import NextReport, Sent
from gpaitracker.enums import IncidentCategory as C
from gpaitracker.enums import ReportKind as K
from gpaitracker.enums import RequestKind as R

D = dt.date


def test_request_deadlines():
    assert deadlines.request_deadline(R.NOTIFICATION, D(2025, 12, 20)) == D(2026, 1, 3)
    assert deadlines.request_deadline(R.DOWNSTREAM, D(2026, 2, 20)) == D(2026, 3, 6)
    assert deadlines.request_deadline(R.AIO, D(2026, 1, 5), D(2026, 1, 30)) == D(2026, 1, 30)
    assert deadlines.request_deadline(R.COMPLAINT, D(2026, 1, 5)) is None


def test_incident_schedule():
    aware = D(2026, 12, 30)
    # 30 Dec + 2 days crosses the year.
    assert deadlines.next_report(C.CRITICAL_INFRASTRUCTURE, aware, [], None) == NextReport(
        K.INITIAL, D(2027, 1, 1)
    )
    sent = [Sent(K.INITIAL, D(2026, 12, 31))]
    assert deadlines.next_report(C.HARM, aware, sent, None) == NextReport(
        K.INTERMEDIATE, D(2027, 1, 28)
    )
    # Resolved the day after awareness, nothing sent yet: the initial report is still owed
    # first (15 days), before the final one (60 days).
    assert deadlines.next_report(C.HARM, aware, [], D(2026, 12, 31)) == NextReport(
        K.INITIAL, D(2027, 1, 14)
    )
    assert deadlines.next_report(C.HARM, aware, sent, D(2027, 1, 10)) == NextReport(
        K.FINAL, D(2027, 3, 11)
    )
    done = [*sent, Sent(K.FINAL, D(2027, 2, 1))]
    assert deadlines.next_report(C.HARM, aware, done, D(2027, 1, 10)) is None


def test_records_are_kept_five_years_from_the_later_date():
    assert deadlines.keep_until(D(2026, 3, 2), [D(2026, 6, 1)]) == D(2031, 6, 1)
    assert deadlines.keep_until(D(2028, 2, 29), []) == D(2033, 2, 28)
