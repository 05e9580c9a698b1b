"""Reading spreadsheets: encodings, empty files, formulas and error cells, dates, big files."""

import datetime as dt
import time

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpaitracker.errors import ValidationError
from gpaitracker.interchange import cells, writers
from gpaitracker.interchange.cells import BadCell
from gpaitracker.interchange.readers import read_table
from gpaitracker.interchange.rows import item_edits


def test_empty_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="is empty"):
        read_table(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n , ,\n\n")
    with pytest.raises(ValidationError, match="no header row"):
        read_table(blank)
    book = openpyxl.Workbook()
    book.save(tmp_path / "empty.xlsx")
    with pytest.raises(ValidationError, match="no header row"):
        read_table(tmp_path / "empty.xlsx")


def test_latin1_and_bom_csv_are_read(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("key,note\na-1/X,Révision déjà faite\n".encode("latin-1"))
    assert read_table(latin)["items"].rows[0][1][1] == "Révision déjà faite"
    bom = tmp_path / "bom.csv"
    bom.write_bytes("key,note\na-1/X,Überprüft\n".encode("utf-8-sig"))
    sheet = read_table(bom)["items"]
    assert sheet.headers == ["key", "note"]  # no stray mark on the first header
    assert sheet.rows[0][1][1] == "Überprüft"


def test_formulas_and_error_cells_reject_their_row(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "items"
    ws.append(["key", "due", "owner"])
    ws.append(["orca-1/AIA-53-1-a", "=TODAY()+30", ""])
    ws.append(["orca-1/AIA-53-1-b", "#N/A", ""])
    ws.append(["orca-1/AIA-53-1-c", dt.date(2027, 1, 2), ""])
    book.save(tmp_path / "f.xlsx")
    sheet = read_table(tmp_path / "f.xlsx")["items"]
    assert isinstance(sheet.rows[0][1][1], BadCell)
    edits, rejected = item_edits(sheet)
    assert [e.label for e in edits] == ["orca-1/AIA-53-1-c"]
    assert edits[0].values["due"] == dt.date(2027, 1, 2)
    assert "formula (=TODAY()+30)" in rejected[0].reason
    assert "the error #N/A" in rejected[1].reason
    csv = tmp_path / "f.csv"
    csv.write_text("key,due\norca-1/AIA-53-1-a,=NOW()\n")
    _, rejected = item_edits(read_table(csv)["items"])
    assert "formula" in rejected[0].reason


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2027-03-31", dt.date(2027, 3, 31)),
        ("2027/3/1", dt.date(2027, 3, 1)),
        ("31.03.2027", dt.date(2027, 3, 31)),
        ("31/03/2027", dt.date(2027, 3, 31)),
        ("12/31/2027", dt.date(2027, 12, 31)),
        ("5/5/2027", dt.date(2027, 5, 5)),
        ("31 Mar 2027", dt.date(2027, 3, 31)),
        ("March 31, 2027", dt.date(2027, 3, 31)),
        ("2027-03-31 00:00:00", dt.date(2027, 3, 31)),
        ("", None),
        ("-", None),
    ],
)
def test_dates_in_several_formats(text, day):
    assert cells.date(text, "due date") == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-02-30", "not a date"),
        ("31/02/2027", "not a date"),
        ("03/04/2027", "day/month or month/day"),
        ("tomorrow", "not a date"),
        ("1999-12-31", "outside 2000-2100"),
        ("31 Foo 2027", "not a date"),
        ("\u0662\u0660\u0662\u0667-\u0660\u0661-\u0660\u0661", "not a date"),
    ],
)
def test_invalid_dates_say_why(text, message):
    with pytest.raises(ValidationError, match=message):
        cells.date(text, "due date")


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_a_clear_refusal(text):
    try:
        value = cells.date(text, "due date")
    except ValidationError as exc:
        assert "due date" in str(exc)
    else:
        assert value is None or dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_iso_and_dotted_dates_read_back(day):
    assert cells.date(day.isoformat(), "d") == day
    assert cells.date(day.strftime("%d.%m.%Y"), "d") == day
    assert cells.date(dt.datetime.combine(day, dt.time()), "d") == day


_cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(_cell_text, min_size=3, max_size=3), min_size=1, max_size=8))
def test_csv_export_reads_back_the_same_text(tmp_path, table):
    """Whatever the text (quotes, newlines, formula-like starts), a CSV round trip keeps it."""
    path = tmp_path / "t.csv"
    headers = ("key", "note", "owner")
    writers.write_csv(path, writers.SheetSpec("items", headers, table, len(table)))
    sheet = read_table(path)["items"]
    assert sheet.headers == list(headers)
    kept = [r for r in table if any(c.strip() for c in r)]
    got = [
        [cells.text(c, "x") if not isinstance(c, BadCell) else c for c in r] for _, r in sheet.rows
    ]
    assert got == kept


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_cell_text, st.none(), st.integers(), st.dates()), max_size=6),
        max_size=6,
    )
)
def test_row_parsing_never_raises_other_errors(rows):
    """Any cells give edits or rejections with a reason, nothing else."""
    from gpaitracker.interchange.readers import Sheet

    sheet = Sheet("items", ["key", "owner", "due", "status", "priority", "note"])
    sheet.rows = [(n, list(r)) for n, r in enumerate(rows, start=2)]
    edits, rejected = item_edits(sheet)
    assert len(edits) + len(rejected) == len(rows)
    assert all(r.reason for r in rejected)


def test_a_100000_row_csv_is_read_quickly(tmp_path):
    path = tmp_path / "big.csv"
    lines = ["key,owner,due,status,note"]
    lines += [
        f"m{n % 50}/C-{n},o{n % 7}@x.eu,2027-01-{n % 28 + 1:02d},in_progress,n{n}"
        for n in range(100_000)
    ]
    path.write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    sheet = read_table(path)["items"]
    edits, rejected = item_edits(sheet)
    elapsed = time.perf_counter() - started
    assert len(edits) == 100_000 and not rejected
    assert elapsed < 20  # about 2 s here; generous for a busy machine


def test_too_many_rows_are_refused(tmp_path, monkeypatch):
    from gpaitracker.interchange import readers

    monkeypatch.setattr(readers, "MAX_ROWS", 10)
    path = tmp_path / "many.csv"
    path.write_text("key\n" + "".join(f"a/B{n}\n" for n in range(20)))
    with pytest.raises(ValidationError, match="more than 10 rows"):
        read_table(path)


def test_a_binary_file_is_not_taken_for_csv(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ValidationError, match="neither a CSV"):
        read_table(path)
    fake = tmp_path / "x.xlsx"
    fake.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValidationError, match="xlsx"):
        read_table(fake)


def test_an_xlsx_that_would_expand_hugely_is_refused(tmp_path, monkeypatch):
    from gpaitracker.interchange import readers

    book = openpyxl.Workbook()
    book.active.append(["key"])
    for n in range(2000):
        book.active.append([f"a/B{n}"])
    book.save(tmp_path / "b.xlsx")
    monkeypatch.setattr(readers, "MAX_EXPANDED_BYTES", 10_000)
    with pytest.raises(ValidationError, match="would expand to"):
        read_table(tmp_path / "b.xlsx")
