"""storage/: migrations, dedup outcomes, the canonical rule, runs, failures, export, concurrency.

Every database test runs on SQLite (tmp file) and PostgreSQL (fresh database; skipped when the
server is unreachable, failing instead when CI=true).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from storage_fixtures import (  # noqa: F401  (db_url, db, pg_db are fixtures)
    PORTALS,
    T0,
    content_hash,
    db,
    db_url,
    make_article,
    pg_db,
    postgres_unavailable,
)

from cleaning.article import Attachment, Image
from storage import (
    Database,
    PortalRecord,
    PortalRunStats,
    StorageError,
    finish_run,
    iter_export,
    list_failures,
    record_failure,
    run_summary,
    start_run,
    store_article,
    sync_portals,
)
from storage.models import Article, ArticleUrl, Base, CrawlRun, Portal

MIN = timedelta(minutes=1)


def store(database: Database, portal: str, url: str, article, seen_at=T0, run_id=None):
    """One store_article in its own transaction (as the pipeline does)."""
    with database.session() as s, s.begin():
        return store_article(
            s, portal_key=portal, url=url, article=article, seen_at=seen_at, run_id=run_id
        )


def count(database: Database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def article_row(database: Database, key: str) -> Article:
    with database.session() as s:
        row = s.scalars(select(Article).where(Article.content_hash == content_hash(key))).one()
        row.portal  # load while the session is open  # noqa: B018
        return row


def urls_of(database: Database, article_id: int) -> list[str]:
    with database.session() as s:
        return list(
            s.scalars(
                select(ArticleUrl.url)
                .where(ArticleUrl.article_id == article_id)
                .order_by(ArticleUrl.url)
            )
        )


# --------------------------------------------------------------------------- schema


def test_migrate_is_idempotent(db_url: str) -> None:
    database = Database(db_url)
    try:
        assert database.current_revision() is None
        database.migrate()
        database.migrate()
        assert database.current_revision() == "0013"
        tables = set(inspect(database.engine).get_table_names())
        assert {
            "portals", "articles", "article_urls", "crawl_runs", "crawl_run_portals", "failures", "template_segments",
            "page_states", "frontier",
        } <= tables
    finally:
        database.dispose()


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    from alembic import command

    from storage.db import alembic_config

    database = Database(db_url)
    try:
        database.migrate()
        with database.engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert database.current_revision() is None
        assert "articles" not in inspect(database.engine).get_table_names()
        database.migrate()
        assert database.current_revision() == "0013"
    finally:
        database.dispose()


def test_migrations_match_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_pragmas(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path}/nested/dir/x.sqlite")
    database.migrate()
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    database.dispose()


def test_default_url_from_env_and_cwd(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVCRAWL_DB", raising=False)
    database = Database()
    assert database.url.database == "./data/govcrawl.sqlite"
    assert (tmp_path / "data").is_dir()
    monkeypatch.setenv("GOVCRAWL_DB", f"sqlite:///{tmp_path}/env.sqlite")
    assert Database().url.database == f"{tmp_path}/env.sqlite"
    assert Database("postgresql://u@h/d").url.drivername == "postgresql+psycopg"


def test_sync_portals_upserts(db: Database) -> None:
    with db.session() as s, s.begin():
        ids = sync_portals(s, [PortalRecord("so-a", "Renamed", "so", "A", "frozen", "drupal")])
    with db.session() as s:
        portal = s.get_one(Portal, ids["so-a"])
        assert (portal.name, portal.status, portal.hosts) == ("Renamed", "frozen", [])
        assert s.scalar(select(func.count()).select_from(Portal)) == len(PORTALS)
    with db.session() as s, s.begin(), pytest.raises(ValueError, match="unknown level"):
        sync_portals(s, [PortalRecord("bad", "Bad", "province")])


# --------------------------------------------------------------------------- errors


def test_unreachable_server_error_names_url_and_masks_password() -> None:
    database = Database("postgresql+psycopg://crawler:s3cret@127.0.0.1:1/govcrawl")
    with pytest.raises(StorageError) as info:
        database.migrate()
    message = str(info.value)
    assert "127.0.0.1:1/govcrawl" in message and "crawler:***@" in message
    assert "s3cret" not in message
    with pytest.raises(StorageError, match="127.0.0.1:1"):
        database.check()


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("not a url", "is a path, not a URL: for a SQLite file write sqlite:///not a url"),
        ("data/x.sqlite", "is a path, not a URL: for a SQLite file write sqlite:///data/x.sqlite$"),
        ("/srv/govcrawl.sqlite", "write sqlite:////srv/govcrawl.sqlite$"),
        ("sqlite:////tmp", "is a directory, not a database file"),
        ("http//bad:pw@host", "is not valid"),
        ("oracle://u:pw@h/d", "unsupported backend"),
        ("postgresql+nodriver://u:pw@h/d", "cannot load its driver"),
    ],
)
def test_bad_url_is_a_clear_error(url: str, match: str) -> None:
    with pytest.raises(StorageError, match=match) as info:
        Database(url)
    assert "pw" not in str(info.value)


def test_unknown_portal_is_a_clear_error(db: Database) -> None:
    with pytest.raises(StorageError, match="unknown portal key 'nope'.*sync_portals"):
        store(db, "nope", "http://x/1", make_article("a"))


def test_bad_hash_and_naive_seen_at_rejected(db: Database) -> None:
    with pytest.raises(ValueError, match="content_hash"):
        store(db, "so-a", "http://x/1", make_article("a", content_hash="abc"))
    with pytest.raises(ValueError, match="timezone-aware"):
        store(db, "so-a", "http://x/1", make_article("a"), seen_at=datetime(2025, 1, 1))


def test_ci_true_turns_skip_into_failure(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        postgres_unavailable("connection refused")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="connection refused"):
        postgres_unavailable("connection refused")


# --------------------------------------------------------------------------- outcomes


def test_new_duplicate_seen(db: Database) -> None:
    art = make_article("a", published=T0)
    first = store(db, "so-a", "http://so/1", art)
    assert (first.kind, first.canonical) == ("new", True)
    again = store(db, "so-a", "http://so/1", art, seen_at=T0 + MIN)
    assert (again.kind, again.article_id) == ("seen", first.article_id)
    dup = store(db, "huyen-a", "http://huyen/1", art, seen_at=T0 + 2 * MIN)
    assert (dup.kind, dup.article_id, dup.canonical) == ("duplicate", first.article_id, False)
    assert count(db, Article) == 1
    assert urls_of(db, first.article_id) == ["http://huyen/1", "http://so/1"]
    row = article_row(db, "a")
    assert row.first_seen == T0 and row.last_seen == T0 + 2 * MIN


def test_restore_is_idempotent(db: Database) -> None:
    art = make_article("a", published=T0)
    for i in range(3):
        store(db, "so-a", "http://so/1", art, seen_at=T0 + i * MIN)
        store(db, "xa-a", "http://xa/1", art, seen_at=T0 + i * MIN)
    assert count(db, Article) == 1
    assert count(db, ArticleUrl) == 2
    with db.session() as s:
        link = s.scalars(select(ArticleUrl).where(ArticleUrl.url == "http://so/1")).one()
        assert link.first_seen == T0 and link.last_seen == T0 + 2 * MIN
    assert article_row(db, "a").canonical_url == "http://so/1"


def test_same_content_two_urls_one_article(db: Database) -> None:
    a = store(db, "tinh-a", "http://tinh/1", make_article("same", title="Bản tỉnh"))
    b = store(db, "so-a", "http://so/9", make_article("same", title="Bản sở"))
    assert a.article_id == b.article_id
    assert count(db, Article) == 1
    assert urls_of(db, a.article_id) == ["http://so/9", "http://tinh/1"]


# --------------------------------------------------------------------------- canonical rule


def test_canonical_switches_to_earlier_copy(db: Database) -> None:
    store(db, "so-a", "http://so/1", make_article("c", title="Sở", published=T0))
    out = store(
        db, "xa-a", "http://xa/1", make_article("c", title="Xã", published=T0 - MIN,
                                                 authors=["Nguyễn Văn A"]),
        seen_at=T0 + MIN,
    )
    assert (out.kind, out.canonical) == ("duplicate", True)
    row = article_row(db, "c")
    assert (row.title, row.canonical_url, row.portal.key) == ("Xã", "http://xa/1", "xa-a")
    assert row.published == T0 - MIN and row.authors == ["Nguyễn Văn A"]
    # a later copy on a higher-level portal does not win against an earlier date
    out = store(db, "tinh-a", "http://tinh/1", make_article("c", title="Tỉnh", published=T0),
                seen_at=T0 + 2 * MIN)
    assert not out.canonical
    assert article_row(db, "c").canonical_url == "http://xa/1"
    assert len(urls_of(db, out.article_id)) == 3


def test_canonical_level_tie_break(db: Database) -> None:
    def put(portal: str, n: int):
        return store(db, portal, f"http://{portal}/1", make_article("lv", title=portal,
                                                                     published=T0),
                     seen_at=T0 + n * MIN)

    put("xa-a", 0)
    assert put("huyen-a", 1).canonical  # huyen > xa
    assert not put("dackhu-a", 2).canonical  # dackhu = huyen: first seen keeps it
    assert article_row(db, "lv").portal.key == "huyen-a"
    assert put("tinh-a", 3).canonical  # tinh > huyen
    assert not put("so-a", 4).canonical  # so < tinh
    row = article_row(db, "lv")
    assert (row.title, row.portal.key, row.canonical_url) == ("tinh-a", "tinh-a", "http://tinh-a/1")


def test_canonical_missing_dates(db: Database) -> None:
    # two undated copies tie on date: level decides
    store(db, "xa-a", "http://xa/2", make_article("nd"))
    assert store(db, "so-a", "http://so/2", make_article("nd"), seen_at=T0 + MIN).canonical
    # a dated copy beats undated ones, whatever its level
    assert store(db, "xa-a", "http://xa/3", make_article("nd", published=T0),
                 seen_at=T0 + 2 * MIN).canonical
    assert article_row(db, "nd").canonical_url == "http://xa/3"


def test_canonical_first_seen_tie_break(db: Database) -> None:
    store(db, "dackhu-a", "http://dk/1", make_article("fs", published=T0), seen_at=T0)
    assert not store(db, "huyen-a", "http://h/1", make_article("fs", published=T0),
                     seen_at=T0 + MIN).canonical
    assert article_row(db, "fs").canonical_url == "http://dk/1"


def test_changed_content_at_known_url_keeps_old_article(db: Database) -> None:
    old = store(db, "so-a", "http://so/5", make_article("v1", title="Bản cũ"))
    new = store(db, "so-a", "http://so/5", make_article("v2", title="Bản mới"), seen_at=T0 + MIN)
    assert new.kind == "version" and new.article_id != old.article_id
    assert count(db, Article) == 2
    assert article_row(db, "v1").title == "Bản cũ"  # not overwritten
    assert urls_of(db, new.article_id) == ["http://so/5"]
    assert urls_of(db, old.article_id) == []
    # it changing back to content stored elsewhere makes it a duplicate of that article
    store(db, "tinh-a", "http://tinh/5", make_article("v3"))
    back = store(db, "so-a", "http://so/5", make_article("v3"), seen_at=T0 + 2 * MIN)
    assert back.kind == "duplicate"
    assert urls_of(db, back.article_id) == ["http://so/5", "http://tinh/5"]


def test_naive_page_dates_read_as_vietnam_time(db: Database) -> None:
    store(db, "so-a", "http://so/7", make_article("n", published=datetime(2025, 3, 1, 8, 0)))
    published = article_row(db, "n").published
    assert published == T0 and published.tzinfo is not None


# --------------------------------------------------------------------------- runs and failures


def test_run_lifecycle_and_summary(db: Database) -> None:
    with db.session() as s, s.begin():
        run_id = start_run(s, "crawl --portal so-a --portal xa-a")
    stats = {"so-a": PortalRunStats(pages_fetched=3), "xa-a": PortalRunStats(errors=2,
                                                                             status="failed",
                                                                             note="DNS")}
    stats["so-a"].count(store(db, "so-a", "http://so/1", make_article("r1"), run_id=run_id))
    stats["so-a"].count(store(db, "so-a", "http://so/1", make_article("r1"), run_id=run_id))
    stats["so-a"].count(store(db, "so-a", "http://so/2", make_article("r1"), run_id=run_id))
    with db.session() as s, s.begin():
        finish_run(s, run_id, "partial", stats)
    with db.session() as s, s.begin():  # again: overwrites, does not duplicate
        finish_run(s, run_id, "partial", stats)
    with db.session() as s:
        run = s.get_one(CrawlRun, run_id)
        assert run.status == "partial" and run.finished_at and run.finished_at.tzinfo
        rows = run_summary(s, run_id)
        link = s.scalars(select(ArticleUrl).where(ArticleUrl.url == "http://so/1")).one()
        assert link.first_run_id == run_id
    assert [(r.portal_key, r.pages_fetched, r.articles_new, r.articles_duplicate,
             r.articles_seen, r.errors, r.status) for r in rows] == [
        ("so-a", 3, 1, 1, 1, 0, "ok"),
        ("xa-a", 0, 0, 0, 0, 2, "failed"),
    ]
    assert rows[1].note == "DNS" and rows[0].portal_name == "Sở Nội vụ tỉnh A"
    with db.session() as s, s.begin(), pytest.raises(ValueError, match="unknown status"):
        finish_run(s, run_id, "done", {})


def test_failures_recorded(db: Database) -> None:
    with db.session() as s, s.begin():
        run_id = start_run(s, "crawl")
        other = start_run(s, "crawl")
        record_failure(s, run_id=run_id, portal_key="so-a", url="http://so/404", kind="http",
                       reason="HTTP 404")
        record_failure(s, run_id=run_id, portal_key="ghost", url="http://ghost/", kind="dns",
                       reason="NXDOMAIN")
        record_failure(s, run_id=run_id, portal_key="xa-a", url="http://xa/1",
                       kind="extraction", reason="no_body: empty article")
        record_failure(s, run_id=other, portal_key=None, url=None, kind="storage", reason="x")
    with db.session() as s:
        failures = list_failures(s, run_id)
        assert len(list_failures(s)) == 4
    assert [(f.portal_key, f.kind) for f in failures] == [
        ("so-a", "http"), (None, "dns"), ("xa-a", "extraction"),
    ]
    assert "ghost" in failures[1].reason and "NXDOMAIN" in failures[1].reason
    assert all(f.occurred_at.tzinfo is not None for f in failures)


# --------------------------------------------------------------------------- export


def test_export_fields_order_and_timezone(db: Database) -> None:
    utc = timezone.utc
    full = make_article(
        "full",
        published=datetime(2025, 3, 1, 1, 30, tzinfo=utc),
        updated=datetime(2025, 3, 2, 17, 0, tzinfo=utc),
        date_source="meta",
        authors=["Trần Thị B"],
        unit="Văn phòng UBND",
        captions=["Ảnh: Hội nghị"],
        summary="Tóm tắt",
        source_tag="Nguồn: Báo Lạng Sơn",
        attribution="Theo baolangson.vn",
        cms_user="admin",
        images=[Image("http://so/img.jpg", "Hội nghị")],
        attachments=[Attachment("http://so/qd.pdf", "Quyết định")],
        category=["Tin tức", "Chỉ đạo điều hành"],
        view_count=42,
        language="vi",
        family="drupal",
    )
    store(db, "so-a", "http://so/z", full)
    store(db, "xa-a", "http://xa/a", full, seen_at=T0 + MIN)
    store(db, "xa-a", "http://xa/late", make_article("late", published=T0 + timedelta(days=1)))
    store(db, "xa-a", "http://xa/undated", make_article("undated"))
    store(db, "xa-a", "http://xa/early", make_article("early", published=T0 - timedelta(days=1)))
    with db.session(readonly=True) as s:
        rows = list(iter_export(s))
    assert [r["canonical_url"] for r in rows] == [
        "http://xa/early", "http://so/z", "http://xa/late", "http://xa/undated",
    ]
    row = rows[1]
    assert row["published"] == "2025-03-01T08:30:00+07:00"
    assert row["updated"] == "2025-03-03T00:00:00+07:00"
    assert row["portal"] == {"key": "so-a", "name": "Sở Nội vụ tỉnh A"}
    assert row["urls"] == ["http://so/z", "http://xa/a"]
    assert row["images"] == [{"src": "http://so/img.jpg", "caption": "Hội nghị"}]
    assert row["attachments"] == [{"url": "http://so/qd.pdf", "title": "Quyết định"}]
    # layout_paths: where the fields sat, learned per portal (storage/layouts.py), not kept per article
    expected = {k: v for k, v in full.to_dict().items()
                if k not in ("url", "canonical_url", "published", "updated", "layout_paths")}
    assert {k: row[k] for k in expected} == expected
    assert row["first_seen"].endswith("+07:00") and row["content_hash"] == content_hash("full")
    assert rows[3]["published"] is None


# --------------------------------------------------------------------------- concurrency


def _store_in_thread(database: Database, portal: str, url: str, article, results: dict, key):
    try:
        results[key] = store(database, portal, url, article, seen_at=T0 + MIN)
    except Exception as exc:  # reported by the test
        results[key] = exc


@pytest.mark.parametrize("same_url", [False, True], ids=["two-urls", "same-url"])
def test_concurrent_insert_waits_and_becomes_duplicate(
    db: Database, same_url: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """Transaction B stores content A has inserted but not committed: one Article at the end.

    PostgreSQL: B's INSERT waits on the unique index, fails once A commits, and the SAVEPOINT
    path re-reads the row. SQLite: B waits for A's write lock (BEGIN IMMEDIATE), then reads it.
    """
    caplog.set_level(logging.DEBUG, logger="storage.repository")
    art = make_article("race", published=T0)
    results: dict = {}
    with db.session() as sa:
        sa.begin()
        first = store_article(sa, portal_key="so-a", url="http://so/r", article=art, seen_at=T0,
                              run_id=None)
        url_b = "http://so/r" if same_url else "http://tinh/r"
        other = threading.Thread(
            target=_store_in_thread, args=(db, "tinh-a", url_b, art, results, "b")
        )
        other.start()
        other.join(0.5)
        assert other.is_alive(), "B should wait for A (unique index / write lock)"
        sa.commit()
    other.join(30)
    out = results["b"]
    assert not isinstance(out, Exception), out
    assert out.article_id == first.article_id
    assert out.kind == ("seen" if same_url else "duplicate")
    assert count(db, Article) == 1
    if not same_url:  # tinh beats so on the same date
        assert article_row(db, "race").canonical_url == "http://tinh/r"
    if db.engine.dialect.name == "postgresql":
        assert "inserted concurrently" in caplog.text


def test_many_threads_same_content(db: Database) -> None:
    portals = [p.key for p in PORTALS]
    for round_ in range(3):
        art = make_article(f"many{round_}", published=T0)
        barrier = threading.Barrier(len(portals))
        results: dict = {}

        def work(portal: str) -> None:
            barrier.wait()
            _store_in_thread(db, portal, f"http://{portal}/{round_}", art, results, portal)

        threads = [threading.Thread(target=work, args=(p,)) for p in portals]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        errors = [r for r in results.values() if isinstance(r, Exception)]
        assert not errors, errors
        assert sorted(r.kind for r in results.values()) == ["duplicate"] * 4 + ["new"]
        assert len({r.article_id for r in results.values()}) == 1
        row = article_row(db, f"many{round_}")
        assert row.portal.key == "tinh-a"  # the highest level wins whatever the arrival order
        assert len(urls_of(db, row.id)) == len(portals)
    assert count(db, Article) == 3


def test_concurrent_postgres_two_connections(pg_db: Database) -> None:
    """Two independent engines (as two processes would have) storing the same content at once."""
    other_db = Database(pg_db.url.render_as_string(hide_password=False))
    try:
        art = make_article("proc", published=T0)
        barrier = threading.Barrier(2)
        results: dict = {}

        def work(database: Database, portal: str) -> None:
            barrier.wait()
            _store_in_thread(database, portal, f"http://{portal}/p", art, results, portal)

        threads = [threading.Thread(target=work, args=(d, p))
                   for d, p in ((pg_db, "so-a"), (other_db, "huyen-a"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(r.kind for r in results.values()) == ["duplicate", "new"]
        assert count(pg_db, Article) == 1
        assert article_row(pg_db, "proc").portal.key == "so-a"
    finally:
        other_db.dispose()
