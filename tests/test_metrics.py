"""Metrics on hand-built registers with known answers, including time travel via as-of dates."""

import datetime as dt
import json

import pytest

from gpaitracker import audit, metrics
from gpaitracker.enums import Status
from gpaitracker.errors import Cancelled
from gpaitracker.services import evidence, organisation, queries, register
from tests.services.helpers import add_model, add_people, as_person, item_id, person_id

ADA, OLGA, RITA = "ada@provider.eu", "olga@provider.eu", "rita@provider.eu"
KEY = "atlas-2/AIA-53-1-a"


class Clock:
    """The audit trail's clock, set by the test (events are stamped with it)."""

    def __init__(self, monkeypatch):
        self.now = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(audit, "utcnow", lambda: self.now)

    def set(self, day: str, hour: int = 9) -> None:
        self.now = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def reg(ws, clock):
    """A register created on 2025-09-01 with one model (Atlas 2) and three people."""
    ws.create(
        organisation.create_register,
        name="Provider SA",
        admin_name="Ada Admin",
        admin_email=ADA,
        signatory=True,
    )
    add_people(ws)
    add_model(ws, placed_on_market="2025-09-01")
    return ws


def _finish(ws, key=KEY):
    rid = item_id(ws, key)
    ws.write(
        register.assign,
        requirement_id=rid,
        owner_id=person_id(ws, OLGA),
        reviewer_id=person_id(ws, RITA),
    )
    as_person(ws, OLGA).write(register.change_status, requirement_id=rid, status=Status.IN_REVIEW)
    as_person(ws, RITA).write(register.change_status, requirement_id=rid, status=Status.DONE)


def _figures(ws, **kw):
    kw.setdefault("today", dt.date(2026, 3, 1))
    return ws.read(metrics.figures, **kw)


def test_figures_agree_with_the_register_list_to_the_item(reg):
    day = dt.date(2026, 3, 1)
    _finish(reg)
    reg.write(register.set_due, requirement_id=item_id(reg, "atlas-2/AIA-53-1-b"), due=None)
    figs = _figures(reg, as_of=day)
    rows = reg.read(queries.list_rows, today=day)
    assert figs.total == len(rows) and figs.total > 10
    assert figs.by_status == {s.value: sum(r.status == s for r in rows) for s in Status}
    assert figs.done == 1 and figs.by_status["done"] == 1
    overdue = reg.read(queries.list_rows, filters=queries.Filters(overdue=True), today=day)
    assert figs.overdue == len(overdue) > 0
    assert sorted(i.key for i in figs.overdue_items) == sorted(r.key for r in overdue)
    assert figs.rag == {c: sum(r.rag == c for r in rows) for c in ("red", "amber", "green")}
    soon = [r for r in rows if r.due and day <= r.due <= day + dt.timedelta(30)]
    assert figs.due_30 == sum(r.status not in ("done", "not_applicable") for r in soon)
    assert figs.percent_done == pytest.approx(100 / figs.total)
    assert sum(g.total for g in figs.by_chapter) == figs.total
    assert [g.name for g in figs.by_model] == ["Atlas 2"]
    first = figs.overdue_items[0]
    assert first.days_late == (day - first.due).days and first.chapter in metrics.CHAPTER_ORDER


def test_chapters_workload_and_evidence_coverage(reg):
    day = dt.date(2026, 3, 1)
    rid = item_id(reg, KEY)
    reg.write(register.assign, requirement_id=rid, owner_id=person_id(reg, OLGA))
    reg.write(
        evidence.add_link_evidence,
        requirement_id=rid,
        url="https://provider.eu/docs/tech-doc",
        valid_until=dt.date(2026, 3, 20),
    )
    expired = item_id(reg, "atlas-2/AIA-53-1-b")
    reg.write(
        evidence.add_link_evidence,
        requirement_id=expired,
        url="https://provider.eu/docs/old",
        valid_until=dt.date(2026, 2, 1),
    )
    figs = _figures(reg, as_of=day)
    names = [g.name for g in figs.by_chapter]
    assert names == [n for n in metrics.CHAPTER_ORDER if n in names]
    assert "AI Act articles" in names and "Safety and Security" not in names  # no systemic risk
    olga = [w for w in figs.workload if w.owner == "Olga"]
    assert olga and olga[0].open == 1 and olga[0].owner_id == person_id(reg, OLGA)
    unassigned = next(w for w in figs.workload if w.owner == "unassigned")
    assert unassigned.open == figs.total - 1
    assert figs.evidence_covered == 1 and figs.evidence_base == figs.total
    assert figs.evidence_coverage == pytest.approx(100 / figs.total)
    assert [(e.title, e.valid_until, e.items) for e in figs.expiring] == [
        ("https://provider.eu/docs/tech-doc", dt.date(2026, 3, 20), 1)
    ]
    # On 2026-01-15 both were valid; on 2026-04-01 neither.
    assert _figures(reg, as_of=dt.date(2026, 1, 15)).evidence_covered == 2
    assert _figures(reg, as_of=dt.date(2026, 4, 1)).evidence_covered == 0


