"""report, identity and verify through the command line, on the demo register."""

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys

import pytest

from tests.conftest import run_main

PASS = "correct horse 42"
ENV = {"GPAITRACKER_PASSPHRASE": PASS}


def ok(*args, home):
    result = run_main(*args, home=home, env=ENV)
    assert result.returncode == 0, result.stderr
    assert PASS not in result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def signed_source(tmp_path_factory):
    """The demo register with an EC identity and one signed report."""
    root = tmp_path_factory.mktemp("report")
    home = root / "home"
    ok("demo", home=home)
    ok("identity", "create", "--name", "Ada Board", "--email", "ada@x.eu", "--key", "ec", home=home)
    ok("identity", "export-cert", "--out", str(root / "ada.pem"), home=home)
    ok("report", "--out", str(root / "signed.pdf"), "--sign", home=home)
    return root


@pytest.fixture
def signed(signed_source, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(signed_source, root)
    return root


def text_of(pdf):
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_unsigned_report_shows_organisation_figures_and_items(signed, tmp_path):
    home = signed / "home"
    out = ok("report", "--out", str(tmp_path / "plain.pdf"), "--model", "titan-1", home=home)
    assert "report 2 saved" in out and "unsigned" in out
    text = text_of(tmp_path / "plain.pdf")
    assert "Northwind AI SA" in text
    assert "titan-1/AIA-53-1-a" in text
    assert "Overdue" in text


def test_signed_report_is_valid_for_pdfsig_and_verify(signed):
    home, pdf = signed / "home", signed / "signed.pdf"
    sig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    assert "Signature is Valid." in sig.stdout
    out = ok("verify", str(pdf), "--trust", str(signed / "ada.pem"), home=home)
    assert "signer: Ada Board <ada@x.eu>" in out
    assert "intact: yes" in out and "trusted: yes" in out
    assert "matches report 1" in out and "still holds" in out


def test_one_flipped_byte_in_the_signed_range_fails_verify(signed):
    pdf = signed / "signed.pdf"
    data = bytearray(pdf.read_bytes())
    at = data.index(b"Northwind AI SA")  # in the document info, inside the signed range
    data[at] ^= 0x01
    pdf.write_bytes(bytes(data))
    result = run_main("verify", str(pdf), home=signed / "home")
    assert result.returncode == 3
    assert "intact: no" in result.stdout
    assert "no report of this register" in result.stdout


def test_second_report_lists_changes_since_the_first(signed, tmp_path):
    home = signed / "home"
    listed = ok(
        "list", "--model", "titan-1", "--status", "not_started", "--format", "json", home=home
    )
    key = json.loads(listed)[0]["key"]
    ok("due", key, "2031-01-31", home=home)
    ok("report", "--out", str(tmp_path / "two.pdf"), home=home)
    text = text_of(tmp_path / "two.pdf")
    assert "Changes since report 1" in text


def test_deleting_newest_events_after_a_report_fails_check(signed):
    home = signed / "home"
    with sqlite3.connect(home / "register.sqlite") as db:
        (head,) = db.execute("SELECT audit_head_id FROM report_record WHERE number = 1").fetchone()
        db.execute("DELETE FROM audit_event WHERE id >= ?", (head,))
    result = run_main("check", home=home)
    assert result.returncode == 3
    assert "report 1" in result.stdout + result.stderr
    result = run_main("audit", "--verify", home=home)
    assert result.returncode == 3 and "report 1" in result.stderr
    result = run_main("verify", str(signed / "signed.pdf"), home=home)
    assert "NO LONGER holds" in result.stdout


def test_wrong_passphrase_is_one_clear_line_and_never_shown(signed, tmp_path):
    wrong = "wrong-secret-77"
    result = run_main(
        "report",
        "--out",
        str(tmp_path / "x.pdf"),
        "--sign",
        home=signed / "home",
        env={"GPAITRACKER_PASSPHRASE": wrong},
    )
    assert result.returncode == 1
    assert "passphrase" in result.stderr and "wrong" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert wrong not in result.stdout + result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_unsigned_pdf_fails_verify(signed, tmp_path):
    home = signed / "home"
    ok("report", "--out", str(tmp_path / "plain.pdf"), home=home)
    result = run_main("verify", str(tmp_path / "plain.pdf"), home=home)
    assert result.returncode == 3
    assert "matches report 2" in result.stdout


def test_identity_import_copies_an_owner_only_file_once(signed, tmp_path):
    home = signed / "home"
    outside = tmp_path / "pki" / "board.p12"
    outside.parent.mkdir()
    ok(
        "identity",
        "create",
        "--name",
        "Bo Board",
        "--email",
        "bo@x.eu",
        "--key",
        "ec",
        "--out",
        str(outside),
        home=home,
    )
    printed = ok("identity", "import", str(outside), home=home)
    kept = home / "identities" / "bo-x.eu.p12"
    assert str(kept) in printed or kept.name in printed
    assert kept.read_bytes() == outside.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    again = run_main("identity", "import", str(outside), home=home, env=ENV)
    assert again.returncode == 1 and "already exists" in again.stderr
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"\x30\x82 not a pkcs12 file")
    bad = run_main("identity", "import", str(junk), home=home, env=ENV)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and str(junk) in bad.stderr


def test_passphrase_is_asked_for_when_not_in_the_environment(signed, tmp_path):
    """Without GPAITRACKER_PASSPHRASE the passphrase is read from the terminal (here: stdin,
    with no terminal to ask on) and never echoed."""
    out = tmp_path / "asked.pdf"
    env = {k: v for k, v in os.environ.items() if k != "GPAITRACKER_PASSPHRASE"}
    env["GPAITRACKER_HOME"] = str(signed / "home")
    result = subprocess.run(
        [sys.executable, "-m", "gpaitracker", "report", "--out", str(out), "--sign"],
        input=PASS + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        start_new_session=True,  # no controlling terminal: getpass falls back to stdin
    )
    assert result.returncode == 0, result.stderr
    assert PASS not in result.stdout + result.stderr
    verdict = run_main("verify", str(out), "--trust", str(signed / "ada.pem"), home=signed / "home")
    assert verdict.returncode == 0 and "Ada Board" in verdict.stdout


def test_a_rewritten_report_anchor_fails_check(signed):
    home = signed / "home"
    with sqlite3.connect(home / "register.sqlite") as db:
        db.execute("UPDATE report_record SET audit_head_hash = ? WHERE number = 1", ("0" * 64,))
    result = run_main("check", home=home)
    assert result.returncode == 3 and "report 1" in result.stdout + result.stderr
