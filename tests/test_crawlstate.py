"""The crawl state (storage/crawlstate.py) on both backends: schedule, frontier, walks."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from storage import Database, crawlstate
from storage.models import FrontierEntry, PageState, Portal
from storage_fixtures import db, db_url  # noqa: F401  (fixtures)

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def test_recent_articles_are_revalidated_often_old_ones_rarely():
    assert crawlstate.next_check(T0, T0 - timedelta(hours=3), T0) == T0 + timedelta(hours=12)
    assert crawlstate.next_check(T0, T0 - 5 * DAY, T0) == T0 + 2 * DAY
    assert crawlstate.next_check(T0, T0 - 20 * DAY, T0) == T0 + 7 * DAY
    assert crawlstate.next_check(T0, T0 - 200 * DAY, T0) == T0 + 30 * DAY
    assert crawlstate.next_check(T0, T0 - 900 * DAY, T0) == T0 + 90 * DAY
    # undated: the age is the time since first fetched
    assert crawlstate.next_check(T0, None, T0 - 400 * DAY) == T0 + 90 * DAY


def _portal_id(db: Database, key: str) -> int:
    with db.session() as s:
        return s.scalar(select(Portal.id).where(Portal.key == key))


def test_a_walk_completes_when_its_frontier_is_empty(db: Database):
    pid = _portal_id(db, "so-a")
    with db.session() as s, s.begin():
        start = crawlstate.portal_start(s, "so-a", T0, revalidate_limit=10)
        assert not start.walk_completed and not start.known and not start.pending
        crawlstate.record_listing(s, pid, "http://so/tin-tuc", "listing", T0, 200,
                                  [("http://so/a-1", "article", "new"), ("http://so/tin-tuc?page=2", "listing", "new")],
                                  lastmods=[("http://so/a-1", "2026-11-19")])
    with db.session() as s, s.begin():  # interrupted here: the next run resumes the walk
        start = crawlstate.portal_start(s, "so-a", T0 + DAY, revalidate_limit=10)
        assert not start.walk_completed and start.walked == {"http://so/tin-tuc"}
        assert sorted(start.pending) == [("http://so/a-1", "article", "new"),
                                         ("http://so/tin-tuc?page=2", "listing", "new")]
        assert not crawlstate.finish_walk(s, "so-a", T0 + DAY, T0 + DAY)  # two URLs still to do
        crawlstate.record_listing(s, pid, "http://so/tin-tuc?page=2", "listing", T0 + DAY, 200, [])
        crawlstate.record_fetch(s, pid, ["http://so/a-1"], T0 + DAY, status=200, etag='"x"', last_modified=None,
                                body_hash="b" * 64, content_hash="c" * 64, published=T0 - 3 * DAY)
        assert crawlstate.finish_walk(s, "so-a", T0 + DAY, T0 + DAY)
    with db.session() as s, s.begin():
        start = crawlstate.portal_start(s, "so-a", T0 + 2 * DAY, revalidate_limit=10)
        assert start.walk_completed and not start.pending and not start.walked
        assert start.known == {"http://so/a-1": "2026-11-19"}  # the lastmod, carried from the frontier
        state = s.scalar(select(PageState).where(PageState.url == "http://so/a-1"))
        assert state.etag == '"x"' and state.next_check == T0 + DAY + 2 * DAY
        assert [v.url for v in start.due] == []  # not due yet
    with db.session() as s, s.begin():
        start = crawlstate.portal_start(s, "so-a", T0 + 4 * DAY, revalidate_limit=10)
        assert [(v.url, v.etag) for v in start.due] == [("http://so/a-1", '"x"')]


def test_a_304_keeps_the_body_hash_and_stale_frontier_entries_are_dropped(db: Database):
    pid = _portal_id(db, "so-a")
    with db.session() as s, s.begin():
        crawlstate.portal_start(s, "so-a", T0, revalidate_limit=0)
        crawlstate.record_fetch(s, pid, ["http://so/a-2"], T0, status=200, etag=None, last_modified="Wed, x",
                                body_hash="b" * 64, content_hash="c" * 64)
        crawlstate.record_fetch(s, pid, ["http://so/a-2"], T0 + DAY, status=304, etag=None, last_modified=None,
                                body_hash=None)
        assert crawlstate.stored_body_hash(s, "http://so/a-2") == "b" * 64
        state = s.scalar(select(PageState).where(PageState.url == "http://so/a-2"))
        assert state.status == 304 and state.last_modified == "Wed, x" and state.last_changed == T0
        # queued again by a listing although already stored (a crash between the two): dropped
        crawlstate.queue(s, pid, [("http://so/a-2", "article", "new")], T0 + DAY)
    with db.session() as s, s.begin():
        start = crawlstate.portal_start(s, "so-a", T0 + 2 * DAY, revalidate_limit=0)
        assert start.pending == [] and s.scalar(select(FrontierEntry.url)) is None
        crawlstate.queue(s, pid, [("http://so/gone", "article", "new")], T0)
        crawlstate.forget(s, "http://so/gone")
        assert s.scalar(select(FrontierEntry.url)) is None


def test_a_lastmod_named_while_its_page_was_in_flight_is_noted_when_the_run_closes(db: Database):
    from crawler.state import CrawlState

    pid = _portal_id(db, "so-a")
    state = CrawlState(db, revalidate_limit=0, overlap=1)
    state.open(["so-a"])
    # the sitemap names a-3, already requested from a listing, whose page no worker has stored yet
    state.listing_done("so-a", "http://so/sitemap.xml", "sitemap", 200, [], etag=None, last_modified=None,
                       lastmods=[("http://so/a-3", "2026-11-19")])
    with db.session() as s, s.begin():  # the worker stores the page, linking a-3 (fetched) and a-4 (not)
        crawlstate.queue_links(s, pid, ["http://so/a-3", "http://so/a-4"], T0)
        crawlstate.record_fetch(s, pid, ["http://so/a-3"], T0, status=200, etag=None, last_modified=None,
                                body_hash="b" * 64, content_hash="c" * 64)
        crawlstate.queue_links(s, pid, ["http://so/a-3"], T0)  # linked again by a later page
        assert s.scalars(select(FrontierEntry.url)).all() == ["http://so/a-4"]
        assert s.scalar(select(PageState.listed_lastmod).where(PageState.url == "http://so/a-3")) is None
    state.note_late_lastmods()
    state.finish([])
    state.close()
    with db.session() as s:
        assert s.scalar(select(PageState.listed_lastmod).where(PageState.url == "http://so/a-3")) == "2026-11-19"


def test_a_queued_url_failing_run_after_run_is_given_up(db: Database):
    pid = _portal_id(db, "so-a")
    with db.session() as s, s.begin():
        crawlstate.queue(s, pid, [("http://so/a-1", "article", "new")], T0)
        assert crawlstate.note_transient_failure(s, "http://so/not-queued", give_up_after=2) is None
        assert crawlstate.note_transient_failure(s, "http://so/a-1", give_up_after=2) == 1
        crawlstate.queue(s, pid, [("http://so/a-1", "article", "new")], T0 + DAY)  # found again: count kept
        assert s.get(FrontierEntry, "http://so/a-1").failed_runs == 1
        assert crawlstate.note_transient_failure(s, "http://so/a-1", give_up_after=2) == 2
    with db.session() as s:
        assert s.get(FrontierEntry, "http://so/a-1") is None


def test_a_listing_recorded_after_its_article_was_stored_does_not_queue_it_again(db: Database):
    """The crawl process records listings on a thread of its own, so a page worker may store an
    article before the listing that linked it is recorded: the article must not be queued again
    (its entry would never leave the frontier and the walk would never complete). An article
    due for revalidation is still queued."""
    pid = _portal_id(db, "so-a")
    with db.session() as s, s.begin():
        crawlstate.portal_start(s, "so-a", T0, revalidate_limit=0)
        crawlstate.record_fetch(s, pid, ["http://so/a-1"], T0, status=200, etag=None, last_modified=None,
                                body_hash="b" * 64, content_hash="c" * 64)
        crawlstate.record_listing(s, pid, "http://so/tin-tuc", "listing", T0, 200,
                                  [("http://so/a-1", "article", "new"), ("http://so/a-2", "article", "new")])
        assert s.scalars(select(FrontierEntry.url)).all() == ["http://so/a-2"]
        crawlstate.record_fetch(s, pid, ["http://so/a-2"], T0, status=200, etag=None, last_modified=None,
                                body_hash="d" * 64, content_hash="e" * 64)
        assert crawlstate.finish_walk(s, "so-a", T0, T0)
        crawlstate.record_listing(s, pid, "http://so/sitemap.xml", "sitemap", T0 + DAY, 200,
                                  [("http://so/a-1", "article", "revalidate")])
        assert s.scalars(select(FrontierEntry.url)).all() == ["http://so/a-1"]
