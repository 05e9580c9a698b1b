"""The Register page, driven as a user would: search, filter, sort, bulk edits, undo, drops."""

import datetime as dt
import sys
import types

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QProgressDialog

from gpaitracker.enums import Status
from gpaitracker.services import ai_models, queries, register
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui import register_model as rm
from gpaitracker.ui.app import make_context
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.register_page import HEADER_KEY, RegisterPage
from tests.conftest import run_main
from tests.services.helpers import add_model, add_people, item_id, person_id

OLGA = "olga@provider.eu"


@pytest.fixture
def reg(org_ws) -> Workspace:
    add_people(org_ws)
    add_model(org_ws, name="Atlas", training_flop="3e25")
    add_model(org_ws, name="Nova")
    return org_ws


def make_ctx(ws, read_only=False):
    return make_context(ws, read_only=read_only)  # the context the window runs with


@pytest.fixture
def ctx(reg, qapp):
    context = make_ctx(reg)
    yield context
    context.worker.wait_all()


def open_page(qtbot, ctx: UiContext) -> RegisterPage:
    page = RegisterPage(ctx)
    ctx.bus.changed.connect(page.refresh)  # as the window does for every page
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    idle(qtbot, page)
    return page


def idle(qtbot, page: RegisterPage) -> None:
    qtbot.waitUntil(lambda: not page.loading, timeout=10_000)


@pytest.fixture
def page(qtbot, ctx) -> RegisterPage:
    return open_page(qtbot, ctx)


def keys(page: RegisterPage) -> list[str]:
    return [page.model.row_at(i).key for i in range(page.model.rowCount())]


def db_rows(ws: Workspace) -> dict[int, queries.RegisterRow]:
    rows = ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))
    return {r.id: r for r in rows}


def select(page: RegisterPage, item_keys: list[str]) -> None:
    page.table.clearSelection()
    flags = page.table.selectionModel().SelectionFlag
    for key in item_keys:
        row = keys(page).index(key)
        page.table.selectionModel().select(page.model.index(row, 0), flags.Select | flags.Rows)


def choose(combo, text: str) -> None:
    at = combo.findText(text, Qt.MatchFlag.MatchContains)
    assert at >= 0, text
    combo.setCurrentIndex(at)


def test_page_lists_the_register_and_counts_what_it_shows(page, reg):
    active = reg.read(queries.list_rows)
    overdue = reg.read(queries.list_rows, filters=queries.Filters(overdue=True))
    assert page.title == "Register"
    assert page.model.rowCount() == len(active) > 50
    total = f"{len(active):,}"
    assert page.count_label.text() == f"{total} of {total} items, {len(overdue)} overdue"
    assert page.model.columnCount() == 10


def test_typing_in_the_search_field_filters_and_searches_comments(qtbot, page, reg):
    qtbot.keyClicks(page.search_edit, "copyright")
    assert keys(page) and all("copyright" in page.model.row_at(i).title.lower() for i in range(3))
    assert page.count_label.text().startswith(f"{page.model.rowCount()} of ")
    # A word only a comment holds is found through the database, after a short pause.
    target = item_id(reg, "nova/AIA-53-1-b")
    reg.write(register.add_comment, requirement_id=target, text="Zebracorn contract signed")
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "zebracorn")
    assert page.model.rowCount() == 0
    idle(qtbot, page)
    assert keys(page) == ["nova/AIA-53-1-b"]
    page.search_edit.clear()
    assert page.model.rowCount() == len(reg.read(queries.list_rows))


def test_ctrl_f_focuses_the_search_field(qtbot, page):
    page.table.setFocus()
    assert page.find_action.shortcut().toString() == "Ctrl+F"
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_edit.hasFocus()


def test_ctrl_f_is_left_to_a_window_that_has_its_own(qtbot, ctx):
    # Two Ctrl+F shortcuts would be ambiguous to Qt, and then neither would work.
    window = QMainWindow()
    find = QAction("Find in register", window)
    find.setShortcut(QKeySequence.StandardKey.Find)
    window.addAction(find)
    page = RegisterPage(ctx)
    window.setCentralWidget(page)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert page.find_action.shortcut().isEmpty()
    idle(qtbot, page)


def test_the_window_hears_how_many_items_are_overdue(qtbot, ctx, reg):
    overdue = reg.read(queries.list_rows, filters=queries.Filters(overdue=True))
    page = RegisterPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.overdue_count_changed, timeout=10_000) as signal:
        pass  # the page is loading already
    assert signal.args == [len(overdue)] and overdue
    idle(qtbot, page)


