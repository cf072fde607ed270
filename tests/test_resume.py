"""A crawl killed with SIGKILL (the whole process group, as a power loss would) at three random
moments and resumed each time ends with exactly the articles, URLs and clusters of an
uninterrupted crawl, compared row by row on their natural keys, on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from crawler.registry import load_registry
from portalsim import ReplicaServer, build_replica
from storage.models import PageState
from tests.conftest import FAST_CRAWL, ROOT, run_govcrawl
from tests.storage_fixtures import archive_snapshot, database_pair

pytestmark = pytest.mark.e2e

STORIES = 240


@pytest.fixture(scope="module")
def served():
    with ReplicaServer(build_replica(seed=23, articles=STORIES)) as server:
        yield server


def _keys() -> list[str]:
    return [p.key for p in load_registry() if p.replica]


def _crawl(db_url: str) -> None:
    done = run_govcrawl("crawl", *_keys(), "--db", db_url, *FAST_CRAWL)
    assert done.returncode == 0, done.stdout + done.stderr


def _failures(db_url: str) -> set[tuple[str, str]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT kind, url FROM failures")).all())
    finally:
        engine.dispose()


def _pages_done(engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(PageState.__table__)).scalar_one()
    except SQLAlchemyError:  # the crawl has not created the tables yet
        return 0


def _crawl_signalled_after(db_url: str, pages: int, signum: int = signal.SIGKILL,
                           stderr: Path | None = None) -> tuple[int, int]:
    """Start a crawl and send `signum` to its whole process group (crawl process and page
    workers: a power loss kills them all, a terminal's Ctrl-C interrupts them all) once `pages`
    page states are committed; returns how many there were then, and the crawl's exit code.
    `stderr`: a file for the crawl's stderr."""
    engine = create_engine(db_url)
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", *_keys(), "--db", db_url, *FAST_CRAWL],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=stderr.open("w") if stderr else subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while child.poll() is None and time.monotonic() < deadline:
            done = _pages_done(engine)
            if done >= pages:
                os.killpg(child.pid, signum)
                return done, child.wait(timeout=120)  # a graceful stop that hangs fails here
            time.sleep(0.05)
        raise AssertionError(f"the crawl ended (exit {child.returncode}) before {pages} pages were done")
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_crawl_killed_three_times_ends_like_an_uninterrupted_one(served, backend, tmp_path):
    with database_pair(backend, tmp_path) as (straight, killed):
        _crawl(straight)
        expected = archive_snapshot(straight)
        total = _pages_done(create_engine(straight))
        assert len(expected["articles"]) >= STORIES and expected["pending"] == 0

        rng = random.Random(f"kill:{backend}")
        moments = sorted(rng.sample(range(total // 10, total * 9 // 10), 3))
        reached = []
        for pages in moments:
            reached.append(_crawl_signalled_after(killed, pages)[0])
        assert reached == sorted(reached) and reached[0] < total
        _crawl(killed)  # the run that finishes

        resumed = archive_snapshot(killed)
        for part in ("articles", "urls", "clusters"):
            missing, extra = expected[part] - resumed[part], resumed[part] - expected[part]
            assert not missing and not extra, (part, list(missing)[:3], list(extra)[:3])
        assert resumed["unplaced"] == 0 and resumed["pending"] == 0


def test_ctrl_c_stops_the_crawl_gracefully_and_the_next_run_completes_it(served, tmp_path):
    """Ctrl-C (SIGINT to the process group): the crawl stores what is in flight and exits 130
    with its run recorded as interrupted and no page recorded as failed; the next run ends with
    the archive of an uninterrupted crawl."""
    straight, stopped = (f"sqlite:///{tmp_path / name}.sqlite" for name in ("straight", "stopped"))
    _crawl(straight)
    expected = archive_snapshot(straight)
    total = _pages_done(create_engine(straight))

    reached, code = _crawl_signalled_after(stopped, total // 3, signal.SIGINT, tmp_path / "stderr")
    assert code == 130 and reached < total
    said = (tmp_path / "stderr").read_text(encoding="utf-8")
    assert "govcrawl: stopping: the pages in flight are stored" in said, said[-2000:]  # Ctrl-C answered at once
    engine = create_engine(stopped)
    with engine.connect() as conn:
        assert [status for (status,) in conn.execute(text("SELECT status FROM crawl_runs"))] == ["interrupted"]
        # no failure of its own: only those an undisturbed crawl records too (an attachment off the portal)
        assert set(conn.execute(text("SELECT kind, url FROM failures")).all()) <= _failures(straight)
        assert conn.execute(text("SELECT count(*) FROM portals WHERE walk_completed_at IS NOT NULL")).scalar_one() == 0
        portal_statuses = set(conn.execute(text("SELECT status FROM crawl_run_portals")).scalars())
        assert "interrupted" in portal_statuses and "failed" not in portal_statuses
    engine.dispose()

    _crawl(stopped)
    resumed = archive_snapshot(stopped)
    for part in ("articles", "urls", "clusters"):
        assert resumed[part] == expected[part], part
    assert resumed["unplaced"] == 0 and resumed["pending"] == 0
