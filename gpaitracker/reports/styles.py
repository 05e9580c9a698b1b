"""Fonts, colours, paragraph styles and text cleaning shared by the report's sections.

Imports reportlab at module level: only reports.pdf imports this module, inside build_pdf.
"""

from __future__ import annotations

import io
import re
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

from gpaitracker.reports.data import STATUSES

SANS, SANS_BOLD, MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"
_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf", MONO: "DejaVuSansMono.ttf"}

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm  # leaves room for the running header
MARGIN_BOTTOM = 20 * mm  # and for the footer
FRAME_W = PAGE_W - 2 * MARGIN_X

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
ACCENT = colors.HexColor("#1C3D5A")  # cover band and table headers
ZEBRA = colors.HexColor("#F0F3F6")
RULE = colors.HexColor("#BCCCDC")

# One colour per status, used by the charts and by the status column alike.
STATUS_COLOURS: dict[str, Any] = {
    "done": colors.HexColor("#2E7D32"),
    "in_review": colors.HexColor("#1E64C8"),
    "in_progress": colors.HexColor("#F2B01E"),
    "not_started": colors.HexColor("#7B8794"),
    "blocked": colors.HexColor("#C62828"),
    "not_applicable": colors.HexColor("#D5DBE1"),
}
STATUS_CAPTIONS = dict(STATUSES)
RAG_COLOURS: dict[str, Any] = {
    "red": STATUS_COLOURS["blocked"],
    "amber": colors.HexColor("#E08E0B"),
    "green": STATUS_COLOURS["done"],
}

# C0 controls (but newline), DEL and the C1 range: they show as boxes or confuse viewers.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t]+")


def register_fonts() -> None:
    """Register the shipped DejaVu fonts once, as a family so that <b> picks the bold face."""
    if SANS in pdfmetrics.getRegisteredFontNames():
        return
    folder = resources.files("gpaitracker.resources") / "fonts"
    for name, filename in _FILES.items():
        # Read through importlib.resources so that a zipped or frozen bundle works too.
        data = (folder / filename).read_bytes()
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    # No italic faces are shipped; map them to the upright ones rather than to Helvetica.
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD
    )
    pdfmetrics.registerFontFamily(MONO, normal=MONO, bold=MONO, italic=MONO, boldItalic=MONO)


def plain(text: str) -> str:
    """Text for canvas strings and plain table cells: control characters dropped."""
    return _CONTROL.sub("", text)


def markup(text: str) -> str:
    """Text from the register made safe for paragraph markup, newlines kept as line breaks."""
    lines = plain(text).split("\n")
    return "<br/>".join(escape(_SPACES.sub(" ", line)) for line in lines)


def one_line(text: str, limit: int = 80) -> str:
    """A name for a header or an axis: one line, cut with an ellipsis past `limit` characters."""
    flat = " ".join(plain(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def owner_text(owner: str | None) -> str:
    return owner if owner and owner.strip() else "unassigned"


def _style(name: str, **kw: Any) -> Any:
    # bulletFontName too: its default is Helvetica, which is not embedded.
    base: dict[str, Any] = {
        "fontName": SANS,
        "bulletFontName": SANS,
        "fontSize": 9.5,
        "leading": 12.5,
        "textColor": INK,
        "splitLongWords": 1,
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


class Styles:
    """The paragraph styles of one report."""

    def __init__(self) -> None:
        self.body = _style("body", spaceAfter=4)
        self.muted = _style("muted", textColor=MUTED, fontSize=8.5, leading=11)
        self.h1 = _style(
            "h1",
            fontName=SANS_BOLD,
            fontSize=17,
            leading=21,
            spaceAfter=8,
            textColor=ACCENT,
            keepWithNext=1,
        )
        self.h2 = _style(
            "h2",
            fontName=SANS_BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=5,
            textColor=ACCENT,
            keepWithNext=1,
        )
        self.h3 = _style(
            "h3",
            fontName=SANS_BOLD,
            fontSize=10.5,
            leading=13,
            spaceBefore=9,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.cell = _style("cell", fontSize=8, leading=10)
        self.numbered = _style("numbered", leftIndent=16, bulletIndent=0, spaceAfter=5)
        self.cover_title = _style(
            "cover_title",
            fontName=SANS_BOLD,
            fontSize=26,
            leading=32,
            textColor=ACCENT,
            spaceAfter=6,
        )
        self.cover_org = _style(
            "cover_org", fontName=SANS_BOLD, fontSize=15, leading=19, spaceAfter=4
        )
        self.figure = _style(
            "figure", fontName=SANS_BOLD, fontSize=16, leading=20, alignment=TA_RIGHT
        )
        self.rag = _style(
            "rag",
            fontName=SANS_BOLD,
            fontSize=15,
            leading=19,
            alignment=TA_CENTER,
            textColor=colors.white,
        )
        self.hash = _style("hash", fontName=MONO, fontSize=8.5, leading=11)
        self.figure_caption = _style("figure_caption", fontSize=9, leading=11, textColor=MUTED)