def test_status_owner_and_model_combos_filter(qtbot, page, reg, ctx):
    olga = person_id(reg, OLGA)
    for key in ("atlas/AIA-53-1-a", "nova/AIA-53-1-d"):
        changes = reg.write(register.assign, requirement_id=item_id(reg, key), owner_id=olga)
        ctx.announce(changes)
    idle(qtbot, page)
    choose(page.filter_bar.owner_combo, OLGA)
    assert sorted(keys(page)) == ["atlas/AIA-53-1-a", "nova/AIA-53-1-d"]
    choose(page.filter_bar.model_combo, "Nova")
    assert keys(page) == ["nova/AIA-53-1-d"]
    choose(page.filter_bar.owner_combo, "Unassigned")
    assert keys(page) and all(page.model.row_at(i).owner is None for i in range(5))
    assert all(k.startswith("nova/") for k in keys(page))
    page.filter_bar.model_combo.setCurrentIndex(0)
    page.filter_bar.owner_combo.setCurrentIndex(0)
    reg.write(
        register.change_status,
        requirement_id=item_id(reg, "atlas/AIA-53-1-a"),
        status=Status.IN_PROGRESS,
    )
    ctx.announce(None)
    idle(qtbot, page)
    choose(page.filter_bar.status_combo, "In progress")
    assert keys(page) == ["atlas/AIA-53-1-a"]
    choose(page.filter_bar.chapter_combo, "COP-SS-7")
    assert keys(page) == []


def test_clicking_headers_sorts_codes_naturally(qtbot, page):
    header = page.table.horizontalHeader()

    def click(column: int) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    click(rm.KEY)
    assert header.sortIndicatorSection() == rm.KEY
    ascending = keys(page)
    assert ascending.index("atlas/COP-SS-2.1") < ascending.index("atlas/COP-SS-10.1")
    click(rm.KEY)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert keys(page) == ascending[::-1]


def test_bulk_assign_is_one_undo_step_that_restores_the_register(qtbot, page, reg, ctx):
    choose(page.filter_bar.chapter_combo, "COP-SS-7")
    page.table.selectAll()
    chosen = keys(page)
    assert len(chosen) == 7 and page.assign_action.isEnabled()
    before = db_rows(reg)

    def fill() -> None:
        dialog = page.bulk_dialog
        choose(dialog.field, OLGA)
        dialog.ok_button.click()

    QTimer.singleShot(0, fill)
    page.assign_action.trigger()
    after = db_rows(reg)
    changed = {i for i in after if after[i].owner != before[i].owner}
    assert {after[i].key for i in changed} == set(chosen)
    assert {after[i].owner for i in changed} == {OLGA}
    assert ctx.undo.count() == 1
    idle(qtbot, page)
    assert {page.model.row_at(i).owner for i in range(7)} == {OLGA}
    assert len(page.selected_rows()) == 7  # the selection is kept

    ctx.undo.undo()
    undone = db_rows(reg)
    assert {i: r.owner_id for i, r in undone.items()} == {i: r.owner_id for i, r in before.items()}
    idle(qtbot, page)
    assert {page.model.row_at(i).owner for i in range(7)} == {None}
    ctx.undo.redo()
    assert {db_rows(reg)[i].owner for i in changed} == {OLGA}
    events = reg.read(queries.audit_rows, row_id=next(iter(changed)), entity="requirement")
    assert [(e.field, e.new) for e in events if e.field == "owner"][-3:] == [
        ("owner", OLGA),
        ("owner", None),
        ("owner", OLGA),
    ]


def test_bulk_due_date_and_its_undo(qtbot, page, reg, ctx):
    select(page, ["atlas/AIA-53-1-a", "nova/AIA-53-1-a"])
    before = db_rows(reg)
    page.set_due_selected(dt.date(2027, 3, 31))
    after = db_rows(reg)
    assert sorted(r.key for r in after.values() if r.due == dt.date(2027, 3, 31)) == [
        "atlas/AIA-53-1-a",
        "nova/AIA-53-1-a",
    ]
    ctx.undo.undo()
    assert {i: r.due for i, r in db_rows(reg).items()} == {i: r.due for i, r in before.items()}


