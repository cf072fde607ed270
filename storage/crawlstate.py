"""Crawl state in the database: what each fetched URL looked like, what is left to fetch, walks.

A run reads it at the start (`portal_start`: the portal's known article URLs, the listing pages
its unfinished walk already read, the frontier an interrupted run left, the pages due for a
revalidation) and writes it as pages are done, each page in the same transaction as what it
produced: the article and its page state (`record_fetch`, in the page worker), or a listing's
state and the URLs it discovered (`record_listing`, in the crawl process). A hard kill therefore
loses at most pages in flight, which the frontier still names; nothing is stored twice, because
storing is idempotent. Never commits.

Walks: until a portal's listings and sitemaps have all been read once (a completed walk), a run
reads every listing page, skipping those its interrupted predecessors already read in the same
walk; afterwards runs are incremental and stop paging at known articles.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from storage.captures import WARC_COLUMNS, warc_columns
from storage.db import dialect_insert
from storage.models import FrontierEntry, PageState, UrlPattern
from storage.repository import page_time, portal_by_key
from storage.templates import rebuild_template_counts

# Revalidation schedule: (age below, look again after). Age is the time since publication (or
# since first fetched, for an undated page): recent articles get corrected often, old ones rarely.
REVALIDATE_AFTER = (
    (timedelta(days=2), timedelta(hours=12)),
    (timedelta(days=7), timedelta(days=2)),
    (timedelta(days=30), timedelta(days=7)),
    (timedelta(days=365), timedelta(days=30)),
)
REVALIDATE_OLD = timedelta(days=90)


def next_check(fetched_at: datetime, published: datetime | None, first_fetched: datetime) -> datetime:
    """When an article page fetched at `fetched_at` is due for a conditional GET."""
    age = fetched_at - (published or first_fetched)
    interval = next((after for below, after in REVALIDATE_AFTER if age < below), REVALIDATE_OLD)
    return fetched_at + interval


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET of a known page sends."""

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(slots=True)
class PortalStart:
    """A portal's crawl state as a run starts."""

    portal_id: int
    walk_completed: bool            # incremental run: stop paging at known articles
    known: dict[str, str | None] = field(default_factory=dict)   # article URL -> its sitemap <lastmod>
    walked: set[str] = field(default_factory=set)   # listings read in this (unfinished) walk
    pending: list[tuple[str, str, str]] = field(default_factory=list)  # frontier: url, kind, reason
    due: list[Validators] = field(default_factory=list)
    # listing/sitemap/feed pages: their validators (conditional GET) and <lastmod> (sitemaps)
    pages: dict[str, tuple[Validators, str | None]] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)  # article candidates whose content was no article
    # learned article-URL templates: template -> (confirmed, refused) (crawler/urlpatterns.py)
    patterns: dict[str, tuple[int, int]] = field(default_factory=dict)


def portal_start(session: Session, key: str, now: datetime, revalidate_limit: int) -> PortalStart:
    """Read the portal's crawl state and begin a walk if none is under way."""
    portal = portal_by_key(session, key)
    completed = portal.walk_completed_at is not None and (
        portal.walk_started_at is None or portal.walk_completed_at >= portal.walk_started_at)
    if not completed and portal.walk_started_at is None:
        portal.walk_started_at = now
    start = PortalStart(portal.id, completed)
    for url, fetched, kind, lastmod, etag, modified in session.execute(
            select(PageState.url, PageState.last_fetched, PageState.kind, PageState.listed_lastmod, PageState.etag,
                   PageState.last_modified).where(PageState.portal_id == portal.id)):
        if kind == "article":
            start.known[url] = lastmod
            continue
        if kind == "refused":
            start.refused.add(url)
        start.pages[url] = (Validators(url, etag, modified), lastmod)
        if not completed and portal.walk_started_at is not None and fetched >= portal.walk_started_at:
            start.walked.add(url)
    # An article queued again after it was stored (by a page read in the same run, or through
    # another of its URLs) is done already: its entry is dropped.
    stale = []
    for url, kind, reason, discovered in session.execute(
            select(FrontierEntry.url, FrontierEntry.kind, FrontierEntry.reason, FrontierEntry.discovered_at)
            .where(FrontierEntry.portal_id == portal.id).order_by(FrontierEntry.discovered_at, FrontierEntry.url)):
        if kind == "article" and reason != "revalidate" and url in start.known:
            stale.append(url)
        else:
            start.pending.append((url, kind, reason))
    if stale:
        session.execute(delete(FrontierEntry).where(FrontierEntry.url.in_(stale)))
    start.patterns = url_patterns(session, portal.id)
    queued = {url for url, _, _ in start.pending}
    if revalidate_limit > 0:
        for url, etag, modified in session.execute(
                select(PageState.url, PageState.etag, PageState.last_modified)
                .where(PageState.portal_id == portal.id, PageState.kind == "article", PageState.next_check <= now)
                .order_by(PageState.next_check).limit(revalidate_limit)):
            if url not in queued:
                start.due.append(Validators(url, etag, modified))
    return start


