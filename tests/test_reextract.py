"""`govcrawl reextract` (issue 17 item 3): the archive read again from its WARC captures, with the
network blocked. The same extractor changes nothing; a deliberate change of the extractor (a
wrapper that drops the last line of half the articles, or reads other titles) gives exactly the
new versions, or the metadata updates, it should; a dry run counts them and writes nothing."""
from __future__ import annotations

import dataclasses
import shutil
import socket
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from cleaning import content_hash
from crawler import processing
from crawler.reextract import reextract
from crawler.registry import load_registry
from portalsim import ReplicaServer, build_replica
from storage import Database
from storage.models import Article, ArticleUrl
from tests.conftest import FAST_CRAWL, run_govcrawl

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """A crawl of the replica with its captures: the archive every test copies."""
    root = tmp_path_factory.mktemp("reextract")
    keys = [p.key for p in load_registry() if p.replica]
    with ReplicaServer(build_replica(seed=5, articles=24)):
        done = run_govcrawl("crawl", *keys, "--db", f"sqlite:///{root / 'a.sqlite'}", *FAST_CRAWL,
                            "-s", f"GOVCRAWL_WARC_DIR={root / 'warc'}")
    assert done.returncode == 0, done.stderr[-3000:]
    return root


@pytest.fixture
def archive(crawled, tmp_path) -> tuple[Database, Path]:
    shutil.copytree(crawled, tmp_path / "copy")
    db = Database(f"sqlite:///{tmp_path / 'copy' / 'a.sqlite'}")
    yield db, tmp_path / "copy" / "warc"
    db.dispose()


@pytest.fixture
def offline(monkeypatch):
    """No connection can be opened: re-extraction reads files only."""
    def refused(*args, **kwargs):
        raise AssertionError(f"re-extraction tried the network: {args!r}")
    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket.socket, "connect_ex", refused)
    monkeypatch.setattr(socket, "create_connection", refused)


def _rows(db: Database) -> tuple[list, list]:
    engine = create_engine(db.url)
    with engine.connect() as conn:
        articles = [tuple(r) for r in conn.execute(text("SELECT * FROM articles ORDER BY id"))]
        urls = [tuple(r) for r in conn.execute(text("SELECT * FROM article_urls ORDER BY id"))]
    engine.dispose()
    return articles, urls


def _captured_urls(db: Database) -> dict[str, int]:
    with Session(db.engine) as s:
        query = select(ArticleUrl.url, ArticleUrl.article_id).where(ArticleUrl.warc_file.is_not(None))
        return {url: article_id for url, article_id in s.execute(query)}


def _url_ids(db: Database) -> dict[str, int]:
    with Session(db.engine) as s:
        return {url: i for url, i in s.execute(select(ArticleUrl.url, ArticleUrl.id))}


def _changed_extractor(monkeypatch, change) -> None:
    """The crawl's extractor, then `change` (Article -> Article or None), as version 9.9."""
    original = processing.extract_article

    def extract(*args, **kwargs):
        article = original(*args, **kwargs)
        return dataclasses.replace(change(article) or article, extractor_version="9.9")
    monkeypatch.setattr(processing, "extract_article", extract)


def _affected(article) -> bool:
    return article.content_hash[0] in "01234567" and "\n" in article.text


def test_the_same_extractor_changes_nothing(archive, offline):
    db, warc = archive
    before = _rows(db)
    result = reextract(db, warc, load_registry())
    assert result.pages == len(_captured_urls(db)) > 20 and result.unreadable == 0 and result.uncaptured == 0
    assert (result.changed, result.failed, result.unchanged) == (0, 0, result.pages), result.describe()
    assert _rows(db) == before


