"""Hostile portals (issue 15): each probe of portalsim/hostile.py crawled beside 10 good articles.

Every case asserts what a nightly crawl must guarantee whatever the server does: the crawl ends
within a bound, every good article is stored, every bad item has a failure row of the right
kind, and nothing off the portal's hosts was requested (the internal service counts its hits).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.backoff import retry_after_seconds
from portalsim.hostile import INTERNAL_MARK, RETRY_AFTER_S, HostileSite
from storage import Database
from storage.models import ArticleUrl, Failure
from tests.conftest import FAST_CRAWL, ROOT, run_govcrawl

pytestmark = pytest.mark.e2e
CRAWL_BOUND_S = 120  # every probe's crawl, on this 2-core machine; a trap followed runs far longer


@dataclass
class Crawled:
    site: HostileSite
    exit_code: int
    stderr: str
    report: dict
    stored: set[str]          # every URL of every stored article
    failures: list[Failure]
    seconds: float
    peak_rss: int             # bytes, the crawl's whole process tree

    def failure_kinds(self) -> dict[str, str]:
        return {f.url: f.kind for f in self.failures}


def _session_rss(sid: int) -> int:
    """Resident bytes of every process in session `sid` (the crawl and its page workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[3]) == sid:  # field 6 of stat: the session id
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # field 24: rss in pages
    return total


