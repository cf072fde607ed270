"""Downloader middleware: do not fetch a page already answered for by another URL's rel=canonical.

A portal links one article under several URLs (an old numeric path and a new slug, a sitemap's
variant and a listing's). The spider queues each; when the page at one of them names another as
its rel=canonical, that URL's content is known and recorded with the page (storage). This drops
such a request when its turn comes, instead of fetching and extracting the same page twice.
Revalidations are never dropped.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest


class SkipAnsweredPages:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipAnsweredPages:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        answered = getattr(self.crawler.spider, "answered", None)
        if (answered and request.meta.get("kind") == "article" and not request.meta.get("revalidate")
                and request.url in answered):
            request.meta["answered"] = True  # the errback lets it go without a failure record
            self.crawler.stats.inc_value(f"govcrawl/{request.meta['portal']}/answered_by_canonical")
            raise IgnoreRequest(f"{request.url} is the rel=canonical of a page already fetched")
        return None
