"""The extractor version (cleaning.EXTRACTOR_VERSION) an article was extracted with: what
`govcrawl reextract` compares to. NULL: stored before versions were recorded.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("extractor_version", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("extractor_version")
