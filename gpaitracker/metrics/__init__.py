"""Every figure the dashboard, the command line and the board report show, from one place.

`figures()` reads the register once, plays the audit trail back when an earlier day is asked
for, and adds the weekly trend. Definitions are in metrics.figures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from gpaitracker.metrics import evidence, history
from gpaitracker.metrics.figures import (
    ExpiringEvidence,
    Figures,
    Group,
    ItemFigure,
    OwnerLoad,
    Pick,
    WeekPoint,
    compute,
)
from gpaitracker.metrics.playback import rewind
from gpaitracker.metrics.state import CHAPTER_ORDER, Register, chapter_of, load

__all__ = [
    "CHAPTER_ORDER",
    "ExpiringEvidence",
    "Figures",
    "Group",
    "ItemFigure",
    "OwnerLoad",
    "Pick",
    "Register",
    "WeekPoint",
    "chapter_of",
    "figures",
    "pick",
]

TREND_WEEKS = 12
CACHE_NAME = "weekly-figures.json"


def figures(
    *,
    session: Session,
    as_of: dt.date | None = None,
    model_ids: tuple[int, ...] | None = None,
    weeks: int = TREND_WEEKS,
    cache_dir: Path | None = None,
    today: dt.date | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_day: Callable[[Register], None] | None = None,
) -> Figures:
    """The register's figures on as_of (default today), for some models or all.

    A day before today is the register as the trail says it stood at the end of that day
    (UTC); a later day is today's register judged on that day. Evidence validity is judged on
    the day; links are the current ones. on_day, when given, sees the register as it stood
    on the day (it must not keep it: the playback goes on to earlier weeks).
    """
    with gc_paused():
        return _figures(
            session, as_of, model_ids, weeks, cache_dir, today, cancelled, on_day or _ignore
        )


def _ignore(_reg: Register) -> None:
    pass


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the register's items are built and counted.

    The work allocates some 100,000 objects that all live until it ends, which sets off
    full collections that find nothing: about 80 ms of the 300 ms at 50,000 items.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _figures(
    session: Session,
    as_of: dt.date | None,
    model_ids: tuple[int, ...] | None,
    weeks: int,
    cache_dir: Path | None,
    today: dt.date | None,
    cancelled: Callable[[], bool] | None,
    on_day: Callable[[Register], None],
) -> Figures:
    today = today or dt.date.today()
    day = as_of or today
    chosen = frozenset(model_ids) if model_ids is not None else None
    reg = load(session)
    valid = evidence.valid_items(session, day)
    cache = history.WeekCache(cache_dir / CACHE_NAME if cache_dir else None)
    wanted = history.week_ends(day, weeks)
    start = history.trail_start(session)
    known = cache.valid(session, wanted)
    empty = [w for w in wanted if start is None or history.moment(w) <= start]
    missing = [w for w in wanted if w not in known and w not in empty]
    result: list[Figures] = []

    def snapshot() -> None:
        def in_scope(item_id: int) -> bool:
            item = reg.items.get(item_id)
            return (
                item is not None
                and reg.active(item)
                and (chosen is None or item.model_id in chosen)
            )

        expiring = evidence.expiring(session, day, in_scope)
        result.append(compute(reg, day, valid, chosen, expiring=expiring))
        on_day(reg)

    found: dict[dt.date, tuple[history.Anchor, history.PerModel]] = {}
    moments = {history.moment(w): w for w in missing}

    def visit(at: dt.datetime) -> None:
        if at in moments:
            week = moments[at]
            found[week] = (history.anchor(session, at), history.per_model(reg, week))
        if not result and at <= history.moment(day):
            snapshot()

    if day >= today:
        snapshot()
    rewind(
        session,
        reg,
        list(moments) + ([] if result else [history.moment(day)]),
        visit,
        cancelled,
    )
    cache.store(found)
    per_week = {**known, **{w: models for w, (_a, models) in found.items()}}
    figs = result[0]
    trend = [_point(w, per_week.get(w, {}), chosen) for w in wanted]
    trend.append(WeekPoint(day, figs.done, figs.overdue, figs.total))
    return figs._replace(history=trend)


def _point(week: dt.date, models: history.PerModel, chosen: frozenset[int] | None) -> WeekPoint:
    rows = [v for m, v in models.items() if chosen is None or m in chosen]
    return WeekPoint(
        week, sum(r[0] for r in rows), sum(r[1] for r in rows), sum(r[2] for r in rows)
    )


def pick(
    *,
    session: Session,
    choice: Pick,
    as_of: dt.date | None = None,
    model_ids: tuple[int, ...] | None = None,
    today: dt.date | None = None,
) -> tuple[int, ...]:
    """The ids of exactly the items behind one figure (a tile, a bar, a workload row)."""
    today = today or dt.date.today()
    day = as_of or today
    reg = load(session)
    if day < today:
        rewind(session, reg, [history.moment(day)], lambda _at: None)
    valid = evidence.valid_items(session, day) if choice.without_evidence else set()
    chosen = frozenset(model_ids) if model_ids is not None else None
    return tuple(
        i.id
        for i in reg.items.values()
        if reg.active(i)
        and (chosen is None or i.model_id in chosen)
        and choice.matches(i, day)
        and not (choice.without_evidence and i.id in valid)
    )
