"""The report's page layout: templates, running header, "Page X of Y" and progress checks."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
)

from gpaitracker.errors import Cancelled
from gpaitracker.reports import sections
from gpaitracker.reports.data import ReportData, SignatureBox
from gpaitracker.reports.styles import (
    ACCENT,
    FRAME_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    RULE,
    SANS,
    SANS_BOLD,
    Styles,
    one_line,
    plain,
    register_fonts,
)
from gpaitracker.reports.tables import TableMaker

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
COVER_BAND = 46  # points of colour across the top of the cover


class _Milestone(Flowable):  # type: ignore[misc]
    """Takes no room; tells the document that one more part of the report is laid out."""

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _PagedCanvas(Canvas):  # type: ignore[misc]
    """Holds finished pages until the end, when the page count is known for the footers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:  # the cover has no footer
                self.setFont(SANS, 8)
                self.setFillColor(MUTED)
                self.drawCentredString(
                    PAGE_W / 2, MARGIN_BOTTOM / 2, f"Page {self._pageNumber} of {total}"
                )
            super().showPage()
        super().save()


class _ReportDoc(BaseDocTemplate):  # type: ignore[misc]
    """Calls back at each milestone and page so that a long report shows progress and stops
    when asked."""

    def __init__(
        self,
        buffer: io.BytesIO,
        data: ReportData,
        total: int,
        progress: Progress | None,
        cancelled: CancelCheck | None,
    ) -> None:
        organisation = one_line(data.organisation, 500)
        super().__init__(
            buffer,
            pagesize=(PAGE_W, PAGE_H),
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            # The canvas starts every page in this font: Helvetica would be listed unembedded.
            initialFontName=SANS,
            title=f"Board status report {data.number} — {organisation}",
            author=plain(data.prepared_by),
            subject=f"EU AI Act GPAI obligations as of {data.as_of.isoformat()}",
            creator="GPAI Tracker",
        )
        self._data, self._total, self._done = data, total, 0
        self._progress, self._cancelled = progress, cancelled
        body = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            FRAME_W,
            PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        cover = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            FRAME_W,
            PAGE_H - COVER_BAND - 40 - MARGIN_BOTTOM,
            id="cover",
            leftPadding=0,
            rightPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(
                    "cover", [cover], onPage=self._draw_cover, autoNextPageTemplate="body"
                ),
                PageTemplate("body", [body], onPage=self._draw_header),
            ]
        )

    def _check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise Cancelled("report cancelled; no file was written")

    def afterFlowable(self, flowable: Any) -> None:
        if isinstance(flowable, _Milestone):
            self._done += 1
            if self._progress is not None:
                self._progress(self._done, self._total)
            self._check()

    def afterPage(self) -> None:
        self._check()

    def _draw_cover(self, canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_H - COVER_BAND, PAGE_W, COVER_BAND, stroke=0, fill=1)
        canvas.setFillColor("white")
        canvas.setFont(SANS_BOLD, 10)
        canvas.drawString(MARGIN_X, PAGE_H - COVER_BAND / 2 - 3, "GPAI Tracker")
        canvas.restoreState()

    def _draw_header(self, canvas: Any, _doc: Any) -> None:
        d = self._data
        tail = f" — Board status report {d.number} — as of {d.as_of.isoformat()}"
        organisation = one_line(d.organisation, 120)
        # Shorten the organisation, never the rest, until the line fits the frame.
        while organisation and stringWidth(organisation + tail, SANS, 8) > FRAME_W:
            organisation = organisation[:-2] + "…"
        y = PAGE_H - MARGIN_TOP / 2
        canvas.saveState()
        canvas.setFont(SANS, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_X, y, organisation + tail)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, y - 5, PAGE_W - MARGIN_X, y - 5)
        canvas.restoreState()


def _story(data: ReportData, record: Callable[[SignatureBox], None]) -> list[Any]:
    """Every flowable of the report, with a milestone after each part."""
    st = Styles()
    tables = TableMaker(st)
    story: list[Any] = []
    # The opening parts each fill their own pages; a board member looks for them by page.
    for part in (
        sections.cover(data, st),
        sections.summary(data, st),
        sections.charts(data, st),
        sections.changes(data, st, tables),
        sections.deadlines(data, st, tables),
    ):
        story += [*part, _Milestone(), PageBreak()]
    # The item tables run on; a milestone after each keeps progress moving on long registers.
    for part in sections.item_tables(data, st, tables):
        story += [*part, _Milestone()]
    story.append(PageBreak())
    story += sections.evidence(data, st, tables)
    story += sections.audit(data, st)
    story += [*sections.sign_off(data, st, record), _Milestone()]
    return story


def render(
    data: ReportData, progress: Progress | None, cancelled: CancelCheck | None
) -> tuple[bytes, SignatureBox]:
    """The PDF's bytes and where its signature box landed."""
    register_fonts()
    boxes: list[SignatureBox] = []
    story = _story(data, boxes.append)
    total = sum(isinstance(f, _Milestone) for f in story)
    buffer = io.BytesIO()
    doc = _ReportDoc(buffer, data, total, progress, cancelled)
    doc._check()
    doc.build(story, canvasmaker=_PagedCanvas)
    return buffer.getvalue(), boxes[-1]
