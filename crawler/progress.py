"""Progress of a running crawl per portal on stderr, so long runs show they are alive.

In a terminal: a live display, redrawn in place once a second (ANSI cursor movement), one line
per portal active in the last minute — pages, 304s, new, duplicate, errors, elapsed, pages/s.
Log records written meanwhile erase it first and it is redrawn below them, so the two never
overwrite each other. Otherwise (cron, a log file): a plain line per portal whose counters
changed, every GOVCRAWL_PROGRESS_INTERVAL seconds. GOVCRAWL_PROGRESS_INTERVAL = 0 (the
default in crawler/settings.py) switches both off; `govcrawl crawl` sets 10.
"""
from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

LIVE_REFRESH = 1.0    # seconds between redraws of the live display
ACTIVE_WINDOW = 60.0  # seconds without activity after which a portal leaves the live display


@dataclass(frozen=True, slots=True)
class PortalCounts:
    key: str
    pages: int
    not_modified: int
    new: int
    duplicate: int
    failed: int
    errors: int
    first_activity: datetime | None
    last_activity: datetime | None

    @property
    def elapsed(self) -> float:
        """Seconds from the portal's first activity to its latest (a finished portal's clock stops)."""
        if self.first_activity is None or self.last_activity is None:
            return 0.0
        return (self.last_activity - self.first_activity).total_seconds()

    def plain(self) -> str:
        return (f"  … {self.key}: {self.pages} pages, {self.not_modified} not modified, {self.new} new, "
                f"{self.duplicate} duplicate, {self.failed} failed, {self.errors} errors")


def portal_counts(stats: Mapping[str, Any], keys: Iterable[str]) -> list[PortalCounts]:
    def get(key: str, name: str) -> int:
        return int(stats.get(f"govcrawl/{key}/{name}", 0))

    return [PortalCounts(key, get(key, "pages_fetched"), get(key, "not_modified"), get(key, "articles_new"),
                         get(key, "articles_duplicate"), get(key, "articles_failed"), get(key, "errors"),
                         stats.get(f"govcrawl/{key}/first_activity"), stats.get(f"govcrawl/{key}/last_activity"))
            for key in keys]


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def live_frame(portals: list[PortalCounts], now: datetime, started: datetime, height: int) -> list[str]:
    """The live display: a total line, a header, and one line per active portal (at most what
    fits in `height` lines)."""
    begun = [p for p in portals if p.first_activity is not None]
    active = [p for p in begun if p.last_activity and (now - p.last_activity).total_seconds() <= ACTIVE_WINDOW]
    total = (f"govcrawl {_clock((now - started).total_seconds())}  {len(begun)}/{len(portals)} portals begun, "
             f"{len(active)} active; {sum(p.pages for p in portals)} pages, "
             f"{sum(p.new for p in portals)} new, {sum(p.errors for p in portals)} errors")
    width = max((len(p.key) for p in active), default=6)
    lines = [total, f"  {'portal':<{width}} {'pages':>7} {'304':>6} {'new':>6} {'dup':>6} {'errors':>6} "
                    f"{'elapsed':>8} {'pages/s':>7}"]
    room = max(2, height - len(lines))  # lines left for portals, the "… more" line included
    shown = active if len(active) <= room else active[: room - 1]
    for p in shown:
        rate = p.pages / p.elapsed if p.elapsed > 0 else 0.0
        lines.append(f"  {p.key:<{width}} {p.pages:>7} {p.not_modified:>6} {p.new:>6} {p.duplicate:>6} "
                     f"{p.errors:>6} {_clock(p.elapsed):>8} {rate:>7.1f}")
    if len(shown) < len(active):
        lines.append(f"  … and {len(active) - len(shown)} more active portals")
    return lines


class LiveDisplay:
    """A block of lines at the bottom of a terminal, redrawn in place."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.drawn = 0  # lines of the frame on screen, above the cursor

    def draw(self, lines: list[str]) -> None:
        width = shutil.get_terminal_size().columns
        # Cut lines to the terminal width: a wrapped line would throw the cursor arithmetic off.
        frame = "".join(f"{line[: width - 1]}\x1b[K\n" for line in lines)
        self.stream.write(self._up() + frame + "\x1b[J")  # \x1b[J: what a longer frame left below
        self.stream.flush()
        self.drawn = len(lines)

    def erase(self) -> None:
        if self.drawn:
            self.stream.write(self._up() + "\x1b[J")
            self.stream.flush()
            self.drawn = 0

    def _up(self) -> str:
        return f"\x1b[{self.drawn}A\r" if self.drawn else ""


class _EraseBeforeLog(logging.Filter):
    """On a log handler writing to the display's terminal: erase the display before each
    record, so the record takes its place and the next redraw comes below it."""

    def __init__(self, display: LiveDisplay) -> None:
        super().__init__()
        self.display = display

    def filter(self, record: logging.LogRecord) -> bool:
        self.display.erase()
        return True


class PortalProgress:
    def __init__(self, crawler: Crawler, interval: float, stream: IO[str], live: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stream = stream
        self.live = LiveDisplay(stream) if live else None
        self.last: dict[str, PortalCounts] = {}
        self.loop: task.LoopingCall | None = None
        self.started = datetime.now(UTC)
        self._log_filter: tuple[_EraseBeforeLog, list[logging.Handler]] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalProgress:
        interval = crawler.settings.getfloat("GOVCRAWL_PROGRESS_INTERVAL", 0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval, sys.stderr, live=sys.stderr.isatty())
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any = None) -> None:
        self.started = datetime.now(UTC)
        if self.live:
            self._watch_logging(self.live)
        self.loop = task.LoopingCall(self.report)
        self.loop.start(LIVE_REFRESH if self.live else self.interval, now=False)

    def closed(self, spider: Any = None) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.live:
            self.report()  # the final counts stay on screen above the run report
            self._unwatch_logging()

    def report(self) -> None:
        portals = portal_counts(self.crawler.stats.get_stats(), self.crawler.spider.portals)
        if self.live:
            height = shutil.get_terminal_size().lines
            self.live.draw(live_frame(portals, datetime.now(UTC), self.started, max(4, height // 2)))
            return
        for counts in portals:
            last = self.last.get(counts.key)
            if counts.first_activity is not None and (last is None or last.plain() != counts.plain()):
                self.last[counts.key] = counts
                print(counts.plain(), file=self.stream, flush=True)

    def _watch_logging(self, display: LiveDisplay) -> None:
        handlers = [h for h in logging.getLogger().handlers
                    if getattr(h, "stream", None) is self.stream]
        log_filter = _EraseBeforeLog(display)
        for handler in handlers:
            handler.addFilter(log_filter)
        self._log_filter = (log_filter, handlers)

    def _unwatch_logging(self) -> None:
        if self._log_filter:
            log_filter, handlers = self._log_filter
            for handler in handlers:
                handler.removeFilter(log_filter)
            self._log_filter = None
