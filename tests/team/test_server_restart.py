"""The server restarts or drops the connection while the app is open: reconnect or report."""

import datetime as dt

import pytest
from sqlalchemy import text

from gpaitracker.errors import StorageError
from gpaitracker.services import audit_trail, lookup, queries, register

pytestmark = pytest.mark.postgres
KEY = "atlas-2/AIA-53-1-a"


def _trail_length(ws):
    with ws.register.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_event")).scalar()


def test_restart_while_open_reconnects_and_a_write_while_down_is_reported(pg_cluster, pg_team):
    crew = pg_team
    olga = crew.ws("olga")
    rid = olga.read(lookup.requirement_id, key=KEY)
    token = olga.change_token()
    pg_cluster.stop()
    pg_cluster.start()
    # Reads, the change watcher and writes carry on over new connections.
    assert olga.read(queries.row, requirement_id=rid).key == KEY
    assert olga.change_token() == token
    olga.write(register.set_due, requirement_id=rid, due=dt.date(2026, 5, 1))
    before_row = olga.read(queries.row, requirement_id=rid)
    events = _trail_length(olga)
    pg_cluster.stop()
    try:
        with pytest.raises(StorageError, match="unreachable"):
            olga.write(register.set_due, requirement_id=rid, due=dt.date(2026, 6, 1))
        with pytest.raises(StorageError, match="unreachable"):
            olga.change_token()
    finally:
        pg_cluster.start()
    assert olga.read(queries.row, requirement_id=rid) == before_row
    assert _trail_length(olga) == events
    olga.write(register.set_due, requirement_id=rid, due=dt.date(2026, 6, 1))
    assert audit_trail.verify(olga.register).problems == ()
    olga.close()


def test_connection_lost_in_the_middle_of_a_write_leaves_nothing_half_written(pg_team):
    crew = pg_team
    owner = crew.ws()
    rid = owner.read(lookup.requirement_id, key=KEY)
    before_row = owner.read(queries.row, requirement_id=rid)
    events = _trail_length(owner)

    def change_then_lose_the_server(*, session, actor):
        register.set_due(session=session, actor=actor, requirement_id=rid, due=dt.date(2029, 1, 1))
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    with pytest.raises(StorageError, match="unreachable"):
        owner.write(change_then_lose_the_server)
    assert owner.read(queries.row, requirement_id=rid) == before_row
    assert _trail_length(owner) == events
    assert audit_trail.verify(owner.register).problems == ()
    owner.close()
