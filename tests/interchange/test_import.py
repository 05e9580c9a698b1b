"""Importing spreadsheets through the services: preview, refusal, skipping, workflow, roles."""

import datetime as dt
import time

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.interchange.readers import Sheet, read_table
from gpaitracker.models import AuditEvent
from gpaitracker.services import interchange_export, interchange_import, interchange_reads
from gpaitracker.services.workspace import Workspace
from tests.interchange.helpers import items

OLGA = "olga.lindqvist@northwind.example"
KARIM = "karim.haddad@northwind.example"


def export(ws, path):
    data = ws.read(interchange_reads.snapshot)
    (interchange_export.write_xlsx if path.suffix == ".xlsx" else interchange_export.write_csv)(
        data, path
    )
    return path


def run(ws, path, **kw):
    return ws.write(interchange_import.import_sheets, sheets=read_table(path), **kw)


def events(ws):
    with ws.register.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def edit_cells(path, edits):
    """edits: {key: {column: value}} applied to the items sheet with openpyxl."""
    book = openpyxl.load_workbook(path)
    sheet = book["items"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        key = row[0].value
        for column, value in edits.get(key, {}).items():
            row[header.index(column)].value = value
    book.save(path)


def test_round_trip_xlsx_shows_exactly_the_edits(demo_ws, tmp_path):
    before = items(demo_ws)
    path = export(demo_ws, tmp_path / "register.xlsx")
    open_items = [k for k, v in before.items() if v["status"] == "in_progress"]
    a, b, c = open_items[:3]
    edits = {
        a: {"owner": KARIM if before[a]["owner"] != KARIM else OLGA},
        b: {"due": dt.datetime(2027, 3, 31), "priority": "critical"},
        c: {"note": "Draft sent to legal", "status": "blocked"},
    }
    edit_cells(path, edits)
    result = run(demo_ws, path, apply=True)
    assert result.applied and not result.rejected
    assert sorted(o.label for o in result.of_kind("changed")) == sorted([a, b, c])
    expected = {k: dict(v) for k, v in before.items()}
    expected[a]["owner"] = edits[a]["owner"]
    expected[b].update(due=dt.date(2027, 3, 31), priority="critical")
    expected[c].update(status="blocked", note="Draft sent to legal")
    assert items(demo_ws) == expected


def test_unchanged_round_trip_changes_nothing(demo_ws, tmp_path):
    before, count = items(demo_ws), events(demo_ws)
    for name in ("register.xlsx", "register.csv"):
        result = run(demo_ws, export(demo_ws, tmp_path / name), apply=True)
        assert result.applied and not result.outcomes
        assert result.unchanged >= len(before)
    assert items(demo_ws) == before and events(demo_ws) == count


def test_preview_changes_nothing_and_says_what_applying_would(demo_ws, tmp_path):
    path = export(demo_ws, tmp_path / "register.xlsx")
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "in_progress")
    edit_cells(path, {key: {"due": "2027-01-15"}})
    before, count = items(demo_ws), events(demo_ws)
    preview = run(demo_ws, path, apply=False)
    assert not preview.applied
    [changed] = preview.of_kind("changed")
    assert changed.label == key and "due:" in changed.detail and "2027-01-15" in changed.detail
    assert items(demo_ws) == before and events(demo_ws) == count


def test_invalid_rows_refuse_the_file_unless_skipped(demo_ws, tmp_path):
    path = export(demo_ws, tmp_path / "register.xlsx")
    keys = [k for k, v in items(demo_ws).items() if v["status"] == "in_progress"]
    edit_cells(
        path,
        {
            keys[0]: {"due": "2027-02-30"},  # no such day
            keys[1]: {"owner": "nobody@nowhere.example"},  # unknown owner
            keys[2]: {"due": "2027-06-01"},  # fine
        },
    )
    before, count = items(demo_ws), events(demo_ws)
    refused = run(demo_ws, path, apply=True)
    assert not refused.applied
    reasons = {o.label: o.detail for o in refused.rejected}
    assert "2027-02-30" in reasons[keys[0]] and "not a date" in reasons[keys[0]]
    assert "nobody@nowhere.example is not in the register" in reasons[keys[1]]
    assert items(demo_ws) == before and events(demo_ws) == count
    applied = run(demo_ws, path, apply=True, skip_invalid=True)
    assert applied.applied and len(applied.rejected) == 2
    after = items(demo_ws)
    assert after[keys[2]]["due"] == dt.date(2027, 6, 1)
    assert after[keys[0]] == before[keys[0]] and after[keys[1]] == before[keys[1]]


