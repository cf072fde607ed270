"""Fixtures for the storage tests: a migrated database on SQLite (tmp file) and PostgreSQL.

PostgreSQL: a fresh database `govcrawl_test_<random>` is created through the `postgres`
maintenance database ($GOVCRAWL_TEST_PG, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and dropped afterwards. Unreachable
server: the test is skipped with the reason, unless CI=true, where it fails (CI must not
silently lose the PostgreSQL half of the suite).
"""
from __future__ import annotations

import tempfile

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cleaning.article import Article
from crawler.processing import Target
from storage import Database, PortalRecord, start_run, sync_portals
from storage.models import Article as StoredArticle, ArticleUrl, Cluster, Portal

PG_ADMIN_URL = os.environ.get(
    "GOVCRAWL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
VN = timezone(timedelta(hours=7))
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=VN)

PORTALS = [
    PortalRecord("tinh-a", "UBND tỉnh A", "tinh", "A", "active", "sharepoint", ("tinh-a.gov.vn",)),
    PortalRecord("so-a", "Sở Nội vụ tỉnh A", "so", "A", "active", "drupal", ("snv.tinh-a.gov.vn",)),
    PortalRecord("huyen-a", "UBND huyện A1", "huyen", "A", "active", "aspnet", ("a1.gov.vn",)),
    PortalRecord("dackhu-a", "Đặc khu A2", "dackhu", "A", "active", "wordpress", ("a2.gov.vn",)),
    PortalRecord("xa-a", "UBND xã A3", "xa", "A", "active", "wordpress", ("a3.gov.vn",)),
]


def postgres_unavailable(reason: str) -> None:
    """Skip (or, when CI=true, fail) a test that needs PostgreSQL."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and PostgreSQL is required: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create `govcrawl_test_<random>` and yield its URL; drop it afterwards."""
    admin_url = make_url(PG_ADMIN_URL)
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        first = str(exc.orig or exc).strip().splitlines()[0]
        postgres_unavailable(f"{admin_url.render_as_string(hide_password=True)}: {first}")
    name = f"govcrawl_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    # a crawl into it writes its WARC files (crawler/warc.py) to $GOVCRAWL_WARC_DIR, as a PostgreSQL
    # database has no file to put them beside: a temporary directory, never the working tree's data/
    warc_dir = tempfile.mkdtemp(prefix=f"{name}-warc-")
    previous = os.environ.get("GOVCRAWL_WARC_DIR")
    os.environ["GOVCRAWL_WARC_DIR"] = warc_dir
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        if previous is None:
            os.environ.pop("GOVCRAWL_WARC_DIR", None)
        else:
            os.environ["GOVCRAWL_WARC_DIR"] = previous
        shutil.rmtree(warc_dir, ignore_errors=True)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'govcrawl.sqlite'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database with the PORTALS synchronised."""
    database = Database(db_url)
    database.migrate()
    with database.session() as s, s.begin():
        sync_portals(s, PORTALS)
    yield database
    database.dispose()


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """PostgreSQL only: a migrated database with the PORTALS synchronised."""
    with fresh_postgres_database() as url:
        database = Database(url)
        database.migrate()
        with database.session() as s, s.begin():
            sync_portals(s, PORTALS)
        yield database
        database.dispose()


def content_hash(key: str) -> str:
    """Any 64-hex string does in these tests."""
    return hashlib.sha256(key.encode()).hexdigest()


def make_article(key: str, url: str = "http://example.gov.vn/x", **fields: Any) -> Article:
    """An Article whose content_hash is derived from `key` (same key = same content)."""
    defaults: dict[str, Any] = {
        "title": f"Tiêu đề {key}",
        "text": f"Nội dung bài viết {key}.",
        "content_hash": content_hash(key),
    }
    defaults.update(fields)
    return Article(url=url, **defaults)


def page_target(db_url: str, host: str) -> Target:
    """A migrated database with one portal "p" on `host` and a started run: where pages go."""
    database = Database(db_url)
    database.migrate()
    with database.session() as s, s.begin():
        sync_portals(s, [PortalRecord("p", "Sở Nội vụ", "so", hosts=(host,))])
        run_id = start_run(s, args="test")
    database.dispose()
    # a page that fails to store is kept in a dead-letter file: outside the working tree
    return Target(db_url=db_url, run_id=run_id, dead_letter_dir=tempfile.mkdtemp(prefix="govcrawl-dead-letter-"))


def archive_snapshot(db_url: str) -> dict[str, object]:
    """The archive by natural keys: ids and times differ between two crawls, nothing else may."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as s:
            hashes = dict(s.execute(select(StoredArticle.id, StoredArticle.content_hash)).all())
            portals = dict(s.execute(select(Portal.id, Portal.key)).all())
            articles = {
                (a.content_hash, a.title, a.text, a.summary, a.published, a.date_source, tuple(a.authors or ()),
                 a.unit, tuple(a.captions or ()), a.canonical_url, portals[a.portal_id], a.source_tag,
                 a.attribution, hashes.get(a.previous_version_id), a.version_note,
                 tuple(a.template_lines or ()))
                for a in s.scalars(select(StoredArticle))}
            urls = {
                (u.url, hashes[u.article_id], portals[u.portal_id], u.published, u.title, tuple(u.authors or ()),
                 u.unit, u.source_tag, u.attribution)
                for u in s.scalars(select(ArticleUrl))}
            members: dict[int, set[str]] = {}
            for article_id, cluster_id in s.execute(select(StoredArticle.id, StoredArticle.cluster_id)):
                members.setdefault(cluster_id, set()).add(hashes[article_id])
            clusters = {(frozenset(members[c.id]), hashes[c.canonical_article_id])
                        for c in s.scalars(select(Cluster))}
            unplaced = s.scalar(text("SELECT count(*) FROM articles WHERE cluster_id IS NULL"))
            pending = s.scalar(text("SELECT count(*) FROM frontier"))
    finally:
        engine.dispose()
    return {"articles": articles, "urls": urls, "clusters": clusters, "unplaced": unplaced, "pending": pending}


@contextmanager
def database_pair(backend: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two fresh databases of `backend` ("sqlite" files in `tmp_path`, or "postgresql"): one for a
    crawl left alone, one for a crawl that is disturbed, to compare their archives."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'straight.sqlite'}", f"sqlite:///{tmp_path / 'disturbed.sqlite'}"
    else:
        with fresh_postgres_database() as straight, fresh_postgres_database() as disturbed:
            yield straight, disturbed
