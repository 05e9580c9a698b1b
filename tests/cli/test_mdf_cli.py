"""The Model Documentation Form through the command line: values, audiences, bad input.

Exports (PDF, so reportlab) are in test_mdf_export_cli.py."""

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
