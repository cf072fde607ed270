"""The headline by evidence: what the page claims (<title>, og:title, JSON-LD headline) and where
a heading sits (right above the article text, not in a link list, sidebar or related block).

A family's title selector is a fast path: it stands when it agrees with the claims, or when
nothing else does. A template may put a block heading ("Tin nổi bật", a category name) or another
story's teaser before the article, and a selector or the first <h1> then names the wrong thing;
the heading the claims name, or else the last headline-like heading before the body, wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from . import boilerplate, bylines
from .container import is_teaser_lead, own_text
from .families.base import in_site_header
from .meta import SITE_PREFIX_WORDS, TITLE_SEPARATORS, jsonld_objects, meta_content, strip_site_suffix, text_of
from .normalize import collapse_ws
from .paths import strip_title_affixes

HEADING_TAGS = ("h1", "h2", "h3", "h4")
# class/id words of elements that hold a headline when a template uses no heading tag
TITLE_WORDS = frozenset({"title", "tieude", "headline", "heading", "subject", "tenbai", "tentin", "lbltitle"})
# blocks whose headings belong to something else
OTHER_BLOCK_WORDS = frozenset({
    "related", "other", "others", "tinkhac", "tinlienquan", "lienquan", "khac", "sidebar", "aside",
    "footer", "menu", "nav", "navbar", "breadcrumb", "breadcrumbs", "widget", "banner", "noibat",
    "hot", "featured", "most", "popular", "docnhieu", "xemnhieu", "moinhat", "latest", "cungchuyenmuc",
    "morenews", "slider", "marquee", "lienket", "weblink", "counter", "thongke", "logo", "brand",
})
_WORDS_RE = re.compile(r"[\s_\-]+")
MIN_CHARS, MAX_CHARS = 8, 400
MIN_HEADLINE_WORDS = 5   # "Tin nổi bật", "Thông báo", "Hoạt động của Sở": block headings
AGREES = 0.85            # a claim and a heading name the same story
PROSE_CHARS = 60         # a block's own text this long starts the body
NEAR_BODY = 400          # elements between a heading and the body's start still "right above"


@dataclass(slots=True)
class Heading:
    text: str
    el: etree._Element
    index: int           # document order
    agreement: float     # best similarity to a claim (0..1)
    linked: bool         # the heading is a link
    other: bool          # in a block that is not the article's (class words, list, header)


def _norm(text: str) -> str:
    return collapse_ws(text).lower().strip(" .:-|")


def claims(doc: etree._Element, site: str | None, names: frozenset[str] = frozenset(),
           affixes: tuple[str, str] = ("", "")) -> list[str]:
    """What the page says its headline is: <title> (site name off, whole, and each part between
    separators), og:title, twitter:title, JSON-LD headline; the site name alone is no claim."""
    return [text for text, _source in _sourced_claims(doc, site, names or site_names(doc, site), affixes)]


def _sourced_claims(doc: etree._Element, site: str | None, names: frozenset[str],
                    affixes: tuple[str, str] = ("", "")) -> list[tuple[str, int]]:
    """`affixes`: the portal's learned <title> prefix and suffix (cleaning/layout_learning.py), off its <title>."""
    raw = [text_of(doc.find(".//title")), meta_content(doc, "property", "og:title"),
           meta_content(doc, "name", "twitter:title")]
    raw += [obj["headline"] for obj in jsonld_objects(doc) if isinstance(obj.get("headline"), str)]
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for source, value in enumerate(raw):
        if not value:
            continue
        value = collapse_ws(value)
        if source == 0 and any(affixes):
            value = strip_title_affixes(value, affixes, MIN_CHARS)
        parts = [strip_site_suffix(value, site), value]
        for sep in TITLE_SEPARATORS:
            if sep in value:
                parts += [p.strip() for p in value.split(sep)]
        for part in parts:
            if len(part) >= MIN_CHARS and not is_site_name(part, names) and part not in seen:
                seen.add(part)
                out.append((part, source))
    return out