def test_unknown_keys_and_duplicate_rows_are_rejected(demo_ws, tmp_path):
    path = tmp_path / "items.csv"
    key = next(iter(items(demo_ws)))
    path.write_text(
        f"key,due\nnobody-9/AIA-1,2027-01-01\n{key},2027-01-01\n{key},2027-02-01\nnot a key,\n"
    )
    result = run(demo_ws, path, apply=False)
    reasons = [o.detail for o in result.rejected]
    assert "key nobody-9/AIA-1 is not in the register" in reasons
    assert f"key {key} is also on row 3" in reasons
    assert any("not like 'model-slug/CODE'" in r for r in reasons)


def test_status_changes_follow_the_workflow(demo_ws, tmp_path):
    """Steps the workflow refuses are rejected with its reason; approving needs another person."""
    data = items(demo_ws)
    key = next(k for k, v in data.items() if v["status"] == "in_progress" and v["owner"])
    path = tmp_path / "status.csv"
    path.write_text(f"key,status\n{key},done\n")
    skipped = run(demo_ws, path, apply=True)
    assert not skipped.applied and "allowed" in skipped.rejected[0].detail
    path.write_text(f"key,status\n{key},in_review\n")
    result = run(demo_ws, path, apply=True)
    [changed] = result.of_kind("changed")
    assert "in_progress -> in_review" in changed.detail
    assert items(demo_ws)[key]["status"] == "in_review"
    path.write_text(f"key,status\n{key},done\n")
    again = run(demo_ws, path, apply=True)  # the person who submitted it cannot approve it
    assert not again.applied and "four-eyes" in again.rejected[0].detail
    reviewer = Workspace(demo_ws.register, data[key]["reviewer"])
    approved = run(reviewer, path, apply=True)
    assert approved.applied and items(demo_ws)[key]["status"] == "done"


def test_done_items_are_reopened_before_other_edits(demo_ws, tmp_path):
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "done")
    path = tmp_path / "reopen.csv"
    path.write_text(f"key,status,due\n{key},in_progress,2027-04-01\n")
    result = run(demo_ws, path, apply=True)
    assert result.applied, result.rejected
    after = items(demo_ws)[key]
    assert after["status"] == "in_progress" and after["due"] == dt.date(2027, 4, 1)


def test_read_only_people_cannot_import(demo_ws, tmp_path):
    path = export(demo_ws, tmp_path / "register.csv")
    viewer = Workspace(demo_ws.register, "elena.rossi@northwind.example")
    with pytest.raises(PermissionDenied):
        run(viewer, path, apply=False)


