"""The register grouped by model and chapter: counts, leaves, selection, filters, settings."""

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt

from gpaitracker.services import queries, register
from gpaitracker.ui import register_model as rm
from gpaitracker.ui.register_groups import GROUP_KEY, GroupBy, GroupModel
from tests.services.helpers import add_model, add_people, item_id
from tests.ui.test_register_page import choose, idle, make_ctx, open_page


@pytest.fixture
def reg(org_ws):
    add_people(org_ws)
    add_model(org_ws, name="Atlas", training_flop="3e25")
    add_model(org_ws, name="Nova")
    return org_ws


@pytest.fixture
def ctx(reg, qapp):
    context = make_ctx(reg)
    yield context
    context.worker.wait_all()


@pytest.fixture
def page(qtbot, ctx):
    return open_page(qtbot, ctx)


def group(page, by: GroupBy) -> GroupModel:
    page.filter_bar.set_group_by(by)
    assert page.views.currentWidget() is (page.table if by == GroupBy.NONE else page.tree)
    return page.groups


def tops(groups: GroupModel) -> dict[str, tuple[int, int]]:
    found = {}
    for row in range(groups.rowCount()):
        label, items, overdue = groups.counts(groups.index(row, 0))
        found[label] = (items, overdue)
    return found


def leaves(groups: GroupModel, parent) -> list:
    return [groups.row_of(groups.index(r, 0, parent)) for r in range(groups.rowCount(parent))]


def shown(ws, **filters) -> list[queries.RegisterRow]:
    return ws.read(queries.list_rows, filters=queries.Filters(**filters))


def test_grouping_by_model_shows_one_group_per_model_with_counts(qtbot, page, reg, ctx):
    late = item_id(reg, "nova/AIA-53-1-a")
    ctx.announce(reg.write(register.set_due, requirement_id=late, due=dt.date(2020, 1, 1)))
    idle(qtbot, page)
    groups = group(page, GroupBy.MODEL)
    rows = shown(reg)
    expected = {}
    for name in ("Atlas", "Nova"):
        mine = [r for r in rows if r.model == name]
        expected[name] = (len(mine), sum(rm.is_overdue(r, dt.date.today()) for r in mine))
    assert tops(groups) == expected
    assert expected["Nova"][1] >= 1
    nova = groups.index(1, 0)
    assert "Nova" in nova.data() and "overdue" in nova.data()
    assert nova.data(rm.ID_ROLE) is None
    items = leaves(groups, nova)
    assert {r.model for r in items} == {"Nova"}
    assert [r.id for r in items] == [
        page.model.row_at(i).id
        for i in range(page.model.rowCount())
        if page.model.row_at(i).model == "Nova"
    ]  # the register's sort order
    leaf = groups.index(0, rm.KEY, nova)
    assert leaf.data() == items[0].key
    assert leaf.data(rm.ID_ROLE) == items[0].id
    assert page.tree.isExpanded(nova)


def test_grouping_by_model_and_chapter_puts_chapters_under_models(qtbot, page, reg):
    groups = group(page, GroupBy.CHAPTER)
    assert set(tops(groups)) == {"Atlas", "Nova"}
    atlas = groups.index(0, 0)
    chapters = [groups.counts(groups.index(r, 0, atlas)) for r in range(groups.rowCount(atlas))]
    atlas_rows = [r for r in shown(reg) if r.model == "Atlas"]
    assert sum(items for _, items, _ in chapters) == len(atlas_rows)
    labels = [label for label, _, _ in chapters]
    assert set(labels) == {r.chapter or "No chapter" for r in atlas_rows}
    first = groups.index(0, 0, atlas)
    assert {r.chapter or "No chapter" for r in leaves(groups, first)} == {labels[0]}


def test_selecting_a_leaf_emits_its_item_id(qtbot, page, ctx):
    groups = group(page, GroupBy.CHAPTER)
    chapter = groups.index(0, 0, groups.index(1, 0))
    leaf = groups.index(groups.rowCount(chapter) - 1, rm.TITLE, chapter)
    assert leaf.isValid()
    with qtbot.waitSignal(ctx.bus.item_selected) as signal:
        page.tree.setCurrentIndex(leaf)
    assert signal.args == [groups.row_of(leaf).id]
    page.tree.selectionModel().select(leaf, page.tree.selectionModel().SelectionFlag.Rows)
    assert [r.id for r in page.selected_rows()] == signal.args
    assert page.assign_action.isEnabled()
    with qtbot.waitSignal(ctx.bus.item_selected) as signal:
        page.tree.setCurrentIndex(chapter)
    assert signal.args == [None]
    other = page.model.row_at(0).id
    assert page.show_item(other)
    assert page.tree.currentIndex().data(rm.ID_ROLE) == other


def test_filters_still_apply_when_grouped(qtbot, page, reg):
    groups = group(page, GroupBy.MODEL)
    choose(page.filter_bar.model_combo, "Nova")
    assert set(tops(groups)) == {"Nova"}
    nova = [r for r in shown(reg) if r.model == "Nova"]
    assert tops(groups)["Nova"][0] == len(nova)
    qtbot.keyClicks(page.search_edit, "copyright")
    items = leaves(groups, groups.index(0, 0))
    assert items and all("copyright" in r.title.lower() for r in items)
    page.search_edit.clear()
    page.filter_bar.model_combo.setCurrentIndex(0)
    idle(qtbot, page)
    assert set(tops(groups)) == {"Atlas", "Nova"}


def test_the_current_item_survives_a_resort_and_the_choice_is_saved(qtbot, page, ctx):
    groups = group(page, GroupBy.MODEL)
    leaf = groups.index(3, 0, groups.index(0, 0))
    row_id = leaf.data(rm.ID_ROLE)
    page.tree.setCurrentIndex(leaf)
    page.tree.header().setSortIndicator(rm.TITLE, Qt.SortOrder.DescendingOrder)
    assert page.tree.currentIndex().data(rm.ID_ROLE) == row_id
    assert QSettings().value(GROUP_KEY) == "model"
    page.close()
    again = open_page(qtbot, ctx)
    assert again.filter_bar.group_by() == GroupBy.MODEL
    assert again.views.currentWidget() is again.tree
    group(again, GroupBy.NONE)
    assert QSettings().value(GROUP_KEY) == "none"


@pytest.mark.parametrize("by", [GroupBy.MODEL, GroupBy.CHAPTER])
def test_the_grouping_model_passes_the_model_tester(qtbot, qtmodeltester, page, reg, ctx, by):
    groups = group(page, by)
    qtmodeltester.check(groups)  # stays connected: every change below is checked too
    page.tree.setCurrentIndex(groups.index(0, 0, groups.index(0, 0)))
    late = item_id(reg, "atlas/AIA-53-1-a")
    ctx.announce(reg.write(register.set_due, requirement_id=late, due=dt.date(2020, 1, 1)))
    idle(qtbot, page)  # a partial reload: the counts change in place
    qtbot.keyClicks(page.search_edit, "copyright")
    page.tree.header().setSortIndicator(rm.KEY, Qt.SortOrder.DescendingOrder)
    page.search_edit.clear()
    page.filter_bar.inactive_check.setChecked(True)
    idle(qtbot, page)
    group(page, GroupBy.MODEL if by == GroupBy.CHAPTER else GroupBy.CHAPTER)
    group(page, GroupBy.NONE)
    assert groups.rowCount() == 0
