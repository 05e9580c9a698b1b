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


@pytest.fixture(autouse=True)
def _qt_garbage_on_the_gui_thread(request):
    """As in the app (gpaitracker.ui.gc_guard): no automatic collection while a Qt test runs,
    so a worker thread never frees a Qt object; what the test left is collected here, on the
    GUI thread, once its widgets are closed."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()


# PostgreSQL: one throwaway cluster per test run, started on first use and stopped at the end.
# Missing server binaries fail the tests that need them, with the reason: they never skip.


@pytest.fixture(scope="session")
def pg_cluster():
    from tests.pg_cluster import start_cluster

    cluster = start_cluster()
    yield cluster
    cluster.destroy()


def pg_admin_execute(cluster, *statements: str, database: str = "postgres") -> None:
    """Run statements as the cluster's superuser, outside a transaction."""
    import psycopg

    with psycopg.connect(
        host="127.0.0.1",
        port=cluster.port,
        user="postgres",
        password=cluster.password,
        dbname=database,
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="session")
def _pg_template(pg_cluster, tmp_path_factory) -> str:
    """A migrated, empty register database that each test's database is copied from."""
    pg_admin_execute(pg_cluster, "CREATE DATABASE gpai_template")
    reg = open_register(tmp_path_factory.mktemp("pg-template"), pg_cluster.url("gpai_template"))
    reg.engine.dispose()
    return "gpai_template"


_pg_counter = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(pg_cluster, _pg_template) -> str:
    """A superuser URL of a fresh, migrated register database of this test's own."""
    name = f"gpai_test_{next(_pg_counter)}"
    pg_admin_execute(pg_cluster, f"CREATE DATABASE {name} TEMPLATE {_pg_template}")
    yield pg_cluster.url(name)
    pg_admin_execute(pg_cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_empty_url(pg_cluster) -> str:
    """A superuser URL of an empty database (no register yet)."""
    name = f"gpai_empty_{next(_pg_counter)}"
    pg_admin_execute(pg_cluster, f"CREATE DATABASE {name}")
    yield pg_cluster.url(name)
    pg_admin_execute(pg_cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def _pg_team_template(pg_cluster, tmp_path_factory) -> str:
    """The example register on the server with its roles and a login per role, made once."""
    from tests.team.helpers import make_team

    pg_admin_execute(pg_cluster, "CREATE DATABASE gpai_team_template")
    make_team(
        pg_cluster.url("gpai_team_template"), tmp_path_factory.mktemp("team-template"), demo=True
    )
    return "gpai_team_template"


@pytest.fixture
def pg_team(pg_cluster, _pg_team_template, home):
    """A team register of this test's own: the example register, roles, logins (see helpers)."""
    from tests.team.helpers import Team, refresh_team

    name = f"gpai_test_{next(_pg_counter)}"
    pg_admin_execute(pg_cluster, f"CREATE DATABASE {name} TEMPLATE {_pg_team_template}")
    url = pg_cluster.url(name)
    refresh_team(url, home)
    yield Team(url, home)
    pg_admin_execute(pg_cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
