"""The page object every family shares: selectors as class constants, one method per field.

A family module subclasses `FamilyPage` and sets its constants; the generic extraction logic
(container -> lines -> captions, byline, lead tag) lives in `cleaning.extract`. A redesign of a
family gets a new subclass (e.g. `DrupalV8(Drupal)`), not an `if` inside this one.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime

from lxml import etree
from lxml.etree import XPath

from ..dates import DMY, parse_date, parse_iso
from ..meta import text_of

__all__ = ["FamilyPage", "X", "cls"]


def cls(name: str) -> str:
    """XPath predicate: @class contains the whole word `name`."""
    # The cheap substring test first: libxml2 short-circuits `and`, so the word test (which
    # builds a string per element) only runs on the few elements whose class mentions `name`.
    return f'(contains(@class, "{name}") and contains(concat(" ", normalize-space(@class), " "), " {name} "))'


# (attribute, text, how): how is "word" (a whole word of the attribute, as `cls` tests),
# "value" (the attribute's whole value) or "part" (a substring of it)
Needle = tuple[str, str, str]


class GatedXPath(XPath):
    """A compiled XPath that knows what every match carries (`needles`, None when it cannot
    tell): one of a few class words or attribute values. A page that holds none of them cannot
    match, and `FamilyPage.select` skips the whole-document scan. Most selectors of the other
    families and the common fallbacks find nothing on a given page, and those scans were most
    of the cost. A page that holds only some of them is scanned with the others' terms left out
    (`narrowed`): a term no attribute on the page satisfies is false on every element, and each
    term costs a test per element."""

    needles: frozenset[Needle] | None = None
    # per union part: (its text up to the first predicate, [(needle, term)], its text after it)
    parts: tuple[tuple[str, tuple[tuple[Needle, str], ...], str], ...] = ()
    # every part one step, "//tag[terms]": (tag or "*", its needles) per part, else None
    steps: tuple[tuple[str, frozenset[Needle]], ...] | None = None

    def narrowed(self, present: frozenset[Needle]) -> XPath:
        """This selector with only the terms of the `present` needles (at least one)."""
        if present == self.needles:
            return self
        key = (self.path, present)
        found = _NARROWED.get(key)
        if found is None:
            if len(_NARROWED) >= _MAX_NARROWED:  # many sites' pages (ad-hoc crawls): start over
                _NARROWED.clear()
            found = _NARROWED[key] = XPath(" | ".join(
                head + " or ".join(term for needle, term in terms if needle in present) + tail
                for head, terms, tail in self.parts if any(needle in present for needle, _ in terms)))
        return found


# (selector, needles on the page) -> narrowed selector: a family's pages share a few combinations
_NARROWED: dict[tuple[str, frozenset[Needle]], XPath] = {}
_MAX_NARROWED = 4096


_TERMS = (
    (re.compile(r'\(contains\(@class, "([^"]+)"\) and contains\(concat\(" ", normalize-space\(@class\), " "\),'
                r' " \1 "\)\)'), lambda m: ("class", m.group(1), "word")),
    (re.compile(r'@([a-z][a-z-]*)="([^"]+)"'), lambda m: (m.group(1), m.group(2), "value")),
    (re.compile(r'contains\(@([a-z][a-z-]*), "([^"]+)"\)'), lambda m: (m.group(1), m.group(2), "part")),
)
_FIRST_STEP = re.compile(r"^//(?:\*|[a-z][a-z0-9]*)\[")


def _predicate_end(expr: str, start: int) -> int | None:
    """Index of the "]" closing the predicate opened at `start`, or None."""
    depth, quote = 0, None
    for i in range(start, len(expr)):
        ch = expr[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
    return None


def _or_terms(predicate: str) -> list[tuple[Needle, str]] | None:
    """(needle, term) of each term of a predicate that is only terms joined by "or" (a match
    needs one)."""
    terms: list[tuple[Needle, str]] = []
    rest = predicate
    for pattern, needle in _TERMS:
        terms += ((needle(m), m.group(0)) for m in pattern.finditer(rest))
        rest = pattern.sub("", rest)
    if not terms or rest.replace(" or ", "").strip():
        return None
    return terms


def _gated_parts(expr: str) -> tuple[tuple[str, tuple[tuple[Needle, str], ...], str], ...] | None:
    """`expr` split as `GatedXPath.parts`, when the first step's predicate is only class words
    (`cls`), attribute values (@id="x") and substrings (contains(@id, "x")) joined by "or", in
    every part of a union. Otherwise None."""
    parts = []
    for part in expr.split(" | "):
        part = part.strip()
        m = _FIRST_STEP.match(part)
        end = _predicate_end(part, m.end() - 1) if m else None
        terms = _or_terms(part[m.end():end]) if m and end is not None else None
        if terms is None:
            return None
        parts.append((part[:m.end()], tuple(terms), part[end:]))
    return tuple(parts)


def _needles(terms: Iterable[tuple[Needle, str]]) -> frozenset[Needle]:
    return frozenset(needle for needle, _ in terms)


def _gate(parts: tuple[tuple[str, tuple[tuple[Needle, str], ...], str], ...]) -> frozenset[Needle]:
    return frozenset().union(*(_needles(terms) for _, terms, _ in parts))


def attribute_gate(expr: str) -> frozenset[Needle] | None:
    """What a match of `expr` must carry (see `_gated_parts`), or None."""
    parts = _gated_parts(expr)
    return None if parts is None else _gate(parts)


def X(*exprs: str) -> tuple[GatedXPath, ...]:
    """Precompile a list of XPath expressions (with their gate, see `GatedXPath`)."""
    compiled = []
    for expr in exprs:
        xp = GatedXPath(expr)
        parts = _gated_parts(expr)
        if parts is not None:
            xp.parts = parts
            xp.needles = _gate(parts)
            if all(tail == "]" for _, _, tail in parts):
                xp.steps = tuple((head[2:-1], _needles(terms)) for head, terms, _ in parts)
        compiled.append(xp)
    return tuple(compiled)


# Selectors that hold for many families: used after a family's own, before the generic search.
COMMON_TITLE = X(
    '//*[@itemprop="headline"]',
    f'//h1[{cls("title")} or {cls("page-title")} or {cls("entry-title")} or {cls("article-title")}'
    f' or {cls("news-title")} or {cls("post-title")} or {cls("node-title")}]',
    f'//*[{cls("article-title")} or {cls("news-title")} or {cls("detail-title")} or'
    f' {cls("title-detail")} or {cls("tieude")} or {cls("title_news")}]',
)
COMMON_BODY = X(
    '//*[@itemprop="articleBody"]',
    f'//*[{cls("article-content")} or {cls("news-content")} or {cls("detail-content")} or'
    f' {cls("content-detail")} or {cls("post-content")} or {cls("entry-content")} or'
    f' {cls("noidung")} or {cls("news-body")} or {cls("article-body")} or {cls("body-content")}]',
)
COMMON_SUMMARY = X(
    f'//*[{cls("sapo")} or {cls("summary")} or {cls("article-summary")} or {cls("news-summary")}'
    f' or {cls("lead")} or {cls("mota")} or {cls("trichdan")} or {cls("description")}'
    f' or {cls("field-name-field-summary")} or {cls("field--name-field-summary")}]',
    # the Vietnamese names as hyphenated class words: "trich-dan", "tom-tat", "mo-ta"
    f'//*[{cls("trich-dan")} or {cls("tom-tat")} or {cls("tomtat")} or {cls("mo-ta")}'
    f' or {cls("trich-yeu")} or {cls("chapeau")}]',
    '//*[(contains(@class, "summary") and not(contains(@class, "with-summary")))'
    ' or contains(@class, "sapo")]',
)
COMMON_DATE = X(
    f'//*[{cls("date")} or {cls("post-date")} or {cls("publish-date")} or {cls("news-date")}'
    f' or {cls("article-date")} or {cls("ngaydang")} or {cls("time")} or {cls("datetime")}'
    f' or {cls("created")} or {cls("date-publish")} or {cls("published")}]',
)
COMMON_CATEGORY = X(
    f'//*[{cls("breadcrumb")} or {cls("breadcrumbs")} or {cls("duongdan")}'
    f' or @id="breadcrumb" or @aria-label="breadcrumb"]',
)


# A family's date selector can also match the site's clock ("ctl00_ucHeader_lblNgay",
# <span class="today">): ids and classes of the element or an ancestor that mark the site's
# header bar or a clock. Split on "_", "-", spaces and camelCase ("ucHeader" -> "uc header").
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
CLOCK_TOKENS = frozenset({"clock", "today", "now", "hientai", "ngayhientai", "topbar", "datenow",
                          "timenow", "currentdate", "homnay"})
SITE_HEADER_TOKENS = frozenset({"header", "masthead", "banner"})
# "entry-header", "node__header", "article-header": the article's own header, not the site's
ARTICLE_TOKENS = frozenset({"entry", "article", "node", "post", "news", "detail", "page", "content",
                            "asset", "tin", "chitiet", "baiviet"})


def _tokens(el: etree._Element) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return {t.lower() for t in _TOKEN_SPLIT.split(raw) if t}


def in_site_header(el: etree._Element) -> bool:
    """True if `el` sits in the site's header bar or a clock (whose date is today's)."""
    for anc in [el, *el.iterancestors()]:
        if not isinstance(anc.tag, str):
            continue
        words = _tokens(anc)
        if words & CLOCK_TOKENS or ("top" in words and words & {"bar", "header", "line", "info"}):
            return True
        if (words & SITE_HEADER_TOKENS or anc.tag == "header") and not words & ARTICLE_TOKENS \
                and not any(a.tag in ("article", "main") for a in anc.iterancestors()):
            return True
    return False


def _xpath_words(value: str) -> list[str]:
    """The words XPath's normalize-space sees: it splits on these four only (a needle holds none)."""
    return value.replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" ")


