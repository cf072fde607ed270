"""Attachments (issue 17 item 4): the files an article links (PDF, DOC/DOCX, XLS/XLSX, ODT, ZIP),
fetched, one row per distinct content (`attachments`, by SHA-256), with the text layer of PDFs
and DOCX and its search key; `article_attachments` links each article to the files it links,
under the URL and title the article gave them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_chars", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("text_key", sa.Text(), nullable=True),
        sa.Column("text_note", sa.Text(), nullable=True),
        sa.Column("first_url", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warc_file", sa.Text(), nullable=True),
        sa.Column("warc_offset", sa.BigInteger(), nullable=True),
        sa.Column("warc_length", sa.BigInteger(), nullable=True),
        sa.Column("warc_digest", sa.String(length=64), nullable=True),
        sa.Column("warc_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("sha256", name=op.f("uq_attachments_sha256")),
    )
    op.create_table(
        "article_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_attachments_article_id_articles")),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"],
                                name=op.f("fk_article_attachments_attachment_id_attachments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_attachments")),
        sa.UniqueConstraint("article_id", "url", name=op.f("uq_article_attachments_article_id_url")),
    )
    op.create_index(op.f("ix_article_attachments_attachment_id"), "article_attachments", ["attachment_id"])
    op.create_index(op.f("ix_article_attachments_url"), "article_attachments", ["url"])


def downgrade() -> None:
    op.drop_index(op.f("ix_article_attachments_url"), table_name="article_attachments")
    op.drop_index(op.f("ix_article_attachments_attachment_id"), table_name="article_attachments")
    op.drop_table("article_attachments")
    op.drop_table("attachments")
