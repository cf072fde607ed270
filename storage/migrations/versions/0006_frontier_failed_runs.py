"""Frontier entries count the runs in a row whose fetch failed transiently (5xx, timeout, DNS).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("frontier") as batch:
        batch.add_column(sa.Column("failed_runs", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("frontier") as batch:
        batch.drop_column("failed_runs")
