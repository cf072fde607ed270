"""Page processing beside the crawl: extraction and storage in worker processes.

Scrapy runs spiders and pipelines on one thread, so CPU-heavy work there stalls the
downloads. Each worker process extracts pages (`cleaning`, pure: bytes in, Article out) and
stores them (`storage`; on SQLite one transaction per batch of pages, else per page); the crawl's
own process keeps fetching and following links.

`GOVCRAWL_PROCESS_WORKERS`: number of worker processes; default one less than the CPU count
(at least 1, `default_workers`); 0 extracts and stores inline in the crawl process (no child
processes).

Every page ends in exactly one place: a stored (new / duplicate / seen) article, a recorded
extraction failure, or — when the database itself fails — a line in the dead-letter file
`undelivered-run<N>.jsonl` with the raw HTML (crawler/undelivered.py), so nothing is lost.
"""
from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from cleaning import Article, ExtractionError, extract_article
from cleaning.layout_learning import LayoutLearner, LearnedLayout, SavedLayout
from cleaning.templates import TemplateLearner
from crawler.attachments import attachment_url
from crawler.linkfinder import listing_links, normalize_anchor
from crawler.undelivered import page_record, write_dead_letter
from crawler.urls import canonicalize, netloc_of
from storage import Database, StorageError, crawlstate, repository
from storage.attachments import link_known
from storage.layouts import load_layout_counts, save_layout_counts
from storage.templates import add_template_counts, load_template_counts

logger = logging.getLogger(__name__)


# ExtractionError.reason of a page refused as a list of links (a home page or listing)
NOT_ARTICLE = "not_article"
# outcomes of a page whose article was extracted: its layout is counted (cleaning/layout_learning.py)
LAYOUT_OUTCOMES = frozenset({"new", "version", "duplicate", "seen"})


@dataclass(frozen=True, slots=True)
class PageJob:
    """One fetched article page and what processing needs to know of its portal."""

    portal_key: str
    family: str | None       # the family the spider settled on (registry or detected)
    date_order: str | None
    scheme: str
    host_map: dict[str, str]  # alias host -> primary host
    hosts: frozenset[str]     # hosts (primary, after host_map) owned by the portal
    url: str                  # requested (canonical)
    final_url: str            # after redirects (canonical)
    body: bytes
    encoding: str | None
    fetched_at: datetime
    portal_id: int = 0
    learn_templates: bool = True  # False during a portal's first walk (see storage/crawlstate.py)
    known: bool = True  # fetched in an earlier run (False: no stored bytes to compare with)
    status: int = 200            # 304: revalidated, unchanged (no body)
    etag: str | None = None
    last_modified: str | None = None
    # article links found on the page and fetched in this run: queued in the frontier with it, so
    # a run killed after the page is stored still leaves them for the next
    links: tuple[str, ...] = ()
    # the page's other URLs its links told without a fetch (a print version: crawler/alternates.py)
    aliases: tuple[str, ...] = ()
    # an article candidate (a link found by the listing structure, its URL shape unknown): a page
    # extraction refuses as a listing is then "refused", recorded as such, not a failure
    candidate: bool = False
    # the WARC record of the bytes (storage.captures.WarcRef), kept on the page state and the
    # article's URLs; None: not captured (WARC off), the stored reference stays
    warc: tuple[str, int, int, str, str] | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    # "new" | "version" | "duplicate" | "seen" | "not_modified" (a 304) | "unchanged" (the same
    # bytes as last time: not extracted again) | "failed" | "refused" (a candidate that is no
    # article) | "storage_error"
    outcome: str
    reason: str | None = None
    undated: bool = False  # a new article (or version) stored without a publication date
    code: str | None = None  # why extraction failed or refused: ExtractionError.reason ("not_article", ...)
    # the portal's learned layout stopped matching on this page (a redesign: relearned from
    # here), with the counts that showed it (cleaning/layout_learning.Redesign.describe)
    redesign: str | None = None
    article_id: int | None = None  # the stored article (new, version, duplicate, seen)
    # its attachment links (url, title) whose files are not stored yet: for the spider to fetch
    # (crawler/attachments.py); those stored already are linked to it in its transaction
    attachments: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class _Page:
    """A page ready to store: its Article, (reason, message) when it is none, or the outcome
    "not_modified" / "unchanged" when it was only checked."""

    job: PageJob
    body_hash: str | None
    extracted: Article | tuple[str, str] | str


