"""Learned page templates: template_segments, portals.template_pages, articles.template_lines.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portals") as batch:  # batch: SQLite cannot ALTER freely
        batch.add_column(sa.Column("template_pages", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("template_lines", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "template_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("first_total", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portals.id"], name=op.f("fk_template_segments_portal_id_portals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_segments")),
        sa.UniqueConstraint("portal_id", "key", name=op.f("uq_template_segments_portal_id_key")),
    )


def downgrade() -> None:
    op.drop_table("template_segments")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("template_lines")
    with op.batch_alter_table("portals") as batch:
        batch.drop_column("template_pages")
