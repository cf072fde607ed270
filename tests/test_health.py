"""The health checks of the run report, on synthetic run histories (crawler/health.py)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from crawler.health import Thresholds, portal_flags
from crawler.report import exit_code
from storage.runs import COUNTERS, PortalHistory, PortalRunStats, RunPortalSummary

DEFAULT = Thresholds()


def past(health: str | None = None, **counts: int) -> RunPortalSummary:
    """An earlier run of the portal: 100 pages fetched unless said otherwise."""
    values = {name: 0 for name in COUNTERS} | {"pages_fetched": 100} | counts
    return RunPortalSummary(run_id=0, portal_key="p", portal_name="P", errors_by_kind={}, started_at=None,
                            finished_at=None, status="ok", note=None, health=health, **values)


def now(**counts: int) -> PortalRunStats:
    return PortalRunStats(**({"pages_fetched": 100} | counts))


def flags(current: PortalRunStats, *earlier: RunPortalSummary, thresholds: Thresholds = DEFAULT) -> list[str]:
    """Flags of `current` after `earlier` (newest first); `published_before` as storage derives it."""
    history = PortalHistory(recent=list(earlier), published_before=any(r.articles_new for r in earlier))
    return portal_flags(current, history, thresholds)


def test_a_normal_run_is_healthy() -> None:
    assert flags(now(articles_new=8), past(articles_new=10), past(articles_new=12)) == []


def test_first_run_of_a_portal_is_never_flagged_for_what_it_has_no_history_of() -> None:
    assert flags(now(articles_new=0)) == []
    assert flags(now(articles_new=10, articles_undated=10, articles_failed=20)) == []


@pytest.mark.parametrize("current", [
    now(pages_fetched=0, errors=12),                           # every request answered 500
    now(pages_fetched=0, errors=3, articles_new=0),            # DNS gone
])
def test_every_request_failing_is_unreachable_and_nothing_else(current: PortalRunStats) -> None:
    # the portal used to publish and had three quiet runs, but "stalled" would only repeat the news
    assert flags(current, past(), past(), past(articles_new=5)) == ["unreachable"]


def test_a_portal_answering_only_304s_is_reachable() -> None:
    assert flags(now(pages_fetched=0, not_modified=40, errors=2), past(articles_new=5)) == []


def test_no_request_at_all_is_not_unreachable() -> None:
    assert flags(now(pages_fetched=0, errors=0)) == []


def test_stalled_after_n_runs_without_new_articles_where_it_used_to_publish() -> None:
    earlier = (past(), past(), past(articles_new=7), past(articles_new=3))
    assert flags(now(), *earlier[1:]) == []  # two quiet runs (this one included): not yet
    assert flags(now(), *earlier) == ["stalled"]
    assert flags(now(), past(), past(), past(), *earlier) == ["stalled"]  # and it stays flagged
    assert flags(now(articles_new=1), *earlier) == []  # it published again


def test_never_publishing_portal_is_not_stalled() -> None:
    assert flags(now(), past(), past(), past(), past()) == []


def test_stalled_uses_published_before_beyond_the_window() -> None:
    history = PortalHistory(recent=[past(), past()], published_before=True)  # the earlier run is out of the window
    assert portal_flags(now(), history, DEFAULT) == ["stalled"]
    assert portal_flags(now(), PortalHistory(recent=[past(), past()], published_before=False), DEFAULT) == []


def test_stalled_threshold_is_configurable_and_zero_switches_it_off() -> None:
    earlier = (past(), past(articles_new=4))
    assert flags(now(), *earlier, thresholds=Thresholds(stalled_runs=2)) == ["stalled"]
    assert flags(now(), *earlier, thresholds=Thresholds(stalled_runs=0)) == []


def test_undated_when_most_new_articles_lose_their_date_after_dated_runs() -> None:
    dated = (past(articles_new=10, articles_undated=1), past(articles_new=10))
    assert flags(now(articles_new=6, articles_undated=3), *dated) == ["undated"]  # 50%
    assert flags(now(articles_new=6, articles_undated=2), *dated) == []  # 33%
    assert flags(now(articles_new=3, articles_version=1, articles_undated=4), *dated) == []  # 4 pages: too few
    assert flags(now(articles_new=3, articles_version=2, articles_undated=5), *dated) == ["undated"]  # versions count


def test_undated_needs_a_dated_past() -> None:
    always_undated = (past(articles_new=10, articles_undated=9), past(articles_new=10, articles_undated=10))
    assert flags(now(articles_new=10, articles_undated=10), *always_undated) == []
    borderline = (past(articles_new=10, articles_undated=1),)  # exactly 10%: still "dated"
    assert flags(now(articles_new=10, articles_undated=10), *borderline) == ["undated"]
    no_articles_before = (past(articles_new=0),)
    assert flags(now(articles_new=10, articles_undated=10), *no_articles_before) == []


def test_a_redesign_stays_flagged_while_it_lasts() -> None:
    dated = past(articles_new=10)
    flagged_before = past(health="undated", articles_new=10, articles_undated=10)
    assert flags(now(articles_new=10, articles_undated=9), flagged_before, flagged_before, dated) == ["undated"]
    assert flags(now(articles_new=10, articles_undated=9), flagged_before, flagged_before) == []  # the new normal


def test_bodiless_when_most_article_pages_fail_extraction_after_good_runs() -> None:
    good = (past(articles_new=10, articles_seen=30), past(articles_new=5, articles_seen=35, articles_failed=1))
    assert flags(now(articles_new=1, articles_failed=9), *good) == ["bodiless"]
    # seen and duplicate pages are article pages too: 9 of 31 failing is no redesign
    assert flags(now(articles_new=1, articles_seen=20, articles_duplicate=1, articles_failed=9), *good) == []


def test_several_flags_at_once_in_a_fixed_order() -> None:
    earlier = (past(), past(), past(articles_new=10, articles_seen=10))
    current = now(articles_seen=2, articles_failed=8)
    assert flags(current, *earlier) == ["stalled", "bodiless"]


def test_thresholds_from_scrapy_settings() -> None:
    from scrapy.settings import Settings

    settings = Settings({"GOVCRAWL_HEALTH_STALLED_RUNS": "5", "GOVCRAWL_HEALTH_REDESIGN_SHARE": "0.8",
                         "GOVCRAWL_HEALTH_REDESIGN_MIN_PAGES": 20, "GOVCRAWL_HEALTH_BASELINE_SHARE": "0.05",
                         "GOVCRAWL_HEALTH_HISTORY_RUNS": 30})
    assert Thresholds.from_settings(settings) == Thresholds(5, 0.8, 20, 0.05, 30)
    assert Thresholds.from_settings(Settings()) == DEFAULT


def test_exit_code_failed_entirely_wins_over_flags() -> None:
    ok, flagged, failed = (SimpleNamespace(status=s, health=h) for s, h in
                           (("ok", None), ("ok", "stalled"), ("failed", "unreachable")))
    assert exit_code([ok]) == 0
    assert exit_code([ok, flagged]) == 5
    assert exit_code([ok, flagged, failed]) == 1
    assert exit_code([SimpleNamespace(status="failed", health=None)]) == 1
