"""Per-portal layout learning: where a portal's pages put the headline, the body and the date.

A portal's article pages share one template. Once the generic path (judged by evidence) has
found the title, body container and date element on enough of its pages *at the same element
path* (cleaning/paths.py), that path is the portal's: later pages try the element it names
first, as the `selected` pick the evidence checks judge (cleaning/container.py,
cleaning/titles.py), and the date element's date comes first among the date candidates. A
path that names nothing on a page, or whose element the evidence refuses, gives way to the
generic path, as a family selector does. The `<title>` prefix and suffix around the headline
("Cổng TTĐT huyện X | ", " - Sở Nội vụ tỉnh Lạng Sơn") are learned the same way, from pages
whose headline was found on the page, and stripped from the `<title>` claims of later pages.

`LayoutLearner` counts, per portal, the pages observed and, per field, the pages that gave each
path (or affix). A value is learned once at least MIN_PAGES pages gave it and at least
MIN_SHARE of the pages counted did; it stays learned until another value passes that bar or a
redesign drops it (so a redesign is seen as one, not as a slow fade of the old value's share). Counts are halved when a portal's pages pass WINDOW, so
they follow the portal's recent pages and stay small, and at most MAX_VALUES values per field
are kept (the rarest are dropped).

A redesign: of the last RECENT_PAGES pages checked against learned paths, at least
REDESIGN_MIN_PAGES and fewer than REDESIGN_MATCH_SHARE of them matched. The portal's counts
are then dropped (the new paths are learned from scratch) and `observe` returns a `Redesign`
with the counts that showed it; the run report flags the portal (crawler/health.py).

Pure: the learner holds counts in memory; the caller loads and saves them
(storage/layouts.py persists them per portal, so they carry across runs and workers).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from .meta import text_of
from .paths import date_element, element_date, resolve, title_affixes, unique_path

TITLE, BODY, DATE, PREFIX, SUFFIX = "title", "body", "date", "title_prefix", "title_suffix"
PATH_FIELDS = (TITLE, BODY, DATE)   # element paths (the date's only from dates written in an element)
FIELDS = PATH_FIELDS + (PREFIX, SUFFIX)
# date sources read from an element of the page (published.py, extract.py); meta, JSON-LD,
# <time datetime> and the URL name no element worth learning
ELEMENT_DATE_SOURCES = ("text", "family", "layout", "dateparser")

MIN_PAGES = 5          # a portal's template is on every article page: five pages at 80% say it
MIN_SHARE = 0.8
WINDOW = 200           # pages counted before the counts are halved
MAX_VALUES = 32        # values kept per field and portal (bounded memory)
RECENT_PAGES = 20
REDESIGN_MIN_PAGES = 10
REDESIGN_MATCH_SHARE = 0.5
LEARNED_DATE_SOURCE = "layout:learned"


@dataclass(frozen=True, slots=True)
class LearnedLayout:
    """What is learned of one portal's pages (the hint `layout` of extraction)."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    title_prefix: str = ""
    title_suffix: str = ""

    @property
    def affixes(self) -> tuple[str, str]:
        return self.title_prefix, self.title_suffix

    def elements(self, doc: etree._Element) -> dict[str, etree._Element]:
        """The elements the learned paths name on this page (a path naming none, or several, is left out)."""
        out = {}
        for name in PATH_FIELDS:
            if (el := resolve(doc, getattr(self, name))) is not None:
                out[name] = el
        return out

    def __bool__(self) -> bool:
        return any((self.title, self.body, self.date, self.title_prefix, self.title_suffix))


def learned_elements(doc: etree._Element, layout: LearnedLayout | None) -> dict[str, etree._Element]:
    return layout.elements(doc) if layout else {}


def learned_date(el: etree._Element | None, date_order: str | None, weight: float, candidate: type) -> list:
    """The learned date element's date as a date candidate (`candidate`: published.DateCandidate)."""
    if el is None or (found := element_date(el, date_order)) is None:
        return []
    value, has_time = found
    return [candidate(value, LEARNED_DATE_SOURCE, weight, has_time)]


def page_layout(doc: etree._Element, order: dict, title: str | None, title_el: etree._Element | None,
                container: etree._Element | None, published, date_source: str | None,
                date_order: str | None) -> dict[str, str]:
    """Where this page's fields came from: {field: path or affix} for `Article.layout_paths`
    (only the fields found, each path naming its element alone on the page)."""
    out: dict[str, str] = {}
    if (path := unique_path(doc, title_el)) is not None:
        out[TITLE] = path
    if (path := unique_path(doc, container)) is not None:
        out[BODY] = path
    if date_source and date_source.split(":", 1)[0] in ELEMENT_DATE_SOURCES:
        if (path := unique_path(doc, date_element(doc, order, title_el, published, date_order))) is not None:
            out[DATE] = path
    if title_el is not None and (affixes := title_affixes(text_of(doc.find(".//title")), title)) is not None:
        out[PREFIX], out[SUFFIX] = affixes
    return out


@dataclass(frozen=True, slots=True)
class Redesign:
    """Learned paths stopped matching: `matched` of the last `checked` pages matched them."""

    portal: str
    checked: int
    matched: int

    def describe(self) -> str:
        return f"{self.matched} of {self.checked} recent pages on the learned paths, relearned"