def test_an_earlier_day_shows_the_register_as_it_stood(reg, clock):
    clock.set("2025-10-15")
    _finish(reg)
    clock.set("2025-11-20")
    moved = item_id(reg, "atlas-2/AIA-53-1-b")
    reg.write(register.set_due, requirement_id=moved, due=dt.date(2027, 1, 1))
    clock.set("2026-01-10")
    add_model(reg, name="Boreas", placed_on_market="2026-01-10")

    before = _figures(reg, as_of=dt.date(2025, 10, 1))
    assert before.done == 0 and [g.name for g in before.by_model] == ["Atlas 2"]
    middle = _figures(reg, as_of=dt.date(2025, 11, 1))
    assert middle.done == 1 and [g.name for g in middle.by_model] == ["Atlas 2"]
    now = _figures(reg)
    assert now.done == 1 and [g.name for g in now.by_model] == ["Atlas 2", "Boreas"]
    assert middle.total == before.total and now.total > middle.total
    due_then = {i.key: i.due for i in middle.upcoming + middle.overdue_items}
    due_later = {i.key: i.due for i in now.upcoming + now.overdue_items}
    assert due_then["atlas-2/AIA-53-1-b"] != dt.date(2027, 1, 1)
    assert due_later.get("atlas-2/AIA-53-1-b") in (None, dt.date(2027, 1, 1))
    # Before the register existed there was nothing.
    empty = _figures(reg, as_of=dt.date(2025, 8, 1))
    assert (empty.total, empty.done, empty.by_model) == (0, 0, [])


def test_a_later_day_judges_todays_register_on_that_day(reg):
    now = _figures(reg, as_of=dt.date(2026, 3, 1))
    later = _figures(reg, as_of=dt.date(2027, 9, 1))
    assert later.total == now.total and later.overdue >= now.overdue


def test_weekly_trend_from_the_trail_and_its_cache(reg, clock, tmp_path):
    clock.set("2025-10-15")  # a Wednesday
    _finish(reg)
    figs = _figures(reg, as_of=dt.date(2025, 11, 5), weeks=6, cache_dir=tmp_path)
    weeks = [p.week_end for p in figs.history]
    assert weeks[-1] == dt.date(2025, 11, 5) and len(weeks) == 7
    assert all(w.weekday() == 6 for w in weeks[:-1])
    done = {p.week_end: p.done for p in figs.history}
    assert done[dt.date(2025, 10, 12)] == 0 and done[dt.date(2025, 10, 19)] == 1
    assert done[dt.date(2025, 9, 28)] == 0
    assert figs.history[0].week_end == dt.date(2025, 9, 28)
    assert figs.history[1].total == figs.total  # the register was loaded on 2025-09-01
    cached = json.loads((tmp_path / metrics.CACHE_NAME).read_text())["weeks"]
    assert "2025-10-19" in cached
    # A cached week whose anchor event changed (another register, a restore) is not used.
    cached["2025-10-19"]["models"] = {"1": [42, 0, 1]}
    (tmp_path / metrics.CACHE_NAME).write_text(json.dumps({"version": 1, "weeks": cached}))
    again = _figures(reg, as_of=dt.date(2025, 11, 5), weeks=6, cache_dir=tmp_path)
    assert {p.week_end: p.done for p in again.history}[dt.date(2025, 10, 19)] == 42  # trusted
    cached["2025-10-19"]["hash"] = "0" * 64
    (tmp_path / metrics.CACHE_NAME).write_text(json.dumps({"version": 1, "weeks": cached}))
    fixed = _figures(reg, as_of=dt.date(2025, 11, 5), weeks=6, cache_dir=tmp_path)
    assert {p.week_end: p.done for p in fixed.history}[dt.date(2025, 10, 19)] == 1
    (tmp_path / metrics.CACHE_NAME).write_text("not json")
    assert _figures(reg, as_of=dt.date(2025, 11, 5), weeks=6, cache_dir=tmp_path) == fixed


def test_figures_for_one_model(reg, clock):
    clock.set("2025-10-01")
    other = add_model(reg, name="Boreas", placed_on_market="2025-10-01")
    both = _figures(reg)
    one = _figures(reg, model_ids=(other,))
    assert [g.name for g in one.by_model] == ["Boreas"]
    assert one.total == both.by_model[1].total and one.total < both.total


def test_long_playback_can_be_cancelled(reg, clock):
    clock.set("2025-10-15")
    _finish(reg)
    with pytest.raises(Cancelled):
        _figures(reg, as_of=dt.date(2025, 9, 10), cancelled=lambda: True)


def test_each_figure_picks_exactly_the_items_it_counts(reg):
    day = dt.date(2026, 3, 1)
    _finish(reg)
    figs = _figures(reg, as_of=day)

    def picked(**kw):
        return reg.read(metrics.pick, choice=metrics.Pick(**kw), as_of=day, today=day)

    assert len(picked()) == figs.total
    assert len(picked(overdue=True)) == figs.overdue
    assert set(picked(overdue=True)) == {i.id for i in figs.overdue_items}
    assert len(picked(due_within=30)) == figs.due_30
    assert len(picked(status="done")) == figs.done == 1
    assert len(picked(without_evidence=True)) == figs.evidence_base - figs.evidence_covered
    for group in figs.by_chapter:
        for status, count in group.by_status.items():
            assert len(picked(chapter=group.name, status=status)) == count
        assert len(picked(chapter=group.name, overdue=True)) == group.overdue
    for load in figs.workload:
        assert len(picked(owner_id=load.owner_id, open_only=True)) == load.open
        assert len(picked(owner_id=load.owner_id, overdue=True)) == load.overdue
    # On an earlier day, the items as they stood then.
    before = reg.read(
        metrics.pick, choice=metrics.Pick(status="done"), as_of=dt.date(2025, 8, 1), today=day
    )
    assert before == ()
