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
        ("ai-act-gpai", "2024/1689-r2"),
        ("gpai-code", "draft-3"),
    }
    shown = ok("catalogue", "diff", home=home).stdout
    assert "gpai-code: draft-3 -> final" in shown
    assert "withdrawn  COP3-I.2.4" in shown
    assert "renamed    COP3-I.1.1 -> COP-T-1.1" in shown
    assert "titan/COP-T-1.1" not in items(home)  # diff changes nothing
    err = user_error("--as", "olga@eb.eu", "catalogue", "upgrade", "--yes", home=home)
    assert "person olga@eb.eu must be an admin for this change" in err
    preview = ok("catalogue", "upgrade", home=home).stdout
    assert "gpai-code: draft-3 -> final" in preview and "register items updated" not in preview
    assert preview.endswith(
        "Nothing changed yet: run again with --yes to apply these changes to the register.\n"
    )
    assert "titan/COP-T-1.1" not in items(home)  # a preview changes nothing
    out = ok("catalogue", "upgrade", "--yes", home=home).stdout
    assert "gpai-code: draft-3 -> final" in out and "gpai-code final-r2: " in out
    assert "register items updated" in out
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
    again = ok("catalogue", "upgrade", "--yes", home=home).stdout
    assert again == "The register already uses the newest version of every catalogue.\n"
    nothing = ok("catalogue", "diff", home=home).stdout
    assert nothing == "The register already uses the newest version of every catalogue.\n"
    assert "register OK" in ok("check", home=home).stdout


