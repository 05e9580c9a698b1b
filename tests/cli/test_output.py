"""Output: nothing in a cell can forge terminal output or run as a spreadsheet formula."""

import csv
import datetime as dt
import io
import json
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpaitracker.cli import output

FORGED_ROW = "fine\nAIA-99  done  ok  2025-01-01  boss@provider.eu  Fake row"


def _table(rows, headers=("key", "note")):
    buf = io.StringIO()
    output.table(list(headers), rows, out=buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (FORGED_ROW, "fine\\nAIA-99"),
        ("over\rwrite", "over\\rwrite"),
        ("tab\there", "tab\\there"),
        ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("nel\x85line", "nel\\x85line"),
        ("del\x7f", "del\\x7f"),
        ("bell\x07 nul\x00", "bell\\x07 nul\\x00"),
        ("invoice_\u202efdp.exe", "invoice_\\u202efdp.exe"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("undecodable\udcff", "undecodable\\udcff"),
    ],
)
def test_table_cells_show_controls_as_visible_escapes(text, shown):
    out = _table([["AIA-1", text]])
    assert out.count("\n") == 2  # header and one row, whatever the note holds
    assert shown in out
    assert all(c == "\n" or not output._unsafe(c) for c in out)


def test_text_that_is_fine_is_unchanged():
    emoji = "\U0001f469\u200d\U0001f4bb"  # woman technologist: a ZWJ sequence
    fine = ["Ada Lovelace", "Zoë Ünal-Øster", "東京 AI", "C:\\Users\\ada", emoji, "x\u00a0y"]
    for text in fine:
        assert output.safe(text) == text
        assert output.cell(text) == text


def test_headers_and_values_are_escaped_too():
    out = _table([[None, True, dt.date(2026, 1, 2)]], headers=("k\x1b", "b", "d"))
    assert out.splitlines() == ["K\\x1b  B    D", "-      yes  2026-01-02"]


def test_private_cell_used_by_command_modules_escapes():
    assert output._cell("a\nb") == "a\\nb"


@given(st.text())
def test_safe_output_is_one_line_without_controls(text):
    shown = output.safe(text)
    assert "\n" not in shown and "\r" not in shown
    assert not any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in shown)
    assert not any(c in output._BIDI for c in shown)


def _csv(rows):
    buf = io.StringIO()
    output.as_csv(["a", "b"], rows, out=buf)
    return list(csv.reader(io.StringIO(buf.getvalue())))[1:]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-1", "'-1"),  # text, even if it looks like a number
        ("a=b", "a=b"),
        ("note\nwith lines", "note\nwith lines"),  # exact text, quoted by the csv module
        (-1, "-1"),  # a real number cannot carry a formula
        (-2.5, "-2.5"),
        (Decimal("-3"), "-3"),
        (None, ""),
        (False, "no"),
    ],
)
def test_csv_guards_formulas_and_keeps_numbers(value, written):
    assert _csv([[value, "x"]]) == [[written, "x"]]


def test_csv_text_round_trips_and_a_carriage_return_cannot_split_a_row():
    rows = [["a\rb", 'say "hi", then\nleave'], ["", "plain"]]
    buf = io.StringIO()
    output.as_csv(["a", "b"], rows, out=buf)
    assert buf.getvalue().count("\n") == 4  # two of them inside quoted cells
    assert list(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [["a", "b"], *rows]


def test_json_is_unchanged():
    buf = io.StringIO()
    data = [{"note": FORGED_ROW + "\x1b[2J\u202e", "n": -1, "f": "=1+1"}]
    output.as_json(data, out=buf)
    assert json.loads(buf.getvalue()) == data