def test_people_sheet_adds_and_changes_people(demo_ws, tmp_path):
    path = export(demo_ws, tmp_path / "register.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["people"]
    sheet.append(["nina@northwind.example", "Nina New", "officer", "yes"])
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == KARIM:
            row[2].value = "reviewer"
    edit = book["items"]
    header = [c.value for c in edit[1]]
    first = next(
        r for r in edit.iter_rows(min_row=2) if r[header.index("status")].value == "in_progress"
    )
    first[header.index("owner")].value = "nina@northwind.example"
    book.save(path)
    result = run(demo_ws, path, apply=True)
    assert result.applied, result.rejected
    assert [o.label for o in result.of_kind("added")] == ["nina@northwind.example"]
    assert any(o.label == KARIM and "role" in o.detail for o in result.of_kind("changed"))
    assert items(demo_ws)[first[0].value]["owner"] == "nina@northwind.example"
    officer = Workspace(demo_ws.register, OLGA)  # adding people needs an admin
    sheet.append(["omar@northwind.example", "Omar", "officer", "yes"])
    book.save(path)
    refused = run(officer, path, apply=False)
    assert any("must be an admin" in o.detail for o in refused.rejected)


def test_foreign_columns_map_by_alias_or_explicitly(demo_ws, tmp_path):
    key = next(k for k, v in items(demo_ws).items() if v["status"] == "in_progress")
    slug, code = key.split("/")
    path = tmp_path / "foreign.csv"
    path.write_text(f"Model;Obligation ID;Deadline;Assignee\n{slug};{code};31.03.2027;{KARIM}\n")
    with pytest.raises(ValidationError, match="no key column"):
        run(demo_ws, path, apply=False)
    result = run(demo_ws, path, apply=True, mapping={"Obligation ID": "code"})
    assert result.applied and [o.label for o in result.of_kind("changed")] == [key]
    after = items(demo_ws)[key]
    assert after["due"] == dt.date(2027, 3, 31) and after["owner"] == KARIM


def test_wrong_columns_are_named(demo_ws, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("colour,size\nred,3\n")
    with pytest.raises(ValidationError, match=r"columns found: 'colour', 'size'"):
        run(demo_ws, path)
    with pytest.raises(ValidationError, match="does not have"):
        run(demo_ws, path, mapping={"Shape": "key"})


_values = {
    "owner": st.sampled_from(["", OLGA, KARIM, "rita.moreau@northwind.example", "x@y.z", "bad"]),
    "due": st.one_of(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2110, 1, 1)).map(str),
        st.sampled_from(["", "-", "31/02/2027", "03/04/2027", "soon"]),
    ),
    "status": st.sampled_from(["", "in_progress", "blocked", "in_review", "done", "nope"]),
    "priority": st.sampled_from(["", "low", "high", "urgent"]),
    "note": st.text(max_size=20),
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_an_import_applies_whole_or_not_at_all(demo_ws, tmp_path, data):
    """Property: without --skip-invalid, any file is applied completely or changes nothing."""
    keys = sorted(items(demo_ws))
    chosen = data.draw(st.lists(st.sampled_from([*keys, "orca-1/NOPE"]), max_size=6))
    columns = data.draw(st.lists(st.sampled_from(sorted(_values)), min_size=1, unique=True))
    table = [[k, *(data.draw(_values[c]) for c in columns)] for k in chosen]
    sheet = Sheet("items", ["key", *columns])
    sheet.rows = [(n, list(r)) for n, r in enumerate(table, start=2)]
    before, count = items(demo_ws), events(demo_ws)
    result = demo_ws.write(interchange_import.import_sheets, sheets={"items": sheet}, apply=True)
    if result.rejected:
        assert not result.applied
        assert items(demo_ws) == before and events(demo_ws) == count
    else:
        assert result.applied
        assert len(result.outcomes) + result.unchanged == len(table)


def test_a_100000_row_file_gets_a_preview_quickly(demo_ws, tmp_path):
    """100,000 rows: the register's items unchanged, a few edits, the rest unknown keys."""
    data = items(demo_ws)
    keys = [k for k, v in data.items() if v["status"] == "in_progress"][:5]
    lines = ["key,due,note"]
    lines += [f"{k},2027-11-{n + 1:02d},-" for n, k in enumerate(keys)]
    lines += [f"orca-1/X-{n},2027-01-01,n{n}" for n in range(100_000 - len(keys))]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    before, count = items(demo_ws), events(demo_ws)
    started = time.perf_counter()
    preview = run(demo_ws, path, apply=False)
    elapsed = time.perf_counter() - started
    assert len(preview.of_kind("changed")) == len(keys)
    assert len(preview.rejected) == 100_000 - len(keys)
    assert preview.rejected[0].detail == "key orca-1/X-0 is not in the register"
    assert items(demo_ws) == before and events(demo_ws) == count
    assert elapsed < 30  # about 3 s here
    applied = run(demo_ws, path, apply=True, skip_invalid=True)
    assert applied.applied and all(items(demo_ws)[k]["due"].month == 11 for k in keys)
