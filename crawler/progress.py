"""A progress line per portal while a crawl runs (stderr), so long runs show they are alive."""
from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

COUNTERS = ("pages_fetched", "articles_new", "articles_duplicate", "articles_failed", "errors")


class PortalProgress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.last: dict[str, tuple[int, ...]] = {}
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalProgress:
        interval = crawler.settings.getfloat("GOVCRAWL_PROGRESS_INTERVAL", 0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def closed(self, spider: Any) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()

    def report(self) -> None:
        stats = self.crawler.stats.get_stats()
        for key in self.crawler.spider.portals:
            values = tuple(int(stats.get(f"govcrawl/{key}/{c}", 0)) for c in COUNTERS)
            if values != self.last.get(key):
                self.last[key] = values
                pages, new, dup, failed, errors = values
                print(f"  … {key}: {pages} pages, {new} new, {dup} duplicate, "
                      f"{failed} failed, {errors} errors", file=sys.stderr, flush=True)
