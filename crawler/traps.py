"""Crawler traps bounded on every portal, registered or not (issue 15): each bound that trips is
counted (`govcrawl/<portal>/traps/<trap>`), becomes a health flag of the run report, and the
URLs it refuses are recorded, never dropped in silence.

* `url_length`: a link longer than GOVCRAWL_MAX_URL_CHARS is refused at discovery (a failure
  row each): it would otherwise be queued, then dropped by Scrapy's URL length limit.
* `query_values`: one path's query parameter taking more than GOVCRAWL_QUERY_VALUES distinct
  values in a run (a calendar's ?date=, a session id under a name no list knows); page numbers
  are left to the listing depth bound. The first refusal of each is a failure row.
* `dry_listing`: a chain of listing pages stops after GOVCRAWL_DRY_LISTING_PAGES pages in a row
  that link no article at all (an endless pager of junk).
* `listing_depth`: a chain of listing pages stops after GOVCRAWL_LISTING_DEPTH pages.
* `pages_per_run`: a portal gets at most GOVCRAWL_PORTAL_MAX_PAGES requests per run (the walk
  goes on in the next run, like `--max-pages`).
* `refused_candidates`: once GOVCRAWL_REFUSED_CANDIDATES of a portal's article candidates (links
  of an unknown URL shape a listing's structure offers) turned out to be no articles in a run,
  it gets no more candidates this run (a site whose every "list" links more lists); links of
  the shapes its confirmed articles taught are still followed. The first skipped one is a
  failure row.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TRAPS = ("url_length", "query_values", "dry_listing", "listing_depth", "pages_per_run", "refused_candidates")
# parameters that number a listing's pages: bounded by the listing depth, not by their values
PAGE_PARAMETERS = frozenset({"page", "p", "paged", "pg", "pagenum", "pagenumber", "pageindex", "trang",
                             "start", "offset", "cp", "pageno", "currentpage"})


@dataclass(frozen=True)
class TrapLimits:
    max_url_chars: int = 2000
    query_values: int = 1000
    dry_listing_pages: int = 3
    listing_depth: int = 2000
    portal_pages: int = 50_000
    refused_candidates: int = 500

    @classmethod
    def from_settings(cls, settings: Any) -> TrapLimits:
        return cls(
            max_url_chars=settings.getint("GOVCRAWL_MAX_URL_CHARS", cls.max_url_chars),
            query_values=settings.getint("GOVCRAWL_QUERY_VALUES", cls.query_values),
            dry_listing_pages=settings.getint("GOVCRAWL_DRY_LISTING_PAGES", cls.dry_listing_pages),
            listing_depth=settings.getint("GOVCRAWL_LISTING_DEPTH", cls.listing_depth),
            portal_pages=settings.getint("GOVCRAWL_PORTAL_MAX_PAGES", cls.portal_pages),
            refused_candidates=settings.getint("GOVCRAWL_REFUSED_CANDIDATES", cls.refused_candidates),
        )


class TrapGuard:
    """The bounds of one crawl; `stats`: the crawl's Scrapy stats."""

    def __init__(self, limits: TrapLimits, stats: Any) -> None:
        self.limits = limits
        self.stats = stats
        self._values: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self._reported: set[tuple[str, str, str]] = set()
        self._refused: dict[str, int] = defaultdict(int)  # portal -> candidates refused this run

    def trip(self, key: str, trap: str) -> None:
        self.stats.inc_value(f"govcrawl/{key}/traps/{trap}")

    def candidate_refused(self, key: str) -> None:
        self._refused[key] += 1

    def refuse_candidate(self, key: str) -> tuple[str, bool] | None:
        """Why the portal gets no more article candidates this run, and whether this is the first
        one refused (a failure row); None while it may."""
        if self._refused[key] < self.limits.refused_candidates:
            return None
        first = (key, "", "refused_candidates") not in self._reported
        self._reported.add((key, "", "refused_candidates"))
        self.trip(key, "refused_candidates")
        return (f"{self._refused[key]} article candidates of this portal were no articles in this run "
                f"(GOVCRAWL_REFUSED_CANDIDATES={self.limits.refused_candidates}): no more candidates"), first

    def refuse_url(self, key: str, url: str) -> tuple[str, bool] | None:
        """Why `url` is not to be queued, and whether the refusal is to be a failure row (the
        first of its kind); None when it may be."""
        if len(url) > self.limits.max_url_chars:
            self.trip(key, "url_length")
            return (f"a URL of {len(url)} characters (over GOVCRAWL_MAX_URL_CHARS="
                    f"{self.limits.max_url_chars})"), True
        parts = urlsplit(url)
        if not parts.query:
            return None
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name.lower() in PAGE_PARAMETERS:
                continue
            slot = (key, parts.path, name)
            seen = self._values[slot]
            if value in seen:
                continue
            if len(seen) >= self.limits.query_values:
                self.trip(key, "query_values")
                first = slot not in self._reported
                self._reported.add(slot)
                return (f'{parts.path} took more than {self.limits.query_values} values of "{name}" in this run '
                        f"(GOVCRAWL_QUERY_VALUES): a calendar or session trap"), first
            seen.add(value)
        return None

