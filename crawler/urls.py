"""URL canonicalisation: one spelling per page, so the dupefilter and the database agree.

Built on w3lib (Scrapy's own URL toolkit): it sorts query arguments, normalises percent-encoding
and drops fragments; on top of that we drop tracking/noise parameters, fold alias hosts (the
"www" twin, old domains) onto the portal's primary host and use the portal's scheme.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that never select content on these portals (tracking, share widgets,
# "featured" flags). Matched case-insensitively; a trailing * is a prefix match.
NOISE_PARAMETERS = (
    "utm_*", "fbclid", "gclid", "zarsrc", "isfeatured", "ref", "share", "_ga", "mc_cid",
    "mc_eid", "amp", "print", "sessionid", "jsessionid",
    "inheritredirect", "redirect",  # Liferay asset-publisher back links
)
_NOISE_RE = re.compile(
    "^(?:" + "|".join(re.escape(p).replace(r"\*", ".*") for p in NOISE_PARAMETERS) + ")$",
    re.IGNORECASE,
)


def strip_noise(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _NOISE_RE.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def canonicalize(url: str, *, host_map: dict[str, str] | None = None, scheme: str | None = None) -> str:
    """Return the canonical spelling of `url`.

    `host_map` maps alias hosts (lower-case, with port if any) to the primary host;
    `scheme` forces the portal's scheme ("http"/"https"), so http/https twins collapse.
    """
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") and parts.scheme == "http":
        netloc = netloc[:-3]
    elif netloc.endswith(":443") and parts.scheme == "https":
        netloc = netloc[:-4]
    if host_map:
        netloc = host_map.get(netloc, netloc)
    path = parts.path or "/"
    rebuilt = urlunsplit((scheme or parts.scheme.lower(), netloc, path, parts.query, ""))
    return canonicalize_url(strip_noise(rebuilt), keep_fragments=False)


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc.lower()
