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
    "mc_eid", "amp", "print",
    "inheritredirect", "redirect",  # Liferay asset-publisher back links
)
_NOISE_RE = re.compile(
    "^(?:" + "|".join(re.escape(p).replace(r"\*", ".*") for p in NOISE_PARAMETERS) + ")$",
    re.IGNORECASE,
)


# Session ids (issue 15: a portal putting a new ?sid= in every link gave 8,063 queued URLs and
# no article). The names servers use for nothing but a session are dropped whatever their value;
# "sid" and "s" also name sections on ASP.NET portals (`Default.aspx?dvid=&pageid=&sid=`), so
# they are dropped only when the value is a token: long, letters and digits mixed, not a number.
SESSION_PARAMETERS = (
    "jsessionid", "phpsessid", "aspsessionid*", "asp.net_sessionid", "sessionid", "session_id",
    "sessid", "cfid", "cftoken", "zenid", "oscsid", "osCsid",
)
_SESSION_RE = re.compile(
    "^(?:" + "|".join(re.escape(p).replace(r"\*", ".*") for p in SESSION_PARAMETERS) + ")$", re.IGNORECASE)
_TOKEN_NAMED = frozenset({"sid", "s", "session", "ssid", "token"})
_TOKEN_RE = re.compile(r"^(?=[A-Za-z0-9_-]*[A-Za-z])(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{10,}$")
# in the path: Java's ";jsessionid=…" and ASP.NET's cookieless "/(S(…))/" segment
_PATH_SESSION_RE = re.compile(r";jsessionid=[^/?#;]*|/\((?:[A-Z]\([^)/]*\))+\)(?=/)", re.IGNORECASE)


def _noise(name: str, value: str) -> bool:
    if _NOISE_RE.match(name) or _SESSION_RE.match(name):
        return True
    return name.lower() in _TOKEN_NAMED and bool(_TOKEN_RE.match(value))


def strip_noise(url: str) -> str:
    parts = urlsplit(url)
    path = _PATH_SESSION_RE.sub("", parts.path) if ";" in parts.path or "(" in parts.path else parts.path
    if not parts.query:
        return url if path == parts.path else urlunsplit(parts._replace(path=path))
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _noise(k, v)]
    return urlunsplit(parts._replace(path=path, query=urlencode(kept)))


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
