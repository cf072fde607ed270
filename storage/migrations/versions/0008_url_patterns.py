"""Learned article-URL patterns per portal; run counters of non-article fetches and refused candidates.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "url_patterns",
        sa.Column("portal_id", sa.Integer(), sa.ForeignKey("portals.id", name="fk_url_patterns_portal_id_portals"),
                  nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "template", name="pk_url_patterns"),
    )
    with op.batch_alter_table("crawl_run_portals") as batch:
        batch.add_column(sa.Column("pages_not_article", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("articles_refused", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("crawl_run_portals") as batch:
        batch.drop_column("articles_refused")
        batch.drop_column("pages_not_article")
    op.drop_table("url_patterns")