@dataclass(frozen=True, slots=True)
class Target:
    """Where results go: the database URL (with password), the run, the dead-letter folder."""

    db_url: str
    run_id: int
    dead_letter_dir: str
    extract_timeout: float = 30.0  # seconds per page (GOVCRAWL_EXTRACT_TIMEOUT; 0: none)


@dataclass(frozen=True, slots=True)
class ExtractionHints:
    """What `extract_article` may know of the page's portal (cleaning.PortalHints)."""

    family: str | None
    date_order: str | None
    template_segments: frozenset[str] = frozenset()
    layout: LearnedLayout | None = None  # where the portal's pages put title, body, date


class ExtractionTimeout(Exception):
    """A page's extraction ran past its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ExtractionTimeout in the block after `seconds` (SIGALRM: a worker's main thread;
    elsewhere, or with 0, no bound). Python checks the alarm between bytecodes, so a long C call
    (one parse) finishes first; the Python work after it, most of extraction, is cut short."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise ExtractionTimeout(f"extraction took over {seconds:g} s (GOVCRAWL_EXTRACT_TIMEOUT)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extract_job(job: PageJob, hints: ExtractionHints | None = None,
                timeout: float = 0) -> Article | tuple[str, str]:
    """The page's Article, or (reason, message) when it is not one; runs in a worker. A page
    whose extraction takes over `timeout` seconds fails ("timeout"): one page cannot hold up the
    pages behind it."""
    try:
        with time_budget(timeout):
            article = extract_article(job.body, job.final_url, portal=hints or job)
    except ExtractionError as exc:
        return exc.reason, str(exc)
    except ExtractionTimeout as exc:
        return "timeout", str(exc)
    if job.candidate:
        listed = listed_headlines(job, article)
        if listed >= LISTING_MIN_HEADLINES:
            return NOT_ARTICLE, f"a listing: {listed} of its item headlines make up the text"
    return article


# A candidate page whose extracted text opens with this many of its own repeated items' headlines
# is a listing read as an article (teasers long enough to pass extraction's link-share test).
LISTING_MIN_HEADLINES = 3
LISTING_HEADLINE_SHARE = 0.5  # ... or whose text is mostly those headlines


def listed_headlines(job: PageJob, article: Article) -> int:
    """How many headlines of the page's repeated item blocks (crawler/linkfinder.py) the first
    half of its article text carries (all it carries, when they make up most of the text). A
    listing's text opens with its items; an article opens with its own paragraphs (a related
    block that leaks into its text comes at the end)."""
    try:
        root = lxml.html.fromstring(job.body)
    except (etree.ParserError, ValueError):
        return 0
    found = listing_links(root, job.final_url)
    if len(found.articles) < LISTING_MIN_HEADLINES:
        return 0
    text = normalize_anchor(article.text)
    at = {headline: text.find(headline) for headline in found.headlines.values() if headline}
    at = {headline: i for headline, i in at.items() if i >= 0}
    if sum(len(headline) for headline in at) >= LISTING_HEADLINE_SHARE * len(text):
        return len(at)  # the text is mostly the items' headlines
    return sum(1 for i in at.values() if i < len(text) // 2)


class PageStore:
    """Extracts and stores pages (and extraction failures) through one long-lived session, and
    learns each portal's page template from the articles it stores (cleaning/templates.py) and
    where its pages put the title, body and date (cleaning/layout_learning.py)."""

    SAVE_TEMPLATES_EVERY = 50  # new articles between saves of the template counts

    def __init__(self, target: Target, write_lock: Any = None) -> None:
        self.target = target
        self.write_lock = write_lock  # see PagePool: SQLite's writers, one at a time, woken at once
        self.db = Database(target.db_url)
        # One transaction per batch (SQLite) or page; expunging after each keeps the identity map
        # small while the session's portal cache survives.
        self.session = self.db.session()
        self.reader = self.db.session(readonly=True)  # is a page's body unchanged? (no write lock)
        self.batched = self.db.engine.dialect.name == "sqlite"
        self.templates = TemplateLearner()
        self._unsaved_articles = 0
        self.layouts = LayoutLearner()
        self._unsaved_layouts = 0

    def process(self, job: PageJob) -> PageResult:
        return self.process_batch([job])[0]

    def process_batch(self, jobs: Sequence[PageJob]) -> list[PageResult]:
        """Extract each page with what is learned of its portal, store them, learn from them.
        A page that answered 304, or served the very bytes it served last time, is only recorded
        as checked: nothing is extracted again.

        Extraction runs outside any transaction. On SQLite the batch is then stored in one write
        transaction (with one per page, commits took a tenth of a page worker's time; SQLite has
        one writer at a time anyway); if the database fails in it, it is rolled back and every page is stored again
        in a transaction of its own, so only a page that fails alone is dead-lettered. On
        PostgreSQL each page has its own transaction: a batch would hold one page's advisory
        locks while taking the next page's, and two workers could deadlock on them."""
        work = self._prepare(jobs)
        results = self._write_pages(work)
        for page, result in zip(work, results, strict=True):
            if page.job.learn_templates and result.outcome == "new" and isinstance(page.extracted, Article):
                article = page.extracted
                self.templates.observe(page.job.portal_key, article.text.split("\n") + article.template_lines)
                self._unsaved_articles += 1
        if self._unsaved_articles >= self.SAVE_TEMPLATES_EVERY:
            self.save_templates()
        return self._learn_layouts(work, results)

    def _learn_layouts(self, work: list[_Page], results: list[PageResult]) -> list[PageResult]:
        """Count where each stored article's fields came from; a redesign (learned paths no longer
        matching on most recent pages) is told in the page's result and saved at once. Redesigns
        are judged in incremental runs only: a first walk goes back through an archive that may
        hold older layouts."""
        redesigned = False
        for i, (page, result) in enumerate(zip(work, results, strict=True)):
            if result.outcome not in LAYOUT_OUTCOMES or not isinstance(page.extracted, Article):
                continue
            key = page.job.portal_key
            if not self.layouts.loaded(key):
                self._load_layouts([key])
            event = self.layouts.observe(key, page.extracted.layout_paths, judge=page.job.learn_templates)
            self._unsaved_layouts += 1
            if event is not None:
                logger.warning("%s: the learned page layout stopped matching (%s); learning it anew",
                               key, event.describe())
                results[i] = replace(result, redesign=event.describe())
                redesigned = True
        if redesigned or self._unsaved_layouts >= self.SAVE_TEMPLATES_EVERY:
            self.save_layouts()
        return results

    def _prepare(self, jobs: Sequence[PageJob]) -> list[_Page]:
        body_hashes = [None if job.status == 304 else hashlib.sha256(job.body).hexdigest() for job in jobs]
        served = self._served_before([job.url for job, h in zip(jobs, body_hashes, strict=True) if job.known and h])
        work = []
        for job, body_hash in zip(jobs, body_hashes, strict=True):
            if body_hash is None:
                work.append(_Page(job, None, "not_modified"))
            elif job.known and served.get(job.url) == body_hash:
                work.append(_Page(job, body_hash, "unchanged"))
            else:
                work.append(_Page(job, body_hash, extract_job(job, self._hints(job), self.target.extract_timeout)))
        return work

    def store_batch(self, jobs: Sequence[PageJob], extracted: Sequence[Article | tuple[str, str]]) -> list[PageResult]:
        """Store pages extracted already, as `process_batch` does (nothing is learned)."""
        return self._write_pages([_Page(job, None, page) for job, page in zip(jobs, extracted, strict=True)])

    def _write_pages(self, work: list[_Page]) -> list[PageResult]:
        results = self._write_batch(work) if self.batched and len(work) > 1 else None
        return results if results is not None else [self._write_alone(page) for page in work]

    def _write_batch(self, work: list[_Page]) -> list[PageResult] | None:
        """The pages stored in one transaction, or None when it failed (rolled back)."""
        try:
            with self._transaction():
                return [self._write(page) for page in work]
        except (SQLAlchemyError, StorageError) as exc:
            self.session.rollback()
            logger.warning("storing a batch of %d pages failed (%s: %s); storing them one by one",
                           len(work), type(exc).__name__, exc)
            return None
        finally:
            self.session.expunge_all()

    def _write_alone(self, page: _Page) -> PageResult:
        """Store one prepared page in a transaction of its own. If the database fails, a page
        that was only checked is checked again next run; any other is dead-lettered."""
        try:
            with self._transaction():
                return self._write(page)
        except (SQLAlchemyError, StorageError) as exc:
            self.session.rollback()
            if isinstance(page.extracted, str):
                logger.warning("cannot record that %s was checked (%s); it is checked again next run",
                               page.job.url, exc)
                return PageResult(page.extracted)
            self._dead_letter(page.job, exc)
            return PageResult("storage_error", f"{type(exc).__name__}: {exc}")
        finally:
            self.session.expunge_all()

    def _write(self, page: _Page) -> PageResult:
        """Store one prepared page in the current transaction."""
        if isinstance(page.extracted, str):  # checked, unchanged: only its crawl state moves
            self._record_fetch(page.job, page_urls(page.job, None), page.body_hash, None)
            return PageResult(page.extracted)
        return self._store(page.job, page.extracted, page.body_hash)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        acquired = self.write_lock is not None and self.write_lock.acquire(timeout=WRITE_LOCK_WAIT_S)
        try:
            with self.session.begin():
                yield
        finally:
            if acquired:
                self.write_lock.release()

    def transaction(self) -> Any:
        """A write transaction on the store's session (SQLite: the workers' write lock held), for
        work beside pages done in the same workers (crawler/attachments.py)."""
        return self._transaction()

    def hints(self, job: PageJob) -> ExtractionHints:
        """What extraction may know of the job's portal, as the crawl's page workers use it."""
        return self._hints(job)

    def _hints(self, job: PageJob) -> ExtractionHints:
        """The learned template lines and layout, once the portal's first walk is complete: the
        walk itself extracts with the fixed rules only, so an interrupted and resumed walk stores
        what an uninterrupted one does (what is learned depends on the order pages come in)."""
        if not job.learn_templates:
            return ExtractionHints(job.family, job.date_order)
        if not self.layouts.loaded(job.portal_key):
            self._load_layouts([job.portal_key])
        layout = self.layouts.learned(job.portal_key)
        if not self.templates.loaded(job.portal_key):
            self._load_templates([job.portal_key])
        return ExtractionHints(job.family, job.date_order, self.templates.template_keys(job.portal_key), layout)

    def _load_layouts(self, portals: list[str]) -> None:
        """Read through the read-only session: no write lock, no commit in the batch's writes."""
        try:
            with self.reader.begin():
                for key in portals:
                    self.layouts.load(key, load_layout_counts(self.reader, key))
        except (SQLAlchemyError, StorageError) as exc:
            self.reader.rollback()
            logger.warning("cannot load learned layouts (%s); extracting by the generic path", exc)
            for key in portals:
                if not self.layouts.loaded(key):
                    self.layouts.load(key, SavedLayout())
        finally:
            self.reader.expunge_all()

    def save_layouts(self) -> None:
        """Save the layout counts learned since the last save, then re-read them (other workers
        add theirs). Statistics, as the template counts: a failed save is logged, not retried."""
        self._unsaved_layouts = 0
        unsaved = self.layouts.take_unsaved()
        if not unsaved:
            return
        try:
            with self._transaction():
                for key, counts in unsaved.items():
                    save_layout_counts(self.session, key, counts)
        except (SQLAlchemyError, StorageError) as exc:
            self.session.rollback()
            logger.warning("cannot save learned layout counts (%s)", exc)
        finally:
            self.session.expunge_all()
        self._load_layouts(list(unsaved))

    def _load_templates(self, portals: list[str]) -> None:
        try:
            with self._transaction():
                for key in portals:
                    self.templates.load(key, *load_template_counts(self.session, key))
        except (SQLAlchemyError, StorageError) as exc:
            self.session.rollback()
            logger.warning("cannot load learned templates (%s); extracting with the fixed rules", exc)
            for key in portals:
                if not self.templates.loaded(key):
                    self.templates.load(key, 0, [])
        finally:
            self.session.expunge_all()

    def save_templates(self) -> None:
        """Add the counts learned since the last save to the database, then re-read them (other
        workers add theirs too). Counts are statistics, not archive data: a failed save is
        logged and those increments are not retried."""
        self._unsaved_articles = 0
        unsaved = self.templates.take_unsaved()
        if not unsaved:
            return
        try:
            with self._transaction():
                for key, (pages, segments) in unsaved.items():
                    add_template_counts(self.session, key, pages, segments)
        except (SQLAlchemyError, StorageError) as exc:
            self.session.rollback()
            logger.warning("cannot save learned template counts (%s)", exc)
        finally:
            self.session.expunge_all()
        self._load_templates(list(unsaved))

    def _served_before(self, urls: list[str]) -> dict[str, str | None]:
        """The body hash stored for each of `urls` (read without the write lock); {} when the
        read fails: the pages are then processed in full, and the error met again there."""
        if not urls:
            return {}
        try:
            with self.reader.begin():
                return {url: crawlstate.stored_body_hash(self.reader, url) for url in urls}
        except SQLAlchemyError:
            self.reader.rollback()
            return {}

    def _record_fetch(self, job: PageJob, urls: list[str], body_hash: str | None, article: Article | None,
                      kind: str = "article") -> None:
        """The page's crawl state and the links it queues, in the transaction that stores what it
        produced."""
        crawlstate.queue_links(self.session, job.portal_id, job.links, job.fetched_at)
        crawlstate.record_fetch(self.session, job.portal_id, urls, job.fetched_at,
                                status=job.status, etag=job.etag, last_modified=job.last_modified,
                                body_hash=body_hash, content_hash=article.content_hash if article else None,
                                published=article.published if article else None, kind=kind, warc=job.warc)

    def store(self, job: PageJob, extracted: Article | tuple[str, str], body_hash: str | None = None) -> PageResult:
        """Store one page in a transaction of its own; a page the database fails on is
        dead-lettered."""
        return self._write_alone(_Page(job, body_hash, extracted))

    def _store(self, job: PageJob, extracted: Article | tuple[str, str], body_hash: str | None) -> PageResult:
        """Store the page's article, or its extraction failure, in the current transaction."""
        if isinstance(extracted, tuple):
            code, reason = extracted
            if job.candidate and code == NOT_ARTICLE:
                # a link the listing structure offered whose page is a listing: its page state
                # says so (it is read as a listing, and not fetched as an article candidate again)
                if job.portal_id:
                    self._record_fetch(job, page_urls(job, None), body_hash, None, kind="refused")
                return PageResult("refused", reason, code=code)
            repository.record_failure(self.session, run_id=self.target.run_id, portal_key=job.portal_key,
                                      url=job.final_url, kind="extraction", reason=reason)
            if job.portal_id:
                self._record_fetch(job, page_urls(job, None), body_hash, None)
            return PageResult("failed", reason, code=code)
        article = extracted
        urls = page_urls(job, article)
        outcome = repository.store_page(self.session, portal_key=job.portal_key, urls=urls, article=article,
                                        seen_at=job.fetched_at, run_id=self.target.run_id, warc=job.warc)
        if job.portal_id:
            self._record_fetch(job, urls, body_hash, article)
        links = [(attachment_url(a.url, host_map=job.host_map, scheme=job.scheme, hosts=job.hosts), a.title)
                 for a in article.attachments]
        to_fetch = link_known(self.session, outcome.article_id, links, job.fetched_at) if links else []
        return PageResult(outcome.kind, undated=article.published is None and outcome.kind in ("new", "version"),
                          article_id=outcome.article_id, attachments=tuple(to_fetch))

    def _dead_letter(self, job: PageJob, exc: Exception) -> None:
        path = Path(self.target.dead_letter_dir) / f"undelivered-run{self.target.run_id}.jsonl"
        logger.error("storage failed for %s (%s); kept in %s", job.final_url, exc, path)
        write_dead_letter(path, page_record(job, self.target.run_id, f"{type(exc).__name__}: {exc}"))

    def close(self) -> None:
        self.save_templates()
        self.save_layouts()
        self.reader.close()
        self.session.close()
        self.db.dispose()


