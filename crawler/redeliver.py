"""`govcrawl redeliver FILE`: store what a crawl could not (its undelivered file), exactly once.

Pages go through the page worker's own path (`PageStore`: extraction, storage, crawl state), so
a redelivered page ends as it would have in the crawl; a page already stored meanwhile (a later
run fetched it again) comes out "seen", not twice. Failure records become failure rows; a run's
closing record (the crawl could not close its run) closes it, after its pages. The records
delivered leave the file; what fails again stays in it, so running the command again
delivers only the rest, and a file with nothing left is removed.
"""
from __future__ import annotations

import logging
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.health import Thresholds
from crawler.processing import PageJob, PageStore, Target
from crawler.runs import assess_health
from crawler.undelivered import job_fields, read_records, rewrite, run_fields
from storage import Database, StorageError, repository
from storage.models import CrawlRun, Portal
from storage.runs import PortalRunStats, finish_run

logger = logging.getLogger(__name__)


@dataclass
class Redelivery:
    pages: Counter[str] = field(default_factory=Counter)  # outcome (new, seen, failed, ...) -> pages
    failures: int = 0       # failure rows written
    runs_closed: list[int] = field(default_factory=list)  # runs closed with their closing record
    left: int = 0           # records still undelivered (in the file)
    unreadable: int = 0     # lines that are no record (kept in the file, never guessed at)

    def describe(self) -> str:
        pages = sum(self.pages.values())
        outcomes = ", ".join(f"{n} {kind}" for kind, n in sorted(self.pages.items()))
        text = f"redelivered {pages} pages ({outcomes or 'none'}) and {self.failures} failure records"
        if self.runs_closed:
            text += "; closed run " + ", ".join(str(r) for r in self.runs_closed)
        if self.left:
            text += f"; {self.left} still undelivered ({self.unreadable} unreadable), kept in the file"
        return text


def redeliver(path: Path, db: Database) -> Redelivery:
    """Store the records of undelivered file `path` into `db`; rewrite the file with the rest."""
    result = Redelivery()
    left: list[str] = []
    stores: dict[int | None, PageStore] = {}
    with db.session() as session:
        portal_ids = dict(session.execute(select(Portal.key, Portal.id)).all())
        runs = set(session.scalars(select(CrawlRun.id)))
    with tempfile.TemporaryDirectory(prefix="govcrawl-redeliver-") as scratch:
        try:
            closing: list[tuple[dict, str]] = []
            for _, record, line in read_records(path):
                if record is None or not ({"page", "failure", "run"} & record.keys()):
                    result.unreadable += 1
                    left.append(line)
                    continue
                if "run" in record:  # after every page of the file: the counters are the crawl's
                    closing.append((record, line))
                    continue
                run_id = record.get("run_id") if record.get("run_id") in runs else None
                if _deliver(record, run_id, db, portal_ids, stores, scratch, result):
                    continue
                left.append(line)
            for record, line in closing:
                if not _close_run(record, db, result):
                    left.append(line)
        finally:
            for store in stores.values():
                store.close()
    result.left = len(left)
    rewrite(path, left)
    return result


def _close_run(record: dict, db: Database, result: Redelivery) -> bool:
    """Close the run a closing record is of, as the crawl would have; a run closed already (this
    record was delivered before) stays as it is. False when the database fails again."""
    run_id = record.get("run_id")
    try:
        with db.session() as session, session.begin():
            run = session.get(CrawlRun, run_id)
            if run is None or run.status != "running":
                return True
            stats = run_fields(record, PortalRunStats)
            if record["run"].get("assess_health"):
                assess_health(session, run_id, stats, Thresholds(**record["run"]["thresholds"]))
            finished = datetime.fromisoformat(record["run"]["finished_at"])
            finish_run(session, run_id, record["run"]["status"], stats, finished_at=finished)
    except (SQLAlchemyError, StorageError) as exc:
        logger.warning("run %s still not closed: %s", run_id, exc)
        return False
    result.runs_closed.append(run_id)
    return True


def _deliver(record: dict, run_id: int | None, db: Database, portal_ids: dict[str, int],
             stores: dict[int | None, PageStore], scratch: str, result: Redelivery) -> bool:
    """One record into the database; False when it failed again (it stays undelivered)."""
    if "failure" in record:
        try:
            with db.session() as session, session.begin():
                repository.record_failure(session, run_id=run_id, portal_key=record["portal"], url=record["url"],
                                          kind=record["failure"]["kind"], reason=record["failure"]["reason"])
        except (SQLAlchemyError, StorageError) as exc:
            logger.warning("failure record of %s still undelivered: %s", record.get("url"), exc)
            return False
        result.failures += 1
        return True
    job = PageJob(**job_fields(record, PageJob))
    job = replace(job, portal_id=portal_ids.get(job.portal_key, 0))  # this database's id of the portal
    store = stores.get(run_id)
    if store is None:  # pages that fail again go to a scratch file: this file is the record of them
        store = stores[run_id] = PageStore(Target(db.url.render_as_string(hide_password=False), run_id, scratch))
    outcome = store.process(job)
    if outcome.outcome == "storage_error":
        logger.warning("page %s still undelivered: %s", job.final_url, outcome.reason)
        return False
    result.pages[outcome.outcome] += 1
    return True
