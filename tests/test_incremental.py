"""Nightly runs against the replica: the second run fetches what is new or changed, stores every
new story and every edit (as a version), and extracts nothing that did not change; pages due for
revalidation cost a conditional GET, and a 304 (or the same bytes) costs no extraction."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from crawler.registry import load_registry
from crawler.urls import canonicalize
from portalsim import ReplicaServer, build_replica
from storage import Database
from storage.models import Article, ArticleUrl, CrawlRun, PageState, Portal
from tests.conftest import FAST_CRAWL, run_govcrawl

pytestmark = pytest.mark.e2e

STORIES, NEW, EDITED = 200, 12, 6


def _keys() -> list[str]:
    return [p.key for p in load_registry() if p.replica]


def _crawl(db_url: str) -> dict:
    done = run_govcrawl("crawl", *_keys(), "--db", db_url, "--json", *FAST_CRAWL)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _total(report: dict, name: str) -> int:
    return sum(p[name] for p in report["portals"])


def _canonical(url: str) -> str:
    host_map = {h: p.hosts[0].lower() for p in load_registry() if p.replica for h in p.all_hosts}
    return canonicalize(url, host_map=host_map, scheme="http")


@pytest.fixture(scope="module")
def nightly(tmp_path_factory):
    """Day one crawled, then the next day (new and edited stories) crawled: the database URL and
    both reports."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('nightly') / 'govcrawl.sqlite'}"
    with ReplicaServer(build_replica(seed=3, articles=STORIES)):
        first = _crawl(db_url)
    next_day = build_replica(seed=3, articles=STORIES, new=NEW, edited=EDITED)
    with ReplicaServer(next_day):
        second = _crawl(db_url)
    return db_url, first, second, next_day


def test_second_run_stores_every_new_story_and_every_edit(nightly):
    db_url, first, second, next_day = nightly
    changes = next_day.changes()
    db = Database(db_url)
    with db.session() as s:
        stored = set(s.scalars(select(ArticleUrl.url)))
        versions = s.scalars(select(Article).where(Article.previous_version_id.is_not(None))).all()
        version_urls = {u.url for a in versions for u in a.urls}
    db.dispose()
    for story in changes.new:
        for copy in story.copies:
            assert any(_canonical(u) in stored for u in copy.urls), copy.urls[0]
    assert len(versions) == EDITED == _total(second, "articles_version")
    for story in changes.edited:
        edited = [c for c in story.copies if c.modified]
        assert any(_canonical(u) in version_urls for c in edited for u in c.urls), edited[0].urls[0]
    assert _total(second, "articles_new") >= len(changes.new)


def test_second_run_fetches_only_what_changed_and_extracts_nothing_unchanged(nightly):
    db_url, first, second, next_day = nightly
    changes = next_day.changes()
    assert _total(second, "articles_seen") == 0  # no page extracted again for the same content
    db = Database(db_url)
    with db.session() as s:
        run = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        # every article URL the run fetched (or recorded through a fetched page's rel=canonical)
        touched = s.scalars(select(PageState.url).where(PageState.kind == "article",
                                                        PageState.last_fetched >= run.started_at)).all()
    db.dispose()
    copies = sum(len(story.copies) for story in changes.new) + len(changes.edited)
    assert len(touched) <= 1.5 * copies, (len(touched), copies)
    # the listing walk stopped at known articles: far fewer pages than the first run read
    assert _total(second, "pages_fetched") < _total(first, "pages_fetched") / 5


def test_due_pages_are_revalidated_and_unchanged_ones_not_extracted(nightly):
    db_url, first, second, next_day = nightly
    db = Database(db_url)
    with db.session() as s, s.begin():
        drupal = s.scalar(select(Portal.id).where(Portal.key == "replica-drupal"))
        due = s.scalars(select(PageState.url).where(PageState.portal_id == drupal, PageState.kind == "article")
                        .limit(5)).all()
        past = datetime.now(timezone.utc) - timedelta(minutes=1)
        s.execute(update(PageState).where(PageState.url.in_(due)).values(next_check=past))
    with ReplicaServer(next_day):
        third = _crawl(db_url)
    portals = {p["portal"]: p for p in third["portals"]}
    assert portals["replica-drupal"]["not_modified"] >= len(due)  # Drupal sends ETags: 304s (its feed too)
    assert _total(third, "articles_new") == _total(third, "articles_seen") == _total(third, "articles_version") == 0
    with db.session() as s:
        rechecked = s.scalars(select(PageState).where(PageState.url.in_(due))).all()
    db.dispose()
    assert all(state.status == 304 and state.next_check > past + timedelta(hours=1) for state in rechecked)
