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
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from twisted.python.failure import Failure

from cleaning import detect_family
from crawler.adhoc import adhoc_portal
from crawler.discovery import LinkRules, PageKind, is_pagination_of, next_page, read_feed, read_sitemap
from crawler.errors import classify_failure
from crawler.items import FailureItem, PageItem
from crawler.registry import Portal, load_registry
from crawler.state import CrawlState
from crawler.urls import canonicalize, netloc_of
from storage.crawlstate import Validators

logger = logging.getLogger(__name__)

# Articles first: finishing pages already discovered keeps the queue (and memory) short.
PRIORITY = {"article": 20, "sitemap": 10, "rss": 10, "atom": 10, "listing": 0}
# Articles a sitemap or a related-news block names come after those a listing or feed names:
# those are usually the canonical URLs, and once fetched their rel=canonical answers for the
# other URLs of the same page, which are then not fetched (crawler/middlewares.py).
SECONDARY_ARTICLE_PRIORITY = 15
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
        self.answered: set[str] = set()  # rel=canonical URLs of the article pages fetched
        self.scheduled: Counter[str] = Counter()
        # Set by the storage pipeline when it opens (crawler/state.py); None: no database, so
        # every run reads everything (e.g. the fetch-only benchmark).
        self.state: CrawlState | None = None

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
            for request in self._resumed(portal):
                yield request
            for point in portal.start_points:
                # A sitemap index answering 304 says nothing of its children: read it in full
                check = None if self.state is None or point.kind == "sitemap" else \
                    self.state.page_validators(portal.key, point.url)
                request = self._request(portal, point.url, point.kind, start=True, validators=check)
                if request is not None:
                    yield request

    def _resumed(self, portal: Portal) -> Iterator[scrapy.Request]:
        """What the last run left in the frontier, then the known pages due for revalidation."""
        if self.state is None:
            return
        start = self.state.portals[portal.key]
        for url, kind, reason in start.pending:
            check = self.state.validators(url) if reason == "revalidate" else None
            request = self._request(portal, url, kind, validators=check, resumed=True)
            if request is not None:
                yield request
        for check in start.due:
            request = self._request(portal, check.url, "article", validators=check)
            if request is not None:
                yield request

    def _request(
        self, portal: Portal, url: str, kind: str, *, start: bool = False, optional: bool = False,
        validators: Validators | None = None, resumed: bool = False, overlap_left: int | None = None,
        secondary: bool = False,
    ) -> scrapy.Request | None:
        canonical = canonicalize(url, host_map=self.host_map, scheme=portal.scheme)
        if self.owner.get(netloc_of(canonical)) != portal.key or canonical in self.requested:
            return None
        if self.state is not None and not start and not resumed and self._known(portal, canonical, kind, validators):
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
        meta = {
            "portal": portal.key,
            "kind": kind,
            "start": start,
            "optional": optional,
            # one politeness slot per host:port, so two portals on one IP stay separate
            "download_slot": netloc_of(canonical),
        }
        headers = {}
        if validators is not None:  # a conditional GET: 304 means unchanged, no extraction
            meta["revalidate"] = True
            meta["handle_httpstatus_list"] = [304]
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        if overlap_left is not None:
            meta["overlap_left"] = overlap_left
        priority = SECONDARY_ARTICLE_PRIORITY if secondary and kind == "article" else PRIORITY[kind]
        return scrapy.Request(canonical, callback=callbacks[kind], errback=self.on_error, priority=priority,
                              meta=meta, headers=headers or None)

    def _known(self, portal: Portal, url: str, kind: str, validators: Validators | None) -> bool:
        """Already fetched and not to be fetched again now: a known article (unless revalidated),
        or a listing page the portal's unfinished walk has read."""
        assert self.state is not None
        if kind == "article" and validators is None and self.state.is_known(portal.key, url):
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/known_skipped")
            return True
        return kind != "article" and not self.state.incremental(portal.key) and self.state.walked(portal.key, url)

    def _count_page(self, response: Response) -> Portal:
        portal = self.portals[response.meta["portal"]]
        counter = "not_modified" if response.status == 304 else "pages_fetched"
        self.crawler.stats.inc_value(f"govcrawl/{portal.key}/{counter}")
        # by kind of page, over all portals: what an incremental run spent its requests on
        self.crawler.stats.inc_value(f"govcrawl/responses/{response.meta['kind']}/{response.status}")
        return portal

    def _record(self, portal: Portal, response: Response, requests: list[scrapy.Request],
                lastmods: Sequence[tuple[str, str]] = ()) -> list[scrapy.Request]:
        """A listing/sitemap/feed page is done: its state and what it queued, in one transaction."""
        if self.state is not None:
            self.state.listing_done(portal.key, response.request.url if response.request else response.url,
                                    response.meta["kind"], response.status,
                                    [(r.url, r.meta["kind"], "revalidate" if r.meta.get("revalidate") else "new")
                                     for r in requests],
                                    etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
                                    lastmods=lastmods)
        return requests

    # -- callbacks ------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        portal = self._count_page(response)
        if response.status == 304:  # unchanged since the last run: nothing new on it
            self._record(portal, response, [])
            return
        if not isinstance(response, TextResponse):
            return
        self._detect_family(portal, response)
        rules = self.rules[portal.key]
        requests: list[scrapy.Request] = []
        unknown = 0  # articles the archive has not seen (even if another page queued them first)
        paging: list[str] = []
        for link in self._links(response):
            kind = rules.classify(link)
            if kind is PageKind.ARTICLE:
                unknown += self.state is None or not self.state.is_known(portal.key, link)
                request = self._request(portal, link, "article")
                if request is not None:
                    requests.append(request)
            elif kind is PageKind.LISTING and (portal.family == "auto" or is_pagination_of(response.url, link)):
                paging.append(link)
        requests += self._paging(portal, response, paging, new_articles=unknown)
        yield from self._record(portal, response, requests)

    def _paging(self, portal: Portal, response: Response, links: list[str], new_articles: int) -> list[scrapy.Request]:
        """Which further listing pages to read. A walk reads them all; an incremental run pages
        on, newest first, one page at a time, until `overlap` pages in a row held only known
        articles."""
        if self.state is None or not self.state.incremental(portal.key):
            return [r for r in (self._request(portal, link, "listing") for link in links) if r is not None]
        left = self.state.overlap if new_articles else response.meta.get("overlap_left", self.state.overlap) - 1
        following = next_page(response.url, links)
        if left <= 0 or following is None:
            return []
        request = self._request(portal, following, "listing", overlap_left=left)
        return [request] if request is not None else []

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Sitemap entries: unknown articles are fetched; a known one is revalidated only when its
        <lastmod> differs from the one noted last time; a child sitemap whose <lastmod> is
        unchanged is not read again (incremental runs)."""
        portal = self._count_page(response)
        if response.status == 304:
            self._record(portal, response, [])
            return
        body = response.body
        if gzip_magic_number(response):
            body = gunzip(body, max_size=SITEMAP_MAX_SIZE)
        rules = self.rules[portal.key]
        requests: list[scrapy.Request] = []
        lastmods: list[tuple[str, str]] = []
        for entry in read_sitemap(body):
            url = canonicalize(entry.url, host_map=self.host_map, scheme=portal.scheme)
            if entry.is_sitemap:
                if self.state is not None and self.state.sitemap_unchanged(portal.key, url, entry.lastmod):
                    continue
                check = self.state.page_validators(portal.key, url) if self.state is not None else None
                request = self._request(portal, url, "sitemap", validators=check)
            elif rules.classify(url) is PageKind.ARTICLE:
                check = None
                if self.state is not None and self.state.lastmod_changed(portal.key, url, entry.lastmod):
                    check = self.state.validators(url) or Validators(url, None, None)
                request = self._request(portal, url, "article", validators=check, secondary=True)
            else:
                continue
            if entry.lastmod:
                lastmods.append((url, entry.lastmod))
            if request is not None:
                requests.append(request)
        yield from self._record(portal, response, requests, lastmods)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        portal = self._count_page(response)
        if response.status == 304:
            self._record(portal, response, [])
            return
        rules = self.rules[portal.key]
        requests: list[scrapy.Request] = []
        for link in read_feed(response.body, response.url):
            link = canonicalize(link, host_map=self.host_map, scheme=portal.scheme)
            if rules.classify(link) is PageKind.ARTICLE:
                request = self._request(portal, link, "article")
                if request is not None:
                    requests.append(request)
        yield from self._record(portal, response, requests)

    def parse_article(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        portal = self._count_page(response)
        if response.status == 304:  # revalidated: unchanged, nothing to extract
            yield PageItem(portal_key=portal.key, url=response.request.url if response.request else response.url,
                           final_url=response.url, body=b"", encoding=None, fetched_at=datetime.now(UTC),
                           status=304)
            return
        if not isinstance(response, TextResponse):
            yield FailureItem(portal.key, response.url, "not_html",
                              f"not an HTML page ({response.headers.get('Content-Type', b'').decode()})")
            return
        self._detect_family(portal, response)
        # The page's rel=canonical answers for the same article: it is recorded with this page
        # (storage), so it need not be fetched again in this run.
        canonical = response.xpath("//link[@rel='canonical']/@href").get()
        if canonical:
            url = canonicalize(response.urljoin(canonical.strip()), host_map=self.host_map, scheme=portal.scheme)
            self.requested.add(url)
            self.answered.add(url)  # a queued request for it is dropped (crawler/middlewares.py)
        # Related-news links on article pages reach articles that listings no longer show. They
        # go to the frontier in the transaction that stores the page (crawler/processing.py):
        # once the page is stored the next run will not read it again, so what it linked to must
        # be in the frontier by then. Incremental runs leave them: new articles are in the
        # listings, sitemaps and feeds, and a related block links older articles, or other URLs
        # of new ones, which cost a fetch each.
        rules = self.rules[portal.key]
        related = [] if self.state is not None and self.state.incremental(portal.key) else [
            r for r in (self._request(portal, link, "article", secondary=True) for link in self._links(response)
                        if rules.classify(link) is PageKind.ARTICLE) if r is not None]
        yield PageItem(
            portal_key=portal.key,
            url=response.request.url if response.request else response.url,
            final_url=canonicalize(response.url, host_map=self.host_map, scheme=portal.scheme),
            body=response.body,
            encoding=response.encoding,
            fetched_at=datetime.now(UTC),
            status=response.status,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            links=tuple(r.url for r in related),
        )
        yield from related

    def on_error(self, failure: Failure) -> Iterator[FailureItem]:
        request = failure.request
        key = request.meta["portal"]
        if request.meta.get("answered"):  # dropped: another URL's page answered for it
            return
        kind, reason = classify_failure(failure)
        if request.meta.get("optional"):
            logger.debug("optional %s unavailable: %s", request.url, reason)
            return
        status = failure.value.response.status if isinstance(failure.value, HttpError) else None
        self.crawler.stats.inc_value(f"govcrawl/{key}/errors")
        self.crawler.stats.inc_value(f"govcrawl/{key}/errors/{kind}_{status}" if status else
                                     f"govcrawl/{key}/errors/{kind}")
        logger.warning("%s %s: %s", key, request.url, reason)
        if self.state is not None and (kind == "robots" or (status is not None and 400 <= status < 500
                                                              and status not in (408, 429))):
            # a permanent refusal (recorded as a failure): not retried every night
            self.state.forget(key, request.url)
        elif self.state is not None:
            # transient (5xx, timeouts, DNS): it stays in the frontier for the next run, up to
            # GOVCRAWL_GIVE_UP_AFTER_RUNS runs in a row (counted when the run closes)
            self.state.transient_failure(key, request.url)
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


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
