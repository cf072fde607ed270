"""Workers of a run shared through Redis (crawler/distributed.py): one `CrawlRunWorker` row per
worker, written by the worker that closes the run. Never commits (the caller owns the
transaction), as in `storage.repository`."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CrawlRunWorker


@dataclass(frozen=True, slots=True)
class WorkerShare:
    worker: str
    host: str | None
    status: str  # done | stopped | gone
    joined_at: datetime | None
    left_at: datetime | None
    portals: tuple[str, ...]
    pages_fetched: int = 0
    not_modified: int = 0
    articles_new: int = 0
    errors: int = 0


def record_workers(session: Session, run_id: int, shares: Iterable[WorkerShare]) -> None:
    """The run's workers, each once (written again: updated)."""
    existing = {row.worker: row for row in session.scalars(
        select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id))}
    for share in shares:
        row = existing.get(share.worker)
        if row is None:
            row = CrawlRunWorker(run_id=run_id, worker=share.worker)
            session.add(row)
        for name in ("host", "status", "joined_at", "left_at", "pages_fetched", "not_modified", "articles_new",
                     "errors"):
            setattr(row, name, getattr(share, name))
        row.portals = list(share.portals)
    session.flush()


def run_workers(session: Session, run_id: int) -> list[WorkerShare]:
    """The workers of a run, in the order they are named (none: a single-process run)."""
    rows = session.scalars(select(CrawlRunWorker).where(CrawlRunWorker.run_id == run_id)
                           .order_by(CrawlRunWorker.id)).all()
    return [WorkerShare(r.worker, r.host, r.status, r.joined_at, r.left_at, tuple(r.portals or ()),
                        r.pages_fetched, r.not_modified, r.articles_new, r.errors) for r in rows]