def page_urls(job: PageJob, article: Article | None) -> list[str]:
    """Every URL that answered with this page, on the portal's hosts: its own rel=canonical first
    (it becomes the article's URL), then the URL fetched, the URL requested before redirects, and
    the redirect hops between them."""
    urls: list[str] = []
    # the same spelling is canonicalised once (a page is most often its own rel=canonical)
    candidates = (article.canonical_url if article else None, job.final_url, job.url, *job.aliases)
    for candidate in dict.fromkeys(candidates):
        if candidate:
            url = canonicalize(candidate, host_map=job.host_map, scheme=job.scheme)
            if url not in urls and netloc_of(url) in job.hosts:
                urls.append(url)
    return urls


def default_workers() -> int:
    """One per core but one (at least one). On two cores a second worker was measured no faster
    at 20,000 stories (bench/crawl.py: 62 vs 67 pages/s) and 60 MB heavier: the workers' SQLite
    writes take turns, and the two cores were already busy."""
    return max(1, (os.cpu_count() or 1) - 1)


# Pages per task sent to a worker. While the workers are busy, waiting pages gather into
# batches: one task, one wake-up, one result and (SQLite) one commit per batch instead of per
# page. 16 rather than 8: a worker sampled in a 20,000-story crawl (py-spy --idle) waited for
# work 5.6% of its time with 8, 0.8% with 16. Then fewer commits and tasks: the worker's CPU time
# for that crawl (bench/crawl.py) went from 134.0 s to 130.2 s with 32, and from 122.5-126.5 s
# (three rounds) to 119.0 s with 64, the crawl process's from 99-103 s to 96 s.
BATCH_PAGES = 64

