"""The requests register and serious incidents through the command line, in a real process.

Every deadline below is worked out by hand in a comment. The days lie in early 2026, so the
overdue ones are overdue on any day these tests run.
"""

import json

import pytest

from tests.conftest import run_cli, run_main


def cli(home, *args):
    result = run_cli(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(home, *args):
    result = run_main(*args, home=home)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr.strip()


@pytest.fixture
def reg(home):
    for args in (
        ["init", "--organisation", "P", "--signatory"],
        ["model", "add", "Titan", "--placed-on-market", "2025-09-01", "--flop", "3e25",
         "--threshold-date", "2025-08-20"],
        ["model", "add", "Orca", "--placed-on-market", "2025-09-01", "--flop", "4e24"],
    ):  # fmt: skip
        assert run_main(*args, home=home).returncode == 0
    return home


def listed(home, what):
    return json.loads(run_main(what, "list", "--format", "json", home=home).stdout)


def test_requests_register_end_to_end(reg, tmp_path):
    out = cli(reg, "request", "add", "notification", "--model", "titan", "--subject",
              "Titan crossed 1e25 FLOP", "--received", "2025-08-20")  # fmt: skip
    assert "Added request #1 (Art. 52(1) notification), due 2025-09-03" in out  # 20 + 14
    out = cli(reg, "request", "add", "aio", "--model", "titan", "--subject", "Annex XI file",
              "--received", "2026-01-05", "--deadline", "2026-01-30")  # fmt: skip
    assert "request #2 (AI Office request), due 2026-01-30" in out  # the stated deadline
    out = cli(reg, "request", "add", "downstream", "--model", "titan", "--subject",
              "Context window?", "--received", "2026-02-10", "--requester", "Acme")  # fmt: skip
    assert "due 2026-02-24" in out  # 10 February + 14 days
    out = cli(reg, "request", "add", "complaint", "--subject", "Our articles in the data",
              "--received", "2026-03-01")  # fmt: skip
    assert "no fixed deadline" in out
    sent = tmp_path / "notification.pdf"
    sent.write_bytes(b"%PDF-1.4 notification to the Commission")
    out = cli(reg, "request", "answer", "1", "--on", "2025-09-01", "--file", str(sent))
    assert "Answered request #1 on 2025-09-01" in out and "after" not in out
    shown = json.loads(cli(reg, "show", "titan/AIA-52-1", "--format", "json"))
    assert [e["title"] for e in shown["evidence"]] == ["notification.pdf"]
    late = json.loads(cli(reg, "request", "list", "--overdue", "--format", "json"))
    assert [(r["id"], r["deadline"]) for r in late] == [(2, "2026-01-30"), (3, "2026-02-24")]
    everything = cli(reg, "list", "--overdue")
    assert "Overdue requests" in everything and "request #2" in everything
    agenda = cli(reg, "agenda")
    assert "request overdue" in agenda and "request #3" in agenda
    trail = cli(reg, "audit", "--limit", "50")
    assert "request #1" in trail


def test_incidents_end_to_end(reg, tmp_path):
    expected = {  # awareness 2026-03-02 + 2, 5, 10, 15 days
        "infrastructure": "2026-03-04",
        "cybersecurity": "2026-03-07",
        "death": "2026-03-12",
        "harm": "2026-03-17",
    }
    for category, due in expected.items():
        out = cli(reg, "incident", "add", "titan", "--title", f"{category} case",
                  "--category", category, "--aware-on", "2026-03-02")  # fmt: skip
        assert f"initial report due {due}" in out
    report = tmp_path / "initial.pdf"
    report.write_bytes(b"%PDF-1.4 initial report")
    out = cli(reg, "incident", "report", "1", "--kind", "initial", "--sent-on", "2026-03-03",
              "--file", str(report))  # fmt: skip
    assert "next: intermediate report due 2026-03-31" in out  # 3 March + 4 weeks
    out = cli(reg, "incident", "report", "1", "--kind", "intermediate", "--sent-on", "2026-03-30")
    assert "next: intermediate report due 2026-04-27" in out
    out = cli(reg, "incident", "resolve", "1", "--on", "2026-04-10")
    assert "next: final report due 2026-06-09" in out  # 10 April + 60 days
    out = cli(reg, "incident", "report", "1", "--kind", "final", "--sent-on", "2026-06-01")
    # Kept 5 years from the later of the incident and its last document.
    assert "no report owed; keep its records until 2031-06-01" in out
    shown = json.loads(cli(reg, "show", "titan/COP-SS-9.3", "--format", "json"))
    assert [e["title"] for e in shown["evidence"]] == ["initial.pdf"]
    late = json.loads(cli(reg, "incident", "list", "--overdue", "--format", "json"))
    assert [(i["id"], i["next_report"], i["next_due"]) for i in late] == [
        (2, "initial", "2026-03-07"),
        (3, "initial", "2026-03-12"),
        (4, "initial", "2026-03-17"),
    ]
    everything = cli(reg, "list", "--overdue")
    assert "Overdue incident reports" in everything and "incident #4" in everything
    agenda = json.loads(cli(reg, "agenda", "--format", "json"))
    assert {e["key"] for e in agenda if e["kind"] == "late_report"} == {
        "incident #2",
        "incident #3",
        "incident #4",
    }


def _state(home):
    return (
        listed(home, "incident"),
        listed(home, "request"),
        run_main("audit", "head", home=home).stdout,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["incident", "add", "titan", "--title", "X", "--aware-on", "2026-03-02"],
         "incident category is missing"),
        (["incident", "add", "titan", "--title", "X", "--category", "flood",
          "--aware-on", "2026-03-02"], "incident category 'flood' is not one of"),
        (["incident", "add", "titan", "--title", "X", "--category", "death",
          "--aware-on", "2025-08-01"],
         "awareness date 2025-08-01 is before the model's placement on the market 2025-09-01"),
        (["incident", "add", "orca", "--title", "X", "--category", "death",
          "--aware-on", "2026-03-02"], "model orca has no systemic risk"),
        (["incident", "add", "titan", "--title", "X", "--category", "death",
          "--aware-on", "2099-01-01"], "awareness date 2099-01-01 is in the future"),
        (["incident", "add", "titan", "--title", "a\x1b[2Jb", "--category", "death",
          "--aware-on", "2026-03-02"], "incident title 'a\\x1b[2Jb' contains a control"),
        (["incident", "report", "1", "--kind", "final", "--sent-on", "2026-03-05"],
         "incident #1 is not resolved"),
        (["incident", "report", "1", "--kind", "intermediate", "--sent-on", "2026-03-05"],
         "send the initial report before an intermediate one"),
        (["incident", "report", "1", "--kind", "initial", "--sent-on", "2026-02-01"],
         "sent date 2026-02-01 is before awareness date 2026-03-02"),
        (["incident", "report", "1", "--kind", "weekly", "--sent-on", "2026-03-05"],
         "report kind 'weekly' is not one of"),
        (["incident", "resolve", "1", "--on", "2026-01-01"],
         "resolution date 2026-01-01 is before awareness date"),
        (["incident", "report", "99", "--kind", "initial", "--sent-on", "2026-03-05"],
         "incident #99 is not in the register"),
        (["request", "add", "letter", "--subject", "X", "--received", "2026-01-01"],
         "request kind 'letter' is not one of"),
        (["request", "add", "aio", "--model", "titan", "--subject", "X",
          "--received", "2026-01-05"], "deadline is missing"),
        (["request", "add", "aio", "--model", "titan", "--subject", "X",
          "--received", "2026-01-05", "--deadline", "2026-01-01"],
         "deadline 2026-01-01 is before the received date 2026-01-05"),
        (["request", "add", "downstream", "--model", "titan", "--subject", "X",
          "--received", "2026-01-05", "--deadline", "2026-03-01"], "due 14 days after"),
        (["request", "add", "notification", "--model", "orca", "--subject", "X",
          "--received", "2026-01-05"], "nothing to notify under Art. 52(1)"),
        (["request", "add", "downstream", "--subject", "X", "--received", "2026-01-05"],
         "is about a model: give the model"),
        (["request", "add", "complaint", "--subject", "line one\nline two",
          "--received", "2026-01-05"], "contains a control character"),
        (["request", "answer", "1", "--on", "2025-12-01"],
         "answered date 2025-12-01 is before received 2026-01-05"),
        (["request", "answer", "1", "--on", "2026-01-06", "--evidence", "42"],
         "evidence id 42 is not in the register"),
        (["request", "answer", "1", "--on", "2026-01-06", "--file", "/nonexistent/x.pdf"],
         "request #1 is about no model: its answer cannot be filed on a register item"),
        (["incident", "report", "1", "--kind", "initial", "--sent-on", "2026-03-05",
          "--file", "/nonexistent/x.pdf"], "/nonexistent/x.pdf"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_writes_nothing(reg, args, message):
    incident = ["incident", "add", "titan", "--title", "Outage", "--category",
                "infrastructure", "--aware-on", "2026-03-02"]  # fmt: skip
    assert run_main(*incident, home=reg).returncode == 0
    request = ["request", "add", "complaint", "--subject", "Ours", "--received", "2026-01-05"]
    assert run_main(*request, home=reg).returncode == 0
    before = _state(reg)
    assert message in refused(reg, *args)
    assert _state(reg) == before


def test_answering_twice_is_refused(reg):
    run_main("request", "add", "complaint", "--subject", "Ours", "--received", "2026-01-05",
             home=reg)  # fmt: skip
    assert run_main("request", "answer", "1", "--on", "2026-01-20", home=reg).returncode == 0
    assert "request #1 was already answered on 2026-01-20" in refused(
        reg, "request", "answer", "1", "--on", "2026-01-21"
    )


def test_read_only_people_cannot_record_incidents(reg):
    run_main("person", "add", "Eve", "--email", "eve@p.eu", "--role", "executive", home=reg)
    message = refused(reg, "--as", "eve@p.eu", "incident", "add", "titan", "--title", "X",
                      "--category", "death", "--aware-on", "2026-03-02")  # fmt: skip
    assert "read-only" in message and listed(reg, "incident") == []


def test_requests_and_incidents_change_hands_and_agenda_follows_the_owner(reg):
    run_main("person", "add", "Olga", "--email", "olga@p.eu", "--role", "officer", home=reg)
    run_main("request", "add", "downstream", "--model", "titan", "--subject", "Ctx",
             "--received", "2026-02-10", home=reg)  # fmt: skip
    run_main("incident", "add", "titan", "--title", "Leak", "--category", "cybersecurity",
             "--aware-on", "2026-03-02", home=reg)  # fmt: skip
    assert "request #1 is now with olga@p.eu" in cli(
        reg, "request", "assign", "1", "--owner", "olga@p.eu"
    )
    assert "incident #1 is now with olga@p.eu" in cli(
        reg, "incident", "assign", "1", "--owner", "olga@p.eu"
    )
    mine = json.loads(cli(reg, "--as", "olga@p.eu", "agenda", "--format", "json"))
    assert {(e["kind"], e["key"]) for e in mine} >= {
        ("late_request", "request #1"),
        ("late_report", "incident #1"),
    }
    assert "unknown@p.eu" in refused(reg, "incident", "assign", "1", "--owner", "unknown@p.eu")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--modality", "smell"], "modality 'smell' is not one of: language"),
        (["--base-flop", "lots", "--modification-of", "X"], "original model's training compute"),
        (["--modification-of", "Base\x1b]0;x\x07"], "original model 'Base\\x1b]0;x\\x07'"),
        (["--rebuttal-accepted", "2026-01-01"], "only a model trained with more than 1e25"),
        (["--designation-date", "2026-01-01"], "the model is not designated"),
        (["--designation-date", "2026-02-30", "--systemic-risk"], "designation date '2026-02-30'"),
    ],
)
def test_bad_model_facts_are_refused_and_nothing_is_written(reg, args, message):
    before = json.loads(run_main("model", "list", "--format", "json", home=reg).stdout)
    got = refused(reg, "model", "add", "Nova", "--placed-on-market", "2026-01-01", *args)
    assert message in got
    assert json.loads(run_main("model", "list", "--format", "json", home=reg).stdout) == before
