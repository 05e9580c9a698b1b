"""Concurrent writers in separate processes: no lost update, every refusal reported, one chain."""

import pytest
from sqlalchemy import text

from benchmarks.concurrent_writers import Run, run_writers
from gpaitracker.enums import Role, Status
from gpaitracker.migrate import open_register
from gpaitracker.services import audit_trail, demo, queries, team
from gpaitracker.services.workspace import Workspace
from tests.team.helpers import ADA, PASSWORD

OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED)


def _open_items(ws: Workspace, count: int) -> list[int]:
    rows = [r for r in ws.read(queries.list_rows) if r.status in OPEN and r.applicable]
    return [r.id for r in rows[:count]]


def _start(ws: Workspace) -> int:
    with ws.register.engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar())


def assert_nothing_lost(ws: Workspace, run: Run, since: int) -> None:
    """Every accepted edit is in the trail, no refused one is, and each item holds its last."""
    for _rid, _due, _, message in run.refused:
        assert "changed by" in message or "try again" in message, message
    with ws.register.engine.connect() as conn:
        events = conn.execute(
            text(
                "SELECT row_id, new_value FROM audit_event WHERE id > :s AND field = 'due_date' "
                "ORDER BY id"
            ),
            {"s": since},
        ).all()
        finals = dict(conn.execute(text("SELECT id, due_date FROM requirement")).all())
    recorded = [(int(rid), due) for rid, due in events]
    accepted = [(int(rid), due) for rid, due, _, _ in run.accepted]
    assert sorted(recorded) == sorted(accepted)  # none lost, none doubled, none refused kept
    last: dict[int, str] = {}
    for rid, due in recorded:
        last[rid] = due
    for rid, due in last.items():
        assert str(finals[rid])[:10] == due
    assert audit_trail.verify(ws.register).problems == ()


@pytest.mark.postgres
def test_eight_processes_two_hundred_edits_each_on_a_server(pg_team, home, tmp_path):
    crew = pg_team
    owner = crew.ws()
    logins = ["olga", "rita"]
    for n in range(6):
        login = f"writer{n}"
        owner.write(
            team.add_user,
            email=f"{login}@provider.eu",
            role=Role.OFFICER,
            login=login,
            password=PASSWORD,
        )
        logins.append(login)
    items = _open_items(owner, 12)
    since = _start(owner)
    # One process per login: each connects as its own person.
    run = run_writers([(crew.url(login), None) for login in logins], home, 200, items, tmp_path)
    assert len(run.outcomes) == 8 * 200
    assert run.accepted and run.refused  # the items overlap: some edits must collide
    assert_nothing_lost(owner, run, since)
    with owner.register.engine.connect() as conn:
        found = conn.execute(
            text("SELECT DISTINCT actor FROM audit_event WHERE id > :s"), {"s": since}
        )
        actors = {a for (a,) in found}
    assert actors == {f"{login}@provider.eu" for login in logins}
    owner.close()


def test_two_app_instances_on_one_sqlite_file(home, tmp_path):
    reg = open_register(home)
    ws = Workspace(reg)
    ws.create(demo.create, store=ws.store, admin_name="Ada Admin", admin_email=ADA)
    items = _open_items(ws, 3)
    since = _start(ws)
    run = run_writers(
        [(f"sqlite:///{home / 'register.sqlite'}", None)] * 2,
        home,
        100,
        items,
        tmp_path,
        env={"GPAITRACKER_BUSY_TIMEOUT_MS": "5000"},
    )
    assert len(run.outcomes) == 200 and run.accepted
    assert_nothing_lost(ws, run, since)
    ws.close()
