"""The sapo (lead paragraph) by position and emphasis, where no selector names it.

Vietnamese portals set the sapo apart from the body: a block of its own between the headline and
the body (after the date and toolbar rows), or the body's first block written as a heading or
wholly in bold or italics. A first paragraph in plain type is body text, not a sapo.
"""
from __future__ import annotations

from lxml import etree

from . import boilerplate, bylines
from .meta import text_of

MIN_CHARS, MAX_CHARS = 40, 1200
MIN_WORDS = 8
LONG_LEAD_CHARS = 160  # a lead this long need not end with a full stop
EMPHASIS_TAGS = frozenset({"strong", "b", "em", "i"})
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset({"p", "div", "td", "section", "blockquote", "span", *HEADING_TAGS})


def _is_lead_text(text: str) -> bool:
    """A sentence or more of prose: words of letters, a sentence's end (a meta row of date and
    category is neither)."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return MIN_CHARS <= len(text) <= MAX_CHARS and len(words) >= MIN_WORDS \
        and (text.rstrip().endswith((".", "!", "?", "…", ".)", '."', ".”")) or len(text) >= LONG_LEAD_CHARS) \
        and not boilerplate.is_boilerplate_line(text) and not bylines.parse_byline_lines([text]).consumed \
        and not bylines.parse_attribution(text)


def _emphasised(el: etree._Element) -> bool:
    """The whole text of `el` sits in <strong>/<b>/<em>/<i> (or `el` is a heading)."""
    if el.tag in HEADING_TAGS:
        return True
    total = len(text_of(el))
    inside = 0
    for child in el.iter(*EMPHASIS_TAGS):
        outer = child.getparent()
        while outer is not None and outer is not el and outer.tag not in EMPHASIS_TAGS:
            outer = outer.getparent()
        if outer is el:  # the outermost emphasis: its text counted once
            inside += len(text_of(child))
    return total > 0 and inside >= 0.9 * total


def _has_text_block(el: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS and text_of(d) for d in el.iterdescendants())


def _signature(el: etree._Element) -> tuple[str, str]:
    return el.tag, el.get("class") or ""


def _prose_after(title_el: etree._Element, end: int, order: dict):
    """Leaf text blocks of prose after the headline, in document order, up to `end`."""
    lo = order.get(title_el, -1)
    for el in list(order)[lo + 1: end + 1]:  # `order` holds the page's elements in document order
        if not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS:
            continue
        if title_el in el.iterancestors() or _has_text_block(el) or len(el.findall(".//a")) > 1:
            continue
        if _is_lead_text(text_of(el)):
            yield el


def find_sapo(title_el: etree._Element | None, container: etree._Element | None,
              order: dict) -> tuple[str | None, etree._Element | None]:
    """(sapo, its element) or (None, None): the first prose block after the headline when it is
    set apart from the body paragraphs after it (emphasis, a heading, another tag or class,
    another parent); a first paragraph like the ones after it is body text."""
    if title_el is None or container is None:
        return None, None
    last = container
    for last in container.iter():
        pass
    blocks = []
    for el in _prose_after(title_el, order.get(last, len(order)), order):
        blocks.append(el)
        if len(blocks) == 2:
            break
    if len(blocks) < 2:  # a lone block is the body itself
        return None, None
    first, second = blocks
    if _emphasised(first) or _signature(first) != _signature(second) or first.getparent() is not second.getparent():
        return text_of(first), first
    return None, None
