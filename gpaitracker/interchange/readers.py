"""Reading a spreadsheet (xlsx or CSV) into plain tables of cell values.

CSV text is read as UTF-8 (with or without a byte-order mark), else as Windows-1252/Latin-1,
which is what spreadsheets save on Western European machines. An xlsx cell holding a formula
or an error arrives as a BadCell, so the importer can refuse that one row.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gpaitracker.errors import Cancelled, ValidationError
from gpaitracker.evidence_store import shown_path
from gpaitracker.interchange.cells import BadCell, formula_like, unguard

MAX_ROWS = 1_000_000
MAX_BYTES = 512 * 1024 * 1024  # a register's spreadsheet is far smaller; refuse before reading
MAX_EXPANDED_BYTES = 2048 * 1024 * 1024  # an xlsx is a zip; 100,000 rows expand to ~60 MB
MAX_CELL_CHARS = 100_000
Progress = Callable[[int, int], None]


@dataclass
class Sheet:
    """One table: its header row and its data rows as (row number in the file, cells)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


def read_table(
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Sheet]:
    """Every sheet of an xlsx file, or the one table of a CSV file, by (lower-case) name."""
    shown = shown_path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(f"file {shown} cannot be read: {exc.strerror}") from None
    if not path.is_file():
        raise ValidationError(f"file {shown} is not a regular file")
    if size == 0:
        raise ValidationError(f"file {shown} is empty")
    if size > MAX_BYTES:
        raise ValidationError(f"file {shown} is larger than {MAX_BYTES >> 20} MB")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        sheets = _read_xlsx(path, shown, progress, cancelled)
    else:
        sheets = {"items": _read_csv(path, shown, progress, cancelled)}
    if not any(s.headers for s in sheets.values()):
        raise ValidationError(f"file {shown} is empty: it has no header row")
    return sheets


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace") if _cp1252_ok(data) else data.decode("latin-1")


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(
    path: Path, shown: str, progress: Progress | None, cancelled: Callable[[], bool] | None
) -> Sheet:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ValidationError(f"file {shown} is neither a CSV text file nor an xlsx workbook")
    try:
        content = _decode(data)
    except UnicodeDecodeError:
        raise ValidationError(f"file {shown} starts with a UTF-8 mark but is not UTF-8") from None
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content))
    sheet = Sheet("items", [])
    total = max(1, content.count("\n"))
    try:
        for number, row in enumerate(reader, start=1):
            _check_row(number, row, shown, cancelled)
            if progress is not None and number % 5000 == 0:
                progress(min(number, total), total)
            cells: list[object] = [_csv_value(c) for c in row]
            _add(sheet, number, cells)
    except csv.Error as exc:
        raise ValidationError(
            f"file {shown} is not valid CSV near line {reader.line_num}: {exc}"
        ) from None
    return sheet


def _delimiter(content: str) -> str:
    """Comma, or the semicolon or tab that spreadsheets in some locales use, by the header."""
    header = content.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_value(raw: str) -> object:
    if formula_like(raw):
        return BadCell(f"holds a formula ({raw[:40]})")
    return unguard(raw)


def _check_row(
    number: int, row: list[str], shown: str, cancelled: Callable[[], bool] | None
) -> None:
    if number > MAX_ROWS + 1:
        raise ValidationError(f"file {shown} has more than {MAX_ROWS:,} rows")
    if cancelled is not None and number % 1000 == 0 and cancelled():
        raise Cancelled("reading the file was cancelled; nothing was changed")
    if any(len(c) > MAX_CELL_CHARS for c in row if isinstance(c, str)):
        raise ValidationError(
            f"file {shown} row {number} has a cell longer than {MAX_CELL_CHARS:,} characters"
        )


def _add(sheet: Sheet, number: int, cells: list[object]) -> None:
    if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
        return
    if not sheet.headers:
        sheet.headers = [("" if c is None else str(c)).strip() for c in cells]
        return
    sheet.rows.append((number, cells))


def _read_xlsx(
    path: Path, shown: str, progress: Progress | None, cancelled: Callable[[], bool] | None
) -> dict[str, Sheet]:
    import openpyxl  # ~0.2 s: only when a workbook is read

    _refuse_bomb(path, shown)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(f"file {shown} is not a readable xlsx workbook ({exc})") from None
    try:
        sheets: dict[str, Sheet] = {}
        for ws in book.worksheets:
            sheet = Sheet(ws.title.strip().lower(), [])
            total = ws.max_row or 0
            for number, row in enumerate(_xlsx_rows(ws), start=1):
                _check_row(number, [c for c in row if isinstance(c, str)], shown, cancelled)
                if progress is not None and number % 5000 == 0:
                    progress(number, max(total, number))
                _add(sheet, number, row)
            sheets.setdefault(sheet.name, sheet)
        return sheets
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError(f"file {shown} is a damaged xlsx workbook ({exc})") from None
    finally:
        book.close()


def _refuse_bomb(path: Path, shown: str) -> None:
    """An xlsx file is a zip: refuse one that would expand beyond any real register's size."""
    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(f"file {shown} is not a readable xlsx workbook ({exc})") from None
    if expanded > MAX_EXPANDED_BYTES:
        raise ValidationError(
            f"file {shown} would expand to {expanded:,} bytes; refused (at most "
            f"{MAX_EXPANDED_BYTES >> 20} MB)"
        )


def _xlsx_rows(ws: object) -> Iterator[list[object]]:
    for row in ws.iter_rows():  # type: ignore[attr-defined]
        cells: list[object] = []
        for cell in row:
            kind = getattr(cell, "data_type", "n")
            value = getattr(cell, "value", None)
            if kind == "f":
                cells.append(BadCell(f"holds a formula ({str(value)[:40]})"))
            elif kind == "e":
                cells.append(BadCell(f"holds the error {value}"))
            else:
                cells.append(value)
        yield cells
