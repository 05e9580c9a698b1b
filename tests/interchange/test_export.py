"""Exports: the workbook's layout, the calendar's events, the JSON document."""

import datetime as dt
import json

import icalendar
import openpyxl

from gpaitracker import workflow
from gpaitracker.interchange.fields import ITEM_COLUMNS
from gpaitracker.services import (
    interchange_export,
    interchange_reads,
    lookup,
    register,
    register_json,
)
from tests.interchange.helpers import rows


def snapshot(ws):
    return ws.read(interchange_reads.snapshot)


def test_workbook_has_items_evidence_and_people(demo_ws, tmp_path):
    path = tmp_path / "r.xlsx"
    count = interchange_export.write_xlsx(snapshot(demo_ws), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["items", "evidence", "people"]
    items = book["items"]
    assert [c.value for c in items[1]] == list(ITEM_COLUMNS)
    assert items.max_row == count + 1 == len(rows(demo_ws)) + 1
    assert items.freeze_panes == "A2" and items.auto_filter.ref.startswith("A1:")
    due = ITEM_COLUMNS.index("due")
    dated = [r[due].value for r in items.iter_rows(min_row=2) if r[due].value is not None]
    assert dated and all(isinstance(d, dt.datetime) for d in dated)  # real dates
    assert book["evidence"].max_row == 7  # 5 files and a link
    assert {r[0].value for r in book["people"].iter_rows(min_row=2)} >= {
        "olga.lindqvist@northwind.example"
    }


def test_text_that_looks_like_a_formula_stays_text(demo_ws, tmp_path):
    item = rows(demo_ws)[0]
    demo_ws.write(register.add_comment, requirement_id=item.id, text='=HYPERLINK("x")\x07')
    path = tmp_path / "r.xlsx"
    interchange_export.write_xlsx(snapshot(demo_ws), path)
    cell = next(
        r[ITEM_COLUMNS.index("note")]
        for r in openpyxl.load_workbook(path)["items"].iter_rows(min_row=2)
        if r[0].value == item.key
    )
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    csv = tmp_path / "r.csv"
    interchange_export.write_csv(snapshot(demo_ws), csv)
    data = csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"'=HYPERLINK" in data


def test_calendar_has_one_event_per_open_deadline(demo_ws, tmp_path):
    path = tmp_path / "r.ics"
    count = interchange_export.write_ics(snapshot(demo_ws), path)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    expected = [
        r
        for r in rows(demo_ws)
        if r.due is not None
        and r.status not in workflow.CLOSED
        and r.applicable
        and not r.withdrawn
        and not r.model_retired
    ]
    assert len(events) == count == len(expected) > 0
    by_key = {str(e["url"]).removeprefix("gpaitracker:item/"): e for e in events}
    assert set(by_key) == {r.key for r in expected}
    first = expected[0]
    event = by_key[first.key]
    assert event.decoded("dtstart") == first.due
    assert first.key in str(event["summary"]) and (first.owner or "no owner") in str(
        event["description"]
    )
    # The same items keep the same UIDs in a later export: calendars update, not duplicate.
    again = tmp_path / "again.ics"
    interchange_export.write_ics(snapshot(demo_ws), again)
    uids = {str(e["uid"]) for e in events}
    assert uids == {
        str(e["uid"]) for e in icalendar.Calendar.from_ical(again.read_bytes()).walk("VEVENT")
    }
    assert len(uids) == len(events)


def test_calendar_of_my_items_or_one_model(demo_ws, tmp_path):
    data = snapshot(demo_ws)
    olga = demo_ws.read(lookup.person_id, email="olga.lindqvist@northwind.example")
    model = demo_ws.read(lookup.model_id, ref="titan-1")
    mine = interchange_export.open_deadlines(data, owner_id=olga)
    assert mine and all(d.owner == "olga.lindqvist@northwind.example" for d in mine)
    titan = interchange_export.open_deadlines(data, model_id=model)
    assert titan and all(d.key.startswith("titan-1/") for d in titan)
    path = tmp_path / "m.ics"
    assert interchange_export.write_ics(data, path, model_id=model) == len(titan)


def test_json_document_holds_the_whole_register(demo_ws, tmp_path):
    path = tmp_path / "r.json"
    register_json.write_json(demo_ws.read(register_json.document), path)
    doc = json.loads(path.read_text())
    assert doc["schema"] == "gpaitracker-register" and doc["schema_version"] == 1
    for section in register_json.SECTIONS:
        assert isinstance(doc[section], list), section
    assert {i["key"] for i in doc["items"]} == {r.key for r in rows(demo_ws)}
    assert len(doc["people"]) == 6 and len(doc["models"]) == 3
    assert doc["audit"]["events"] > 0 and len(doc["audit"]["head"]["hash"]) == 64
    assert all("row_version" not in i for i in doc["items"])
