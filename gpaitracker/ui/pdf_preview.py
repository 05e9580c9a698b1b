"""A picture of a PDF's first page: Qt's PDF module when installed, poppler's pdftoppm if not.

Both run in a worker thread (QImage may be built off the GUI thread; a QPixmap may not), and
return PNG bytes, or None when neither can read the file.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter

TIMEOUT_S = 30


def first_page_png(pdf: Path, width: int) -> bytes | None:
    """The first page, width pixels wide, as PNG; None when it cannot be drawn here."""
    return _with_qtpdf(pdf, width) or _with_pdftoppm(pdf, width)


def _with_qtpdf(pdf: Path, width: int) -> bytes | None:
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        return None
    doc = QPdfDocument()
    try:
        if doc.load(str(pdf)) != QPdfDocument.Error.None_ or doc.pageCount() < 1:
            return None
        page = doc.pagePointSize(0)
        height = round(width * page.height() / page.width()) if page.width() > 0 else width
        image = doc.render(0, QSize(width, height))
        if image.isNull():
            return None
        # The page is drawn on a transparent ground; paper is white.
        paper = QImage(image.size(), QImage.Format.Format_RGB32)
        paper.fill(QColor("white"))
        painter = QPainter(paper)
        painter.drawImage(0, 0, image)
        painter.end()
        return _png(paper)
    finally:
        doc.close()


def _with_pdftoppm(pdf: Path, width: int) -> bytes | None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "page"
        done = subprocess.run(
            [
                tool,
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                "-scale-to-x",
                str(width),
                "-scale-to-y",
                "-1",
                str(pdf),
                str(base),
            ],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        out = base.with_suffix(".png")
        return out.read_bytes() if done.returncode == 0 and out.is_file() else None


def _png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
