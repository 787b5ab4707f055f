"""The batch history: one row per judgement, one row per film of it.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "judgement",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(200), nullable=False),
        sa.Column("cast_date", sa.Date, nullable=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("model_sha256", sa.String(80), nullable=False),
        sa.Column("spec_sha256", sa.String(64), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("verdict", sa.String(4), nullable=False),
        sa.Column("n_films", sa.Integer, nullable=False),
        sa.Column("n_pass", sa.Integer, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("report_stem", sa.String(200), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(500), nullable=False),
        sa.CheckConstraint("verdict IN ('pass', 'fail')", name="ck_judgement_verdict"),
        sa.UniqueConstraint("content_sha256", "model_sha256", "spec_sha256", "batch_id",
                            name="uq_judgement_content_model_spec_batch"),
    )
    op.create_index("ix_judgement_day", "judgement", ["day", "batch_id", "id"])
    op.create_table(
        "film",
        sa.Column("judgement_id", sa.Integer, sa.ForeignKey("judgement.id", name="fk_film_judgement"),
                  primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("sample_id", sa.String(200), nullable=False),
        sa.Column("pass", sa.Boolean, nullable=False),
        sa.Column("conductivity_s_cm", sa.Float, nullable=True),
        sa.Column("rd", sa.Float, nullable=True),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("notes", sa.JSON, nullable=True),
        sa.Column("record", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("film")
    op.drop_table("judgement")
