"""Published and updated dates on any page: candidates from every source, chosen by evidence.

Sources, most reliable first (`WEIGHTS`): JSON-LD `datePublished` / `dateCreated` /
`dateModified` of an article-like object (also in `@graph` and lists), machine meta tags
(`article:published_time`, og, itemprop, Dublin Core, parsely, sailthru ...), the family's own
date selectors, `<time datetime>` / `itemprop=datePublished` elements of the article (never in a
related list, comment, sidebar or footer), dates written in the article's header, the date in the
URL path (/2021/05/22/, /20210522/), and htmldate (foreign pages only) as one more source.

`choose` takes the candidate with the most support: the summed weight of the candidates (one per
source) that agree with it — the same day as written, or the same instant — then a written time
of day, then its own weight. A lone weak source still decides when it is the only one; no
candidate gives no date (null rather than a guess).

Offsets (see `finish`): a value that states its offset keeps it. A time written without one is
Vietnam time on a Vietnamese page (as `cleaning.dates` localises it); on any other page its wall
clock is kept, labelled UTC, with the offset recorded as unknown (None).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

from lxml import etree
from lxml.etree import XPath

from .dates import PUBLISHED_LABEL, UPDATED_LABEL, VN_TZ, date_line_residue, iso_has_time, offset_minutes, \
    read_iso, written_dates
from .meta import jsonld_objects

__all__ = ["DateCandidate", "choose", "finish", "htmldate_candidate", "machine_candidates",
           "time_candidates", "url_candidate", "written_candidates"]

logger = logging.getLogger(__name__)

PUBLISHED, UPDATED = "published", "updated"

# (attribute, lower-case key, kind, weight); meta tags read by the page's own machinery
META_DATE_KEYS: tuple[tuple[str, str, str, float], ...] = (
    ("property", "article:published_time", PUBLISHED, 5.0),
    ("name", "article:published_time", PUBLISHED, 5.0),
    ("property", "og:published_time", PUBLISHED, 5.0),
    ("property", "og:article:published_time", PUBLISHED, 5.0),
    ("itemprop", "datepublished", PUBLISHED, 5.0),
    ("name", "parsely-pub-date", PUBLISHED, 5.0),
    ("name", "sailthru.date", PUBLISHED, 4.5),
    ("name", "dc.date.issued", PUBLISHED, 4.5),
    ("name", "dcterms.issued", PUBLISHED, 4.5),
    ("name", "dcterms.created", PUBLISHED, 4.5),
    ("name", "dc.date.created", PUBLISHED, 4.5),
    ("name", "citation_publication_date", PUBLISHED, 4.5),
    ("name", "publishdate", PUBLISHED, 4.5),
    ("name", "publish-date", PUBLISHED, 4.5),
    ("name", "publish_date", PUBLISHED, 4.5),
    ("name", "pubdate", PUBLISHED, 4.5),
    ("name", "article.published", PUBLISHED, 4.5),
    ("name", "original-publish-date", PUBLISHED, 4.5),
    ("name", "date", PUBLISHED, 4.0),
    ("name", "dc.date", PUBLISHED, 4.0),
    ("name", "dcterms.date", PUBLISHED, 4.0),
    ("itemprop", "datecreated", PUBLISHED, 4.5),
    ("property", "article:modified_time", UPDATED, 5.0),
    ("property", "og:updated_time", UPDATED, 5.0),
    ("itemprop", "datemodified", UPDATED, 5.0),
    ("name", "dcterms.modified", UPDATED, 4.5),
    ("name", "dc.date.modified", UPDATED, 4.5),
    ("name", "last-modified", UPDATED, 4.0),
)
_META_KEYS = {(attr, key): (kind, weight) for attr, key, kind, weight in META_DATE_KEYS}
_META_ATTRS = ("property", "name", "itemprop")

JSONLD_DATE_KEYS = (("datePublished", PUBLISHED), ("dateCreated", PUBLISHED), ("dateModified", UPDATED))
# schema.org types whose dates are the page's article (a video's or an image's are its own)
ARTICLE_TYPES = re.compile(r"(?i)article|blogposting|posting|report|newsarticle|creativework$")
PAGE_TYPES = re.compile(r"(?i)webpage|itempage|collectionpage|aboutpage|profilepage")

WEIGHTS = {
    "jsonld": 5.0,       # an article-like JSON-LD object
    "jsonld:page": 4.0,  # a WebPage (or untyped) JSON-LD object
    "family": 4.5,       # the family page object's own date selector
    "time": 4.0,         # <time datetime> / itemprop=datePublished in the article
    "text": 3.5,         # a date written in the article's header
    "url": 2.5,          # a date in the URL path: a day, never a time
    "htmldate": 2.0,
}

URL_DATE_PATTERNS = (
    re.compile(r"/((?:19|20)\d{2})[-/_](\d{1,2})[-/_](\d{1,2})(?=[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?=[/_.-]|$)"),
)

TIME_XPATH = XPath('//time[@datetime] | //*[@itemprop="datePublished" or @itemprop="dateCreated"'
                   ' or @itemprop="dateModified"][not(self::meta)]')
# blocks whose dates belong to something else, beyond the extractor's own skip rules
OTHER_DATE_WORDS = frozenset({"comment", "comments", "reply", "replies", "respond", "review", "reviews",
                              "recommended", "trending", "popular", "latest", "teaser", "promo"})
_UPDATED_MARK = re.compile(r"(?i)updated?|modified|dateModified")
_WORDS_RE = re.compile(r"[\s_\-]+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """One date a source gives: `value` aware (the page's own offset, or `VN_TZ` when localised)
    or naive (written without an offset); `kind` "published" or "updated"."""

    value: datetime
    source: str
    weight: float
    has_time: bool = True
    kind: str = PUBLISHED

    @property
    def day(self) -> date:
        """The day as the page wrote it (in its own offset, or its wall clock)."""
        return self.value.date()


def _iso_candidate(value: object, source: str, weight: float, kind: str) -> DateCandidate | None:
    if not isinstance(value, str) or not value.strip():
        return None
    dt = read_iso(value)
    if dt is None or not 1990 <= dt.year <= 2100:
        return None
    return DateCandidate(dt, source, weight, iso_has_time(value), kind)


def _types(obj: dict) -> str:
    kind = obj.get("@type")
    if isinstance(kind, list):
        return " ".join(str(k) for k in kind)
    return str(kind or "")


def machine_candidates(doc: etree._Element) -> list[DateCandidate]:
    """Dates from meta tags and JSON-LD, published and updated."""
    out: list[DateCandidate] = []
    seen: set[str] = set()
    for el in doc.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        for attr in _META_ATTRS:
            key = el.get(attr)
            if key is None:
                continue
            found = _META_KEYS.get((attr, key.strip().lower()))
            if found and key.lower() not in seen:
                seen.add(key.lower())  # the first tag of a key, as a reader takes it
                if cand := _iso_candidate(content, f"meta:{key.strip()}", found[1], found[0]):
                    out.append(cand)
            break
    for obj in jsonld_objects(doc):
        types = _types(obj)
        if ARTICLE_TYPES.search(types):
            weight = WEIGHTS["jsonld"]
        elif not types or PAGE_TYPES.search(types):
            weight = WEIGHTS["jsonld:page"]
        else:
            continue
        for key, kind in JSONLD_DATE_KEYS:
            if cand := _iso_candidate(obj.get(key), f"jsonld:{key}", weight, kind):
                out.append(cand)
    return out


def url_candidate(url: str) -> DateCandidate | None:
    path = urlsplit(url).path
    for pattern in URL_DATE_PATTERNS:
        if m := pattern.search(path):
            try:
                day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            return DateCandidate(day, "url", WEIGHTS["url"], has_time=False)
    return None


def _in_other_block(el: etree._Element) -> bool:
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("body", "html"):  # their classes describe the page, not a block
            break
        words = set(_WORDS_RE.split(f"{anc.get('class') or ''} {anc.get('id') or ''}".lower()))
        if words & OTHER_DATE_WORDS:
            return True
    return False


def time_candidates(doc: etree._Element, skip: Callable[[etree._Element], bool],
                    title_el: etree._Element | None = None) -> list[DateCandidate]:
    """`<time datetime>` and `itemprop=datePublished` elements of the article: not in a block
    `skip` refuses (related lists, sidebars, footers) nor in comments or teasers. Of those
    marked as the publication, the one beside the headline (sharing a near ancestor) first,
    else the first in the page; so too for the update."""
    near = set()
    if title_el is not None:
        anc = title_el.getparent()
        for _ in range(4):
            if anc is None:
                break
            near.add(anc)
            anc = anc.getparent()
    best: dict[str, tuple[bool, DateCandidate]] = {}
    for el in TIME_XPATH(doc):
        if skip(el) or _in_other_block(el):
            continue
        prop = el.get("itemprop") or ""
        value = el.get("datetime") or el.get("content") or ""
        marks = f"{prop} {el.get('class') or ''}"
        kind = UPDATED if _UPDATED_MARK.search(marks) and "datePublished" not in prop else PUBLISHED
        cand = _iso_candidate(value, f"time:{prop or 'datetime'}", WEIGHTS["time"], kind)
        if cand is None:
            continue
        beside = bool(near) and any(a in near for a in el.iterancestors())
        held = best.get(kind)
        if held is None or (beside and not held[0]):
            best[kind] = (beside, cand)
    return [cand for _, cand in best.values()]


# -- dates written in the article's header, above its headline or after its body -------------
# Evidence for a written date, whatever the layout's class names:
# - position: in the header region (after the headline, before the body's first real paragraph),
#   just above the headline (nothing but a few links and short lines between them), or in the
#   first short lines after the body's last real paragraph;
# - the line says nothing else: a date line ("Thứ Năm, ngày 31/10/2019 - 13:18", "Ngày đăng:
#   08/06/2024 | Lượt xem: 12"), or a labelled date in a meta row; an event date in a sentence
#   ("Ngày 5/8/2022, tại …") is not one;
# - its blocks, up to the one that holds the headline or the body, are not another story's
#   teaser (a long link, a heading), a list of dated links, nor a clock, sidebar or footer;
# - the label: the publication first, then an unlabelled date, then the update.
PARAGRAPH_CHARS = 150       # a block of text this long is the body's (or the sapo's) prose
LINE_CHARS = 200            # a date's line: its widest block no longer than this
# a link this long is another story's headline; a category link ("Thi đua - Khen thưởng", "Văn
# hóa - Xã hội") is shorter
TEASER_LINK_WORDS = 8
MAX_RESIDUE_WORDS = 5       # words a date line may say besides its date (a name, "In bài")
ABOVE_MAX_LINKS, ABOVE_MAX_CHARS = 4, 300  # what may stand between a date above and the headline
ABOVE_MAX_DEPTH = 3         # a date above shares one of the headline's nearest ancestors
AFTER_MAX_LINES = 8         # short lines after the body's last paragraph read for its date
_LABEL_RANK = {PUBLISHED_LABEL: 2, None: 1, UPDATED_LABEL: 0}
_ZONE_RANK = {"near-title": 3, "above-title": 2, "after-body": 1}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "option", "select", "textarea"})


def _text_len(el: etree._Element, limit: int) -> int:
    """Length of `el`'s text, counted up to `limit` (beyond it, any number above `limit`)."""
    total = 0
    for piece in el.itertext():
        total += len(piece.strip())
        if total > limit:
            break
    return total


def _line_of(owner: etree._Element, stop: set) -> etree._Element:
    """The widest block around a date's text node that stays a short line and holds neither the
    headline nor the body."""
    line = owner
    for anc in owner.iterancestors():
        if anc in stop or anc.tag in ("body", "html") or _text_len(anc, LINE_CHARS) > LINE_CHARS:
            break
        line = anc
    return line


def _teaser(el: etree._Element, title_el: etree._Element | None) -> bool:
    """`el` holds another story's headline: a long link or a heading that is not the article's."""
    for sub in el.iter("a", *_HEADINGS):
        if title_el is not None and (sub is title_el or title_el in sub.iterancestors()
                                     or sub in title_el.iterancestors()):
            continue
        if sub.tag != "a" or len(" ".join(sub.itertext()).split()) >= TEASER_LINK_WORDS:
            return True
    return False


def _dated_items(el: etree._Element, holders: set = frozenset()) -> bool:
    """`el` is one item of a list of dated links (related news): it holds a link, and so does a
    sibling of its kind (same tag and class), each with a date. A sibling holding the headline
    or the body is the article, not an item (a table row of the body with a document link and
    an event date beside the row of its date line)."""
    parent = el.getparent()
    if parent is None or next(el.iter("a"), None) is None:
        return False
    kind = (el.tag, el.get("class"))
    return sum(1 for sib in parent if (sib.tag, sib.get("class")) == kind and sib not in holders
               and next(sib.iter("a"), None) is not None and written_dates(" ".join(sib.itertext()))) >= 2


def written_candidates(doc: etree._Element, title_el: etree._Element | None, body_el: etree._Element | None,
                       block_refused: Callable[[etree._Element], bool], order: dict, date_order: str | None,
                       ) -> list[DateCandidate]:
    """Dates written in the article's header region, just above its headline, or just after its
    body (see the evidence above), as candidates: the best-ranked one as the publication
    (labelled publication, else unlabelled, else the update, which is then the only time the
    page gives), and an update-labelled date as the update. `block_refused(el)`: one element's
    own marks say its dates belong to something else (clock, related list, sidebar, footer);
    blocks that hold the headline or the body are never asked. `order`: element -> index."""
    anchor = title_el if title_el is not None else body_el
    if anchor is None:
        return []
    holders: set = set()
    for el in (title_el, body_el):
        if el is not None:
            holders.add(el)
            holders.update(el.iterancestors())
    t_start = order.get(anchor, 0)
    t_end = _last(anchor, order) if title_el is not None else t_start - 1
    b_end = _last(body_el, order) if body_el is not None else len(order)
    # the body's prose: its first real paragraph after the headline, and its last one
    first_par = last_par = None
    scope = body_el if body_el is not None else doc
    for el in scope.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_TEXT or order.get(el, -1) <= t_end:
            continue
        own = len((el.text or "").strip()) + sum(len((c.tail or "").strip()) for c in el)
        if own > PARAGRAPH_CHARS or (el.tag == "p" and _text_len(el, PARAGRAPH_CHARS) > PARAGRAPH_CHARS):
            idx = order.get(el, -1)
            first_par = idx if first_par is None else first_par
            last_par = _last(el, order)
    if first_par is None:
        first_par = last_par = b_end
    found: list[tuple[tuple, DateCandidate, str | None]] = []
    seen_lines: set = set()
    after_lines = 0
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_TEXT:
            continue
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if not text or owner is None or not _DIGIT.search(text):
                continue
            # a tail stands after its element's whole subtree
            idx = order.get(el, -1) if owner is el else _last(el, order) + 0.5
            if title_el is not None and t_start <= idx <= t_end:
                continue  # the headline's own words
            if idx > t_end and idx < first_par:
                zone = "near-title"
            elif idx < t_start:
                zone = "above-title"
            elif idx > last_par:
                zone = "after-body"
            else:
                continue  # the body's prose: event dates
            line = _line_of(owner, holders)
            if line in seen_lines:
                continue
            seen_lines.add(line)
            line_text = _segmented_text(line)
            dates = written_dates(line_text, date_order)
            if not dates:
                continue
            if zone == "after-body":
                after_lines += 1
                if after_lines > AFTER_MAX_LINES:
                    continue
            if zone == "above-title" and not (_close_above(line, anchor, order) and _beside(line, anchor)):
                continue
            if not any(d.label for d in dates) and not _date_line(line_text, date_order):
                continue
            if _refused(line, holders, block_refused, title_el) or _dated_items(line, holders):
                continue
            for d in dates:
                rank = (_LABEL_RANK[d.label], _ZONE_RANK[zone], -order.get(line, 0))
                cand = DateCandidate(d.value, f"text:{zone}", WEIGHTS["text"], d.has_time, PUBLISHED)
                found.append((rank, cand, d.label))
    if not found:
        return []
    found.sort(key=lambda f: f[0], reverse=True)
    out = [found[0][1]]
    updates = [c for rank, c, label in found if label == UPDATED_LABEL]
    if updates and found[0][2] != UPDATED_LABEL:
        u = updates[0]
        out.append(DateCandidate(u.value, u.source, u.weight, u.has_time, UPDATED))
    return out


# tags that format words inside a sentence; any other element starts a segment of a meta row
_FORMATTING = frozenset({"b", "strong", "i", "em", "u", "font", "small", "sup", "sub", "mark", "time", "abbr"})
_SEGMENT_SPLIT = re.compile(r"\s*[|•·]\s*")


def _segmented_text(line: etree._Element) -> str:
    """`line`'s text with " | " between the segments its elements make (spans, cells, links of a
    meta row: "Ngày 26/01/2019 | Người đăng: admin | Lượt đọc: 2215 | In bài"); words formatted
    inside a sentence (<b>, <em>) stay in their segment."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        split = el.tag not in _FORMATTING
        if split:
            parts.append("|")
        parts.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str) and child.tag not in _NOT_TEXT:
                walk(child)
            parts.append(child.tail or "")
        if split:
            parts.append("|")

    walk(line)
    pieces = [" ".join(p.split()) for p in _SEGMENT_SPLIT.split(" ".join(parts))]
    return " | ".join(p for p in pieces if p)


def _date_line(text: str, date_order: str | None) -> bool:
    """No segment of the line says more than a few words besides its dates, times, weekdays,
    labels and counts: a date line or a meta row, not a sentence with an event date."""
    for piece in _SEGMENT_SPLIT.split(text):
        if len(date_line_residue(piece, written_dates(piece, date_order)).split()) > MAX_RESIDUE_WORDS:
            return False
    return True


def _last(el: etree._Element, order: dict) -> int:
    last = el
    for last in el.iter():
        pass
    return order.get(last, order.get(el, 0))


def _refused(line: etree._Element, holders: set, block_refused: Callable[[etree._Element], bool],
             title_el: etree._Element | None) -> bool:
    """The line or a block around it, below the one holding the headline or body, is a clock,
    sidebar, related list or another story's teaser."""
    for anc in (line, *line.iterancestors()):
        if anc in holders or anc.tag in ("body", "html"):
            return False
        if block_refused(anc) or _teaser(anc, title_el):
            return True
    return False


def _beside(line: etree._Element, anchor: etree._Element) -> bool:
    """`line` is in the headline's own block: inside one of its nearest ancestors (not the page's
    <body>), as a date above the headline is; the site's clock is in another branch of the page."""
    for depth, anc in enumerate(anchor.iterancestors()):
        if depth >= ABOVE_MAX_DEPTH or anc.tag in ("body", "html"):
            return False
        if line in anc.iterdescendants():
            return True
    return False


def _close_above(line: etree._Element, anchor: etree._Element, order: dict) -> bool:
    """Nothing but a few links and short lines between a date above the headline and it (the
    site's clock is followed by its menu, banner and breadcrumb)."""
    lo, hi = _last(line, order), order.get(anchor, 0)
    links = chars = 0
    for el in anchor.getroottree().getroot().iter():
        idx = order.get(el, -1)
        if idx <= lo or not isinstance(el.tag, str):
            continue
        if idx >= hi:
            break
        if el.tag in _NOT_TEXT:
            continue
        links += el.tag == "a"
        chars += len((el.text or "").strip()) + len((el.tail or "").strip())
        if links > ABOVE_MAX_LINKS or chars > ABOVE_MAX_CHARS:
            return False
    return True


HTMLDATE_FORMAT = "%Y-%m-%d %H:%M:%S%z"


def _pruned(doc: etree._Element, skip_words: frozenset[str]) -> etree._Element:
    """A copy of `doc` without the blocks whose dates belong to something else: elements whose
    class or id holds one of `skip_words` (or OTHER_DATE_WORDS), footers, navigation, asides and
    the site's header (a <header> outside an article)."""
    words_of_other = skip_words | OTHER_DATE_WORDS
    copy = deepcopy(doc)
    doomed = []
    for el in copy.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("footer", "nav", "aside", "script", "style", "noscript"):
            doomed.append(el)
            continue
        if el.tag == "header" and not any(a.tag in ("article", "main") for a in el.iterancestors()):
            doomed.append(el)
            continue
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        if attrs.strip() and set(_WORDS_RE.split(attrs.lower())) & words_of_other:
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    return copy


def htmldate_candidate(doc: etree._Element, url: str, extensive: bool = False,
                       skip_words: frozenset[str] = frozenset()) -> DateCandidate | None:
    """htmldate's reading of the page (its original date), on a copy without the blocks whose
    dates are not the article's (`_pruned`: clocks, related lists, comments, footers).
    `extensive` adds its opportunistic text search. Measured on the 181 ScrapingHub pages
    (bench: /tmp script in the closing note): 0.2 ms median fast, 1.2 ms mean extensive."""
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - installed with trafilatura
        return None
    try:
        found = find_date(_pruned(doc, skip_words), extensive_search=extensive, original_date=True, url=url,
                          outputformat=HTMLDATE_FORMAT)
    except Exception:  # htmldate raises assorted errors on odd markup
        logger.debug("htmldate failed on %s", url, exc_info=True)
        return None
    if not found:
        return None
    try:
        dt = datetime.strptime(found, HTMLDATE_FORMAT) if found[19:] else \
            datetime.strptime(found[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    has_time = (dt.hour, dt.minute, dt.second) != (0, 0, 0)
    return DateCandidate(dt, "htmldate" + (":extensive" if extensive else ""), WEIGHTS["htmldate"], has_time)


def _agree(a: DateCandidate, b: DateCandidate) -> bool:
    if a.day == b.day:
        return True
    if a.has_time and b.has_time and a.value.utcoffset() is not None and b.value.utcoffset() is not None:
        return abs((a.value - b.value).total_seconds()) <= 60
    return False


def _family(source: str) -> str:
    """Sources that read the same markup count once: "meta:…", "jsonld:…", "time:…"."""
    return source.split(":", 1)[0]


def choose(candidates: Iterable[DateCandidate], kind: str = PUBLISHED) -> DateCandidate | None:
    """The best-supported candidate of `kind` (see the module docstring)."""
    pool = [c for c in candidates if c.kind == kind]
    if not pool:
        return None

    def support(c: DateCandidate) -> float:
        weights: dict[str, float] = {}
        for other in pool:
            if other is c or _agree(c, other):
                fam = _family(other.source)
                weights[fam] = max(weights.get(fam, 0.0), other.weight)
        return sum(weights.values())

    return max(pool, key=lambda c: (support(c), c.has_time, c.weight))


def finish(value: datetime | None, vietnamese: bool) -> tuple[datetime | None, int | None]:
    """The Article's (datetime, offset in minutes) for a chosen value.

    Aware with the page's own offset: kept. Localised (`VN_TZ`) or naive: Vietnam time on a
    Vietnamese page; on another page the wall clock labelled UTC, offset None (unknown)."""
    if value is None:
        return None, None
    if value.tzinfo is VN_TZ or value.utcoffset() is None:
        wall = value.replace(tzinfo=None)
        if vietnamese:
            local = wall.replace(tzinfo=VN_TZ)
            return local, offset_minutes(local)
        return wall.replace(tzinfo=timezone.utc), None
    return value, offset_minutes(value)
