"""PostgreSQL roles for the app's roles: grants, logins, and which person a login acts as.

Each register database gets five group roles named after it (``<database>_officer`` ...):
executive and auditor read; reviewer and officer also change the register and evidence (every
table but ADMIN_TABLES); admin also people, the organisation, catalogues and settings. No
group may UPDATE, DELETE or TRUNCATE the audit trail (a trigger from migration 0008 refuses it
to everyone).
Logins are members of exactly one group, so the database itself enforces what the app shows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, text

from gpaitracker.enums import Role
from gpaitracker.errors import ValidationError

if TYPE_CHECKING:
    import psycopg

READ_ONLY = frozenset({Role.EXECUTIVE, Role.AUDITOR})
EDITORS = frozenset({Role.OFFICER, Role.REVIEWER})
# What only admins change: people, the organisation, catalogues, settings and logins.
# Officers and reviewers change everything else (register items, comments, evidence, models,
# reports, requests, incidents, ...), so a table a later migration adds is theirs too.
ADMIN_TABLES = frozenset(
    {"person", "organisation", "catalogue", "catalogue_entry", "meta", "team_login"}
)
APPEND_ONLY = "audit_event"
_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}\Z")


def _quote(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote_identifier(name))


def group_name(database: str, role: Role) -> str:
    """The group role of one app role in one register database (at most 63 characters)."""
    return f"{database[: 62 - len(role.value)]}_{role.value}"


def check_login(login: str) -> str:
    """A login name: lowercase letters, digits, _ . -; 1 to 63 characters."""
    if not _LOGIN.match(login):
        shown = login.encode("unicode_escape").decode("ascii")[:80]
        raise ValidationError(
            f"login {shown!r} is not a valid name (lowercase letters, digits, _ . -; "
            "starting with a letter or _, at most 63 characters)"
        )
    return login


def database_of(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_database()")).scalar_one())


def _tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).all()
    return sorted(str(r[0]) for r in rows)


def grant_roles(conn: Connection) -> list[str]:
    """Create (or refresh) the group roles of this database and their grants; their names."""
    database = database_of(conn)
    q = _quote
    names = []
    tables = _tables(conn)
    conn.execute(text(f"REVOKE ALL ON DATABASE {q(conn, database)} FROM PUBLIC"))
    for role in Role:
        name = group_name(database, role)
        names.append(name)
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
        ).first()
        if exists is None:
            conn.execute(text(f"CREATE ROLE {q(conn, name)} NOLOGIN"))
        group = q(conn, name)
        conn.execute(text(f"GRANT CONNECT ON DATABASE {q(conn, database)} TO {group}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {group}"))
        for table in tables:
            conn.execute(text(f"REVOKE ALL ON {q(conn, table)} FROM {group}"))
            conn.execute(text(f"GRANT SELECT ON {q(conn, table)} TO {group}"))
        if role in READ_ONLY:
            continue
        conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {group}"))
        conn.execute(text(f"GRANT INSERT ON {APPEND_ONLY} TO {group}"))
        writable = [
            t
            for t in tables
            if t not in (APPEND_ONLY, "alembic_version")
            and (role == Role.ADMIN or t not in ADMIN_TABLES)
        ]
        for table in writable:
            conn.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {q(conn, table)} TO {group}"))
    return names


def create_login(conn: Connection, login: str, password: str, role: Role) -> bool:
    """Create the login (or reset its password) as a member of role's group only.

    Returns True when the login was new.
    """
    database = database_of(conn)
    name = _quote(conn, check_login(login))
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login}).first()
    # Only the SCRAM verifier travels to the server (and could reach its logs), not the password.
    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    verifier = raw.pgconn.encrypt_password(
        password.encode("utf-8"), login.encode("utf-8"), b"scram-sha-256"
    ).decode("ascii")
    from psycopg import sql

    verb = "CREATE" if exists is None else "ALTER"
    statement = sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(login), sql.Literal(verifier)
    )
    with raw.cursor() as cursor:
        cursor.execute(statement)
    for other in Role:
        group = _quote(conn, group_name(database, other))
        if other == role:
            conn.execute(text(f"GRANT {group} TO {name}"))
        else:
            conn.execute(text(f"REVOKE {group} FROM {name}"))
    return exists is None


def current_login(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_user")).scalar_one())


def person_of_login(conn: Connection, login: str) -> int | None:
    row = conn.execute(
        text("SELECT person_id FROM team_login WHERE login = :l"), {"l": login}
    ).first()
    return None if row is None else int(row[0])


def link_login(conn: Connection, login: str, person_id: int) -> None:
    conn.execute(text("DELETE FROM team_login WHERE login = :l"), {"l": login})
    conn.execute(
        text("INSERT INTO team_login (login, person_id) VALUES (:l, :p)"),
        {"l": login, "p": person_id},
    )
