"""WARC record references (crawler/warc.py) on page_states and article_urls: file, offset, length,
payload digest (sha1, base32) and payload SHA-256. Nullable: pages fetched before, or with WARC off,
have none.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels = None
depends_on = None

TABLES = ("page_states", "article_urls")


def _columns() -> list[sa.Column]:
    return [
        sa.Column("warc_file", sa.Text(), nullable=True),
        sa.Column("warc_offset", sa.BigInteger(), nullable=True),
        sa.Column("warc_length", sa.BigInteger(), nullable=True),
        sa.Column("warc_digest", sa.String(length=64), nullable=True),
        sa.Column("warc_sha256", sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    for table in TABLES:
        for column in _columns():
            op.add_column(table, column)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in reversed(_columns()):
                batch.drop_column(column.name)
