"""Initial schema: portals, articles, article_urls, crawl_runs, crawl_run_portals, failures.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    """A timezone-aware timestamp (stored as UTC by storage.models.UTCDateTime)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_table(
        "portals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("hosts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portals")),
        sa.UniqueConstraint("key", name=op.f("uq_portals_key")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        _ts("published", nullable=True),
        sa.Column("date_source", sa.String(length=50), nullable=True),
        _ts("updated", nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("captions", sa.JSON(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("category", sa.JSON(), nullable=False),
        sa.Column("source_tag", sa.Text(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("cms_user", sa.Text(), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        _fk("portal_id", "articles", "portals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_articles_content_hash")),
    )
    op.create_index(op.f("ix_articles_portal_id"), "articles", ["portal_id"])
    op.create_index(op.f("ix_articles_published"), "articles", ["published"])
    op.create_table(
        "crawl_run_portals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("articles_duplicate", sa.Integer(), nullable=False),
        sa.Column("articles_seen", sa.Integer(), nullable=False),
        sa.Column("articles_failed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("portal_id", "crawl_run_portals", "portals"),
        _fk("run_id", "crawl_run_portals", "crawl_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_run_portals")),
        sa.UniqueConstraint(
            "run_id", "portal_id", name=op.f("uq_crawl_run_portals_run_id_portal_id")
        ),
    )
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("portal_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("occurred_at"),
        _fk("portal_id", "failures", "portals"),
        _fk("run_id", "failures", "crawl_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failures")),
    )
    op.create_index(op.f("ix_failures_run_id"), "failures", ["run_id"])
    op.create_table(
        "article_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        _ts("published", nullable=True),
        _ts("first_seen"),
        _ts("last_seen"),
        sa.Column("first_run_id", sa.Integer(), nullable=True),
        _fk("article_id", "article_urls", "articles"),
        _fk("first_run_id", "article_urls", "crawl_runs"),
        _fk("portal_id", "article_urls", "portals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_urls")),
        sa.UniqueConstraint("url", name=op.f("uq_article_urls_url")),
    )
    op.create_index(op.f("ix_article_urls_article_id"), "article_urls", ["article_id"])
    op.create_index(op.f("ix_article_urls_portal_id"), "article_urls", ["portal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_article_urls_portal_id"), table_name="article_urls")
    op.drop_index(op.f("ix_article_urls_article_id"), table_name="article_urls")
    op.drop_table("article_urls")
    op.drop_index(op.f("ix_failures_run_id"), table_name="failures")
    op.drop_table("failures")
    op.drop_table("crawl_run_portals")
    op.drop_index(op.f("ix_articles_published"), table_name="articles")
    op.drop_index(op.f("ix_articles_portal_id"), table_name="articles")
    op.drop_table("articles")
    op.drop_table("portals")
    op.drop_table("crawl_runs")
