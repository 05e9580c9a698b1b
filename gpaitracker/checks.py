"""`gpaitracker check`: is the register intact? Database, audit chain and evidence objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from sqlalchemy import text

from gpaitracker import audit
from gpaitracker.db import Register
from gpaitracker.evidence_store import EvidenceStore

GC_MIN_AGE_S = 15 * 60  # younger leftovers may belong to an import still running elsewhere

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
        count: int = conn.execute(text("SELECT count(*) FROM requirement")).scalar_one()
        report.notes.append(f"database: {count} register items")


def check_audit(register: Register, report: CheckReport, progress: Progress | None = None) -> None:
    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("audit", done, total)

    with register.engine.connect() as conn:
        problem = audit.verify_chain(conn, step)
        total: int = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    if problem is not None:
        report.problems.append(str(problem))
    else:
        report.notes.append(f"audit trail: {total} events, chain intact")


@dataclass
class StoreReport:
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    unreferenced: list[Path] = field(default_factory=list)
    temp_files: list[Path] = field(default_factory=list)


def _referenced(register: Register) -> dict[str, list[tuple[int, str, int]]]:
    """sha256 -> [(evidence id, title, revision number)] of every revision row."""
    sql = (
        "SELECT r.sha256, e.id, e.title, r.number FROM evidence_revision r "
        "JOIN evidence e ON e.id = r.evidence_id ORDER BY e.id, r.number"
    )
    refs: dict[str, list[tuple[int, str, int]]] = {}
    with register.engine.connect() as conn:
        for row in conn.execute(text(sql)):
            digest, eid, title, number = cast("tuple[str, int, str, int]", row)
            refs.setdefault(digest, []).append((eid, title, number))
    return refs


def verify_store(
    register: Register, progress: Callable[[int, int], None] | None = None
) -> StoreReport:
    """Re-hash every referenced object; list missing or changed ones and leftovers."""
    store = EvidenceStore.of_home(register.home)
    refs = _referenced(register)
    report = StoreReport()
    total = 0
    for digest in refs:
        path = store.path_of(digest)
        total += path.stat().st_size if path.is_file() else 0
    done = 0

    def step(n: int, _total: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    for digest, uses in refs.items():
        actual = store.rehash(digest, step)
        report.checked += 1
        if actual == digest:
            continue
        what = "is missing" if actual is None else "was changed (its SHA-256 no longer matches)"
        for eid, title, number in uses:
            report.problems.append(
                f"evidence {eid} ({title!r}) revision {number}: file {store.path_of(digest)} {what}"
            )
    report.unreferenced = [p for d, p in store.objects() if d not in refs]
    report.temp_files = store.temp_files()
    return report


def check_evidence(
    register: Register, report: CheckReport, progress: Progress | None = None
) -> None:
    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("evidence", done, total)

    result = verify_store(register, step)
    report.problems.extend(result.problems)
    report.notes.append(f"evidence: {result.checked} stored files re-hashed")
    leftovers = len(result.unreferenced) + len(result.temp_files)
    if leftovers:
        report.notes.append(
            f"evidence: {len(result.unreferenced)} unreferenced file(s) and "
            f"{len(result.temp_files)} unfinished import(s) left over; "
            "'gpaitracker check --gc' removes them"
        )


def collect_garbage(register: Register, min_age_s: float = GC_MIN_AGE_S) -> list[Path]:
    """Remove unreferenced objects and temp files older than min_age_s."""
    store = EvidenceStore.of_home(register.home)
    return store.collect(set(_referenced(register)), min_age_s)


def run_checks(register: Register, progress: Progress | None = None) -> CheckReport:
    report = CheckReport()
    check_database(register, report)
    check_audit(register, report, progress)
    check_evidence(register, report, progress)
    return report
