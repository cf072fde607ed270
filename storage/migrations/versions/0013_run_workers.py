"""Several workers, one run (issue 18): `crawl_run_workers`, each worker's share of a run shared
through Redis (crawler/distributed.py): who it was, how it left (done, stopped, gone), the
portals it crawled and its totals.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_run_workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("portals", sa.JSON(), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("not_modified", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_run_workers_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_run_workers")),
        sa.UniqueConstraint("run_id", "worker", name=op.f("uq_crawl_run_workers_run_id_worker")),
    )


def downgrade() -> None:
    op.drop_table("crawl_run_workers")
