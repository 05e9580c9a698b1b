"""The register's table model: Qt's model checks, natural sorting, filtering, greyed rows."""

import datetime as dt
import time

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QBrush, QFont, QIcon

from gpaitracker.enums import Priority, Status
from gpaitracker.services import ai_models, queries, register
from gpaitracker.services.queries import RegisterRow
from gpaitracker.ui import register_model as rm
from gpaitracker.ui.register_model import RegisterModel, RowFilter
from tests.services.helpers import add_model, add_people, person_id

OLGA = "olga@provider.eu"


@pytest.fixture
def rows(org_ws) -> list[RegisterRow]:
    """Two models; Atlas's systemic-risk items no longer apply; two items owned by Olga."""
    add_people(org_ws)
    atlas = add_model(org_ws, name="Atlas", training_flop="3e25")
    add_model(org_ws, name="Nova")
    every = org_ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))
    olga = person_id(org_ws, OLGA)
    for row in [r for r in every if r.code == "AIA-53-1-a"]:  # Atlas's and Nova's
        org_ws.write(register.assign, requirement_id=row.id, owner_id=olga)
    org_ws.write(
        ai_models.update_model,
        model_id=atlas,
        training_flop=1e24,
        systemic_risk=False,
        confirm=True,
    )
    return org_ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))


def shown(model: RegisterModel) -> list[RegisterRow]:
    return [model.row_at(i) for i in range(model.rowCount())]


def test_model_passes_qt_model_checks_while_it_sorts_filters_and_reloads(qapp, qtmodeltester, rows):
    model = RegisterModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    # The tester stays connected: every change below is checked too.
    model.sort(rm.KEY, Qt.SortOrder.DescendingOrder)
    model.set_filter(RowFilter(text="copyright"))
    model.set_filter(RowFilter(include_inactive=True))
    changed = rows[0]._replace(status=Status.DONE, version=rows[0].version + 1)
    model.update_rows([changed.id], [changed])
    model.update_rows([rows[1].id], [])  # gone from the register
    model.set_rows(rows[:5])
    model.set_rows([])
    qtmodeltester.check(model)


def test_codes_sort_in_catalogue_order_not_as_text(qapp, rows):
    model = RegisterModel()
    model.set_rows(rows)
    model.set_filter(RowFilter(include_inactive=True))
    model.sort(rm.KEY, Qt.SortOrder.AscendingOrder)
    keys = [r.key for r in shown(model)]
    assert keys.index("atlas/COP-SS-2.1") < keys.index("atlas/COP-SS-10.1")
    assert keys.index("atlas/COP-SS-9.4") < keys.index("atlas/COP-SS-10.1")
    assert keys.index("atlas/AIA-53-1-d") < keys.index("nova/AIA-53-1-a")
    model.sort(rm.KEY, Qt.SortOrder.DescendingOrder)
    assert [r.key for r in shown(model)] == keys[::-1]


def test_sort_is_stable_and_empty_values_come_last(qapp, rows):
    model = RegisterModel()
    model.set_rows(rows)
    model.sort(rm.KEY, Qt.SortOrder.AscendingOrder)
    model.sort(rm.OWNER, Qt.SortOrder.AscendingOrder)
    result = shown(model)
    owners = [r.owner for r in result]
    assert owners[:2] == [OLGA, OLGA] and set(owners[2:]) == {None}
    # Rows with the same owner keep the key order of the previous sort.
    tail = [r.key for r in result[2:]]
    assert tail == sorted(tail, key=lambda k: (k.split("/")[0], queries.natural_key(k)))


def test_filters_narrow_the_rows(qapp, rows, org_ws):
    model = RegisterModel()
    model.set_rows(rows)
    active = [r for r in rows if r.applicable and not r.withdrawn]
    assert model.rowCount() == len(active) < len(rows)
    model.set_filter(RowFilter(text="COPYRIGHT"))
    assert shown(model) and all("copyright" in r.title.lower() for r in shown(model))
    model.set_filter(RowFilter(text="olga@"))
    assert {r.owner for r in shown(model)} == {OLGA}
    olga = person_id(org_ws, OLGA)
    model.set_filter(RowFilter(owner_id=olga))
    assert len(shown(model)) == 2
    model.set_filter(RowFilter(owner_id=rm.UNASSIGNED))
    assert model.rowCount() == len(active) - 2
    nova = next(r.model_id for r in rows if r.model == "Nova")
    model.set_filter(RowFilter(model_id=nova, chapter="AIA-53"))
    assert {(r.model, r.chapter) for r in shown(model)} == {("Nova", "AIA-53")}
    # Ids the database matched (in summaries or comments) count as matches of the text.
    outsider = next(r for r in active if "zebra" not in r.title)
    model.set_filter(RowFilter(text="zebra", text_ids=frozenset({outsider.id})))
    assert shown(model) == [outsider]


