"""The command-line contract that scripts rely on: names, output shape, exit codes."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.conftest import run_govcrawl

FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"
REQUIRED = {"url", "title", "text", "published", "authors", "unit", "captions", "content_hash"}


def test_extract_writes_one_json_object_per_file_including_gzip_and_failures(tmp_path):
    page = next((FIXTURES / "drupal").glob("*.html"))
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page.read_bytes()))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")

    result = run_govcrawl("extract", "--url", "https://sonoivu.langson.gov.vn/node/1",
                          str(page), str(gz), str(empty))
    assert result.returncode == 1  # one file failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert REQUIRED <= set(lines[0]) and (lines[0]["file"], lines[1]["file"]) == (str(page), str(gz))
    assert {k: v for k, v in lines[0].items() if k != "file"} == {k: v for k, v in lines[1].items() if k != "file"}
    assert lines[0]["title"] == expected["title"]
    assert lines[0]["published"] == expected["published"]
    assert lines[2]["error"] == "empty" and lines[2]["file"] == str(empty)
    assert result.stderr.strip().splitlines() == [f"govcrawl: {empty}: {lines[2]['detail']}"]  # said, not only in the JSON


def test_extract_reads_a_saved_page_at_the_address_it_names_for_itself(tmp_path):
    saved = tmp_path / "saved.html"
    saved.write_text('<html><head><title>Hội nghị tổng kết năm</title>'
                     '<link rel="canonical" href="https://snv.langson.gov.vn/tin-tuc/hoi-nghi-1"></head><body>'
                     '<h1>Hội nghị tổng kết năm</h1><div class="content"><p>' + "Sáng nay, tại hội trường. " * 20 +
                     '</p><img src="/uploads/anh-1.jpg" alt="Toàn cảnh hội nghị tổng kết"><p>Ảnh: Toàn cảnh hội nghị</p>'
                     '<p>' + "Các đại biểu đã thảo luận. " * 20 + '</p></div></body></html>', encoding="utf-8")
    done = run_govcrawl("extract", str(saved))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["url"] == "https://snv.langson.gov.vn/tin-tuc/hoi-nghi-1" and record["file"] == str(saved)
    assert [i["src"] for i in record["images"]] == ["https://snv.langson.gov.vn/uploads/anh-1.jpg"]


def test_portals_lists_the_registry_table():
    result = run_govcrawl("portals")
    assert result.returncode == 0
    header, *rows = result.stdout.splitlines()
    assert header.split()[:6] == ["key", "name", "level", "status", "family", "hosts"]
    assert any(r.startswith("langson-sonoivu ") and "drupal" in r for r in rows)
    assert not any(r.startswith("replica-") for r in rows)
    assert "replica-drupal" in run_govcrawl("portals", "--all").stdout


def test_runs_on_a_database_without_runs_prints_the_header_and_unknown_ids_are_usage_errors(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert run_govcrawl("dedup", "--db", db_url).returncode == 0  # a writing command creates the database
    listed = run_govcrawl("runs", "--db", db_url)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[:4] == ["run", "started", "status", "duration"]
    assert json.loads(run_govcrawl("runs", "--db", db_url, "--json").stdout) == []
    assert run_govcrawl("runs", "1", "--db", db_url).returncode == 2
    assert run_govcrawl("runs", "--limit", "0", "--db", db_url).returncode == 2


def test_extract_refuses_an_unknown_family_and_knows_every_family(tmp_path):
    from cleaning.families import FAMILIES
    from crawler.cli import FAMILY_CHOICES
    assert set(FAMILY_CHOICES) == set(FAMILIES)
    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>x</h1></body></html>", encoding="utf-8")
    done = run_govcrawl("extract", "--family", "nonsense", str(page))
    assert done.returncode == 2 and "invalid choice: 'nonsense'" in done.stderr
