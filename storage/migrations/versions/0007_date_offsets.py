"""The page's own UTC offset of published/updated (minutes), kept beside the UTC instant.

`published_offset` / `updated_offset`: minutes east of UTC the page wrote the date in (420 for a
Vietnamese page's naive time, read as Vietnam time). `offsets_recorded`: the row was written by an
extraction that records offsets; a NULL offset then means the page gave none (a foreign page's wall
clock, stored labelled UTC). Rows written before this revision keep `offsets_recorded` false: their
NULL offsets are read as before (Vietnam time, +07:00). Nothing is backfilled.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:  # batch: SQLite cannot ALTER freely
        batch.add_column(sa.Column("published_offset", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("updated_offset", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("offsets_recorded", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("article_urls") as batch:
        batch.add_column(sa.Column("published_offset", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("offsets_recorded", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("article_urls") as batch:
        batch.drop_column("offsets_recorded")
        batch.drop_column("published_offset")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("offsets_recorded")
        batch.drop_column("updated_offset")
        batch.drop_column("published_offset")
