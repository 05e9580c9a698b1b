"""`check` replays the audit trail against the tables: tampering the chain cannot see."""

import shutil
import sqlite3

import pytest

from tests.conftest import run_main

ADA = "ada@provider.eu"
KEY = "atlas-2/AIA-53-1-a"


def _ok(*args, home):
    result = run_main(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    home = tmp_path_factory.mktemp("replay") / "home"
    _ok(
        "init",
        "--organisation",
        "Provider SA",
        "--admin-name",
        "Ada",
        "--admin-email",
        ADA,
        home=home,
    )
    _ok("person", "add", "Olga", "--email", "olga@provider.eu", "--role", "officer", home=home)
    _ok("person", "add", "Aud", "--email", "aud@provider.eu", "--role", "auditor", home=home)
    _ok("model", "add", "Atlas 2", "--placed-on-market", "2025-09-01", home=home)
    _ok("assign", KEY, "--owner", "olga@provider.eu", home=home)
    _ok("status", KEY, "in_progress", "--as", "olga@provider.eu", "--note", "started", home=home)
    for name in ("a.txt", "b.txt"):
        (home.parent / name).write_text(f"evidence {name}\n")
        _ok("evidence", "add", KEY, str(home.parent / name), home=home)
    assert "every row matches" in _ok("check", home=home).stdout
    return home


@pytest.fixture
def reg(home, _template):
    shutil.copytree(_template, home)
    return home


def _sql(home, statement, *params):
    con = sqlite3.connect(home / "register.sqlite")
    con.execute(statement, params)
    con.commit()
    con.close()


def _item_id(home):
    con = sqlite3.connect(home / "register.sqlite")
    (rid,) = con.execute(
        "SELECT r.id FROM requirement r JOIN ai_model m ON m.id = r.model_id "
        "WHERE m.slug = 'atlas-2' AND r.code = 'AIA-53-1-a'"
    ).fetchone()
    con.close()
    return rid


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            "UPDATE requirement SET status = 'done' WHERE id = {item}",
            "requirement {item}: status is 'done' in the table but the audit trail says "
            "'in_progress'",
        ),
        (
            "UPDATE comment SET text = 'all fine' WHERE requirement_id = {item}",
            "requirement {item}: its comment thread differs",
        ),
        (
            "UPDATE person SET role = 'admin' WHERE email = 'aud@provider.eu'",
            "(aud@provider.eu): role is 'admin' in the table but the audit trail says 'auditor'",
        ),
        (
            "UPDATE evidence_revision SET sha256 = (SELECT sha256 FROM evidence_revision "
            "WHERE evidence_id = 2), size = (SELECT size FROM evidence_revision "
            "WHERE evidence_id = 2) WHERE evidence_id = 1",
            "evidence 1 revision 1: points to file",
        ),
        (
            "UPDATE requirement SET status = 'finished' WHERE id = {item}",
            "requirement {item}: status 'finished' is not one of",
        ),
        ("DELETE FROM audit_event", "no audit event records this row"),
        (
            "UPDATE requirement SET owner_id = (SELECT id FROM person WHERE email = "
            "'ada@provider.eu') WHERE id = {item}",
            "requirement {item}: owner_id is",
        ),
    ],
)
def test_check_names_each_row_changed_behind_the_apps_back(reg, tamper, expected):
    item = _item_id(reg)
    _sql(reg, tamper.format(item=item))
    result = run_main("check", home=reg)
    assert result.returncode == 3
    assert expected.format(item=item) in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_status_in_the_table_is_reported_not_crashed_on(reg):
    _sql(reg, "UPDATE requirement SET status = 'finished' WHERE id = ?", _item_id(reg))
    for args in (["status", KEY, "in_review"], ["list"], ["show", KEY]):
        result = run_main(*args, home=reg)
        assert result.returncode == 1, (args, result.stderr)
        assert "finished" in result.stderr and "outside GPAI Tracker" in result.stderr
