"""`gpaitracker check`: is the register intact? Database, audit chain (and evidence, later)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from gpaitracker import audit
from gpaitracker.db import Register

Progress = Callable[[str, int, int], None]


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(register: Register, report: CheckReport) -> None:
    with register.engine.connect() as conn:
        if register.is_sqlite:
            results = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
            if results != ["ok"]:
                report.problems.extend(f"database integrity: {r}" for r in results[:20])
            for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all()[:20]:
                report.problems.append(
                    f"database: row {row[1]} in table {row[0]} points to a missing {row[2]} row"
                )
        count = conn.execute(text("SELECT count(*) FROM requirement")).scalar_one()
        report.notes.append(f"database: {count} register items")


def check_audit(register: Register, report: CheckReport, progress: Progress | None = None) -> None:
    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("audit", done, total)

    with register.engine.connect() as conn:
        problem = audit.verify_chain(conn, step)
        total = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    if problem is not None:
        report.problems.append(str(problem))
    else:
        report.notes.append(f"audit trail: {total} events, chain intact")


def run_checks(register: Register, progress: Progress | None = None) -> CheckReport:
    report = CheckReport()
    check_database(register, report)
    check_audit(register, report, progress)
    return report
