"""(a) The replica portals: every copy of every story, per family and per field, both extractors.

Fields, as issue 3 defines the bars:
  body       ScrapingHub shingle F1 of `text` against the true body
  leak       catalogue strings on the page that reach `text` (share; must be 0)
  title      exact match
  published  correct to the minute (govcrawl; trafilatura gives only a day: scored to the day;
             a layout page that shows only the day is scored to the day for both)
  fields an extractor does not produce are None (n/a), not matches of an empty truth
  clock / event   wrong dates that are the header clock's day / any other date on the page
  authors, unit, captions, summary, source_tag, attribution   exact match (lists in order)
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import urlsplit

from lxml import html as lxml_html

from cleaning.normalize import decode_html
from evaluation.catalogue import leaks
from evaluation.extractors import EXTRACTORS, Extracted, display, supports
from evaluation.metrics import body_scores

EXACT_FIELDS = ("title", "authors", "unit", "captions", "summary", "source_tag", "attribution")


def visible_text(page: bytes) -> str:
    root = lxml_html.document_fromstring(decode_html(page))
    for el in root.iter("script", "style", "noscript"):
        el.text = None
    return " ".join(root.itertext())


def _published_ok(found: datetime | date | None, truth: datetime, day_only: bool = False) -> bool:
    """To the minute, or to the day where the extractor gives a day or the page shows only one."""
    if isinstance(found, datetime) and day_only:
        return (found.astimezone(truth.tzinfo) if found.tzinfo else found).date() == truth.date()
    if isinstance(found, datetime):
        return found.replace(second=0, microsecond=0) == truth.replace(second=0, microsecond=0)
    if isinstance(found, date):
        return found == truth.date()
    return False


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


class FamilyTally:
    """Counts for one family and one extractor."""

    def __init__(self, fields: Callable[[str], bool] = lambda field: True) -> None:
        self.scored = fields
        self.pages = 0
        self.refused = 0
        self.hits: dict[str, int] = defaultdict(int)
        self.leaked = self.leak_candidates = 0
        self.clock_dates = self.other_wrong_dates = 0
        self.bodies: list[tuple[str, str]] = []
        self.seconds = 0.0

    def add(self, got: Extracted, truth, page_text: str, clock: datetime) -> None:
        self.pages += 1
        self.seconds += got.seconds
        if got.error:
            self.refused += 1
        true_text = display(truth.text) or ""
        self.bodies.append((true_text, display(got.text) or ""))
        leaked, candidates = leaks(page_text, got.text, true_text)
        self.leaked += leaked
        self.leak_candidates += candidates
        day_only = getattr(truth, "published_precision", "minute") == "day"
        if _published_ok(got.published, truth.published, day_only):
            self.hits["published"] += 1
        elif got.published is not None:
            if _day(got.published) == clock.date():
                self.clock_dates += 1
            else:
                self.other_wrong_dates += 1
        expected = {
            "title": display(truth.title), "authors": [display(a) for a in truth.authors],
            "unit": display(truth.unit), "captions": [display(c) for c in truth.captions],
            "summary": display(truth.summary), "source_tag": truth.source_tag,
            "attribution": display(truth.attribution),
        }
        for name in EXACT_FIELDS:
            value = getattr(got, name)
            value = [display(v) for v in value] if isinstance(value, list) else (
                display(value) if name != "source_tag" else value)
            self.hits[name] += value == expected[name]

    def summary(self) -> dict[str, float | int]:
        n = self.pages or 1
        out: dict[str, float | int] = {"pages": self.pages, "refused": self.refused,
                                       "body_f1": body_scores(self.bodies)["f1"]}
        out["leak"] = self.leaked / self.leak_candidates if self.leak_candidates else 0.0
        out["published"] = self.hits["published"] / n
        out["clock_dates"] = self.clock_dates
        out["other_wrong_dates"] = self.other_wrong_dates
        for name in EXACT_FIELDS:
            out[name] = self.hits[name] / n if self.scored(name) else None
        out["ms_per_page"] = 1000 * self.seconds / n
        return out


def evaluate_replica(articles: int = 120, seed: int = 0,
                     extractors: dict[str, Callable[..., Extracted]] | None = None) -> dict:
    """Score each extractor on every URL of every copy of a replica of `articles` stories."""
    from portalsim import build_replica

    extractors = extractors or EXTRACTORS
    replica = build_replica(seed=seed, articles=articles)
    clock = replica.now()
    tallies: dict[str, dict[str, FamilyTally]] = {
        name: defaultdict(lambda extract=extract: FamilyTally(lambda field: supports(extract, field)))
        for name, extract in extractors.items()}
    for story in replica.truth:
        for copy in story.copies:
            for url in copy.urls:
                parts = urlsplit(url)
                status, _headers, page = replica.render(
                    parts.netloc, parts.path + (f"?{parts.query}" if parts.query else ""))
                if status != 200:
                    raise RuntimeError(f"replica did not serve its own truth URL {url}: {status}")
                page_text = visible_text(page)
                for name, extract in extractors.items():
                    tallies[name][copy.family].add(extract(page, url), copy, page_text, clock)
    return {name: {family: t.summary() for family, t in sorted(by_family.items())}
            for name, by_family in tallies.items()}
