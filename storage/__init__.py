"""Database layer: SQLAlchemy models, Alembic migrations, and a repository that never commits.

    from storage import Database, repository
    db = Database()        # url None -> $GOVCRAWL_DB -> sqlite:///./data/govcrawl.sqlite
    db.migrate()
    with db.session() as s, s.begin():
        repository.sync_portals(s, records)
"""
from storage.db import Database, StorageError
from storage.repository import (
    FailureRecord,
    PortalRecord,
    StoreOutcome,
    iter_export,
    list_failures,
    record_failure,
    store_article,
    store_page,
    sync_portals,
)
from storage.runs import PortalRunStats, RunPortalSummary, finish_run, run_summary, start_run

__all__ = [
    "Database",
    "FailureRecord",
    "PortalRecord",
    "PortalRunStats",
    "RunPortalSummary",
    "StorageError",
    "StoreOutcome",
    "finish_run",
    "iter_export",
    "list_failures",
    "record_failure",
    "run_summary",
    "start_run",
    "store_article",
    "store_page",
    "sync_portals",
]
