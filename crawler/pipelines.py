"""Thin adapters from the spider to `cleaning` and `storage`: extract, store, count.

Every page ends in exactly one place: a stored (new / duplicate / seen) article or a recorded
failure. When the database itself fails, the item goes to a dead-letter JSON Lines file beside
the database so nothing is lost; the run then reports the storage errors.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from cleaning import ExtractionError, extract_article
from crawler.items import FailureItem, PageItem
from crawler.runs import portal_records, portal_stats
from crawler.urls import canonicalize, netloc_of
from storage import Database, repository

logger = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db = Database(crawler.settings.get("GOVCRAWL_DB"))
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.spider = spider or self.crawler.spider
        self.db.migrate()
        with self.db.session() as session, session.begin():
            repository.sync_portals(session, portal_records(self.spider.portals.values()))
            self.run_id = repository.start_run(session, args=self.crawler.settings.get("GOVCRAWL_ARGS", ""))
        self.stats.set_value("govcrawl/run_id", self.run_id)

    def close_spider(self, spider: Any = None) -> None:
        stats = portal_stats(self.stats.get_stats(), self.spider.portals)
        failed = [key for key, s in stats.items() if s.status == "failed"]
        status = "failed" if failed and len(failed) == len(stats) else "partial" if failed else "ok"
        if self.crawler.stats.get_value("finish_reason", "finished") not in ("finished", None):
            status = "interrupted"
        with self.db.session() as session, session.begin():
            repository.finish_run(session, self.run_id, status, stats)

    def process_item(self, item: PageItem | FailureItem, spider: Any = None) -> PageItem | FailureItem:
        try:
            if isinstance(item, FailureItem):
                with self.db.session() as session, session.begin():
                    repository.record_failure(session, run_id=self.run_id, portal_key=item.portal_key,
                                              url=item.url, kind=item.kind, reason=item.reason)
            else:
                self._store_page(item)
        except SQLAlchemyError as exc:
            self._dead_letter(item, exc)
        return item

    def _store_page(self, item: PageItem) -> None:
        portal = self.spider.portals[item.portal_key]
        key = item.portal_key
        try:
            article = extract_article(item.body, item.final_url, portal=portal)
        except ExtractionError as exc:
            self.stats.inc_value(f"govcrawl/{key}/articles_failed")
            logger.warning("extraction failed for %s: %s", item.final_url, exc)
            with self.db.session() as session, session.begin():
                repository.record_failure(session, run_id=self.run_id, portal_key=key,
                                          url=item.final_url, kind="extraction", reason=str(exc))
            return
        # The page's own rel=canonical first (it becomes the article's URL), then the URL
        # fetched and the URL requested before redirects: every URL that served this page.
        urls: list[str] = []
        for candidate in (article.canonical_url, item.final_url, item.url):
            if candidate:
                url = canonicalize(candidate, host_map=self.spider.host_map, scheme=portal.scheme)
                if url not in urls and self.spider.owner.get(netloc_of(url)) == key:
                    urls.append(url)
        with self.db.session() as session, session.begin():
            kinds = {
                repository.store_article(session, portal_key=key, url=url, article=article,
                                         seen_at=item.fetched_at, run_id=self.run_id).kind
                for url in urls
            }
        outcome = next(k for k in ("new", "duplicate", "seen") if k in kinds)
        self.stats.inc_value(f"govcrawl/{key}/articles_{outcome}")

    def _dead_letter(self, item: PageItem | FailureItem, exc: Exception) -> None:
        """The database refused the item: keep it on disk and count it, never drop it."""
        self.stats.inc_value(f"govcrawl/{item.portal_key}/errors/storage")
        self.stats.inc_value(f"govcrawl/{item.portal_key}/errors")
        path = Path(self.crawler.settings.get("GOVCRAWL_DEAD_LETTER_DIR") or "data") / (
            f"undelivered-run{self.run_id}.jsonl")
        logger.error("storage failed for %s (%s); kept in %s", item.url, exc, path)
        record: dict[str, Any] = {"portal": item.portal_key, "url": item.url,
                                  "error": f"{type(exc).__name__}: {exc}",
                                  "at": datetime.now(UTC).isoformat()}
        if isinstance(item, PageItem):
            record["html"] = item.body.decode(item.encoding or "utf-8", errors="replace")
        else:
            record.update(kind=item.kind, reason=item.reason)
        path.parent.mkdir(parents=True, exist_ok=True)
        with Path(path).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
