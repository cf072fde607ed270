"""Which runs are alive: every process of a run holds its run's lock, shared, while it runs.

A run left "running" by a process that died (SIGKILL, a power loss) has no holder left; the next
crawl closes it as "interrupted" instead of leaving it running forever. Several workers of one
run (crawler/distributed.py) each hold the lock shared; a run is abandoned when an exclusive
lock can be had, that is when no process holds it.

* PostgreSQL: a session advisory lock (class `RUN_LOCK_CLASS`, key the run id) on a connection
  of its own, kept for the run's life; the server drops it with the connection.
* SQLite: flock(2) on `<database file>-run<N>.lock` beside the database; the kernel drops it
  with the process.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database

RUN_LOCK_CLASS = 0x72756E  # "run", apart from the other advisory lock classes


class RunLock:
    """The shared lock a process of run `run_id` holds (`release` or the process's end drops it)."""

    def __init__(self, db: Database, run_id: int) -> None:
        self.db, self.run_id = db, run_id
        self._conn: Any = None
        self._fd: int | None = None
        if db.engine.dialect.name == "postgresql":
            self._conn = db.engine.connect()
            self._conn.execute(text("SELECT pg_advisory_lock_shared(:c, :k)"), {"c": RUN_LOCK_CLASS, "k": run_id})
            self._conn.commit()
        elif (path := _lock_path(db, run_id)) is not None:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._conn is not None:
            try:  # the connection goes back to the pool: its session, and a session lock, live on
                self._conn.execute(text("SELECT pg_advisory_unlock_shared(:c, :k)"),
                                   {"c": RUN_LOCK_CLASS, "k": self.run_id})
                self._conn.commit()
            except SQLAlchemyError:
                self._conn.invalidate()  # the server ended it (the lock with it): never pooled again
            self._conn.close()
            self._conn = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            path = _lock_path(self.db, self.run_id)
            if path is not None and not abandoned(self.db, self.run_id, keep=True):
                return  # another process of the run still holds it
            if path is not None:
                path.unlink(missing_ok=True)


def abandoned(db: Database, run_id: int, *, keep: bool = False) -> bool:
    """True when no process holds run `run_id`'s lock (its processes are gone)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:c, :k)"), {"c": RUN_LOCK_CLASS, "k": run_id}).scalar()
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:c, :k)"), {"c": RUN_LOCK_CLASS, "k": run_id})
            conn.commit()
            return bool(got)
    path = _lock_path(db, run_id)
    if path is None:
        return False  # an in-memory database: no other process can have left a run
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    if not keep:
        path.unlink(missing_ok=True)
    return True


def _lock_path(db: Database, run_id: int) -> Path | None:
    database = db.sqlite_path
    return None if database is None else database.with_name(f"{database.name}-run{run_id}.lock")


def close_abandoned_runs(db: Database, own_run_id: int) -> list[int]:
    """Close as "interrupted" every run still "running" whose processes are all gone; returns
    their ids. Called by a crawl once it holds its own run's lock."""
    from storage.models import CrawlRun
    from storage.runs import finish_run

    with db.session() as session, session.begin():
        running = [run_id for (run_id,) in session.query(CrawlRun.id).filter(
            CrawlRun.status == "running", CrawlRun.id != own_run_id)]
        closed = [run_id for run_id in running if abandoned(db, run_id)]
        for run_id in closed:
            finish_run(session, run_id, "interrupted", {})
    return closed