def test_a_long_bulk_edit_shows_progress_and_can_be_stopped(qtbot, page, reg, ctx, monkeypatch):
    from gpaitracker.ui import bulk_edit

    monkeypatch.setattr(bulk_edit, "PROGRESS_FROM", 3)
    monkeypatch.setattr(bulk_edit, "PROGRESS_AFTER_MS", 0)
    choose(page.filter_bar.chapter_combo, "COP-SS-7")
    page.table.selectAll()
    said: list[str] = []
    ctx.bus.status_message.connect(said.append)

    def stop() -> None:
        progress = page.findChild(QProgressDialog)
        if progress is None:
            QTimer.singleShot(1, stop)
            return
        progress.cancel()

    QTimer.singleShot(0, stop)
    assert page.assign_selected(person_id(reg, OLGA)) is not None
    owned = [r for r in db_rows(reg).values() if r.owner == OLGA]
    assert 0 < len(owned) < 7
    assert said[-1] == f"Stopped after changing {len(owned)} of 7 items"
    ctx.undo.undo()  # undoes what was done, with no way to stop half way
    assert not [r for r in db_rows(reg).values() if r.owner == OLGA]


def test_a_refused_transition_names_the_items_and_the_rest_are_applied(qtbot, page, reg, ctx):
    olga = person_id(reg, OLGA)
    owned = item_id(reg, "atlas/AIA-53-1-a")
    ctx.announce(reg.write(register.assign, requirement_id=owned, owner_id=olga))
    idle(qtbot, page)
    select(page, ["atlas/AIA-53-1-a", "atlas/AIA-53-1-b", "nova/AIA-53-1-a"])

    def fill() -> None:
        choose(page.bulk_dialog.field, "In review")
        page.bulk_dialog.ok_button.click()

    QTimer.singleShot(0, fill)
    page.status_action.trigger()
    rows = db_rows(reg)
    assert rows[owned].status == Status.IN_REVIEW
    assert rows[item_id(reg, "atlas/AIA-53-1-b")].status == Status.NOT_STARTED
    box = page.refusal_box
    assert box is not None and box.isVisible()
    assert "2 of 3 items were not changed" in box.text()
    assert "atlas/AIA-53-1-b: " in box.text() and "nova/AIA-53-1-a: " in box.text()
    assert "owner" in box.text()  # the workflow's reason: submitting needs an owner
    box.accept()
    ctx.undo.undo()
    assert db_rows(reg)[owned].status == Status.NOT_STARTED


