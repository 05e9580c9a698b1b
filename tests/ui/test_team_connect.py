"""The "Connect to team server" dialog against a real server; the password never in a file."""

import gc

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy.engine import make_url

from gpaitracker.services import credentials
from gpaitracker.ui import team_connect
from gpaitracker.ui.team_connect import TeamConnectDialog
from tests.team.helpers import PASSWORD

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread():
    """Qt objects left in reference cycles are freed here, not by a collection that happens
    to run in a worker thread of a later window (PySide6 crashes on that)."""
    gc.collect()
    yield
    gc.collect()


@pytest.fixture
def server(pg_team):
    return make_url(pg_team.owner_url)


class FakeKeyring:
    def __init__(self):
        self.saved = {}


@pytest.fixture
def keyring(monkeypatch):
    fake = FakeKeyring()
    monkeypatch.setattr(credentials, "keyring_available", lambda: True)
    monkeypatch.setattr(credentials, "saved_password", lambda name: fake.saved.get(name))

    def save(name, password):
        fake.saved[name] = password
        return True

    monkeypatch.setattr(credentials, "save_password", save)
    monkeypatch.setattr(credentials, "forget_password", lambda name: fake.saved.pop(name, None))
    return fake


def _fill(dialog, server, password=PASSWORD, user="olga"):
    dialog.host_edit.setText(server.host)
    dialog.port_spin.setValue(server.port)
    dialog.database_edit.setText(server.database)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)


def _connect(qtbot, dialog):
    """Click Connect and wait for the background connection to end either way."""
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=20_000)


def _settings_text(tmp_path):
    return "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*.ini"))


def test_connects_as_the_login_and_keeps_no_password_in_settings(qtbot, server, tmp_path):
    dialog = TeamConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, server)
    _connect(qtbot, dialog)
    assert dialog.result() == TeamConnectDialog.DialogCode.Accepted, dialog.error_label.text()
    assert dialog.workspace.actor().email == "olga@provider.eu"
    dialog.workspace.close()
    QSettings().sync()
    text = _settings_text(tmp_path)
    assert "olga" in text and server.database in text and PASSWORD not in text
    again = TeamConnectDialog()
    qtbot.addWidget(again)
    assert again.user_edit.text() == "olga" and again.password_edit.text() == ""


def test_wrong_password_is_shown_and_the_dialog_stays(qtbot, server):
    dialog = TeamConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, server, password="not the password")
    _connect(qtbot, dialog)
    assert "refused the login" in dialog.error_label.text()
    assert dialog.workspace is None and dialog.result() == 0


def test_cancel_while_connecting_keeps_nothing_open(qtbot, server):
    dialog = TeamConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, server)
    dialog.connect_button.click()
    dialog.reject()
    assert dialog.task.wait(20)
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=5_000)
    assert dialog.workspace is None and dialog.result() == 0


def test_without_a_keyring_the_box_is_off(qtbot, monkeypatch):
    monkeypatch.setattr(credentials, "keyring_available", lambda: False)
    dialog = TeamConnectDialog()
    qtbot.addWidget(dialog)
    assert not dialog.remember_check.isEnabled() and not dialog.remember_check.isChecked()


def test_password_kept_in_the_keyring_only_when_asked(qtbot, server, keyring, tmp_path):
    dialog = TeamConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, server)
    dialog.remember_check.setChecked(True)
    _connect(qtbot, dialog)
    dialog.workspace.close()
    assert list(keyring.saved.values()) == [PASSWORD]
    QSettings().sync()
    assert PASSWORD not in _settings_text(tmp_path)
    again = TeamConnectDialog()
    qtbot.addWidget(again)
    assert again.remember_check.isChecked() and again.password_edit.text() == PASSWORD
    again.remember_check.setChecked(False)
    _connect(qtbot, again)
    again.workspace.close()
    assert keyring.saved == {}


def test_file_menu_opens_a_window_on_the_server(qtbot, server, org_ws, monkeypatch):
    from PySide6.QtWidgets import QMainWindow

    from gpaitracker.ui import main_window
    from gpaitracker.ui.app import make_context

    window = main_window.MainWindow(make_context(org_ws))
    qtbot.addWidget(window)
    window.show()
    opened_on = []

    class Opened(QMainWindow):  # stands in for the second main window
        def __init__(self, ctx):
            super().__init__()
            opened_on.append(ctx)

    def run(dialog):
        _fill(dialog, server, user="eve")
        _connect(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(TeamConnectDialog, "exec", run)
    monkeypatch.setattr(main_window, "MainWindow", Opened)
    window.team_action.trigger()
    opened = team_connect._open_windows.pop()
    qtbot.addWidget(opened)
    assert opened.isVisible() and not window.isVisible()
    ctx = opened_on[0]
    assert ctx.actor.email == "eve@provider.eu" and not ctx.may_edit  # an executive reads
    assert ctx.ws.url.startswith("postgresql+psycopg://eve:***@")
    ctx.ws.close()
    window.ctx.worker.wait_all(10_000)
