"""Run records: one `CrawlRun` per crawl, one `CrawlRunPortal` per portal crawled in it.

Functions take a Session and never commit (the caller owns the transaction), as in
`storage.repository`. `portal_history` is what the health checks of the run report read.

    with db.session() as s, s.begin():
        run_id = start_run(s, args="crawl langson")
    ...
    with db.session() as s, s.begin():
        finish_run(s, run_id, "ok", {"langson": PortalRunStats(pages_fetched=120, ...)})
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import StorageError
from storage.models import RUN_STATUSES, CrawlRun, CrawlRunPortal, CrawlRunWorker, Portal

# The per-portal counters, as named in PortalRunStats, RunPortalSummary and CrawlRunPortal.
COUNTERS = ("pages_fetched", "not_modified", "articles_new", "articles_version", "articles_duplicate",
            "articles_seen", "articles_failed", "articles_undated", "errors", "pages_not_article",
            "articles_refused")
# Runs whose counters say nothing about a portal's normal output (cut short, or never closed).
_INCOMPLETE = ("running", "interrupted")


@dataclass(slots=True)
class PortalRunStats:
    """Per-portal counters of one run, written by `finish_run`."""

    pages_fetched: int = 0
    not_modified: int = 0  # 304 answers to conditional requests
    articles_new: int = 0
    articles_version: int = 0  # a known URL serving a new body
    articles_duplicate: int = 0
    articles_seen: int = 0  # re-crawl of a URL already stored with the same content
    articles_failed: int = 0
    articles_undated: int = 0  # new and version articles stored without a publication date
    errors: int = 0
    pages_not_article: int = 0  # listings, sitemaps, feeds and refused candidates fetched
    articles_refused: int = 0  # article candidates whose content said they were not articles
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    started_at: datetime | None = None  # the portal's first activity in the run
    finished_at: datetime | None = None  # and its last
    status: str = "ok"
    note: str | None = None
    health: str | None = None  # flags joined by "; " (crawler/health.py)
    # the learned page layout stopped matching in this run (cleaning/layout_learning.Redesign):
    # the counts that showed it; the health flag `redesigned` (kept in `health`, no column)
    layout_redesign: str | None = None
    # crawler traps whose bound tripped in this run (crawler/traps.py): trap -> count; health
    # flags `trap <name> (<count>)` (kept in `health`, no column)
    traps: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: Any) -> None:
        """Add one store outcome (`.kind`: new, version, duplicate or seen) to its counter."""
        name = f"articles_{outcome.kind}"
        setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True, slots=True)
class RunPortalSummary:
    """One portal's line of a run report."""

    run_id: int
    portal_key: str
    portal_name: str
    pages_fetched: int
    not_modified: int
    articles_new: int
    articles_version: int
    articles_duplicate: int
    articles_seen: int
    articles_failed: int
    articles_undated: int
    errors: int
    errors_by_kind: dict[str, int]
    started_at: datetime | None
    finished_at: datetime | None
    status: str
    note: str | None
    health: str | None
    pages_not_article: int = 0
    articles_refused: int = 0

    @property
    def flags(self) -> list[str]:
        return self.health.split("; ") if self.health else []

    @property
    def duration(self) -> float | None:
        """Seconds between the portal's first and last activity (None for older rows)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run of `govcrawl runs`: when, how it ended, totals over its portals, and which
    portals failed entirely or were flagged by the health checks."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    args: str
    portals: int
    totals: dict[str, int]  # COUNTERS summed over the run's portals
    failed: list[str]
    flagged: dict[str, str]  # portal key -> health flags
    workers: int = 1  # crawl processes that shared the run (crawler/distributed.py, crawl_run_workers)

    @property
    def duration(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class PortalHistory:
    """What the health checks know of a portal's earlier runs (completed runs only)."""

    recent: list[RunPortalSummary]  # newest first
    published_before: bool  # some earlier run stored new articles, however long ago


def _utc_or_now(value: datetime | None, what: str) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value!r}")
    return value.astimezone(timezone.utc)


