"""The article container on layouts no rule knows, by structure: paragraph text, link density.

Every element is scored by the paragraph text it holds against the other text it would bring in
(menus, link lists, counters, teasers' link lines): `paragraphs - PENALTY * other`. A page
wrapper holds the body and the sidebars; the body's own wrapper holds the body and a few short
lines (date, byline, toolbar), so it scores highest. Inside the chosen element, link lists
("Tin liên quan", "Tin mới", breadcrumbs, category menus) are cut with the short heading that
names them. Class names play no part: they are the templates' and change with every theme.
"""
from __future__ import annotations

import re
from collections import defaultdict

from lxml import etree

from . import boilerplate
from .article import ExtractionError
from .normalize import collapse_ws

INLINE_TAGS = frozenset({"a", "b", "strong", "i", "em", "u", "span", "font", "sup", "sub", "br",
                         "img", "small", "big", "mark", "abbr", "cite", "q", "time", "label"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select",
                       "option", "button", "input", "textarea", "iframe", "svg"})  # not form: ASP.NET wraps the page in one
MIN_PARAGRAPH_CHARS = 40
MAX_PARAGRAPH_LINK_SHARE = 0.5
PENALTY = 0.6               # measured on the layout development seeds (0-999)
MIN_CONTAINER_CHARS = 80
HEADLINE_PAGE_MAX_CHARS = 600  # a real article this short with this many links is refused, with the reason
HEADLINE_PAGE_SHARE = 0.1
TEASER_ANCHOR_WORDS = 4
HEADLINE_ANCHOR_WORDS = 3   # mean words per anchor of a list of stories
ITEM_TAGS = frozenset({"li", "ul", "ol", "div", "p", "tr", "td", "dd", "dl", "table"})
WIDER_SCORE_SHARE = 0.9
SELECTED_SHARE = 0.6        # a selector's pick holding less of the paragraph text is a wrong pick
LIST_MIN_LINKS = 3
LIST_LINK_SHARE = 0.5
BLOCK_HEADING_WORDS = 6     # "Tin liên quan", "Các tin đã đưa": the name of the list below it


def own_text(el: etree._Element) -> tuple[str, int]:
    """(text of the element and its inline children, chars of it inside links)."""
    text = el.text
    parts = [text] if text else []
    linked = 0
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag in INLINE_TAGS:
            inner = "".join(child.itertext()) if tag not in SKIP_TAGS else ""
            parts.append(inner)
            if tag == "a":
                linked += len(collapse_ws(inner))
            else:
                linked += sum(len(collapse_ws("".join(a.itertext()))) for a in child.iter("a"))
        if tail := child.tail:
            parts.append(tail)
    # most block elements of a page hold only whitespace between their child blocks
    joined = "".join(parts)
    return ("", linked) if not joined or joined.isspace() else (collapse_ws(joined), linked)


def is_teaser_lead(el: etree._Element) -> bool:
    """A lead under a linked headline: another story's teaser (a listing, a sidebar, "Tiêu
    điểm"), not the article's paragraph. The article's own headline is not a link."""
    previous = el.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if previous is None or previous.tag in INLINE_TAGS and previous.tag != "a":
        return False
    anchors = [previous] if previous.tag == "a" else list(previous.iter("a"))
    if len(anchors) != 1:
        return False
    anchor_text = collapse_ws("".join(anchors[0].itertext()))
    own = collapse_ws("".join(previous.itertext()))
    return len(anchor_text.split()) >= TEASER_ANCHOR_WORDS and len(anchor_text) >= 0.8 * len(own)


class Scores:
    """Paragraph text (chars outside links) and other text under each element of a page."""

    def __init__(self, doc: etree._Element):
        self.paragraphs: dict[etree._Element, int] = defaultdict(int)
        self.other: dict[etree._Element, int] = defaultdict(int)
        body = doc.find(".//body")
        if body is not None:
            self._count(body)

    def _count(self, body: etree._Element) -> None:
        """Each element's own text is weighed once; totals then flow up from children to parents
        (one pass in reverse document order, not a walk up the ancestors of every element)."""
        paragraphs, other = self.paragraphs, self.other
        visited: list[etree._Element] = []
        stack = [body]
        while stack:
            el = stack.pop()
            visited.append(el)
            for child in el:
                if isinstance(child.tag, str) and child.tag not in SKIP_TAGS and child.tag not in INLINE_TAGS:
                    stack.append(child)
            text, linked = own_text(el)
            if not text:
                continue
            if len(text) >= MIN_PARAGRAPH_CHARS and linked <= MAX_PARAGRAPH_LINK_SHARE * len(text) \
                    and not is_teaser_lead(el) and not boilerplate.is_boilerplate_line(text):
                # (a banner slogan, a footer's licence line: catalogue lines are never prose)
                paragraphs[el] += len(text) - linked
                if linked:
                    other[el] += linked
            else:
                other[el] += len(text)
        for el in reversed(visited):
            parent = el.getparent()
            if parent is None:
                continue
            if el in paragraphs:
                paragraphs[parent] += paragraphs[el]
            if el in other:
                other[parent] += other[el]

    def score(self, el: etree._Element) -> float:
        return self.paragraphs.get(el, 0) - PENALTY * self.other.get(el, 0)

    def best(self) -> etree._Element | None:
        """The element whose paragraphs outweigh the other text it would bring in."""
        best, best_score = None, 0.0
        for el in self.paragraphs:
            score = self.score(el)
            if el.tag != "html" and score > best_score:
                best, best_score = el, score
        if best is None or self.paragraphs[best] < MIN_CONTAINER_CHARS:
            return None
        return best


