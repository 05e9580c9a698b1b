"""Catalogue, model, organisation and demo flows through the command line.

Most tests run `main(argv)` in this process; one starts the installed command for real.
"""

import json

import pytest

from tests.cli.test_cli import ok, user_error
from tests.conftest import run_cli, run_main


def items(home, *extra):
    return {
        i["key"]: i for i in json.loads(ok("list", "--format", "json", *extra, home=home).stdout)
    }


def test_draft_register_upgrades_to_final_through_the_cli(home):
    ok(
        "init",
        "--organisation",
        "Early Bird",
        "--signatory",
        "--admin-email",
        "ada@eb.eu",
        "--catalogue-version",
        "gpai-code=draft-3",
        home=home,
    )
    ok("person", "add", "Olga", "--email", "olga@eb.eu", "--role", "officer", home=home)
    ok("model", "add", "Titan", "--placed-on-market", "2025-09-01", "--flop", "3e25", home=home)
    ok("assign", "titan/COP3-I.1.1", "--owner", "olga@eb.eu", home=home)
    ok(
        "--as",
        "olga@eb.eu",
        "status",
        "titan/COP3-I.1.1",
        "in_progress",
        "--note",
        "MDF started",
        home=home,
    )
    listed = json.loads(ok("catalogue", "list", "--format", "json", home=home).stdout)
    assert {(c["id"], c["version"]) for c in listed} == {
        ("ai-act-gpai", "2024/1689"),
        ("gpai-code", "draft-3"),
    }
    shown = ok("catalogue", "diff", home=home).stdout
    assert "gpai-code: draft-3 -> final" in shown
    assert "withdrawn  COP3-I.2.4" in shown
    assert "renamed    COP3-I.1.1 -> COP-T-1.1" in shown
    assert "titan/COP-T-1.1" not in items(home)  # diff changes nothing
    err = user_error("--as", "olga@eb.eu", "catalogue", "upgrade", home=home)
    assert "person olga@eb.eu must be an admin for this change" in err
    out = ok("catalogue", "upgrade", home=home).stdout
    assert "gpai-code: draft-3 -> final" in out and "register items updated" in out
    after = items(home)
    assert after["titan/COP-T-1.1"]["owner"] == "olga@eb.eu"
    assert after["titan/COP-T-1.1"]["status"] == "in_progress"
    assert not any("COP3-" in k for k in after)
    detail = json.loads(ok("show", "titan/COP-T-1.1", "--format", "json", home=home).stdout)
    assert "MDF started" in json.dumps(detail)
    trail = json.loads(
        ok("audit", "--entity", "titan/COP-T-1.1", "--format", "json", home=home).stdout
    )
    assert {"titan/COP3-I.1.1", "titan/COP-T-1.1"} <= {e["entity_id"] for e in trail}
    assert len({e["row_id"] for e in trail}) == 1  # one row, under both keys
    assert [e["new"] for e in trail if e["field"] == "owner"] == ["olga@eb.eu"]
    again = ok("catalogue", "upgrade", home=home).stdout
    assert "already uses the newest version" in again
    assert "register OK" in ok("check", home=home).stdout


