"""The one spider: crawls the news sections of the portals named in the registry.

    scrapy crawl portal -a portal=KEY[,KEY...]      registered portals
    scrapy crawl portal -a url=URL[,URL...]         unregistered sites, family auto-detected
    scrapy crawl portal                              every active portal

Discovery goes through the portal's start points (sitemaps, feeds, listing pages with their
pagination) and the article links on the pages it reads. Every request is canonicalised first,
so an article reached through an alias host, a noise parameter or a fragment is fetched once.
Pages it decides are articles go to the pipelines as raw `PageItem`s; requests that fail become
`FailureItem`s, so nothing is dropped without a record.

On URL shapes no grammar knows (crawler/linkfinder.py, crawler/urlpatterns.py): a home page's
menus give the news sections, read as listings (at most GOVCRAWL_SECTION_PAGES per portal, their
pagination at most GOVCRAWL_SECTION_DEPTH hops deep); a listing's repeated block of items gives
article candidates whatever their URL shape, and its pager the other pages. A candidate's content
confirms it (extraction succeeds) or refuses it (a listing: then read as one); the templates of
confirmed URLs, never refused, make later links of that shape articles without a fetch, and are
kept per portal for later runs.
"""
from __future__ import annotations

import dataclasses
import gc
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.etree
import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from twisted.python.failure import Failure

from cleaning import detect_family
from crawler.adhoc import adhoc_portal
from crawler.discovery import (LinkRules, PageKind, is_home, is_pagination_of, next_page, read_feed,
                               read_sitemap)
from crawler.errors import PERMANENT_KINDS, classify_failure
from crawler.attachments import Attachments
from crawler.items import AttachmentItem, FailureItem, PageItem
from crawler.linkfinder import headline_links, listing_links, section_links
from crawler.registry import Portal, StartPoint, load_registry
from crawler.state import CrawlState
from crawler.traps import TrapGuard, TrapLimits
from crawler.urlpatterns import UrlPatterns, template
from crawler.urls import canonicalize, netloc_of
from storage.crawlstate import Validators

logger = logging.getLogger(__name__)

