"""Shared fixtures: databases on both backends, a CLI runner."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_replica_port() -> int:
    """A port free on the replica's addresses (family portals, aliases, asset host, layout
    portals), so a test run never waits for, or crawls, another run's replica servers."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 40000)
        sockets = []
        try:
            for addr in ("127.0.10.1", "127.0.11.1", "127.0.10.14", "127.0.20.1", "127.0.21.1"):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free port for the replica portals on 127.0.10.x")


# before portalsim is imported: its addresses follow the variable, and so do the child processes
os.environ.setdefault("GOVCRAWL_REPLICA_PORT", str(_free_replica_port()))

# One PostgreSQL fixture for the whole suite (skips with the reason, or fails when CI=true):
# `db_url` runs a test on a SQLite file and on a fresh PostgreSQL database.
from tests.storage_fixtures import db_url, fresh_postgres_database  # noqa: E402,F401


def run_govcrawl(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process (Twisted's reactor cannot restart inside pytest)."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


FAST_CRAWL = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
              "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
