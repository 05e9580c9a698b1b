"""The detail panel, driven as a user would: edits reach the register, undo restores it."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from gpaitracker.enums import Priority, Status
from gpaitracker.services import item_detail, queries, register
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.app import make_context
from gpaitracker.ui.detail_models import HistoryModel
from gpaitracker.ui.detail_panel import NO_DATE, DetailPanel
from tests.services.helpers import add_model, add_people, as_person, person_id


def make_ctx(ws, read_only=False):
    return make_context(ws, read_only=read_only)  # the context the window runs with


class Messages:
    """Captures the message boxes a test would otherwise block on."""

    def __init__(self, monkeypatch, answer=QMessageBox.StandardButton.Yes):
        self.shown: list[tuple[str, str, str]] = []
        self.answer = answer
        for kind in ("warning", "information", "critical"):
            monkeypatch.setattr(QMessageBox, kind, self._recorder(kind))
        monkeypatch.setattr(QMessageBox, "question", self._question)

    def _recorder(self, kind):
        def record(parent, title, text, *args, **kwargs):
            self.shown.append((kind, title, text))
            return QMessageBox.StandardButton.Ok

        return record

    def _question(self, parent, title, text, *args, **kwargs):
        self.shown.append(("question", title, text))
        return self.answer

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.shown if kind is None or k == kind]


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Every message box is captured: a test never blocks on one."""
    return Messages(monkeypatch)


@pytest.fixture
def reg(org_ws) -> Workspace:
    add_people(org_ws)
    add_model(org_ws, name="Atlas 2")
    return org_ws


@pytest.fixture
def item(reg) -> int:
    return reg.read(queries.list_rows)[0].id


def open_panel(qtbot, ws: Workspace, item: int, read_only: bool = False) -> DetailPanel:
    ctx = make_ctx(ws, read_only)
    panel = DetailPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(520, 900)
    ctx.bus.item_selected.emit(item)
    return panel


@pytest.fixture
def panel(qtbot, reg, item) -> DetailPanel:
    panel = open_panel(qtbot, reg, item)
    yield panel
    panel.ctx.worker.wait_all()


def row(ws: Workspace, item: int) -> queries.RegisterRow:
    return ws.read(queries.row, requirement_id=item)


def pick(combo, text: str) -> None:
    """Choose the entry containing text, as a user choosing from the list would."""
    index = next(i for i in range(combo.count()) if text in combo.itemText(i))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_shows_the_item_from_the_catalogue(panel, reg, item):
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert detail.row.key in panel.key_label.text()
    assert panel.title_label.text() == detail.row.title
    assert panel.summary_label.text() == detail.summary
    assert detail.row.reference in panel.reference_label.text()
    assert panel.owner_combo.currentText() == "— nobody —"
    assert panel.priority_combo.currentData() == detail.row.priority
    assert panel.history_box.model.rowCount() == len(detail.history) > 0
    assert not panel.empty_label.isVisibleTo(panel)


def test_nothing_selected_shows_a_hint(panel):
    panel.ctx.bus.item_selected.emit(None)
    assert panel.empty_label.isVisibleTo(panel)
    assert not panel.scroll_area.isVisibleTo(panel)


def test_change_owner_reviewer_due_and_priority(panel, reg, item):
    pick(panel.owner_combo, "olga@provider.eu")
    pick(panel.reviewer_combo, "rita@provider.eu")
    panel.due_edit.setDate(QDate(2026, 6, 30))
    panel.due_edit.editingFinished.emit()
    pick(panel.priority_combo, "High")
    now = row(reg, item)
    assert now.owner_id == person_id(reg, "olga@provider.eu")
    assert now.reviewer_id == person_id(reg, "rita@provider.eu")
    assert now.due == dt.date(2026, 6, 30)
    assert now.priority == Priority.HIGH
    assert panel.ctx.undo.count() == 4
    assert "Olga" in panel.owner_combo.currentText()  # the panel shows what it saved


def test_due_date_is_typed_and_cleared(qtbot, panel, reg, item):
    panel.show()
    panel.due_edit.setFocus()
    panel.due_edit.setDate(QDate(2027, 1, 15))
    qtbot.keyClick(panel.due_edit, Qt.Key.Key_Return)
    assert row(reg, item).due == dt.date(2027, 1, 15)
    qtbot.mouseClick(panel.clear_due_button, Qt.MouseButton.LeftButton)
    assert row(reg, item).due is None
    assert panel.due_edit.date() == NO_DATE
    assert panel.due_edit.text() == "no due date"
    assert not panel.clear_due_button.isEnabled()


