"""The crawl process's side of the crawl state (storage/crawlstate.py) for one run.

Loaded when the run opens: per portal, the known article URLs, the listings its unfinished walk
already read, the frontier a previous run left and the pages due for revalidation. The spider
asks it what to fetch; each listing, sitemap or feed page it reads is recorded with the URLs it
discovered in one transaction. Article pages are recorded by the page workers, with the article
and the links found on them.

The crawl's own thread runs Scrapy's reactor: it must never wait for the database. Listing
pages are therefore recorded on a thread of their own, in order (on SQLite a write waits its
turn behind the page workers' transactions: a quarter of the crawl thread's time, measured,
before this). Reads take no write lock. The run's closing steps wait for those writes first.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from storage import Database, StorageError, crawlstate
from storage.crawlstate import PortalStart, Validators

logger = logging.getLogger(__name__)


class CrawlState:
    def __init__(self, db: Database, *, revalidate_limit: int, overlap: int, give_up_after: int = 5) -> None:
        self.db = db
        self.revalidate_limit = revalidate_limit
        self.give_up_after = give_up_after  # runs in a row a queued URL may fail transiently
        self.transient_failures: dict[str, list[str]] = {}  # portal -> URLs that failed so in this run
        self.overlap = overlap  # listing pages of only known articles read before paging stops
        self.started_at = datetime.now(UTC)
        self.portals: dict[str, PortalStart] = {}
        self.session = db.session()  # the run's opening and closing steps
        self.reader = db.session(readonly=True)  # the spider's reads: no write lock to wait for
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govcrawl-state")
        self._writer_session = db.session()  # used on the writer thread only
        # sitemap <lastmod>s of URLs requested before the sitemap named them: noted again when the
        # run closes (see `note_late_lastmods`)
        self.late_lastmods: dict[str, str] = {}

    def open(self, keys: Iterable[str]) -> None:
        with self.session.begin():
            for key in keys:
                self.portals[key] = crawlstate.portal_start(self.session, key, self.started_at, self.revalidate_limit)
        self.session.expunge_all()

    def reload(self, key: str) -> None:
        """Read one portal's crawl state again: a worker that leases a portal another worker may
        have crawled (or died crawling) starts from what the database holds now
        (crawler/distributed.py)."""
        self.wait_for_writes()
        with self.session.begin():
            self.portals[key] = crawlstate.portal_start(self.session, key, self.started_at, self.revalidate_limit)
        self.session.expunge_all()

    # -- questions the spider asks --------------------------------------------------------

    def is_known(self, key: str, url: str) -> bool:
        return url in self.portals[key].known

    def lastmod_changed(self, key: str, url: str, lastmod: str | None) -> bool:
        """A known article whose sitemap <lastmod> differs from the one noted when it was read."""
        known = self.portals[key].known
        # None: no sitemap lastmod noted for it yet (read through another URL): noted this time
        return lastmod is not None and known.get(url) is not None and known[url] != lastmod

    def page_validators(self, key: str, url: str) -> Validators | None:
        """Validators of a listing/sitemap/feed page, for a conditional GET in incremental runs."""
        if not self.incremental(key):
            return None
        page = self.portals[key].pages.get(url)
        return page[0] if page and (page[0].etag or page[0].last_modified) else None

    def sitemap_unchanged(self, key: str, url: str, lastmod: str | None) -> bool:
        """A child sitemap whose <lastmod> in the index is the one noted when it was last read."""
        page = self.portals[key].pages.get(url)
        return self.incremental(key) and lastmod is not None and page is not None and page[1] == lastmod

    def incremental(self, key: str) -> bool:
        """True once the portal's walk has completed: stop paging at known articles."""
        return self.portals[key].walk_completed

    def walked(self, key: str, url: str) -> bool:
        """Read already in this portal's unfinished walk (by an interrupted run)."""
        return url in self.portals[key].walked

    def validators(self, url: str) -> Validators | None:
        try:
            with self.reader.begin():
                return crawlstate.validators(self.reader, url)
        except SQLAlchemyError as exc:
            logger.warning("cannot read the validators of %s (%s): fetching it in full", url, exc)
            return None

    # -- what the spider did ----------------------------------------------------------------

    def listing_done(self, key: str, url: str, kind: str, status: int, discovered: Sequence[tuple[str, str, str]],
                     *, etag: str | None, last_modified: str | None, lastmods: Sequence[tuple[str, str]],
                     warc: Sequence[Any] | None = None) -> None:
        """A listing/sitemap/feed page was read; `discovered`: (url, kind, reason) it queued,
        `lastmods`: (url, lastmod) a sitemap gave. If the database fails, the crawl goes on:
        those URLs are still fetched in this run, and an interrupted walk reads the page again.
        Written on the writer thread: this returns at once."""
        portal_id = self.portals[key].portal_id
        fetched_at = datetime.now(UTC)
        discovered, lastmods = tuple(discovered), tuple(lastmods)  # as they are now
        self._write(f"cannot record the crawl state of {url}", lambda session: crawlstate.record_listing(
            session, portal_id, url, kind, fetched_at, status, discovered, etag=etag, last_modified=last_modified,
            lastmods=lastmods, warc=warc))
        # queued ones got theirs on the frontier entry; known ones already noted need nothing
        queued, known = {entry[0] for entry in discovered}, self.portals[key].known
        self.late_lastmods.update((u, lastmod) for u, lastmod in lastmods
                                  if u not in queued and known.get(u) != lastmod)

    def _write(self, failure: str, write: Callable[[Session], None]) -> None:
        """Run `write` in a transaction on the writer thread, after the writes submitted before;
        a database error is logged with `failure` (the crawl goes on)."""
        def run() -> None:
            try:
                with self._writer_session.begin():
                    write(self._writer_session)
            except (SQLAlchemyError, StorageError) as exc:
                logger.error("%s (%s)", failure, exc)
            except Exception:  # a bug: said loudly, and the writes after it still run
                logger.exception(failure)
            finally:
                self._writer_session.expunge_all()

        self._writer.submit(run)

    def wait_for_writes(self) -> None:
        """Return once every write submitted so far is done."""
        self._writer.submit(lambda: None).result()

    def note_late_lastmods(self) -> None:
        """Note the sitemap <lastmod>s of URLs that were already requested when a sitemap named
        them, once the page workers are done: a page in flight then had no page state (or
        frontier entry) to note it on yet, and a lastmod never noted makes the next run miss an
        edit. A run killed before this notes them the next time the sitemap is read."""
        self.wait_for_writes()
        if not self.late_lastmods:
            return
        try:
            with self.session.begin():
                crawlstate.note_lastmods(self.session, list(self.late_lastmods.items()))
        except SQLAlchemyError as exc:
            logger.error("cannot note %d sitemap lastmods (%s)", len(self.late_lastmods), exc)

    def save_patterns(self, added: dict[str, dict[str, tuple[int, int]]]) -> None:
        """Add this run's article-URL template counts (portal -> template -> (confirmed,
        refused)) to the database. Statistics: a failed save is logged, not retried."""
        self.wait_for_writes()
        try:
            with self.session.begin():
                now = datetime.now(UTC)
                for key, counts in added.items():
                    crawlstate.add_url_patterns(self.session, self.portals[key].portal_id, counts, now)
        except SQLAlchemyError as exc:
            logger.error("cannot save the learned article-URL patterns (%s)", exc)

    def forget(self, key: str, url: str) -> None:
        """Take a URL out of the frontier (a permanent failure, recorded as such); on the writer
        thread, after the listing that queued it."""
        self._write(f"cannot take {url} out of the frontier", lambda session: crawlstate.forget(session, url))

    def transient_failure(self, key: str, url: str) -> None:
        """A URL failed transiently (5xx, timeout, DNS) in this run: counted when the run closes
        (`settle_transient_failures`), once it is known whether the portal answered at all."""
        self.transient_failures.setdefault(key, []).append(url)

    def settle_transient_failures(self, answered: Iterable[str]) -> list[tuple[str, str, int]]:
        """Count this run's transient failures of queued URLs on the portals that answered other
        pages (a portal that is down must not lose its queue). Returns (portal, url, runs in a
        row) of those given up: out of the frontier at `give_up_after` runs."""
        given_up = []
        self.wait_for_writes()
        try:
            with self.session.begin():
                for key in answered:
                    for url in self.transient_failures.get(key, ()):
                        failed = crawlstate.note_transient_failure(self.session, url, self.give_up_after)
                        if failed is not None and failed >= self.give_up_after:
                            given_up.append((key, url, failed))
        except SQLAlchemyError as exc:
            logger.error("cannot count the transient failures of this run (%s); they are not counted", exc)
            return []
        return given_up

    def unfinished(self) -> set[str]:
        """Portals with URLs still queued in the frontier (what an interrupted run leaves)."""
        self.wait_for_writes()
        try:
            with self.session.begin():
                return {key for key, start in self.portals.items()
                        if crawlstate.pending(self.session, start.portal_id)}
        except SQLAlchemyError as exc:
            logger.error("cannot read the frontier (%s)", exc)
            return set(self.portals)

    def finish(self, completed: Iterable[str]) -> list[str]:
        """Close the walks of the portals the run read to the end; returns their keys. If the
        database fails here, the walks stay open: the next run reads those portals in full again
        (losing nothing), and the run itself is still recorded."""
        done: list[str] = []
        self.wait_for_writes()
        try:
            with self.session.begin():
                for key in completed:
                    if crawlstate.finish_walk(self.session, key, self.started_at, datetime.now(UTC)):
                        done.append(key)
        except (SQLAlchemyError, StorageError) as exc:
            logger.error("cannot close the portals' walks (%s): the next run reads them in full", exc)
            done = []
        return done

    def close(self) -> None:
        """Finish the pending writes and let go of the database."""
        self._writer.shutdown(wait=True)
        for session in (self._writer_session, self.reader, self.session):
            session.close()
