"""One audience's copy of a Model Documentation Form version as a PDF (plain data in, bytes out).

Reuses the board report's embedded DejaVu fonts and styles; reportlab is imported on use.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, NamedTuple

from gpaitracker import mdf_form


class FormCopy(NamedTuple):
    provider: str
    model: str
    version: int
    frozen_at: str  # ISO timestamp
    audience: str
    fields: Mapping[str, object]
    missing: tuple[str, ...]


def _text(value: object) -> str:
    if value is None or value == "" or value == []:
        return "(not filled in)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def render(copy: FormCopy) -> bytes:
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.platypus import (  # type: ignore[import-untyped]
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from gpaitracker.reports import styles as st

    st.register_fonts()
    s = st.Styles()
    out = io.BytesIO()
    title = f"Model Documentation Form: {st.one_line(copy.model)} v{copy.version}"
    doc = SimpleDocTemplate(
        out,
        pagesize=(st.PAGE_W, st.PAGE_H),
        leftMargin=st.MARGIN_X,
        rightMargin=st.MARGIN_X,
        title=title,
        author=st.one_line(copy.provider),
    )
    who = mdf_form.AUDIENCE_NAMES[copy.audience]
    story: list[Any] = [
        Paragraph(st.markup(title), s.h1),
        Paragraph(
            st.markup(
                f"Provider: {copy.provider}. Copy for {who}. Version {copy.version}, "
                f"frozen {copy.frozen_at[:10]}."
            ),
            s.body,
        ),
    ]
    if copy.missing:
        story.append(Paragraph(st.markup(f"Not filled in: {', '.join(copy.missing)}."), s.muted))
    section = ""
    rows: list[list[Any]] = []

    def flush() -> None:
        if not rows:
            return
        table = Table(rows, colWidths=[st.FRAME_W * 0.38, st.FRAME_W * 0.62])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#BCCCDC")),
                ]
            )
        )
        story.append(table)
        rows.clear()

    for f in mdf_form.FIELDS:
        if f.name not in copy.fields:
            continue
        if f.section != section:
            flush()
            section = f.section
            story.append(Paragraph(st.markup(section), s.h2))
        rows.append(
            [
                Paragraph(st.markup(f.label), s.muted),
                Paragraph(st.markup(_text(copy.fields[f.name])), s.body),
            ]
        )
    flush()
    story.append(Spacer(1, 8))
    doc.build(story)
    return out.getvalue()
