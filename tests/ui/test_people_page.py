import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gpaitracker.enums import Role
from gpaitracker.services import people
from gpaitracker.ui.app import make_context
from gpaitracker.ui.people_page import PeoplePage
from tests.services.helpers import add_people, as_person, person_id


def make_ctx(ws, read_only=False):
    return make_context(ws, read_only=read_only)  # the context the window runs with


@pytest.fixture
def ctx(qtbot, org_ws):
    add_people(org_ws)
    ctx = make_ctx(org_ws)
    yield ctx
    ctx.worker.wait_all()


@pytest.fixture
def page(qtbot, ctx):
    page = PeoplePage(ctx)
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


def select(page, email):
    page.view.selectRow(page.model.find(lambda r: r.email == email))


def test_people_are_listed(qtmodeltester, page):
    qtmodeltester.check(page.model)
    assert texts(page, 0) == ["Ada Admin", "Eve", "Olga", "Rita"]
    assert texts(page, 2) == ["Admin", "Executive (read-only)", "Officer", "Reviewer"]
    assert texts(page, 3) == ["yes"] * 4


def test_add_person(qtbot, org_ws, page):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog.isVisible() and not dialog.active_check.isVisibleTo(dialog)
    type_into(qtbot, dialog.name_edit, "Karim")
    type_into(qtbot, dialog.email_edit, "karim@")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "email 'karim@' is not an email address" in (
        dialog.error_label.text()
    )
    type_into(qtbot, dialog.email_edit, "Karim@Provider.eu")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("reviewer"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    karim = org_ws.read(people.get, person_id=person_id(org_ws, "karim@provider.eu"))
    assert (karim.name, karim.role, karim.active) == ("Karim", Role.REVIEWER, True)
    assert "karim@provider.eu" in texts(page, 1)
    assert page.selected().email == "karim@provider.eu"


def test_edit_role_then_undo_and_redo_restore_the_register(qtbot, org_ws, ctx, page):
    olga_id = person_id(org_ws, "olga@provider.eu")
    before = org_ws.read(people.get, person_id=olga_id)
    select(page, "olga@provider.eu")
    qtbot.keyClick(page.view, Qt.Key.Key_F2)
    dialog = page.dialog
    assert dialog.isVisible() and dialog.name_edit.text() == "Olga"
    dialog.role_combo.setFocus()
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("reviewer"))
    type_into(qtbot, dialog.name_edit, "Olga Lind")
    qtbot.keyClick(dialog.active_check, Qt.Key.Key_Space)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    def state():
        row = org_ws.read(people.get, person_id=olga_id)
        return row.name, row.role, row.active

    assert state() == ("Olga Lind", Role.REVIEWER, False)
    assert "Olga Lind" in texts(page, 0)
    ctx.undo.undo()
    assert state() == (before.name, before.role, before.active)
    assert "Olga" in texts(page, 0) and "Olga Lind" not in texts(page, 0)
    ctx.undo.redo()
    assert state() == ("Olga Lind", Role.REVIEWER, False)


def test_undo_refuses_a_person_changed_meanwhile(qtbot, org_ws, ctx, page, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    rita_id = person_id(org_ws, "rita@provider.eu")
    select(page, "rita@provider.eu")
    page.edit_action.trigger()
    page.dialog.role_combo.setCurrentIndex(page.dialog.role_combo.findData("officer"))
    qtbot.mouseClick(page.dialog.save_button, Qt.MouseButton.LeftButton)
    org_ws.write(people.update_person, person_id=rita_id, name="Rita R")  # someone else
    ctx.undo.undo()
    assert warnings and "was changed by" in warnings[0]
    row = org_ws.read(people.get, person_id=rita_id)
    assert (row.name, row.role) == ("Rita R", Role.OFFICER)


def test_only_admins_see_the_editing_controls(qtbot, org_ws):
    add_people(org_ws)
    ctx = make_ctx(as_person(org_ws, "olga@provider.eu"))  # an officer
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    select(page, "rita@provider.eu")
    assert not page.add_button.isVisible() and not page.edit_button.isVisible()
    assert page.admin_note.isVisible()
    page.edit_action.trigger()
    page.view.activated.emit(page.model.index(0, 0))
    assert page.dialog is None