def test_only_people_who_may_take_items_are_offered(panel):
    offered = [panel.owner_combo.itemText(i) for i in range(panel.owner_combo.count())]
    assert any("olga@provider.eu" in text for text in offered)
    assert not any("eve@provider.eu" in text for text in offered)  # an executive


def test_status_buttons_follow_the_workflow(panel, reg, item):
    status = panel.status_box
    visible = {s for s, b in status.status_buttons.items() if b.isVisibleTo(panel)}
    assert visible == set(register.workflow.TRANSITIONS[Status.NOT_STARTED])
    submit = status.status_buttons[Status.IN_REVIEW]
    assert not submit.isEnabled() and "owner" in submit.toolTip()  # no owner yet
    pick(panel.owner_combo, "olga@provider.eu")
    assert submit.isEnabled()
    status.status_buttons[Status.IN_PROGRESS].click()
    assert row(reg, item).status == Status.IN_PROGRESS
    status.note_edit.setPlainText("MDF draft v3 circulated")
    submit.click()
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert detail.row.status == Status.IN_REVIEW
    assert detail.submitted_by == "ada@provider.eu"
    assert detail.comments[-1].text == "MDF draft v3 circulated"
    assert "Submitted by ada@provider.eu" in status.review_label.text()
    assert status.note_edit.toPlainText() == ""
    # The submitter may not approve: the button says why.
    approve = status.status_buttons[Status.DONE]
    assert approve.isVisibleTo(panel) and not approve.isEnabled()
    assert "four-eyes" in approve.toolTip()


def test_a_second_person_approves_and_the_panel_shows_who(qtbot, panel, reg, item):
    pick(panel.owner_combo, "olga@provider.eu")
    panel.status_box.status_buttons[Status.IN_REVIEW].click()
    rita = open_panel(qtbot, as_person(reg, "rita@provider.eu"), item)
    approve = rita.status_box.status_buttons[Status.DONE]
    assert approve.isEnabled(), approve.toolTip()
    approve.click()
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert (detail.row.status, detail.approved_by) == (Status.DONE, "rita@provider.eu")
    assert "Approved by rita@provider.eu" in rita.status_box.review_label.text()
    # A done item keeps its owner until it is reopened.
    assert not rita.owner_combo.isEnabled() and "Reopen" in rita.owner_combo.toolTip()
    assert rita.status_box.status_buttons[Status.IN_PROGRESS].text().startswith("Reopen")


def test_a_forbidden_approval_is_refused_with_a_message(qtbot, reg, item, messages):
    # Rita owned the item in this cycle, then handed it to Olga, who submitted it: Rita
    # may not approve it (four-eyes), though she is no longer the owner.
    olga, rita = person_id(reg, "olga@provider.eu"), person_id(reg, "rita@provider.eu")
    reg.write(register.assign, requirement_id=item, owner_id=rita)
    reg.write(register.assign, requirement_id=item, owner_id=olga)
    as_person(reg, "olga@provider.eu").write(
        register.change_status, requirement_id=item, status=Status.IN_REVIEW
    )
    panel = open_panel(qtbot, as_person(reg, "rita@provider.eu"), item)
    before = row(reg, item)
    panel.status_box.status_buttons[Status.DONE].click()
    assert row(reg, item) == before
    (text,) = messages.texts("warning")
    assert "four-eyes" in text
    assert panel.ctx.undo.count() == 0


def test_blocked_needs_a_reason(panel, reg, item, messages):
    panel.status_box.status_buttons[Status.BLOCKED].click()
    assert "needs a reason" in messages.texts("warning")[0]
    assert row(reg, item).status == Status.NOT_STARTED
    panel.status_box.note_edit.setPlainText("waiting for the compute logs")
    panel.status_box.status_buttons[Status.BLOCKED].click()
    assert row(reg, item).status == Status.BLOCKED


def test_undo_and_redo_restore_the_register(panel, reg, item, messages):
    def state():
        r = row(reg, item)
        return (r.owner_id, r.reviewer_id, r.due, r.priority, r.status)

    states = [state()]
    pick(panel.owner_combo, "olga@provider.eu")
    states.append(state())
    panel.set_due(dt.date(2026, 3, 31))
    states.append(state())
    pick(panel.priority_combo, "Critical")
    states.append(state())
    panel.status_box.status_buttons[Status.IN_PROGRESS].click()
    states.append(state())
    panel.status_box.status_buttons[Status.IN_REVIEW].click()
    states.append(state())
    undo = panel.ctx.undo
    for expected in reversed(states[:-1]):
        undo.undo()
        assert messages.shown == []
        assert state() == expected
    assert panel.owner_combo.currentText() == "— nobody —"  # the panel followed
    for expected in states[1:]:
        undo.redo()
        assert state() == expected
    assert row(reg, item).status == Status.IN_REVIEW


