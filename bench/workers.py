"""Several workers against one process: wall time and pages/s of the same crawl of the replica
portals with 1 process and with N `govcrawl crawl --redis` workers, politeness off, each into a
fresh PostgreSQL database, in the same run.

    python bench/workers.py [--articles 1000] [--workers 2] [--redis redis://127.0.0.1:6379/13]

The replica is served by a child process; every crawl has one page process per worker
(GOVCRAWL_PROCESS_WORKERS=1), so N workers use N crawl processes and N page processes. Prints
per crawl: wall time (start of the first process to the end of the last), pages fetched, pages/s,
and the ratio of N workers' pages/s to one process's. On two cores the replica server, the
crawl processes, the page processes and PostgreSQL share the cores: expect the ratio to say
how much of one crawl process's time was waiting rather than computing.
"""
from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("GOVCRAWL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "-s", "GOVCRAWL_PROCESS_WORKERS=1")


def _database(admin, name: str) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def _crawl(keys: list[str], db: str, workers: int, redis_url: str, prefix: str) -> tuple[float, int]:
    # a PostgreSQL database has no file to put its WARC captures beside: a temporary directory
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GOVCRAWL_WARC_DIR": tempfile.mkdtemp(prefix="govcrawl-bench-warc-")}
    base = [sys.executable, "-m", "crawler", "crawl", *keys, "--db", db, *FAST]
    if workers > 1:
        commands = [[*base, "--redis", redis_url, "--worker-id", str(i), "-s", f"GOVCRAWL_REDIS_PREFIX={prefix}",
                     "-s", f"GOVCRAWL_WORKER_PORTALS={max(1, -(-len(keys) // workers))}"] for i in range(workers)]
    else:
        commands = [base]
    started = time.monotonic()
    children = [subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for c in commands]
    codes = [child.wait() for child in children]
    elapsed = time.monotonic() - started
    if any(codes):
        raise SystemExit(f"a crawl failed: exit codes {codes}")
    engine = create_engine(db)
    with engine.connect() as conn:
        pages = conn.execute(text("SELECT sum(pages_fetched) FROM crawl_run_portals")).scalar_one() or 0
    engine.dispose()
    return elapsed, int(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from crawler.registry import load_registry

    keys = [p.key for p in load_registry() if p.replica]
    server = subprocess.Popen([sys.executable, "-m", "portalsim", "serve", "--articles", str(args.articles)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    names = []
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("serving"):
                break
        else:
            raise SystemExit("the replica did not start: " + (server.stderr.read() if server.stderr else ""))
        results = {}
        for workers in (1, args.workers):
            name = f"govcrawl_bench_{secrets.token_hex(4)}"
            names.append(name)
            elapsed, pages = _crawl(keys, _database(admin, name), workers, args.redis, f"govcrawl-bench-{name}")
            results[workers] = (elapsed, pages)
            print(f"{workers} {'process' if workers == 1 else 'workers'}: {elapsed:.1f} s, {pages} pages, "
                  f"{pages / elapsed:.1f} pages/s", flush=True)
        (t1, p1), (tn, pn) = results[1], results[args.workers]
        print(f"ratio ({args.workers} workers / 1 process, pages/s): {(pn / tn) / (p1 / t1):.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
