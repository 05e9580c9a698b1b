"""Search comments without reading them all: a trigram full-text index (SQLite).

A filter on text in the register matched every comment with LIKE '%...%', which reads the
whole comment table (50 ms at 100,000 comments). SQLite's FTS5 trigram index answers the same
substring question from an index. Comments are append-only, so one insert trigger keeps it
current. Other databases keep searching with ILIKE.

Revision ID: 0005_comment_search
Revises: 0004_review_and_comments
Create Date: 2026-11-28
"""

from alembic import op

revision = "0005_comment_search"
down_revision = "0004_review_and_comments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # It keeps its own copy of the text and the item id, so a search never reads comments.
    op.execute(
        "CREATE VIRTUAL TABLE comment_search USING fts5("
        "text, requirement_id UNINDEXED, tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER comment_search_insert AFTER INSERT ON comment BEGIN "
        "INSERT INTO comment_search (rowid, text, requirement_id) "
        "VALUES (new.id, new.text, new.requirement_id); END"
    )
    op.execute(
        "INSERT INTO comment_search (rowid, text, requirement_id) "
        "SELECT id, text, requirement_id FROM comment"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS comment_search_insert")
    op.execute("DROP TABLE IF EXISTS comment_search")
