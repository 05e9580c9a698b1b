"""The figures themselves, from the register as it stood on a day: one set of definitions for
the dashboard, the command line and the board report.

- total: items that apply (not re-scoped out, not withdrawn, model not retired), any status;
  the items `gpaitracker list` shows.
- done: status done. not_applicable: status not applicable (justified out).
- percent_done: done / (total - not_applicable).
- overdue: a due date before the day and the status neither done nor not applicable.
- due_N: open items due from the day to N days after it.
- evidence_coverage: of the items that apply and are not justified out, the percentage with
  at least one linked evidence valid on the day.
- RAG: the register's colours (workflow.rag) on the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from gpaitracker import workflow
from gpaitracker.enums import Status
from gpaitracker.metrics.state import CHAPTER_ORDER, Item, Register, chapter_of

CLOSED = frozenset(s.value for s in workflow.CLOSED)
STATUS_ORDER = tuple(s.value for s in Status)
HORIZONS = (30, 60, 90)


class Group(NamedTuple):
    """A chapter, a model or an owner: counts by status and overdue."""

    name: str
    ref: int | None  # the model's or the owner's id; None for chapters and "unassigned"
    by_status: dict[str, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def done(self) -> int:
        return self.by_status.get(Status.DONE.value, 0)

    @property
    def percent_done(self) -> float:
        return percent(self.done, self.total - self.by_status.get("not_applicable", 0))


class ItemFigure(NamedTuple):
    id: int
    key: str
    title: str
    model: str
    chapter: str
    owner: str | None
    owner_id: int | None
    due: dt.date | None
    status: str
    days_late: int  # days past due on the day; negative: days left


class OwnerLoad(NamedTuple):
    owner_id: int | None
    owner: str  # the person's name, or "unassigned"
    open: int
    overdue: int
    due_30: int


class ExpiringEvidence(NamedTuple):
    evidence_id: int
    title: str
    valid_until: dt.date
    items: int  # items in the figures it supports


class WeekPoint(NamedTuple):
    week_end: dt.date  # a Sunday; the point is the register at the end of that day (UTC)
    done: int
    overdue: int
    total: int


class Figures(NamedTuple):
    as_of: dt.date
    total: int
    done: int
    not_applicable: int
    overdue: int
    due_30: int
    due_60: int
    due_90: int
    percent_done: float
    evidence_covered: int
    evidence_base: int
    evidence_coverage: float
    by_status: dict[str, int]
    rag: dict[str, int]
    by_chapter: list[Group]
    by_model: list[Group]
    workload: list[OwnerLoad]
    expiring: list[ExpiringEvidence]  # valid on the day, expiring within 30 days
    overdue_items: list[ItemFigure]  # most days late first
    upcoming: list[ItemFigure]  # open, due within 90 days, soonest first
    history: list[WeekPoint]  # oldest first; the last point is the day itself

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, with the names the command line documents."""
        return {
            "as_of": self.as_of.isoformat(),
            "total": self.total,
            "done": self.done,
            "not_applicable": self.not_applicable,
            "overdue": self.overdue,
            "due_30": self.due_30,
            "due_60": self.due_60,
            "due_90": self.due_90,
            "percent_done": round(self.percent_done, 1),
            "evidence_coverage": round(self.evidence_coverage, 1),
            "evidence_covered": self.evidence_covered,
            "evidence_expiring_30": len(self.expiring),
            "by_status": self.by_status,
            "rag": self.rag,
            "by_chapter": {g.name: _group_dict(g) for g in self.by_chapter},
            "by_model": {g.name: _group_dict(g) for g in self.by_model},
            "history": [
                {"week_end": p.week_end.isoformat(), "done": p.done, "overdue": p.overdue}
                for p in self.history
            ],
        }


def _group_dict(g: Group) -> dict[str, object]:
    return {
        "total": g.total,
        "done": g.done,
        "overdue": g.overdue,
        "percent_done": round(g.percent_done, 1),
        "by_status": g.by_status,
    }


ANY_OWNER = -1


