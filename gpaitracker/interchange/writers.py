"""Writing tables to xlsx (openpyxl) and CSV: real dates, a frozen header row, filters on.

Text a spreadsheet would run as a formula is written as text in xlsx and with a leading quote
in CSV (the importer takes the quote off again), so a note starting with '=' stays a note.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import numbers
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from gpaitracker.errors import Cancelled, StorageError
from gpaitracker.evidence_store import shown_path
from gpaitracker.interchange.cells import GUARDED

Progress = Callable[[int, int], None]
# Characters the xlsx format cannot hold at all (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CSV_SPECIAL = ',"\r\n'


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def xlsx_text(value: str) -> str:
    """Text as an xlsx cell can hold it: characters XML forbids become U+FFFD."""
    return _ILLEGAL_XML.sub("\ufffd", value)


class SheetSpec:
    """One sheet to write: a name, its headers and its rows (values: str, int, date, None)."""

    def __init__(
        self, name: str, headers: Sequence[str], rows: Iterable[Sequence[object]], count: int
    ) -> None:
        self.name, self.headers, self.rows, self.count = name, headers, rows, count


def atomic_target(out: Path) -> tuple[int, str]:
    """A temporary file beside out, to be renamed over it when complete."""
    folder = out.parent
    if not folder.is_dir():
        raise StorageError(f"folder {shown_path(folder)} does not exist")
    try:
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=out.suffix, dir=folder)
    except OSError as exc:
        raise StorageError(f"cannot write in {shown_path(folder)}: {exc.strerror}") from None
    if hasattr(os, "fchmod"):  # mkstemp makes 0600; a saved file gets the usual mode
        os.fchmod(fd, 0o666 & ~_UMASK)
    return fd, temp


def finish(temp: str, out: Path) -> None:
    try:
        os.replace(temp, out)
    except OSError as exc:
        _remove(temp)
        raise StorageError(f"cannot write {shown_path(out)}: {exc.strerror}") from None


def _remove(temp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def write_xlsx(
    out: Path,
    sheets: Sequence[SheetSpec],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    import openpyxl  # ~0.2 s: only when a workbook is written
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    total = sum(s.count for s in sheets) or 1
    done = 0
    book = openpyxl.Workbook(write_only=True)
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        ws.freeze_panes = "A2"
        last = get_column_letter(max(1, len(spec.headers)))
        ws.auto_filter.ref = f"A1:{last}{spec.count + 1}"
        for index, header in enumerate(spec.headers, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) + 4))
        ws.append(list(spec.headers))
        for row in spec.rows:
            ws.append([_cell(ws, value, WriteOnlyCell) for value in row])
            done += 1
            if done % 2000 == 0:
                if cancelled is not None and cancelled():
                    raise Cancelled("the export was cancelled; no file was written")
                if progress is not None:
                    progress(done, total)
    fd, temp = atomic_target(out)
    os.close(fd)
    try:
        book.save(temp)
    except OSError as exc:
        _remove(temp)
        raise StorageError(f"cannot write {shown_path(out)}: {exc.strerror}") from None
    except BaseException:
        _remove(temp)
        raise
    finish(temp, out)
    if progress is not None:
        progress(total, total)


def _cell(ws: object, value: object, make: Any) -> object:
    if isinstance(value, str):
        cell = make(ws, value=xlsx_text(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = make(ws, value=value)
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_csv(
    out: Path,
    spec: SheetSpec,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """UTF-8 with a byte-order mark (so spreadsheets pick the right encoding), CRLF lines."""
    fd, temp = atomic_target(out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(_csv_row(spec.headers))
            for done, row in enumerate(spec.rows, start=1):
                fh.write(_csv_row([csv_cell(v) for v in row]))
                if done % 2000 == 0:
                    if cancelled is not None and cancelled():
                        raise Cancelled("the export was cancelled; no file was written")
                    if progress is not None:
                        progress(done, max(spec.count, done))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        _remove(temp)
        raise StorageError(f"cannot write {shown_path(out)}: {exc.strerror}") from None
    except BaseException:
        _remove(temp)
        raise
    finish(temp, out)


def _csv_row(fields: Sequence[str]) -> str:
    return ",".join(_quote(f) for f in fields) + "\r\n"


def _quote(text: str) -> str:
    if any(c in text for c in _CSV_SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_cell(value: object) -> str:
    """One value as CSV text: dates ISO, numbers as they are, formula-like text quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Number):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(GUARDED) else text
