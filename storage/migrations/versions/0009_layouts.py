"""Learned page layouts per portal: portal_layouts, layout_paths (cleaning/layout_learning.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_layouts",
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("recent", sa.String(length=64), nullable=False),
        sa.Column("redesigns", sa.Integer(), nullable=False),
        sa.Column("relearned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.id"], name=op.f("fk_portal_layouts_portal_id_portals")),
        sa.PrimaryKeyConstraint("portal_id", name=op.f("pk_portal_layouts")),
    )
    op.create_table(
        "layout_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("learned", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.id"], name=op.f("fk_layout_paths_portal_id_portals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layout_paths")),
        sa.UniqueConstraint("portal_id", "field", "key", name=op.f("uq_layout_paths_portal_id_field_key")),
    )


def downgrade() -> None:
    op.drop_table("layout_paths")
    op.drop_table("portal_layouts")