def test_other_text_becomes_exactly_the_expected_new_versions(archive, offline, monkeypatch):
    db, warc = archive
    with Session(db.engine) as s:
        stored = {a.id: (a.content_hash, a.text) for a in s.scalars(select(Article))}
    urls = _captured_urls(db)

    def drop_last_line(article):
        if not _affected(article):
            return None
        shorter = article.text.rsplit("\n", 1)[0]
        return dataclasses.replace(article, text=shorter, content_hash=content_hash(shorter))
    _changed_extractor(monkeypatch, drop_last_line)

    dry = reextract(db, warc, load_registry(), dry_run=True)
    before = _rows(db)
    result = reextract(db, warc, load_registry())
    assert _rows(db) != before and dry.changed == result.changed  # the dry run counted, wrote nothing

    affected = {a for a, (h, t) in stored.items() if h[0] in "01234567" and "\n" in t}
    assert affected and len(affected) < len(stored)
    # each shortened text is a new version once (at its first URL); a URL whose shortened text
    # an article holds already (stored before, or made by an earlier URL) moves to that article
    shortened = {a: stored[a][1].rsplit("\n", 1)[0] for a in affected}
    known, made, moves = {h for h, _ in stored.values()}, set(), 0
    for url in sorted(urls, key=_url_ids(db).get):
        if urls[url] in affected:
            digest = content_hash(shortened[urls[url]])
            if digest in known or digest in made:
                moves += 1
            made.add(digest)
    new_texts = made - known
    assert (result.versions, result.moved) == (len(new_texts), moves), result.describe()
    with Session(db.engine) as s:
        holder = {a.content_hash: a for a in s.scalars(select(Article))}
        for digest in new_texts:
            version = holder[digest]
            assert version.previous_version_id in affected and version.text == shortened[version.previous_version_id]
            assert version.version_note.startswith("re-extracted with 9.9")
            assert version.extractor_version == "9.9" and version.cluster_id is not None
        now = {url: article_id for url, article_id in s.execute(select(ArticleUrl.url, ArticleUrl.article_id))}
        for url, article_id in urls.items():  # every URL of an affected article names its shortened text
            wanted = holder[content_hash(shortened[article_id])].id if article_id in affected else article_id
            assert now[url] == wanted, url
    again = reextract(db, warc, load_registry())  # the new reading is stored: nothing more to do
    assert again.changed == 0, again.describe()


def test_other_metadata_updates_the_articles_in_place(archive, offline, monkeypatch):
    db, warc = archive
    count_before = len(_rows(db)[0])

    def retitle(article):
        return dataclasses.replace(article, title=f"[9.9] {article.title}") if _affected(article) else None
    _changed_extractor(monkeypatch, retitle)
    result = reextract(db, warc, load_registry())
    assert result.versions == result.moved == 0 and result.updated > 0
    assert result.fields == {"title": sum(1 for _ in _canonical_affected(db))}, result.describe()
    assert len(_rows(db)[0]) == count_before  # no new article rows
    with Session(db.engine) as s:
        for article in s.scalars(select(Article)):
            assert article.title.startswith("[9.9] ") == (article.content_hash[0] in "01234567"
                                                          and "\n" in article.text)
            assert article.extractor_version == "9.9"


def _canonical_affected(db: Database):
    with Session(db.engine) as s:
        yield from (a for a in s.scalars(select(Article)) if a.content_hash[0] in "01234567" and "\n" in a.text)


def test_the_command_reports_and_an_unreadable_capture_exits_1(archive):
    db, warc = archive
    url = db.url.render_as_string(hide_password=False)
    done = run_govcrawl("reextract", "--db", url, "--warc-dir", str(warc), "--dry-run")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "would change 0" in done.stdout and "unchanged" in done.stdout
    assert run_govcrawl("reextract", "--db", url, "--warc-dir", str(warc), "--portal", "nope").returncode == 2
    for path in warc.glob("*.warc.gz"):
        path.write_bytes(b"")  # the captures lost
    lost = run_govcrawl("reextract", "--db", url, "--warc-dir", str(warc))
    assert lost.returncode == 1 and "could not be read" in lost.stdout
