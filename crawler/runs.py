"""Glue between Scrapy's stats and the run records in storage.

Stats the crawl keeps per portal K (Scrapy stats, so `scrapy crawl` shows them too):
`govcrawl/K/pages_fetched`, `not_modified` (304s), `articles_{new,version,duplicate,seen,failed}`,
`articles_undated`, `errors` and `errors/<kind>`, `traps/<trap>` (crawler/traps.py), `pages_not_article` (listings, sitemaps, feeds
and pages fetched as articles that were none), `articles_refused` (article candidates among
those), `layout_redesign` (the counts of a redesign the layout learner saw,
cleaning/layout_learning.py), and — kept by `PortalActivity` —
`first_activity` / `last_activity` (aware UTC datetimes).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy.orm import Session

from crawler.health import Thresholds, portal_flags
from crawler.registry import Portal
from storage.repository import PortalRecord
from storage.runs import PortalRunStats, portal_history


def portal_records(portals: Iterable[Portal]) -> list[PortalRecord]:
    return [
        PortalRecord(key=p.key, name=p.name, level=p.level, province=p.province, status=p.status,
                     family=p.family, hosts=list(p.hosts))
        for p in portals
    ]


def portal_stats(stats: Mapping[str, Any], portals: Iterable[str]) -> dict[str, PortalRunStats]:
    """Per-portal counters from the crawl's stats (keys "govcrawl/<portal>/<counter>")."""
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    traps: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value in stats.items():  # one pass: a large registry has thousands of stats
        parts = name.split("/")
        if len(parts) == 4 and parts[0] == "govcrawl" and parts[2] in ("errors", "traps"):
            (kinds if parts[2] == "errors" else traps)[parts[1]][parts[3]] = int(value)
    result: dict[str, PortalRunStats] = {}
    for key in portals:
        def get(name: str, key: str = key) -> int:
            return int(stats.get(f"govcrawl/{key}/{name}", 0))

        by_kind = dict(sorted(kinds[key].items()))
        responses = get("pages_fetched") + get("not_modified")
        errors = get("errors")
        result[key] = PortalRunStats(
            pages_fetched=get("pages_fetched"),
            not_modified=get("not_modified"),
            articles_new=get("articles_new"),
            articles_version=get("articles_version"),
            articles_duplicate=get("articles_duplicate"),
            articles_seen=get("articles_seen"),
            articles_failed=get("articles_failed"),
            articles_undated=get("articles_undated"),
            errors=errors,
            pages_not_article=get("pages_not_article"),
            articles_refused=get("articles_refused"),
            errors_by_kind=by_kind,
            started_at=stats.get(f"govcrawl/{key}/first_activity"),
            finished_at=stats.get(f"govcrawl/{key}/last_activity"),
            status="failed" if responses == 0 else ("partial" if errors else "ok"),
            note=", ".join(f"{kind}: {count}" for kind, count in by_kind.items()),
            layout_redesign=stats.get(f"govcrawl/{key}/layout_redesign"),
            traps=dict(sorted(traps[key].items())),
        )
    return result


def assess_health(session: Session, run_id: int, stats: Mapping[str, PortalRunStats],
                  thresholds: Thresholds) -> None:
    """Set each portal's `health` from this run and its history (crawler/health.py)."""
    window = max(thresholds.history_runs, thresholds.stalled_runs - 1)
    for key, current in stats.items():
        history = portal_history(session, key, before_run_id=run_id, limit=window)
        flags = portal_flags(current, history, thresholds)
        flags += [f"trap {trap} ({count})" for trap, count in current.traps.items()]  # never silent
        current.health = "; ".join(flags) or None


class PortalActivity:
    """Keeps each portal's first and last activity in the stats — a request handed to the
    downloader, a response downloaded (retried ones too), an item done (a failure reported
    after the last retry, a page stored) —: the run report's per-portal duration, the progress
    display's elapsed time and rate."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalActivity:
        ext = cls(crawler)
        for signal in (signals.request_reached_downloader, signals.response_downloaded):
            crawler.signals.connect(ext.request_activity, signal=signal)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(ext.item_done, signal=signal)
        return ext

    def request_activity(self, request: Any, **_: Any) -> None:
        key = request.meta.get("portal")  # robots.txt requests carry none
        if key is not None:
            self.touch(key)

    def item_done(self, item: Any, **_: Any) -> None:
        key = getattr(item, "portal_key", None)
        if key is not None:
            self.touch(key)

    def touch(self, key: str) -> None:
        now = datetime.now(UTC)
        self.stats.min_value(f"govcrawl/{key}/first_activity", now)
        self.stats.max_value(f"govcrawl/{key}/last_activity", now)
