"""`govcrawl redeliver FILE`: store what a crawl could not (its undelivered file), exactly once.

Pages go through the page worker's own path (`PageStore`: extraction, storage, crawl state), so
a redelivered page ends as it would have in the crawl; a page already stored meanwhile (a later
run fetched it again) comes out "seen", not twice. Failure records become failure rows. The
records delivered leave the file; what fails again stays in it, so running the command again
delivers only the rest, and a file with nothing left is removed.
"""
from __future__ import annotations

import logging
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.processing import PageJob, PageStore, Target
from crawler.undelivered import job_fields, read_records, rewrite
from storage import Database, StorageError, repository
from storage.models import CrawlRun, Portal

logger = logging.getLogger(__name__)


@dataclass
class Redelivery:
    pages: Counter[str] = field(default_factory=Counter)  # outcome (new, seen, failed, ...) -> pages
    failures: int = 0       # failure rows written
    left: int = 0           # records still undelivered (in the file)
    unreadable: int = 0     # lines that are no record (kept in the file, never guessed at)

    def describe(self) -> str:
        pages = sum(self.pages.values())
        outcomes = ", ".join(f"{n} {kind}" for kind, n in sorted(self.pages.items()))
        text = f"redelivered {pages} pages ({outcomes or 'none'}) and {self.failures} failure records"
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
            for _, record, line in read_records(path):
                if record is None or not ({"page", "failure"} & record.keys()):
                    result.unreadable += 1
                    left.append(line)
                    continue
                run_id = record.get("run_id") if record.get("run_id") in runs else None
                if _deliver(record, run_id, db, portal_ids, stores, scratch, result):
                    continue
                left.append(line)
        finally:
            for store in stores.values():
                store.close()
    result.left = len(left)
    rewrite(path, left)
    return result


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
