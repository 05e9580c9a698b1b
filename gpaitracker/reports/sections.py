"""The report's sections as lists of flowables, in reading order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
)

from gpaitracker.reports.charts import status_bars, trend_lines
from gpaitracker.reports.data import ChangesSince, Headline, ReportData, SignatureBox
from gpaitracker.reports.styles import (
    FRAME_W,
    INK,
    RAG_COLOURS,
    RULE,
    SANS,
    ZEBRA,
    Styles,
    markup,
)
from gpaitracker.reports.tables import TableMaker

Story = list[Any]
SIGNATURE_W, SIGNATURE_H = 240.0, 80.0


def utc_text(moment: dt.datetime, pattern: str) -> str:
    """A moment in UTC; a naive one is taken to be UTC already, as ReportData says."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime(pattern)


def _table(cells: list[list[Any]], style: list[tuple[Any, ...]], **kw: Any) -> Any:
    """A Table whose plain and empty cells use DejaVu: the default is unembedded Helvetica."""
    return Table(cells, style=[("FONT", (0, 0), (-1, -1), SANS, 9), *style], **kw)


def _pairs(rows: list[tuple[str, Any]], st: Styles, label_w: float = 110) -> Any:
    """A borderless two-column table of captions and values."""
    cells = [[Paragraph(label, st.muted), value] for label, value in rows]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    return _table(cells, style, colWidths=[label_w, FRAME_W - label_w], hAlign="LEFT")


def cover(data: ReportData, st: Styles) -> Story:
    models = ", ".join(data.models) if data.models else "none"
    generated = utc_text(data.generated_at, "%Y-%m-%d %H:%M UTC")
    return [
        Spacer(1, 70),
        Paragraph(f"Board status report {data.number}", st.cover_title),
        Paragraph(markup(data.organisation), st.cover_org),
        Paragraph(
            "Obligations under the EU AI Act for providers of general-purpose AI models", st.muted
        ),
        Spacer(1, 40),
        _pairs(
            [
                ("Report", Paragraph(f"Report {data.number}", st.body)),
                ("As of", Paragraph(data.as_of.isoformat(), st.body)),
                ("Models", Paragraph(markup(models), st.body)),
                ("Generated at", Paragraph(generated, st.body)),
                ("Prepared by", Paragraph(markup(data.prepared_by), st.body)),
            ],
            st,
        ),
    ]


def _figure_cards(h: Headline, st: Styles) -> Any:
    overdue_colour = RAG_COLOURS["red"].hexval()[2:] if h.overdue else None
    figures = [
        ("Items in scope", str(h.total), None),
        ("Done", str(h.done), None),
        ("Percent done", f"{h.percent_done:.1f}%", None),
        ("Overdue", str(h.overdue), overdue_colour),
        ("Due in 30 days", str(h.due_30), None),
        ("Evidence coverage", f"{h.evidence_coverage:.1f}%", None),
    ]
    cells: list[list[Any]] = [[], []]
    for index, (caption, value, colour) in enumerate(figures):
        text = f'<font color="#{colour}">{value}</font>' if colour else value
        cells[index // 3] += [Paragraph(caption, st.figure_caption), Paragraph(text, st.figure), ""]
    card_w, gap = (FRAME_W - 2 * 12) / 3, 12
    widths = [card_w * 0.5, card_w * 0.5, gap] * 3
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]
    for col in (0, 3, 6):
        style.append(("BACKGROUND", (col, 0), (col + 1, -1), ZEBRA))
        style.append(("LINEABOVE", (col, 0), (col + 1, 0), 2, RULE))
        # Little padding between caption and figure: "100.0%" and "Items in scope" must fit.
        style.append(("LEFTPADDING", (col, 0), (col, -1), 8))
        style.append(("RIGHTPADDING", (col, 0), (col, -1), 2))
        style.append(("LEFTPADDING", (col + 1, 0), (col + 1, -1), 2))
        style.append(("RIGHTPADDING", (col + 1, 0), (col + 1, -1), 8))
    return _table(
        [row[:-1] for row in cells],
        colWidths=widths[:-1],
        style=style,
        rowHeights=[44, 44],
        spaceAfter=10,
    )


def _rag_cards(rag: dict[str, int], st: Styles) -> Any:
    names = ("red", "amber", "green")
    row = [Paragraph(f"{rag.get(n, 0)}\u00a0\u00a0{n.capitalize()}", st.rag) for n in names]
    style = [("BACKGROUND", (i, 0), (i, 0), RAG_COLOURS[n]) for i, n in enumerate(names)]
    style += [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]
    return _table([row], style, colWidths=[FRAME_W / 3] * 3, rowHeights=[38], spaceAfter=4)


def summary(data: ReportData, st: Styles) -> Story:
    messages = data.key_messages or ["None."]
    story: Story = [
        Paragraph("Executive summary", st.h1),
        _figure_cards(data.headline, st),
        Paragraph("Items by RAG status", st.h2),
        _rag_cards(data.headline.rag, st),
        Paragraph(
            "Red: overdue or blocked. Amber: due within 30 days and not yet in review. "
            "Green: on track, in review or closed.",
            st.muted,
        ),
        Paragraph("Key messages", st.h2),
    ]
    story += [
        Paragraph(markup(text), st.numbered, bulletText=f"{n}.")
        for n, text in enumerate(messages, start=1)
    ]
    return story


