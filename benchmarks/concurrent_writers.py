"""Several processes editing overlapping register items at once, each as a different person.

Each edit reads an item's version, then sets its due date to a value no other edit uses,
passing the version it read (optimistic locking). Every outcome is written down: accepted,
or refused with the message its writer got. The tests check that nothing was lost; the
benchmark times the throughput.

python -m benchmarks.concurrent_writers URL HOME EMAIL WORKER EDITS ITEM_IDS OUT
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DAY = dt.date(2030, 1, 1)
PER_WORKER = 1000  # worker w's edit i sets BASE + w * PER_WORKER + i days: no two collide


def due_of(worker: int, edit: int) -> dt.date:
    assert edit < PER_WORKER
    return BASE_DAY + dt.timedelta(days=worker * PER_WORKER + edit)


def write_edits(
    url: str, home: str, email: str | None, worker: int, edits: int, items: list[int], out: str
) -> None:
    from gpaitracker.errors import UserError
    from gpaitracker.services import queries, register
    from gpaitracker.services.workspace import Workspace

    rng = random.Random(worker)
    outcomes = []
    with Workspace.open(home, url, acting=email, create=False) as ws:
        ws.read(queries.row, requirement_id=items[0])  # connected and warm before the clock
        first = time.time()
        for i in range(edits):
            rid = rng.choice(items)
            due = due_of(worker, i)
            try:
                version = ws.read(queries.row, requirement_id=rid).version
                ws.write(register.set_due, requirement_id=rid, due=due, expected_version=version)
                outcomes.append([rid, due.isoformat(), "accepted", ""])
            except UserError as exc:
                outcomes.append([rid, due.isoformat(), "refused", str(exc)])
    Path(out).write_text(json.dumps({"outcomes": outcomes, "span": [first, time.time()]}))


@dataclass
class Run:
    outcomes: list[list[str]]  # [item id, due ISO, "accepted"|"refused", message]
    seconds: float  # from the start of the processes to the end of the last
    editing: float  # from the first edit of any process to the last edit of any

    @property
    def rate(self) -> float:
        """Saved edits per second while the writers were editing (process starts excluded)."""
        return len(self.accepted) / self.editing if self.editing else 0.0

    @property
    def accepted(self) -> list[list[str]]:
        return [o for o in self.outcomes if o[2] == "accepted"]

    @property
    def refused(self) -> list[list[str]]:
        return [o for o in self.outcomes if o[2] == "refused"]


def run_writers(
    writers: list[tuple[str, str | None]],
    home: Path,
    edits: int,
    items: list[int],
    folder: Path,
    env: dict[str, str] | None = None,
) -> Run:
    """One process per (database URL, acting email or None), all started at once."""
    full_env = {**os.environ, **(env or {})}
    root = str(Path(__file__).resolve().parents[1])
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, full_env.get("PYTHONPATH")) if p)
    procs = []
    started = time.perf_counter()
    for worker, (url, email) in enumerate(writers):
        out = folder / f"writer-{worker}.json"
        args = [
            url,
            str(home),
            email or "-",
            str(worker),
            str(edits),
            ",".join(map(str, items)),
            str(out),
        ]
        command = [sys.executable, "-m", "benchmarks.concurrent_writers", *args]
        proc = subprocess.Popen(command, env=full_env, stderr=subprocess.PIPE, text=True)
        procs.append((proc, out))
    outcomes: list[list[str]] = []
    spans = []
    for proc, out in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"writer failed ({proc.returncode}): {err[-3000:]}")
        found = json.loads(out.read_text())
        outcomes += found["outcomes"]
        spans.append(found["span"])
    editing = max(s[1] for s in spans) - min(s[0] for s in spans)
    return Run(outcomes, time.perf_counter() - started, editing)


if __name__ == "__main__":
    url, home, email, worker, edits, items, out = sys.argv[1:8]
    write_edits(
        url,
        home,
        None if email == "-" else email,
        int(worker),
        int(edits),
        [int(i) for i in items.split(",")],
        out,
    )