def find_container(doc: etree._Element, selected: etree._Element | None = None) -> etree._Element | None:
    """The article container: `selected` (a family selector's pick) when it holds most of the
    paragraph text the structural best holds; else the structural best. A selector that found
    another story's teaser, or one paragraph block of several, gives way. Raises
    ExtractionError("not_article") for a page of headlines (a home page, a listing)."""
    scores = Scores(doc)
    best = scores.best()
    _refuse_headline_pages(doc, scores.paragraphs.get(selected if best is None else best, 0))
    if selected is None or best is None:
        return selected if best is None else best
    if selected is best or best in selected.iterancestors():
        return selected
    if selected in best.iterancestors():  # a wider pick: only if what it adds is not mostly other text
        return selected if scores.score(selected) >= WIDER_SCORE_SHARE * scores.score(best) else best
    if scores.paragraphs.get(selected, 0) >= SELECTED_SHARE * scores.paragraphs[best]:
        return selected
    return best


def _refuse_headline_pages(doc: etree._Element, held: int) -> None:
    """A home page's best block is a teaser or its footer: little paragraph text beside a great
    deal of link text (measured: articles of the layout and family replicas and real portals hold
    >= 0.87 chars of paragraph per char of link text; home pages 0.01-0.09)."""
    if held >= HEADLINE_PAGE_MAX_CHARS:
        return
    linked = sum(len(collapse_ws("".join(a.itertext()))) for a in doc.iter("a"))
    if held < HEADLINE_PAGE_SHARE * linked:
        raise ExtractionError("not_article", f"a page of headlines: {held} chars of paragraphs, {linked} of links")


def _link_share(el: etree._Element) -> tuple[int, float]:
    links = [a for a in el.iter("a")]
    text = collapse_ws(" ".join(el.itertext()))
    if not links or not text:
        return len(links), 0.0
    linked = sum(len(collapse_ws(" ".join(a.itertext()))) for a in links)
    return len(links), linked / len(text)


_ITEM_DATE_RE = re.compile(r"[\[(]?\s*(?:\d{1,2}:\d{2}\s*,?\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:\s*,?\s*\d{1,2}:\d{2})?\s*[\])]?")
_DOCUMENT_HREF_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|zip|rar)(?:$|[?#])", re.IGNORECASE)


def _is_related_item(el: etree._Element) -> bool:
    """One related story's line: a headline link (4+ words, not a document) and at most its
    date beside it ("Tin khác" with a single item; a list of three or more is cut anyway)."""
    if el.tag not in ITEM_TAGS:
        return False
    links = el.findall(".//a")
    if len(links) != 1 or _DOCUMENT_HREF_RE.search(links[0].get("href") or ""):
        return False
    anchor = collapse_ws(" ".join(links[0].itertext()))
    if len(anchor.split()) < TEASER_ANCHOR_WORDS:
        return False
    rest = collapse_ws(" ".join(el.itertext())).replace(anchor, "", 1)
    return len(_ITEM_DATE_RE.sub("", rest).strip(" -–|")) <= 3


def _headline_links(el: etree._Element) -> bool:
    """A list of stories (anchors of a few words each), not a toolbar ("Gửi email", "In bài")."""
    anchors = [collapse_ws(" ".join(a.itertext())) for a in el.iter("a")]
    return bool(anchors) and sum(len(a.split()) for a in anchors) >= HEADLINE_ANCHOR_WORDS * len(anchors)


def _names_list(heading: etree._Element) -> bool:
    """A short block heading naming the list after it ("Tin liên quan", "Các tin đã đưa"): no
    link, no label (a byline "Tin, ảnh: P. Tùng" above a toolbar is no heading), no date."""
    if not isinstance(heading.tag, str) or heading.findall(".//a"):
        return False
    text = collapse_ws(" ".join(heading.itertext()))
    return 0 < len(text.split()) <= BLOCK_HEADING_WORDS and ":" not in text and not re.search(r"\d", text)


def cut_link_lists(container: etree._Element) -> list[etree._Element]:
    """Remove link lists inside the container (and the short heading right before each); returns
    the removed elements. Attachment links ("Tải về") are read before this runs."""
    removed = []
    for el in list(container.iter()):
        if el is container or not isinstance(el.tag, str) or el.tag in INLINE_TAGS:
            continue
        if any(r in el.iterancestors() for r in removed):
            continue
        n, share = _link_share(el)
        if n >= LIST_MIN_LINKS and share >= LIST_LINK_SHARE or _is_related_item(el):
            heading = el.getprevious()
            if heading is not None and _names_list(heading) and _headline_links(el):
                removed.append(heading)
            removed.append(el)
    for el in removed:
        parent = el.getparent()
        if parent is not None:
            tail = el.tail
            parent.remove(el)
            if tail and tail.strip():
                parent.text = (parent.text or "") + tail if parent.text is None else parent.text + tail
    return removed


def drop_before(container: etree._Element, title_el: etree._Element | None) -> None:
    """Remove what the container holds before the headline (block headings, another story's
    teaser, a breadcrumb): the article starts at its title."""
    if title_el is None or container not in title_el.iterancestors():
        return
    node = title_el
    while node is not container:
        parent = node.getparent()
        for sibling in list(node.itersiblings(preceding=True)):
            parent.remove(sibling)
        parent.text = None
        node = parent
