"""Export board report from the window: models, as-of, identity, progress, preview, Open."""

import stat
import subprocess

import pytest
from PySide6.QtCore import QDate, Qt

from gpaitracker.reports.identity import (
    create_identity,
    default_identity_path,
    export_certificate,
)
from gpaitracker.reports.signing import verify_pdf
from gpaitracker.services import demo, report_export
from gpaitracker.ui import messages, report_dialog
from gpaitracker.ui.app import make_context
from gpaitracker.ui.identity_dialog import NewIdentityDialog
from gpaitracker.ui.main_window import MainWindow

EMAIL = "olga@provider.eu"
SECRET = "board-2026-passphrase"


@pytest.fixture
def ws(ws):
    ws.create(demo.create, store=ws.store, admin_name="Olga", admin_email=EMAIL)
    return ws


@pytest.fixture
def window(qtbot, ws):
    window = MainWindow(make_context(ws))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        messages.QMessageBox, "warning", lambda _parent, _title, text: shown.append(text)
    )
    return shown


@pytest.fixture
def opened(monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(
        report_dialog.QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile())
    )
    return urls


def _open_dialog(qtbot, window):
    window.report_action.trigger()
    dialog = window.reports_page.dialog
    qtbot.waitExposed(dialog)
    return dialog


def _make(qtbot, dialog):
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task.wait(0), timeout=60_000)
    qtbot.wait(50)  # the finished signal reaches the dialog


def test_export_makes_a_signed_report_with_a_preview_and_opens_it(
    qtbot, window, ws, tmp_path, opened
):
    key = create_identity(
        "Olga Officer", EMAIL, SECRET, default_identity_path(ws.home, EMAIL), key_type="ec"
    )
    dialog = _open_dialog(qtbot, window)
    assert dialog.sign_check.isChecked() and dialog.identity() == key.path
    out = tmp_path / "board.pdf"
    dialog.path_edit.setText(str(out))
    qtbot.keyClicks(dialog.passphrase_edit, SECRET)
    _make(qtbot, dialog)

    assert dialog.made is not None and dialog.made.path == out
    verdict = verify_pdf(out.read_bytes(), [export_certificate(key.path, SECRET)])
    assert verdict.ok and "Olga Officer" in (verdict.signer or "")
    assert dialog.preview_label.pixmap() is not None and not dialog.preview_label.pixmap().isNull()
    assert "Report 1 saved, signed by Olga Officer" in dialog.result_label.text()
    assert dialog.passphrase_edit.text() == ""  # the passphrase is not kept
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Northwind" in text
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(out), str(tmp_path)]
    dialog.reject()
    table = window.reports_page.table
    assert table.rowCount() == 1 and table.item(0, 0).text() == "1"
    assert table.item(0, 4).text() == "Olga Officer"
    assert ws.read(report_export.list_reports)[0].pdf_sha256 == dialog.made.sha256


def test_one_model_on_an_earlier_day_unsigned(qtbot, window, ws, tmp_path):
    dialog = _open_dialog(qtbot, window)
    dialog.sign_check.setChecked(False)
    for n in range(1, dialog.models_list.count()):
        dialog.models_list.item(n).setCheckState(Qt.CheckState.Unchecked)
    first = dialog.models_list.item(0)
    dialog.as_of_edit.setDate(QDate.currentDate().addDays(-1))
    out = tmp_path / "one model.pdf"
    dialog.path_edit.setText(str(out))
    _make(qtbot, dialog)
    assert dialog.made is not None and dialog.made.signer == ""
    assert not verify_pdf(out.read_bytes(), None).signed
    [issued] = ws.read(report_export.list_reports)
    assert issued.as_of == QDate.currentDate().addDays(-1).toPython()
    assert dialog.chosen_models() == (first.data(Qt.ItemDataRole.UserRole),)


def test_wrong_passphrase_or_no_model_saves_nothing(qtbot, window, ws, tmp_path, warnings):
    create_identity(
        "Olga Officer", EMAIL, SECRET, default_identity_path(ws.home, EMAIL), key_type="ec"
    )
    dialog = _open_dialog(qtbot, window)
    out = tmp_path / "board.pdf"
    dialog.path_edit.setText(str(out))
    qtbot.keyClicks(dialog.passphrase_edit, "not the passphrase")
    _make(qtbot, dialog)
    assert dialog.made is None and not out.exists()
    assert warnings and "passphrase" in warnings[-1]
    assert dialog.make_button.isEnabled()
    for n in range(dialog.models_list.count()):
        dialog.models_list.item(n).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert "no model is chosen" in warnings[-1]
    assert ws.read(report_export.list_reports) == []


def test_new_identity_from_the_dialog_is_owner_only_and_chosen(qtbot, window, ws):
    dialog = _open_dialog(qtbot, window)
    assert dialog.identity_combo.count() == 0 and not dialog.export_cert_button.isEnabled()
    maker = NewIdentityDialog(window.ctx, dialog)
    qtbot.addWidget(maker)
    maker.key_combo.setCurrentIndex(maker.key_combo.findData("ec"))
    qtbot.keyClicks(maker.passphrase_edit, SECRET)
    qtbot.keyClicks(maker.repeat_edit, SECRET)
    qtbot.mouseClick(maker.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: maker.created is not None, timeout=20_000)
    assert maker.created == default_identity_path(ws.home, EMAIL)
    assert stat.S_IMODE(maker.created.stat().st_mode) == 0o600
    dialog._fill_identities(maker.created)
    assert dialog.identity() == maker.created and dialog.export_cert_button.isEnabled()


def test_differing_passphrases_create_nothing(qtbot, window, ws, warnings):
    maker = NewIdentityDialog(window.ctx, window)
    qtbot.addWidget(maker)
    qtbot.keyClicks(maker.passphrase_edit, SECRET)
    qtbot.keyClicks(maker.repeat_edit, SECRET + "x")
    qtbot.mouseClick(maker.create_button, Qt.MouseButton.LeftButton)
    assert "differ" in warnings[-1] and maker.created is None
    assert not default_identity_path(ws.home, EMAIL).exists()


def test_read_only_may_not_make_a_report(qtbot, ws):
    window = MainWindow(make_context(ws, read_only=True))
    qtbot.addWidget(window)
    assert not window.report_action.isEnabled()
    assert not window.reports_page.export_button.isEnabled()
