"""The export, import, backup and restore commands, in process and as a user runs them."""

import icalendar
import openpyxl

from tests.conftest import run_cli, run_main
from tests.interchange.helpers import items

KARIM = "karim.haddad@northwind.example"


def test_export_each_format(demo_ws, tmp_path):
    home = demo_ws.home
    for fmt in ("xlsx", "csv", "json", "ics"):
        out = tmp_path / f"r.{fmt}"
        ran = run_main("export", "--format", fmt, "--out", str(out), home=home)
        assert ran.returncode == 0, ran.stderr
        assert out.stat().st_size > 0
    ran = run_main("export", "--out", str(tmp_path / "r.pdf"), home=home)
    assert ran.returncode == 1 and "format 'pdf' is not one of" in ran.stderr
    ran = run_main("export", "--out", str(tmp_path / "x.csv"), "--mine", home=home)
    assert ran.returncode == 2 and "--format ics" in ran.stderr
    ran = run_main("export", "--out", str(tmp_path / "m.ics"), "--mine", "--as", KARIM, home=home)
    events = icalendar.Calendar.from_ical((tmp_path / "m.ics").read_bytes()).walk("VEVENT")
    assert events and all(KARIM in str(e["description"]) for e in events)
    ran = run_main("export", "--out", str(tmp_path / "no" / "r.csv"), home=home)
    assert ran.returncode == 1 and "does not exist" in ran.stderr


def test_import_dry_run_refusal_and_skip_invalid(demo_ws, tmp_path):
    home = demo_ws.home
    before = items(demo_ws)
    keys = [k for k, v in before.items() if v["status"] == "in_progress"]
    path = tmp_path / "edits.csv"
    path.write_text(f"key,due\n{keys[0]},2027-05-01\n{keys[1]},2027-13-01\n")
    ran = run_main("import", str(path), "--dry-run", home=home)
    assert ran.returncode == 0 and "nothing was changed (--dry-run)" in ran.stdout
    assert "1 changed, 1 rejected" in ran.stdout and "row 3" in ran.stderr
    ran = run_main("import", str(path), home=home)
    assert ran.returncode == 1
    assert f"rejected: items row 3 ({keys[1]}): due date '2027-13-01' is not a date" in ran.stderr
    assert "nothing was changed" in ran.stderr and items(demo_ws) == before
    ran = run_main("import", str(path), "--skip-invalid", home=home)
    assert ran.returncode == 0 and "imported: 0 added, 1 changed, 1 rejected" in ran.stdout
    assert str(items(demo_ws)[keys[0]]["due"]) == "2027-05-01"


def test_import_with_a_column_mapping(demo_ws, tmp_path):
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "in_progress")
    path = tmp_path / "foreign.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Target date", "Who"])
    book.active.append([key, "2027-08-01", KARIM])
    book.save(path)
    ran = run_main("import", str(path), home=demo_ws.home)
    assert ran.returncode == 1 and "no key column" in ran.stderr
    mapping = tmp_path / "map.txt"
    mapping.write_text("# ours\nTarget date=due\n")
    ran = run_main(
        "import",
        str(path),
        "--map",
        "Ref=key",
        "--map",
        "Who=owner",
        "--mapping",
        str(mapping),
        home=demo_ws.home,
    )
    assert ran.returncode == 0, ran.stderr
    after = items(demo_ws)[key]
    assert str(after["due"]) == "2027-08-01" and after["owner"] == KARIM
    ran = run_main("import", str(path), "--map", "Ref=colour", home=demo_ws.home)
    assert ran.returncode == 1 and "is not one of" in ran.stderr


def test_backup_and_restore_as_a_user_runs_them(demo_ws, tmp_path):
    home = demo_ws.home
    demo_ws.close()
    out = tmp_path / "b.zip"
    ran = run_cli("backup", "--out", str(out), home=home)
    assert ran.returncode == 0, ran.stderr
    assert "5 evidence files" in ran.stdout
    target = tmp_path / "copy"
    ran = run_cli("restore", str(out), "--home", str(target), home=home)
    assert ran.returncode == 0, ran.stderr
    ran = run_cli("check", "--full", home=target)
    assert ran.returncode == 0 and "register OK" in ran.stdout
    ran = run_cli("restore", str(out), home=home)
    assert ran.returncode == 1 and "--force" in ran.stderr
    ran = run_cli("restore", str(out), "--force", home=home)
    assert ran.returncode == 0 and "is kept as" in ran.stdout


def test_backup_settings_and_auto(demo_ws, tmp_path):
    home = demo_ws.home
    ran = run_main("backup", "--keep", "3", "--daily", "on", home=home)
    assert ran.returncode == 0 and "keeping 3" in ran.stdout
    ran = run_main("backup", "--auto", home=home)
    assert ran.returncode == 0 and "backup written to" in ran.stdout
    ran = run_main("backup", "--auto", home=home)
    assert ran.returncode == 0 and "no backup due" in ran.stdout
    ran = run_main("backup", "--out", str(tmp_path / "b.tar"), home=home)
    assert ran.returncode == 1 and "must end in .zip" in ran.stderr