def test_rescope_needs_confirmation_and_keeps_items(home):
    ok("init", "--organisation", "P", "--signatory", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", "--flop", "5e24", home=home)
    before = items(home)
    shown = ok("model", "edit", "atlas", "--flop", "2e25", home=home).stdout
    assert "atlas/AIA-52-1: newly applies" in shown and "--yes" in shown
    assert items(home).keys() == before.keys()
    out = ok("model", "edit", "atlas", "--flop", "2e25", "--yes", home=home).stdout
    assert out.endswith("Updated model Atlas (key atlas)\n")
    grown = items(home)
    assert "atlas/COP-SS-7.1" in grown and len(grown) == len(before) + 38
    shown = ok("model", "edit", "atlas", "--flop", "1e24", "--yes", home=home).stdout
    assert "atlas/COP-SS-7.1: no longer applies" in shown
    assert items(home).keys() == before.keys()
    assert "atlas/COP-SS-7.1" in items(home, "--all")
    out = ok("model", "edit", "atlas", "--version", "1.1", home=home).stdout
    assert out == "Updated model Atlas (key atlas)\n"
    shown = ok("org", "edit", "--not-signatory", home=home).stdout
    assert "no longer applies" in shown and "--yes" in shown
    org = json.loads(ok("org", "show", "--format", "json", home=home).stdout)
    assert org == {"name": "P", "non_eu": False, "sme": False, "signatory": True}
    ok("org", "edit", "--not-signatory", "--name", "P SA", "--yes", home=home)
    assert "signatory  no" in ok("org", "show", home=home).stdout
    assert not any(k.startswith("atlas/COP-") for k in items(home))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["model", "add", "X", "--placed-on-market", "2025-02-30"],
            "placed-on-market date '2025-02-30' is not a date",
        ),
        (
            ["model", "add", "X", "--placed-on-market", "2025-01-01", "--flop", "lots"],
            "training compute 'lots' is not a number of FLOP",
        ),
        (
            ["model", "add", "Atlas", "--placed-on-market", "2025-01-01"],
            "model name 'Atlas' is already used (key atlas)",
        ),
        (["model", "edit", "nope", "--flop", "1e20"], "model 'nope' is not in the register"),
        (
            ["model", "edit", "atlas", "--threshold-date", "soon"],
            "threshold date 'soon' is not a date",
        ),
        (["init", "--organisation", "Again"], "organisation already exists"),
        (
            ["--as", "nobody@p.eu", "model", "add", "Y", "--placed-on-market", "2025-01-01"],
            "person 'nobody@p.eu' is not in the register",
        ),
    ],
)
def test_model_and_org_user_errors(home, args, message):
    ok("init", "--organisation", "P", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", home=home)
    before = ok("model", "list", "--format", "json", home=home).stdout
    assert message in user_error(*args, home=home)
    assert ok("model", "list", "--format", "json", home=home).stdout == before


def test_init_refuses_a_malformed_catalogue_pin(home):
    err = user_error("init", "--organisation", "P", "--catalogue-version", "gpai-code", home=home)
    assert "catalogue version 'gpai-code' is not like ID=VERSION" in err


def test_user_catalogue_import_and_bad_file(home, tmp_path):
    ok("init", "--organisation", "P", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", home=home)
    own = tmp_path / "own.toml"
    own.write_text(
        '[catalogue]\nid = "board"\ntitle = "Board duties"\nversion = "2026.1"\n'
        'published = 2026-01-01\n\n[[entries]]\ncode = "BRD-1"\nkind = "measure"\n'
        'title = "Quarterly AI risk briefing"\napplies = "all"\ndue = "date:2026-03-31"\n'
        'recurrence = "3 months"\n'
    )
    assert (
        "board: new catalogue, version 2026.1"
        in ok("catalogue", "diff", str(own), home=home).stdout
    )
    ok("catalogue", "import", str(own), home=home)
    assert items(home)["atlas/BRD-1"]["due"] == "2026-03-31"
    shown = ok("catalogue", "show", "BRD-1", home=home).stdout
    assert "Quarterly AI risk briefing" in shown and "board@2026.1" in shown
    entry = json.loads(ok("catalogue", "show", "BRD-1", "--format", "json", home=home).stdout)
    assert (entry["applies"], entry["recurrence_months"]) == (["all"], 3)
    assert "catalogue code 'NOPE' is not in any" in user_error(
        "catalogue", "show", "NOPE", home=home
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(own.read_text().replace('applies = "all"', 'applies = "whoever"'))
    before = ok("catalogue", "list", "--all", home=home).stdout
    err = user_error("catalogue", "import", str(bad), home=home)
    assert "bad.toml" in err and "entry BRD-1" in err and "'whoever'" in err
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as fh:  # sparse: 100 MB on paper, nothing on disk
        fh.truncate(100 * 1024 * 1024)
    assert "more than 2097152" in user_error("catalogue", "import", str(huge), home=home)
    assert "already in use" in user_error("catalogue", "import", str(own), home=home)
    assert ok("catalogue", "list", "--all", home=home).stdout == before


def test_demo_builds_a_register_to_explore_in_a_real_process(home):
    result = run_cli("demo", home=home)
    assert result.returncode == 0, result.stderr
    assert "Northwind AI SA" in result.stdout
    models = json.loads(ok("model", "list", "--format", "json", home=home).stdout)
    assert {m["slug"]: m["systemic_risk"] for m in models} == {
        "orca-1": False,
        "atlas-2": False,
        "titan-1": True,
    }
    all_items = items(home)
    assert any(i["rag"] == "red" for i in all_items.values())
    assert all(i["owner"] for i in all_items.values())
    assert all_items["orca-1/AIA-53-1-a"]["due"] == "2027-08-02"  # legacy model
    assert {i["status"] for i in all_items.values()} >= {"not_started", "in_progress", "done"}
    evidence = json.loads(ok("evidence", "list", "--format", "json", home=home).stdout)
    assert len(evidence) == 6
    assert run_main("check", home=home).returncode == 0
    assert "organisation already exists" in user_error("demo", home=home)