def test_rescope_needs_confirmation_and_keeps_items(home):
    ok("init", "--organisation", "P", "--signatory", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", "--flop", "5e24", home=home)
    before = items(home)
    shown = ok("model", "edit", "atlas", "--flop", "2e25", home=home).stdout
    assert "atlas/AIA-52-1: newly applies" in shown and "--yes" in shown
    assert items(home).keys() == before.keys()
    out = ok("model", "edit", "atlas", "--flop", "2e25", "--yes", home=home).stdout
    assert "Updated model Atlas (key atlas)\nwarning: threshold date not recorded" in out
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
        (
            [
                "model",
                "add",
                "X",
                "--placed-on-market",
                "2026-01-01",
                "--threshold-date",
                "9999-12-31",
            ],
            "threshold date 9999-12-31 is outside 2000-2100",
        ),
        (
            ["model", "edit", "atlas", "--placed-on-market", "1970-01-01"],
            "placed-on-market date 1970-01-01 is outside 2000-2100",
        ),
        (
            ["model", "edit", "atlas", "--threshold-date", "\u0662\u0660\u0662\u0666-01-01"],
            "threshold date '\u0662\u0660\u0662\u0666-01-01' is not a date",
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
    preview = ok("catalogue", "import", str(own), home=home).stdout
    assert "board: new catalogue, version 2026.1" in preview and "--yes" in preview
    assert "atlas/BRD-1" not in items(home)
    ok("catalogue", "import", str(own), "--yes", home=home)
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


BOARD = (
    '[catalogue]\nid = "{id}"\ntitle = "Board duties"\nversion = "{version}"\n'
    "published = 2026-01-01\n{entries}{upgrade}"
)


def _board(path, version="2026.1", codes=("BRD-1",), upgrade="", cat_id="board"):
    entries = "".join(
        f'\n[[entries]]\ncode = "{c}"\nkind = "measure"\ntitle = "Duty {c}"\n' for c in codes
    )
    path.write_text(BOARD.format(id=cat_id, version=version, entries=entries, upgrade=upgrade))
    return str(path)


def test_import_refuses_the_id_of_a_built_in_catalogue(home, tmp_path):
    ok("init", "--organisation", "P", home=home)
    before = ok("catalogue", "list", "--all", home=home).stdout
    forged = _board(tmp_path / "evil.toml", "2099", ("AIA-ALL",), cat_id="ai-act-gpai")
    for args in (["import", forged, "--yes", "--allow-major"], ["diff", forged]):
        err = user_error("catalogue", *args, home=home)
        assert "id 'ai-act-gpai' belongs to a built-in catalogue" in err
    assert ok("catalogue", "list", "--all", home=home).stdout == before


def test_a_major_change_needs_allow_major_as_well_as_yes(home, tmp_path):
    ok("init", "--organisation", "P", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", home=home)
    ok(
        "catalogue",
        "import",
        _board(tmp_path / "v1.toml", codes=("B-1", "B-2", "B-3")),
        "--yes",
        home=home,
    )
    merge = '\n[upgrade]\nfrom_version = "2026.1"\nmap = { "B-2" = "B-1", "B-3" = "B-1" }\n'
    v2 = _board(tmp_path / "v2.toml", "2026.2", ("B-1",), merge)
    err = user_error("catalogue", "upgrade", v2, "--yes", home=home)
    assert "would withdraw or merge away 2 of the 3 tracked entries" in err
    assert "add --allow-major" in err
    assert {"atlas/B-2", "atlas/B-3"} <= items(home).keys()
    out = ok("catalogue", "upgrade", v2, "--yes", "--allow-major", home=home).stdout
    assert "merged     B-1, B-2, B-3 -> B-1" in out and "major change: 2 of the 3" in out
    assert not {"atlas/B-2", "atlas/B-3"} & items(home).keys()


def test_builtin_reinstalls_after_a_bad_import(org_ws, monkeypatch):
    from gpaitracker.enums import Role
    from gpaitracker.services import catalogue_trust, people
    from tests.services.helpers import add_model
    from tests.services.test_catalogue_trust import _bad_import

    home = org_ws.home
    add_model(org_ws, name="Atlas")
    before = {k for k in items(home) if "/AIA-" in k}
    _bad_import(org_ws, monkeypatch)
    assert not any("/AIA-5" in k for k in items(home))
    note = ok("catalogue", "diff", home=home).stdout
    assert "note: catalogue ai-act-gpai in use is not its built-in version 2024/1689-r2" in note
    assert "catalogue upgrade --builtin ai-act-gpai' reinstalls it" in note
    org_ws.write(people.add_person, name="Al", email="al@p.eu", role=Role.AUDITOR)
    err = user_error("--as", "al@p.eu", "catalogue", "upgrade", "--builtin", "--yes", home=home)
    assert "person al@p.eu has role auditor, which is read-only" in err
    preview = ok("catalogue", "upgrade", "--builtin", home=home).stdout
    assert preview.startswith("ai-act-gpai: 2099 -> 2024/1689-r2 (reinstalling the built-in")
    assert preview.endswith("run again with --yes to apply these changes to the register.\n")
    assert not any("/AIA-5" in k for k in items(home))
    out = ok("catalogue", "upgrade", "--builtin", "ai-act-gpai", "--yes", home=home).stdout
    assert "ai-act-gpai 2024/1689-r2: " in out
    assert {k for k in items(home) if "/AIA-" in k} == before
    again = ok("catalogue", "upgrade", "--builtin", home=home).stdout
    assert again == "The register already uses the built-in version of every built-in catalogue.\n"
    trail = json.loads(ok("audit", "--limit", "500", "--format", "json", home=home).stdout)
    activated = ("activate", "catalogue", "ai-act-gpai@2024/1689-r2")
    assert activated in [(e["action"], e["entity"], e["entity_id"]) for e in trail]
    assert catalogue_trust.is_builtin_id("ai-act-gpai")
    assert run_main("check", home=home).returncode == 0


def test_model_retire_previews_then_retires_and_list_shows_it(home):
    ok("init", "--organisation", "P", home=home)
    ok("model", "add", "Atlas", "--placed-on-market", "2025-10-01", home=home)
    count = len(items(home))
    preview = ok("model", "retire", "atlas", home=home).stdout
    assert preview.startswith(f"atlas: retire model Atlas; its {count} open item(s)")
    assert preview.endswith("run again with --yes to apply these changes to the register.\n")
    models = json.loads(ok("model", "list", "--format", "json", home=home).stdout)
    assert [(m["slug"], m["retired"]) for m in models] == [("atlas", False)]
    out = ok("model", "retire", "atlas", "--yes", home=home).stdout
    assert out.endswith(
        "Retired model Atlas (key atlas) ('gpaitracker list --all' still shows its items)\n"
    )
    models = json.loads(ok("model", "list", "--format", "json", home=home).stdout)
    assert [(m["slug"], m["retired"]) for m in models] == [("atlas", True)]
    assert "SYSTEMIC_RISK  RETIRED" in ok("model", "list", home=home).stdout
    assert "model atlas is already retired" in user_error("model", "retire", "atlas", home=home)
    ok("model", "retire", "atlas", "--undo", "--yes", home=home)
    assert "model atlas is not retired" in user_error(
        "model", "retire", "atlas", "--undo", home=home
    )


def test_org_edit_eu_replaces_not_non_eu_which_still_works_unlisted(home, capsys):
    from gpaitracker.cli.main import build_parser

    ok("init", "--organisation", "P", "--non-eu", home=home)

    def non_eu():
        return json.loads(ok("org", "show", "--format", "json", home=home).stdout)["non_eu"]

    ok("org", "edit", "--eu", "--yes", home=home)
    assert non_eu() is False
    ok("org", "edit", "--non-eu", "--yes", home=home)
    ok("org", "edit", "--not-non-eu", "--yes", home=home)  # the old spelling
    assert non_eu() is False
    with pytest.raises(SystemExit):
        build_parser().parse_args(["org", "edit", "--help"])
    shown = capsys.readouterr().out
    assert "--eu " in shown and "established in the EU" in shown
    assert "--not-non-eu" not in shown
