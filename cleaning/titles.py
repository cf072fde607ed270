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

from . import boilerplate
from .families.base import in_site_header
from .meta import SITE_PREFIX_WORDS, TITLE_SEPARATORS, jsonld_objects, meta_content, strip_site_suffix, text_of
from .normalize import collapse_ws

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


def claims(doc: etree._Element, site: str | None) -> list[str]:
    """What the page says its headline is: <title> (whole, site name off, and each part between
    separators), og:title, twitter:title, JSON-LD headline; the site name alone is no claim."""
    raw = [text_of(doc.find(".//title")), meta_content(doc, "property", "og:title"),
           meta_content(doc, "name", "twitter:title")]
    for obj in jsonld_objects(doc):
        value = obj.get("headline")
        if isinstance(value, str):
            raw.append(value)
    out: list[str] = []
    for value in raw:
        if not value:
            continue
        value = collapse_ws(value)
        parts = [strip_site_suffix(value, site), value]
        for sep in TITLE_SEPARATORS:
            if sep in value:
                parts += [p.strip() for p in value.split(sep)]
        for part in parts:
            if len(part) >= MIN_CHARS and not is_site_name(part, site) and part not in out:
                out.append(part)
    return out


def is_site_name(text: str, site: str | None) -> bool:
    """The site's name (og:site_name) or a "Cổng/Trang thông tin điện tử …" name; a unit name
    alone ("Sở Nội vụ tỉnh …") may start a headline, so it is not judged here."""
    if site and _norm(text) == _norm(site):
        return True
    return bool(SITE_PREFIX_WORDS.search(text)) and len(text.split()) <= 12


def similarity(heading: str, claim: str) -> float:
    a, b = _norm(heading), _norm(claim)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a in b:  # "<category> - <headline> - <site>"
        return 0.95 if len(a) >= 0.5 * len(b) or len(a.split()) >= MIN_HEADLINE_WORDS else 0.5
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
    return el.tag in HEADING_TAGS or bool(_words(el) & TITLE_WORDS) or any(
        w.endswith("title") or w.startswith("title") for w in _words(el))


def headings(doc: etree._Element, order: dict, claimed: list[str], holds_body: frozenset) -> list[Heading]:
    body = doc.find(".//body")
    if body is None:
        return []
    out = []
    for el in body.iter():
        if not isinstance(el.tag, str) or not _is_title_like(el):
            continue
        text = text_of(el)
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        if any(h.el in el.iterancestors() and h.text == text for h in out):
            continue  # <div class="title"><h1>same</h1></div>: one heading
        agreement = max((similarity(text, c) for c in claimed), default=0.0)
        other = in_other_block(el, holds_body)
        if other and agreement < AGREES:  # a block's heading, unless the page's claim names it
            continue
        out.append(Heading(text, el, order.get(el, 0), agreement, _linked(el), other))
    return out


def _headline_like(h: Heading, site: str | None) -> bool:
    return len(h.text.split()) >= MIN_HEADLINE_WORDS and not h.linked and not h.other and not is_site_name(h.text, site) \
        and not boilerplate.is_boilerplate_line(h.text)


def choose_title(doc: etree._Element, selected: tuple[str | None, etree._Element | None],
                 body_el: etree._Element | None, site: str | None,
                 order: dict) -> tuple[str | None, etree._Element | None]:
    """(headline, its element or None). `selected`: the family selector's pick, if any."""
    claimed = claims(doc, site)
    holds_body = frozenset(body_el.iterancestors()) if body_el is not None else frozenset()
    found = headings(doc, order, claimed, holds_body)
    start = order.get(body_el, len(order)) if body_el is not None else len(order)

    def before_body(h: Heading) -> bool:
        return h.index <= start or (body_el is not None and body_el in h.el.iterancestors())

    above = [h for h in found if before_body(h) and _headline_like(h, site) and start - h.index <= NEAR_BODY]
    text, el = selected
    usable = bool(text) and (el is None or not in_other_block(el, holds_body))
    if usable:
        if max((similarity(text, c) for c in claimed), default=0.0) >= AGREES:
            return text, el
        # nothing to agree with: a selector's pick stands unless it is a block heading
        # ("Tin nổi bật") and a headline sits right above the body
        if not claimed and (len(text.split()) >= MIN_HEADLINE_WORDS or not above):
            return text, el
    agreeing = [h for h in found if h.agreement >= AGREES and before_body(h)] or \
               [h for h in found if h.agreement >= AGREES]
    if agreeing:  # the best agreement; among equals, the one nearest the body
        best = max(agreeing, key=lambda h: (not h.other, not h.linked, round(h.agreement, 2), before_body(h), h.index))
        return best.text, best.el
    if usable and (claimed or not above):
        return text, el
    # nothing agrees (a generic <title>): the last headline-like heading right above the body
    if above:
        best = max(above, key=lambda h: (h.el.tag in ("h1", "h2"), h.index))
        return best.text, best.el
    if claimed:  # the page's own claim, site name off
        return claimed[0], None
    others = [h for h in found if _headline_like(h, site)]
    return (others[0].text, others[0].el) if others else (None, None)
