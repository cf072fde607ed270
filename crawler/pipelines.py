"""Thin adapter from the spider to page processing (extract + store) and the run records.

Article pages go to `crawler.processing` (worker processes that extract and store them);
failures the spider reports are recorded here. Every item ends in exactly one place: a stored
article, a recorded failure, or the dead-letter file when the database itself fails. Counters
feed the run report.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from crawler.health import Thresholds
from crawler.attachments import AttachmentJob, store_job
from crawler.distributed import worker_of
from crawler.items import AttachmentItem, FailureItem, PageItem
from crawler.processing import NOT_ARTICLE, PageJob, PagePool, Target, default_workers
from crawler.feeds import StoredArticle
from crawler.undelivered import failure_record, run_record, write_dead_letter
from crawler.runs import assess_health, portal_records, portal_stats
from crawler.state import CrawlState
from storage import Database, StorageError, clusters, repository
from storage.runs import PortalRunStats, finish_run, start_run

logger = logging.getLogger(__name__)

# outcomes of a page whose content is an article (its URL's template is confirmed)
ARTICLE_OUTCOMES = frozenset({"new", "version", "duplicate", "seen", "unchanged"})


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db = Database(crawler.settings.get("GOVCRAWL_DB"))
        self.dead_letter_dir = Path(crawler.settings.get("GOVCRAWL_DEAD_LETTER_DIR") or "data")
        workers = crawler.settings.getint("GOVCRAWL_PROCESS_WORKERS", -1)
        self.workers = default_workers() if workers < 0 else workers
        self.thresholds = Thresholds.from_settings(crawler.settings)
        self.run_id: int | None = None
        # Failures the spider reports are written on a thread of their own, in order: on SQLite
        # the write waits while a page worker's batch holds the lock, and the crawl's thread
        # must not wait with it.
        self.failure_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govcrawl-failures")
        # Scrapy feed exports configured (-O, FEEDS): each stored article goes on as its export
        # record (crawler/feeds.py), read on the same thread
        self.feeds = bool(crawler.settings.getdict("FEEDS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        self.spider = spider or self.crawler.spider
        self.db.migrate()
        with self.db.session() as session, session.begin():
            self.portal_ids = repository.sync_portals(session, portal_records(self.spider.portals.values()))
            # several workers (crawler/distributed.py): the run the first one started
            worker = worker_of(self.crawler)
            self.run_id = worker.run_id if worker is not None else \
                start_run(session, args=self.crawler.settings.get("GOVCRAWL_ARGS", ""))
        self._cluster_unplaced()
        self.stats.set_value("govcrawl/run_id", self.run_id)
        self.spider.state = self.state = CrawlState(
            self.db, revalidate_limit=self.crawler.settings.getint("GOVCRAWL_REVALIDATE_MAX", 500),
            overlap=max(1, self.crawler.settings.getint("GOVCRAWL_LISTING_OVERLAP", 1)),
            give_up_after=max(1, self.crawler.settings.getint("GOVCRAWL_GIVE_UP_AFTER_RUNS", 5)))
        self.state.open(self.spider.portals)
        self.hosts = {key: frozenset(h.lower() for h in p.hosts) for key, p in self.spider.portals.items()}
        self.pages = PagePool(self.workers, Target(
            db_url=self.db.url.render_as_string(hide_password=False), run_id=self.run_id,
            dead_letter_dir=str(self.dead_letter_dir),
            extract_timeout=self.crawler.settings.getfloat("GOVCRAWL_EXTRACT_TIMEOUT", 30.0)))
        # What was just set up (ORM mappers, migration modules, pools) lives for the whole
        # crawl: keep it out of the cyclic GC's full collections, like the spider does at start.
        gc.freeze()

    def _cluster_unplaced(self) -> None:
        """Articles stored before clustering existed (or left unplaced by an interrupted
        `govcrawl dedup`) join clusters before new pages arrive, so new copies find them."""
        with self.db.session() as session, session.begin():
            pending = clusters.unplaced(session)
            if pending:
                logger.warning("clustering %d stored articles that have no cluster yet", pending)
                clusters.place_unplaced(session)

    def close_spider(self, spider: Any = None) -> None:
        """Every page in flight is processed; the run is closed by `spider_closed`, which comes
        after and knows why the crawl stopped."""
        self.pages.close()
        self.failure_writer.shutdown(wait=True)
        self.state.note_late_lastmods()
        self.state.save_patterns({key: patterns.take_added() for key, patterns in self.spider.patterns.items()})

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Close the run. A crawl stopped before its end — Ctrl-C or SIGTERM (Scrapy's graceful
        shutdown: reason "shutdown"), a CLOSESPIDER_* limit — is "interrupted": no walk is
        marked complete, so the next run resumes it, and no health check judges its counts."""
        if self.run_id is None:  # open_spider failed: there is no run to close
            return
        try:
            self._close_run(reason)
        finally:
            if getattr(self, "state", None) is not None:
                self.state.close()

    def _close_run(self, reason: str) -> None:
        counters = self.stats.get_stats()
        worker = worker_of(self.crawler)
        if worker is not None:  # several workers: the last to leave closes the run with everyone's counters
            self._give_up_failing_urls(portal_stats(counters, self.spider.portals))  # this worker's own
            counters = worker.leave(counters, reason)
            if counters is None:
                return
        stats = portal_stats(counters, self.spider.portals)
        if worker is None:
            self._give_up_failing_urls(stats)
        failed = [key for key, s in stats.items() if s.status == "failed"]
        status = "failed" if failed and len(failed) == len(stats) else "partial" if failed else "ok"
        if status == "ok" and any(s.errors_by_kind.get("storage") for s in stats.values()):
            status = "partial"  # pages wait in the undelivered file: not the archive an ok run leaves
        if reason != "finished":
            status = "interrupted"
            # a portal with URLs still queued, or not reached at all, was cut short: not "ok",
            # nor "failed" (which says the portal answered nothing)
            unfinished = self.state.unfinished()
            for key, portal in stats.items():
                if key in unfinished or portal.status == "failed":
                    portal.status = "interrupted"
            logger.warning("the crawl stopped before its end (%s): run %s is recorded as interrupted; "
                           "the next run resumes it", reason, self.run_id)
        else:  # portals read to the end (not capped, nor started at one URL only): next run incremental
            partial = getattr(self.spider, "partial", set())
            try:
                self.state.finish(key for key, s in stats.items()
                                  if s.status != "failed" and key not in partial
                                  and not counters.get(f"govcrawl/{key}/capped"))
            except (SQLAlchemyError, StorageError) as exc:  # nothing lost: the next run walks them again
                logger.error("cannot mark the portals' walks complete (%s): the next run walks them again", exc)
        try:
            with self.db.session() as session, session.begin():
                if status != "interrupted":
                    assess_health(session, self.run_id, stats, self.thresholds)
                finish_run(session, self.run_id, status, stats)
        except (SQLAlchemyError, StorageError) as exc:
            # the run's record goes where its pages went: `redeliver` closes the run with it
            path = self.dead_letter_dir / f"undelivered-run{self.run_id}.jsonl"
            logger.error("cannot close run %s (%s); its record is kept in %s", self.run_id, exc, path)
            write_dead_letter(path, run_record(self.run_id, status, stats,
                                               self.thresholds, status != "interrupted",
                                               f"{type(exc).__name__}: {exc}"))

    async def process_item(self, item: PageItem | FailureItem | AttachmentItem,
                           spider: Any = None) -> PageItem | FailureItem | AttachmentItem:
        if isinstance(item, AttachmentItem):
            await self._store_attachment(item)
            return item
        if isinstance(item, FailureItem):
            recorded = await asyncio.get_running_loop().run_in_executor(
                self.failure_writer, self._record_failure, item.portal_key, item.url, item.kind, item.reason)
            if not recorded:
                self._count_storage_error(item.portal_key)
            return item
        key = item.portal_key
        portal = self.spider.portals[key]
        result = await self.pages.process(PageJob(
            portal_key=key, family=self.spider.rules[key].family, date_order=portal.date_order,
            scheme=portal.scheme, host_map=self.spider.host_map,
            hosts=self.hosts[key],
            url=item.url, final_url=item.final_url, body=item.body, encoding=item.encoding,
            fetched_at=item.fetched_at, portal_id=self.portal_ids[key], status=item.status, etag=item.etag,
            last_modified=item.last_modified, learn_templates=self.state.incremental(key),
            known=self.state.is_known(key, item.url), links=item.links, aliases=item.aliases,
            candidate=item.candidate, warc=item.warc))
        if result.outcome == "storage_error":  # the page was kept in the dead-letter file
            self._count_storage_error(key)
            return item
        if result.outcome == "not_modified":  # a 304, counted by the spider as it came in
            return item
        # new, version, duplicate, seen, unchanged, refused (a candidate that is a listing: its page
        # state says so), or failed (recorded in the failures table)
        self.stats.inc_value(f"govcrawl/{key}/articles_{result.outcome}")
        if result.code == NOT_ARTICLE:  # a listing: counted, and read as one (its links followed)
            self.stats.inc_value(f"govcrawl/{key}/pages_not_article")
            logger.info("%s %s is no article (%s): read as a listing", key, item.final_url, result.reason)
            self.spider.article_refused(item)
        elif item.candidate and result.outcome in ARTICLE_OUTCOMES:
            self.spider.article_confirmed(key, item.url)
        if result.outcome == "failed":
            logger.warning("extraction failed for %s: %s", item.final_url, result.reason)
        if result.attachments and result.article_id is not None:
            await self._attachments_found(key, result.article_id, result.attachments)
        if result.undated:
            self.stats.inc_value(f"govcrawl/{key}/articles_undated")
        if result.redesign:  # the learned layout stopped matching: a health flag of the run
            self.stats.set_value(f"govcrawl/{key}/layout_redesign", result.redesign)
        if self.feeds and result.article_id is not None and result.outcome in ("new", "version"):
            record = await asyncio.get_running_loop().run_in_executor(
                self.failure_writer, self._story_record, result.article_id)
            if record is not None:
                return StoredArticle(record)
        return item

    async def _attachments_found(self, key: str, article_id: int, links: tuple[tuple[str, str | None], ...]) -> None:
        """The article's attachments not stored yet go to the spider to fetch (crawler/attachments.py);
        those off the portal are failures ("offsite"), those stored earlier in this run are linked."""
        refused, stored = self.spider.attachments_found(key, article_id, links)
        loop = asyncio.get_running_loop()
        for url, reason in refused:
            if not await loop.run_in_executor(self.failure_writer, self._record_failure, key, url, "offsite", reason):
                self._count_storage_error(key)
        for url, title in stored:
            await self._store_attachment_job(AttachmentJob(key, url, ((article_id, title),), datetime.now(UTC)))

    async def _store_attachment(self, item: AttachmentItem) -> None:
        links = self.spider.attachments.take(item.url, ok=True)
        await self._store_attachment_job(AttachmentJob(item.portal_key, item.url, links, item.fetched_at,
                                                       item.body, item.media_type, item.warc))

    async def _store_attachment_job(self, job: AttachmentJob) -> None:
        try:
            result = await self.pages.call(store_job, job)
        except Exception as exc:  # a worker died on it (BrokenProcessPool): said, counted, the crawl goes on
            logger.error("attachment %s was not stored: %s: %s", job.url, type(exc).__name__, exc)
            self.stats.inc_value(f"govcrawl/{job.portal_key}/attachments_failed")
            return
        counter = {"new": "new", "known": "known", "linked": "linked"}.get(result.outcome, "failed")
        self.stats.inc_value(f"govcrawl/{job.portal_key}/attachments_{counter}")
        if result.outcome == "storage_error":
            logger.error("attachment %s was not stored: %s", job.url, result.reason)

    def _story_record(self, article_id: int) -> dict | None:
        with self.db.session(readonly=True) as session:
            return repository.story_record(session, article_id)

    def _give_up_failing_urls(self, stats: dict[str, PortalRunStats]) -> None:
        """Queued URLs that failed transiently in too many runs in a row leave the frontier (before
        the walks are judged complete), each recorded as a failure of kind "given_up". Only on
        portals that answered pages in this run: one that is down keeps its whole queue."""
        answered = [key for key, s in stats.items() if s.pages_fetched + s.not_modified > 0]
        for key, url, runs in self.state.settle_transient_failures(answered):
            logger.warning("%s %s: failed in %d runs in a row, given up", key, url, runs)
            if not self._record_failure(key, url, "given_up",
                                        f"failed transiently in {runs} runs in a row: no longer queued"):
                self._count_storage_error(key)

    def _record_failure(self, portal_key: str, url: str, kind: str, reason: str) -> bool:
        """The failure in the database (True), or when the database fails, in the dead-letter
        file (False: the caller counts the storage error, on the crawl's thread)."""
        try:
            with self.db.session() as session, session.begin():
                repository.record_failure(session, run_id=self.run_id, portal_key=portal_key,
                                          url=url, kind=kind, reason=reason)
            return True
        except SQLAlchemyError as exc:
            path = self.dead_letter_dir / f"undelivered-run{self.run_id}.jsonl"
            logger.error("cannot record failure of %s (%s); kept in %s", url, exc, path)
            write_dead_letter(path, failure_record(portal_key, url, kind, reason, self.run_id,
                                                   f"{type(exc).__name__}: {exc}"))
            return False

    def _count_storage_error(self, portal_key: str) -> None:
        self.stats.inc_value(f"govcrawl/{portal_key}/errors/storage")
        self.stats.inc_value(f"govcrawl/{portal_key}/errors")