# Batches in flight per worker: one running and two queued, so a worker finishes its batch with
# the next ones already in its pipe while the crawl's thread is busy elsewhere (with one queued,
# it waited for work 8.7% of its time; with two, 5.6%).
IN_FLIGHT_PER_WORKER = 3

# Two or more workers fork from a fresh server process that imported what they run
# (forkserver): they share those modules' memory (scipy alone, through datasketch, is ~45 MB per
# process) instead of each importing its own copy. One worker is spawned: the server process
# would cost more than it shares.
WORKER_MODULES = ["crawler.processing", "dedup", "storage.clusters"]

# Longest wait for another worker's SQLite transaction; past it, SQLite's busy timeout decides.
WRITE_LOCK_WAIT_S = 30

# Each worker process's PageStore: ProcessPoolExecutor hands state to its workers only through
# the initializer, so every worker keeps its own session here.
_store: PageStore | None = None


def _init_worker(target: Target, write_lock: Any) -> None:
    global _store
    # Ctrl-C in a terminal signals the whole process group: the crawl process shuts the crawl
    # down gracefully (Scrapy), and a worker finishes the pages it was given instead of dying
    # in the middle of one (its KeyboardInterrupt would reach the crawl as the page's error).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _store = PageStore(target, write_lock)
    gc.freeze()  # modules and mappers live as long as the worker: keep them out of full GCs


