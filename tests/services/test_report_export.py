"""Board reports from the demo register: figures, the record, changes since the last one."""

import datetime as dt
import hashlib
import shutil
import subprocess

import pytest
from sqlalchemy import select

from gpaitracker.errors import Cancelled
from gpaitracker.models import AuditEvent, ReportRecord
from gpaitracker.services import evidence, lookup, organisation, queries, register
from gpaitracker.services.report_export import report_data
from gpaitracker.services.report_make import make_report
from gpaitracker.services.workspace import Workspace
from tests.conftest import run_main
from tests.services.helpers import add_model, add_people, item_id
from tests.test_metrics import KEY, Clock, _finish


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "home"
    assert run_main("demo", home=home).returncode == 0
    return home


@pytest.fixture
def demo(demo_source, tmp_path):
    home = tmp_path / "demo"
    shutil.copytree(demo_source, home)
    ws = Workspace.open(home, create=False)
    yield ws
    ws.close()


def text_of(pdf):
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def records(ws):
    def read(*, session):
        return [
            (r.number, r.pdf_sha256, r.audit_head_id, r.audit_head_hash, r.metrics)
            for r in session.execute(select(ReportRecord)).scalars()
        ]

    return ws.read(read)


def test_report_shows_register_figures_and_is_recorded_with_its_hash(demo, tmp_path):
    out = tmp_path / "board.pdf"
    made = make_report(demo, out)
    text = " ".join(text_of(out).split())
    rows = demo.read(queries.list_rows)
    overdue = demo.read(queries.list_rows, filters=queries.Filters(overdue=True))
    assert made.number == 1 and not made.signer
    assert "Northwind" in text
    assert rows[0].key in text
    data = demo.read(report_data, as_of=dt.date.today(), model_ids=None, prepared_by="x")
    assert data.headline.total == len(rows)
    assert data.headline.overdue == len(overdue) > 0
    assert len(data.key_messages) == 3 and "overdue" in data.key_messages[0]
    assert data.number == 2  # the next one
    [(number, sha, head_id, head_hash, figures)] = records(demo)
    assert (number, sha) == (1, hashlib.sha256(out.read_bytes()).hexdigest())
    assert figures["total"] == len(rows) and len(figures["items"]) == len(rows)

    def events(*, session):
        return session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()

    trail = demo.read(events)
    report_events = [e for e in trail if e.entity == "report"]
    assert report_events and report_events[0].label == "report 1"
    before = [e for e in trail if e.id < report_events[0].id][-1]
    assert (head_id, head_hash) == (before.id, before.hash)


def test_second_report_says_what_changed_since_the_first(demo, tmp_path):
    make_report(demo, tmp_path / "one.pdf")
    row = next(r for r in demo.read(queries.list_rows) if r.due and r.status.value != "done")
    moved_to = row.due + dt.timedelta(days=30)
    demo.write(register.set_due, requirement_id=row.id, due=moved_to)
    data = demo.read(report_data, as_of=dt.date.today(), model_ids=None, prepared_by="x")
    assert data.changes is not None and data.changes.previous_number == 1
    assert [(m.item.key, m.old_due, m.new_due) for m in data.changes.deadlines_moved] == [
        (row.key, row.due, moved_to)
    ]
    assert not data.changes.new_obligations and not data.changes.newly_done
    made = make_report(demo, tmp_path / "two.pdf")
    assert made.number == 2
    text = " ".join(text_of(tmp_path / "two.pdf").split())
    assert "Changes since report 1" in text


def test_report_for_one_model_lists_only_its_items(demo, tmp_path):
    model = demo.read(lookup.model_id, ref="titan-1")
    data = demo.read(report_data, as_of=dt.date.today(), model_ids=(model,), prepared_by="x")
    keys = [line.key for t in data.tables for line in t.items]
    assert keys and all(k.startswith("titan-1/") for k in keys)
    assert data.headline.total == len(keys)


def test_cancelled_report_leaves_no_file_and_no_record(demo, tmp_path):
    out = tmp_path / "board.pdf"
    with pytest.raises(Cancelled):
        make_report(demo, out, cancelled=lambda: True)
    assert not out.exists()
    assert records(demo) == []


def test_a_report_for_an_earlier_day_shows_items_and_evidence_as_they_stood(
    ws, monkeypatch, tmp_path
):
    clock = Clock(monkeypatch)
    ws.create(
        organisation.create_register,
        name="Provider SA",
        admin_name="Ada Admin",
        admin_email="ada@provider.eu",
        signatory=True,
    )
    add_people(ws)
    add_model(ws, placed_on_market="2025-09-01")
    clock.set("2025-10-15")
    _finish(ws)
    ws.write(
        evidence.add_link_evidence,
        requirement_id=item_id(ws, KEY),
        url="https://provider.eu/docs/tech-doc",
    )
    today = dt.date(2026, 3, 1)

    def line(data):
        return next(x for t in data.tables for x in t.items if x.key == KEY)

    then = ws.read(
        report_data, as_of=dt.date(2025, 10, 1), model_ids=None, prepared_by="x", today=today
    )
    now = ws.read(report_data, as_of=today, model_ids=None, prepared_by="x", today=today)
    assert line(then).status == "not_started" and line(now).status == "done"
    assert then.headline.done == 0 and now.headline.done == 1
    # The evidence was added after 2025-10-01 (its record is stamped with the real time).
    assert then.evidence == [] and [e.title for e in now.evidence] == [
        "https://provider.eu/docs/tech-doc"
    ]


def test_report_lists_incident_reports_and_request_answers_owed(demo, tmp_path):
    from gpaitracker.enums import RequestKind
    from gpaitracker.services import requests_register

    today = dt.date.today()
    titan = demo.read(lookup.model_id, ref="titan-1")
    demo.write(
        requests_register.add_request,
        kind=RequestKind.AIO,
        subject="Information on the training data",
        received=today - dt.timedelta(days=20),
        deadline=today - dt.timedelta(days=5),
        model_id=titan,
    )
    demo.write(
        requests_register.add_request,
        kind=RequestKind.DOWNSTREAM,
        subject="Capabilities and limitations",
        received=today,
        model_id=titan,
    )
    data = demo.read(report_data, as_of=today, model_ids=None, prepared_by="x")
    late = [r for r in data.records if r.days_late]
    assert [r.days_late for r in late] == [5]
    assert any(r.due == today + dt.timedelta(days=14) for r in data.records)
    assert "1 incident report(s) or request answer(s) are late" in data.key_messages[0]
    orca = demo.read(lookup.model_id, ref="orca-1")
    assert demo.read(report_data, as_of=today, model_ids=(orca,), prepared_by="x").records == ()
    out = tmp_path / "board.pdf"
    make_report(demo, out)
    text = " ".join(text_of(out).split())
    assert "Incident reports and request answers owed" in text
    assert "Information on the training data" in text
