import os

# Qt aborts without a display; this must be set before any QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from gpaitracker.authz import Actor
from gpaitracker.db import Register
from gpaitracker.migrate import open_register
from gpaitracker.services import organisation
from gpaitracker.services.workspace import Workspace

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


@pytest.fixture(scope="session")
def _empty_register_file(tmp_path_factory) -> Path:
    """A freshly migrated, empty register, made once; migrating costs ~0.3 s per register."""
    folder = tmp_path_factory.mktemp("empty-register")
    open_register(folder).engine.dispose()
    return folder / "register.sqlite"


@pytest.fixture
def register(home, _empty_register_file) -> Register:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_empty_register_file, home / "register.sqlite")
    reg = open_register(home)
    yield reg
    reg.engine.dispose()


@pytest.fixture
def ws(register) -> Workspace:
    """A workspace on the test's register, acting as its first admin."""
    return Workspace(register)


@pytest.fixture
def org_ws(ws) -> Workspace:
    """A register with an organisation (signatory, EU) and its first admin."""
    ws.create(
        organisation.create_register,
        name="Provider SA",
        admin_name="Ada Admin",
        admin_email=ADMIN_EMAIL,
        signatory=True,
    )
    return ws


@pytest.fixture
def org_register(org_ws) -> Register:
    return org_ws.register


@pytest.fixture
def admin(org_ws) -> Actor:
    return org_ws.actor()


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_main(*args: str, home: Path, env: dict[str, str] | None = None) -> Ran:
    """Run the command line in this process, as `gpaitracker ARGS` would, and capture it."""
    from gpaitracker.cli.main import main

    saved = dict(os.environ)
    os.environ["GPAITRACKER_HOME"] = str(home)
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Ran(code, out.getvalue(), err.getvalue())


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
