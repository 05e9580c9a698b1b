"""Review records and comment threads.

Items record what is under review, who submitted and who approved it (and whether an admin
overrode the named reviewer), and everyone who owned them since they were last reopened.
Comments become an append-only thread; each item's existing notes become its first comment.

Revision ID: 0004_review_and_comments
Revises: 0003_stable_identity
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_review_and_comments"
down_revision = "0003_stable_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requirement") as batch:
        batch.add_column(sa.Column("review_outcome", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("submitted_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("approval_override", sa.Boolean(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("cycle_owner_ids", sa.JSON(), server_default="[]", nullable=False)
        )
        batch.create_foreign_key("fk_requirement_submitted_by", "person", ["submitted_by"], ["id"])
        batch.create_foreign_key("fk_requirement_approved_by", "person", ["approved_by"], ["id"])
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_requirement_id", "comment", ["requirement_id"], unique=False)
    # Items in review were submitted for done; their current owner counts as an owner.
    op.execute("UPDATE requirement SET review_outcome = 'done' WHERE status = 'in_review'")
    owners = "'[' || owner_id || ']'"
    if op.get_bind().dialect.name == "postgresql":
        owners = f"CAST({owners} AS JSON)"
    op.execute(f"UPDATE requirement SET cycle_owner_ids = {owners} WHERE owner_id IS NOT NULL")
    op.execute(
        "INSERT INTO comment (requirement_id, author_id, at, kind, text) "
        "SELECT id, NULL, updated_at, 'migrated', notes FROM requirement WHERE notes != ''"
    )
    with op.batch_alter_table("requirement") as batch:
        batch.drop_column("notes")


def downgrade() -> None:
    with op.batch_alter_table("requirement") as batch:
        batch.add_column(sa.Column("notes", sa.String(), server_default="", nullable=False))
    op.drop_index("ix_comment_requirement_id", table_name="comment")
    op.drop_table("comment")
    with op.batch_alter_table("requirement") as batch:
        batch.drop_constraint("fk_requirement_approved_by", type_="foreignkey")
        batch.drop_constraint("fk_requirement_submitted_by", type_="foreignkey")
        for column in ("cycle_owner_ids", "approval_override", "approved_at", "approved_by",
                       "submitted_at", "submitted_by", "review_outcome"):
            batch.drop_column(column)
