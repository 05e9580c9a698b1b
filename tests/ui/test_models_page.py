import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from gpaitracker.enums import Role
from gpaitracker.services import ai_models, people
from gpaitracker.ui.app import make_context
from gpaitracker.ui.models_page import ModelsPage
from tests.services.helpers import add_model, as_person


def make_ctx(ws, read_only=False):
    return make_context(ws, read_only=read_only)  # the context the window runs with


@pytest.fixture
def ctx(qtbot, org_ws):
    ctx = make_ctx(org_ws)
    yield ctx
    ctx.worker.wait_all()


@pytest.fixture
def page(qtbot, ctx):
    page = ModelsPage(ctx)
    ctx.bus.changed.connect(page.refresh)
    qtbot.addWidget(page)
    page.show()
    return page


def texts(page, column):
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def type_into(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def model_named(ws, name):
    return next(m for m in ws.read(ai_models.list_models) if m.name == name)


def test_models_are_listed_with_their_facts(qtbot, qtmodeltester, org_ws, ctx):
    add_model(org_ws, name="Titan", training_flop="3e25", open_source=True)
    add_model(org_ws, name="Atlas", placed_on_market="2024-06-01")
    page = ModelsPage(ctx)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    assert texts(page, 0) == ["Atlas", "Titan"]
    assert texts(page, 2) == ["2024-06-01", "2025-09-01"]
    assert texts(page, 3) == ["", "3e25"]
    assert texts(page, 4) == ["", "yes"]
    assert texts(page, 5) == ["", "yes (compute)"]
    assert int(texts(page, 6)[1]) == model_named(org_ws, "Titan").item_count > 0
    page.view.selectRow(1)
    page.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert texts(page, 0) == ["Titan", "Atlas"]
    assert page.selected().name == "Titan"  # the selection follows its row
    page.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    assert texts(page, 0) == ["Titan", "Atlas"]  # unknown compute last either way


def test_add_model_through_the_dialog(qtbot, org_ws, page):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "model name must not be empty" in dialog.error_label.text()

    type_into(qtbot, dialog.name_edit, "Atlas 2")
    type_into(qtbot, dialog.version_edit, "1.0")
    dialog.placed_edit.setDate(QDate(2025, 9, 1))
    type_into(qtbot, dialog.flop_edit, "8e24")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    model = model_named(org_ws, "Atlas 2")
    assert (model.version, model.placed_on_market, model.training_flop) == (
        "1.0",
        dt.date(2025, 9, 1),
        8e24,
    )
    assert texts(page, 0) == ["Atlas 2"]
    assert page.selected().id == model.id


def test_a_duplicate_name_is_refused_in_the_dialog(qtbot, org_ws, page):
    add_model(org_ws, name="Atlas 2")
    page.add_action.trigger()
    type_into(qtbot, page.dialog.name_edit, "Atlas 2")
    qtbot.mouseClick(page.dialog.save_button, Qt.MouseButton.LeftButton)
    assert page.dialog.isVisible()
    assert "model name 'Atlas 2' is already used" in page.dialog.error_label.text()


def test_renaming_is_undoable(qtbot, org_ws, ctx, page):
    add_model(org_ws, name="Atlas", version="1")
    page.refresh(None)
    page.view.selectRow(0)
    page.edit_action.trigger()
    dialog = page.dialog
    assert not dialog.plan_box.isVisibleTo(dialog)
    type_into(qtbot, dialog.name_edit, "Atlas Pro")
    type_into(qtbot, dialog.version_edit, "2")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    model = ws_model = model_named(org_ws, "Atlas Pro")
    assert ws_model.version == "2"
    assert texts(page, 0) == ["Atlas Pro"]

    ctx.undo.undo()
    model = org_ws.read(ai_models.get, model_id=model.id)
    assert (model.name, model.version) == ("Atlas", "1")
    assert texts(page, 0) == ["Atlas"]
    ctx.undo.redo()
    model = org_ws.read(ai_models.get, model_id=model.id)
    assert (model.name, model.version) == ("Atlas Pro", "2")


def test_changing_facts_shows_the_rescope_plan_and_needs_confirmation(qtbot, org_ws, ctx, page):
    model_id = add_model(org_ws, name="Atlas", training_flop="8e24")
    before = org_ws.read(ai_models.get, model_id=model_id).item_count
    page.refresh(None)
    page.view.selectRow(0)
    page.edit_action.trigger()
    dialog = page.dialog
    type_into(qtbot, dialog.flop_edit, "3e25")
    assert dialog.plan_box.isVisible()
    assert "atlas/AIA-55-1-a: newly applies" in dialog.plan_view.toPlainText()
    assert not dialog.save_button.isEnabled()
    assert "cannot be undone" in " ".join(
        label.text() for label in dialog.plan_box.findChildren(type(dialog.note_label))
    )

    qtbot.keyClick(dialog.confirm_check, Qt.Key.Key_Space)
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    model = org_ws.read(ai_models.get, model_id=model_id)
    assert model.training_flop == 3e25 and model.systemic_risk
    assert model.item_count > before
    assert texts(page, 5) == ["yes (compute)"]
    assert ctx.undo.count() == 0  # a re-scope is confirmed, not undone


def test_setting_facts_back_hides_the_plan(qtbot, org_ws, page):
    add_model(org_ws, name="Atlas", training_flop="8e24")
    page.refresh(None)
    page.view.selectRow(0)
    page.edit_action.trigger()
    dialog = page.dialog
    qtbot.keyClick(dialog.systemic_check, Qt.Key.Key_Space)
    assert dialog.plan_box.isVisible() and dialog.save_button.text() == "Re-scope and save"
    qtbot.keyClick(dialog.systemic_check, Qt.Key.Key_Space)
    assert not dialog.plan_box.isVisible() and dialog.save_button.isEnabled()


def test_retire_and_undo(qtbot, org_ws, ctx, page):
    model_id = add_model(org_ws, name="Atlas")
    page.refresh(None)
    page.view.selectRow(0)
    assert page.retire_button.text() == "Retire"
    page.retire_action.trigger()
    box = page.confirm_box
    assert "atlas: retire model Atlas" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert org_ws.read(ai_models.get, model_id=model_id).retired
    assert texts(page, 7) == ["yes"]
    assert page.retire_action.text() == "&Bring back…"
    ctx.undo.undo()
    assert not org_ws.read(ai_models.get, model_id=model_id).retired


def test_retire_can_be_cancelled(qtbot, org_ws, page):
    model_id = add_model(org_ws, name="Atlas")
    page.refresh(None)
    page.view.selectRow(0)
    page.retire_action.trigger()
    qtbot.mouseClick(
        page.confirm_box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert not org_ws.read(ai_models.get, model_id=model_id).retired


def test_read_only_people_see_no_editing_controls(qtbot, org_ws):
    add_model(org_ws, name="Atlas")
    org_ws.write(people.add_person, name="Eve", email="eve@provider.eu", role=Role.EXECUTIVE)
    ctx = make_ctx(as_person(org_ws, "eve@provider.eu"))
    page = ModelsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.view.selectRow(0)
    assert not any(b.isVisible() for b in (page.add_button, page.edit_button, page.retire_button))
    assert not page.edit_action.isEnabled() and not page.add_action.isEnabled()
    page.edit_action.trigger()
    assert page.dialog is None


def test_refresh_ignores_changes_to_other_kinds(qtbot, org_ws, page):
    from gpaitracker.changes import Changes

    add_model(org_ws, name="Atlas")
    page.refresh(Changes.of([("person", 1)]))
    assert page.model.rowCount() == 0
    page.refresh(Changes.of([("model", 1)]))
    assert page.model.rowCount() == 1


def test_selecting_a_model_shows_what_its_facts_mean_and_what_was_assumed(qtbot, org_ws, ctx):
    add_model(org_ws, name="Titan", placed_on_market="2025-12-15", training_flop="4e25")
    page = ModelsPage(ctx)
    qtbot.addWidget(page)
    page.select(model_named(org_ws, "Titan").id)
    text = page.standing_label.text()
    assert "presumed to have systemic risk" in text
    assert "Warning: threshold date not recorded" in text and "2025-12-29" in text