def test_overdue_and_due_within(qapp, rows):
    today = dt.date.today()
    base = [r for r in rows if r.applicable][:3]
    late = base[0]._replace(due=today - dt.timedelta(days=3), status=Status.IN_PROGRESS)
    soon = base[1]._replace(due=today + dt.timedelta(days=5), status=Status.NOT_STARTED)
    later = base[2]._replace(due=today + dt.timedelta(days=60), status=Status.NOT_STARTED)
    closed = later._replace(id=later.id + 10_000, due=today, status=Status.DONE)
    model = RegisterModel()
    model.set_rows([late, soon, later, closed])
    model.set_filter(RowFilter(overdue=True))
    assert shown(model) == [late]
    model.set_filter(RowFilter(due_within=7))
    assert shown(model) == [late, soon]
    assert model.counts(today) == (2, 4, 1)


def test_formats_rag_colour_alignment_and_id(qapp, rows):
    model = RegisterModel()
    model.set_rows(rows)
    red = next(i for i in range(model.rowCount()) if model.row_at(i).rag == "red")
    rag = model.index(red, rm.RAG)
    assert rag.data() == "Red"
    assert isinstance(rag.data(Qt.ItemDataRole.DecorationRole), QIcon)
    tint = model.index(red, rm.STATUS).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(tint, QBrush) and tint.color().alpha() < 255  # blends with any palette
    assert "Overdue" in rag.data(Qt.ItemDataRole.ToolTipRole)
    evidence = model.index(red, rm.EVIDENCE)
    assert evidence.data() == 0
    assert evidence.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.index(red, rm.KEY).data(rm.ID_ROLE) == model.row_at(red).id
    assert model.index(red, rm.TITLE).data(Qt.ItemDataRole.FontRole) is None


def test_items_that_no_longer_apply_are_hidden_then_shown_greyed_with_the_reason(qapp, rows):
    model = RegisterModel()
    model.set_rows(rows)
    assert all(r.applicable for r in shown(model))
    model.set_filter(RowFilter(include_inactive=True))
    gone = next(i for i in range(model.rowCount()) if not model.row_at(i).applicable)
    title = model.index(gone, rm.TITLE)
    font = title.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert title.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "no longer applies" in title.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(gone, rm.RAG).data() == "Grey"
    # Asking for not_applicable shows them whatever the toggle, as the database query does.
    model.set_filter(RowFilter(status=Status.NOT_APPLICABLE))
    assert shown(model) and not any(r.applicable for r in shown(model))


def test_selection_follows_rows_through_sort_filter_and_partial_reload(qapp, rows):
    model = RegisterModel()
    model.set_rows(rows)
    selection = QItemSelectionModel(model)
    target = model.row_at(3)
    flag = QItemSelectionModel.SelectionFlag
    flags = flag.ClearAndSelect | flag.Rows
    selection.setCurrentIndex(model.index(3, 0), flags)
    model.sort(rm.TITLE, Qt.SortOrder.DescendingOrder)
    assert model.row_at(selection.currentIndex().row()).id == target.id
    model.set_filter(RowFilter(text=target.title[:6]))
    assert model.row_at(selection.currentIndex().row()).id == target.id
    assert selection.isRowSelected(selection.currentIndex().row())
    # A partial reload that changes the row keeps it selected and shows the new value.
    renamed = target._replace(priority=Priority.HIGH, owner="olga@provider.eu")
    model.update_rows([target.id], [renamed])
    current = selection.currentIndex()
    assert model.row_at(current.row()) == renamed
    # A row that stops matching leaves the view; the selection goes with it.
    model.update_rows([target.id], [renamed._replace(title="Something else")])
    assert model.view_row_of(target.id) is None and not selection.currentIndex().isValid()


def test_new_rows_from_a_partial_reload_take_their_sorted_place(qapp, rows):
    model = RegisterModel()
    model.set_rows(rows[1:])
    model.set_filter(RowFilter(include_inactive=True))
    model.sort(rm.KEY, Qt.SortOrder.AscendingOrder)
    model.update_rows([rows[0].id], [rows[0]])
    keys = [r.key for r in shown(model)]
    assert len(keys) == len(rows)
    assert keys == sorted(keys, key=lambda k: (k.split("/")[0], queries.natural_key(k)))


def test_fifty_thousand_rows_sort_and_filter_quickly(qapp, rows):
    many = [r._replace(id=i + 1, key=f"m{i % 50}/{r.code}#{i}") for i, r in enumerate(rows * 600)]
    model = RegisterModel()
    model.set_rows(many[:50_000])
    timings = []
    for column in (rm.KEY, rm.TITLE, rm.DUE, rm.STATUS):
        started = time.perf_counter()
        model.sort(column, Qt.SortOrder.AscendingOrder)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    model.set_filter(RowFilter(text="copyright"))
    timings.append(time.perf_counter() - started)
    assert 0 < model.rowCount() < 50_000
    # The benchmark measures the real figure; this only catches an accidental O(n^2).
    assert max(timings) < 1.0, timings