# Articles first: finishing pages already discovered keeps the queue (and memory) short.
PRIORITY = {"article": 20, "sitemap": 10, "rss": 10, "atom": 10, "listing": 0}
# Articles a sitemap or a related-news block names come after those a listing or feed names:
# those are usually the canonical URLs, and once fetched their rel=canonical answers for the
# other URLs of the same page, which are then not fetched (crawler/middlewares.py).
SECONDARY_ARTICLE_PRIORITY = 15
# Article candidates (links a listing's structure offers, of a shape no grammar or learned template
# names) come after the articles of known shapes: a portal that links one article under two URLs
# (a known and an unknown shape) then has the known one fetched first, and its rel=canonical
# often answers for the other.
CANDIDATE_PRIORITY = 12
SITEMAP_MAX_SIZE = 50 * 1024 * 1024
# Scrapy's gunzip raises a ValueError (a private subclass) past max_size, OSError/EOFError on a
# broken stream; an empty or garbled body is lxml's
_UNREADABLE_SITEMAP = (OSError, EOFError, ValueError, lxml.etree.LxmlError)
# Listing meta a page passes on to the listings it leads to (and to the candidates it offers, read
# as listings if refused): hops from the section or discovered pager that started the chain,
# whether that chain is bounded, whether menus are read for sections.
LISTING_META = ("listing_depth", "bounded", "sections", "chain_pages", "dry_pages")


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
        self.partial: set[str] = set()  # portals started at a URL given, not their start points
        for start in (u.strip() for u in (url or "").split(",") if u.strip()):
            registered = registry.for_url(start)
            if registered is None:
                portals.append(adhoc_portal(start, registry))
            elif registered.key not in {p.key for p in portals}:
                # a URL on a registered portal's host crawls that portal from there, never an
                # ad-hoc twin (which would take the portal's crawl state over)
                portals.append(dataclasses.replace(registered, start_points=(StartPoint("listing", start),)))
                self.partial.add(registered.key)
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
        self.patterns: dict[str, UrlPatterns] = {}  # learned article-URL templates per portal
        self.block_signatures: dict[str, set[str]] = {p.key: set() for p in portals}
        self.sections: Counter[str] = Counter()  # section pages requested per portal
        # per portal: a listing item's headline -> the URL templates it was requested under
        self.headlines: dict[str, dict[str, set[str]]] = {p.key: {} for p in portals}
        # Set by the storage pipeline when it opens (crawler/state.py); None: no database, so
        # every run reads everything (e.g. the fetch-only benchmark).
        self.state: CrawlState | None = None
        self.refused: list[FailureItem] = []  # refused at discovery, recorded by the next callback

    @property
    def traps(self) -> TrapGuard:
        """The crawl's trap bounds (crawler/traps.py), made once the settings are there."""
        guard = self.__dict__.get("_traps")
        if guard is None:
            guard = self.__dict__["_traps"] = TrapGuard(TrapLimits.from_settings(self.settings), self.crawler.stats)
        return guard

    @property
    def attachments(self) -> Attachments:
        """Which attachment URLs are requested, and who waits for each (crawler/attachments.py)."""
        found = self.__dict__.get("_attachments")
        if found is None:
            found = self.__dict__["_attachments"] = Attachments.from_settings(self.settings)
        return found

    def _drain(self) -> Iterator[FailureItem]:
        """The URLs refused at discovery since the last callback, as failure records."""
        while self.refused:
            yield self.refused.pop()

    @staticmethod
    def _rules_for(portal: Portal, family: str) -> LinkRules:
        return LinkRules(family=family, allow=portal.allow_patterns, deny=portal.deny_patterns)

    # -- requests -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # Everything alive now (modules, ORM mappers, the registry, the pipelines' state) lives
        # for the whole crawl: take it out of the cyclic GC's reach, so the full collections a
        # long crawl triggers do not rescan it every time.
        gc.freeze()
        self.section_cap = self.settings.getint("GOVCRAWL_SECTION_PAGES", 20)
        self.depth_cap = self.settings.getint("GOVCRAWL_SECTION_DEPTH", 50)
        from crawler.distributed import worker_of  # several workers (GOVCRAWL_REDIS): the portals it leases

        worker = worker_of(self.crawler)
        for portal in self.portals.values() if worker is None else worker.first_portals():
            for request in self.seeds(portal):
                yield request

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        from crawler.distributed import configure  # GOVCRAWL_REDIS: scrapy-redis scheduler and dupefilter

        configure(settings)

    def seeds(self, portal: Portal) -> Iterator[scrapy.Request]:
        """What a run starts a portal with: its frontier and due pages, then its start points."""
        yield from self._resumed(portal)
        for point in portal.start_points:
            # A sitemap index answering 304 says nothing of its children: read it in full
            check = None if self.state is None or point.kind == "sitemap" else \
                self.state.page_validators(portal.key, point.url)
            # a home page: its menus name the news sections
            extra = {"sections": True} if point.kind == "listing" and is_home(point.url) else None
            request = self._request(portal, point.url, point.kind, start=True, validators=check, extra=extra)
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
        secondary: bool = False, extra: dict[str, Any] | None = None,
    ) -> scrapy.Request | None:
        canonical = canonicalize(url, host_map=self.host_map, scheme=portal.scheme)
        if self.owner.get(netloc_of(canonical)) != portal.key or canonical in self.requested:
            return None
        if self.state is not None and not start and not resumed and self._known(portal, canonical, kind, validators):
            return None
        if not start and (refusal := self.traps.refuse_url(portal.key, canonical)) is not None:
            reason, record = refusal
            self.requested.add(canonical)  # refused once, not again for every page linking it
            if record:
                self.refused.append(FailureItem(portal.key, canonical, "url_too_long" if "characters" in reason
                                                else "trap", reason))
            return None
        cap = self.max_pages if self.max_pages is not None else self.traps.limits.portal_pages
        if self.scheduled[portal.key] >= cap:
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/capped")
            if self.max_pages is None:  # the operator's --max-pages is no trap; the default bound is
                self.traps.trip(portal.key, "pages_per_run")
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
        if kind == "sitemap":
            meta["download_maxsize"] = SITEMAP_MAX_SIZE
        if overlap_left is not None:
            meta["overlap_left"] = overlap_left
        if extra:
            meta.update(extra)
        priority = SECONDARY_ARTICLE_PRIORITY if secondary and kind == "article" else PRIORITY[kind]
        if extra and extra.get("candidate"):
            priority = CANDIDATE_PRIORITY
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
        if response.status != 304 and response.meta["kind"] != "article":
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/pages_not_article")
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
                                    lastmods=lastmods, warc=response.meta.get("warc"))
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
        yield from self._record(portal, response, self._read_listing(portal, response))
        yield from self._drain()

    def _read_listing(self, portal: Portal, response: TextResponse) -> list[scrapy.Request]:
        """What a listing page leads to: the articles its links name (by the family grammar, by a
        learned template, or as candidates of its repeated item block), its other pages, and on a
        home page (or a section found there) the news sections its menus name."""
        rules = self.rules[portal.key]
        patterns = self._patterns(portal.key)
        root = response.selector.root
        found = listing_links(root, response.url, frozenset(self.block_signatures[portal.key]))
        self.block_signatures[portal.key] |= found.signatures
        candidates = {self._canonical(portal, u): found.headlines[u] for u in found.articles}
        pager = {self._canonical(portal, u) for u in found.pagination}
        context = {name: response.meta[name] for name in LISTING_META if name in response.meta}
        requests: list[scrapy.Request] = []
        unknown = 0  # articles the archive has not seen (even if another page queued them first)
        linked = 0   # article links, known or not: a listing page with none is no listing of articles
        paging: list[str] = []
        discovered: list[str] = []  # pages only the page's structure calls pagination
        for link in dict.fromkeys(self._links(response)):
            kind = rules.classify(link)
            if kind is PageKind.OTHER and not rules.denied(link) and patterns.verdict(link) is True:
                kind = PageKind.ARTICLE  # a template this portal's articles confirmed
            if kind is PageKind.ARTICLE:
                linked += 1
                unknown += self.state is None or not self.state.is_known(portal.key, link)
                request = self._request(portal, link, "article")
                if request is not None:
                    requests.append(request)
                if link in candidates:
                    self._headline(portal.key, candidates[link], link)
            elif kind is PageKind.LISTING and (portal.family == "auto" or is_pagination_of(response.url, link)):
                paging.append(link)
            elif kind is PageKind.OTHER and link in candidates and not rules.denied(link):
                linked += 1
                if self._headline(portal.key, candidates[link], link):
                    # the same headline, already requested under a URL of another shape: the
                    # same article under its other URL (a portal's two URL schemes)
                    self.crawler.stats.inc_value(f"govcrawl/{portal.key}/candidates_same_headline")
                    continue
                request = self._candidate(portal, link, context)
                if request is not None:
                    unknown += 1
                    requests.append(request)
            elif kind is PageKind.OTHER and link in pager and not rules.denied(link):
                discovered.append(link)
        requests += self._paging(portal, response, paging, new_articles=unknown, linked=linked)
        requests += self._paging(portal, response, discovered, new_articles=unknown, linked=linked, bounded=True,
                                 following=self._canonical(portal, found.next_page) if found.next_page else None)
        if response.meta.get("sections"):
            requests += self._sections(portal, response)
        return requests

    def _candidate(self, portal: Portal, url: str, context: dict[str, Any]) -> scrapy.Request | None:
        """A link the listing structure offers, its shape unknown: fetched as an article unless
        its learned template says it is none, or the portal's crawl state knows it as a listing."""
        if self._patterns(portal.key).verdict(url) is False:
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/candidates_skipped_by_pattern")
            return None
        if self.state is not None and self.state.incremental(portal.key) and url in self.state.portals[portal.key].pages:
            return None
        if (refusal := self.traps.refuse_candidate(portal.key)) is not None:
            reason, first = refusal
            if first:
                self.refused.append(FailureItem(portal.key, url, "trap", reason))
            return None
        self.crawler.stats.inc_value(f"govcrawl/{portal.key}/candidates")
        return self._request(portal, url, "article", extra={"candidate": True, "context": context})

    def _sections(self, portal: Portal, response: TextResponse) -> list[scrapy.Request]:
        """The news sections a home page's (or a section's) menus link to, read as listings:
        at most GOVCRAWL_SECTION_PAGES per portal, each a bounded chain of its own."""
        rules = self.rules[portal.key]
        requests = []
        for url in section_links(response.selector.root, response.url):
            url = self._canonical(portal, url)
            if rules.denied(url) or url in self.requested or self.owner.get(netloc_of(url)) != portal.key:
                continue
            if self.sections[portal.key] >= self.section_cap:
                self.crawler.stats.inc_value(f"govcrawl/{portal.key}/sections_capped")
                break
            check = self.state.page_validators(portal.key, url) if self.state is not None else None
            request = self._request(portal, url, "listing", validators=check,
                                    extra={"sections": True, "bounded": True, "listing_depth": 0})
            if request is not None:
                self.sections[portal.key] += 1
                self.crawler.stats.inc_value(f"govcrawl/{portal.key}/sections")
                requests.append(request)
        return requests

    def _headline(self, key: str, headline: str, url: str) -> bool:
        """Note that `headline` was offered as `url`; True if it was offered before under a URL
        of another template (a portal's weekly "Lịch công tác" keeps one template: not skipped)."""
        shapes = self.headlines[key].setdefault(headline, set())
        shape = template(url)
        seen_elsewhere = bool(shapes) and shape not in shapes
        shapes.add(shape)
        return seen_elsewhere

    def _patterns(self, key: str) -> UrlPatterns:
        if key not in self.patterns:
            counts = self.state.portals[key].patterns if self.state is not None and key in self.state.portals else {}
            self.patterns[key] = UrlPatterns.from_counts(counts)
        return self.patterns[key]

    def _canonical(self, portal: Portal, url: str) -> str:
        return canonicalize(url, host_map=self.host_map, scheme=portal.scheme)

    def _paging(self, portal: Portal, response: Response, links: list[str], new_articles: int, *,
                linked: int = 1, bounded: bool = False, following: str | None = None) -> list[scrapy.Request]:
        """Which further listing pages to read. A walk reads them all; an incremental run pages
        on, newest first, one page at a time, until `overlap` pages in a row held only known
        articles. Pages only a listing's structure calls pagination, and every page of a chain
        that began at a discovered section, are `bounded`: at most GOVCRAWL_SECTION_DEPTH hops.
        Every chain stops after GOVCRAWL_LISTING_DEPTH pages, or GOVCRAWL_DRY_LISTING_PAGES pages
        in a row that `linked` no article (crawler/traps.py)."""
        if not links:
            return []
        bounded = bounded or bool(response.meta.get("bounded"))
        extra: dict[str, Any] = {"sections": True} if response.meta.get("sections") and bounded else {}
        chain = response.meta.get("chain_pages", 0) + 1
        dry = response.meta.get("dry_pages", 0) + 1 if not linked else 0
        if dry >= self.traps.limits.dry_listing_pages:
            self.traps.trip(portal.key, "dry_listing")
            return []
        if chain > self.traps.limits.listing_depth:
            self.traps.trip(portal.key, "listing_depth")
            return []
        extra |= {"chain_pages": chain, "dry_pages": dry}
        if bounded:
            depth = response.meta.get("listing_depth", 0) + 1
            if depth > self.depth_cap:
                self.crawler.stats.inc_value(f"govcrawl/{portal.key}/listing_depth_capped")
                return []
            extra |= {"bounded": True, "listing_depth": depth}
        if self.state is None or not self.state.incremental(portal.key):
            return [r for r in (self._request(portal, link, "listing", extra=extra) for link in links)
                    if r is not None]
        left = self.state.overlap if new_articles else response.meta.get("overlap_left", self.state.overlap) - 1
        following = next_page(response.url, links) or (following if following in links else None)
        if left <= 0 or following is None:
            return []
        request = self._request(portal, following, "listing", overlap_left=left, extra=extra)
        return [request] if request is not None else []

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Sitemap entries: unknown articles are fetched; a known one is revalidated only when its
        <lastmod> differs from the one noted last time; a child sitemap whose <lastmod> is
        unchanged is not read again (incremental runs)."""
        portal = self._count_page(response)
        if response.status == 304:
            self._record(portal, response, [])
            return
        try:
            body = response.body
            if gzip_magic_number(response):
                body = gunzip(body, max_size=SITEMAP_MAX_SIZE)
            entries = list(read_sitemap(body))
        except _UNREADABLE_SITEMAP as exc:  # a bomb, an empty or broken body: recorded, not a traceback
            self._record(portal, response, [])
            kind = "too_large" if "size" in type(exc).__name__.lower() else "sitemap"
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/errors")
            self.crawler.stats.inc_value(f"govcrawl/{portal.key}/errors/{kind}")
            yield FailureItem(portal.key, response.url, kind, f"unreadable sitemap: {type(exc).__name__}: {exc}"[:300])
            return
        rules = self.rules[portal.key]
        requests: list[scrapy.Request] = []
        lastmods: list[tuple[str, str]] = []
        for entry in entries:
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
        yield from self._drain()

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
        yield from self._drain()

    def parse_article(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        portal = self._count_page(response)
        # the URL the crawl asked for, before any redirect: the page is its outcome, and every
        # hop is one more URL of the page
        requested, *hops = [*response.meta.get("redirect_urls", ()),
                            response.request.url if response.request else response.url]
        if response.status == 304:  # revalidated: unchanged, nothing to extract
            yield PageItem(portal_key=portal.key, url=requested, final_url=response.url, body=b"", encoding=None,
                           fetched_at=datetime.now(UTC), status=304, warc=response.meta.get("warc"))
            return
        if not isinstance(response, TextResponse):
            yield FailureItem(portal.key, requested, "not_html",
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
        patterns = self._patterns(portal.key)
        related: list[scrapy.Request] = []
        if self.state is None or not self.state.incremental(portal.key):
            learned: dict[str, str] | None = None  # headline links, read once a template needs them
            for link in self._links(response):
                if rules.classify(link) is not PageKind.ARTICLE:
                    # a learned template's link counts only with a headline: a print/share tool
                    # linking this page's other URL does not
                    if patterns.verdict(link) is not True or rules.denied(link):
                        continue
                    if learned is None:
                        learned = {self._canonical(portal, u): t
                                   for u, t in headline_links(response.selector.root, response.url).items()}
                    if link not in learned:
                        continue
                request = self._request(portal, link, "article", secondary=True)
                if request is not None:
                    related.append(request)
        yield PageItem(
            portal_key=portal.key,
            url=requested,
            final_url=canonicalize(response.url, host_map=self.host_map, scheme=portal.scheme),
            body=response.body,
            encoding=response.encoding,
            fetched_at=datetime.now(UTC),
            status=response.status,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            links=tuple(r.url for r in related),
            aliases=tuple(hops[:-1]),  # redirect hops between the requested and the final URL
            candidate=bool(response.meta.get("candidate")),
            context=response.meta.get("context"),
            warc=response.meta.get("warc"),  # its WARC record (crawler/warc.py), written before it got here
        )
        yield from related
        yield from self._drain()

    # -- what the page workers found ------------------------------------------------------------

    def article_confirmed(self, key: str, url: str) -> None:
        """A candidate's content was an article: its URL's template counts for the portal."""
        self._patterns(key).confirm(url)

    def article_refused(self, item: PageItem) -> None:
        """A page fetched as an article is a listing (extraction refused it as a list of links):
        its template counts against the portal's article templates, and it is read as a listing
        now, with the listing meta of the page that linked it."""
        key = item.portal_key
        portal = self.portals[key]
        self._patterns(key).refuse(item.url)
        self.traps.candidate_refused(key)
        meta = {**(item.context or {}), "portal": key, "kind": "listing", "download_slot": netloc_of(item.url)}
        response = HtmlResponse(url=item.final_url, body=item.body, encoding=item.encoding or "utf-8",
                                request=scrapy.Request(item.url, meta=meta))
        requests = self._record(portal, response, self._read_listing(portal, response))
        for request in requests:
            self.crawler.engine.crawl(request)

    def attachments_found(self, key: str, article_id: int, links: Sequence[tuple[str, str | None]],
                          ) -> tuple[list[tuple[str, str]], list[tuple[str, str | None]]]:
        """A stored article's attachment links not stored yet (crawler/attachments.py): those in
        scope are requested (once per URL and run); returns (url, reason) of those refused as off
        the portal, and the links to files stored earlier in this run (to link, not fetch)."""
        requests, refused, stored = self.attachments.found(self.portals[key], article_id, links,
                                                           self.parse_attachment, self.on_error)
        for request in requests:
            self.crawler.engine.crawl(request)
        for _ in refused:
            self.crawler.stats.inc_value(f"govcrawl/{key}/attachments_failed")
            self.crawler.stats.inc_value(f"govcrawl/{key}/errors")
            self.crawler.stats.inc_value(f"govcrawl/{key}/errors/offsite")
        return refused, stored

    def parse_attachment(self, response: Response) -> Iterator[AttachmentItem]:
        key = response.meta["portal"]
        self.crawler.stats.inc_value(f"govcrawl/{key}/attachments_fetched")
        # the URL asked for, before any redirect: what the articles waiting for it know it by
        asked = response.request.url if response.request else response.url
        requested = (response.meta.get("redirect_urls") or [asked])[0]
        media_type = response.headers.get(b"Content-Type")
        yield AttachmentItem(portal_key=key, url=requested, body=response.body,
                             media_type=media_type.decode("latin-1") if media_type else None,
                             fetched_at=datetime.now(UTC), warc=response.meta.get("warc"))

    def on_error(self, failure: Failure) -> Iterator[FailureItem]:
        request = failure.request
        key = request.meta["portal"]
        if request.meta.get("answered"):  # dropped: another URL's page answered for it
            return
        kind, reason = classify_failure(failure)
        # the URL the crawl asked for: a redirect hop's failure is the requested URL's outcome
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if request.meta.get("kind") == "attachment":  # not in the frontier: recorded, nothing to forget
            self.attachments.take(url, ok=False)
            status = failure.value.response.status if isinstance(failure.value, HttpError) else None
            self.crawler.stats.inc_value(f"govcrawl/{key}/attachments_failed")
            self.crawler.stats.inc_value(f"govcrawl/{key}/errors")
            self.crawler.stats.inc_value(f"govcrawl/{key}/errors/{kind}_{status}" if status else
                                         f"govcrawl/{key}/errors/{kind}")
            logger.warning("%s attachment %s: %s", key, url, reason)
            yield FailureItem(key, url, kind, f"attachment: {reason}")
            return
        if request.meta.get("optional"):
            logger.debug("optional %s unavailable: %s", url, reason)
            return
        status = failure.value.response.status if isinstance(failure.value, HttpError) else None
        self.crawler.stats.inc_value(f"govcrawl/{key}/errors")
        self.crawler.stats.inc_value(f"govcrawl/{key}/errors/{kind}_{status}" if status else
                                     f"govcrawl/{key}/errors/{kind}")
        logger.warning("%s %s: %s", key, url, reason)
        if self.state is not None and (kind in PERMANENT_KINDS or (status is not None and 400 <= status < 500
                                                                  and status not in (408, 429))):
            # a permanent refusal (recorded as a failure): not retried every night
            self.state.forget(key, url)
        elif self.state is not None:
            # transient (5xx, timeouts, DNS): it stays in the frontier for the next run, up to
            # GOVCRAWL_GIVE_UP_AFTER_RUNS runs in a row (counted when the run closes)
            self.state.transient_failure(key, url)
        yield FailureItem(key, url, kind, reason)

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