def run_measured(*args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """`govcrawl ARGS` in a session of its own, with the peak resident size of its process tree."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-m", "crawler", *args], stdout=out, stderr=err, text=True,
                                 cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
        peak, deadline = 0, time.monotonic() + CRAWL_BOUND_S
        while child.poll() is None:
            if time.monotonic() > deadline:
                os.killpg(child.pid, signal.SIGKILL)
                raise AssertionError(f"the crawl ran over {CRAWL_BOUND_S} s")
            peak = max(peak, _session_rss(child.pid))
            time.sleep(0.05)
        out.seek(0), err.seek(0)
        return subprocess.CompletedProcess(child.args, child.returncode, out.read(), err.read()), peak


def crawl(mode: str, tmp_path: Path, *args: str) -> Crawled:
    db_url = f"sqlite:///{tmp_path / 'hostile.sqlite'}"
    with HostileSite(mode) as site:
        started = time.monotonic()
        done, peak = run_measured("crawl", site.start_url, "--db", db_url, "--json", *FAST_CRAWL, *args)
        seconds = time.monotonic() - started
    db = Database(db_url)
    with db.session() as session:
        stored = set(session.scalars(select(ArticleUrl.url)))
        failures = list(session.scalars(select(Failure)))
        session.expunge_all()
    db.dispose()
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    assert INTERNAL_MARK not in done.stdout + done.stderr
    return Crawled(site, done.returncode, done.stderr, report, stored, failures, seconds, peak)


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert retry_after_seconds(b"5") == 5.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 30) == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 + 30) == 0.0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_a_good_site_is_stored_whole(tmp_path: Path) -> None:
    result = crawl("good", tmp_path)
    assert result.exit_code == 0, result.stderr[-2000:]
    assert set(result.site.good_urls) <= result.stored
    assert result.failures == []


def test_retry_after_is_honoured_and_every_article_stored(tmp_path: Path) -> None:
    result = crawl("retry_after", tmp_path)
    assert set(result.site.good_urls) <= result.stored, result.stderr[-2000:]
    for article in result.site.articles:
        first, second, *rest = result.site.hit_times[article.path]
        assert not rest  # refused once, fetched once
        assert second - first >= RETRY_AFTER_S - 0.05, article.path  # not before the server asked
    assert result.exit_code == 0


def test_extract_keeps_a_paragraph_of_one_10_mb_line(tmp_path: Path) -> None:
    site = HostileSite("huge_line")
    _, _, page = site.render(site.hostile_article.path, 1)
    path = tmp_path / "huge.html"
    path.write_bytes(page)
    done = run_govcrawl("extract", "--url", "https://huyen.langson.gov.vn/tin-tuc/a-1.html", str(path), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    text = json.loads(done.stdout)["text"]
    assert text.count("Đoạn văn rất dài") >= 500_000  # the 10 MB line, whole
    assert site.hostile_article.title.split()[0] in json.loads(done.stdout)["title"]


def test_session_ids_in_every_link_do_not_multiply_the_pages(tmp_path: Path) -> None:
    result = crawl("session_ids", tmp_path)
    assert set(result.site.good_urls) <= result.stored, result.stderr[-2000:]
    assert not any("sid=" in url for url in result.stored)
    for article in result.site.articles:  # each article fetched once, whatever sid its links carried
        assert len(result.site.hit_times[article.path]) == 1
    assert result.exit_code == 0


def _frontier(tmp_path: Path) -> set[str]:
    from storage.models import FrontierEntry
    db = Database(f"sqlite:///{tmp_path / 'hostile.sqlite'}")
    with db.session() as session:
        queued = set(session.scalars(select(FrontierEntry.url)))
    db.dispose()
    return queued


@pytest.mark.parametrize("mode", ["offsite_redirect", "offsite_refresh"])
def test_a_redirect_off_the_portal_is_refused_and_recorded(tmp_path: Path, mode: str) -> None:
    result = crawl(mode, tmp_path)
    hostile = result.site.base_url + result.site.hostile_article.path
    assert result.site.internal_hits == 0  # the internal service never saw a request
    assert set(result.site.good_urls) - {hostile} <= result.stored, result.stderr[-2000:]
    assert result.failure_kinds() == {hostile: "offsite"}
    [failure] = result.failures
    assert result.site.internal_url in failure.reason  # the target is named
    assert hostile not in _frontier(tmp_path)  # refused for good, not retried every night


def test_a_redirect_loop_is_a_failure_of_its_own(tmp_path: Path) -> None:
    result = crawl("redirect_loop", tmp_path)
    assert set(result.site.good_urls) <= result.stored
    loop = result.site.base_url + "/loop/a"
    assert result.failure_kinds() == {loop: "redirect"}
    assert "loop" in result.failures[0].reason
    assert loop not in _frontier(tmp_path)


def test_a_moved_article_is_stored_under_both_urls_and_leaves_the_frontier(tmp_path: Path) -> None:
    result = crawl("moved", tmp_path)
    old = result.site.base_url + "/old/tin-3.html"
    assert set(result.site.good_urls) | {old} <= result.stored  # the old URL is the article's too
    assert result.failures == []
    assert _frontier(tmp_path) == set()  # the walk is complete: nothing left queued


def test_a_registered_portal_on_a_private_address_is_refused_unless_allowed(tmp_path: Path) -> None:
    """A registry entry whose host is a loopback address (standing for 10.x or 169.254.169.254):
    refused before any request, each start point a failure; GOVCRAWL_PRIVATE_HOSTS allows it."""
    with HostileSite("good") as site:
        host = site.base_url.removeprefix("http://")
        (tmp_path / "portals").mkdir()
        (tmp_path / "portals" / "test.toml").write_text(f'''
[[portal]]
key = "inside"
name = "Máy chủ nội bộ"
level = "xa"
province = "Lạng Sơn"
hosts = ["{host}"]
scheme = "http"
start_points = [{{ kind = "listing", url = "{site.start_url}" }}]
''', encoding="utf-8")
        db_url = f"sqlite:///{tmp_path / 'refused.sqlite'}"
        refused = run_govcrawl("crawl", "inside", "--db", db_url, "--registry", str(tmp_path / "portals"),
                               *FAST_CRAWL, timeout=CRAWL_BOUND_S)
        assert sum(site.hits.values()) == 0  # not even robots.txt
        allowed = run_govcrawl("crawl", "inside", "--db", f"sqlite:///{tmp_path / 'allowed.sqlite'}",
                               "--registry", str(tmp_path / "portals"), *FAST_CRAWL,
                               "-s", "GOVCRAWL_PRIVATE_HOSTS=127.0.0.1", timeout=CRAWL_BOUND_S)
        assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert refused.returncode == 1  # the portal failed entirely
    db = Database(db_url)
    with db.session() as session:
        kinds = {f.url: f.kind for f in session.scalars(select(Failure))}
    db.dispose()
    assert kinds.get(site.start_url) == "private_address", kinds


def _health(result: Crawled) -> list[str]:
    [portal] = result.report["portals"]
    return portal["health"]


def test_an_over_long_url_is_refused_at_discovery_and_recorded(tmp_path: Path) -> None:
    result = crawl("long_url", tmp_path)
    long_url = result.site.base_url + result.site.long_path
    assert set(result.site.good_urls) <= result.stored
    assert result.failure_kinds() == {long_url: "url_too_long"}
    assert result.site.long_path not in result.site.hits  # never requested
    assert long_url not in _frontier(tmp_path)  # never queued
    assert any(flag.startswith("trap url_length") for flag in _health(result))
    assert result.exit_code == 5  # a health flag: cron mails it


def test_an_endless_calendar_is_not_read_as_articles(tmp_path: Path) -> None:
    result = crawl("calendar", tmp_path)
    assert set(result.site.good_urls) <= result.stored
    day_pages = [path for path in result.site.hits if path.count("/") == 4 and path[1:5].isdigit()]
    assert len(day_pages) <= 3, day_pages[:5]  # a day archive is no article (a slug holds a letter)
    assert result.failures == []


def test_an_endless_pager_of_junk_stops_and_is_flagged(tmp_path: Path) -> None:
    result = crawl("endless_pages", tmp_path)
    assert set(result.site.good_urls) <= result.stored
    pages = [path for path in result.site.hits if path.startswith("/tin-tuc?page=")]
    assert len(pages) <= 5, len(pages)  # GOVCRAWL_DRY_LISTING_PAGES (3) pages without an article
    assert any(flag.startswith("trap dry_listing") for flag in _health(result))
    assert result.exit_code == 5


def test_listing_depth_bounds_a_pager_of_articles_too(tmp_path: Path) -> None:
    result = crawl("endless_pages", tmp_path, "-s", "GOVCRAWL_DRY_LISTING_PAGES=100",
                   "-s", "GOVCRAWL_LISTING_DEPTH=20")
    pages = [path for path in result.site.hits if path.startswith("/tin-tuc?page=")]
    assert 15 <= len(pages) <= 21, len(pages)
    assert any(flag.startswith("trap listing_depth") for flag in _health(result))


@pytest.mark.parametrize("mode, kind", [("empty_sitemap", "sitemap"), ("sitemap_bomb", "too_large")])
def test_an_unreadable_sitemap_is_recorded_not_a_traceback(tmp_path: Path, mode: str, kind: str) -> None:
    result = crawl(mode, tmp_path)
    assert set(result.site.good_urls) <= result.stored
    assert result.failure_kinds() == {result.site.base_url + "/sitemap.xml": kind}
    assert "Traceback" not in result.stderr


PEAK_RSS_BOUND = 400 * 1024 * 1024  # the crawl's process tree while a 50 MB page or a bomb is served


@pytest.mark.parametrize("mode", ["big_page", "big_stream", "gzip_bomb"])
def test_oversized_pages_are_refused_within_a_memory_bound(tmp_path: Path, mode: str) -> None:
    result = crawl(mode, tmp_path)
    hostile = result.site.base_url + result.site.hostile_article.path
    assert set(result.site.good_urls) - {hostile} <= result.stored
    assert result.failure_kinds() == {hostile: "too_large"}
    assert result.peak_rss < PEAK_RSS_BOUND, result.peak_rss // 2**20
    assert hostile not in _frontier(tmp_path)  # not fetched again next run


def test_a_burst_of_503s_is_retried_and_nothing_lost(tmp_path: Path) -> None:
    result = crawl("error_burst", tmp_path, "-s", "RETRY_TIMES=3", "-s", "GOVCRAWL_RETRY_AFTER_MAX=2")
    assert set(result.site.good_urls) <= result.stored, result.stderr[-2000:]
    assert result.failures == []


def test_a_page_over_the_extraction_budget_fails_and_holds_up_nothing(tmp_path: Path) -> None:
    """The 10 MB-line page takes seconds to extract: with a budget of 0.5 s it fails ("timeout")
    and the pages behind it are stored."""
    result = crawl("huge_line", tmp_path, "-s", "GOVCRAWL_EXTRACT_TIMEOUT=0.5", "-s", "GOVCRAWL_PROCESS_WORKERS=1",
                   "-s", "DOWNLOAD_MAXSIZE=20000000")  # the page is 12.5 MB
    hostile = result.site.base_url + result.site.hostile_article.path
    assert set(result.site.good_urls) - {hostile} <= result.stored
    [failure] = result.failures
    assert failure.url == hostile and failure.kind == "extraction" and "GOVCRAWL_EXTRACT_TIMEOUT" in failure.reason
