"""Element paths that name where a field sits on a portal's article pages, whatever the article.

A path is the chain of elements from <body> down to the element, each step its tag, its stable
id and its stable class tokens: `body/div.wrap/div#main/div.ArticleDetail/h1`. Tokens that
carry a number at their end or a long number anywhere ("item_1234", "post-98231",
"node-5512") name the article or its position, not the layout, and are left out, as are tokens
a path or an XPath cannot carry. No positions: the same template gives the same path on every
article page, however many paragraphs or related items precede the element.

Where a template repeats a step among siblings (two `section.pull-left`, one the sidebar's), the
path names the k-th of them: `.../section.pull-left[1]`.

`resolve(doc, path)` finds the element again with an XPath built from the path (compiled once
per path); a path that names several elements on a page names none of them (None).

Pure functions; used by the layout learner (cleaning/layout_learning.py) and by extraction.
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from .dates import UPDATED_LABEL, written_dates
from .normalize import collapse_ws

# a number at the end ("item_1234", "col-8", "news12") or a long one anywhere ("n_20231105_x")
_UNSTABLE_TOKEN = re.compile(r"\d+$|\d{4,}")
_SAFE_TOKEN = re.compile(r"[A-Za-z_][\w:-]*\Z")
MAX_TOKENS = 4          # class tokens per step (a step's identity; more only lengthens the path)
MAX_DEPTH = 40          # deeper elements get no path (a broken page's nesting)
MAX_AFFIX_CHARS = 120   # a "<title>" prefix or suffix longer than this is no site name
MAX_DATE_CHARS = 200    # the text of a date element (a meta row, not a paragraph)
DATE_WINDOW = (150, 400)  # elements before and after the headline where its date element is looked for
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "select", "option"})


def _stable(token: str) -> bool:
    return bool(_SAFE_TOKEN.match(token)) and not _UNSTABLE_TOKEN.search(token)


def step(el: etree._Element) -> str:
    """One step of a path: `tag`, `#id` when stable, `.token` for each stable class token (sorted)."""
    out = el.tag if isinstance(el.tag, str) else ""
    ident = (el.get("id") or "").strip()
    if ident and _stable(ident):
        out += f"#{ident}"
    tokens = sorted({t for t in (el.get("class") or "").split() if _stable(t)})[:MAX_TOKENS]
    return out + "".join(f".{t}" for t in tokens)


def _indexed(el: etree._Element) -> str:
    """`step(el)`, with `[k]` when siblings share it: the k-th of them (a template's second
    `section.pull-left`, its sidebar's twin)."""
    own = step(el)
    parent = el.getparent()
    if parent is None:
        return own
    same = [sib for sib in parent if sib.tag == el.tag and step(sib) == own]
    return own if len(same) < 2 else f"{own}[{same.index(el) + 1}]"


def element_path(el: etree._Element | None, indexed: bool = False) -> str | None:
    """The path of `el` from <body> down, or None (no element, outside <body>, too deep).
    `indexed`: steps that siblings share carry their position among them."""
    if el is None or not isinstance(el.tag, str):
        return None
    name = _indexed if indexed else step
    steps = [name(el)]
    for anc in el.iterancestors():
        steps.append(name(anc))
        if anc.tag == "body":
            break
        if len(steps) > MAX_DEPTH:
            return None
    else:
        return None if el.tag != "body" else "body"
    return "/".join(reversed(steps))


_STEP_RE = re.compile(r"([A-Za-z][\w-]*)((?:#[^.#/\[]+)?)((?:\.[^.#/\[]+)*)(?:\[(\d+)\])?\Z")


@lru_cache(maxsize=4096)
def path_xpath(path: str) -> etree.XPath | None:
    """The XPath finding the elements `path` names (None for a path that is not one)."""
    parts = []
    for part in path.split("/"):
        m = _STEP_RE.match(part)
        if m is None:
            return None
        tag, ident, classes, position = m.groups()
        expr = tag
        if ident:
            expr += f"[@id='{ident[1:]}']"
        for token in filter(None, classes.split(".")):
            expr += f"[contains(concat(' ', normalize-space(@class), ' '), ' {token} ')]"
        if position:
            expr += f"[{position}]"
        parts.append(expr)
    if not parts or not parts[0].startswith("body"):
        return None
    return etree.XPath("/html/" + "/".join(parts))


def resolve(doc: etree._Element, path: str | None) -> etree._Element | None:
    """The one element `path` names on the page; None when it names none, or several."""
    xpath = path_xpath(path) if path else None
    if xpath is None:
        return None
    found = xpath(doc)
    return found[0] if len(found) == 1 else None


def unique_path(doc: etree._Element, el: etree._Element | None) -> str | None:
    """A path naming `el` alone on the page (so it can find it again): `element_path(el)`, or
    where that names several elements, its indexed form; None when neither does."""
    for indexed in (False, True):
        path = element_path(el, indexed)
        if path is None:
            return None
        if resolve(doc, path) is el:
            return path
    return None


# -- <title> affixes ------------------------------------------------------------------------------
def title_affixes(raw_title: str | None, headline: str | None) -> tuple[str, str] | None:
    """(prefix, suffix) of `raw_title` around `headline` ("", " - Sở Nội vụ tỉnh Lạng Sơn"), or
    None when the <title> does not hold the headline."""
    raw, head = collapse_ws(raw_title or ""), collapse_ws(headline or "")
    if not raw or not head:
        return None
    at = raw.lower().find(head.lower())
    if at < 0:
        return None
    prefix, suffix = raw[:at], raw[at + len(head):]
    if len(prefix) > MAX_AFFIX_CHARS or len(suffix) > MAX_AFFIX_CHARS:
        return None
    return prefix, suffix


def strip_title_affixes(value: str, affixes: tuple[str, str], min_chars: int = 1) -> str:
    """`value` without the learned prefix and suffix (when what is left has `min_chars`)."""
    prefix, suffix = affixes
    if prefix and value.startswith(prefix) and len(value) - len(prefix) >= min_chars:
        value = value[len(prefix):]
    if suffix and value.endswith(suffix) and len(value) - len(suffix) >= min_chars:
        value = value[: len(value) - len(suffix)]
    return value.strip()


# -- the date element -----------------------------------------------------------------------------
def _same_minute(a, b) -> bool:
    return a.replace(tzinfo=None).replace(second=0, microsecond=0) == \
        b.replace(tzinfo=None).replace(second=0, microsecond=0)


def date_element(doc: etree._Element, order: dict, anchor: etree._Element | None, published,
                 date_order: str | None) -> etree._Element | None:
    """The innermost element near `anchor` (the headline) whose short text writes `published`:
    where the page showed its date. None when no element near the headline writes it."""
    if anchor is None or published is None:
        return None
    at = order.get(anchor)
    if at is None:
        return None
    # any writing of the year holds its last two digits ("2021", "21"): a cheap first test
    year_digits = f"{published.year % 100:02d}"
    elements = list(order)
    matches = []
    for el in elements[max(0, at - DATE_WINDOW[0]): at + DATE_WINDOW[1] + 1]:
        if not isinstance(el.tag, str) or el.tag in _NOT_TEXT or el is anchor or anchor in el.iterancestors():
            continue
        text = short_text(el, MAX_DATE_CHARS)
        if not text or year_digits not in text:
            continue
        if any(_same_minute(d.value, published) for d in written_dates(text, date_order)):
            matches.append(el)
    leaves = [el for el in matches if not any(m is not el and el in m.iterancestors() for m in matches)]
    return min(leaves, key=lambda el: abs(order.get(el, 0) - at)) if leaves else None


def short_text(el: etree._Element, limit: int) -> str | None:
    """`el`'s collapsed text, or None when it is longer than `limit` (a block around a date
    line is not read whole: each piece's collapsed length adds up to no more than the whole's)."""
    pieces, total = [], 0
    for piece in el.itertext():
        piece = collapse_ws(piece)
        if piece:
            total += len(piece) + 1
            if total > limit + 1:
                return None
            pieces.append(piece)
    return " ".join(pieces)


def element_date(el: etree._Element, date_order: str | None):
    """The publication date an element writes (labelled publication, else unlabelled; an
    update alone is none): (value, has_time) or None."""
    text = short_text(el, MAX_DATE_CHARS)
    if text is None:
        return None
    dates = [d for d in written_dates(text, date_order) if d.label != UPDATED_LABEL]
    if not dates:
        return None
    best = next((d for d in dates if d.label is not None), dates[0])
    return best.value, best.has_time
