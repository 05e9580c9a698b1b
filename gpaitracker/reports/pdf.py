"""Board report as a PDF: build_pdf lays out a ReportData and says where to sign.

Importing this module is cheap: reportlab (about 0.2 s) is imported by build_pdf only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from gpaitracker.reports.data import ReportData, SignatureBox


def build_pdf(
    data: ReportData,
    out: BinaryIO | Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SignatureBox:
    """Write the report to `out` and return the box left empty for the visible signature.

    progress(done, total) is called as parts are laid out; when cancelled() returns True the
    build stops with errors.Cancelled and nothing is written.
    """
    from gpaitracker.reports.document import render  # reportlab comes with it

    pdf, box = render(data, progress, cancelled)
    if isinstance(out, Path):
        write_whole(out, pdf)
    else:
        out.write(pdf)
    return box


def write_whole(path: Path, content: bytes) -> None:
    """Replace `path` in one step, so that a reader never sees half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private; a saved report should be like any other saved file.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
