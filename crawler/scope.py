"""A crawl never leaves its portal (issue 15): host scope on every request and redirect, and no
connection to an address that is not the public Internet's unless the portal is allowed there.

* `PortalScope` (before robots.txt is read, so an off-site host is not even asked for it): a
  request whose host is not one of its portal's hosts, aliases or asset hosts is refused.
* `RedirectScope` (before Scrapy's redirect and meta-refresh middlewares see the answer): a
  redirect or meta refresh to another host, a loop (a -> b -> a) and a chain longer than
  `GOVCRAWL_MAX_REDIRECTS` are refused with the page that asked for them; a same-site redirect
  is followed even to a URL the duplicate filter has seen (its outcome is the requested URL's).
* `ScopedResolver` (Scrapy's caching resolver): a host name that resolves to a loopback,
  private, link-local, multicast or reserved address is refused at resolution, so the check is
  on the address the connection uses (DNS rebinding included); an IP literal is checked by
  `PortalScope`. Allowed there: the hosts of replica portals, of a portal crawled from a URL the
  operator typed as an IP literal, `GOVCRAWL_PRIVATE_HOSTS`, and the proxy's own host. Behind a
  proxy (http_proxy / https_proxy) the proxy resolves the portal's name: scope still holds,
  the address check is then the proxy's.

Every refusal is an `OutOfScope` error the spider records as a failure of its kind, with the
target; nothing is fetched from the target, so nothing of it reaches the log or the database.
"""
from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.response import get_meta_refresh
from twisted.internet.error import DNSLookupError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PRIVATE_LOOKUP_MARK = "address (refused)"  # kept in the message where a wrapper drops the class


class OutOfScope(IgnoreRequest):
    """A request or redirect refused by scope; `kind` names the failure, `target` where it led."""

    kind = "offsite"

    def __init__(self, reason: str, target: str | None = None) -> None:
        super().__init__(reason)
        self.target = target


class OffsiteRefused(OutOfScope):
    kind = "offsite"


class PrivateAddressRefused(OutOfScope):
    kind = "private_address"


class RedirectRefused(OutOfScope):
    kind = "redirect"


class PrivateAddressLookup(DNSLookupError):
    """A name that resolves where the crawl may not go (a DNSLookupError, as Twisted expects)."""


def blocked_address(host: str) -> str | None:
    """Why an IP address is off the public Internet ("loopback", "private", ...), or None for a
    public address or a host name."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    for test, word in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                       ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                       ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(ip, test):
            return word
    return None


def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def private_hosts(crawler: Any) -> set[str]:
    """Host names (no port) allowed on a non-public address: GOVCRAWL_PRIVATE_HOSTS, the proxy's
    host, and, once the spider knows its portals, those of replicas and of typed IP literals
    (worked out once per crawl, when the spider has its portals). `crawler`: a Crawler, or the
    CrawlerProcess a resolver is made for (its crawlers' spiders then)."""
    cached = getattr(crawler, "_govcrawl_private_hosts", None)
    if cached is not None:
        return cached
    allowed = {h.lower() for h in crawler.settings.getlist("GOVCRAWL_PRIVATE_HOSTS")}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        if value := os.environ.get(name):
            allowed.add(_hostname(value if "://" in value else f"http://{value}"))
    spiders = [c.spider for c in getattr(crawler, "crawlers", ()) if getattr(c, "spider", None)] \
        if not hasattr(crawler, "spider") else [crawler.spider]
    portals = [p for spider in spiders for p in (getattr(spider, "portals", None) or {}).values()]
    for portal in portals:
        if portal.replica or (portal.key.startswith("url-") and blocked_address(portal.primary_host.rsplit(":", 1)[0])):
            allowed.update(h.rsplit(":", 1)[0] for h in (*portal.all_hosts, *portal.asset_hosts))
    if portals:
        crawler._govcrawl_private_hosts = allowed
    return allowed


class PortalScope:
    """Downloader middleware, before robots.txt: requests stay on their portal's hosts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalScope:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        portals = getattr(self.crawler.spider, "portals", None) or {}
        key = request.meta.get("portal")
        portal = portals.get(key) if key else None
        if portal is None:  # robots.txt and other requests Scrapy makes: on some portal's host
            owners = [p for p in portals.values() if p.owns(request.url, include_assets=True)]
            if portals and not owners:
                raise OffsiteRefused(f"{request.url} is on no portal's hosts", request.url)
            portal = owners[0] if owners else None
        elif not portal.owns(request.url, include_assets=True):
            raise OffsiteRefused(f"off the portal: {request.url}", request.url)
        host = _hostname(request.url)
        if (word := blocked_address(host)) and host not in private_hosts(self.crawler):
            raise PrivateAddressRefused(f"{host} is a {word} address (not a portal's)", request.url)


class RedirectScope:
    """Downloader middleware, before RedirectMiddleware and MetaRefreshMiddleware: redirects
    stay on the portal, never loop, and end within GOVCRAWL_MAX_REDIRECTS hops."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_hops = crawler.settings.getint("GOVCRAWL_MAX_REDIRECTS", 5)
        self.refresh_max_delay = crawler.settings.getfloat("METAREFRESH_MAXDELAY", 100)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectScope:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        target = self._target(request, response)
        if target is None:
            return response
        key = request.meta.get("portal")
        portal = (getattr(self.crawler.spider, "portals", None) or {}).get(key) if key else None
        if portal is not None and not portal.owns(target, include_assets=True):
            raise OffsiteRefused(f"redirected off the portal, to {target}", target)
        hops = [*request.meta.get("redirect_urls", ()), request.url]
        if target in hops:
            raise RedirectRefused(f"redirect loop: {' -> '.join(hops[hops.index(target):])} -> {target}", target)
        if len(hops) > self.max_hops:
            raise RedirectRefused(f"more than {self.max_hops} redirects ({hops[0]} -> ... -> {target})", target)
        # the hop is this request's outcome: followed even where the dupefilter saw the target
        request.dont_filter = True
        return response

    def _target(self, request: Request, response: Response) -> str | None:
        if response.status in REDIRECT_STATUSES and not request.meta.get("dont_redirect"):
            location = response.headers.get(b"Location")
            if location:
                return urljoin(request.url, location.decode("latin-1").strip())
            return None
        if isinstance(response, HtmlResponse) and request.method != "HEAD":
            interval, url = get_meta_refresh(response)
            if url and interval is not None and interval < self.refresh_max_delay:
                return url
        return None


class ScopedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve off the public Internet."""

    crawler: Any = None  # what Scrapy makes resolvers for: the CrawlerProcess

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> ScopedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.crawler = crawler
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()):  # noqa: N802 (Twisted's name)
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        word = blocked_address(address)
        if word and self.crawler is not None and name.lower() not in private_hosts(self.crawler):
            raise PrivateAddressLookup(f"{name} resolves to {address}, a {word} {PRIVATE_LOOKUP_MARK}")
        return address
