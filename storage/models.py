"""SQLAlchemy 2.0 typed models: portals, canonical articles, the URLs that served them, crawl runs.

Portable between SQLite and PostgreSQL: datetimes go through `UTCDateTime` (stored as UTC,
returned timezone-aware), list/dict columns use the generic `sqlalchemy.JSON` type.

The schema itself is created by the Alembic migrations in `storage/migrations/`, never by
`metadata.create_all()`; a test checks that the migrations and these models agree.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, LargeBinary, MetaData, SmallInteger,
                        String, Text, UniqueConstraint, false)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Explicit constraint names, so migrations can address them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LEVELS = ("tinh", "so", "huyen", "xa", "dackhu")
# "Higher administrative level" for the canonical rule: tinh > so > huyen = dackhu > xa.
LEVEL_RANK = {"tinh": 4, "so": 3, "huyen": 2, "dackhu": 2, "xa": 1}
RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted")
FAILURE_KINDS = ("http", "dns", "connection", "timeout", "extraction", "storage", "robots", "given_up",
                 "offsite", "private_address", "redirect", "url_too_long", "trap", "too_large", "sitemap", "other")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend and returned aware (UTC).

    Naive datetimes are refused: their meaning (UTC? Vietnam time?) would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":  # SQLite stores text; keep it uniform "YYYY-MM-DD HH:MM:SS"
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Portal(Base):
    """A government portal from the registry (synchronised by `repository.sync_portals`)."""

    __tablename__ = "portals"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(10))  # one of LEVELS
    province: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # active / redirect / frozen / gone
    family: Mapped[str] = mapped_column(String(20))
    hosts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # new articles the template learner has counted lines of (cleaning/templates.py)
    template_pages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Crawl state (storage/crawlstate.py): a "walk" reads every listing page and sitemap of the
    # portal; until one has completed, runs walk them all instead of stopping at known articles.
    walk_started_at: Mapped[datetime | None]
    walk_completed_at: Mapped[datetime | None]
    # start of the last run that completed the portal: sitemaps are read from its lastmod on
    last_success_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"Portal(id={self.id!r}, key={self.key!r}, level={self.level!r})"


class Article(Base):
    """One canonical article per distinct content (`content_hash`).

    The metadata columns and `portal_id` / `canonical_url` come from the canonical copy
    (earliest published; then higher administrative level; then first seen). Every URL that
    served this content is an `ArticleUrl`.
    """

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(index=True)
    date_source: Mapped[str | None] = mapped_column(String(50))
    updated: Mapped[datetime | None]
    # The page's own UTC offset of `published` / `updated` (minutes east of UTC; 420 for a
    # Vietnamese page's naive time). With `offsets_recorded`, NULL means the page gave none (a
    # foreign page's wall clock, stored labelled UTC, exported without offset); rows written
    # before migration 0007 have it false and their dates read as Vietnam time, as before.
    published_offset: Mapped[int | None] = mapped_column(SmallInteger)
    updated_offset: Mapped[int | None] = mapped_column(SmallInteger)
    offsets_recorded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unit: Mapped[str | None] = mapped_column(Text)
    captions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    images: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"src", "caption"}]
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"url", "title"}]
    category: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source_tag: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    cms_user: Mapped[str | None] = mapped_column(Text)
    view_count: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(20))
    family: Mapped[str] = mapped_column(String(20))
    # lines removed as the portal's learned template (provenance of what was stripped)
    template_lines: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    extractor_version: Mapped[str | None] = mapped_column(String(20))  # cleaning.EXTRACTOR_VERSION; NULL: before 0011
    canonical_url: Mapped[str] = mapped_column(Text)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    # near-duplicate cluster (storage/clusters.py); None only until `govcrawl dedup` backfills
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    # versions: this content replaced `previous_version_id` at one of its URLs
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    version_note: Mapped[str | None] = mapped_column(Text)  # the diff summary against the previous version

    portal: Mapped[Portal] = relationship()
    urls: Mapped[list[ArticleUrl]] = relationship(
        back_populates="article", order_by="ArticleUrl.url"
    )

    def __repr__(self) -> str:
        return f"Article(id={self.id!r}, content_hash={self.content_hash[:12]!r}…)"


class ArticleUrl(Base):
    """A URL that served an article, with that copy's own metadata: `published` (for the
    canonical rule) and the title, byline, lead tag and attribution its portal printed (exact
    copies share the body, not these)."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    published: Mapped[datetime | None]
    published_offset: Mapped[int | None] = mapped_column(SmallInteger)  # as Article.published_offset
    offsets_recorded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[Any] | None] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(Text)
    source_tag: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    # the WARC record of the page that served this article at this URL (crawler/warc.py): file
    # name in the WARC directory, offset and length of the gzip member, WARC-Payload-Digest
    # ("sha1:<base32>") and the payload's SHA-256 (hex); NULL when captured with WARC off
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    warc_digest: Mapped[str | None] = mapped_column(String(64))
    warc_sha256: Mapped[str | None] = mapped_column(String(64))

    article: Mapped[Article] = relationship(back_populates="urls")
    portal: Mapped[Portal] = relationship()

    def __repr__(self) -> str:
        return f"ArticleUrl(id={self.id!r}, article_id={self.article_id!r}, url={self.url!r})"


