"""Catalogue, re-scoping and demo flows through the command line."""

import json

from tests.cli.test_cli import ok, user_error
from tests.conftest import run_cli


def items(home, *extra):
    return {
        i["key"]: i for i in json.loads(ok("list", "--format", "json", *extra, home=home).stdout)
    }


def test_draft_register_upgrades_to_final_through_the_cli(home):
    ok("init", "--organisation", "Early Bird", "--signatory", "--admin-email", "ada@eb.eu",
       "--catalogue-version", "gpai-code=draft-3", home=home)  # fmt: skip
    ok("person", "add", "Olga", "--email", "olga@eb.eu", "--role", "officer", home=home)
    ok("model", "add", "Titan", "--placed-on-market", "2025-09-01", "--flop", "3e25", home=home)
    ok("assign", "titan/COP3-I.1.1", "--owner", "olga@eb.eu", home=home)
    ok("status", "titan/COP3-I.1.1", "in_progress", "--note", "MDF started", home=home)
    listed = json.loads(ok("catalogue", "list", "--format", "json", home=home).stdout)
    assert {(c["id"], c["version"]) for c in listed} == {("ai-act-gpai", "2024/1689"),
                                                         ("gpai-code", "draft-3")}  # fmt: skip
    shown = ok("catalogue", "diff", home=home).stdout
    assert "gpai-code: draft-3 -> final" in shown
    assert "withdrawn  COP3-I.2.4" in shown
    assert "renamed    COP3-I.1.1 -> COP-T-1.1" in shown
    assert "COP-T-1.1" not in items(home)  # diff changes nothing
    ok("catalogue", "upgrade", home=home)
    after = items(home)
    assert after["titan/COP-T-1.1"]["owner"] == "olga@eb.eu"
    assert after["titan/COP-T-1.1"]["status"] == "in_progress"
    assert not any("COP3-" in k for k in after)
    detail = json.loads(ok("show", "titan/COP-T-1.1", "--format", "json", home=home).stdout)
    assert "MDF started" in detail["notes"]
    trail = json.loads(
        ok("audit", "--entity", "titan/COP-T-1.1", "--format", "json", home=home).stdout
    )
    assert {"titan/COP3-I.1.1", "titan/COP-T-1.1"} <= {e["entity_id"] for e in trail}
    assert [e["new"] for e in trail if e["field"] == "owner"] == ["olga@eb.eu"]
    again = ok("catalogue", "upgrade", home=home).stdout
    assert "already uses the newest version" in again
    assert "register OK" in ok("check", home=home).stdout


def test_rescope_needs_confirmation_and_keeps_items(home, tmp_path):
    ok("init", "--organisation", "P", "--signatory", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", "--flop", "5e24", home=home)
    before = items(home)
    shown = ok("model", "edit", "atlas", "--flop", "2e25", home=home).stdout
    assert "atlas/AIA-52-1: newly applies" in shown and "--yes" in shown
    assert items(home).keys() == before.keys()
    ok("model", "edit", "atlas", "--flop", "2e25", "--yes", home=home)
    grown = items(home)
    assert "atlas/COP-SS-7.1" in grown and len(grown) == len(before) + 38
    shown = ok("model", "edit", "atlas", "--flop", "1e24", "--yes", home=home).stdout
    assert "atlas/COP-SS-7.1: no longer applies" in shown
    assert items(home).keys() == before.keys()
    assert "atlas/COP-SS-7.1" in items(home, "--all")
    shown = ok("org", "edit", "--not-signatory", home=home).stdout
    assert "no longer applies" in shown and "--yes" in shown


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
    ok("catalogue", "import", str(own), home=home)
    assert items(home)["atlas/BRD-1"]["due"] == "2026-03-31"
    assert "Quarterly AI risk briefing" in ok("catalogue", "show", "BRD-1", home=home).stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(own.read_text().replace('applies = "all"', 'applies = "whoever"'))
    before = ok("catalogue", "list", "--all", home=home).stdout
    err = user_error("catalogue", "import", str(bad), home=home)
    assert "bad.toml" in err and "entry BRD-1" in err and "'whoever'" in err
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as fh:  # sparse: 100 MB on paper, nothing on disk
        fh.truncate(100 * 1024 * 1024)
    assert "more than 2097152" in user_error("catalogue", "import", str(huge), home=home)
    assert ok("catalogue", "list", "--all", home=home).stdout == before


def test_demo_builds_a_register_to_explore(home):
    out = ok("demo", home=home).stdout
    assert "Northwind AI SA" in out
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
    assert run_cli("check", home=home).returncode == 0
