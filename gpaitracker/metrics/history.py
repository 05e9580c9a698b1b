"""The weekly trend (done and overdue at the end of each week), from the audit trail.

A week's figures never change once the week has ended: events are only ever appended, with
the time they happen. So each ended week is worked out once, by playing the trail back, and
kept in a small cache file beside the register, with the id and hash of the last event before
the week's end. A cached week is used only while that event still has that hash, so a register
restored from a backup, or another register, never reads figures that are not its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpaitracker.metrics.figures import is_overdue
from gpaitracker.metrics.playback import first_event_at_or_after, naive_utc
from gpaitracker.metrics.state import Register
from gpaitracker.models import AuditEvent

CACHE_VERSION = 1
PerModel = dict[int, tuple[int, int, int]]  # model id -> (done, overdue, total)


class Anchor(NamedTuple):
    event_id: int  # the last event before the moment; 0 when there is none
    hash: str


def week_ends(day: dt.date, weeks: int) -> list[dt.date]:
    """The last `weeks` Sundays before day, oldest first."""
    last = day - dt.timedelta(days=day.weekday() + 1)
    return [last - dt.timedelta(weeks=n) for n in reversed(range(weeks))]


def moment(day: dt.date) -> dt.datetime:
    """The end of a day (UTC, naive like the trail's times)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def per_model(reg: Register, day: dt.date) -> PerModel:
    counts: dict[int, Counter[str]] = {}
    for item in reg.items.values():
        if reg.active(item):
            c = counts.setdefault(item.model_id, Counter())
            c["total"] += 1
            c["done"] += item.status == "done"
            c["overdue"] += is_overdue(item, day)
    return {m: (c["done"], c["overdue"], c["total"]) for m, c in counts.items()}


def anchor(session: Session, at: dt.datetime) -> Anchor:
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    first = first_event_at_or_after(session, at)
    query = select(a.id, a.hash).order_by(a.id.desc()).limit(1)
    if first is not None:
        query = query.where(a.id < first)
    row = session.execute(query).first()
    return Anchor(0, "") if row is None else Anchor(int(row[0]), str(row[1]))


def trail_start(session: Session) -> dt.datetime | None:
    """When the first event happened: before it, the register held nothing."""
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    first = session.execute(select(func.min(a.id))).scalar()
    if first is None:
        return None
    at: dt.datetime = session.execute(select(a.at).where(a.id == first)).scalar_one()
    return naive_utc(at)


class WeekCache:
    """Ended weeks' figures per model, in a JSON file; a missing or damaged file is empty."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.weeks: dict[str, dict[str, object]] = {}
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == CACHE_VERSION and isinstance(data.get("weeks"), dict):
                    self.weeks = data["weeks"]
            except (OSError, ValueError, AttributeError):
                self.weeks = {}

    def valid(self, session: Session, wanted: list[dt.date]) -> dict[dt.date, PerModel]:
        """The wanted weeks the cache holds and whose anchor event is unchanged."""
        entries = {w: self.weeks.get(w.isoformat()) for w in wanted}
        ids = {int(e["event"]) for e in entries.values() if e and int(e["event"])}  # type: ignore[call-overload]
        a = AuditEvent.__table__.c  # type: ignore[attr-defined]
        hashes: dict[int, str] = dict(
            session.execute(select(a.id, a.hash).where(a.id.in_(ids))).all()
        )
        out: dict[dt.date, PerModel] = {}
        for week, entry in entries.items():
            if not entry:
                continue
            event = int(entry["event"])  # type: ignore[call-overload]
            if event and hashes.get(event) != entry["hash"]:
                continue
            models = entry["models"]
            assert isinstance(models, dict)
            out[week] = {int(m): (v[0], v[1], v[2]) for m, v in models.items()}
        return out

    def store(self, found: dict[dt.date, tuple[Anchor, PerModel]]) -> None:
        if self.path is None or not found:
            return
        for week, (anc, models) in found.items():
            self.weeks[week.isoformat()] = {
                "event": anc.event_id,
                "hash": anc.hash,
                "models": {str(m): list(v) for m, v in models.items()},
            }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps({"version": CACHE_VERSION, "weeks": self.weeks}), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower next time