class CrawlRun(Base):
    """One invocation of the crawler. `status` is one of RUN_STATUSES."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    args: Mapped[str] = mapped_column(Text, default="")

    portals: Mapped[list[CrawlRunPortal]] = relationship(back_populates="run")


class CrawlRunWorker(Base):
    """One worker's share of a run several workers shared (crawler/distributed.py, storage/workers.py):
    `status` done (left at the end), stopped (SIGTERM, Ctrl-C) or gone (its heartbeat expired:
    killed; its counters up to its last heartbeat)."""

    __tablename__ = "crawl_run_workers"
    __table_args__ = (UniqueConstraint("run_id", "worker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    worker: Mapped[str] = mapped_column(String(100))
    host: Mapped[str | None] = mapped_column(String(255))  # host:pid
    status: Mapped[str] = mapped_column(String(20))
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    portals: Mapped[list[Any] | None] = mapped_column(JSON)  # the portal keys it crawled
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)


class CrawlRunPortal(Base):
    """Per-portal counters of one run (storage/runs.py), with the health flags of the run report."""

    __tablename__ = "crawl_run_portals"
    __table_args__ = (UniqueConstraint("run_id", "portal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"))
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 304 responses
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # known URL, new body
    articles_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    articles_seen: Mapped[int] = mapped_column(Integer, default=0)
    articles_failed: Mapped[int] = mapped_column(Integer, default=0)
    # new and version articles stored without a publication date (a redesign sign)
    articles_undated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    errors: Mapped[int] = mapped_column(Integer, default=0)
    # pages fetched that were not articles (listings, sitemaps, feeds, refused candidates), and of
    # those the article candidates whose content said they were not articles (crawler/linkfinder.py)
    pages_not_article: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    articles_refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    errors_by_kind: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"http": 12, "dns": 1}
    # the portal's first and last activity in the run (NULL in rows written before they were kept)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str | None] = mapped_column(Text)  # flags joined by "; " (crawler/health.py), NULL: healthy

    run: Mapped[CrawlRun] = relationship(back_populates="portals")
    portal: Mapped[Portal] = relationship()


class Failure(Base):
    """Something that did not become a stored article, with its reason. Never silently dropped."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("portals.id"))
    url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # see FAILURE_KINDS
    reason: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]


class TemplateSegment(Base):
    """A body line seen on two or more of one portal's articles (see cleaning/templates.py):
    a candidate for, or already, learned page template."""

    __tablename__ = "template_segments"
    __table_args__ = (UniqueConstraint("portal_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"))
    key: Mapped[str] = mapped_column(String(16))   # cleaning.templates.segment_key
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer)     # articles whose body carried the line
    first_total: Mapped[int] = mapped_column(Integer)  # the portal's template_pages before it appeared
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class Cluster(Base):
    """The copies of one story (near-duplicates across portals, URLs and versions).

    `canonical_article_id` is the member chosen by the canonical rule (storage/clusters.py);
    a plain indexed column, not a foreign key, so clusters and articles need no circular
    constraint."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_article_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ArticleFingerprint(Base):
    """An article's MinHash signature and shingle hashes (dedup/minhash.py), little-endian uint32
    arrays: candidates are verified against these without re-reading and re-keying their text."""

    __tablename__ = "article_fingerprints"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingle_hashes: Mapped[bytes] = mapped_column(LargeBinary)


class LshBand(Base):
    """One LSH band key of an article: articles sharing a key are near-duplicate candidates.

    The primary key leads with `key`, the lookup column, and on SQLite the table is WITHOUT
    ROWID: one B-tree serves both the lookups and the uniqueness, instead of a table plus two
    indexes (the band table is the archive's largest: 32 rows per article)."""

    __tablename__ = "lsh_bands"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)


# "refused": a page fetched as an article candidate whose content said it was none (a listing)
PAGE_KINDS = ("article", "listing", "sitemap", "rss", "atom", "refused")