_CLASSED = XPath("//*[@class]")


@functools.cache
def _values_of(attribute: str) -> XPath:
    """Every value of `attribute` in a document, as plain strings: an `Element.xpath` call
    compiles its expression each time, and "smart" strings (which know their element) cost
    twice the scan."""
    return XPath(f"//@{attribute}", smart_strings=False)


class FamilyPage:
    """Selectors for one platform family. All XPaths are evaluated on the whole document."""

    NAME = "generic"
    DATE_ORDER: str | None = DMY
    TITLE: tuple[XPath, ...] = ()
    BODY: tuple[XPath, ...] = ()
    SUMMARY: tuple[XPath, ...] = ()
    # (selector, date_source label); the first that yields a parsable date wins
    DATES: tuple[tuple[XPath, str], ...] = ()
    CATEGORY: tuple[XPath, ...] = ()
    # removed from the body container on top of the boilerplate catalogue's block rules
    REMOVE: tuple[XPath, ...] = ()

    def __init__(self, doc: etree._Element, url: str, date_order: str | None = None,
                 raw_html: str = "") -> None:
        self.doc = doc
        self.url = url
        self.raw_html = raw_html
        self.date_order = date_order or self.DATE_ORDER
        # attribute -> (its words, its values, its values joined): what `select`'s gates test
        self._attributes: dict[str, tuple[set[str], set[str], str]] = {}
        self._classed: list[tuple[etree._Element, str, frozenset[str]]] | None = None
        self._texts: dict[etree._Element, str] = {}

    def text(self, el: etree._Element) -> str:
        """`text_of(el)`, remembered: the body's container is measured by the family, then by
        the extractor choosing and checking it. Valid while the tree is as parsed (before the
        container is cleaned)."""
        found = self._texts.get(el)
        if found is None:
            found = self._texts[el] = text_of(el)
        return found

    def select(self, xp: XPath) -> list:
        """`xp` on the document, skipping the scan when its gate rules a match out."""
        needles = getattr(xp, "needles", None)
        if needles is None:
            return xp(self.doc)
        present = frozenset(needle for needle in needles if self._holds(needle))
        if not present:
            return []
        if xp.steps is not None and all(attribute == "class" for attribute, _, _ in present):
            return self._by_class(xp.steps, present)
        return xp.narrowed(present)(self.doc)

    def _by_class(self, steps: tuple[tuple[str, frozenset[Needle]], ...], present: frozenset[Needle]) -> list:
        """What one-step selectors on class alone match, read from a list of the page's elements
        with a class, built once per page: an XPath scan tests every element of the page, about
        28 us on a replica article page whatever it finds (extraction 1.41 -> 1.34 ms/page)."""
        wanted = [(tag, needles & present) for tag, needles in steps if needles & present]
        return [el for el, value, words in self._class_list()
                if any((tag == "*" or el.tag == tag) and any(
                    text in words if how == "word" else text == value if how == "value" else text in value
                    for _, text, how in needles) for tag, needles in wanted)]

    def _class_list(self) -> list[tuple[etree._Element, str, frozenset[str]]]:
        """(element, class value, its words) of every element with a class, in document order."""
        if self._classed is None:
            self._classed = [(el, value, frozenset(_xpath_words(value)))
                             for el in _CLASSED(self.doc) if (value := el.get("class")) is not None]
        return self._classed

    def _holds(self, needle: Needle) -> bool:
        attribute, text, how = needle
        found = self._attributes.get(attribute)
        if found is None:
            if attribute == "class":  # the list `_by_class` reads, not a second scan
                classed = self._class_list()
                values = [value for _, value, _ in classed]
                words = set().union(*(w for _, _, w in classed))
            else:
                values = _values_of(attribute)(self.doc)
                words = {w for v in values for w in _xpath_words(v)}
            found = self._attributes[attribute] = (words, set(values), " ".join(values))
        words, values, joined = found
        return text in (words if how == "word" else values if how == "value" else joined)

    # -- fields ---------------------------------------------------------------------------------
    def title(self) -> tuple[str | None, etree._Element | None]:
        """(headline, its element) from the family's title selectors, else (None, None)."""
        for xp in self.TITLE + COMMON_TITLE:
            for el in self.select(xp):
                text = text_of(el)
                if 5 <= len(text) <= 400:
                    return text, el
        return None, None

    def body(self) -> etree._Element | None:
        """The element holding the article body, or None to let the generic search decide."""
        for xp in self.BODY + COMMON_BODY:
            best = None
            for el in self.select(xp):
                size = len(self.text(el))
                if size >= 80 and (best is None or size > best[0]):
                    best = (size, el)
            if best:
                return best[1]
        return None

    def summary(self) -> tuple[str | None, etree._Element | None]:
        for xp in self.SUMMARY + COMMON_SUMMARY:
            for el in self.select(xp):
                if el.tag == "meta":
                    continue
                text = text_of(el)
                if 20 <= len(text) <= 1200:
                    return text, el
        return None, None

    def published(self) -> tuple[datetime | None, str | None]:
        """Date from the family's own date selectors (attribute values are read as ISO first)."""
        for xp, label in self.DATES:
            for el in self.select(xp):
                owner = el.getparent() if isinstance(el, str) else el  # an attribute's element
                if owner is not None and in_site_header(owner):
                    continue
                text = el if isinstance(el, str) else text_of(el)
                dt = (parse_iso(text) if isinstance(el, str) else None) or \
                    parse_date(text, self.date_order)
                if dt:
                    return dt, label
        return None, None

    def category(self) -> list[str]:
        for xp in self.CATEGORY + COMMON_CATEGORY:
            for el in self.select(xp):
                links = [text_of(a) for a in el.iter("a")] or [text_of(el)]
                items = [t for t in links if t and t.lower() not in ("trang chủ", "home", "»")]
                if items:
                    return items
        return []
