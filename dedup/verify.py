"""Does a candidate pair hold the same story? Shingle overlap first, then guard rails.

Overlap: Jaccard of the two shingle sets, or containment (the share of the smaller set found in
the larger) when one copy cut or added a paragraph. Guard rails against false merges: the same
kind of meeting held in another year, or reported with other figures, shares most sentences
(seeds 000 and 001: one cluster of districts, the same conference, different years). So the
dates and figures of the copy with fewer of them must all appear in the other: a trimmed copy
loses facts, it never changes one. A body that shares only stock phrases never reaches the
overlap bar in the first place.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedup.minhash import Fingerprint

MIN_JACCARD = 0.6
MIN_CONTAINMENT = 0.8

_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])")
_NUMBER = re.compile(r"(?<![\d/])\d+(?:[.,]\d+)*(?![\d/])")


def facts(text: str) -> frozenset[str]:
    """Dates (day/month[/year], zero padding ignored) and numbers (thousands separators ignored)."""
    found = set()
    for day, month, year in _DATE.findall(text):
        found.add(f"{int(day)}/{int(month)}" + (f"/{year}" if year else ""))
    for number in _NUMBER.findall(_DATE.sub(" ", text)):
        found.add(number.replace(".", "").replace(",", "."))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Verdict:
    same: bool
    jaccard: float
    containment: float
    reason: str


def overlap(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """(Jaccard, containment) of the two shingle sets; (0, 0) when either is empty."""
    return overlaps(a, [b.hashes])[0]


def overlaps(a: Fingerprint, others: Sequence[np.ndarray]) -> list[tuple[float, float]]:
    """(Jaccard, containment) of `a`'s shingle set with each of `others` (shingle hash arrays:
    sorted, unique), at once; (0, 0) when either is empty.

    Each pair is a row of a matrix: a's hashes, then the other's, then padding that equals no
    hash (32-bit hashes, padding from 2**32 up); sorted by row, a shared hash is two equal
    neighbours. One sort of the matrix instead of an `intersect1d` per pair: a new article is
    checked against tens of candidates."""
    if not others:
        return []
    la = len(a.hashes)
    sizes = [len(hashes) for hashes in others]
    width = la + max(sizes)
    rows = np.empty((len(others), width), dtype=np.uint64)
    rows[:] = np.arange(1 << 32, (1 << 32) + width, dtype=np.uint64)
    rows[:, :la] = a.hashes
    for row, hashes in zip(rows, others):
        row[la:la + len(hashes)] = hashes
    rows.sort(axis=1)
    shared = np.count_nonzero(rows[:, 1:] == rows[:, :-1], axis=1).tolist()
    return [(0.0, 0.0) if not la or not lb else (common / (la + lb - common), common / min(la, lb))
            for common, lb in zip(shared, sizes)]


def overlaps_enough(jaccard: float, containment: float) -> bool:
    """The first bar of `compare`: without it, two bodies are never the same story."""
    return jaccard >= MIN_JACCARD or containment >= MIN_CONTAINMENT


def compare(a_text: str, a: Fingerprint, b_text: str, b: Fingerprint) -> Verdict:
    if not len(a.hashes) or not len(b.hashes):
        return Verdict(False, 0.0, 0.0, "empty body")
    jaccard, containment = overlap(a, b)
    if not overlaps_enough(jaccard, containment):
        return Verdict(False, jaccard, containment, "bodies differ")
    fa, fb = facts(a_text), facts(b_text)
    fewer, more = (fa, fb) if len(fa) <= len(fb) else (fb, fa)
    if not fewer <= more:
        differing = sorted(fewer - more)[:3]
        return Verdict(False, jaccard, containment, f"different dates or figures: {', '.join(differing)}")
    return Verdict(True, jaccard, containment, "same story")
