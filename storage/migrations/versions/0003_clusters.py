"""Near-duplicate clusters, MinHash fingerprints, LSH bands, article versions, per-copy metadata.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_article_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    op.create_index(op.f("ix_clusters_canonical_article_id"), "clusters", ["canonical_article_id"])
    with op.batch_alter_table("articles") as batch:  # batch: SQLite cannot ALTER freely
        batch.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("previous_version_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version_note", sa.Text(), nullable=True))
        batch.create_foreign_key(op.f("fk_articles_cluster_id_clusters"), "clusters", ["cluster_id"], ["id"])
        batch.create_foreign_key(op.f("fk_articles_previous_version_id_articles"), "articles",
                                 ["previous_version_id"], ["id"])
        batch.create_index(op.f("ix_articles_cluster_id"), ["cluster_id"])
        batch.create_index(op.f("ix_articles_previous_version_id"), ["previous_version_id"])
    with op.batch_alter_table("article_urls") as batch:
        batch.add_column(sa.Column("title", sa.Text(), nullable=True))
        batch.add_column(sa.Column("authors", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("unit", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_tag", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attribution", sa.Text(), nullable=True))
    op.create_table(
        "article_fingerprints",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingle_hashes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_fingerprints_article_id_articles")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_fingerprints")),
    )
    op.create_table(
        "lsh_bands",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_lsh_bands_article_id_articles")),
        sa.PrimaryKeyConstraint("key", "article_id", name=op.f("pk_lsh_bands")),
        sqlite_with_rowid=False,  # one B-tree keyed by (key, article_id): see storage.models.LshBand
    )


def downgrade() -> None:
    op.drop_table("lsh_bands")
    op.drop_table("article_fingerprints")
    with op.batch_alter_table("article_urls") as batch:
        for column in ("attribution", "source_tag", "unit", "authors", "title"):
            batch.drop_column(column)
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(op.f("ix_articles_previous_version_id"))
        batch.drop_index(op.f("ix_articles_cluster_id"))
        batch.drop_constraint(op.f("fk_articles_previous_version_id_articles"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_articles_cluster_id_clusters"), type_="foreignkey")
        batch.drop_column("version_note")
        batch.drop_column("previous_version_id")
        batch.drop_column("cluster_id")
    op.drop_index(op.f("ix_clusters_canonical_article_id"), table_name="clusters")
    op.drop_table("clusters")
