"""`gpaitracker check`: is the register intact? Database, audit chain and evidence objects."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from gpaitracker import audit, replay
from gpaitracker.db import Register
from gpaitracker.evidence_db import store_for

GC_MIN_AGE_S = 15 * 60  # younger leftovers may belong to an import still running elsewhere
SHOWN_PER_KIND = 20  # problems of one kind listed before the rest are only counted
VERIFIED_HEAD_KEY = "audit.verified_head"

Progress = Callable[[str, int, int], None]


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, kind: str, message: str) -> None:
        """Record a problem; only the first SHOWN_PER_KIND of a kind are kept as text."""
        seen = self.kinds.get(kind, 0)
        self.kinds[kind] = seen + 1
        if seen < SHOWN_PER_KIND:
            self.problems.append(message)

    def summary(self) -> list[str]:
        """'... and N more' lines for kinds with more problems than were listed."""
        return [
            f"... and {n - SHOWN_PER_KIND} more {kind} problem(s)"
            for kind, n in self.kinds.items()
            if n > SHOWN_PER_KIND
        ]

    @property
    def count(self) -> int:
        return sum(self.kinds.values()) or len(self.problems)


def check_database(register: Register, report: CheckReport, *, full: bool = False) -> None:
    """SQLite's own check of the file: quick_check daily (pages, records, NOT NULL, CHECK),
    integrity_check with full=True (also that every index matches its table)."""
    with register.engine.connect() as conn:
        if register.is_sqlite:
            pragma = "integrity_check" if full else "quick_check"
            results = [r[0] for r in conn.exec_driver_sql(f"PRAGMA {pragma}").all()]
            if results != ["ok"]:
                for result in results:
                    for line in str(result).splitlines():
                        report.problem("database integrity", f"database integrity: {line}")
            for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
                report.problem(
                    "database",
                    f"database: row {row[1]} in table {row[0]} points to a missing {row[2]} row",
                )
        count: int = conn.execute(text("SELECT count(*) FROM requirement")).scalar_one()
        report.notes.append(f"database: {count} register items")


def stored_head(conn: Connection) -> audit.Head | None:
    """The newest event the last successful check verified (kept in the register)."""
    row = conn.execute(
        text("SELECT value FROM meta WHERE key = :k"), {"k": VERIFIED_HEAD_KEY}
    ).first()
    if row is None:
        return None
    try:
        data = json.loads(row[0])
        return audit.Head(int(data["id"]), str(data["hash"]), int(data["count"]))
    except (ValueError, KeyError, TypeError):
        return None


def _store_head(register: Register, head: audit.Head) -> None:
    value = json.dumps({"id": head.id, "hash": head.hash, "count": head.count})
    try:
        with register.engine.connect().execution_options(gpai_write=True) as conn, conn.begin():
            conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": VERIFIED_HEAD_KEY})
            conn.execute(
                text("INSERT INTO meta (key, value) VALUES (:k, :v)"),
                {"k": VERIFIED_HEAD_KEY, "v": value},
            )
    except DBAPIError as exc:
        # On a server only admins keep settings; anyone else's check just verifies.
        if getattr(exc.orig, "sqlstate", None) != "42501":
            raise


def _anchor_problem(conn: Connection, start: audit.Head | None) -> audit.ChainProblem | None:
    if start is None:
        return None
    found = audit.event_hash_at(conn, start.id)
    if found is None:
        return audit.ChainProblem(
            start.id, "was verified by an earlier check and is now missing (events were deleted)"
        )
    if found != start.hash:
        return audit.ChainProblem(start.id, "changed since an earlier check verified it")
    return None


def report_anchors(register: Register) -> list[str]:
    """report_anchor_problems on a connection of its own."""
    with register.engine.connect() as conn:
        return report_anchor_problems(conn)


def report_anchor_problems(conn: Connection) -> list[str]:
    """Each issued report names the newest event it stood on; the trail must still hold it."""
    problems = []
    rows = conn.execute(
        text(
            "SELECT number, audit_head_id, audit_head_hash FROM report_record "
            "WHERE audit_head_id IS NOT NULL ORDER BY number"
        )
    )
    for row in rows:
        number, event_id, expected = cast("tuple[int, int, str]", tuple(row))
        found = audit.event_hash_at(conn, event_id)
        if found is None:
            problems.append(
                f"report {number}: audit event {event_id} it was issued on is missing "
                "(events were deleted)"
            )
        elif found != expected:
            problems.append(
                f"report {number}: audit event {event_id} it was issued on has changed "
                "(the trail was rewritten)"
            )
    return problems


def check_audit(
    register: Register,
    report: CheckReport,
    progress: Progress | None = None,
    *,
    full: bool = False,
) -> None:
    """Verify the chain from the last verified head (or from the start with full=True).

    The stored head is also an anchor: if it is gone or changed, events were deleted or
    edited since the last check, which the chain alone could not show for its newest part.
    """

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("audit", done, total)

    with register.engine.connect() as conn:
        for message in report_anchor_problems(conn):
            report.problem("report anchor", message)
        start = stored_head(conn)
        problem = _anchor_problem(conn, start)
        result = None
        if problem is None:
            result = audit.verify_chain(conn, step, start=None if full else start)
            problem = result.problem
        count: int = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    if problem is not None or result is None:
        report.problem("audit", str(problem))
        return
    if result.head is not None:
        _store_head(register, result.head)
    how = "all" if full or start is None else f"{result.checked} new"
    report.notes.append(f"audit trail: {count} events ({how} verified), chain intact")


@dataclass
class StoreReport:
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    unreferenced: list[Path | str] = field(default_factory=list)
    temp_files: list[Path | str] = field(default_factory=list)


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
    store = store_for(register.engine, register.home, register.url)
    refs = _referenced(register)
    report = StoreReport()
    total = sum(store.size_of(digest) or 0 for digest in refs)
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
                f"evidence {eid} ({title!r}) revision {number}: {store.where(digest)} {what}"
            )
    report.unreferenced = [p for d, p in store.objects() if d not in refs]
    report.temp_files = list(store.temp_files())
    return report


def check_evidence(
    register: Register, report: CheckReport, progress: Progress | None = None
) -> None:
    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("evidence", done, total)

    result = verify_store(register, step)
    for problem in result.problems:
        report.problem("evidence", problem)
    report.notes.append(f"evidence: {result.checked} stored files re-hashed")
    leftovers = len(result.unreferenced) + len(result.temp_files)
    if leftovers:
        report.notes.append(
            f"evidence: {len(result.unreferenced)} unreferenced file(s) and "
            f"{len(result.temp_files)} unfinished import(s) left over; "
            "'gpaitracker check --gc' removes them"
        )


def collect_garbage(register: Register, min_age_s: float = GC_MIN_AGE_S) -> list[Path] | list[str]:
    """Remove unreferenced objects and temp files older than min_age_s."""
    store = store_for(register.engine, register.home, register.url)
    return store.collect(set(_referenced(register)), min_age_s)


def check_replay(register: Register, report: CheckReport) -> None:
    """The tables against what the audit trail says they hold."""
    with register.engine.connect() as conn:
        findings = replay.replay(conn)
    for finding in findings:
        report.problem(f"register ({finding.kind})", f"register: {finding.message}")
    if not findings:
        report.notes.append("register: every row matches its audit trail")


def run_checks(
    register: Register, progress: Progress | None = None, *, full: bool = False
) -> CheckReport:
    report = CheckReport()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("database", lambda: check_database(register, report, full=full)),
        ("audit trail", lambda: check_audit(register, report, progress, full=full)),
        ("register", lambda: check_replay(register, report)),
        ("evidence", lambda: check_evidence(register, report, progress)),
    ]
    for what, step in steps:
        try:
            step()
        except UNREADABLE as exc:
            # A damaged file is what check is for: report it, then check what still reads.
            report.problem(
                "database", f"{what}: the register could not be read ({unreadable_reason(exc)})"
            )
    return report


UNREADABLE = (DBAPIError, sqlite3.DatabaseError)


def unreadable_reason(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0]
