"""Page-level metadata shared by every family: meta tags, JSON-LD, canonical, titles, breadcrumbs."""
from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from datetime import datetime
from itertools import accumulate
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import XPath

from .dates import VN_TZ
from .normalize import collapse_ws

__all__ = [
    "canonical_url",
    "jsonld_objects",
    "language",
    "meta_content",
    "meta_published",
    "site_name",
    "strip_site_suffix",
    "text_of",
]

# meta tags and JSON-LD keys of the dates: cleaning/published.py (META_DATE_KEYS)
JSONLD_XPATH = XPath('//script[@type="application/ld+json"]')
CANONICAL_XPATH = XPath('//link[translate(@rel,"CANONICAL","canonical")="canonical"]/@href')

# Words that name a site wherever they stand in a <title>, so also at its head (where a unit's
# name does not: "UBND tỉnh ..." may well start a headline).
_SITE_NAMING = r"(?i:(cổng|trang)\s+(thông tin|ttđt|tt)|thông tin điện tử|ttđt|\bportal\b|website|\.gov\.vn)"
SITE_PREFIX_WORDS = re.compile(_SITE_NAMING)
# Words that make the tail of a <title> a site name rather than part of the headline.
SITE_WORDS = re.compile(
    _SITE_NAMING + r"|"
    r"^\s*(Sở|UBND|Ủy ban|Uỷ ban|Ban|Huyện|Tỉnh|Xã|Phường|Thị trấn|Thành phố|Cục|Chi cục|"
    r"Văn phòng|Trung tâm|Bộ|Đảng bộ|Huyện ủy|Tỉnh ủy|Hội đồng|SỞ|UBND|CỔNG|TRANG)\b",
)
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ")


def text_of(el: etree._Element | None) -> str:
    if el is None:
        return ""
    if isinstance(el, str):
        return collapse_ws(el)
    return collapse_ws(" ".join(el.itertext()))


def meta_content(doc: etree._Element, attr: str, key: str) -> str | None:
    for el in doc.iter("meta"):
        if (el.get(attr) or "").lower() == key.lower():
            value = el.get("content")
            if value and value.strip():
                return collapse_ws(value)
    return None


def jsonld_objects(doc: etree._Element) -> list[dict]:
    out: list[dict] = []
    for script in JSONLD_XPATH(doc):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return out


def meta_published(doc: etree._Element) -> tuple[datetime | None, str | None]:
    """Machine-readable published date (meta tags, JSON-LD) and where it came from; naive values
    localised to Vietnam time. Extraction chooses among all candidates (cleaning/published.py)."""
    from .published import PUBLISHED, choose, machine_candidates

    best = choose(machine_candidates(doc), PUBLISHED)
    return (_localised(best.value), best.source) if best else (None, None)


def meta_updated(doc: etree._Element) -> datetime | None:
    from .published import UPDATED, choose, machine_candidates

    best = choose(machine_candidates(doc), UPDATED)
    return _localised(best.value) if best else None


def _localised(value: datetime) -> datetime:
    return value if value.utcoffset() is not None else value.replace(tzinfo=VN_TZ)


def canonical_url(doc: etree._Element, url: str) -> str | None:
    hrefs = CANONICAL_XPATH(doc)
    if hrefs and hrefs[0].strip():
        return urljoin(url, hrefs[0].strip())
    og = meta_content(doc, "property", "og:url")
    return urljoin(url, og) if og else None


def site_name(doc: etree._Element) -> str | None:
    return meta_content(doc, "property", "og:site_name") or meta_content(
        doc, "name", "application-name")


def strip_site_suffix(title: str, site: str | None = None) -> str:
    """Drop a trailing " - Sở Nội vụ tỉnh Lạng Sơn" / " | Cổng TTĐT ..." site name, or a leading
    "Cổng thông tin điện tử huyện X - " one."""
    title = collapse_ws(title)
    for _ in range(2):
        changed = False
        for sep in TITLE_SEPARATORS:
            if sep not in title:
                continue
            head, tail = title.split(sep, 1)
            # "Cổng thông tin điện tử huyện X - Headline", the site unnamed in the meta tags
            if (SITE_PREFIX_WORDS.search(head) and not SITE_PREFIX_WORDS.search(tail) and len(head) <= 90
                    and len(tail.strip()) >= 8):
                title, changed = tail.strip(), True
                break
            head, tail = title.rsplit(sep, 1)
            if len(head) < 4:
                continue
            if (site and tail.strip().lower() == site.strip().lower()) or (
                    SITE_WORDS.search(tail) and len(tail) <= 90):
                title, changed = head.strip(), True
                break
            # "Site name | Headline": the head is the site
            if site and head.strip().lower() == site.strip().lower():
                title, changed = tail.strip(), True
                break
        if not changed:
            break
    return title