def test_a_bulk_action_refused_for_every_item_is_not_undoable(qtbot, page, reg, ctx, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    select(page, ["atlas/AIA-53-1-b", "nova/AIA-53-1-a"])
    assert page.change_status_selected(Status.DONE) is None
    assert ctx.undo.count() == 0
    assert shown and "2 of 2 items were not changed" in shown[0]


def test_items_that_no_longer_apply_are_hidden_until_asked_for(qtbot, page, reg, ctx):
    before = page.model.rowCount()
    atlas = reg.read(ai_models.list_models)[0]
    changes = reg.write(
        ai_models.update_model,
        model_id=atlas.id,
        training_flop=1e24,
        systemic_risk=False,
        confirm=True,
    )
    ctx.announce(changes)
    idle(qtbot, page)
    assert page.model.rowCount() < before
    assert "atlas/COP-SS-7.1" not in keys(page)
    qtbot.mouseClick(page.filter_bar.inactive_check, Qt.MouseButton.LeftButton)
    assert page.filter_bar.inactive_check.isChecked()
    row = keys(page).index("atlas/COP-SS-7.1")
    title = page.model.index(row, rm.TITLE)
    assert title.data(Qt.ItemDataRole.FontRole).italic()
    assert "no longer applies" in title.data(Qt.ItemDataRole.ToolTipRole)
    # Every item is back, and the provider-level items Nova's register holds through Atlas.
    assert page.model.rowCount() >= before


def test_column_layout_and_sort_are_restored(qtbot, ctx):
    page = open_page(qtbot, ctx)
    header = page.table.horizontalHeader()
    assert header.isSectionHidden(rm.REVIEWER)  # hidden until asked for
    header.resizeSection(rm.OWNER, 123)
    page.column_actions[rm.REVIEWER].setChecked(True)  # as from the header's menu
    page.column_actions[rm.DUE].setChecked(False)
    page.table.sortByColumn(rm.OWNER, Qt.SortOrder.DescendingOrder)
    page.hide()  # saves the layout
    assert QSettings().value(HEADER_KEY) is not None
    again = open_page(qtbot, ctx)
    restored = again.table.horizontalHeader()
    assert restored.sectionSize(rm.OWNER) == 123
    assert not restored.isSectionHidden(rm.REVIEWER) and restored.isSectionHidden(rm.DUE)
    assert again.column_actions[rm.REVIEWER].isChecked()
    assert not again.column_actions[rm.DUE].isChecked()
    assert restored.sortIndicatorSection() == rm.OWNER
    assert restored.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_a_change_made_on_the_command_line_shows_up(qtbot, page, reg, ctx):
    ran = run_main("assign", "nova/AIA-53-1-d", "--owner", OLGA, home=reg.home)
    assert ran.returncode == 0, ran.stderr
    ctx.announce(None)  # what the window does when it notices another writer
    idle(qtbot, page)
    row = page.model.row_at(keys(page).index("nova/AIA-53-1-d"))
    assert row.owner == OLGA


def test_a_partial_refresh_keeps_selection_and_scroll(qtbot, page, reg, ctx):
    page.resize(900, 300)
    select(page, ["nova/AIA-53-1-b"])
    row = keys(page).index("nova/AIA-53-1-b")
    page.table.selectionModel().setCurrentIndex(
        page.model.index(row, 0), page.table.selectionModel().SelectionFlag.NoUpdate
    )
    page.table.scrollTo(page.model.index(row, 0))
    scroll = page.table.verticalScrollBar().value()
    assert scroll > 0
    changes = reg.write(
        register.set_due, requirement_id=item_id(reg, "nova/AIA-53-1-b"), due=dt.date(2026, 1, 2)
    )
    ctx.announce(changes)
    idle(qtbot, page)
    assert page.model.row_at(row).due == dt.date(2026, 1, 2)
    assert page.table.verticalScrollBar().value() == scroll
    assert [page.model.row_at(i.row()).key for i in page.table.selectionModel().selectedRows()] == [
        "nova/AIA-53-1-b"
    ]


def test_moving_the_current_row_tells_the_other_views(qtbot, page, ctx):
    with qtbot.waitSignal(ctx.bus.item_selected) as signal:
        page.table.setCurrentIndex(page.model.index(4, rm.TITLE))
    assert signal.args == [page.model.row_at(4).id]
    with qtbot.waitSignal(ctx.bus.item_selected) as signal:
        qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert signal.args == [page.model.row_at(5).id]
    with qtbot.waitSignal(ctx.bus.item_selected) as signal:
        qtbot.keyClicks(page.search_edit, "no such item")
    assert signal.args == [None]


def drop(page: RegisterPage, row: int, paths: list[str]) -> bool:
    """Drop local paths on a row of the table; True if the table took them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
    rect = page.table.visualRect(page.model.index(row, rm.TITLE))
    event = QDropEvent(
        QPointF(rect.center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt delivers drop events only from a real drag; call the handler as Qt would.
    page.table.dropEvent(event)
    return event.isAccepted()  # while mime is alive: the event only points at it


@pytest.fixture
def fake_import(monkeypatch):
    calls = []
    module = types.ModuleType("gpaitracker.ui.evidence_drop")
    module.import_files = lambda ctx, requirement_id, paths, parent: calls.append(
        (requirement_id, [str(p) for p in paths], parent)
    )
    monkeypatch.setitem(sys.modules, "gpaitracker.ui.evidence_drop", module)
    return calls


def test_dropping_files_on_a_row_adds_them_as_its_evidence(qtbot, page, tmp_path, fake_import):
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4")
    assert drop(page, 2, [str(policy), str(tmp_path)])
    assert fake_import == [(page.model.row_at(2).id, [str(policy), str(tmp_path)], page)]


def test_read_only_mode_offers_no_bulk_actions_and_no_drops(qtbot, reg, fake_import, tmp_path):
    ctx = make_ctx(reg, read_only=True)
    page = open_page(qtbot, ctx)
    assert page.bulk_buttons == []
    assert page.table.contextMenuPolicy() != Qt.ContextMenuPolicy.ActionsContextMenu
    assert not page.table.acceptDrops()
    assert not page.assign_action.isEnabled()
    page.table.selectAll()
    assert not page.assign_action.isEnabled()
    assert page.assign_selected(None) is None
    assert not drop(page, 0, [str(tmp_path)])
    assert fake_import == []
    ctx.worker.wait_all()


def test_editing_mode_shows_the_bulk_buttons(page):
    assert [b.text() for b in page.bulk_buttons] == [
        "Assign owner…",
        "Set due date…",
        "Change status…",
    ]
    assert not any(b.isEnabled() for b in page.bulk_buttons)
    page.table.selectRow(0)
    assert all(b.isEnabled() for b in page.bulk_buttons)
