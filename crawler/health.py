"""Health checks of the run report: which portals need a person to look at them.

Pure functions over a portal's counters in this run and in its earlier runs, so cron mail or a
monitor learns of a portal that broke quietly (the crawl itself "succeeds" on all of them):

- `unreachable`: every request failed (errors, and no page or 304 came back). Alone: the other
  checks say nothing about a portal that could not be read.
- `stalled`: no new article in this run nor in the `stalled_runs - 1` runs before it, while an
  earlier run stored new articles (a portal that used to publish went quiet: a changed
  listing URL, a blocked crawler, a moved site).
- `undated`: at least `redesign_share` of this run's new articles (and new versions) were stored
  without a publication date, out of at least `redesign_min_pages`, while the portal's earlier
  runs had at most `baseline_share` undated: the date element moved, a sign of a redesign.
- `bodiless`: the same for article pages that failed extraction (no body found).
- `redesigned (<m> of <n> recent pages on the learned paths, relearned)`: the paths the layout
  learner had learned for the portal's title, body and date (cleaning/layout_learning.py)
  matched on fewer than half of its recent pages in this run; they were dropped and are being
  learned anew.

Earlier runs are the latest `history_runs` completed runs of the portal; runs already flagged
`undated` (`bodiless`) are left out of that flag's baseline, so a redesign stays flagged while
it lasts, for up to `history_runs` runs, instead of only on the night it happened.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from storage.runs import PortalHistory, PortalRunStats, RunPortalSummary

Counts = PortalRunStats | RunPortalSummary


@dataclass(frozen=True, slots=True)
class Thresholds:
    stalled_runs: int = 3
    redesign_share: float = 0.5
    redesign_min_pages: int = 5
    baseline_share: float = 0.1
    history_runs: int = 10

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """From the Scrapy settings GOVCRAWL_HEALTH_* (see README, "Run reports")."""
        defaults = cls()
        return cls(
            stalled_runs=settings.getint("GOVCRAWL_HEALTH_STALLED_RUNS", defaults.stalled_runs),
            redesign_share=settings.getfloat("GOVCRAWL_HEALTH_REDESIGN_SHARE", defaults.redesign_share),
            redesign_min_pages=settings.getint("GOVCRAWL_HEALTH_REDESIGN_MIN_PAGES", defaults.redesign_min_pages),
            baseline_share=settings.getfloat("GOVCRAWL_HEALTH_BASELINE_SHARE", defaults.baseline_share),
            history_runs=settings.getint("GOVCRAWL_HEALTH_HISTORY_RUNS", defaults.history_runs),
        )


def portal_flags(current: Counts, history: PortalHistory, thresholds: Thresholds) -> list[str]:
    """The health flags of one portal in this run (empty: healthy)."""
    if is_unreachable(current):
        return ["unreachable"]
    flags = []
    if is_stalled(current, history, thresholds):
        flags.append("stalled")
    for flag, part, whole in REDESIGN_SIGNS:
        if is_redesign_sign(flag, part, whole, current, history.recent, thresholds):
            flags.append(flag)
    if (redesign := getattr(current, "layout_redesign", None)):
        flags.append(f"{REDESIGNED} ({redesign})")
    return flags


REDESIGNED = "redesigned"


def is_unreachable(current: Counts) -> bool:
    return current.errors > 0 and current.pages_fetched + current.not_modified == 0


def is_stalled(current: Counts, history: PortalHistory, thresholds: Thresholds) -> bool:
    if thresholds.stalled_runs < 1:
        return False
    streak = [current, *history.recent[: thresholds.stalled_runs - 1]]
    return (len(streak) == thresholds.stalled_runs and all(r.articles_new == 0 for r in streak)
            and history.published_before)


def _stored(r: Counts) -> int:
    return r.articles_new + r.articles_version


def _undated(r: Counts) -> int:
    return r.articles_undated


def _article_pages(r: Counts) -> int:
    return r.articles_new + r.articles_version + r.articles_duplicate + r.articles_seen + r.articles_failed


def _failed(r: Counts) -> int:
    return r.articles_failed


# flag, the pages showing the sign, the pages it is a share of
REDESIGN_SIGNS: tuple[tuple[str, Callable[[Counts], int], Callable[[Counts], int]], ...] = (
    ("undated", _undated, _stored),
    ("bodiless", _failed, _article_pages),
)


def is_redesign_sign(flag: str, part: Callable[[Counts], int], whole: Callable[[Counts], int],
                     current: Counts, earlier: Sequence[RunPortalSummary], thresholds: Thresholds) -> bool:
    """This run's share of `part` in `whole` is high, while the earlier runs' was low."""
    pages = whole(current)
    if pages < thresholds.redesign_min_pages or part(current) / pages < thresholds.redesign_share:
        return False
    baseline = [r for r in earlier if flag not in r.flags]
    baseline_pages = sum(whole(r) for r in baseline)
    return baseline_pages > 0 and sum(part(r) for r in baseline) / baseline_pages <= thresholds.baseline_share
