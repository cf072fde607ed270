"""A database that fails mid-crawl (issue 15 item 6): loud — exit 6, the run partial, the
undelivered file named — and lossless: `govcrawl redeliver` brings the archive to exactly what an
undisturbed crawl stores, compared row by row, and a second redelivery changes nothing.

The failure is the database's own: a trigger refuses to store some of the pages' URLs with the
error a full disk gives, as storage that fails for some writes and not others does; and a real
full disk: SQLite on a filesystem of 256 KiB (tmpfs, mounted for the test), grown afterwards.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from crawler.registry import load_registry
from portalsim import ReplicaServer, build_replica
from storage import Database
from tests.conftest import FAST_CRAWL, ROOT, run_govcrawl
from tests.storage_fixtures import archive_snapshot, database_pair

pytestmark = pytest.mark.e2e
STORIES = 30
REFUSED = "%7%"  # the URLs (LIKE) whose pages the failing database does not take

FAULT = {
    "sqlite": [f"""CREATE TRIGGER disk_full BEFORE INSERT ON article_urls WHEN NEW.url LIKE '{REFUSED}'
                   BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"""],
    "postgresql": [f"""CREATE FUNCTION disk_full() RETURNS trigger AS $$ BEGIN
                       IF NEW.url LIKE '{REFUSED}' THEN
                           RAISE EXCEPTION 'could not extend file: No space left on device';
                       END IF; RETURN NEW; END $$ LANGUAGE plpgsql""",
                   "CREATE TRIGGER disk_full BEFORE INSERT ON article_urls FOR EACH ROW EXECUTE FUNCTION disk_full()"],
}
REPAIR = {"sqlite": ["DROP TRIGGER disk_full"],
          "postgresql": ["DROP TRIGGER disk_full ON article_urls", "DROP FUNCTION disk_full()"]}


@pytest.fixture(scope="module")
def served():
    with ReplicaServer(build_replica(seed=31, articles=STORIES)) as server:
        yield server


def _execute(db_url: str, statements: list[str]) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _crawl(db_url: str, dead_letters: Path, *settings: str):
    keys = [p.key for p in load_registry() if p.replica]
    return run_govcrawl("crawl", *keys, "--db", db_url, *FAST_CRAWL, "-s", f"GOVCRAWL_DEAD_LETTER_DIR={dead_letters}",
                        *settings)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_failing_database_exits_6_and_redelivery_completes_the_archive(served, backend, tmp_path):
    with database_pair(backend, tmp_path) as (straight, failing):
        assert _crawl(straight, tmp_path / "unused").returncode == 0
        expected = archive_snapshot(straight)

        Database(failing).migrate()
        _execute(failing, FAULT[backend])
        done = _crawl(failing, tmp_path / "dead")
        assert done.returncode == 6, done.stdout + done.stderr[-3000:]
        [undelivered] = (tmp_path / "dead").glob("undelivered-run*.jsonl")
        assert f"govcrawl redeliver {undelivered}" in done.stderr
        records = [json.loads(line) for line in undelivered.read_text(encoding="utf-8").splitlines()]
        assert records and all("page" in r and r["page"]["body_b64"] for r in records)
        engine = create_engine(failing)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT status FROM crawl_runs")).scalar_one() == "partial"
        engine.dispose()
        assert archive_snapshot(failing)["articles"] != expected["articles"]  # pages are missing

        _execute(failing, REPAIR[backend])
        kept = tmp_path / "copy.jsonl"
        shutil.copy(undelivered, kept)
        redelivered = run_govcrawl("redeliver", str(undelivered), "--db", failing)
        assert redelivered.returncode == 0, redelivered.stdout + redelivered.stderr[-3000:]
        assert f"redelivered {len(records)} pages" in redelivered.stdout
        assert not undelivered.exists()  # nothing left to deliver
        resumed = archive_snapshot(failing)
        for part in ("articles", "urls", "clusters"):
            assert resumed[part] == expected[part], part
        assert resumed["unplaced"] == 0 and resumed["pending"] == 0

        again = run_govcrawl("redeliver", str(kept), "--db", failing)  # the same records once more
        assert again.returncode == 0 and " new" not in again.stdout, again.stdout
        assert archive_snapshot(failing) == resumed  # exactly once


@contextmanager
def small_filesystem(path: Path, size: str):
    """A tmpfs of `size` mounted at `path` for the block (root only: mount(8))."""
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "govcrawl-test", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="a real full disk needs a small filesystem mounted (root)")
def test_a_full_disk_exits_6_and_redelivery_completes_the_archive_and_closes_the_run(served, tmp_path):
    straight = f"sqlite:///{tmp_path / 'straight.sqlite'}"
    assert _crawl(straight, tmp_path / "unused").returncode == 0
    expected = archive_snapshot(straight)

    with small_filesystem(tmp_path / "small", "256k") as small:
        full = f"sqlite:///{small / 'full.sqlite'}"
        done = _crawl(full, tmp_path / "dead")  # the database and its WARC captures on the full disk
        assert done.returncode == 6, done.stdout + done.stderr[-3000:]
        assert "Traceback" not in done.stderr
        [undelivered] = (tmp_path / "dead").glob("undelivered-run*.jsonl")
        assert f"govcrawl redeliver {undelivered}" in done.stderr
        records = [json.loads(line) for line in undelivered.read_text(encoding="utf-8").splitlines()]
        assert sum("page" in r for r in records) >= STORIES  # most of the crawl did not fit

        subprocess.run(["mount", "-o", "remount,size=64m", str(small)], check=True)  # the disk grown
        redelivered = run_govcrawl("redeliver", str(undelivered), "--db", full)
        assert redelivered.returncode == 0, redelivered.stdout + redelivered.stderr[-3000:]
        resumed = archive_snapshot(full)
        for part in ("articles", "urls", "clusters"):
            assert resumed[part] == expected[part], part
        assert resumed["unplaced"] == 0 and resumed["pending"] == 0
        engine = create_engine(full)
        with engine.connect() as conn:  # closed by the crawl, or by its closing record: never left running
            assert conn.execute(text("SELECT status FROM crawl_runs")).scalar_one() == "partial"
            assert conn.execute(text("SELECT count(*) FROM crawl_run_portals")).scalar_one() == 6
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_connections_killed_mid_crawl_lose_nothing_silently(served, tmp_path):
    """The server ends the crawl's connections again and again (an administrator, a failover):
    every page is stored, or kept in the undelivered file with exit 6 — never lost with exit 0."""
    with database_pair("postgresql", tmp_path) as (straight, killed):
        assert _crawl(straight, tmp_path / "unused").returncode == 0
        expected = archive_snapshot(straight)
        Database(killed).migrate()
        name = make_url(killed).database
        admin = create_engine(make_url(killed).set(database="postgres"), isolation_level="AUTOCOMMIT")
        keys = [p.key for p in load_registry() if p.replica]
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", *keys, "--db", killed, *FAST_CRAWL,
             "-s", f"GOVCRAWL_DEAD_LETTER_DIR={tmp_path / 'dead'}"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        kills, started = 0, False
        try:
            while crawl.poll() is None:
                time.sleep(0.1)
                started = started or _run_started(killed)
                if not started:
                    continue  # mid-crawl: once the run is open (a crawl that cannot start stores nothing)
                with admin.connect() as conn:
                    kills += conn.execute(text(
                        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()) AS ended"), {"name": name}).scalar_one()
            out, err = crawl.communicate(timeout=60)
        finally:
            if crawl.poll() is None:
                crawl.kill()
            admin.dispose()
        assert kills >= 3, "the crawl's connections were hardly ended: the test proved nothing"
        assert "[parameters:" not in err  # failed statements are named, their values (articles) not logged
        assert crawl.returncode in (0, 6), out + err[-3000:]
        undelivered = list((tmp_path / "dead").glob("undelivered-run*.jsonl"))
        assert bool(undelivered) == (crawl.returncode == 6)  # a loss shows in the exit status
        for path in undelivered:
            assert run_govcrawl("redeliver", str(path), "--db", killed).returncode == 0
        resumed = archive_snapshot(killed)
        for part in ("articles", "urls", "clusters"):
            assert resumed[part] == expected[part], part
        assert resumed["unplaced"] == 0
        engine = create_engine(killed)
        with engine.connect() as conn:  # the run closed, by the crawl or by its closing record
            assert conn.execute(text("SELECT status FROM crawl_runs WHERE id = 1")).scalar_one() in ("ok", "partial")
        engine.dispose()
        if resumed["pending"]:  # crawl state the database did not take: the next run fetches those again
            assert _crawl(killed, tmp_path / "dead").returncode == 0
            again = archive_snapshot(killed)
            assert again["pending"] == 0 and all(again[p] == expected[p] for p in ("articles", "urls", "clusters"))


def _run_started(db_url: str) -> bool:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM crawl_runs")).scalar_one())
    finally:
        engine.dispose()


def test_redeliver_keeps_what_fails_again_and_names_a_missing_file(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    missing = run_govcrawl("redeliver", str(tmp_path / "nope.jsonl"), "--db", db_url)
    assert missing.returncode == 2 and "no undelivered file" in missing.stderr
    path = tmp_path / "undelivered-run1.jsonl"
    path.write_text('{"portal": "x", "url": "http://a.gov.vn/1", "run_id": 1, "failure": '
                    '{"kind": "http", "reason": "HTTP 500"}}\nnot json\n', encoding="utf-8")
    done = run_govcrawl("redeliver", str(path), "--db", db_url)
    assert done.returncode == 6, done.stdout + done.stderr  # an unreadable line stays undelivered
    assert "1 failure records" in done.stdout and "1 still undelivered" in done.stdout
    assert path.read_text(encoding="utf-8") == "not json\n"
