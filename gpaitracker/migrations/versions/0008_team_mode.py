"""Team mode: evidence objects in the database, logins linked to people, a guarded audit table.

- evidence_object / evidence_chunk hold evidence files by SHA-256, in chunks, for registers on
  a database server (the local register keeps its file store; the tables stay empty there).
- team_login links a PostgreSQL login to the person it acts as.
- On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of audit_event for everyone,
  table owner included; grants (gpaitracker server init) refuse them to the app's roles too.

Revision ID: 0008_team_mode
Revises: 0007_gpai_depth
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_team_mode"
down_revision = "0007_gpai_depth"
branch_labels = None
depends_on = None

GUARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "evidence_object",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "evidence_chunk",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["evidence_object.sha256"]),
        sa.PrimaryKeyConstraint("sha256", "seq"),
    )
    op.create_table(
        "team_login",
        sa.Column("login", sa.String(length=63), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("login"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD)
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    op.drop_table("team_login")
    op.drop_table("evidence_chunk")
    op.drop_table("evidence_object")