def test_an_undo_the_workflow_refuses_is_explained(qtbot, panel, reg, item, messages):
    pick(panel.owner_combo, "olga@provider.eu")
    panel.status_box.status_buttons[Status.IN_REVIEW].click()
    rita = open_panel(qtbot, as_person(reg, "rita@provider.eu"), item)
    rita.status_box.status_buttons[Status.DONE].click()
    rita.ctx.undo.undo()  # done cannot go back to review
    assert row(reg, item).status == Status.DONE
    (text,) = messages.texts("warning")
    assert "done" in text and "in_review" in text


def test_a_stale_edit_is_refused_naming_who_changed_the_item(panel, reg, item, messages):
    other = Workspace(reg.register, "olga@provider.eu")
    other.write(register.set_due, requirement_id=item, due=dt.date(2026, 9, 1))
    pick(panel.priority_combo, "Low")  # the panel still shows the old version
    (text,) = messages.texts("warning")
    assert "olga@provider.eu" in text and "changed by" in text
    now = row(reg, item)
    assert (now.due, now.priority) == (dt.date(2026, 9, 1), Priority.MEDIUM)
    assert panel.due_edit.date() == QDate(2026, 9, 1)  # it reloaded what the register holds
    assert panel.ctx.undo.count() == 0


def test_undo_after_someone_else_changed_the_item_is_refused(panel, reg, item, messages):
    pick(panel.priority_combo, "High")
    Workspace(reg.register, "olga@provider.eu").write(
        register.set_due, requirement_id=item, due=dt.date(2026, 9, 1)
    )
    panel.ctx.undo.undo()
    assert row(reg, item).priority == Priority.HIGH
    assert "olga@provider.eu" in messages.texts("warning")[0]


def test_comments_are_added_and_not_undoable(qtbot, panel, reg, item):
    comments = panel.comments_box
    assert not comments.add_button.isEnabled()
    assert "cannot be undone" in comments.add_button.toolTip()
    comments.comment_edit.setPlainText("Compute log <b>attached</b>")
    qtbot.mouseClick(comments.add_button, Qt.MouseButton.LeftButton)
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert detail.comments[-1].text == "Compute log <b>attached</b>"
    assert "Compute log <b>attached</b>" in comments.thread_view.toPlainText()
    assert comments.comment_edit.toPlainText() == ""
    assert panel.ctx.undo.count() == 0


def test_admin_approves_in_place_of_the_reviewer_after_confirming(qtbot, reg, item, messages):
    olga = as_person(reg, "olga@provider.eu")
    reg.write(
        register.assign,
        requirement_id=item,
        owner_id=person_id(reg, "olga@provider.eu"),
        reviewer_id=person_id(reg, "rita@provider.eu"),
    )
    olga.write(register.change_status, requirement_id=item, status=Status.IN_REVIEW)
    panel = open_panel(qtbot, reg, item)  # Ada, an admin
    status = panel.status_box
    assert not status.status_buttons[Status.DONE].isEnabled()
    assert "named reviewer" in status.status_buttons[Status.DONE].toolTip()
    assert status.override_button.isVisibleTo(panel) and status.override_button.isEnabled()
    messages.answer = QMessageBox.StandardButton.Cancel
    status.override_button.click()
    assert row(reg, item).status == Status.IN_REVIEW
    messages.answer = QMessageBox.StandardButton.Yes
    status.override_button.click()
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert detail.row.status == Status.DONE and detail.approval_override
    assert "override" in status.review_label.text()


def test_override_is_not_offered_to_non_admins(qtbot, reg, item):
    reg.write(
        register.assign,
        requirement_id=item,
        owner_id=person_id(reg, "olga@provider.eu"),
        reviewer_id=person_id(reg, "ada@provider.eu"),
    )
    as_person(reg, "olga@provider.eu").write(
        register.change_status, requirement_id=item, status=Status.IN_REVIEW
    )
    rita = open_panel(qtbot, as_person(reg, "rita@provider.eu"), item)
    assert not rita.status_box.override_button.isVisibleTo(rita)
    assert not rita.status_box.status_buttons[Status.DONE].isEnabled()