def validators(session: Session, url: str) -> Validators | None:
    row = session.execute(select(PageState.etag, PageState.last_modified).where(PageState.url == url)).first()
    return Validators(url, row.etag, row.last_modified) if row else None


_BUILT: dict[tuple[str, str], Any] = {}  # (dialect, name) -> statement: built once per process


def _built(session: Session, name: str, build: Callable[[Any], Any]) -> Any:
    """A statement that needs the dialect's own INSERT (ON CONFLICT), built once: every fetched
    page runs these."""
    key = (session.get_bind().dialect.name, name)
    if key not in _BUILT:
        _BUILT[key] = build(dialect_insert(session))
    return _BUILT[key]


def queue(session: Session, portal_id: int, entries: Iterable[tuple[str, str, str]], now: datetime) -> None:
    """Add (url, kind, reason) entries to the frontier; ones already there are left as they are."""
    rows = [{"url": url, "portal_id": portal_id, "kind": kind, "reason": reason, "discovered_at": now,
             "lastmod": None} for url, kind, reason in entries]
    if rows:
        session.connection().execute(_built(session, "queue", lambda insert: insert(FrontierEntry.__table__)
                                            .on_conflict_do_nothing(index_elements=["url"])), rows)


_NOTE_STATE = update(PageState).where(PageState.url == bindparam("u")).values(listed_lastmod=bindparam("lm"))
_NOTE_FRONTIER = update(FrontierEntry).where(FrontierEntry.url == bindparam("u")).values(lastmod=bindparam("lm"))


def note_lastmods(session: Session, entries: Sequence[tuple[str, str]]) -> None:
    """A sitemap gave these (url, lastmod): kept on the page state, or on the frontier entry
    until the page is fetched, so the next run revalidates exactly the pages whose lastmod moved
    (the portal's own clock against itself: no comparison with ours)."""
    if entries:
        rows = [{"u": url, "lm": lastmod} for url, lastmod in entries]
        conn = session.connection()
        conn.execute(_NOTE_STATE, rows)
        conn.execute(_NOTE_FRONTIER, rows)


def record_listing(session: Session, portal_id: int, url: str, kind: str, fetched_at: datetime, status: int,
                   discovered: Sequence[tuple[str, str, str]], *, etag: str | None = None,
                   last_modified: str | None = None, lastmods: Sequence[tuple[str, str]] = (),
                   warc: Sequence[Any] | None = None) -> None:
    """A listing, sitemap or feed page was read (or answered 304): its state, the URLs it
    discovered and the <lastmod>s it gave, done. `warc`: the WARC record of its bytes
    (storage/captures.py; None keeps the stored one)."""
    # An article stored already (by a page worker, before this transaction) is not queued again:
    # its entry would never leave the frontier, and the portal's walk would never complete.
    fetched = _fetched(session, [url for url, kind, reason in discovered if kind == "article" and reason == "new"])
    queue(session, portal_id, [entry for entry in discovered if entry[0] not in fetched], fetched_at)
    note_lastmods(session, lastmods)
    _write(session, portal_id, [url], kind, fetched_at, status, etag, last_modified, warc=warc)
    session.connection().execute(_DONE, {"urls": [url]})


_DONE = delete(FrontierEntry).where(FrontierEntry.url.in_(bindparam("urls", expanding=True)))
_DONE_RETURNING_LASTMOD = delete(FrontierEntry).where(FrontierEntry.url.in_(bindparam("urls", expanding=True))) \
    .returning(FrontierEntry.url, FrontierEntry.lastmod)
