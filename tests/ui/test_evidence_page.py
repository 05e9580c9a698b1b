import datetime as dt
import os
import stat
import sys
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent

from gpaitracker.enums import Entity, Role
from gpaitracker.services import evidence, evidence_import, people
from gpaitracker.ui.app import make_context
from gpaitracker.ui.evidence_page import EvidencePage
from tests.services.helpers import add_model, as_person, item_id

KEY, KEY2 = "atlas-2/AIA-53-1-a", "atlas-2/AIA-53-1-b"
TODAY = dt.date.today()


def make_ctx(ws, read_only=False):
    return make_context(ws, read_only=read_only)  # the context the window runs with


def add_file(ws, tmp_path, name, key=KEY, **kw):
    path = tmp_path / name
    path.write_text(f"{name} contents\n")
    changes, obj = evidence_import.import_file(ws, requirement_id=item_id(ws, key), path=path, **kw)
    return changes.created_id(Entity.EVIDENCE), obj


@pytest.fixture
def reg(org_ws, tmp_path):
    add_model(org_ws, name="Atlas 2")
    files = tmp_path / "files"
    files.mkdir()
    add_file(org_ws, files, "policy.txt", title="Copyright policy")
    add_file(
        org_ws, files, "log.txt", title="Opt-out log", valid_until=TODAY + dt.timedelta(days=10)
    )
    add_file(
        org_ws, files, "old.txt", title="Old summary", valid_until=TODAY - dt.timedelta(days=1)
    )
    add_file(
        org_ws,
        files,
        "next.txt",
        key=KEY2,
        title="Next year's plan",
        valid_from=TODAY + dt.timedelta(days=30),
    )
    org_ws.write(
        evidence.add_link_evidence,
        requirement_id=item_id(org_ws, KEY2),
        url="https://provider.example/summary",
        title="Published summary",
    )
    return org_ws


@pytest.fixture
def ctx(qtbot, reg):
    ctx = make_ctx(reg)
    yield ctx
    ctx.worker.wait_all()


@pytest.fixture
def page(qtbot, ctx):
    page = EvidencePage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.load_task is None and page.model.rowCount() == 5)
    return page


def column(page, n):
    return [page.model.index(r, n).data() for r in range(page.model.rowCount())]


def by_title(page):
    return {page.model.row(r).title: page.model.row(r) for r in range(page.model.rowCount())}


def cell(page, title, n):
    at = page.model.find(lambda r: r.title == title)
    return page.model.index(at, n).data()


def test_evidence_is_listed_with_its_state(qtmodeltester, page):
    qtmodeltester.check(page.model)
    assert column(page, 0) == [
        "Copyright policy",
        "Next year's plan",
        "Old summary",
        "Opt-out log",
        "Published summary",
    ]
    assert column(page, 2) == ["valid", "not yet valid", "expired", "expiring", "valid"]
    assert cell(page, "Opt-out log", 3) == (TODAY + dt.timedelta(days=10)).isoformat()
    assert cell(page, "Copyright policy", 4) == "1"
    assert cell(page, "Copyright policy", 5) == "20 B"  # "policy.txt contents\n"
    assert cell(page, "Published summary", 1) == "link"
    assert cell(page, "Next year's plan", 7) == "atlas-2/AIA-53-1-b"
    assert cell(page, "Copyright policy", 6) == ""  # not verified yet


def test_filter_by_state(page):
    page.state_combo.setCurrentIndex(page.state_combo.findData("expired"))
    assert column(page, 0) == ["Old summary"]
    page.state_combo.setCurrentIndex(page.state_combo.findData("expiring"))
    assert column(page, 0) == ["Opt-out log"]
    page.state_combo.setCurrentIndex(page.state_combo.findData(None))
    assert page.model.rowCount() == 5


def test_verify_files_shows_which_are_changed_or_missing(qtbot, reg, page):
    rows = {r.title: r for r in reg.read(evidence.list_evidence)}
    changed = reg.store.path_of(rows["Copyright policy"].sha256)
    os.chmod(changed, stat.S_IRUSR | stat.S_IWUSR)
    changed.write_text("tampered\n")
    reg.store.path_of(rows["Old summary"].sha256).unlink()

    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.verify_task is None, timeout=10_000)
    assert cell(page, "Copyright policy", 6) == "changed"
    assert cell(page, "Old summary", 6) == "missing"
    assert cell(page, "Opt-out log", 6) == "unchanged"
    assert cell(page, "Published summary", 6) == ""
    assert page.result_label.text().startswith("2 of 4 stored files are damaged:")
    assert "was changed" in page.result_label.text()

    page.state_combo.setCurrentIndex(page.state_combo.findData("damaged"))
    assert column(page, 0) == ["Copyright policy", "Old summary"]


def test_verify_files_reports_all_unchanged(qtbot, page):
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.verify_task is None, timeout=10_000)
    assert page.result_label.text() == "All 4 stored files are unchanged."
    assert set(column(page, 6)) == {"unchanged", ""}


def test_open_copy_hands_a_verified_copy_to_the_viewer(qtbot, page, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.view.selectRow(page.model.find(lambda r: r.title == "Copyright policy"))
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    path = opened[0].toLocalFile()
    assert path.endswith("policy.txt")
    assert Path(path).read_text() == "policy.txt contents\n"

    page.view.selectRow(page.model.find(lambda r: r.title == "Published summary"))
    page.open_action.trigger()
    assert opened[1] == QUrl("https://provider.example/summary")


def drop(page, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(event)
    return event


def test_dropped_files_go_to_the_item_picked(qtbot, reg, ctx, page, tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("gpaitracker.ui.evidence_drop")
    fake.import_files = lambda *args: calls.append(args)
    monkeypatch.setitem(sys.modules, "gpaitracker.ui.evidence_drop", fake)
    paths = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for p in paths:
        p.write_bytes(b"%PDF")

    ctx.bus.item_selected.emit(item_id(reg, KEY))
    event = drop(page, paths)
    assert event.isAccepted()
    picker = page.picker
    assert picker is not None and picker.isVisible()
    assert "a.pdf, b.pdf" in picker.files_label.text()
    qtbot.waitUntil(lambda: picker.model.rowCount() > 0)
    assert picker.chosen_id == item_id(reg, KEY)  # the item selected in the window

    qtbot.keyClicks(picker.search_edit, "53-1-b")
    assert [r.key for r in picker.model.rows] == [KEY2]
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert not picker.isVisible()
    assert calls == [(ctx, item_id(reg, KEY2), paths, page)]


def test_a_cancelled_pick_imports_nothing(qtbot, page, tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("gpaitracker.ui.evidence_drop")
    fake.import_files = lambda *args: calls.append(args)
    monkeypatch.setitem(sys.modules, "gpaitracker.ui.evidence_drop", fake)
    drop(page, [tmp_path])
    qtbot.waitUntil(lambda: page.picker.model.rowCount() > 0)
    page.picker.reject()
    assert calls == []


def test_read_only_people_cannot_drop(qtbot, reg):
    reg.write(people.add_person, name="Eve", email="eve@provider.eu", role=Role.EXECUTIVE)
    ctx = make_ctx(as_person(reg, "eve@provider.eu"))
    page = EvidencePage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert not page.acceptDrops() and not page.drop_hint.isVisible()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)
    ctx.worker.wait_all()
