"""The one spider: crawls the news sections of the portals named in the registry.

    scrapy crawl portal -a portal=KEY[,KEY...]      registered portals
    scrapy crawl portal -a url=URL[,URL...]         unregistered sites, family auto-detected
    scrapy crawl portal                              every active portal

Discovery goes through the portal's start points (sitemaps, feeds, listing pages with their
pagination) and the article links on the pages it reads. Every request is canonicalised first,
so an article reached through an alias host, a noise parameter or a fragment is fetched once.
Pages it decides are articles go to the pipelines as raw `PageItem`s; requests that fail become
`FailureItem`s, so nothing is dropped without a record.
"""
from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip, gzip_magic_number
from twisted.python.failure import Failure

from cleaning import detect_family
from crawler.adhoc import adhoc_portal
from crawler.discovery import LinkRules, PageKind, is_pagination_of, read_feed, read_sitemap
from crawler.errors import classify_failure
from crawler.items import FailureItem, PageItem
from crawler.registry import Portal, load_registry
from crawler.urls import canonicalize, netloc_of

logger = logging.getLogger(__name__)

# Articles first: finishing pages already discovered keeps the queue (and memory) short.
PRIORITY = {"article": 20, "sitemap": 10, "rss": 10, "atom": 10, "listing": 0}
SITEMAP_MAX_SIZE = 50 * 1024 * 1024


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(
        self,
        portal: str | None = None,
        url: str | None = None,
        max_pages: str | int | None = None,
        registry_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        registry = load_registry(Path(registry_dir) if registry_dir else None)
        portals: list[Portal] = []
        if portal:
            portals += [registry.get(key.strip()) for key in portal.split(",") if key.strip()]
        if url:
            portals += [adhoc_portal(u.strip(), registry) for u in url.split(",") if u.strip()]
        if not portal and not url:
            portals = list(registry.active())
        self.portals: dict[str, Portal] = {p.key: p for p in portals}
        self.max_pages = int(max_pages) if max_pages else None
        self.rules: dict[str, LinkRules] = {p.key: self._rules_for(p, p.family) for p in portals}
        self.host_map: dict[str, str] = {}
        self.owner: dict[str, str] = {}
        for p in portals:
            for host in p.all_hosts:
                self.host_map[host.lower()] = p.hosts[0].lower()
                self.owner[host.lower()] = p.key
        self.requested: set[str] = set()
        self.scheduled: Counter[str] = Counter()

    @staticmethod
    def _rules_for(portal: Portal, family: str) -> LinkRules:
        return LinkRules(family=family, allow=portal.allow_patterns, deny=portal.deny_patterns)

    # -- requests -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # Everything alive now (modules, ORM mappers, the registry, the pipelines' state) lives
        # for the whole crawl: take it out of the cyclic GC's reach, so the full collections a
        # long crawl triggers do not rescan it every time.
        gc.freeze()
        for portal in self.portals.values():
            for point in portal.start_points:
                request = self._request(portal, point.url, point.kind, start=True)
                if request is not None:
                    yield request

    def _request(
        self, portal: Portal, url: str, kind: str, *, start: bool = False, optional: bool = False
    ) -> scrapy.Request | None:
        canonical = canonicalize(url, host_map=self.host_map, scheme=portal.scheme)
        if self.owner.get(netloc_of(canonical)) != portal.key or canonical in self.requested:
            return None
        if self.max_pages is not None and self.scheduled[portal.key] >= self.max_pages:
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/capped")
            return None
        self.requested.add(canonical)
        self.scheduled[portal.key] += 1
        callbacks = {
            "article": self.parse_article,
            "listing": self.parse_listing,
            "sitemap": self.parse_sitemap,
            "rss": self.parse_feed,
            "atom": self.parse_feed,
        }
        return scrapy.Request(
            canonical,
            callback=callbacks[kind],
            errback=self.on_error,
            priority=PRIORITY[kind],
            meta={
                "portal": portal.key,
                "kind": kind,
                "start": start,
                "optional": optional,
                # one politeness slot per host:port, so two portals on one IP stay separate
                "download_slot": netloc_of(canonical),
            },
        )

    def _count_page(self, response: Response) -> Portal:
        portal = self.portals[response.meta["portal"]]
        self.crawler.stats.inc_value(f"govcrawl/{portal.key}/pages_fetched")
        return portal

    # -- callbacks ------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        portal = self._count_page(response)
        if not isinstance(response, TextResponse):
            return
        self._detect_family(portal, response)
        rules = self.rules[portal.key]
        for link in self._links(response):
            kind = rules.classify(link)
            if kind is PageKind.ARTICLE:
                request = self._request(portal, link, "article")
            elif kind is PageKind.LISTING and (
                portal.family == "auto" or is_pagination_of(response.url, link)
            ):
                request = self._request(portal, link, "listing")
            else:
                continue
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        portal = self._count_page(response)
        body = response.body
        if gzip_magic_number(response):
            body = gunzip(body, max_size=SITEMAP_MAX_SIZE)
        rules = self.rules[portal.key]
        for entry in read_sitemap(body):
            url = canonicalize(entry.url, host_map=self.host_map, scheme=portal.scheme)
            if entry.is_sitemap:
                request = self._request(portal, url, "sitemap")
            elif rules.classify(url) is PageKind.ARTICLE:
                request = self._request(portal, url, "article")
            else:
                continue
            if request is not None:
                yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        portal = self._count_page(response)
        rules = self.rules[portal.key]
        for link in read_feed(response.body, response.url):
            link = canonicalize(link, host_map=self.host_map, scheme=portal.scheme)
            if rules.classify(link) is PageKind.ARTICLE:
                request = self._request(portal, link, "article")
                if request is not None:
                    yield request

    def parse_article(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        portal = self._count_page(response)
        if not isinstance(response, TextResponse):
            yield FailureItem(portal.key, response.url, "not_html",
                              f"not an HTML page ({response.headers.get('Content-Type', b'').decode()})")
            return
        self._detect_family(portal, response)
        yield PageItem(
            portal_key=portal.key,
            url=response.request.url if response.request else response.url,
            final_url=canonicalize(response.url, host_map=self.host_map, scheme=portal.scheme),
            body=response.body,
            encoding=response.encoding,
            fetched_at=datetime.now(UTC),
        )
        # Related-news links on article pages reach articles that listings no longer show.
        rules = self.rules[portal.key]
        for link in self._links(response):
            if rules.classify(link) is PageKind.ARTICLE:
                request = self._request(portal, link, "article")
                if request is not None:
                    yield request

    def on_error(self, failure: Failure) -> Iterator[FailureItem]:
        request = failure.request
        key = request.meta["portal"]
        kind, reason = classify_failure(failure)
        if request.meta.get("optional"):
            logger.debug("optional %s unavailable: %s", request.url, reason)
            return
        self.crawler.stats.inc_value(f"govcrawl/{key}/errors")
        self.crawler.stats.inc_value(f"govcrawl/{key}/errors/{kind}")
        logger.warning("%s %s: %s", key, request.url, reason)
        yield FailureItem(key, request.url, kind, reason)

    # -- helpers --------------------------------------------------------------------------

    def _links(self, response: TextResponse) -> Iterator[str]:
        """Canonical URLs of the page's links (noise parameters gone before classification)."""
        scheme = self.portals[response.meta["portal"]].scheme
        for href in response.xpath("//a/@href").getall():
            href = href.strip()
            if href and not href.startswith(("javascript:", "mailto:", "tel:", "#")):
                yield canonicalize(response.urljoin(href), host_map=self.host_map, scheme=scheme)

    def _detect_family(self, portal: Portal, response: TextResponse) -> None:
        """Settle an "auto" family from the first HTML page the portal serves."""
        if portal.family != "auto" or self.rules[portal.key].family != "auto":
            return
        family = detect_family(response.text, response.url)
        logger.info("%s: detected family %s", portal.key, family)
        self.crawler.stats.set_value(f"govcrawl/{portal.key}/family", family)
        self.rules[portal.key] = self._rules_for(portal, family)
