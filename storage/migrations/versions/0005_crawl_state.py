"""Crawl state: page states (fetch times, validators, hashes, next check), the frontier, walks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None

WALK_COLUMNS = ("walk_started_at", "walk_completed_at", "last_success_at")


def upgrade() -> None:
    with op.batch_alter_table("portals") as batch:
        for name in WALK_COLUMNS:
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "page_states",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("portal_id", sa.Integer(), sa.ForeignKey("portals.id", name="fk_page_states_portal_id_portals"),
                  nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("first_fetched", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_check", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listed_lastmod", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_page_states"),
        sa.UniqueConstraint("url", name="uq_page_states_url"),
    )
    op.create_index("ix_page_states_portal_id", "page_states", ["portal_id"])
    op.create_index("ix_page_states_next_check", "page_states", ["next_check"])
    op.create_table(
        "frontier",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("portal_id", sa.Integer(), sa.ForeignKey("portals.id", name="fk_frontier_portal_id_portals"),
                  nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(10), nullable=False),
        sa.Column("lastmod", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("url", name="pk_frontier"),
    )
    op.create_index("ix_frontier_portal_id", "frontier", ["portal_id"])
    # Article URLs stored before this revision were fetched: they are known pages (without
    # validators or body hash, so the first revalidation fetches them in full), due for a
    # check on the usual schedule from their last sighting.
    op.execute(
        "INSERT INTO page_states (url, portal_id, kind, first_fetched, last_fetched, last_changed, status,"
        " content_hash, published, next_check)"
        " SELECT u.url, u.portal_id, 'article', u.first_seen, u.last_seen, u.last_seen, 200, a.content_hash,"
        " u.published, u.last_seen"
        " FROM article_urls u JOIN articles a ON a.id = u.article_id"
    )


def downgrade() -> None:
    op.drop_table("frontier")
    op.drop_table("page_states")
    with op.batch_alter_table("portals") as batch:
        for name in reversed(WALK_COLUMNS):
            batch.drop_column(name)