def charts(data: ReportData, st: Styles) -> Story:
    story: Story = [Paragraph("Progress", st.h1)]
    for title, rows, axis in (
        ("Status by chapter", data.by_chapter, "Chapter"),
        ("Status by model", data.by_model, "Model"),
    ):
        story.append(Paragraph(title, st.h2))
        story.append(status_bars(rows, FRAME_W, axis) if rows else Paragraph("None.", st.muted))
    story.append(Paragraph(f"Trend over the last {len(data.trend)} weeks", st.h2))
    if data.trend:
        story.append(trend_lines(data.trend, FRAME_W))
    else:
        story.append(Paragraph("None.", st.muted))
    return story


def changes(data: ReportData, st: Styles, tables: TableMaker) -> Story:
    c: ChangesSince | None = data.changes
    if c is None:
        return [
            Paragraph("Changes since the previous report", st.h1),
            Paragraph(
                "This is the first report for this register: there is no earlier "
                "report to compare it with.",
                st.body,
            ),
        ]
    title = f"Changes since report {c.previous_number} (as of {c.previous_as_of.isoformat()})"
    return [
        Paragraph(title, st.h1),
        Paragraph(f"Newly done ({len(c.newly_done)})", st.h2),
        tables.items(c.newly_done),
        Paragraph(f"Newly overdue ({len(c.newly_overdue)})", st.h2),
        tables.items(c.newly_overdue, days_late=True),
        Paragraph(f"New obligations ({len(c.new_obligations)})", st.h2),
        tables.items(c.new_obligations),
        Paragraph(f"Deadlines moved ({len(c.deadlines_moved)})", st.h2),
        tables.moved(c.deadlines_moved),
    ]


def deadlines(data: ReportData, st: Styles, tables: TableMaker) -> Story:
    return [
        Paragraph("Deadlines", st.h1),
        Paragraph(f"Overdue ({len(data.overdue)})", st.h2),
        tables.items(data.overdue, days_late=True),
        Paragraph(f"Due in the next 90 days ({len(data.next_90)})", st.h2),
        tables.items(data.next_90),
        Paragraph(f"Incident reports and request answers owed ({len(data.records)})", st.h2),
        tables.records(data.records),
    ]


def item_tables(data: ReportData, st: Styles, tables: TableMaker) -> list[Story]:
    """One part per model and chapter: a heading and its items."""
    title = Paragraph("Items by model and chapter", st.h1)
    if not data.tables:
        return [[title, Paragraph("None.", st.muted)]]
    parts: list[Story] = [
        [
            Paragraph(f"{markup(t.model)} — {markup(t.chapter)} ({len(t.items)})", st.h3),
            tables.items(t.items),
        ]
        for t in data.tables
    ]
    parts[0].insert(0, title)
    return parts


def evidence(data: ReportData, st: Styles, tables: TableMaker) -> Story:
    return [
        Paragraph("Evidence index", st.h1),
        Paragraph(
            "Each file is named by its SHA-256 hash: hashing a copy of the file and "
            "comparing proves it is the one the register holds.",
            st.muted,
        ),
        Spacer(1, 4),
        tables.evidence(data.evidence),
    ]


def audit(data: ReportData, st: Styles) -> Story:
    story: Story = [Paragraph("Audit trail anchor", st.h2)]
    head = data.audit_head
    if head is None:
        return [*story, Paragraph("The audit trail was empty when this report was made.", st.body)]
    return [
        *story,
        _pairs(
            [
                ("Last event", Paragraph(str(head.event_id), st.body)),
                ("Hash", Paragraph(markup(head.hash), st.hash)),
                ("Recorded at", Paragraph(utc_text(head.at, "%Y-%m-%d %H:%M:%S UTC"), st.body)),
            ],
            st,
        ),
        Paragraph(
            "Every change to the register is chained to the one before it by its hash, so "
            "anyone can later check that the register's trail still passes through this "
            "event with this hash, and that nothing before it was altered or removed.",
            st.body,
        ),
    ]


class SignatureSlot(Flowable):  # type: ignore[misc]
    """An empty framed box for the visible signature; reports where it landed when drawn."""

    def __init__(self, record: Callable[[SignatureBox], None]) -> None:
        super().__init__()
        self.width, self.height = SIGNATURE_W, SIGNATURE_H
        self._record = record

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, self.width, self.height)
        canvas.restoreState()
        # Page coordinates, whatever frame offsets the platypus machinery applied.
        x1, y1 = canvas.absolutePosition(0, 0)
        x2, y2 = canvas.absolutePosition(self.width, self.height)
        self._record(SignatureBox(canvas.getPageNumber() - 1, x1, y1, x2, y2))


def sign_off(data: ReportData, st: Styles, record: Callable[[SignatureBox], None]) -> Story:
    # An unnamed approver signs on paper: leave lines to write on, the date included.
    approved = Paragraph(markup(data.approved_by), st.body) if data.approved_by else ""
    day = data.generated_at.date().isoformat() if data.approved_by else ""
    rows = [
        [Paragraph("Prepared by", st.muted), Paragraph(markup(data.prepared_by), st.body)],
        [Paragraph("Approved by", st.muted), approved],
        [Paragraph("Date", st.muted), Paragraph(day, st.body) if day else ""],
    ]
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]
    style += [
        ("LINEBELOW", (1, r), (1, r), 0.6, colors.black)
        for r, row in enumerate(rows)
        if row[1] == ""
    ]
    table = _table(rows, style, colWidths=[110, 260], rowHeights=[None, 28, 28], hAlign="LEFT")
    caption = Paragraph("Digital signature", st.muted)
    # One block: a heading, names and box are never parted, and the box never splits.
    block = [Paragraph("Sign-off", st.h2), table, Spacer(1, 14), caption, Spacer(1, 3)]
    return [KeepTogether([*block, SignatureSlot(record)])]
