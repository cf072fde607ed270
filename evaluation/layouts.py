"""(a') Layout portals: the extractors scored on portal layouts drawn from the grammar
(portalsim/layouts), per layout, per kind (family themes, vendor layouts) and overall.

The replica families score what the extractor was built on; these layouts are the
development set (seeds 0-999) and the test set (seeds >= 1000: never look at their pages
while developing, only at the aggregate scores). Every copy is scored once, on its canonical
page. A page that shows only the day is scored to the day (truth `published_precision`).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from urllib.parse import urlsplit

from evaluation.extractors import EXTRACTORS, Extracted, supports
from evaluation.replica import FamilyTally, visible_text

ALL = "all layouts"
FAMILY_THEMES = "family themes"
VENDORS = "vendor layouts"
AGGREGATES = (ALL, FAMILY_THEMES, VENDORS)


def evaluate_layouts(layouts: int, seed: int = 0, articles: int = 60,
                     extractors: dict[str, Callable[..., Extracted]] | None = None) -> dict:
    """{extractor: {row: summary}}: one row per layout (`layout-<seed>`), then the aggregates
    (all layouts, the family themes, the vendor layouts). The stories are the replica's of
    `seed`; the layouts are seeds seed .. seed + layouts - 1."""
    from portalsim import build_replica

    extractors = extractors or EXTRACTORS
    replica = build_replica(seed=seed, articles=articles, layouts=layouts, layout_seed=seed)
    clock = replica.now()
    kinds = {lay.key: (FAMILY_THEMES if lay.kind != "vendor" else VENDORS) for lay in replica.layouts}
    tallies: dict[str, dict[str, FamilyTally]] = {
        name: defaultdict(lambda extract=extract: FamilyTally(lambda field: supports(extract, field)))
        for name, extract in extractors.items()}
    for story in replica.truth:
        for copy in story.copies:
            parts = urlsplit(copy.canonical_url)
            status, _headers, page = replica.render(parts.netloc, parts.path + (f"?{parts.query}" if parts.query else ""))
            if status != 200:
                raise RuntimeError(f"replica did not serve its own canonical URL {copy.canonical_url}: {status}")
            page_text = visible_text(page)
            for name, extract in extractors.items():
                got = extract(page, copy.canonical_url)
                for row in (copy.family, kinds[copy.family], ALL):
                    tallies[name][row].add(got, copy, page_text, clock)
    out: dict = {}
    for name, rows in tallies.items():
        ordered = sorted((r for r in rows if r not in AGGREGATES), key=lambda r: int(r.rsplit("-", 1)[1]))
        out[name] = {r: rows[r].summary() for r in ordered + [a for a in AGGREGATES if a in rows]}
    return out


def layout_kinds(layouts: int, seed: int) -> dict[str, str]:
    """layout key -> its kind ("drupal", ..., or "vendor:<name>"), for the report."""
    from portalsim.layouts import draw_layout

    return {lay.key: lay.kind if lay.kind != "vendor" else f"vendor:{lay.vendor}"
            for lay in (draw_layout(seed + i) for i in range(layouts))}