_BODY_HASH_OF = select(PageState.body_hash).where(PageState.url == bindparam("url"))
_FETCHED = select(PageState.url).where(PageState.url.in_(bindparam("urls", expanding=True)))


def stored_body_hash(session: Session, url: str) -> str | None:
    """The SHA-256 of the body last fetched at `url` (None: never fetched, or not kept)."""
    return session.connection().scalar(_BODY_HASH_OF, {"url": url})


def queue_links(session: Session, portal_id: int, urls: Sequence[str], now: datetime) -> None:
    """Article links found on an article page, queued in that page's transaction; those fetched
    already (by another worker, before this page's transaction) are not queued again."""
    if urls:
        fetched = _fetched(session, urls)
        queue(session, portal_id, [(url, "article", "new") for url in urls if url not in fetched], now)


def _fetched(session: Session, urls: Sequence[str]) -> set[str]:
    """Those of `urls` that have a page state (a sitemap lists up to 50,000: asked in chunks, as
    SQLite takes at most 32,766 parameters)."""
    found: set[str] = set()
    for at in range(0, len(urls), 5000):
        found.update(session.connection().execute(_FETCHED, {"urls": list(urls[at:at + 5000])}).scalars())
    return found


def record_fetch(session: Session, portal_id: int, urls: Sequence[str], fetched_at: datetime, *, status: int,
                 etag: str | None, last_modified: str | None, body_hash: str | None,
                 content_hash: str | None = None, published: datetime | None = None, kind: str = "article",
                 warc: Sequence[Any] | None = None) -> None:
    """An article page was fetched (or answered 304: `body_hash` None keeps the stored one) and
    handled: its state at every URL it answers to, and those URLs leave the frontier. A naive
    `published` is Vietnam time, as everywhere in storage. `kind` "refused": an article
    candidate whose content said it was no article (not revalidated as one). `warc`: the WARC
    record of the bytes (storage/captures.py; None keeps the stored one, as for a 304)."""
    # out of the frontier, with the sitemap <lastmod> noted on the entry (one statement)
    listed = dict(session.connection().execute(_DONE_RETURNING_LASTMOD, {"urls": list(urls)}).all())
    _write(session, portal_id, urls, kind, fetched_at, status, etag, last_modified, body_hash,
           content_hash, page_time(published), listed, warc)


_STATE_COLUMNS = ("portal_id", "kind", "first_fetched", "last_fetched", "last_changed", "status", "etag",
                  "last_modified", "body_hash", "content_hash", "published", "next_check", "listed_lastmod",
                  *WARC_COLUMNS)
_EXISTING = select(PageState.url, PageState.first_fetched, PageState.last_changed, PageState.etag,
                   PageState.last_modified, PageState.body_hash, PageState.content_hash, PageState.published,
                   PageState.listed_lastmod, *(getattr(PageState, column) for column in WARC_COLUMNS)
                   ).where(PageState.url.in_(bindparam("urls", expanding=True)))


def _upsert_states(insert: Any) -> Any:
    """INSERT ... ON CONFLICT (url) DO UPDATE of every column: the row is merged in Python from
    the one read first, so one statement serves new and known URLs on both backends (two
    workers may record the same URL at once on PostgreSQL)."""
    statement = insert(PageState.__table__)
    return statement.on_conflict_do_update(
        index_elements=["url"], set_={column: statement.excluded[column] for column in _STATE_COLUMNS})


def _given_or_stored(value: Any, old: Any, column: str) -> Any:
    """`value`, or when none is given the stored row's (None for a URL never recorded)."""
    return value if value is not None or old is None else getattr(old, column)


