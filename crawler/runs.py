"""Glue between Scrapy's stats and the run records in storage."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crawler.registry import Portal
from storage.repository import PortalRecord, PortalRunStats


def portal_records(portals: Iterable[Portal]) -> list[PortalRecord]:
    return [
        PortalRecord(key=p.key, name=p.name, level=p.level, province=p.province, status=p.status,
                     family=p.family, hosts=list(p.hosts))
        for p in portals
    ]


def portal_stats(stats: Mapping[str, Any], portals: Iterable[str]) -> dict[str, PortalRunStats]:
    """Per-portal counters from the crawl's stats (keys "govcrawl/<portal>/<counter>")."""
    result: dict[str, PortalRunStats] = {}
    for key in portals:
        def get(name: str, key: str = key) -> int:
            return int(stats.get(f"govcrawl/{key}/{name}", 0))

        pages = get("pages_fetched")
        errors = get("errors")
        kinds = sorted(
            (name.rsplit("/", 1)[-1], int(v)) for name, v in stats.items()
            if name.startswith(f"govcrawl/{key}/errors/")
        )
        note = ", ".join(f"{kind}: {count}" for kind, count in kinds)
        result[key] = PortalRunStats(
            pages_fetched=pages,
            articles_new=get("articles_new"),
            articles_duplicate=get("articles_duplicate"),
            articles_seen=get("articles_seen"),
            articles_failed=get("articles_failed"),
            errors=errors,
            status="failed" if pages == 0 else ("partial" if errors else "ok"),
            note=note,
        )
    return result
