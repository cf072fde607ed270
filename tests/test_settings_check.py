"""`govcrawl crawl -s NAME=VALUE` and `--max-pages` checked before anything starts (issue 16
item 7): one line and exit 2, no database touched."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.settings_check import setting_problem
from tests.conftest import run_govcrawl


@pytest.mark.parametrize("name, value, words", [
    ("GOVCRAWL_PROCES_WORKERS", "1", "did you mean GOVCRAWL_PROCESS_WORKERS?"),
    ("GOVCRAWL_NONSENSE", "1", "known: GOVCRAWL_"),
    ("DOWNLOAD_DELAY", "abc", "is a number"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "2.5", "a whole number"),
    ("ROBOTSTXT_OBEY", "maybe", "true or false"),
    ("GOVCRAWL_LISTING_DEPTH", "-3", "must not be negative"),
])
def test_bad_settings_are_named_with_the_fix(name: str, value: str, words: str) -> None:
    assert words in setting_problem(name, value)


@pytest.mark.parametrize("name, value", [
    ("GOVCRAWL_PROCESS_WORKERS", "-1"), ("GOVCRAWL_EXTRACT_TIMEOUT", "0.5"), ("DOWNLOAD_DELAY", "0"),
    ("AUTOTHROTTLE_ENABLED", "0"), ("GOVCRAWL_PRIVATE_HOSTS", "a.gov.vn,b.gov.vn"), ("LOG_LEVEL", "WARNING"),
    ("SOME_EXTENSION_SETTING", "x"),
])
def test_good_settings_pass(name: str, value: str) -> None:
    assert setting_problem(name, value) is None


@pytest.mark.parametrize("args, words", [
    (("-s", "GOVCRAWL_PROCES_WORKERS=1"), "did you mean GOVCRAWL_PROCESS_WORKERS?"),
    (("-s", "DOWNLOAD_DELAY=abc"), "DOWNLOAD_DELAY is a number"),
    (("--max-pages", "0"), "--max-pages 0: at least 1"),
    (("--max-pages", "-1"), "--max-pages -1: at least 1"),
])
def test_crawl_refuses_them_in_one_line_before_starting(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    db = tmp_path / "never.sqlite"
    done = run_govcrawl("crawl", "replica-drupal", "--db", f"sqlite:///{db}", *args, timeout=60)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
    assert words in done.stderr
    assert not db.exists()