def start_run(session: Session, args: str, *, started_at: datetime | None = None) -> int:
    """Create a CrawlRun with status "running"; returns its id."""
    run = CrawlRun(started_at=_utc_or_now(started_at, "started_at"), status="running", args=args)
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    status: str,
    portal_stats: dict[str, PortalRunStats],
    *,
    finished_at: datetime | None = None,
) -> None:
    """Close a run: set its status and finish time, write the per-portal counters (by portal key).

    Calling it again for the same run overwrites the counters (one row per run and portal).
    """
    if status not in RUN_STATUSES:
        raise ValueError(f"run {run_id}: unknown status {status!r} (choose one of: {RUN_STATUSES})")
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise StorageError(f"unknown crawl run id {run_id}")
    run.status = status
    run.finished_at = _utc_or_now(finished_at, "finished_at")
    portal_ids = _portal_ids(session, portal_stats)
    existing = {row.portal_id: row for row in session.scalars(
        select(CrawlRunPortal).where(CrawlRunPortal.run_id == run_id))}
    for key, stats in portal_stats.items():
        row = existing.get(portal_ids[key])
        if row is None:
            row = CrawlRunPortal(run_id=run_id, portal_id=portal_ids[key])
            session.add(row)
        for name in COUNTERS:
            setattr(row, name, getattr(stats, name))
        row.errors_by_kind = dict(stats.errors_by_kind)
        row.started_at = _utc_or_now(stats.started_at, "started_at") if stats.started_at else None
        row.finished_at = _utc_or_now(stats.finished_at, "finished_at") if stats.finished_at else None
        row.status = stats.status
        row.note = stats.note
        row.health = stats.health
    session.flush()


def _portal_ids(session: Session, keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    ids = {key: id_ for key, id_ in session.execute(select(Portal.key, Portal.id).where(Portal.key.in_(keys)))}
    unknown = [key for key in keys if key not in ids]
    if unknown:
        raise StorageError(f"unknown portal key {unknown[0]!r}: call storage.repository.sync_portals() "
                           "with the registry before recording runs")
    return ids


def _summary(row: CrawlRunPortal, portal: Portal) -> RunPortalSummary:
    return RunPortalSummary(
        run_id=row.run_id, portal_key=portal.key, portal_name=portal.name,
        **{name: getattr(row, name) for name in COUNTERS},
        errors_by_kind=dict(row.errors_by_kind or {}),
        started_at=row.started_at, finished_at=row.finished_at,
        status=row.status, note=row.note, health=row.health,
    )


def run_summary(session: Session, run_id: int) -> list[RunPortalSummary]:
    """Per-portal counters of a run, by portal key."""
    stmt = (
        select(CrawlRunPortal, Portal)
        .join(Portal, CrawlRunPortal.portal_id == Portal.id)
        .where(CrawlRunPortal.run_id == run_id)
        .order_by(Portal.key)
    )
    return [_summary(row, portal) for row, portal in session.execute(stmt)]


def get_run(session: Session, run_id: int) -> RunRecord | None:
    """One run with its totals, or None for an unknown id."""
    runs = _records(session, select(CrawlRun).where(CrawlRun.id == run_id))
    return runs[0] if runs else None


def list_runs(session: Session, limit: int = 20) -> list[RunRecord]:
    """The latest `limit` runs, newest first, with their totals."""
    return _records(session, select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit))


def _records(session: Session, runs_stmt: Any) -> list[RunRecord]:
    runs = list(session.scalars(runs_stmt))
    portal_rows: dict[int, list[tuple[CrawlRunPortal, str]]] = {run.id: [] for run in runs}
    stmt = (
        select(CrawlRunPortal, Portal.key)
        .join(Portal, CrawlRunPortal.portal_id == Portal.id)
        .where(CrawlRunPortal.run_id.in_(portal_rows))
        .order_by(Portal.key)
    )
    for row, key in session.execute(stmt):
        portal_rows[row.run_id].append((row, key))
    workers = dict(session.execute(select(CrawlRunWorker.run_id, func.count()).where(
        CrawlRunWorker.run_id.in_(portal_rows)).group_by(CrawlRunWorker.run_id)).all())
    return [
        RunRecord(
            id=run.id, started_at=run.started_at, finished_at=run.finished_at, status=run.status,
            args=run.args, portals=len(portal_rows[run.id]),
            totals={name: sum(getattr(row, name) for row, _ in portal_rows[run.id]) for name in COUNTERS},
            failed=[key for row, key in portal_rows[run.id] if row.status == "failed"],
            flagged={key: row.health for row, key in portal_rows[run.id] if row.health},
            workers=workers.get(run.id) or 1,
        )
        for run in runs
    ]


def portal_history(session: Session, portal_key: str, *, before_run_id: int, limit: int) -> PortalHistory:
    """The portal's rows in the `limit` completed runs before `before_run_id` (newest first), and
    whether any completed run before that one stored new articles of it."""
    earlier = (
        select(CrawlRunPortal, Portal)
        .join(Portal, CrawlRunPortal.portal_id == Portal.id)
        .join(CrawlRun, CrawlRunPortal.run_id == CrawlRun.id)
        .where(Portal.key == portal_key, CrawlRun.id < before_run_id, CrawlRun.status.not_in(_INCOMPLETE))
    )
    recent = [_summary(row, portal) for row, portal in
              session.execute(earlier.order_by(CrawlRun.id.desc()).limit(limit))]
    published = session.execute(earlier.where(CrawlRunPortal.articles_new > 0).limit(1)).first()
    return PortalHistory(recent=recent, published_before=published is not None)
