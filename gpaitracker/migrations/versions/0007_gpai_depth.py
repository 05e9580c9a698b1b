"""GPAI depth: model facts for the Art. 51-54 tests, provider-level items.

Models get each Art. 53(2) open-source condition, monetisation, the designation and accepted
rebuttal dates, what they generate, the recorded "not a GPAI model" decision, the original of
a modification and its compute, the "most capable" flag and the day a registered model became
systemic-risk. A model that claimed the open-source exemption keeps it: its publication
conditions start as met. Catalogue entries get their level (model or provider); an item can
be covered by another model's item of a provider-level entry. New tables: the requests
register (the Art. 52(1) notification and requests received), serious incidents and the
reports sent on them, and the versions of each model's Model Documentation Form.

Revision ID: 0007_gpai_depth
Revises: 0006_report_record
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_gpai_depth"
down_revision = "0006_report_record"
branch_labels = None
depends_on = None

_FLAGS = ("weights_public", "architecture_public", "usage_public", "monetised", "not_gpai",
          "most_capable")


def upgrade() -> None:
    with op.batch_alter_table("ai_model") as batch:
        for name in _FLAGS:
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default="0")
            )
        batch.add_column(sa.Column("designation_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("rebuttal_accepted", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("modality", sa.String(length=16), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("base_model", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("base_flop", sa.Float(), nullable=True))
        batch.add_column(sa.Column("sr_since", sa.Date(), nullable=True))
    op.execute(
        "UPDATE ai_model SET weights_public = open_source, architecture_public = open_source, "
        "usage_public = open_source"
    )
    with op.batch_alter_table("catalogue_entry") as batch:
        batch.add_column(
            sa.Column("level", sa.String(length=16), nullable=False, server_default="model")
        )
    with op.batch_alter_table("requirement") as batch:
        batch.add_column(sa.Column("covered_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_requirement_covered_by", "requirement", ["covered_by_id"], ["id"]
        )


    _create_tables()


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _create_tables() -> None:
    op.create_table(
        "request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("stated_deadline", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(["model_id"], ["ai_model.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("request") as batch:
        for name in ("kind", "model_id", "deadline", "status"):
            batch.create_index(f"ix_request_{name}", [name], unique=False)
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("aware_on", sa.Date(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(["model_id"], ["ai_model.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident") as batch:
        batch.create_index("ix_incident_model_id", ["model_id"], unique=False)
    op.create_table(
        "incident_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_report") as batch:
        batch.create_index("ix_incident_report_incident_id", ["incident_id"], unique=False)
    op.create_table(
        "mdf_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_by", sa.Integer(), nullable=True),
        sa.Column("exports", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        *_versioned(),
        sa.ForeignKeyConstraint(["model_id"], ["ai_model.id"]),
        sa.ForeignKeyConstraint(["frozen_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model_id", "number"),
    )
    with op.batch_alter_table("mdf_version") as batch:
        batch.create_index("ix_mdf_version_model_id", ["model_id"], unique=False)


def downgrade() -> None:
    op.drop_table("mdf_version")
    op.drop_table("incident_report")
    op.drop_table("incident")
    op.drop_table("request")
    with op.batch_alter_table("requirement") as batch:
        batch.drop_constraint("fk_requirement_covered_by", type_="foreignkey")
        batch.drop_column("covered_by_id")
    with op.batch_alter_table("catalogue_entry") as batch:
        batch.drop_column("level")
    with op.batch_alter_table("ai_model") as batch:
        for name in ("sr_since", "base_flop", "base_model", "modality", "rebuttal_accepted",
                     "designation_date", *reversed(_FLAGS)):
            batch.drop_column(name)
