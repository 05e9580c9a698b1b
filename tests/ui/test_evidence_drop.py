"""Dropping files and folders on an item's evidence list files them, off the GUI thread."""

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from gpaitracker.services import evidence, queries
from gpaitracker.ui.detail_models import EvidenceModel
from gpaitracker.ui.evidence_drop import (
    ASK_ABOVE,
    expand,
    import_files,
    paths_from_mime,
)
from gpaitracker.ui.progress import ProgressDialog
from tests.services.helpers import add_model, add_people, as_person
from tests.ui.test_detail_panel import Messages, open_panel


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    return Messages(monkeypatch)


@pytest.fixture
def reg(org_ws):
    add_people(org_ws)
    add_model(org_ws, name="Atlas 2")
    return org_ws


@pytest.fixture
def item(reg) -> int:
    return reg.read(queries.list_rows)[0].id


@pytest.fixture
def panel(qtbot, reg, item):
    panel = open_panel(qtbot, reg, item)
    yield panel
    panel.ctx.worker.wait_all()


def listed(panel) -> list[str]:
    model = panel.evidence_box.model
    return [model.rows[i].title for i in range(model.rowCount())]


def drop(widget, paths: list[Path]) -> None:
    """Deliver a drop of these paths, as the window system would after a drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    target = widget.viewport()
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(10, 10), *args)  # QPoint: what every PySide6 6.x accepts
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), *args)
    QApplication.sendEvent(target, event)
    assert event.isAccepted()


def wait_done(qtbot, task) -> None:
    assert task is not None
    qtbot.waitUntil(lambda: task.wait(0), timeout=20_000)
    qtbot.wait(20)  # let the result slots that follow the task's own run


def test_a_dropped_file_is_filed_and_listed(qtbot, panel, reg, item, tmp_path, messages):
    report = tmp_path / "training-compute.pdf"
    report.write_bytes(b"%PDF-1.7 compute estimate")
    drop(panel.evidence_box.view, [report])
    wait_done(qtbot, panel.evidence_box.last_task)
    qtbot.waitUntil(lambda: listed(panel) == ["training-compute.pdf"])
    (row,) = reg.read(evidence.list_evidence, requirement_id=item)
    assert row.size == report.stat().st_size and row.state() == "valid"
    assert messages.shown == []  # one file added: the list says it all


def test_a_dropped_folder_files_everything_in_it_but_hidden_files(
    qtbot, panel, reg, item, tmp_path, messages
):
    folder = tmp_path / "model-docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("b")
    (folder / ".secret").write_text("hidden")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    drop(panel.evidence_box.view, [folder])
    wait_done(qtbot, panel.evidence_box.last_task)
    qtbot.waitUntil(lambda: sorted(listed(panel)) == ["a.txt", "b.txt"])
    (text,) = messages.texts("information")
    assert "2 of 2 files added" in text


def test_a_file_already_stored_and_a_refused_one_are_reported(
    qtbot, panel, reg, item, tmp_path, messages
):
    first = tmp_path / "one.txt"
    first.write_text("same bytes")
    same = tmp_path / "copy.txt"
    same.write_text("same bytes")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    drop(panel.evidence_box.view, [first])
    wait_done(qtbot, panel.evidence_box.last_task)
    drop(panel.evidence_box.view, [same, fifo, tmp_path / "gone.txt"])
    wait_done(qtbot, panel.evidence_box.last_task)
    qtbot.waitUntil(lambda: len(listed(panel)) == 2)
    (text,) = messages.texts("warning")
    assert "1 of 3 files added, 2 refused" in text
    assert "same bytes already stored" in text and "copy.txt" in text
    assert "pipe" in text and "only regular files" in text
    assert "gone.txt does not exist" in text


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancelling_a_big_import_keeps_nothing(qtbot, panel, reg, item, tmp_path, how):
    big = tmp_path / "weights.bin"
    with big.open("wb") as f:
        f.truncate(8 << 30)  # sparse: 8 GiB that take no disk
    box = panel.evidence_box
    task = box.add_paths([big])
    (dialog,) = box.findChildren(ProgressDialog)
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.value() > 0, timeout=10_000)
    assert "weights.bin" in dialog.labelText()
    if how == "button":
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    else:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    wait_done(qtbot, task)
    assert task.cancelled
    assert reg.read(evidence.list_evidence, requirement_id=item) == []
    assert listed(panel) == []
    store = reg.store
    assert store.temp_files() == [] and list(store.objects()) == []
    qtbot.waitUntil(lambda: not box.findChildren(ProgressDialog))


def test_many_files_need_a_confirmation(qtbot, panel, reg, item, tmp_path, messages):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(ASK_ABOVE + 1):
        (folder / f"{number:03}.txt").write_text(str(number))
    messages.answer = QMessageBox.StandardButton.Cancel
    assert import_files(panel.ctx, item, [folder], panel) is None
    assert "Add 201 files" in messages.texts("question")[0]
    assert reg.read(evidence.list_evidence, requirement_id=item) == []


def test_a_reader_cannot_drop(qtbot, reg, item, tmp_path, messages):
    panel = open_panel(qtbot, as_person(reg, "eve@provider.eu"), item)
    assert not panel.evidence_box.view.viewport().acceptDrops()
    assert import_files(panel.ctx, item, [tmp_path], panel) is None
    assert "only read" in messages.texts("warning")[0]


def test_open_hands_a_verified_copy_to_the_viewer(qtbot, panel, tmp_path, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    source = tmp_path / "model-card.md"
    source.write_text("# Atlas 2")
    box = panel.evidence_box
    wait_done(qtbot, box.add_paths([source]))
    qtbot.waitUntil(lambda: box.model.rowCount() == 1)
    box.view.selectRow(0)
    assert box.open_button.isEnabled()
    box.open_button.click()
    wait_done(qtbot, box.last_task)
    qtbot.waitUntil(lambda: len(opened) == 1)
    copy = Path(opened[0].toLocalFile())
    assert copy.read_text() == "# Atlas 2" and copy != source


def test_unlink_and_undo(qtbot, panel, reg, item, tmp_path, messages):
    source = tmp_path / "policy.pdf"
    source.write_bytes(b"policy")
    box = panel.evidence_box
    wait_done(qtbot, box.add_paths([source]))
    qtbot.waitUntil(lambda: box.model.rowCount() == 1)
    box.view.selectRow(0)
    assert not box.unlink_button.isEnabled()  # its only item: unlinking would orphan it
    (row,) = reg.read(evidence.list_evidence, requirement_id=item)
    other = reg.read(queries.list_rows)[1].id
    reg.write(evidence.link, evidence_id=row.id, requirement_id=other)
    panel.ctx.announce(None)
    box.view.selectRow(0)
    assert box.unlink_button.isEnabled()
    box.unlink_button.click()
    assert reg.read(evidence.list_evidence, requirement_id=item) == []
    assert box.model.rowCount() == 0
    panel.ctx.undo.undo()
    assert [e.id for e in reg.read(evidence.list_evidence, requirement_id=item)] == [row.id]
    assert box.model.rowCount() == 1
    assert messages.shown == []


def test_expand_walks_folders_once_and_skips_hidden(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "x.txt").write_text("x")
    (tmp_path / "d" / "e" / "y.txt").write_text("y")
    (tmp_path / "d" / ".hidden").write_text("h")
    (tmp_path / "d" / "e" / "up").symlink_to(tmp_path / "d", target_is_directory=True)
    os.mkfifo(tmp_path / "d" / "fifo")
    found = expand([tmp_path / "d"])
    assert [p.name for p in found.files] == ["y.txt", "x.txt"]
    assert found.skipped == 2 and not found.too_many
    assert expand([tmp_path / "d"], limit=1).too_many


def test_paths_from_mime_takes_local_files_only():
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile("/tmp/a.pdf"), QUrl("https://example.org/b.pdf")])
    assert paths_from_mime(mime) == [Path("/tmp/a.pdf")]
    assert paths_from_mime(QMimeData()) == []


def test_evidence_model_passes_the_model_tester(qtbot, qtmodeltester, panel, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("a")
    wait_done(qtbot, panel.evidence_box.add_paths([source]))
    qtbot.waitUntil(lambda: panel.evidence_box.model.rowCount() == 1)
    assert isinstance(panel.evidence_box.model, EvidenceModel)
    qtmodeltester.check(panel.evidence_box.model)
