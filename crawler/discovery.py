"""What to follow: tell article pages from listings and noise, read sitemaps and feeds.

Pure functions over URLs and bytes so they are testable without a reactor. The URL grammar of
each platform family (vn-portals.md section 2) is data here; a portal's registry entry can add
`allow`/`deny` patterns on top.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
from scrapy.utils.sitemap import Sitemap


class PageKind(enum.Enum):
    ARTICLE = "article"
    LISTING = "listing"
    OTHER = "other"


def _rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


# Article URL shapes per family; matched against "path?query".
ARTICLE_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "drupal": _rx(r"^/node/\d+/?$"),
    "sharepoint": _rx(
        r"/Pages/\d{4}-\d{1,2}-\d{1,2}/[^/?]+\.aspx$",
        r"/Pages/[^/?]*chi-?tiet[^/?]*\.aspx\?(?:.*&)?ItemID=\d+",
    ),
    "liferay": _rx(
        r"/-/details/", r"/-/view_content/\d+", r"/-/asset_publisher/[^/]+/content/[^/?]+",
    ),
    "vnportal": _rx(r"^/[^?]*-\d{6,}\.htm$"),
    "aspnet": _rx(
        r"^(?:/\d+){3,}/[^/?]+/[^/?]+/?$",           # old numeric path /1227/27461/54439/<id>/<cat>/<slug>
        r"^/[^?]*/vi/post/[^?]+\?(?:.*&)?id=\d+",
        r"Default\.aspx\?(?:.*&)?(?:sid|newsid|ItemID)=\d+",
    ),
    # a post's slug holds a letter: /2024/01/01/ is a day archive (endless on event calendars)
    "wordpress": _rx(r"^/\d{4}/\d{2}/(?:\d{2}/)?(?=[^/?]*[a-z])[^/?]+/?$", r"^/\?p=\d+$"),
}
# Shapes that mean "an article" on any family: a long slug (four words or more) ending in a
# numeric id, or a slug-id with an extension.
GENERIC_ARTICLE_PATTERNS = _rx(
    r"/[a-z0-9]+(?:-[a-z0-9]+){3,}-\d{3,}(?:\.[a-z]{2,5})?/?$",
    r"/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?|\.aspx)$",
)
# Slug paths without an id (Drupal path aliases, WordPress "/slug/"): an article when the slug has
# five words or more and the path is at least two segments deep; shorter slugs are categories.
SLUG_ARTICLE_PATTERN = re.compile(r"^/[^?]+/[a-z0-9]+(?:-[a-z0-9]+){4,}/?$", re.IGNORECASE)

# Families whose articles often live at bare path aliases (Drupal pathauto, WordPress permalinks).
SLUG_ALIAS_FAMILIES = frozenset({"drupal", "wordpress", "generic", "auto"})
ALL_ARTICLE_PATTERNS = (
    *(p for patterns in ARTICLE_PATTERNS.values() for p in patterns), *GENERIC_ARTICLE_PATTERNS,
)

PAGINATION_PATTERNS = _rx(
    r"[?&](?:page|PageIndex|pageindex|p|trang|pg|[\w]*_cur)=\d+",
    r"/page/\d+/?$",
    r"/trang-\d+/?$",
)

# Never articles, never listings worth walking: accounts, search, tags, contact, admin,
# public-service systems, binary files.
DENY_PATTERNS = _rx(
    r"/(?:user|users|login|logout|dang-nhap|dang-ky|wp-admin|wp-login\.php|admin)(?:/|$|\?)",
    r"/(?:search|tim-kiem|timkiem)(?:/|$|\?)|[?&](?:q|s|keyword|search)=",
    r"/(?:tag|tags|the|taxonomy/term)/",
    r"/(?:lien-he|contact|gioi-thieu|so-do-site|sitemap)(?:/|$|\.|\?)",
    r"/(?:feed|rss)(?:/|$)|\.rss$|\.xml(?:\.gz)?$",
    r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|webp|svg|mp4|mp3|css|js)(?:\?|$)",
    r"^/?dichvucong",
)


@dataclass(frozen=True, slots=True)
class LinkRules:
    """A portal's link policy: its family grammar plus registry allow/deny patterns."""

    family: str = "auto"
    allow: Sequence[re.Pattern[str]] = ()
    deny: Sequence[re.Pattern[str]] = ()

    def denied(self, url: str) -> bool:
        """Never to be fetched: the registry's deny patterns, DENY_PATTERNS, or outside `allow`."""
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        if any(p.search(url) for p in self.deny) or any(p.search(target) for p in DENY_PATTERNS):
            return True
        return bool(self.allow) and not any(p.search(url) for p in self.allow)

    def classify(self, url: str) -> PageKind:
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        if self.denied(url):
            return PageKind.OTHER
        known = ARTICLE_PATTERNS.get(self.family)
        # A known family trusts its own grammar plus slug-with-id URLs; an unknown one tries all.
        patterns = (*known, GENERIC_ARTICLE_PATTERNS[0]) if known else ALL_ARTICLE_PATTERNS
        if any(p.search(target) for p in patterns):
            return PageKind.ARTICLE
        if any(p.search(target) for p in PAGINATION_PATTERNS):
            return PageKind.LISTING
        if self.family in SLUG_ALIAS_FAMILIES and SLUG_ARTICLE_PATTERN.search(parts.path):
            return PageKind.ARTICLE
        return PageKind.OTHER


