"""`govcrawl eval`: the extractor scored against ground truth, side by side with trafilatura.

(a) the replica portals (portalsim truth, per family and field; or, with `layouts`, portal
layouts drawn from portalsim's grammar, per layout and overall), (b) the ScrapingHub
article-extraction benchmark with its reference metric, (c) the Vietnamese pages with ground
truth, (d) foreign pages built here (dates in their own offsets, authors from markup); the data of (b) and (c) is read from ../shared/eval, never copied here.
"""
from __future__ import annotations

from evaluation.datasets import EvalDataMissing, evaluate_scrapinghub, evaluate_vn, find_eval_dir
from evaluation.foreign import evaluate_foreign
from evaluation.layouts import evaluate_layouts
from evaluation.replica import evaluate_replica
from evaluation.report import failed_bars, print_report

SECTIONS = ("replica", "scrapinghub", "vn", "foreign")


def run_eval(sections=SECTIONS, *, articles: int = 120, seed: int = 0, data: str | None = None,
             limit: int | None = None, layouts: int | None = None) -> dict:
    """Results of the chosen sections; a section whose data is absent lands in "skipped".
    layouts: the replica section scores that many layout portals (seeds seed ..) instead of
    the six families."""
    results: dict = {"skipped": {}}
    if "replica" in sections and layouts:
        results["replica"] = {"articles": articles, "seed": seed, "layouts": layouts,
                              "by_extractor": evaluate_layouts(layouts, seed, articles)}
    elif "replica" in sections:
        results["replica"] = {"articles": articles, "seed": seed,
                              "by_extractor": evaluate_replica(articles, seed)}
    if "foreign" in sections:
        results["foreign"] = evaluate_foreign()
    wanted = [s for s in ("scrapinghub", "vn") if s in sections]
    if wanted:
        try:
            eval_dir = find_eval_dir(data)
        except EvalDataMissing as exc:
            for s in wanted:
                results["skipped"][s] = str(exc)
            return results
        for section, run in (("scrapinghub", lambda: evaluate_scrapinghub(eval_dir, limit=limit)),
                             ("vn", lambda: evaluate_vn(eval_dir))):
            if section in wanted:
                try:
                    results[section] = run()
                except EvalDataMissing as exc:
                    results["skipped"][section] = str(exc)
    return results


__all__ = ["SECTIONS", "EvalDataMissing", "evaluate_layouts", "failed_bars", "print_report", "run_eval"]