@dataclass(slots=True)
class SavedLayout:
    """A portal's counts as storage keeps them."""

    pages: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)   # (field, value) -> pages
    recent: str = ""   # "1" matched / "0" missed, oldest first
    redesigns: int = 0
    learned: dict[str, str] = field(default_factory=dict)   # field -> the value learned


@dataclass(slots=True)
class Unsaved:
    """What one portal learned since the last save."""

    reset: bool = False
    pages: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    recent: str = ""
    redesigns: int = 0
    learned: dict[str, str] = field(default_factory=dict)   # what is learned now (the saver's wins)


@dataclass(slots=True)
class _Portal:
    pages: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {f: {} for f in FIELDS})
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT_PAGES))
    redesigns: int = 0
    chosen: dict[str, str] = field(default_factory=dict)  # field -> learned value
    unsaved: Unsaved = field(default_factory=Unsaved)
    learned: LearnedLayout | None = None  # cache


class LayoutLearner:
    """Per-portal path counts; `learned` feeds extraction (hint `layout`)."""

    def __init__(self) -> None:
        self._portals: dict[str, _Portal] = {}

    def loaded(self, portal: str) -> bool:
        return portal in self._portals

    def load(self, portal: str, saved: SavedLayout) -> None:
        """Replace what is known of `portal` with saved counts (unsaved observations are kept)."""
        state = self._portals.setdefault(portal, _Portal())
        pending = state.unsaved
        base = SavedLayout() if pending.reset else saved
        state.pages = base.pages + pending.pages
        state.counts = {f: {} for f in FIELDS}
        for (name, value), pages in base.counts.items():
            if name in state.counts:
                state.counts[name][value] = pages
        for (name, value), pages in pending.counts.items():
            state.counts[name][value] = state.counts[name].get(value, 0) + pages
        if not pending.pages and not pending.reset:
            state.recent = deque((ch == "1" for ch in saved.recent), maxlen=RECENT_PAGES)
            state.chosen = dict(saved.learned)
        state.redesigns = saved.redesigns + pending.redesigns
        state.learned = None

    def learned(self, portal: str) -> LearnedLayout | None:
        state = self._portals.get(portal)
        if state is None:
            return None
        if state.learned is None:
            for name, counts in state.counts.items():
                best = max(counts.items(), key=lambda kv: kv[1], default=None)
                if best is not None and best[1] >= MIN_PAGES and best[1] >= MIN_SHARE * state.pages:
                    state.chosen[name] = best[0]
            state.learned = LearnedLayout(**state.chosen)
        return state.learned or None

    def observe(self, portal: str, paths: Mapping[str, str], judge: bool = True) -> Redesign | None:
        """One article page of `portal`, whose fields came from `paths` (Article.layout_paths).
        `judge`: check it against the learned paths (False during a first walk through an archive
        that may span older layouts). Returns the Redesign it completes, if any."""
        state = self._portals.setdefault(portal, _Portal())
        learned = self.learned(portal)
        redesign = None
        if judge and learned is not None:
            checks = [(getattr(learned, name), paths.get(name)) for name in (TITLE, BODY)]
            if learned.date and paths.get(DATE):
                checks.append((learned.date, paths[DATE]))
            checks = [(want, got) for want, got in checks if want]
            if checks:
                state.recent.append(all(want == got for want, got in checks))
                state.unsaved.recent = "".join("1" if hit else "0" for hit in state.recent)
                checked, matched = len(state.recent), sum(state.recent)
                if checked >= REDESIGN_MIN_PAGES and matched < REDESIGN_MATCH_SHARE * checked:
                    self._relearn(state)  # this page is the first of the new layout's counts
                    redesign = Redesign(portal, checked, matched)
        state.pages += 1
        state.unsaved.pages += 1
        for name in FIELDS:
            value = paths.get(name)
            if value is None:
                continue
            counts = state.counts[name]
            counts[value] = counts.get(value, 0) + 1
            state.unsaved.counts[(name, value)] = state.unsaved.counts.get((name, value), 0) + 1
            if len(counts) > MAX_VALUES:
                rarest = min((v for v in counts if v != value), key=counts.__getitem__)
                del counts[rarest]
        if state.pages > WINDOW:
            halve(state)
        state.learned = None
        return redesign

    @staticmethod
    def _relearn(state: _Portal) -> None:
        state.pages = 0
        state.counts = {f: {} for f in FIELDS}
        state.recent.clear()
        state.chosen = {}
        state.redesigns += 1
        state.unsaved = Unsaved(reset=True, redesigns=state.unsaved.redesigns + 1)
        state.learned = None

    def take_unsaved(self) -> dict[str, Unsaved]:
        """Per portal: what was learned since the last call."""
        out = {}
        for portal, state in self._portals.items():
            u = state.unsaved
            if u.reset or u.pages or u.counts or u.recent or u.redesigns:
                self.learned(portal)
                u.learned = dict(state.chosen)
                out[portal] = u
                state.unsaved = Unsaved()
        return out


def halve(state: _Portal) -> None:
    """Halve a portal's counts (storage does the same to the saved ones, storage/layouts.py)."""
    state.pages //= 2
    for name, counts in state.counts.items():
        state.counts[name] = {v: n // 2 for v, n in counts.items() if n // 2}