HOME_PATH = re.compile(r"^/?(?:(?:index|default|trang-?chu|home)(?:\.\w{2,5})?)?/?$", re.IGNORECASE)


def is_home(url: str) -> bool:
    """A site's home page: "/", "/index.php", "/Default.aspx", "/trang-chu" (no query)."""
    parts = urlsplit(url)
    return not parts.query and bool(HOME_PATH.match(parts.path))


def is_pagination_of(listing_url: str, url: str) -> bool:
    """True when `url` is another page of the listing at `listing_url` (same path family)."""
    a, b = urlsplit(listing_url), urlsplit(url)
    target = b.path + ("?" + b.query if b.query else "")
    if not any(p.search(target) for p in PAGINATION_PATTERNS):
        return False
    base_a = re.sub(r"/(?:page/\d+|trang-\d+)/?$", "", a.path.rstrip("/"))
    base_b = re.sub(r"/(?:page/\d+|trang-\d+)/?$", "", b.path.rstrip("/"))
    return base_a == base_b


_PAGE_NUMBER = re.compile(r"(?:[?&](?:page|PageIndex|pageindex|p|trang|pg|[\w]*_cur)=|/page/|/trang-)(\d+)")


def page_number(url: str) -> int:
    """The page number a listing URL names; a listing's first page often names none (0 then,
    below any numbered page, whether the family counts pages from 0 or from 1)."""
    m = _PAGE_NUMBER.search(url)
    return int(m.group(1)) if m else 0


def next_page(listing_url: str, links: Iterable[str]) -> str | None:
    """The pagination link right after `listing_url` (the smallest page number above its own)."""
    current = page_number(listing_url)
    later = [(page_number(link), link) for link in links
             if is_pagination_of(listing_url, link) and page_number(link) > current]
    return min(later)[1] if later else None


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None
    is_sitemap: bool


_SITEMAP_URL_RE = re.compile(r"\.xml(?:\.gz)?(?:\?|$)|sitemap", re.IGNORECASE)


def read_sitemap(body: bytes) -> Iterator[SitemapEntry]:
    """Entries of a sitemap index or urlset. A urlset whose <loc>s are themselves sitemaps (the
    flat variant some portals publish) yields them as sitemaps. Raises ValueError (or lxml's
    errors) for a body that is no sitemap."""
    try:
        sitemap = Sitemap(body)
        entries = list(sitemap)
    except (StopIteration, RuntimeError):  # Scrapy's reader on a body without a root element
        raise ValueError("not a sitemap: no root element") from None
    index = sitemap.type == "sitemapindex"
    for entry in entries:
        loc = entry.get("loc")
        if not loc:
            continue
        yield SitemapEntry(
            url=loc, lastmod=entry.get("lastmod"), is_sitemap=index or bool(_SITEMAP_URL_RE.search(loc))
        )


_FEED_PARSER = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True)


def read_feed(body: bytes, base_url: str) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed, in feed order."""
    root = lxml.etree.fromstring(body, parser=_FEED_PARSER)
    if root is None:
        return []
    links: list[str] = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "link" and el.getparent() is not None:
            parent = el.getparent().tag
            parent_local = parent.rsplit("}", 1)[-1] if isinstance(parent, str) else ""
            if parent_local not in ("item", "entry"):
                continue
            href = el.get("href") or (el.text or "").strip()
            if href and el.get("rel", "alternate") == "alternate":
                links.append(urljoin(base_url, href))
    return links
