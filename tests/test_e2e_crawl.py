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

    # every story is one cluster holding every copy's URLs; edited copies (a paragraph cut or
    # added by the second portal) are articles of their own inside it; near misses stay apart
    cluster_of = {a.id: a.cluster_id for a in articles}
    assert None not in cluster_of.values()
    story_of_article: dict[int, str] = {}
    missing, split = [], []
    for story in replica.truth:
        found = set()
        for copy in story.copies:
            for url in copy.urls:
                canonical = canonicalize(url, host_map=host_map)
                if canonical not in article_of_url:
                    missing.append(canonical)
                    continue
                story_of_article[article_of_url[canonical]] = story.story_id
                found.add(cluster_of[article_of_url[canonical]])
        if len(found) > 1:
            split.append((story.story_id, found))
    assert not missing, f"{len(missing)} truth URLs not stored, e.g. {missing[:5]}"
    assert not split, f"stories split over several clusters: {split[:5]}"
    stories_in_cluster: dict[int, set[str]] = defaultdict(set)
    for article_id, story_id in story_of_article.items():
        stories_in_cluster[cluster_of[article_id]].add(story_id)
    merged = [c for c, stories in stories_in_cluster.items() if len(stories) > 1]
    assert not merged, f"different stories merged: {[stories_in_cluster[c] for c in merged[:5]]}"
    assert len(set(cluster_of.values())) == len(replica.truth)
    hard = replica.hard_cases()
    assert hard["edited_copies"] and hard["near_misses"]  # the hard cases are in this replica
    assert len(articles) > len(replica.truth)  # edited copies are kept, each with its own text
    assert not [f for f in failures if f.kind == "extraction"], [f.reason for f in failures][:5]

    # the export: one record per story, the canonical copy with every copy and every URL
    exported = run_govcrawl("export", "--db", db_url)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == len(replica.truth)
    for record in records:
        members = [a for a, c in cluster_of.items() if c == record["cluster_id"]]
        assert set(record["urls"]) == set().union(*(urls_by_article[a] for a in members))
        assert {c["article_id"] for c in record["copies"]} == set(members)
        assert record["copies"][0]["article_id"] == record["id"]
        assert record["portal"]["key"].startswith("replica-")
    assert all(r["published"] is None or r["published"].endswith("+07:00") for r in records)
    syndicated = [r for r in records if len(r["copies"]) > 1]
    assert len(syndicated) == len(hard["syndicated"])
    for record in syndicated:  # the canonical copy is the earliest published
        dates = [c["published"] for c in record["copies"] if c["published"]]
        assert record["published"] == min(dates)

    # the second crawl adds nothing
    second = run_govcrawl("crawl", *keys, "--db", db_url, *FAST_CRAWL)
    assert second.returncode == 0, second.stdout + second.stderr
    with db.session() as session:
        assert len(session.scalars(select(Article)).all()) == len(articles)
    assert " 0 new /" in second.stdout
    db.dispose()