# Letters only Vietnamese writes (breve, horn, stroke, dot below, hook above): Portuguese,
# French or Spanish share à, á, ã, â, ê, ô but none of these.
VIETNAMESE_LETTERS_RE = re.compile(r"[ăđơưĩũạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
                                   r"ĂĐƠƯĨŨẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ]")
LETTER_RE = re.compile(r"[^\W\d_]")


_INVISIBLE = frozenset({"script", "style", "noscript"})
_TEXT_NODES = etree.XPath("//body//text()")
_ALL_TEXT_NODES = etree.XPath("//text()")


def visible_text_nodes(doc: etree._Element) -> list[Any]:
    """The page's visible text chunks in document order (script and style content left out).

    Each is one of lxml's "smart" strings: `.getparent()` is the element it belongs to and
    `.is_tail` says whether it follows that element. One XPath call walks the tree in C; the
    per-field scans that use these run over a list instead of creating a Python proxy for every
    element again.
    """
    nodes = _TEXT_NODES(doc) or _ALL_TEXT_NODES(doc)
    visible = []
    for node in nodes:
        tag = node.getparent().tag
        # a comment's tail belongs to the comment: left out, as the element walks did
        if isinstance(tag, str) and not node.isspace() and (node.is_tail or tag not in _INVISIBLE):
            visible.append(node)
    return visible


def chunks_with(nodes: list[Any], pattern: re.Pattern[str], needles: tuple[str, ...]) -> list[Any]:
    """The chunks of `nodes` (`visible_text_nodes`) in which `pattern` matches, in order.

    `needles`: lower-case strings, one of which every match of `pattern` holds, in any case.
    They are found by `str.find` in the joined, lower-cased text (far faster than a
    case-insensitive regex over it), and only the chunks holding one are searched."""
    joined = "\x00".join(nodes)  # no text node holds a NUL: no needle spans two chunks
    lowered = joined.lower()
    if len(lowered) != len(joined):  # a letter whose lower case is longer (İ): offsets would shift
        return [node for node in nodes if pattern.search(node)]
    lowered = lowered.replace("ı", "i").replace("ſ", "s")  # what IGNORECASE also takes for i and s
    hits = []
    for needle in needles:
        at = lowered.find(needle)
        while at >= 0:
            hits.append(at)
            at = lowered.find(needle, at + 1)
    if not hits:
        return []
    starts = list(accumulate((len(node) + 1 for node in nodes), initial=0))
    holding = sorted({bisect_right(starts, at) - 1 for at in hits})
    return [nodes[i] for i in holding if pattern.search(nodes[i])]


def reads_vietnamese(nodes: list[str], sample_chars: int = 20_000) -> bool:
    """True when the page's visible text (`visible_text_nodes`) is Vietnamese, judged by its
    letters, not its lang attribute, which many portal templates leave at "en". About one letter
    in twelve of Vietnamese prose is one only Vietnamese writes; 2% leaves room for pages heavy
    with English menus."""
    chunks, size = [], 0
    for chunk in nodes:
        chunks.append(chunk)
        size += len(chunk)
        if size >= sample_chars:
            break
    text = unicodedata.normalize("NFC", " ".join(chunks))
    # every letter is a character: enough marked letters among the characters decide at once
    # (early in the text, as a rule); the (costly) letter count only decides borderline pages
    enough, marked = max(30, 0.02 * len(text)), 0
    for marked, _ in enumerate(VIETNAMESE_LETTERS_RE.finditer(text), 1):
        if marked >= enough:
            return True
    return marked >= 30 and marked >= 0.02 * LETTER_RE.subn("", text)[1]


def language(doc: etree._Element, text: str) -> str | None:
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        lang = meta_content(doc, "http-equiv", "content-language") or meta_content(
            doc, "property", "og:locale")
    if lang:
        return lang.replace("_", "-").split("-")[0].lower()
    if re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text, re.I):
        return "vi"
    return None
