import datetime as dt
import sqlite3

import pytest

from gpaitracker import audit
from gpaitracker.audit import Change
from gpaitracker.db import session_scope


class _Actor:
    id = 1
    email = "ada@provider.eu"


def _append(register, n):
    with session_scope(register, write=True) as s:
        audit.record(
            s,
            _Actor(),
            [Change("update", "requirement", i, f"m/X-{i}", "notes", "a", "b") for i in range(n)],
        )


def _verify(register, **kw):
    with register.engine.connect() as conn:
        return audit.verify_chain(conn, **kw)


def _db(register):
    return sqlite3.connect(register.home / "register.sqlite")


def test_chain_of_appended_events_verifies(register):
    _append(register, 5)
    _append(register, 3)
    result = _verify(register)
    assert result.problem is None and result.checked == 8 and result.head.count == 8
    with register.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT prev_hash, hash FROM audit_event ORDER BY id").all()
    assert rows[0][0] == audit.GENESIS
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))
    assert result.head.hash == rows[-1][1]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("new_value", "'forged'"),
        ("row_id", "99"),
        ("actor_id", "7"),
        ("label", "'m/other'"),
        ("format", "1"),
        ("at", "'2020-01-01 00:00:00.000000'"),
    ],
)
def test_edited_event_is_reported_by_id(register, column, value):
    _append(register, 6)
    con = _db(register)
    con.execute(f"UPDATE audit_event SET {column}={value} WHERE id=4")
    con.commit()
    con.close()
    problem = _verify(register).problem
    assert problem is not None and problem.event_id == 4
    assert "changed" in str(problem)


def test_deleted_event_breaks_the_link_of_the_next(register):
    _append(register, 6)
    con = _db(register)
    con.execute("DELETE FROM audit_event WHERE id=3")
    con.commit()
    con.close()
    problem = _verify(register).problem
    assert problem is not None and problem.event_id == 4


def test_rehashed_forgery_still_breaks_the_following_link(register):
    _append(register, 5)
    con = _db(register)
    con.row_factory = sqlite3.Row
    row = dict(con.execute("SELECT * FROM audit_event WHERE id=2").fetchone())
    row["new_value"] = "x"
    new_hash = audit.event_hash(2, row["prev_hash"], row["at"], row)
    con.execute("UPDATE audit_event SET new_value='x', hash=? WHERE id=2", (new_hash,))
    con.commit()
    con.close()
    problem = _verify(register).problem
    assert problem is not None and problem.event_id == 3


def test_format_1_events_still_verify_and_chain_into_format_2(register):
    """Events recorded before schema 0003 hash without ids; they verify as they were."""
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=dt.UTC)
    fields = {
        "actor": "ada@provider.eu",
        "action": "update",
        "entity": "requirement",
        "label": "m/X-1",
        "field": "notes",
        "old_value": None,
        "new_value": "n",
    }
    digest = audit.event_hash(1, audit.GENESIS, at, fields)
    con = _db(register)
    con.execute(
        "INSERT INTO audit_event (format, at, actor, action, entity, label, field, old_value, "
        "new_value, prev_hash, hash) VALUES (1, '2026-01-02 03:04:05.600000', ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        (*fields.values(), audit.GENESIS, digest),
    )
    con.commit()
    con.close()
    _append(register, 2)
    assert _verify(register).problem is None


def test_verify_from_a_head_checks_only_newer_events_and_the_head_itself(register):
    _append(register, 5)
    head = _verify(register).head
    _append(register, 3)
    result = _verify(register, start=head)
    assert result.problem is None and result.checked == 3 and result.head.count == 8
    con = _db(register)
    con.execute(f"DELETE FROM audit_event WHERE id >= {head.id}")
    con.commit()
    con.close()
    result = _verify(register, start=head)
    assert result.problem.event_id == head.id and "missing" in str(result.problem)
