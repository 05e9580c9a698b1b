import sqlite3

from gpaitracker import audit
from gpaitracker.audit import Change
from gpaitracker.db import session_scope


def _append(register, n):
    with session_scope(register, write=True) as s:
        audit.record(
            s,
            "ada@provider.eu",
            [Change("update", "requirement", f"m/X-{i}", "notes", "a", "b") for i in range(n)],
        )


def _verify(register):
    with register.engine.connect() as conn:
        return audit.verify_chain(conn)


def test_chain_of_appended_events_verifies(register):
    _append(register, 5)
    _append(register, 3)
    assert _verify(register) is None
    with register.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT prev_hash, hash FROM audit_event ORDER BY id").all()
    assert rows[0][0] == audit.GENESIS
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))


def test_edited_event_is_reported_by_id(register):
    _append(register, 6)
    db = register.url.removeprefix("sqlite:///")
    con = sqlite3.connect(db)
    con.execute("UPDATE audit_event SET new_value='forged' WHERE id=4")
    con.commit()
    con.close()
    problem = _verify(register)
    assert problem is not None and problem.event_id == 4
    assert "changed" in str(problem)


def test_deleted_event_breaks_the_link_of_the_next(register):
    _append(register, 6)
    con = sqlite3.connect(register.url.removeprefix("sqlite:///"))
    con.execute("DELETE FROM audit_event WHERE id=3")
    con.commit()
    con.close()
    problem = _verify(register)
    assert problem is not None and problem.event_id == 4


def test_rehashed_forgery_still_breaks_the_following_link(register):
    _append(register, 5)
    con = sqlite3.connect(register.url.removeprefix("sqlite:///"))
    row = con.execute(
        "SELECT at, actor, action, entity, entity_id, field, old_value, prev_hash "
        "FROM audit_event WHERE id=2"
    ).fetchone()
    import datetime as dt

    at = dt.datetime.fromisoformat(row[0])
    new_hash = audit.event_hash(row[7], at, row[1], row[2], row[3], row[4], row[5], row[6], "x")
    con.execute("UPDATE audit_event SET new_value='x', hash=? WHERE id=2", (new_hash,))
    con.commit()
    con.close()
    problem = _verify(register)
    assert problem is not None and problem.event_id == 3
