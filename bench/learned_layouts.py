"""Learned layouts (cleaning/layout_learning.py) on the layout portals: how often the learned
paths are used, and that extraction with them scores no lower than the generic path.

    python bench/learned_layouts.py [--layouts 40] [--seed 0] [--articles 200]

The pages of `govcrawl eval replica --layouts N --seed S --articles A` (development seeds only:
0-999) are extracted in the replica's order twice: once by the generic path (no hints, as the
eval runs it), once with each portal's learned layout as hints, the learner fed with every
page's `layout_paths` as the page worker feeds it. Printed: per field, the share of pages where
a learned path was tried and where the element it named was the one the field came from
("used and matched"), the redesigns seen (none expected), and the eval's figures side by side.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaning import ExtractionError, extract_article  # noqa: E402
from cleaning.layout_learning import PATH_FIELDS, PREFIX, SUFFIX, LayoutLearner, LearnedLayout  # noqa: E402
from evaluation.extractors import Extracted, govcrawl  # noqa: E402
from evaluation.layouts import ALL, FAMILY_THEMES, VENDORS, evaluate_layouts  # noqa: E402

FIGURES = ("body_f1", "leak", "title", "published", "authors", "unit", "captions", "summary", "source_tag",
           "attribution", "refused")


@dataclass(frozen=True, slots=True)
class Hints:
    family: str | None
    date_order: str | None
    layout: LearnedLayout | None


class LearnedExtractor:
    """`govcrawl`'s extractor with a per-portal (per-host) layout learner in front."""

    def __init__(self) -> None:
        self.learner = LayoutLearner()
        self.pages = 0
        self.hinted = 0            # pages extracted with a learned layout
        self.all_matched = 0       # ... whose fields all came from the learned paths
        self.tried: Counter[str] = Counter()
        self.matched: Counter[str] = Counter()
        self.redesigns = 0

    def __call__(self, html: bytes, url: str, hints: object | None = None) -> Extracted:
        portal = urlsplit(url).netloc
        layout = self.learner.learned(portal)
        started = time.perf_counter()
        try:
            a = extract_article(html, url, Hints(None, None, layout))  # type: ignore[arg-type]
        except ExtractionError as exc:
            return Extracted(error=exc.reason, seconds=time.perf_counter() - started)
        seconds = time.perf_counter() - started
        self.pages += 1
        if layout is not None:
            self.hinted += 1
            hits = []
            for name in (*PATH_FIELDS, PREFIX, SUFFIX):
                want = getattr(layout, name)
                if want:
                    self.tried[name] += 1
                    hit = a.layout_paths.get(name) == want
                    self.matched[name] += hit
                    hits.append(hit)
            self.all_matched += bool(hits) and all(hits)
        if self.learner.observe(portal, a.layout_paths) is not None:
            self.redesigns += 1
        return Extracted(
            text=a.text, title=a.title, published=a.published, authors=list(a.authors), unit=a.unit,
            captions=list(a.captions), summary=a.summary, source_tag=a.source_tag,
            attribution=a.attribution, seconds=seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layouts", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    if args.seed + args.layouts > 1000:
        parser.error("layout seeds >= 1000 are the held-out test set: develop on 0-999 only")
    learned = LearnedExtractor()
    result = evaluate_layouts(args.layouts, args.seed, args.articles,
                              extractors={"generic": govcrawl, "learned": learned})
    print(f"{args.layouts} layouts from seed {args.seed}, {args.articles} stories: {learned.pages} pages extracted, "
          f"{learned.hinted} with a learned layout ({learned.hinted / max(learned.pages, 1):.3f}), "
          f"{learned.all_matched} of those with every learned field used and matched "
          f"({learned.all_matched / max(learned.hinted, 1):.3f}); redesigns seen: {learned.redesigns}")
    for name in (*PATH_FIELDS, PREFIX, SUFFIX):
        tried = learned.tried[name]
        print(f"  {name:<13} learned on {tried / max(learned.pages, 1):.3f} of the pages, "
              f"used and matched on {learned.matched[name] / max(tried, 1):.3f} of those")
    worse = []
    print(f"\n{'row':<16} {'figure':<10} {'generic':>8} {'learned':>8}")
    for row in (ALL, FAMILY_THEMES, VENDORS):
        if row not in result["generic"]:
            continue
        g, lv = result["generic"][row], result["learned"][row]
        for figure in FIGURES:
            a, b = g.get(figure), lv.get(figure)
            if a is None or b is None:
                continue
            print(f"{row:<16} {figure:<10} {a:>8.3f} {b:>8.3f}")
            lower_is_better = figure in ("leak", "refused")
            if (b > a + 1e-9) if lower_is_better else (b < a - 1e-9):
                worse.append(f"{row} {figure}")
    print("\nlearned hints make no figure worse" if not worse else f"\nworse with learned hints: {', '.join(worse)}")
    return 1 if worse else 0


if __name__ == "__main__":
    raise SystemExit(main())