@pytest.mark.parametrize("how", ["read_only", "executive"])
def test_read_only_mode_shows_no_editors(qtbot, reg, item, how):
    ws = as_person(reg, "eve@provider.eu") if how == "executive" else reg
    panel = open_panel(qtbot, ws, item, read_only=how == "read_only")
    assert not panel.ctx.may_edit
    for editor in (panel.owner_combo, panel.reviewer_combo, panel.due_edit, panel.priority_combo):
        assert not editor.isEnabled()
    hidden = [
        panel.clear_due_button,
        panel.status_box.note_edit,
        panel.status_box.override_button,
        *panel.status_box.status_buttons.values(),
        panel.comments_box.comment_edit,
        panel.comments_box.add_button,
        panel.evidence_box.add_button,
        panel.evidence_box.unlink_button,
    ]
    assert not any(widget.isVisibleTo(panel) for widget in hidden)
    assert not panel.evidence_box.view.viewport().acceptDrops()
    assert panel.title_label.text()  # still shows the item


def test_refreshes_only_for_changes_to_its_item(panel, reg, item):
    other_item = reg.read(queries.list_rows)[1].id
    calls = []
    panel.reload = lambda: calls.append(1)  # _on_changed calls it; the bus is not used here
    changes = reg.write(register.set_priority, requirement_id=other_item, priority=Priority.LOW)
    panel._on_changed(changes)
    assert calls == []
    changes = reg.write(register.set_priority, requirement_id=item, priority=Priority.LOW)
    panel._on_changed(changes)
    panel._on_changed(None)
    assert calls == [1, 1]


def test_another_program_changing_the_item_shows_on_refresh(panel, reg, item):
    Workspace(reg.register, "olga@provider.eu").write(
        register.set_priority, requirement_id=item, priority=Priority.CRITICAL
    )
    panel.ctx.announce(None)  # what F5 or the change watcher sends
    assert panel.priority_combo.currentData() == Priority.CRITICAL


def test_every_control_is_reached_with_tab_in_order(qtbot, panel):
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.owner_combo.setFocus()
    qtbot.waitUntil(lambda: panel.owner_combo.hasFocus())
    reached = [panel.focusWidget()]
    for _ in range(40):
        qtbot.keyClick(panel.focusWidget(), Qt.Key.Key_Tab)
        reached.append(panel.focusWidget())
    wanted = [
        panel.owner_combo,
        panel.reviewer_combo,
        panel.due_edit,
        panel.clear_due_button,
        panel.priority_combo,
        panel.status_box.note_edit,
        panel.status_box.status_buttons[Status.IN_PROGRESS],
        panel.status_box.status_buttons[Status.BLOCKED],
        panel.comments_box.thread_view,
        panel.comments_box.comment_edit,
        panel.evidence_box.view,
        panel.evidence_box.add_button,
        panel.history_box.view,
    ]
    positions = [reached.index(widget) for widget in wanted]
    assert positions == sorted(positions)


def test_history_model_passes_the_model_tester(qtmodeltester, panel):
    assert isinstance(panel.history_box.model, HistoryModel)
    qtmodeltester.check(panel.history_box.model)


def test_not_applicable_goes_through_review_with_its_justification(qtbot, panel, reg, item):
    pick(panel.owner_combo, "olga@provider.eu")
    status = panel.status_box
    status.status_buttons[Status.IN_PROGRESS].click()
    status.note_edit.setPlainText("Atlas 2 is not placed on the EU market")
    status.status_buttons[Status.NOT_APPLICABLE].click()
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert (detail.row.status, detail.review_outcome) == (Status.IN_REVIEW, "not_applicable")
    assert "for not applicable" in status.status_label.text()
    assert "not placed on the EU market" in status.justification_label.text()
    rita = open_panel(qtbot, as_person(reg, "rita@provider.eu"), item)
    buttons = rita.status_box.status_buttons
    assert buttons[Status.NOT_APPLICABLE].isVisibleTo(rita)
    assert buttons[Status.NOT_APPLICABLE].text() == "Approve as not applicable"
    assert not buttons[Status.DONE].isVisibleTo(rita)  # the other outcome needs a send-back
    panel.ctx.undo.undo()  # Ada takes her submission back
    assert row(reg, item).status == Status.IN_PROGRESS
    panel.ctx.undo.redo()
    detail = reg.read(item_detail.detail, requirement_id=item)
    assert (detail.row.status, detail.review_outcome) == (Status.IN_REVIEW, "not_applicable")
    assert detail.na_justification == "Atlas 2 is not placed on the EU market"