def _write(session: Session, portal_id: int, urls: Sequence[str], kind: str, fetched_at: datetime, status: int,
           etag: str | None, last_modified: str | None, body_hash: str | None = None,
           content_hash: str | None = None, published: datetime | None = None,
           listed: dict[str, str | None] | None = None, warc: Sequence[Any] | None = None) -> None:
    """The page's state at each of `urls`, merged with what is stored: a 304 keeps the stored
    validators and body hash, and a value not given keeps the stored one (the WARC reference
    too: all five columns or none)."""
    conn = session.connection()  # Core: every fetched page runs this
    existing = {row.url: row for row in conn.execute(_EXISTING, {"urls": list(urls)})}
    full_response = status != 304 or etag is not None or last_modified is not None
    given_warc = warc_columns(warc)
    rows = []
    for url in urls:
        old = existing.get(url)
        first = old.first_fetched if old else fetched_at
        page_published = _given_or_stored(published, old, "published")
        changed = body_hash is not None and (old is None or old.body_hash != body_hash)
        rows.append({
            "url": url, "portal_id": portal_id, "kind": kind, "first_fetched": first, "last_fetched": fetched_at,
            "last_changed": fetched_at if changed or old is None else old.last_changed,
            "status": status,
            "etag": etag if full_response or old is None else old.etag,
            "last_modified": last_modified if full_response or old is None else old.last_modified,
            "body_hash": _given_or_stored(body_hash, old, "body_hash"),
            "content_hash": _given_or_stored(content_hash, old, "content_hash"),
            "published": page_published,
            "next_check": next_check(fetched_at, page_published, first) if kind == "article" else None,
            "listed_lastmod": _given_or_stored((listed or {}).get(url), old, "listed_lastmod"),
            **(given_warc or {column: getattr(old, column) if old else None for column in WARC_COLUMNS}),
        })
    conn.execute(_built(session, "upsert_states", _upsert_states), rows)


def forget(session: Session, url: str) -> None:
    session.connection().execute(_DONE, {"urls": [url]})


_FAILED_AGAIN = update(FrontierEntry).where(FrontierEntry.url == bindparam("failed_url")) \
    .values(failed_runs=FrontierEntry.failed_runs + 1).returning(FrontierEntry.failed_runs)


def note_transient_failure(session: Session, url: str, give_up_after: int) -> int | None:
    """A queued URL failed transiently again in a run (5xx, timeout, DNS: it stays queued for the next).
    Returns the runs in a row it has failed in (None: not queued); at `give_up_after` it leaves
    the frontier: a URL that never answers must not keep its portal's walk from completing."""
    failed = session.connection().scalar(_FAILED_AGAIN, {"failed_url": url})
    if failed is not None and failed >= give_up_after:
        forget(session, url)
    return failed


def pending(session: Session, portal_id: int) -> int:
    return session.scalar(select(func.count()).select_from(FrontierEntry)
                          .where(FrontierEntry.portal_id == portal_id)) or 0


def finish_walk(session: Session, key: str, run_started_at: datetime, now: datetime) -> bool:
    """The run read the portal to the end: if its frontier is empty, its walk is complete and the
    next run is incremental from `run_started_at`. True if so.

    A first walk completing also counts the portal's template lines from what it stored
    (storage/templates.py): learned templates apply from the first incremental run on, so the
    first crawl stores the same whatever order, or how many runs, it took."""
    portal = portal_by_key(session, key)
    if pending(session, portal.id):
        return False
    first = portal.walk_completed_at is None
    portal.walk_completed_at = now
    portal.last_success_at = run_started_at
    if first:
        rebuild_template_counts(session, key)
    return True


def url_patterns(session: Session, portal_id: int) -> dict[str, tuple[int, int]]:
    """The portal's article-URL templates: template -> (pages confirmed, pages refused)."""
    return {t: (c, r) for t, c, r in session.execute(
        select(UrlPattern.template, UrlPattern.confirmed, UrlPattern.refused).where(UrlPattern.portal_id == portal_id))}


def _add_patterns(insert: Any) -> Any:
    statement = insert(UrlPattern.__table__)
    return statement.on_conflict_do_update(index_elements=["portal_id", "template"], set_={
        "confirmed": UrlPattern.__table__.c.confirmed + statement.excluded.confirmed,
        "refused": UrlPattern.__table__.c.refused + statement.excluded.refused,
        "updated_at": statement.excluded.updated_at})


def add_url_patterns(session: Session, portal_id: int, counts: dict[str, tuple[int, int]], now: datetime) -> None:
    """Add a run's (confirmed, refused) counts to the portal's templates."""
    rows = [{"portal_id": portal_id, "template": t, "confirmed": c, "refused": r, "updated_at": now}
            for t, (c, r) in counts.items()]
    if rows:
        session.connection().execute(_built(session, "add_patterns", _add_patterns), rows)
