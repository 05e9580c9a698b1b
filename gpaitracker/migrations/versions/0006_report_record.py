"""Board reports as issued: number, as-of day, models, the PDF's hash and the audit head.

The report_record table of 0001 was never written to. It is rebuilt with the columns a report
needs (rows, if any, are carried over: number from id, as-of day from the creation time), so
that a report can be found by its PDF's SHA-256 and its audit head checked later.

Revision ID: 0006_report_record
Revises: 0005_comment_search
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_report_record"
down_revision = "0005_comment_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_record_new",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("model_ids", sa.JSON(), nullable=False),
        sa.Column("signer", sa.String(length=300), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("audit_head_id", sa.Integer(), nullable=True),
        sa.Column("audit_head_hash", sa.String(length=64), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.execute(
        "INSERT INTO report_record_new (id, number, created_at, author_id, as_of, model_ids, "
        "signer, pdf_sha256, audit_head_id, audit_head_hash, metrics) "
        "SELECT id, id, created_at, created_by, date(created_at), '[]', signer, sha256, "
        "NULL, NULL, metrics FROM report_record"
    )
    op.drop_table("report_record")
    op.rename_table("report_record_new", "report_record")
    with op.batch_alter_table("report_record") as batch:
        batch.create_index("ix_report_record_pdf_sha256", ["pdf_sha256"], unique=False)


def downgrade() -> None:
    op.create_table(
        "report_record_old",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("signer", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO report_record_old (id, created_at, created_by, sha256, path, metrics, "
        "signer) SELECT id, created_at, author_id, pdf_sha256, '', metrics, signer "
        "FROM report_record"
    )
    op.drop_table("report_record")
    op.rename_table("report_record_old", "report_record")
