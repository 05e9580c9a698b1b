import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from gpaitracker.enums import Role
from gpaitracker.services import ai_models, organisation, people, queries
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.wizard import FirstRunWizard


@pytest.fixture
def wizard(qtbot, home):
    ws = Workspace.open(home)
    wizard = FirstRunWizard(ws)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    yield wizard
    wizard.worker.wait_all()
    ws.close()


def type_into(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def next_page(qtbot, wizard):
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)


def test_wizard_creates_the_register_its_admin_and_first_model(qtbot, wizard):
    org_page = wizard.organisation_page
    type_into(qtbot, org_page.name_edit, "Provider SA")
    qtbot.keyClick(org_page.non_eu_check, Qt.Key.Key_Space)
    qtbot.keyClick(org_page.signatory_check, Qt.Key.Key_Space)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.person_page

    type_into(qtbot, wizard.person_page.name_edit, "Olga Officer")
    type_into(qtbot, wizard.person_page.email_edit, "Olga@Provider.eu")
    next_page(qtbot, wizard)
    model_page = wizard.model_page
    assert wizard.currentPage() is model_page

    type_into(qtbot, model_page.name_edit, "Atlas 2")
    type_into(qtbot, model_page.version_edit, "2.0")
    model_page.placed_edit.setFocus()
    qtbot.keyClicks(model_page.placed_edit, "20250901")
    assert model_page.placed_edit.date().toPython() == dt.date(2025, 9, 1)
    type_into(qtbot, model_page.flop_edit, "3e25")
    assert "presumed to have systemic risk" in model_page.flop_hint.text()
    with qtbot.waitSignal(wizard.accepted, timeout=20_000):
        qtbot.mouseClick(wizard.finish_button, Qt.MouseButton.LeftButton)

    assert wizard.created_admin_email == "olga@provider.eu"
    assert not wizard.created_demo
    ws = wizard.ws
    org = ws.read(organisation.get)
    assert (org.name, org.non_eu, org.sme, org.signatory) == ("Provider SA", True, False, True)
    admin = ws.read(people.get, person_id=ws.read(people.first_admin_id))
    assert (admin.name, admin.email, admin.role) == ("Olga Officer", "olga@provider.eu", Role.ADMIN)
    [model] = ws.read(ai_models.list_models)
    assert (model.name, model.version, model.training_flop) == ("Atlas 2", "2.0", 3e25)
    assert model.placed_on_market == dt.date(2025, 9, 1)
    assert model.systemic_risk and model.item_count > 0
    assert ws.actor().email == "olga@provider.eu"
    assert len(ws.read(queries.list_rows)) == model.item_count


def test_wizard_names_the_field_that_is_wrong(qtbot, wizard):
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.organisation_page
    assert "organisation name must not be empty" in wizard.organisation_page.error_label.text()
    assert wizard.organisation_page.error_label.isVisible()

    type_into(qtbot, wizard.organisation_page.name_edit, "Provider SA")
    next_page(qtbot, wizard)
    type_into(qtbot, wizard.person_page.name_edit, "Olga")
    type_into(qtbot, wizard.person_page.email_edit, "not an email")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.person_page
    assert "is not an email address" in wizard.person_page.error_label.text()

    type_into(qtbot, wizard.person_page.email_edit, "olga@provider.eu")
    next_page(qtbot, wizard)
    type_into(qtbot, wizard.model_page.name_edit, "Atlas")
    type_into(qtbot, wizard.model_page.flop_edit, "lots")
    qtbot.mouseClick(wizard.finish_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.model_page
    assert "training compute 'lots' is not a number of FLOP" in (
        wizard.model_page.error_label.text()
    )
    assert wizard.task is None and not wizard.ws.read(organisation.exists)


def test_wizard_is_keyboard_complete(qtbot, wizard):
    qtbot.keyClicks(wizard.organisation_page.name_edit, "Provider SA")
    qtbot.keyClick(wizard.organisation_page.name_edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.person_page
    qtbot.keyClicks(wizard.person_page.name_edit, "Olga")
    qtbot.keyClick(wizard.person_page.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(wizard.focusWidget(), "olga@provider.eu")
    assert wizard.person_page.email_edit.text() == "olga@provider.eu"
    qtbot.keyClick(wizard.person_page.email_edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.model_page
    qtbot.keyClicks(wizard.model_page.name_edit, "Atlas")
    with qtbot.waitSignal(wizard.accepted, timeout=20_000):
        qtbot.keyClick(wizard.model_page.name_edit, Qt.Key.Key_Return)
    assert [m.name for m in wizard.ws.read(ai_models.list_models)] == ["Atlas"]


def test_wizard_opens_the_demo_register_instead(qtbot, wizard):
    next_page(qtbot, wizard)  # refused: no organisation name; the demo needs none
    type_into(qtbot, wizard.organisation_page.name_edit, "ignored")
    next_page(qtbot, wizard)
    type_into(qtbot, wizard.person_page.name_edit, "Olga Officer")
    type_into(qtbot, wizard.person_page.email_edit, "olga@provider.eu")
    with qtbot.waitSignal(wizard.accepted, timeout=30_000):
        qtbot.mouseClick(wizard.demo_button, Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Accepted.value
    assert wizard.created_demo and wizard.created_admin_email == "olga@provider.eu"
    ws = wizard.ws
    assert ws.read(organisation.get).name == "Northwind AI SA"
    assert len(ws.read(ai_models.list_models)) == 3
    assert ws.actor().email == "olga@provider.eu"


def test_demo_without_a_person_uses_the_system_user(qtbot, wizard):
    with qtbot.waitSignal(wizard.accepted, timeout=30_000):
        qtbot.mouseClick(wizard.demo_button, Qt.MouseButton.LeftButton)
    assert wizard.created_admin_email and wizard.created_admin_email.endswith(".local")
    assert wizard.ws.actor().role == Role.ADMIN
