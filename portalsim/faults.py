"""Faults a replica portal can be made to show, for testing the crawler's health checks.

    faults = Faults(replica, {"replica-drupal": "all_500"})
    status, headers, body = faults.render(host, path)   # replica.render with the faults applied

- `all_500`: every request to the portal (robots.txt, listings, articles; both its hosts) is
  answered with HTTP 500, as a portal whose application server is down.
- `no_dates`: the portal's HTML pages come without publication dates, as after a redesign that
  drops the date element: every element whose class names a date or time is removed (the
  article's own date, the related-news and listing dates, the header clock) and so is the
  `article:published_time` (and `article:modified_time`) meta tags. URLs are untouched, so a
  family with dated URLs (SharePoint) still shows the date there. The rewritten pages carry no
  validators (the new template bypasses the page cache), so a conditional GET still sees them.

A portal with a fault answers every request in full: conditional requests get no 304.

The faults may change while a server runs (`Faults.set`): a test can crawl a portal normally,
then switch it to `no_dates` and crawl again, without restarting the replica.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from portalsim.replica import Replica

Response = tuple[int, dict[str, str], bytes]

_ERROR_PAGE = b"<html><body><h1>500 - Internal server error.</h1></body></html>"
# An element whose class names a date or a time, with its content (dates render as flat text,
# so the first closing tag of the same name ends it); the published-time meta tag.
_DATE_ELEMENT = re.compile(
    rb'<(span|time|div)\b[^>]*\bclass="[^"]*(?:date|time|posted-on|publish)[^"]*"[^>]*>.*?</\1>', re.DOTALL)
_DATE_META = re.compile(rb'<meta property="article:(?:published|modified)_time"[^>]*>')
_VALIDATORS = ("ETag", "Last-Modified")


def _all_500(response: Response) -> Response:
    return 500, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(_ERROR_PAGE))}, _ERROR_PAGE


def _no_dates(response: Response) -> Response:
    status, headers, body = response
    if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
        return response  # feeds and sitemaps are generated apart from the page template
    body = _DATE_META.sub(b"", _DATE_ELEMENT.sub(b"", body))
    headers = {name: value for name, value in headers.items() if name not in _VALIDATORS}
    return status, {**headers, "Content-Length": str(len(body))}, body


FAULTS: dict[str, Callable[[Response], Response]] = {
    "all_500": _all_500,
    "no_dates": _no_dates,
}


class Faults:
    """Which portals of a replica misbehave, and how (by portal key)."""

    def __init__(self, replica: Replica, faults: Mapping[str, str] | None = None) -> None:
        self.replica = replica
        self._by_host: dict[str, str] = {}
        for key, fault in (faults or {}).items():
            self.set(key, fault)

    def set(self, key: str, fault: str | None) -> None:
        """Make portal `key` show `fault` from the next request on (None: behave again)."""
        portal = next((p for p in self.replica.portals if p.key == key), None)
        if portal is None:
            raise ValueError(f"unknown replica portal {key!r} (choose one of: "
                             f"{', '.join(p.key for p in self.replica.portals)})")
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r} for {key} (choose one of: {', '.join(FAULTS)})")
        for host in (portal.host, portal.alias_host):
            if fault is None:
                self._by_host.pop(host, None)
            else:
                self._by_host[host] = fault

    def render(self, host: str, path_with_query: str, request_headers: Mapping[str, str] | None = None) -> Response:
        """replica.render with the faults applied (request_headers: a conditional GET's)."""
        fault = self._by_host.get(host.lower())
        if fault is None:
            return self.replica.render(host, path_with_query, request_headers)
        return FAULTS[fault](self.replica.render(host, path_with_query))


def parse_fault(text: str) -> tuple[str, str]:
    """`KEY=FAULT` of the command line, e.g. `replica-drupal=all_500`."""
    key, sep, fault = text.partition("=")
    if not sep or not key or fault not in FAULTS:
        raise ValueError(f"expected KEY=FAULT with FAULT one of {', '.join(FAULTS)}, got {text!r}")
    return key, fault
