"""Scores: the ScrapingHub body metric and field comparisons.

`body_scores` follows the article-extraction benchmark's evaluate.py (as re-implemented in
../shared/eval/score.py): tokens are `\\w+` matches, case-sensitive; each page is compared as a
multiset of 4-token shingles; TP/FP/FN are normalised per page; precision is averaged over pages
with a prediction, recall over pages with a truth, and F1 is the harmonic mean of the two
averages. tests/test_evaluation.py checks it against score.py itself when that file is present.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable

TOKEN_RE = re.compile(r"\w+")
SHINGLE = 4


def _shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shingle_overlap(truth: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, normalised by their sum."""
    t, p = _shingles(truth), _shingles(predicted)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def body_scores(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Macro shingle precision, recall and F1 over (truth, predicted) body pairs."""
    overlaps = [shingle_overlap(t, p) for t, p in pairs]
    with_prediction = [_precision(*o) for o in overlaps if o[0] + o[1] > 0]
    with_truth = [_recall(*o) for o in overlaps if o[0] + o[2] > 0]
    precision = statistics.mean(with_prediction) if with_prediction else 0.0
    recall = statistics.mean(with_truth) if with_truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def page_f1(truth: str, predicted: str) -> float:
    """Shingle F1 of one page (the per-page view of `body_scores`)."""
    tp, fp, fn = shingle_overlap(truth, predicted)
    p, r = _precision(tp, fp, fn), _recall(tp, fp, fn)
    return 2 * p * r / (p + r) if p + r else 0.0
