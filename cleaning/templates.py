"""Learned page templates: a line that recurs on most of one portal's articles is template.

The fixed catalogue (cleaning/boilerplate.py) knows the strings every portal shares; each portal
also carries its own ("Mời bạn đọc gửi ý kiến về hòm thư …", a unit's slogan, a standing
notice inside the article frame). `TemplateLearner` counts, per portal, in how many distinct
articles each body line appears. A line is template once it has been in at least MIN_PAGES
articles *and* in at least MIN_SHARE of the portal's articles since it first appeared: a
template line is on (nearly) every page from its introduction on, while a recurring heading of
official texts ("I. MỤC ĐÍCH, YÊU CẦU") or a stock sentence is on some pages among many.

Articles stored before a line was learned keep it in their text (and so have another content
hash than a later copy of the same story without it); near-duplicate clustering groups them.

Pure: the learner holds counts in memory; the caller loads and saves them (storage/templates.py
persists them, so the knowledge carries across runs). Lines are keyed by their tone-mark
independent form, so "Thuỵ"/"Thụy" variants count as one line.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from .normalize import collapse_ws, tone_key

# A template line is on every article page from its introduction on; stock sentences ("Dự hội
# nghị có lãnh đạo các phòng, ban …") recur on up to ~40% of a portal's articles, in runs. Ten
# pages at 90% is a bar such a sentence essentially never clears (P < 1e-3 for a 40% line).
MIN_PAGES = 10
MIN_SHARE = 0.9
MAX_CHARS = 500        # longer lines are article paragraphs, not template
MAX_SEEN_ONCE = 20_000  # lines seen on one page only, per portal: bounded memory, oldest dropped


def segment_key(line: str) -> str:
    return hashlib.sha1(tone_key(collapse_ws(line)).encode("utf-8")).hexdigest()[:16]


def is_template(pages: int, first_total: int, portal_pages: int) -> bool:
    """`pages` articles carried the line; the portal had `first_total` articles before the line
    first appeared and has `portal_pages` now."""
    return pages >= MIN_PAGES and pages >= MIN_SHARE * (portal_pages - first_total)


@dataclass(slots=True)
class SegmentCount:
    text: str
    pages: int
    first_total: int


@dataclass(slots=True)
class _Portal:
    pages: int = 0                                                  # articles observed, all runs
    known: dict[str, SegmentCount] = field(default_factory=dict)    # seen on >= 2 articles
    seen_once: dict[str, SegmentCount] = field(default_factory=dict)
    unsaved_pages: int = 0
    unsaved: dict[str, SegmentCount] = field(default_factory=dict)  # deltas since the last save
    templates: frozenset[str] | None = None                         # cache


class TemplateLearner:
    """Per-portal line counts; `template_keys` feeds `extract_article` (hint `template_segments`)."""

    def __init__(self) -> None:
        self._portals: dict[str, _Portal] = {}

    def loaded(self, portal: str) -> bool:
        return portal in self._portals

    def load(self, portal: str, pages: int, segments: Iterable[tuple[str, SegmentCount]]) -> None:
        """Replace what is known of `portal` with saved counts (unsaved deltas are kept)."""
        state = self._portals.setdefault(portal, _Portal())
        state.pages = pages + state.unsaved_pages
        state.known = {key: SegmentCount(c.text, c.pages, c.first_total) for key, c in segments}
        for key, delta in state.unsaved.items():
            known = state.known.setdefault(key, SegmentCount(delta.text, 0, delta.first_total))
            known.pages += delta.pages
        state.templates = None

    def observe(self, portal: str, lines: Iterable[str]) -> None:
        """One new article of `portal` whose body has these lines."""
        state = self._portals.setdefault(portal, _Portal())
        before = state.pages
        state.pages += 1
        state.unsaved_pages += 1
        keys = {segment_key(line): line for line in lines if line.strip() and len(line) <= MAX_CHARS}
        for key, line in keys.items():
            known = state.known.get(key)
            if known is None and (once := state.seen_once.pop(key, None)) is not None:
                known = state.known[key] = SegmentCount(once.text, 1, once.first_total)
                self._unsaved(state, key, once.text, 1, once.first_total)
            if known is None:
                state.seen_once[key] = SegmentCount(line, 1, before)
                if len(state.seen_once) > MAX_SEEN_ONCE:
                    del state.seen_once[next(iter(state.seen_once))]
                continue
            known.pages += 1
            self._unsaved(state, key, known.text, 1, known.first_total)
        state.templates = None

    @staticmethod
    def _unsaved(state: _Portal, key: str, text: str, pages: int, first_total: int) -> None:
        delta = state.unsaved.setdefault(key, SegmentCount(text, 0, first_total))
        delta.pages += pages

    def template_keys(self, portal: str) -> frozenset[str]:
        state = self._portals.get(portal)
        if state is None:
            return frozenset()
        if state.templates is None:
            state.templates = frozenset(key for key, c in state.known.items()
                                        if is_template(c.pages, c.first_total, state.pages))
        return state.templates

    def take_unsaved(self) -> dict[str, tuple[int, dict[str, SegmentCount]]]:
        """Per portal: (new articles, per-line page increments) since the last call."""
        out = {}
        for portal, state in self._portals.items():
            if state.unsaved_pages or state.unsaved:
                out[portal] = (state.unsaved_pages, state.unsaved)
                state.unsaved_pages, state.unsaved = 0, {}
        return out


def drop_template_lines(lines: list, template_keys: frozenset[str]) -> tuple[list, list[str]]:
    """(`lines` (objects with .text) without the learned template lines, the texts removed);
    nothing is removed if every line is template (the page is the template's own)."""
    if not template_keys:
        return lines, []
    kept, dropped = [], []
    for line in lines:
        (dropped if segment_key(line.text) in template_keys else kept).append(line)
    return (kept, [line.text for line in dropped]) if kept else (lines, [])