class Pick(NamedTuple):
    """Which items a figure counts; every field given narrows the choice."""

    chapter: str | None = None
    model_id: int | None = None
    status: str | None = None
    owner_id: int | None = ANY_OWNER  # None: unassigned
    open_only: bool = False
    overdue: bool = False
    due_within: int | None = None  # open items due from the day to this many days after
    without_evidence: bool = False  # not justified out, and no valid evidence on the day

    def matches(self, i: Item, day: dt.date) -> bool:
        if self.status is not None and i.status != self.status:
            return False
        if self.model_id is not None and i.model_id != self.model_id:
            return False
        if self.chapter is not None and chapter_of(i.code) != self.chapter:
            return False
        if self.owner_id != ANY_OWNER and i.owner_id != self.owner_id:
            return False
        if (self.open_only or self.due_within is not None) and i.status in CLOSED:
            return False
        if self.overdue and not is_overdue(i, day):
            return False
        if self.due_within is not None and not (
            i.due is not None and day <= i.due <= day + dt.timedelta(days=self.due_within)
        ):
            return False
        return not (self.without_evidence and i.status == "not_applicable")


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def is_overdue(item: Item, day: dt.date) -> bool:
    return item.due is not None and item.due < day and item.status not in CLOSED


def point(reg: Register, day: dt.date, model_ids: frozenset[int] | None) -> tuple[int, int, int]:
    """(done, overdue, total) on the day, for the trend."""
    done = overdue = total = 0
    for item in reg.items.values():
        if (model_ids is None or item.model_id in model_ids) and reg.active(item):
            total += 1
            done += item.status == "done"
            overdue += is_overdue(item, day)
    return done, overdue, total


def compute(
    reg: Register,
    day: dt.date,
    valid_evidence: set[int],
    model_ids: frozenset[int] | None = None,
    history: list[WeekPoint] | None = None,
    expiring: list[ExpiringEvidence] | None = None,
) -> Figures:
    """Every figure of the register as it stands in reg, judged on the given day."""
    t = _Tally(day)
    t.count(reg, valid_evidence, model_ids)
    by_status = t.sum_by(2)
    done = by_status.get("done", 0)
    not_applicable = by_status.get("not_applicable", 0)
    total = sum(by_status.values())
    base = total - not_applicable
    covered = sum(n for k, n in t.combos.items() if k[4] and k[2] != "not_applicable")
    rag = t.sum_by(3)
    return Figures(
        as_of=day,
        total=total,
        done=done,
        not_applicable=not_applicable,
        overdue=len(t.overdue),
        due_30=t.due[30],
        due_60=t.due[60],
        due_90=t.due[90],
        percent_done=percent(done, base),
        evidence_covered=covered,
        evidence_base=base,
        evidence_coverage=percent(covered, base),
        by_status={s: by_status.get(s, 0) for s in STATUS_ORDER},
        rag={c: rag.get(c, 0) for c in ("red", "amber", "green")},
        by_chapter=t.groups(1, lambda c: (c, None), CHAPTER_ORDER),
        by_model=t.groups(0, lambda m: (reg.models[m].name, m), None),
        workload=_workload(reg, t.loads),
        expiring=expiring or [],
        overdue_items=[
            _figure(reg, i, day, t.chapters[i.code])
            for i in sorted(t.overdue, key=lambda i: (i.due or day, i.id))  # most late first
        ],
        upcoming=[
            _figure(reg, i, day, t.chapters[i.code])
            for i in sorted(t.upcoming, key=lambda i: (i.due or day, i.id))
        ],
        history=history or [],
    )


_OVERDUE, _UPCOMING = 1, 2  # what an open item's due date makes it on the day


