"""Where the register is: the URL names exactly home/register.sqlite, whatever the folder."""

from pathlib import Path

import pytest

from gpaitracker import paths
from gpaitracker.errors import StorageError


@pytest.mark.parametrize("name", ["a?b", "a#b", "a%41b", "a@b:c", "a b", "ünï©ödé", "x%3Fy"])
def test_database_url_names_the_file_in_home(tmp_path, name):
    home = tmp_path / name
    url = paths.database_url(home)
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(home / "register.sqlite")
    assert not url.query
    assert paths.display_url(url) == f"sqlite:///{home / 'register.sqlite'}"


def test_override_and_environment_are_text_urls(tmp_path, monkeypatch):
    home = tmp_path / "home"
    assert paths.database_url(home, "sqlite:////tmp/x.db").database == "/tmp/x.db"
    monkeypatch.setenv("GPAITRACKER_DB", "postgresql://ada:s3cret@db.example/reg")
    url = paths.database_url(home)
    assert url.password == "s3cret"
    assert paths.display_url(url) == "postgresql://ada:***@db.example/reg"


def test_malformed_override_names_it():
    with pytest.raises(StorageError, match="database URL 'nonsense' is not a valid"):
        paths.database_url(Path("/tmp"), "nonsense")


def test_file_kind(tmp_path):
    import os

    os.mkfifo(tmp_path / "p")
    (tmp_path / "f").write_text("")
    kinds = {
        name: paths.file_kind(os.stat(path).st_mode)
        for name, path in [
            ("dir", tmp_path),
            ("fifo", tmp_path / "p"),
            ("file", tmp_path / "f"),
            ("dev", "/dev/null"),
        ]
    }
    assert kinds == {
        "dir": "a folder",
        "fifo": "a pipe (FIFO)",
        "file": "a file",
        "dev": "a device",
    }
