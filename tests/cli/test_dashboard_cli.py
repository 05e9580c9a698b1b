"""status-summary and agenda, through the command line, against `list` on the demo register."""

import datetime as dt
import json

import pytest

from tests.conftest import run_cli, run_main

OLGA = "olga.lindqvist@northwind.example"
RITA = "rita.moreau@northwind.example"


def ok(*args, home):
    result = run_main(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def lines(text):
    return json.loads(text)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "home"
    ok("demo", home=home)
    return home


def test_status_summary_agrees_with_list_to_the_item(demo_home):
    summary = json.loads(ok("status-summary", "--format", "json", home=demo_home))
    rows = lines(ok("list", "--format", "json", home=demo_home))
    overdue = lines(ok("list", "--overdue", "--format", "json", home=demo_home))
    assert {"total", "done", "overdue", "due_30", "percent_done", "evidence_coverage",
            "by_status", "by_chapter"} <= set(summary)  # fmt: skip
    assert summary["total"] == len(rows) > 0
    for status, count in summary["by_status"].items():
        assert count == sum(r["status"] == status for r in rows), status
    assert summary["overdue"] == len(overdue) > 0
    today = dt.date.today()
    soon = [
        r for r in rows
        if r["due"] and today <= dt.date.fromisoformat(r["due"]) <= today + dt.timedelta(30)
        and r["status"] not in ("done", "not_applicable")
    ]  # fmt: skip
    assert summary["due_30"] == len(soon)
    done = sum(r["status"] == "done" for r in rows)
    justified = sum(r["status"] == "not_applicable" for r in rows)
    assert summary["percent_done"] == round(100 * done / (len(rows) - justified), 1)
    assert sum(c["total"] for c in summary["by_chapter"].values()) == len(rows)
    assert 0 <= summary["evidence_coverage"] <= 100


def test_status_summary_for_one_model_and_an_earlier_day(demo_home):
    model_rows = lines(ok("list", "--model", "titan-1", "--format", "json", home=demo_home))
    one = json.loads(ok("status-summary", "--model", "titan-1", "--format", "json", home=demo_home))
    assert one["total"] == len(model_rows) and list(one["by_model"]) == ["Titan 1"]
    before = json.loads(
        ok("status-summary", "--as-of", "2024-01-01", "--format", "json", home=demo_home)
    )
    assert before["total"] == 0 and before["by_model"] == {}
    text = ok("status-summary", home=demo_home)
    assert "items apply" in text and "Titan 1" in text and "Safety and Security" in text


def test_status_summary_refuses_bad_input(demo_home):
    bad = run_main("status-summary", "--as-of", "2026-02-30", home=demo_home)
    assert bad.returncode == 1 and "as-of date" in bad.stderr and "Traceback" not in bad.stderr
    unknown = run_main("status-summary", "--model", "nope", home=demo_home)
    assert unknown.returncode == 1 and "nope" in unknown.stderr


def test_agenda_for_everyone_and_for_one_person(demo_home):
    everyone = lines(ok("agenda", "--days", "30", "--format", "json", home=demo_home))
    overdue = lines(ok("list", "--overdue", "--format", "json", home=demo_home))
    assert sorted(e["key"] for e in everyone if e["kind"] == "overdue") == sorted(
        r["key"] for r in overdue
    )
    mine = lines(ok("--as", OLGA, "agenda", "--format", "json", home=demo_home))
    olgas = {r["key"] for r in overdue if r["owner"] == OLGA}
    assert {e["key"] for e in mine if e["kind"] == "overdue"} == olgas
    reviews = lines(ok("--as", RITA, "agenda", "--format", "json", home=demo_home))
    waiting = lines(ok("list", "--status", "in_review", "--format", "json", home=demo_home))
    assert {e["key"] for e in reviews if e["kind"] == "review"} == {
        r["key"] for r in waiting if r["reviewer"] == RITA
    }
    bad = run_main("agenda", "--days", "-1", home=demo_home)
    assert bad.returncode == 1 and "days" in bad.stderr


def test_agenda_text_from_a_real_process(demo_home):
    result = run_cli("agenda", "--days", "30", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert "overdue" in result.stdout and "late" in result.stdout
