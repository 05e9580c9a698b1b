import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from gpaitracker.services import audit_trail, people
from gpaitracker.ui import audit_page
from gpaitracker.ui.app import make_context
from gpaitracker.ui.audit_page import AuditPage
from tests.services.helpers import add_model, add_people, person_id


@pytest.fixture
def ctx(qtbot, org_ws):
    add_people(org_ws)
    add_model(org_ws, name="Atlas")
    ctx = make_context(org_ws)
    yield ctx
    ctx.worker.wait_all()


@pytest.fixture
def page(qtbot, ctx):
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.load_task is None and page.model.rowCount() > 0)
    return page


def column(page, n):
    return [page.model.index(r, n).data() for r in range(page.model.rowCount())]


def test_events_are_listed_newest_first(qtmodeltester, org_ws, page):
    qtmodeltester.check(page.model)
    newest = org_ws.read(audit_trail.events, limit=5)[::-1]
    ids = [page.model.row(r).id for r in range(5)]
    assert ids == [e.id for e in newest]
    assert page.count_label.text() == f"The newest {page.model.rowCount()} events"


def test_filter_by_text_and_kind(qtbot, org_ws, page):
    qtbot.keyClicks(page.search_edit, "rita@provider")
    rows = page.model.rows
    assert rows and all(
        "rita@provider" in f"{r.actor} {r.label} {r.old} {r.new}".casefold() for r in rows
    )
    assert {r.entity for r in rows} == {"person"}
    assert "of the newest" in page.count_label.text()

    page.search_edit.clear()
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("model"))
    assert set(column(page, 3)) == {"model"}
    assert "training_flop" in column(page, 5)
    qtbot.keyClicks(page.search_edit, "NAME atlas")
    assert column(page, 5) == ["name"] and column(page, 7) == ["Atlas"]


def test_refresh_shows_new_events_and_load_more_reaches_older_ones(
    qtbot, org_ws, ctx, page, monkeypatch
):
    olga = person_id(org_ws, "olga@provider.eu")
    changes = org_ws.write(people.update_person, person_id=olga, name="Olga Lind")
    page.refresh(changes)
    qtbot.waitUntil(lambda: page.load_task is None and "Olga Lind" in column(page, 7))
    assert page.model.row(0).new == "Olga Lind"

    total = org_ws.read(audit_trail.head).count
    assert total > 20
    monkeypatch.setattr(audit_page, "PAGE_SIZE", 10)
    page.limit = 10
    page.refresh(None)
    qtbot.waitUntil(lambda: page.load_task is None and page.model.rowCount() == 10)
    assert page.more_button.isEnabled()
    qtbot.mouseClick(page.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.load_task is None and page.model.rowCount() == 20)
    assert page.model.row(19).id == page.model.row(0).id - 19


def test_verify_chain_reports_an_intact_trail(qtbot, org_ws, page):
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert not page.verify_button.isEnabled()
    qtbot.waitUntil(lambda: page.verify_task is None, timeout=10_000)
    count = org_ws.read(audit_trail.head).count
    assert page.result_label.text() == f"The audit trail is intact: {count} events checked."
    assert page.verify_button.isEnabled() and not page.progress_bar.isVisible()


def test_verify_chain_names_a_tampered_event(qtbot, org_ws, page):
    with sqlite3.connect(org_ws.home / "register.sqlite") as db:
        db.execute("UPDATE audit_event SET new_value = 'Mallory' WHERE id = 3")
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.verify_task is None, timeout=10_000)
    text = page.result_label.text()
    assert text.startswith("The audit trail is damaged:")
    assert "3" in text.splitlines()[1]
    assert page.report is not None and page.report.problems


def test_copy_head_puts_id_and_hash_on_the_clipboard(qtbot, org_ws, page):
    messages = []
    page.ctx.bus.status_message.connect(messages.append)
    assert "ID:HASH" in page.head_button.toolTip()
    qtbot.mouseClick(page.head_button, Qt.MouseButton.LeftButton)
    head = org_ws.read(audit_trail.head)
    assert QGuiApplication.clipboard().text() == f"{head.id}:{head.hash}"
    assert messages == [f"Copied the audit head {head.id}:{head.hash}"]