def is_site_name(text: str, names: frozenset[str]) -> bool:
    """One of the site's names (og:site_name, the text of its links to the home page) or a
    "Cổng/Trang thông tin điện tử …" name; a unit name alone ("Sở Nội vụ tỉnh …") may start a
    headline, so only the page's own naming of its site says so."""
    if _norm(text) in names:
        return True
    return bool(SITE_PREFIX_WORDS.match(text.strip())) and not any(sep in text for sep in TITLE_SEPARATORS) \
        or bool(SITE_PREFIX_WORDS.search(text)) and len(text.split()) <= 12


_HOME_HREF = re.compile(r"(?:https?://[^/?#]+/?|/)(?:(?:index|default)\.\w+|trang-chu(?:\.\w+)?)?", re.IGNORECASE)


def site_names(doc: etree._Element, site: str | None) -> frozenset[str]:
    """og:site_name and the texts of the page's links to its home page (the logo, "Trang chủ")."""
    names = {_norm(site)} if site else set()
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if _HOME_HREF.fullmatch(href):
            text = _norm(text_of(a))
            if text:
                names.add(text)
    return frozenset(names)


def letter_words(text: str) -> int:
    """Words holding a letter: "Thi đua - Khen thưởng" has four."""
    return sum(1 for w in text.split() if any(ch.isalpha() for ch in w))


def similarity(heading: str, claim: str) -> float:
    a, b = _norm(heading), _norm(claim)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a in b:  # "<category> - <headline> - <site>"
        return 0.95 if len(a) >= 0.5 * len(b) or letter_words(a) >= MIN_HEADLINE_WORDS else 0.5
    if b in a:  # a <title> cut short
        return 0.9 if len(b) >= 0.6 * len(a) else 0.5
    wa, wb = set(a.split()), set(b.split())
    return 0.8 * len(wa & wb) / len(wa | wb)


def _words(el: etree._Element) -> set[str]:
    return set(_WORDS_RE.split(f"{el.get('class') or ''} {el.get('id') or ''}".lower())) - {""}


def in_other_block(el: etree._Element, holds_body: frozenset = frozenset()) -> bool:
    """In a list item, a sidebar, a related block, the menu, the footer or the site header.
    `holds_body`: the body's ancestors; a block holding the article body is no sidebar, whatever
    its class says (VnExpress's main column is "sidebar-1")."""
    for anc in (el, *el.iterancestors()):
        if anc in holds_body:
            return False
        if not isinstance(anc.tag, str):
            continue
        if anc is not el and anc.tag in ("li", "nav", "footer", "aside"):
            return True
        if _words(anc) & OTHER_BLOCK_WORDS:
            return True
    return in_site_header(el)


def _linked(el: etree._Element) -> bool:
    """A heading that is a link (a teaser of another story, mostly) or sits in one."""
    if any(a.tag == "a" for a in el.iterancestors()):
        return True
    links = list(el.iter("a"))
    return bool(links) and sum(len(text_of(a)) for a in links) >= 0.8 * len(text_of(el))


def _is_title_like(el: etree._Element) -> bool:
    if el.tag in HEADING_TAGS:
        return True
    joined = re.sub(r"[\s_\-]+", "", f"{el.get('class') or ''}{el.get('id') or ''}".lower())
    return any(word in joined for word in TITLE_WORDS)


_CLASSED_XPATH = etree.XPath("descendant-or-self::*[@class or @id]")


def _title_like_elements(body: etree._Element, order: dict) -> list[etree._Element]:
    """Headings and title-classed elements in document order (XPath gathers the classed ones,
    a substring test drops most before _is_title_like looks; measured 10x faster than XPath
    contains() tests on ScrapingHub's pages)."""
    found = set(body.iter(*HEADING_TAGS))
    for el in _CLASSED_XPATH(body):
        marks = f"{el.get('class') or ''}{el.get('id') or ''}".lower()
        if ("itle" in marks or "ieu" in marks or "ead" in marks or "ubject" in marks or "bai" in marks
                or "tin" in marks) and _is_title_like(el):
            found.add(el)
    return sorted(found, key=lambda el: order.get(el, 0))


