"""End to end: crawl the replica portals over real HTTP and compare the database with ground truth."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
from sqlalchemy import select

from crawler.registry import load_registry
from crawler.urls import canonicalize
from portalsim import ReplicaServer, build_replica
from storage import Database
from storage.models import Article, ArticleUrl, Failure
from tests.conftest import FAST_CRAWL, run_govcrawl

pytestmark = pytest.mark.e2e

STORIES = 210  # the issue asks for >= 200 articles over every family


@pytest.fixture(scope="module")
def replica():
    return build_replica(seed=11, articles=STORIES)


@pytest.fixture(scope="module")
def served(replica):
    with ReplicaServer(replica) as server:
        yield server


def _replica_keys() -> list[str]:
    return [p.key for p in load_registry() if p.replica]


def _host_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for p in load_registry():
        if p.replica:
            mapping.update(p.host_map)
    return mapping


def test_every_replica_start_point_is_served(replica):
    from urllib.parse import urlsplit

    for portal in load_registry().replicas():
        for point in portal.start_points:
            parts = urlsplit(point.url)
            status, _, _ = replica.render(parts.netloc, parts.path + (f"?{parts.query}" if parts.query else ""))
            assert status == 200, point.url


def test_crawl_stores_every_story_once_with_all_urls(replica, served, db_url):
    keys = _replica_keys()
    assert {p.key for p in replica.portals} == set(keys)
    first = run_govcrawl("crawl", *keys, "--db", db_url, *FAST_CRAWL)
    assert first.returncode == 0, first.stdout + first.stderr

    db = Database(db_url)
    host_map = _host_map()
    with db.session() as session:
        articles = session.scalars(select(Article)).all()
        urls_by_article: dict[int, set[str]] = defaultdict(set)
        article_of_url: dict[str, int] = {}
        for row in session.scalars(select(ArticleUrl)):
            urls_by_article[row.article_id].add(row.url)
            article_of_url[row.url] = row.article_id
        failures = session.scalars(select(Failure)).all()

    # 0 non-article pages stored
    negatives = {canonicalize(u, host_map=host_map) for u in replica.non_article_urls}
    assert not negatives & set(article_of_url), "listing/search/login pages were stored as articles"

    # every story stored exactly once; every copy's URLs recorded against that one article
    missing, split = [], []
    for story in replica.truth:
        ids = set()
        for copy in story.copies:
            for url in copy.urls:
                canonical = canonicalize(url, host_map=host_map)
                if canonical not in article_of_url:
                    missing.append(canonical)
                else:
                    ids.add(article_of_url[canonical])
        if len(ids) > 1:
            split.append((story.story_id, ids))
    assert not missing, f"{len(missing)} truth URLs not stored, e.g. {missing[:5]}"
    assert not split, f"stories stored as several articles: {split[:5]}"
    assert len(articles) == len(replica.truth)
    assert not [f for f in failures if f.kind == "extraction"], [f.reason for f in failures][:5]

    # the export carries every canonical article with its portal and all its URLs
    exported = run_govcrawl("export", "--db", db_url)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == len(replica.truth)
    by_id = {r["id"]: r for r in records}
    for article_id, urls in urls_by_article.items():
        assert set(by_id[article_id]["urls"]) == urls
        assert by_id[article_id]["portal"]["key"].startswith("replica-")
    assert all(r["published"] is None or r["published"].endswith("+07:00") for r in records)

    # the second crawl adds nothing
    second = run_govcrawl("crawl", *keys, "--db", db_url, *FAST_CRAWL)
    assert second.returncode == 0, second.stdout + second.stderr
    with db.session() as session:
        assert len(session.scalars(select(Article)).all()) == len(replica.truth)
    assert " 0 new /" in second.stdout
    db.dispose()
