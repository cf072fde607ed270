"""Turn an article container into a flat, ordered list of text lines and images.

Block elements and <br> end a line; images become their own items, in document order. Each line
carries the styling that tells a caption or a byline from body text (italic, centred, right
aligned, inside a figcaption or a "caption" class).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from .boilerplate import DROP_TAGS, is_block_boilerplate
from .normalize import collapse_ws

__all__ = ["ImageItem", "Line", "walk", "strip_boilerplate_blocks"]

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "main", "blockquote",
    "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt",
    "dd", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "center", "pre",
    "address", "hr", "details", "summary",
})
ITALIC_TAGS = frozenset({"em", "i"})
BOLD_TAGS = frozenset({"strong", "b"})
CAPTION_WORDS = frozenset({
    "caption", "figcaption", "image-caption", "imagecaption", "img-caption", "photo-caption",
    "wp-caption-text", "chuthich", "chu-thich", "ghichu", "note", "desc", "description",
    "image_caption", "pcaption", "captionimage", "expnote", "fig",
})
_CAPTION_WORD_RE = re.compile(r"[\s_\-]+")
_CENTER_RE = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_RIGHT_RE = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)


@dataclass(slots=True)
class Line:
    text: str
    italic: bool = False
    bold: bool = False
    center: bool = False
    right: bool = False
    caption: bool = False  # inside figcaption / a caption-classed element
    heading: bool = False


@dataclass(slots=True)
class ImageItem:
    src: str
    alt: str = ""
    title: str = ""
    captions: list[str] = field(default_factory=list)  # filled by the extractor


@dataclass(slots=True)
class _Ctx:
    italic: bool = False
    bold: bool = False
    center: bool = False
    right: bool = False
    caption: bool = False
    heading: bool = False


@dataclass(slots=True)
class _Piece:
    text: str
    ctx: _Ctx


def _class_id(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def _is_caption_el(el: etree._Element) -> bool:
    if el.tag == "figcaption":
        return True
    words = set(_CAPTION_WORD_RE.split(_class_id(el).lower()))
    return bool(words & CAPTION_WORDS)


def strip_boilerplate_blocks(root: etree._Element, extra_xpaths: tuple = ()) -> None:
    """Remove DROP_TAGS subtrees, boilerplate-classed blocks and `extra_xpaths` matches inside root."""
    doomed = []
    for el in root.iter():
        if el is root or not isinstance(el.tag, str):
            if not isinstance(el.tag, str) and el is not root:
                doomed.append(el)  # comments, processing instructions
            continue
        if el.tag in DROP_TAGS:
            doomed.append(el)
        elif is_block_boilerplate(_class_id(el)) and not _is_caption_el(el):
            doomed.append(el)
        elif (el.get("style") or "").replace(" ", "").lower().find("display:none") >= 0:
            doomed.append(el)
    for xp in extra_xpaths:
        doomed.extend(xp(root))
    for el in doomed:
        _drop(el)


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.items: list[Line | ImageItem] = []
        self.pieces: list[_Piece] = []

    def flush(self) -> None:
        if not self.pieces:
            return
        text = collapse_ws("".join(p.text for p in self.pieces))
        if text:
            real = [p for p in self.pieces if p.text.strip()]
            self.items.append(Line(
                text=text,
                italic=all(p.ctx.italic for p in real),
                bold=all(p.ctx.bold for p in real),
                center=any(p.ctx.center for p in real),
                right=any(p.ctx.right for p in real),
                caption=any(p.ctx.caption for p in real),
                heading=all(p.ctx.heading for p in real),
            ))
        self.pieces = []

    def image(self, el: etree._Element) -> None:
        src = (el.get("data-src") or el.get("data-original") or el.get("data-lazy-src")
               or el.get("src") or "").strip()
        if not src or src.startswith("data:"):
            return
        self.flush()
        self.items.append(ImageItem(
            src=urljoin(self.base_url, src),
            alt=collapse_ws(el.get("alt") or ""),
            title=collapse_ws(el.get("title") or ""),
        ))

    def walk(self, el: etree._Element, ctx: _Ctx) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        ctx = _Ctx(
            italic=ctx.italic or tag in ITALIC_TAGS or "italic" in (el.get("style") or ""),
            bold=ctx.bold or tag in BOLD_TAGS or "bold" in (el.get("style") or ""),
            center=ctx.center or tag == "center" or (el.get("align") or "").lower() == "center"
            or bool(_CENTER_RE.search(el.get("style") or "")),
            right=ctx.right or (el.get("align") or "").lower() == "right"
            or bool(_RIGHT_RE.search(el.get("style") or "")),
            caption=ctx.caption or _is_caption_el(el),
            heading=ctx.heading or tag in ("h2", "h3", "h4", "h5", "h6"),
        )
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        if tag == "br":
            self.flush()
        elif tag == "img":
            self.image(el)
        if el.text and tag not in ("br", "img"):
            self.pieces.append(_Piece(el.text, ctx))
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child, ctx)
            if child.tail:
                self.pieces.append(_Piece(child.tail, ctx))
        if block:
            self.flush()


def walk(container: etree._Element, base_url: str) -> list[Line | ImageItem]:
    """Ordered lines and images of `container` (which should already be free of boilerplate)."""
    walker = _Walker(base_url)
    walker.walk(container, _Ctx())
    walker.flush()
    return walker.items
