import os

# Qt aborts without a display; this must be set before any QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from gpaitracker.db import Register, session_scope  # noqa: E402
from gpaitracker.migrate import open_register  # noqa: E402
from gpaitracker.models import Person  # noqa: E402
from gpaitracker.services import organisation, people  # noqa: E402

ADMIN_EMAIL = "ada@provider.eu"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own register folder and settings; nothing touches the user's."""
    home = tmp_path / "home"
    monkeypatch.setenv("GPAITRACKER_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("GPAITRACKER_DB", raising=False)
    monkeypatch.delenv("GPAITRACKER_USER", raising=False)
    monkeypatch.setenv("GPAITRACKER_BUSY_TIMEOUT_MS", "300")
    return home


@pytest.fixture
def home(_isolated_home) -> Path:
    return _isolated_home


@pytest.fixture
def register(home) -> Register:
    reg = open_register(home)
    yield reg
    reg.engine.dispose()


@pytest.fixture
def org_register(register) -> Register:
    """A register with an organisation (signatory, EU) and its first admin."""
    with session_scope(register, write=True) as s:
        organisation.create_register(
            session=s,
            name="Provider SA",
            admin_name="Ada Admin",
            admin_email=ADMIN_EMAIL,
            signatory=True,
        )
    return register


@pytest.fixture
def admin(org_register) -> Person:
    with session_scope(org_register) as s:
        return people.get_by_email(session=s, email=ADMIN_EMAIL)


def run_cli(*args: str, home: Path, env: dict[str, str] | None = None, stdin: str | None = None):
    """Run the installed command line as a user would, in a subprocess."""
    full_env = dict(os.environ)
    full_env["GPAITRACKER_HOME"] = str(home)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gpaitracker", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=stdin,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def _fresh_qsettings(tmp_path, request):
    """Qt settings go to a per-test folder, so window layouts never leak between tests."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("gpaitracker-tests")
    QCoreApplication.setApplicationName("gpaitracker")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    yield
