"""Shared fixtures: databases on both backends, a CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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
