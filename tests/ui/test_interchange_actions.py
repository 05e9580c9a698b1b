"""File menu: export, import with its preview and column matching, back up, restore."""

import datetime as dt

import icalendar
import openpyxl
import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gpaitracker.services import audit_trail
from gpaitracker.ui.app import make_context
from gpaitracker.ui.import_dialogs import ColumnMappingDialog
from gpaitracker.ui.interchange_actions import InterchangeActions
from gpaitracker.ui.main_window import MainWindow
from tests.interchange.conftest import _demo_folder, demo_ws  # noqa: F401
from tests.interchange.helpers import items

KARIM = "karim.haddad@northwind.example"


@pytest.fixture
def window(qtbot, demo_ws, monkeypatch):  # noqa: F811
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    win = MainWindow(make_context(demo_ws))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.ctx.worker.cancel_all()
    win.ctx.worker.wait_all()


def finish(qtbot, actions: InterchangeActions):
    assert actions.task is not None
    qtbot.waitUntil(lambda: actions.task._done.is_set(), timeout=20_000)
    qtbot.wait(50)  # let the finished signal reach its slot


def test_file_menu_has_the_four_actions(window):
    menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in menu.actions() if a.text()]
    start = texts.index("&Export...")
    assert texts[start : start + 4] == ["&Export...", "&Import...", "Back &up...", "&Restore..."]
    assert texts[-1] == "&Quit"


def test_export_dialog_then_each_format(qtbot, window, tmp_path, monkeypatch):
    from gpaitracker.ui.export_dialog import ExportDialog

    actions = window.interchange
    chosen = {}

    def fake_exec(dialog):
        dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("ics"))
        dialog.path_edit.setText(str(tmp_path / "deadlines.ics"))
        dialog.model_combo.setCurrentIndex(dialog.model_combo.findText("Titan 1"))
        chosen["dialog"] = dialog
        return True

    monkeypatch.setattr(ExportDialog, "exec", fake_exec)
    actions.export_action.trigger()
    finish(qtbot, actions)
    events = icalendar.Calendar.from_ical((tmp_path / "deadlines.ics").read_bytes()).walk("VEVENT")
    assert events and all("titan-1/" in str(e["summary"]) for e in events)
    for fmt in ("xlsx", "csv", "json"):
        actions.export_to(tmp_path / f"r.{fmt}", fmt)
        finish(qtbot, actions)
        assert (tmp_path / f"r.{fmt}").stat().st_size > 0
    assert "Exported to" in window.statusBar().currentMessage()


def test_import_preview_then_apply(qtbot, window, demo_ws, tmp_path):  # noqa: F811
    actions = window.interchange
    actions.export_to(tmp_path / "r.xlsx", "xlsx")
    finish(qtbot, actions)
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "in_progress")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    sheet = book["items"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == key:
            row[header.index("due")].value = dt.datetime(2027, 9, 30)
        elif row[header.index("status")].value == "in_progress":
            row[header.index("owner")].value = "ghost@nowhere.example"
            break
    book.save(tmp_path / "r.xlsx")
    actions.import_file(tmp_path / "r.xlsx")
    finish(qtbot, actions)
    preview = actions.preview
    assert preview is not None and preview.isVisible()
    assert "1 changed, 1 rejected" in preview.summary.text()
    assert preview.model.rowCount() == 2
    assert not preview.apply_button.isEnabled()  # a rejected row: apply only if skipped
    preview.skip_invalid.setChecked(True)
    assert preview.apply_button.isEnabled()
    preview.apply_button.click()
    finish(qtbot, actions)
    assert actions.last_result.applied
    assert items(demo_ws)[key]["due"] == dt.date(2027, 9, 30)
    assert "Imported: 0 added, 1 changed" in window.statusBar().currentMessage()


def test_cancelling_the_preview_changes_nothing(qtbot, window, demo_ws, tmp_path):  # noqa: F811
    actions = window.interchange
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "in_progress")
    path = tmp_path / "e.csv"
    path.write_text(f"key,due\n{key},2027-09-30\n")
    before = items(demo_ws)
    actions.import_file(path)
    finish(qtbot, actions)
    actions.preview.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.wait(50)
    assert items(demo_ws) == before


def test_foreign_columns_are_matched_in_a_dialog(qtbot, window, demo_ws, tmp_path):  # noqa: F811
    actions = window.interchange
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "in_progress")
    path = tmp_path / "foreign.csv"
    path.write_text(f"Reference,Target date,Who\n{key},2027-10-01,{KARIM}\n")
    actions.import_file(path)
    finish(qtbot, actions)
    dialog = actions.mapping_dialog
    assert isinstance(dialog, ColumnMappingDialog) and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()  # no key column chosen yet
    for header, field in (("Reference", "key"), ("Target date", "due"), ("Who", "owner")):
        combo = dialog.combos[header]
        combo.setCurrentIndex(combo.findData(field))
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    finish(qtbot, actions)
    assert "1 changed" in actions.preview.summary.text()
    actions.preview.apply_button.click()
    finish(qtbot, actions)
    after = items(demo_ws)[key]
    assert after["due"] == dt.date(2027, 10, 1) and after["owner"] == KARIM


def test_back_up_and_restore_from_the_window(qtbot, window, tmp_path):
    actions = window.interchange
    actions.backup_to(tmp_path / "b.zip")
    finish(qtbot, actions)
    assert "Backed up to" in window.statusBar().currentMessage()
    actions.restore_from(tmp_path / "b.zip", tmp_path / "copy")
    finish(qtbot, actions)
    assert "Restored into" in window.statusBar().currentMessage()
    from gpaitracker.migrate import open_register

    register = open_register(tmp_path / "copy", create=False)
    try:
        assert audit_trail.check(register).ok
    finally:
        register.engine.dispose()


def test_restoring_over_the_open_register_is_refused(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    actions = window.interchange
    actions.backup_to(tmp_path / "b.zip")
    finish(qtbot, actions)
    actions.restore_from(tmp_path / "b.zip", window.ctx.ws.home)
    finish(qtbot, actions)
    assert shown and "cannot be replaced from the window" in shown[0]


def test_daily_backup_runs_after_the_window_opens(qtbot, window):
    from gpaitracker.services import backup_auto

    window.interchange.auto_timer.setInterval(0)
    window.interchange.auto_timer.start()
    qtbot.waitUntil(lambda: len(backup_auto.existing(window.ctx.ws.home)) == 1, timeout=20_000)
    qtbot.waitUntil(lambda: "Daily backup" in window.statusBar().currentMessage(), timeout=5_000)