LEAF_TAGS = frozenset({"div", "td", "p", "span", "strong", "b", "font", "section", "header", "a"})
_LEAF_XPATH = etree.XPath(
    "descendant-or-self::*[(self::div or self::td or self::p or self::span or self::strong or self::b"
    " or self::font or self::section or self::header or self::a) and count(*) <= 3]")


def _candidates(body: etree._Element, title_like: bool, order: dict | None = None):
    """Title-like elements (headings, title-classed), or every small block (the scan when no
    title-like element agrees with the claims): a headline may sit in a plain <td>. XPath
    picks the few elements worth a look (a page holds thousands)."""
    if title_like:
        return _title_like_elements(body, order or {})
    return [el for el in _LEAF_XPATH(body) if not _is_title_like(el)]


_CONTAINS_XPATH = etree.XPath("descendant-or-self::*[contains(normalize-space(.), $needle)]")
NEEDLE_CHARS = 40


def _holding_claims(body: etree._Element, claimed: list[str]) -> list[etree._Element]:
    """Small blocks whose text holds the start of a claim: XPath finds them (and their
    ancestors, which the size bound drops) without reading the text of every element."""
    found: dict[etree._Element, None] = {}
    for claim in claimed[:8]:
        for el in _CONTAINS_XPATH(body, needle=claim[:NEEDLE_CHARS]):
            if el.tag in LEAF_TAGS and len(el) <= 3 and not _is_title_like(el):
                found.setdefault(el, None)
    return list(found)


def headings(doc: etree._Element, order: dict, claimed: list[str], holds_body: frozenset,
             title_like: bool = True) -> list[Heading]:
    body = doc.find(".//body")
    if body is None:
        return []
    out: list[Heading] = []
    for el in (_candidates(body, True, order) if title_like else _holding_claims(body, claimed)):
        text = text_of(el)
        if not MIN_CHARS <= len(text) <= MAX_CHARS or boilerplate.is_boilerplate_line(text):
            continue  # "Bản quyền thuộc Sở …" holds the site's name, not a headline
        if any(h.el in el.iterancestors() and h.text == text for h in out):
            continue  # <div class="title"><h1>same</h1></div>: one heading
        agreement = max((similarity(text, c) for c in claimed), default=0.0)
        if not title_like and agreement < AGREES:
            continue
        other = in_other_block(el, holds_body)
        if other and agreement < AGREES:  # a block's heading, unless the page's claim names it
            continue
        out.append(Heading(text, el, order.get(el, 0), agreement, _linked(el), other))
    return out


def _headline_like(h: Heading, names: frozenset[str]) -> bool:
    return letter_words(h.text) >= MIN_HEADLINE_WORDS and not h.linked and not h.other \
        and not is_site_name(h.text, names) and not boilerplate.is_boilerplate_line(h.text) \
        and not h.text.endswith((".", ":")) and not bylines.parse_byline_lines([h.text]).consumed


def _best_claim(doc: etree._Element, site: str | None, names: frozenset[str],
                affixes: tuple[str, str] = ("", "")) -> str | None:
    """The claim most sources agree on (og:title equal to a part of <title>), else the first:
    <title> with its site name off."""
    sourced = _sourced_claims(doc, site, names, affixes)
    if not sourced:
        return None
    support = {text: len({src for other, src in sourced if similarity(text, other) >= AGREES})
               for text, _src in sourced}
    return max(sourced, key=lambda c: (support[c[0]], -sourced.index(c)))[0]


def _first_prose(body_el: etree._Element) -> etree._Element:
    """Where the body's text starts: its first block of prose (a container may also hold the
    headline and the rows under it)."""
    for el in body_el.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "span", "strong", "b", "em", "i") or _linked(el) \
                or is_teaser_lead(el):
            continue
        own, _linked_chars = own_text(el)
        if len(own) >= PROSE_CHARS and (own.endswith((".", "!", "?", "…", ":")) or len(own) >= 3 * PROSE_CHARS):
            return el  # sentences, not a headline
    return body_el


