"""The Model Documentation Form through the command line, in a real process."""

import hashlib
import json

import pytest

from gpaitracker import mdf_form
from tests.conftest import run_cli, run_main


def cli(home, *args):
    result = run_cli(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(home, *args):
    result = run_main(*args, home=home)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr.strip()


@pytest.fixture
def reg(home):
    for args in (
        ["init", "--organisation", "Provider SA", "--signatory"],
        ["model", "add", "Atlas 2", "--placed-on-market", "2026-03-01", "--flop", "3.14e24"],
    ):
        assert run_main(*args, home=home).returncode == 0
    return home


def test_form_versions_audiences_and_exports_as_evidence(reg, tmp_path):
    cli(reg, "mdf", "edit", "atlas-2", "--set", "legal_name=Provider SA",
        "--set", "training_flop=3.14e24", "--set", "training_days=75",
        "--set", "authenticity=sha256:abc", "--set", "size_bracket=5B-15B",
        "--set", "data_provenance=web crawl, user data")  # fmt: skip
    nca = json.loads(cli(reg, "mdf", "show", "atlas-2", "--audience", "nca", "--format", "json"))
    # Order of magnitude and a range of months for national authorities...
    assert nca["fields"]["training_flop"] == "1e24"
    assert nca["fields"]["training_days"] == "1-3 months"  # 75 days: about 2.5 months
    aio = json.loads(cli(reg, "mdf", "show", "atlas-2", "--audience", "aio", "--format", "json"))
    # ...two significant figures and days for the AI Office.
    assert aio["fields"]["training_flop"] == 3.1e24 and aio["fields"]["training_days"] == 75
    dp = json.loads(
        cli(reg, "mdf", "show", "atlas-2", "--audience", "downstream", "--format", "json")
    )
    assert "authenticity" not in dp["fields"] and "training_flop" not in dp["fields"]
    assert dp["fields"]["data_provenance"] == ["web crawl", "user data"]
    assert "model_name" in dp["missing"] and "legal_name" not in dp["missing"]
    shown = cli(reg, "mdf", "show", "atlas-2")
    assert "downstream 3/20 filled" in shown and "(draft)" in shown
    assert "keep until 2036-03-01" in shown  # 10 years after placement
    assert "freeze it first" in refused(
        reg, "mdf", "export", "atlas-2", "--audience", "aio", "--out", str(tmp_path)
    )
    assert "Froze atlas-2 MDF v1" in cli(reg, "mdf", "freeze", "atlas-2")
    out = cli(reg, "mdf", "export", "atlas-2", "--audience", "downstream", "--out", str(tmp_path))
    pdf = tmp_path / "atlas-2-mdf-v1-downstream.pdf"
    data = tmp_path / "atlas-2-mdf-v1-downstream.json"
    for path in (pdf, data):
        assert f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in out
    assert "Filed as evidence 1, 2 on 2 register item(s)" in out
    exported = json.loads(data.read_text())
    assert exported["provider"] == "Provider SA" and "authenticity" not in exported["fields"]
    text = cli(reg, "show", "atlas-2/AIA-53-1-b")
    assert "Model Documentation Form v1 (downstream, PDF)" in text
    assert "Model Documentation Form v1 (downstream, JSON)" in cli(reg, "show", "atlas-2/COP-T-1.1")
    files = json.loads(cli(reg, "evidence", "list", "--format", "json"))
    assert {f["sha256"] for f in files} == {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf, data)
    }
    # Editing a frozen version starts version 2; version 1 stays as it was.
    cli(reg, "mdf", "edit", "atlas-2", "--set", "training_days=80")
    v1 = json.loads(cli(reg, "mdf", "show", "atlas-2", "--audience", "aio", "--version", "1",
                        "--format", "json"))  # fmt: skip
    v2 = json.loads(cli(reg, "mdf", "show", "atlas-2", "--audience", "aio", "--format", "json"))
    assert (v1["version"], v1["frozen"], v1["fields"]["training_days"]) == (1, True, 75)
    assert (v2["version"], v2["frozen"], v2["fields"]["training_days"]) == (2, False, 80)
    assert "already exists" in refused(
        reg, "mdf", "export", "atlas-2", "--audience", "downstream", "--out", str(tmp_path),
        "--version", "1",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "parameters=lots"], "parameters 'lots' is not a number"),
        (["--set", "size_bracket=huge"], "size_bracket 'huge' is not one of: 1-500M"),
        (["--set", "release_date=2026-02-30"], "release_date '2026-02-30' is not a date"),
        (["--set", "energy_mwh=1e999"], "energy_mwh '1e999' is too large"),
        (["--set", "colour=blue"], "form field 'colour' is unknown"),
        (["--set", "licence=MIT\x1b[31m"], "licence contains a control character"),
        (["--set", "data_provenance=web crawl, rumours"], "data_provenance 'rumours' is not"),
        (["--set", "legal_name=ok", "--set", "parameters=1e9x"], "parameters '1e9x'"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(reg, args, message):
    assert message in refused(reg, "mdf", "edit", "atlas-2", *args)
    shown = json.loads(run_main("mdf", "show", "atlas-2", "--audience", "aio", "--format",
                                "json", home=reg).stdout)  # fmt: skip
    assert shown["version"] == 0  # no version was created


def test_an_audience_that_does_not_exist(reg, tmp_path):
    assert "audience 'press' is not one of: aio, nca, downstream" in refused(
        reg, "mdf", "show", "atlas-2", "--audience", "press"
    )
    assert "audience 'press'" in refused(
        reg, "mdf", "export", "atlas-2", "--audience", "press", "--out", str(tmp_path)
    )


def test_energy_accepts_n_a_and_every_field_has_an_audience():
    assert mdf_form.parse_value("energy_mwh", "n/a") == "N/A"
    assert all(f.audiences for f in mdf_form.FIELDS)
    assert mdf_form.magnitude(9.99e24) == "1e24" and mdf_form.sig2(3.14159e25) == 3.1e25
