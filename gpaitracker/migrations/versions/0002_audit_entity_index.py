"""Index audit events by entity, so an item's history is found without a full scan.

Revision ID: 0002_audit_entity_index
Revises: 0001_initial
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002_audit_entity_index"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity_id", ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity_id")
