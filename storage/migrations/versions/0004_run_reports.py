"""Run reports: per-portal 304s, new versions, undated articles, errors by kind, times, health flags.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

COUNTERS = ("not_modified", "articles_version", "articles_undated")


def upgrade() -> None:
    with op.batch_alter_table("crawl_run_portals") as batch:  # batch: SQLite cannot ALTER freely
        for name in COUNTERS:  # rows of earlier runs did not count these: 0
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("errors_by_kind", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("health", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_run_portals") as batch:
        for name in ("health", "finished_at", "started_at", "errors_by_kind", *reversed(COUNTERS)):
            batch.drop_column(name)
