"""HTTP validators: Last-Modified and ETag where a portal sends them, 304 to a conditional GET that matches.

The rules are RFC 9110's (section 13): If-None-Match compares entity tags weakly and, when
present, makes If-Modified-Since irrelevant; If-Modified-Since with an unreadable date is
ignored; only a 200 answer can become a 304.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

Response = tuple[int, dict[str, str], bytes]

# What a 304 repeats of the 200 it stands for (RFC 9110 15.4.5); never a body or its length.
_KEPT_ON_304 = ("ETag", "Last-Modified")


def http_date(when: datetime) -> str:
    """RFC 1123 date in GMT, as Last-Modified carries it."""
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def etag_of(*parts: str | bytes) -> str:
    """A strong entity tag for content made of `parts` (the same parts give the same tag)."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\x00")  # ("ab", "c") and ("a", "bc") are different content
    return f'"{digest.hexdigest()[:20]}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    return _opaque(etag) in {_opaque(t) for t in if_none_match.split(",")}


def _unchanged_since(last_modified: str, if_modified_since: str) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:  # "-0000": a date in UTC without a stated zone
        since = since.replace(tzinfo=timezone.utc)
    return parsedate_to_datetime(last_modified) <= since


def not_modified(response: Response, request_headers: Mapping[str, str] | None) -> Response:
    """`response`, or a bodiless 304 when the request's conditions say the client's copy is current."""
    status, headers, _ = response
    if status != 200 or not request_headers:
        return response
    asked = {name.lower(): value for name, value in request_headers.items()}
    etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
    if "if-none-match" in asked:
        current = etag is not None and _etag_matches(asked["if-none-match"], etag)
    elif "if-modified-since" in asked and last_modified is not None:
        current = _unchanged_since(last_modified, asked["if-modified-since"])
    else:
        current = False
    if not current:
        return response
    return 304, {name: headers[name] for name in _KEPT_ON_304 if name in headers}, b""
