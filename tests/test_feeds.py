"""Scrapy's own feed exports (issue 16 item 5): `scrapy crawl portal -O x.jsonl` writes one line
per article the crawl stored, the record `govcrawl export` writes for it (it wrote an empty file
after 44 TypeErrors on raw bytes)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portalsim import ReplicaServer, build_replica
from tests.conftest import ROOT, run_govcrawl

pytestmark = pytest.mark.e2e


def _scrapy_crawl(db_url: str, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "portal=replica-drupal", "-O", str(output),
         "-s", f"GOVCRAWL_DB={db_url}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
         "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_scrapy_feed_exports_write_the_stored_articles(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'feed.sqlite'}"
    with ReplicaServer(build_replica(seed=3, articles=20)):
        lines_done = _scrapy_crawl(db_url, tmp_path / "articles.jsonl")
    assert lines_done.returncode == 0, lines_done.stderr[-3000:]
    assert "TypeError" not in lines_done.stderr
    fed = [json.loads(line) for line in (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    exported = [json.loads(line) for line in run_govcrawl("export", "--db", db_url).stdout.splitlines()]
    assert fed and len(fed) == len({r["id"] for r in fed})  # one line per stored article
    assert {r["id"] for r in fed} == {r["id"] for r in exported}
    by_id = {r["id"]: r for r in exported}
    for record in fed:
        assert record["title"] == by_id[record["id"]]["title"] and record["text"] == by_id[record["id"]]["text"]
        assert record["urls"] and "body" not in record  # no raw bytes


def test_a_csv_feed_has_the_export_columns(tmp_path: Path) -> None:
    with ReplicaServer(build_replica(seed=3, articles=10)):
        done = _scrapy_crawl(f"sqlite:///{tmp_path / 'feed.sqlite'}", tmp_path / "articles.csv")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = list(csv.DictReader((tmp_path / "articles.csv").open(encoding="utf-8")))
    assert rows and list(rows[0])[:3] == ["id", "portal", "title"]
    assert all(row["title"] and row["text"] for row in rows)


def test_export_csv_with_bom_opens_in_excel_as_utf8(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'feed.sqlite'}"
    with ReplicaServer(build_replica(seed=3, articles=5)):
        assert _scrapy_crawl(db_url, tmp_path / "x.jsonl").returncode == 0
    plain = run_govcrawl("export", "--db", db_url, "--format", "csv", "-o", str(tmp_path / "plain.csv"))
    marked = run_govcrawl("export", "--db", db_url, "--format", "csv", "--bom", "-o", str(tmp_path / "bom.csv"))
    assert plain.returncode == marked.returncode == 0
    assert (tmp_path / "bom.csv").read_bytes() == b"\xef\xbb\xbf" + (tmp_path / "plain.csv").read_bytes()
    rows = list(csv.DictReader((tmp_path / "bom.csv").open(encoding="utf-8-sig")))
    assert rows and rows[0]["id"]  # the first column's name is read without the mark
