"""Stable identity and optimistic locking.

Audit events name their entity by row id (plus the label it had then) and their actor by
person id; existing events keep their hash format 1 and get the ids filled in (the ids are not
part of a format-1 hash, so the chain still verifies). Editable tables get a version counter
and a change time (`row_version`; the requirement's `version` column is renamed to it,
as ai_model.version is the model's own version label); catalogue entry lists and report metrics become JSON columns.

Revision ID: 0003_stable_identity
Revises: 0002_audit_entity_index
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_stable_identity"
down_revision = "0002_audit_entity_index"
branch_labels = None
depends_on = None

_VERSIONED = ("organisation", "person", "ai_model", "evidence")


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index("ix_audit_event_entity_id")
        batch.alter_column("entity_id", new_column_name="label",
                           existing_type=sa.String(length=128), existing_nullable=False)
        batch.add_column(sa.Column("format", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("row_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit_event") as batch:
        batch.create_index("ix_audit_event_label", ["label"], unique=False)
        batch.create_index("ix_audit_event_entity_row", ["entity", "row_id"], unique=False)

    for table in _VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("row_version", sa.Integer(), server_default="1", nullable=False)
            )
            batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = created_at")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True),
                               nullable=False)

    with op.batch_alter_table("catalogue_entry") as batch:
        batch.alter_column("applies", existing_type=sa.String(length=300), type_=sa.JSON(), postgresql_using="applies::json",
                           existing_nullable=False)
        batch.alter_column("evidence", existing_type=sa.String(), type_=sa.JSON(), postgresql_using="evidence::json",
                           existing_nullable=False)
        batch.alter_column("kpis", existing_type=sa.String(), type_=sa.JSON(), postgresql_using="kpis::json",
                           existing_nullable=False)
    with op.batch_alter_table("report_record") as batch:
        batch.alter_column("metrics", existing_type=sa.String(), type_=sa.JSON(), postgresql_using="metrics::json",
                           existing_nullable=False)

    with op.batch_alter_table("requirement") as batch:
        batch.alter_column("version", new_column_name="row_version", existing_type=sa.Integer(),
                           existing_nullable=False, server_default="1")

    _backfill_ids(op.get_bind())


def _requirement_keys(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.text(
        "SELECT r.id, m.slug, r.code, r.occurrence FROM requirement r "
        "JOIN ai_model m ON m.id = r.model_id"
    ))
    return {
        (f"{slug}/{code}" if occ == 1 else f"{slug}/{code}#{occ}"): rid
        for rid, slug, code, occ in rows
    }


def _backfill_ids(conn: sa.Connection) -> None:
    """Name every existing event's entity and actor by id, walking the trail newest first.

    Walking backwards, the current key or email of a row is known; a remap (key change) or
    an email change tells what the row was called before it.
    """
    items = _requirement_keys(conn)
    persons = dict(conn.execute(sa.text("SELECT email, id FROM person")).all())
    models = dict(conn.execute(sa.text("SELECT slug, id FROM ai_model")).all())
    catalogues = {
        f"{cid}@{version}": pk
        for pk, cid, version in conn.execute(
            sa.text("SELECT id, catalogue_id, version FROM catalogue")
        )
    }
    evidence = {str(i) for (i,) in conn.execute(sa.text("SELECT id FROM evidence"))}
    orgs = {str(i) for (i,) in conn.execute(sa.text("SELECT id FROM organisation"))}
    events = conn.execute(sa.text(
        "SELECT id, actor, action, entity, label, field, old_value, new_value "
        "FROM audit_event ORDER BY id DESC"
    )).all()
    updates = []
    for eid, actor, action, entity, label, field, old, new in events:
        row_id = None
        if entity == "requirement":
            if action == "remap" and new in items:
                items[label] = items[new]
            row_id = items.get(label)
        elif entity == "person":
            if field == "email" and new in persons:
                persons[label] = persons[new]
            row_id = persons.get(label)
        elif entity == "model":
            row_id = models.get(label)
        elif entity == "catalogue":
            row_id = catalogues.get(label)
        elif entity == "evidence" and label in evidence:
            row_id = int(label)
        elif entity == "organisation" and label in orgs:
            row_id = int(label)
        updates.append({"id": eid, "row_id": row_id, "actor_id": persons.get(actor)})
    for start in range(0, len(updates), 10_000):
        conn.execute(
            sa.text("UPDATE audit_event SET row_id = :row_id, actor_id = :actor_id WHERE id = :id"),
            updates[start : start + 10_000],
        )


def downgrade() -> None:
    with op.batch_alter_table("requirement") as batch:
        batch.alter_column("row_version", new_column_name="version", existing_type=sa.Integer(),
                           existing_nullable=False, server_default=None)
    with op.batch_alter_table("report_record") as batch:
        batch.alter_column("metrics", existing_type=sa.JSON(), type_=sa.String(), postgresql_using="metrics::text")
    with op.batch_alter_table("catalogue_entry") as batch:
        batch.alter_column("kpis", existing_type=sa.JSON(), type_=sa.String(), postgresql_using="kpis::text")
        batch.alter_column("evidence", existing_type=sa.JSON(), type_=sa.String(), postgresql_using="evidence::text")
        batch.alter_column("applies", existing_type=sa.JSON(), type_=sa.String(length=300), postgresql_using="applies::text")
    for table in _VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
            batch.drop_column("row_version")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index("ix_audit_event_entity_row")
        batch.drop_index("ix_audit_event_label")
        batch.drop_column("row_id")
        batch.drop_column("actor_id")
        batch.drop_column("format")
        batch.alter_column("label", new_column_name="entity_id",
                           existing_type=sa.String(length=128), existing_nullable=False)
    with op.batch_alter_table("audit_event") as batch:
        batch.create_index("ix_audit_event_entity_id", ["entity_id"], unique=False)
