"""Opening a register from awkward places: refused files stay untouched, nothing hangs."""

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from gpaitracker.db import session_scope
from gpaitracker.errors import SchemaTooNewError, StorageError
from gpaitracker.migrate import current_revision, known_revisions, open_register
from gpaitracker.services import organisation


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def _foreign(db: Path, journal: str) -> None:
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA journal_mode={journal}")
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()


def _newer(db: Path, journal: str) -> None:
    open_register(db.parent).engine.dispose()
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA journal_mode={journal}")
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()


@pytest.mark.parametrize("journal", ["DELETE", "TRUNCATE", "WAL"])
@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (_foreign, StorageError, "not a GPAI Tracker register"),
        (_newer, SchemaTooNewError, "9999_from_the_future is newer"),
    ],
    ids=["foreign", "newer-schema"],
)
def test_refused_file_is_left_byte_for_byte(home, journal, make, error, message):
    home.mkdir(parents=True)
    db = home / "register.sqlite"
    make(db, journal)
    before, files = _digest(db), _siblings(db)
    with pytest.raises(error, match=message):
        open_register(home)
    assert _digest(db) == before  # bytes 18-19 (journal mode) included
    assert _siblings(db) == files  # no -wal, -shm or -journal left beside it


@pytest.mark.parametrize(
    "folder", ["with ? mark", "hash#tag", "per%41cent", "at@sign", "spa ce", "ünï ©ödé", "a%2Fb"]
)
def test_folder_names_with_url_characters_open_the_file_in_that_folder(tmp_path, folder):
    home = tmp_path / folder
    reg = open_register(home)
    with session_scope(reg, write=True) as s:
        organisation.create_register(
            session=s, name="Provider SA", admin_name="Ada", admin_email="ada@provider.eu"
        )
    reg.engine.dispose()
    assert _siblings(home / "register.sqlite") == ["register.sqlite"]  # and nothing beside home
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]
    again = open_register(home, create=False)
    assert current_revision(again) == known_revisions()[1]
    assert again.url == f"sqlite:///{home / 'register.sqlite'}"  # readable, not %-quoted
    again.engine.dispose()


def test_text_url_override_still_works(home, tmp_path):
    target = tmp_path / "other.sqlite"
    reg = open_register(home, f"sqlite:///{target}")
    reg.engine.dispose()
    assert target.exists() and reg.url == f"sqlite:///{target}"


def test_url_shown_without_password(home):
    with pytest.raises(StorageError) as exc:
        open_register(home, "frob://ada:s3cret@db.example/register")
    assert "s3cret" not in str(exc.value)


@pytest.mark.parametrize("url", [None, "sqlite:///{home}/elsewhere.sqlite"])
def test_create_false_never_creates_a_missing_register(tmp_path, url):
    home = tmp_path / "mistyped" / "home"
    text = url.format(home=home) if url else None
    with pytest.raises(StorageError, match=r"^no register at .*\(create one first\)$") as exc:
        open_register(home, text, create=False)
    assert str(home) in str(exc.value)
    assert "gpaitracker" not in str(exc.value)  # neutral between the window and the CLI
    assert list(tmp_path.iterdir()) == []


def test_create_false_refuses_an_empty_database_and_leaves_it(home):
    home.mkdir(parents=True)
    db = home / "register.sqlite"
    sqlite3.connect(db).close()  # 0 bytes
    with pytest.raises(StorageError, match="no register at"):
        open_register(home, create=False)
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version=1")  # a real but empty database
    con.close()
    before = _digest(db)
    with pytest.raises(StorageError, match="no register at"):
        open_register(home, create=False)
    assert _digest(db) == before and _siblings(db) == ["register.sqlite"]


def test_create_false_opens_an_existing_register(register):
    reg = open_register(register.home, create=False)
    assert current_revision(reg) == known_revisions()[1]
    reg.engine.dispose()


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda tmp: (_fifo(tmp / "pipe.sqlite"), None), r"pipe.sqlite is a pipe \(FIFO\)"),
        (lambda tmp: (Path("/dev/null"), None), "/dev/null is a device"),
        (lambda tmp: (Path("/dev/zero"), None), "/dev/zero is a device"),
        (lambda tmp: (tmp / "folder.sqlite", "mkdir"), "folder.sqlite is a folder"),
    ],
    ids=["fifo", "dev-null", "dev-zero", "folder"],
)
def test_register_path_that_is_not_a_file_is_refused_quickly(home, tmp_path, setup, message):
    path, extra = setup(tmp_path)
    if extra == "mkdir":
        path.mkdir()
    start = time.monotonic()
    for create in (True, False):
        with pytest.raises(StorageError, match=message):
            open_register(home, f"sqlite:///{path}", create=create)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("entry", [None, "backups", "evidence"])
@pytest.mark.parametrize("kind", ["file", "fifo"])
def test_folder_that_is_a_file_is_refused(tmp_path, entry, kind):
    home = tmp_path / "home"
    if entry is not None:
        open_register(home).engine.dispose()
    target = home / entry if entry else home
    if kind == "file":
        target.write_text("not a folder")
    else:
        os.mkfifo(target)
    what = {None: "register folder", "backups": "backups folder", "evidence": "evidence folder"}
    start = time.monotonic()
    for create in (True, False):
        with pytest.raises(StorageError, match=f"{what[entry]} .* is a ") as exc:
            open_register(home, create=create)
        assert str(target) in str(exc.value) and "\n" not in str(exc.value)
    assert time.monotonic() - start < 2


def test_register_below_a_file_is_refused(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(StorageError, match=r"plain/db\.sqlite cannot be used: Not a directory"):
        open_register(tmp_path / "home", f"sqlite:///{tmp_path / 'plain' / 'db.sqlite'}")


def test_damaged_register_is_a_storage_error_naming_it(home):
    open_register(home).engine.dispose()
    db = home / "register.sqlite"
    data = bytearray(db.read_bytes())
    data[100:4096] = os.urandom(3996)  # the schema page: nothing can be read
    db.write_bytes(bytes(data))
    before = _digest(db)
    with pytest.raises(StorageError, match=f"^register {db} is damaged: .*malformed") as exc:
        open_register(home)
    assert "\n" not in str(exc.value)
    assert _digest(db) == before
