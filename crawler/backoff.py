"""Retries that honour Retry-After and back a busy host off (Scrapy's RetryMiddleware, extended).

Scrapy retries a 429 or 503 at once: a portal that says "Retry-After: 5" got its retries 1.1 s
and 0.07 s apart (issue 15). Here a retryable answer slows the whole host, not only the one
request: its download slot's delay becomes the wait the server asked for (seconds or an HTTP
date; without the header, twice the slot's delay, at least BACKOFF_START_S) and the slot's next
request leaves that long after the answer, retries included. Each further 429/503 doubles the
wait, up to `GOVCRAWL_RETRY_AFTER_MAX` seconds (then retries go on at that pace); a server asking
for longer than that is not retried this run (the page fails with its status and stays queued
for the next run). The first
successful answer after a back-off gives the slot its own delay back (AutoThrottle, when on,
then adapts it as usual).
"""
from __future__ import annotations

import logging
import time
from time import monotonic
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = frozenset({429, 503})
BACKOFF_START_S = 1.0


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """The wait a Retry-After header asks for (delta-seconds or an HTTP date), None when absent
    or unreadable. A date in the past is no wait."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class PoliteRetry(RetryMiddleware):
    """RetryMiddleware whose 429/503 retries wait as the server asks, the host slowed meanwhile."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("GOVCRAWL_RETRY_AFTER_MAX", 120.0)
        # slot key -> (delay, jitter) before the back-off, and when the back-off may end
        self._own: dict[str, tuple[float, float]] = {}
        self._until: dict[str, float] = {}
        self._started: dict[str, float] = {}   # slot key -> when its latest back-off step began

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PoliteRetry:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None):
        if response.status in BACKOFF_STATUSES and not request.meta.get("dont_retry", False):
            wait = self._back_off(request, response)
            if wait is None:  # longer than we wait within one run: the page fails now
                return response
            return self._retry(request, f"{response.status} (waiting {wait:.1f} s)") or response
        if 200 <= response.status < 400:
            self._recover(request)
        return super().process_response(request, response)

    def _slot(self, request: Request):
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return None, None
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _back_off(self, request: Request, response: Response) -> float | None:
        key, slot = self._slot(request)
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        current = slot.delay if slot is not None else 0.0
        sent = monotonic() - (request.meta.get("download_latency") or 0.0)
        if key not in self._own:  # the first refusal
            wait, step = (asked if asked is not None else max(BACKOFF_START_S, 2 * current)), True
        elif sent >= self._started[key]:  # refused again after the wait: the wait doubles
            wait, step = max(asked or 0.0, 2 * current), True
        else:  # sent before the back-off began (in flight meanwhile): the same refusal
            wait, step = max(asked or 0.0, current), False
        portal = request.meta.get("portal")
        if portal and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govcrawl/{portal}/backoffs")
        # a server asking for longer than we wait in one run is not retried now; our own
        # doubling stops at the bound and goes on retrying at that pace
        give_up = asked is not None and asked > self.max_wait
        if give_up:
            logger.warning("%s asks to wait %.0f s, more than GOVCRAWL_RETRY_AFTER_MAX=%.0f: not retried "
                           "this run", request.url, asked, self.max_wait)
        wait = min(wait, self.max_wait)
        if slot is not None:
            self._own.setdefault(key, (slot.delay, slot.jitter))
            slot.delay, slot.jitter = max(slot.delay, wait), 0.0  # no random shortening of the wait
            slot.lastseen = monotonic()  # the wait counts from this answer, not from the request
            self._until[key] = max(self._until.get(key, 0.0), slot.lastseen + wait)
            if step:
                self._started[key] = slot.lastseen
        return None if give_up else wait

    def _recover(self, request: Request) -> None:
        if not self._own:
            return
        key, slot = self._slot(request)
        # an answer to a request sent before the back-off (concurrency) does not end it
        if key not in self._own or monotonic() < self._until.get(key, 0.0):
            return
        own = self._own.pop(key)
        self._started.pop(key, None)
        self._until.pop(key, None)
        if slot is not None:
            slot.delay, slot.jitter = own