class _Layout:
    """Where the body starts, and which headings sit right above it."""

    def __init__(self, body_el, order):
        self.body_el = body_el
        self.start = order.get(_first_prose(body_el), len(order)) if body_el is not None else len(order)

    def before_body(self, h: Heading) -> bool:
        return h.index <= self.start or (self.body_el is not None and self.body_el in h.el.iterancestors())

    def near(self, h: Heading) -> bool:
        return self.before_body(h) and self.start - h.index <= NEAR_BODY


def _agreeing(found: list[Heading], where: _Layout, names: frozenset[str]) -> Heading | None:
    # the site's name is part of the <title> claim, never the headline
    agreeing = [h for h in found if h.agreement >= AGREES and not is_site_name(h.text, names)]
    if not agreeing:
        return None
    # unlinked, outside other blocks, the best agreement; among equals the one nearest the body
    return max(agreeing, key=lambda h: (not h.other, not h.linked, where.before_body(h),
                                        round(h.agreement, 2), h.index))


def _above_body(doc, order, holds_body, where: _Layout, names) -> Heading | None:
    """With nothing to agree with: a headline-like heading right above the body; else the first
    headline-like block after the last link block before the body (the title comes before the
    date, byline and tools rows)."""
    found = [h for h in headings(doc, order, [], holds_body) if where.near(h) and _headline_like(h, names)]
    if found:
        return max(found, key=lambda h: (h.el.tag in ("h1", "h2"), h.index))
    segments: list[list[Heading]] = [[]]  # headline-like blocks between link blocks
    for el in _candidates(doc.find(".//body"), title_like=False):
        idx = order.get(el, 0)
        if not (where.start - NEAR_BODY <= idx < where.start) or el.tag == "a":
            continue
        text = text_of(el)
        h = Heading(text, el, idx, 0.0, _linked(el), in_other_block(el, holds_body))
        if h.linked or len(el.findall(".//a")) >= 2:
            if segments[-1]:
                segments.append([])  # a teaser, a breadcrumb or a link list: a headline may follow
        elif MIN_CHARS <= len(text) <= MAX_CHARS and _headline_like(h, names):
            segments[-1].append(h)
    found = [seg for seg in segments if seg]
    return found[-1][0] if found else None


def choose_title(doc: etree._Element, selected: tuple[str | None, etree._Element | None],
                 body_el: etree._Element | None, site: str | None,
                 order: dict, affixes: tuple[str, str] = ("", "")) -> tuple[str | None, etree._Element | None]:
    """(headline, its element or None). `selected`: the family selector's (or the learned
    layout's) pick, if any; `affixes`: the portal's learned <title> prefix and suffix."""
    names = site_names(doc, site)
    claimed = claims(doc, site, names, affixes)
    holds_body = frozenset(body_el.iterancestors()) if body_el is not None else frozenset()
    where = _Layout(body_el, order)
    text, el = selected
    # a pick inside the body's text (a caption a selector took) or in another block is no headline
    usable = bool(text) and not is_site_name(text, names) and (
        el is None or not in_other_block(el, holds_body) and order.get(el, 0) < where.start)
    if usable and max((similarity(text, c) for c in claimed), default=0.0) >= AGREES:
        return text, el
    if claimed:
        best = _agreeing(headings(doc, order, claimed, holds_body), where, names) or \
            _agreeing(headings(doc, order, claimed, holds_body, title_like=False), where, names)
        if best is not None:
            return best.text, best.el
        if usable:  # the page claims something no element shows: the selector's pick stands
            return text, el
    if usable and letter_words(text) >= MIN_HEADLINE_WORDS:
        return text, el
    above = _above_body(doc, order, holds_body, where, names)
    if above is not None:
        return above.text, above.el
    if usable:
        return text, el
    best_claim = _best_claim(doc, site, names, affixes)
    return (best_claim, None) if best_claim else (None, None)