def call_in_worker(fn: Any, arg: Any) -> Any:
    """`fn(store, arg)` with this worker's PageStore (PagePool.call)."""
    assert _store is not None, "worker process not initialised"
    return fn(_store, arg)


def process_in_worker(jobs: list[PageJob]) -> list[PageResult]:
    """Extract and store a batch of pages (`PageStore.process_batch`); runs in a worker process."""
    assert _store is not None, "worker process not initialised"
    return _store.process_batch(jobs)


class PagePool:
    """Extracts and stores pages in `workers` processes (0: inline in the crawl process);
    awaitable per page.

    The crawl's own process keeps fetching and parsing links: extraction (CPU, pure) and ORM
    work would otherwise share its one core. A page goes to one worker and comes back as a
    small PageResult, so the HTML crosses a process boundary once and the Article never does.
    Several workers write concurrently: SQLite queues their BEGIN IMMEDIATE transactions on
    the busy timeout, PostgreSQL's savepoint inserts keep concurrent writers safe.

    At most IN_FLIGHT_PER_WORKER batches per worker are in flight (one running, the others
    queued behind it, so a worker seldom waits for the crawl process); further pages wait here. Scrapy bounds those in
    turn: their responses count against SCRAPER_SLOT_MAX_ACTIVE_SIZE, which holds back downloads.
    """

    def __init__(self, workers: int, target: Target) -> None:
        self.workers = workers
        self.target = target
        self.inline = PageStore(target) if workers == 0 else None
        self.pool = self._new_pool() if workers > 0 else None
        self._waiting: list[tuple[PageJob, asyncio.Future[PageResult]]] = []
        self._in_flight = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        # Not a plain fork, which would inherit the reactor, sockets and connections (WORKER_MODULES).
        context = get_context("forkserver" if self.workers > 1 else "spawn")
        if self.workers > 1:
            context.set_forkserver_preload(WORKER_MODULES)
        # SQLite lets one writer in at a time and makes the others poll, sleeping 1, 2, 5, 10 ms
        # and more between tries: workers that take turns on a lock instead start the moment the
        # previous one commits. A new pool (after a worker died, perhaps holding it) gets a new lock.
        sqlite = make_url(self.target.db_url).get_backend_name() == "sqlite"
        write_lock = context.Lock() if sqlite and self.workers > 1 else None
        return ProcessPoolExecutor(self.workers, mp_context=context,
                                   initializer=_init_worker, initargs=(self.target, write_lock))

    async def process(self, job: PageJob) -> PageResult:
        if self.inline is not None:
            return self.inline.process(job)
        future: asyncio.Future[PageResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, future))
        self._dispatch()
        return await future

    async def call(self, fn: Any, arg: Any) -> Any:
        """`fn(store, arg)` in a worker with its PageStore (inline: the crawl process's), beside the
        pages (attachments: crawler/attachments.py). `fn` is a module-level function."""
        if self.inline is not None:
            return fn(self.inline, arg)
        assert self.pool is not None
        return await asyncio.wrap_future(self.pool.submit(call_in_worker, fn, arg))

    def _dispatch(self) -> None:
        while self._waiting and self._in_flight < IN_FLIGHT_PER_WORKER * self.workers:
            batch, self._waiting = self._waiting[:BATCH_PAGES], self._waiting[BATCH_PAGES:]
            pool = self.pool
            assert pool is not None
            try:
                task = asyncio.wrap_future(pool.submit(process_in_worker, [job for job, _ in batch]))
            except BrokenProcessPool as exc:
                self._crashed(pool, batch, exc)
                continue
            self._in_flight += 1
            task.add_done_callback(lambda done, batch=batch, pool=pool: self._finished(done, batch, pool))

    def _finished(self, done: asyncio.Future[list[PageResult]], batch: list[tuple[PageJob, asyncio.Future[PageResult]]],
                  pool: ProcessPoolExecutor) -> None:
        self._in_flight -= 1
        exc = done.exception()
        if exc is None:
            for (_, future), result in zip(batch, done.result(), strict=True):
                future.set_result(result)
        elif isinstance(exc, BrokenProcessPool):
            self._crashed(pool, batch, exc)
        else:  # a bug in the worker code itself: surface it on every page of the batch
            for _, future in batch:
                future.set_exception(exc)
        self._dispatch()

    def _crashed(self, pool: ProcessPoolExecutor, batch: list[tuple[PageJob, asyncio.Future[PageResult]]],
                 exc: BaseException) -> None:
        """A worker died (killed, or crashed in a C extension on a hostile page): its pages are
        recorded as failed from here and the pool rebuilt, so the crawl goes on."""
        if pool is self.pool:
            logger.error("a page worker died (%s); starting a new pool", exc)
            pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
        store = PageStore(self.target)
        try:
            for job, future in batch:
                # The batch's results died with the worker: a page stored before the crash
                # is also recorded here, so none goes unaccounted for.
                future.set_result(store.store(job, (
                    "worker_crashed",
                    f"worker_crashed: the page process died on this page or one batched with it ({exc})")))
        finally:
            store.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.inline is not None:
            self.inline.close()
