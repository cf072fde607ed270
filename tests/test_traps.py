"""The trap bounds themselves (crawler/traps.py); the crawls against traps are in test_hostile.py."""
from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.traps import TrapGuard, TrapLimits


def _guard(**limits: int) -> TrapGuard:
    return TrapGuard(TrapLimits(**limits), MemoryStatsCollector(get_crawler()))


def test_a_url_over_the_length_bound_is_refused_and_recorded_each_time() -> None:
    guard = _guard(max_url_chars=50)
    assert guard.refuse_url("p", "http://a.gov.vn/tin-tuc/ngan-1.html") is None
    reason, record = guard.refuse_url("p", "http://a.gov.vn/" + "x" * 60)
    assert "76 characters" in reason and record
    assert guard.stats.get_value("govcrawl/p/traps/url_length") == 1


def test_a_parameter_taking_too_many_values_is_refused_and_recorded_once() -> None:
    guard = _guard(query_values=3)
    urls = [f"http://a.gov.vn/lich?ngay=2024-01-{d:02d}" for d in range(1, 7)]
    verdicts = [guard.refuse_url("p", url) for url in urls]
    assert verdicts[:3] == [None, None, None]
    assert [record for _, record in verdicts[3:]] == [True, False, False]  # one failure row
    assert guard.refuse_url("p", urls[0]) is None  # a value seen before stays allowed
    assert guard.refuse_url("q", urls[5]) is None  # per portal
    assert guard.stats.get_value("govcrawl/p/traps/query_values") == 3


def test_page_numbers_are_left_to_the_listing_depth_bound() -> None:
    guard = _guard(query_values=3)
    assert all(guard.refuse_url("p", f"http://a.gov.vn/tin-tuc?page={n}&cat=5") is None for n in range(50))


def test_a_portal_whose_candidates_keep_being_lists_gets_no_more_after_the_bound() -> None:
    guard = _guard(refused_candidates=3)
    for _ in range(2):
        guard.candidate_refused("a")
    assert guard.refuse_candidate("a") is None  # 2 refused: candidates still fetched
    guard.candidate_refused("a")
    reason, first = guard.refuse_candidate("a")
    assert first and "3 article candidates" in reason and "GOVCRAWL_REFUSED_CANDIDATES=3" in reason
    assert guard.refuse_candidate("a")[1] is False  # one failure row, not one per skipped link
    assert guard.refuse_candidate("b") is None  # per portal
    assert guard.stats.get_value("govcrawl/a/traps/refused_candidates") == 2
