"""The board report PDF as a reader and poppler's tools see it."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gpaitracker.errors import Cancelled
from gpaitracker.reports.data import ItemLine, ItemTable, ReportData
from gpaitracker.reports.pdf import build_pdf
from gpaitracker.reports.sample import sample_report

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext, pdfinfo, pdffonts)"
)

A4_W, A4_H = 595.28, 841.89


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> list[str]:
    """The text of each page, in reading order."""
    return _run("pdftotext", pdf, "-").split("\f")[:-1]


def _info(pdf: Path) -> dict[str, str]:
    lines = _run("pdfinfo", "-enc", "UTF-8", pdf).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[ReportData, Path, object]:
    data = sample_report()
    pdf = tmp_path_factory.mktemp("report") / "report.pdf"
    box = build_pdf(data, pdf)
    return data, pdf, box


def test_importing_the_layout_does_not_import_reportlab():
    code = (
        "import sys, gpaitracker.reports.pdf\n"
        "print(any(m.startswith('reportlab') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_text_shows_organisation_figures_items_and_hashes(sample):
    data, pdf, _ = sample
    pages = _pages(pdf)
    text = "\n".join(pages)
    assert data.organisation in pages[0]
    assert "Report 4" in pages[0]
    summary = " ".join(pages[1].split())
    assert int(re.search(r"Overdue\s+(\d+)", summary).group(1)) == data.headline.overdue
    assert int(re.search(r"Items in scope\s+(\d+)", summary).group(1)) == data.headline.total
    assert f"{data.headline.percent_done:.1f}%" in summary
    for message in data.key_messages:
        assert message in summary
    for table in data.tables[:3] + data.tables[-2:]:
        assert table.items[0].key in text
    first = data.evidence[0].sha256  # two lines of 32 digits: never clipped
    assert first[:32] in text and first[32:] in text
    assert data.audit_head.hash in text
    assert "Changes since report 3 (as of 2026-06-02)" in text


def test_every_page_but_the_cover_has_header_and_page_of_pages(sample):
    data, pdf, _ = sample
    pages = _pages(pdf)
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert f"{data.organisation} — Board status report 4 — as of 2026-06-30" in page


def test_metadata(sample):
    _, pdf, _ = sample
    info = _info(pdf)
    assert info["Title"] == "Board status report 4 — Northwind AI Labs B.V."
    assert info["Author"] == "Ada Lovelace <ada@provider.eu>"
    assert info["Subject"] == "EU AI Act GPAI obligations as of 2026-06-30"
    assert info["Creator"] == "GPAI Tracker"
    assert int(info["Pages"]) == len(_pages(pdf))


def test_only_embedded_dejavu_fonts(sample):
    _, pdf, _ = sample
    rows = _run("pdffonts", pdf).splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert "DejaVu" in name and emb == "yes", row


def test_signature_box_is_on_the_sign_off_page_inside_it(sample):
    _, pdf, box = sample
    pages = _pages(pdf)
    assert box.page == len(pages) - 1
    assert "Digital signature" in pages[box.page]
    assert 0 < box.x1 < box.x2 < A4_W and 0 < box.y1 < box.y2 < A4_H
    assert box.x2 - box.x1 >= 200 and box.y2 - box.y1 >= 60


def test_long_table_repeats_its_header_on_each_page(tmp_path):
    data = sample_report(items=400)
    lines = [line for table in data.tables for line in table.items]
    pdf = tmp_path / "long.pdf"
    build_pdf(data._replace(tables=[ItemTable("atlas-2", "Copyright", lines)]), pdf)
    pages = _pages(pdf)
    start = next(n for n, p in enumerate(pages) if "atlas-2 — Copyright (400)" in p)
    end = next(n for n, p in enumerate(pages) if lines[-1].key in p and n >= start)
    assert end - start >= 3
    header = re.compile(r"Key\s+Title\s+Owner\s+Due\s+Status")
    assert all(header.search(page) for page in pages[start : end + 1])


def test_a_cell_longer_than_a_page_is_split_across_pages(tmp_path):
    data = sample_report(items=12)
    line = data.tables[0].items[0]
    long = line._replace(title="obligation " * 1500, owner="o" * 900)
    pdf = tmp_path / "tall.pdf"
    build_pdf(data._replace(tables=[ItemTable("atlas-2", "Copyright", [line, long, line])]), pdf)
    text = "\n".join(_pages(pdf))
    assert text.count("obligation") >= 1500


def test_hostile_text_is_shown_as_written_and_stays_on_the_page(tmp_path):
    word = "x" * 500
    hostile = ItemLine(
        key="atlas-2/<b>&amp;",
        title=f"Keep <b>bold</b> & <i>safe</i>\x1b[31m red\x00\nsecond line {word}",
        owner="R&D <rd@acme.eu>\x07",
        due=dt.date(2026, 5, 1),
        status="weird<status>",
        days_late=60,
    )
    base = sample_report(items=12)
    data = base._replace(
        organisation="ACME <script> & Sons",
        overdue=[hostile],
        tables=[ItemTable("atlas-2", "Copyright & <More>", [hostile])],
    )
    pdf = tmp_path / "hostile.pdf"
    build_pdf(data, pdf)
    text = " ".join(_pages(pdf))
    flat = " ".join(text.split())
    assert "Keep <b>bold</b> & <i>safe</i>[31m red second line xx" in flat
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    assert "atlas-2/<b>&amp;" in text
    assert "R&D <rd@acme.eu>" in flat
    assert "ACME <script> & Sons" in flat
    assert "Copyright & <More>" in flat
    assert text.count("x") >= 500  # the long word is wrapped, not dropped
    # Nothing runs past the right margin: the long word is broken to fit its column.
    bbox = _run("pdftotext", "-bbox", pdf, "-")
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert max(right_edges) <= A4_W - 50


def test_first_report_and_empty_lists_say_so(tmp_path):
    data = sample_report(items=12)._replace(
        changes=None, overdue=[], evidence=[], audit_head=None, approved_by="Grace Hopper"
    )
    pdf = tmp_path / "first.pdf"
    build_pdf(data, pdf)
    text = "\n".join(_pages(pdf))
    assert "This is the first report for this register" in text
    assert "Overdue (0)\nNone." in text
    assert "The audit trail was empty" in text
    assert "Grace Hopper" in text


def test_progress_runs_to_the_end_and_writes_to_a_stream():
    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    build_pdf(
        sample_report(items=24), out, progress=lambda done, total: calls.append((done, total))
    )
    assert out.getvalue().startswith(b"%PDF")
    assert calls[-1][0] == calls[-1][1] and len(calls) == calls[-1][1]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_cancelling_stops_and_writes_nothing(tmp_path):
    pdf = tmp_path / "never.pdf"
    calls: list[int] = []
    with pytest.raises(Cancelled):
        build_pdf(
            sample_report(items=24),
            pdf,
            progress=lambda done, _total: calls.append(done),
            cancelled=lambda: len(calls) >= 3,
        )
    assert calls == [1, 2, 3]
    assert list(tmp_path.iterdir()) == []
