"""A registry-less portal for `govcrawl crawl URL`: one host, family detected on the first page."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.registry import UNKNOWN_PROVINCE, Portal, Registry, StartPoint


def _province_of(host: str, registry: Registry | None) -> str:
    """The province whose portal domain the host sits under (sub.langson.gov.vn -> Lạng Sơn)."""
    for portal in registry or ():
        if portal.level == "tinh":
            domain = portal.primary_host.removeprefix("www.")
            if host == domain or host.endswith("." + domain):
                return portal.province
    return UNKNOWN_PROVINCE


def adhoc_portal(url: str, registry: Registry | None = None) -> Portal:
    """Portal for an unregistered site, started at `url`; its sitemap is tried as well.

    Raises ValueError for a URL without http(s) scheme or host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.netloc.lower()
    bare = host.removeprefix("www.")
    aliases = () if host == bare else (bare,)
    if host == bare and not re.match(r"^[\d.:]+$", host):
        aliases = (f"www.{host}",)
    return Portal(
        key="url-" + re.sub(r"[^a-z0-9]+", "-", bare).strip("-"),
        name=bare,
        level="xa",  # unknown: the lowest rank, so registered portals win canonical ties
        province=_province_of(bare, registry),
        hosts=(host,),
        aliases=aliases,
        scheme=parts.scheme,
        family="auto",
        start_points=(
            StartPoint(kind="listing", url=url),
            StartPoint(kind="sitemap", url=f"{parts.scheme}://{host}/sitemap.xml"),
        ),
        notes="unregistered site crawled from a start URL",
    )