class PageState(Base):
    """What the crawler last saw at a URL it fetched: when, the HTTP validators, the body's hash
    and, for an article page, the content hash stored and when to look again (`next_check`).
    Written in the same transaction as what the page produced, so a crash never leaves a page
    "seen" whose article was not stored."""

    __tablename__ = "page_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of PAGE_KINDS
    first_fetched: Mapped[datetime]
    last_fetched: Mapped[datetime]
    last_changed: Mapped[datetime]  # last fetch that brought a different body
    status: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)  # the header, verbatim
    body_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the bytes served
    content_hash: Mapped[str | None] = mapped_column(String(64))  # the article stored from them
    published: Mapped[datetime | None]
    next_check: Mapped[datetime | None] = mapped_column(index=True)  # articles: revalidate after
    # the <lastmod> a sitemap gave this URL when last read: a different one means it changed
    listed_lastmod: Mapped[str | None] = mapped_column(Text)
    # the WARC record holding the bytes `body_hash` describes (as ArticleUrl.warc_*): a 304 or an
    # identical refetch is a revisit record that points at this one, and leaves it in place
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    warc_digest: Mapped[str | None] = mapped_column(String(64))
    warc_sha256: Mapped[str | None] = mapped_column(String(64))


class FrontierEntry(Base):
    """A discovered URL not yet done: what an interrupted run leaves for the next one."""

    __tablename__ = "frontier"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of PAGE_KINDS
    discovered_at: Mapped[datetime]
    # why it is queued: "new" or "revalidate" (known, but its sitemap <lastmod> changed)
    reason: Mapped[str] = mapped_column(String(10), default="new")
    lastmod: Mapped[str | None] = mapped_column(Text)  # as the sitemap gave it, if one did
    # runs in a row whose fetch of it failed transiently (5xx, timeout, DNS): past a limit it is
    # given up (crawlstate.note_transient_failure), so one dead URL cannot hold a walk open forever
    failed_runs: Mapped[int] = mapped_column(default=0, server_default="0")


class UrlPattern(Base):
    """An article-URL template of one portal (crawler/urlpatterns.py) with the pages of that
    shape its content confirmed as articles or refused: confirmed and never refused, it makes
    later links of the shape articles without a fetch."""

    __tablename__ = "url_patterns"

    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), primary_key=True)
    template: Mapped[str] = mapped_column(Text, primary_key=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class PortalLayout(Base):
    """What the layout learner (cleaning/layout_learning.py) counted of one portal's pages: the
    pages counted since the counts were last halved or dropped, the recent pages' matches of the
    learned paths ("1"/"0", oldest first) and the redesigns seen (learned paths dropped)."""

    __tablename__ = "portal_layouts"

    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), primary_key=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    recent: Mapped[str] = mapped_column(String(64), default="")
    redesigns: Mapped[int] = mapped_column(Integer, default=0)
    relearned_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class LayoutPath(Base):
    """One value a portal's pages gave a field (the element path of the title, body or date; the
    <title> prefix or suffix) and the pages that gave it: learned once most of them do."""

    __tablename__ = "layout_paths"
    __table_args__ = (UniqueConstraint("portal_id", "field", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"))
    field: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(16))    # storage.layouts.value_key of the value
    value: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer)
    learned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # the field's learned value
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class Attachment(Base):
    """One distinct file an article links (PDF, DOC/DOCX, XLS/XLSX, ODT, ZIP), by the SHA-256 of
    its bytes: the same file under two URLs or on two articles is one row (storage/attachments.py).
    `text`: the text layer of a PDF or DOCX (cleaning/attachments.py), bounded; `text_key` its
    search key (lower case, no diacritics); `text_note` why there is none, or that it was cut."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(200))  # the Content-Type served
    kind: Mapped[str | None] = mapped_column(String(10))  # pdf, docx, doc, xlsx, ... (by the bytes)
    text: Mapped[str | None] = mapped_column(Text)
    text_chars: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    text_key: Mapped[str | None] = mapped_column(Text)
    text_note: Mapped[str | None] = mapped_column(Text)
    first_url: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]
    # the WARC record of the bytes (as PageState.warc_*)
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    warc_digest: Mapped[str | None] = mapped_column(String(64))
    warc_sha256: Mapped[str | None] = mapped_column(String(64))


class ArticleAttachment(Base):
    """An article links an attachment: under this URL, with the link's title."""

    __tablename__ = "article_attachments"
    __table_args__ = (UniqueConstraint("article_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), index=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime]
