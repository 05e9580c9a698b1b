"""Model Documentation Form versions and exports (JSON and PDF) through a real process."""

import hashlib
import json

import pytest

from tests.cli.test_mdf_cli import cli, refused
from tests.conftest import run_main


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