class _Tally:
    """The counts behind compute(), from one pass over the items.

    At 50,000 items every dictionary operation per item costs a few milliseconds, so the pass
    counts each combination of (model, chapter, status, RAG colour, evidence, overdue) once and
    the figures are sums over those few hundred combinations.
    """

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.until = {n: day + dt.timedelta(days=n) for n in HORIZONS}
        self.combos: dict[tuple[int, str, str, str, bool, bool], int] = {}
        self.chapters: dict[str, str] = {}  # code -> chapter
        self.overdue: list[Item] = []
        self.upcoming: list[Item] = []
        self.due = dict.fromkeys(HORIZONS, 0)
        self.loads: dict[int | None, list[int]] = {}  # owner -> [open, overdue, due in 30]

    def _judge(self, status: str, due: dt.date | None) -> tuple[str, int]:
        """RAG colour, and whether an item is overdue or upcoming (due within 90 days)."""
        colour = workflow.rag(status, due, self.day)
        if status in CLOSED or due is None:
            return colour, 0
        if due < self.day:
            return colour, _OVERDUE
        return colour, _UPCOMING if due <= self.until[90] else 0

    def count(
        self, reg: Register, valid_evidence: set[int], model_ids: frozenset[int] | None
    ) -> None:
        chapters, combos, loads = self.chapters, self.combos, self.loads
        judged: dict[tuple[str, dt.date | None], tuple[str, int]] = {}  # few pairs recur
        retired = {m for m, gone in reg.retired.items() if gone}
        until_30 = self.until[30]
        for i in reg.items.values():
            if (
                not i.exists
                or not i.applicable
                or i.withdrawn
                or i.model_id in retired
                or (model_ids is not None and i.model_id not in model_ids)
            ):
                continue  # Register.active, inlined: a call per item costs 20 ms
            s, due = i.status, i.due
            chapter = chapters.get(i.code)
            if chapter is None:
                chapter = chapters[i.code] = chapter_of(i.code)
            verdict = judged.get((s, due))
            if verdict is None:
                verdict = judged[s, due] = self._judge(s, due)
            colour, when = verdict
            key = (i.model_id, chapter, s, colour, i.id in valid_evidence, when == _OVERDUE)
            combos[key] = combos.get(key, 0) + 1
            if s in CLOSED:
                continue
            load = loads.get(i.owner_id)
            if load is None:
                load = loads[i.owner_id] = [0, 0, 0]
            load[0] += 1
            if when == _OVERDUE:
                self.overdue.append(i)
                load[1] += 1
            elif when == _UPCOMING:
                self.upcoming.append(i)
                load[2] += due <= until_30  # type: ignore[operator]
        for i in self.upcoming:
            for n, until in self.until.items():
                self.due[n] += i.due <= until  # type: ignore[operator]

    def sum_by(self, part: int) -> dict[Any, int]:
        sums: dict[Any, int] = {}
        for key, n in self.combos.items():
            sums[key[part]] = sums.get(key[part], 0) + n
        return sums

    def groups(
        self,
        part: int,  # 0: by model, 1: by chapter
        name_of: Callable[[Any], tuple[str, int | None]],
        order: tuple[str, ...] | None,
    ) -> list[Group]:
        by_group: dict[Any, dict[str, int]] = {}
        late: dict[Any, int] = {}
        for key, n in self.combos.items():
            group, status = key[part], key[2]
            by_group.setdefault(group, dict.fromkeys(STATUS_ORDER, 0))[status] += n
            late[group] = late.get(group, 0) + (n if key[5] else 0)
        named = sorted(
            ((*name_of(g), g) for g in by_group),
            key=lambda n: (order.index(n[0]) if order else 0, n[0]),
        )
        return [Group(name, ref, by_group[g], late[g]) for name, ref, g in named]


def _workload(reg: Register, loads: dict[int | None, list[int]]) -> list[OwnerLoad]:
    rows = [OwnerLoad(pid, reg.owner(pid) or "unassigned", *load) for pid, load in loads.items()]
    return sorted(rows, key=lambda r: (-r.open, r.owner))


def _figure(reg: Register, i: Item, day: dt.date, chapter: str) -> ItemFigure:
    return ItemFigure(
        id=i.id,
        key=reg.key(i),
        title=reg.titles.get(i.entry_id, ""),
        model=reg.models[i.model_id].name,
        chapter=chapter,
        owner=reg.owner(i.owner_id),
        owner_id=i.owner_id,
        due=i.due,
        status=i.status,
        days_late=(day - i.due).days if i.due is not None else 0,
    )
