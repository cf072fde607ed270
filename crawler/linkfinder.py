"""Links found by a page's structure, whatever their URL shape: news sections, article items, pagers.

Pure functions over a parsed page (an lxml element tree, as Scrapy's `response.selector.root`
gives it) and its URL; they return absolute URLs, which the spider canonicalises and bounds.

- `section_links`: menu and category links to news sections, chosen by their anchor text
  (normalised: NFC, case, punctuation; also without diacritics) and their position (a menu-like
  group of short links, or a block heading), never an account, search, contact, document or
  procedure page.
- `listing_links`: on a listing page, the repeated block of items in the main content. Links are
  grouped by their structural signature (the tag.class path from the root); a group whose links
  mostly carry long anchor texts (>= 4 words) is a block of article items, and its links are
  article candidates. Menus fail that test (short anchors); `nav`, `aside`, the page's own
  `header`/`footer` and elements named menu/nav/sidebar/footer/breadcrumb are left out. Pagers
  are groups of numbered links (or "Trang sau", "»", ...) next to each other.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

# Anchor texts (normalised) that name a news section; an anchor naming one, alone or followed by
# a few words ("Hoạt động của UBND tỉnh"), is a section link.
SECTION_PHRASES = (
    "tin tức", "tin tức sự kiện", "sự kiện", "tin sự kiện", "hoạt động", "tin hoạt động", "thông báo",
    "tin địa phương", "tin tổng hợp", "tin mới", "tin mới nhất", "tin nổi bật", "tin trong tỉnh",
    "tin trong nước", "tin chuyên ngành", "tin ngành", "thời sự", "chuyển đổi số", "tin tức hoạt động",
    "hoạt động của lãnh đạo", "tin hoạt động của lãnh đạo", "tin tức chung", "bản tin", "tin văn hóa",
    "tin kinh tế", "tin xã hội", "news", "latest news", "events",
)
# Anchor words that make a link never a section, even when it names one ("Thông báo tuyển dụng"
# is a section; "Văn bản thông báo" is not): accounts, search, contact, documents, procedures.
DENY_ANCHORS = (
    "đăng nhập", "đăng ký", "đăng xuất", "tìm kiếm", "liên hệ", "văn bản", "hỏi đáp", "thủ tục",
    "dịch vụ công", "sơ đồ", "giới thiệu", "góp ý", "lịch công tác", "danh bạ", "thư điện tử", "email",
    "trang chủ", "rss", "english", "login", "search", "contact", "sitemap", "hướng dẫn", "biểu mẫu",
)
SECTION_MAX_WORDS = 7
ARTICLE_MIN_WORDS = 4       # an item's title link: a headline, not a menu entry
BLOCK_MIN_ITEMS = 3         # a repeated block: at least this many items ...
BLOCK_MIN_LONG_SHARE = 0.5  # ... and most of its links with long anchors
MENU_MIN_LINKS = 4          # a menu-like group: this many links, mostly short
MENU_MAX_WORDS = 5

# Structure that is never the main content (matched against class and id tokens).
EXCLUDED_TAGS = frozenset({"nav", "aside"})
PAGE_PARTS = frozenset({"header", "footer"})  # excluded unless inside an <article> (a card's own)
EXCLUDED_TOKENS = frozenset({
    "menu", "mainmenu", "megamenu", "submenu", "nav", "navbar", "navigation", "footer", "sidebar",
    "breadcrumb", "breadcrumbs", "topbar", "aside",
})
# A pager may sit in a <nav class="pagination">; a calendar's day numbers in a sidebar are no pager.
PAGER_EXCLUDED_TAGS = frozenset({"aside"})
PAGER_EXCLUDED_TOKENS = frozenset({"sidebar", "footer", "aside", "calendar", "lich"})
MENU_TOKENS = frozenset({"menu", "mainmenu", "megamenu", "submenu", "nav", "navbar", "navigation", "topbar"})
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_WORD = re.compile(r"\w+")
_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^\d{1,5}$")
_DATE = re.compile(r"\b\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}\b")
# Pager anchors: next / previous / first / last (normalised; arrows kept as they are)
NEXT_ANCHORS = frozenset({"trang sau", "sau", "tiếp", "tiếp theo", "trang tiếp", "xem tiếp", "next", "›", ">",
                          "»", ">>", "tiếp »", "sau »", "next »"})
OTHER_PAGER_ANCHORS = frozenset({"trước", "trang trước", "prev", "previous", "‹", "<", "«", "<<", "đầu",
                                 "trang đầu", "cuối", "trang cuối", "first", "last"})
_SKIP_HREF = ("javascript:", "mailto:", "tel:", "#", "data:")


def normalize_anchor(text: str) -> str:
    """Lower-case NFC text with punctuation turned into spaces (arrows alone kept as they are)."""
    text = unicodedata.normalize("NFC", text).casefold().strip()
    stripped = _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()
    return stripped or _SPACE.sub(" ", text)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _phrases(phrases: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(dict.fromkeys(tuple(strip_diacritics(p).split()) for p in phrases))


_SECTION_KEYS = _phrases(SECTION_PHRASES)
_DENY_KEYS = _phrases(DENY_ANCHORS)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def is_section_anchor(text: str) -> bool:
    """An anchor text naming a news section ("Tin tức - Sự kiện", "TIN HOẠT ĐỘNG", "Hoạt động
    của UBND"), never one naming an account, search, contact, document or procedure page."""
    words = tuple(strip_diacritics(normalize_anchor(text)).split())
    if not words or len(words) > SECTION_MAX_WORDS or any(_contains(words, p) for p in _DENY_KEYS):
        return False
    return any(words[:len(p)] == p for p in _SECTION_KEYS)


# -- the page's parts ---------------------------------------------------------------------------

def _tokens(el: etree._Element) -> set[str]:
    value = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(_TOKEN_SPLIT.split(value)) - {""}


def _excluded(el: etree._Element, tags: frozenset[str] = EXCLUDED_TAGS,
              tokens: frozenset[str] = EXCLUDED_TOKENS) -> bool:
    """Inside a nav, an aside, the page's header or footer, or a menu/sidebar/footer element."""
    in_article = False
    for anc in el.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag == "article":
            in_article = True
        if tag in tags or (tag in PAGE_PARTS and not in_article):
            return True
        if _tokens(anc) & tokens:
            return True
    return False


def _in_menu(el: etree._Element) -> bool:
    for anc in el.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in ("nav", "header") or _tokens(anc) & MENU_TOKENS:
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Anchor:
    el: etree._Element
    url: str
    text: str
    words: int


def _anchors(root: etree._Element, base_url: str) -> Iterator[_Anchor]:
    base = root.xpath("string(//base/@href)") if root is not None else ""
    base_url = urljoin(base_url, base.strip()) if base else base_url
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_HREF):
            continue
        text = _SPACE.sub(" ", a.text_content() if hasattr(a, "text_content") else "".join(a.itertext())).strip()
        if not text:
            text = (a.get("title") or "").strip()
        yield _Anchor(a, urljoin(base_url, href), text, word_count(text))


def _signature(el: etree._Element) -> str:
    """The tag.class path from the root: the items of one repeated block share it."""
    parts = []
    node: etree._Element | None = el
    while node is not None and isinstance(node.tag, str):
        cls = " ".join(sorted((node.get("class") or "").split()))
        parts.append(f"{node.tag}.{cls}" if cls else node.tag)
        node = node.getparent()
    return "/".join(reversed(parts))


def _same_host(url: str, base_url: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()


# -- sections -----------------------------------------------------------------------------------

def _menu_like(a: etree._Element, anchors_by_parent: dict[etree._Element, list[_Anchor]]) -> bool:
    """In a nav/header/menu element, or in a list or group of at least MENU_MIN_LINKS links
    whose anchors are mostly short, or the link of a block heading."""
    if _in_menu(a):
        return True
    for anc in a.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in ("h1", "h2", "h3", "h4"):
            return True
        group = anchors_by_parent.get(anc)
        if group is not None and len(group) >= MENU_MIN_LINKS:
            short = sum(1 for x in group if x.words <= MENU_MAX_WORDS)
            return short >= 0.75 * len(group)
        if tag in ("ul", "ol", "table", "body"):
            break
    return False


def section_links(root: etree._Element, base_url: str) -> list[str]:
    """URLs of the news sections a page's menus and block headings link to, in page order."""
    if root is None:
        return []
    anchors = [x for x in _anchors(root, base_url) if _same_host(x.url, base_url)]
    groups: dict[etree._Element, list[_Anchor]] = defaultdict(list)
    for x in anchors:  # links grouped under their list (ul/ol) or their parent's parent
        container = next((anc for anc in x.el.iterancestors() if anc.tag in ("ul", "ol")), None)
        if container is None:
            parent = x.el.getparent()
            container = parent.getparent() if parent is not None and parent.getparent() is not None else parent
        if container is not None:
            groups[container].append(x)
    found: dict[str, None] = {}
    own = base_url.split("#")[0]
    for x in anchors:
        if x.url != own and is_section_anchor(x.text) and _menu_like(x.el, groups):
            found.setdefault(x.url, None)
    return list(found)


# -- listings -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ListingLinks:
    articles: tuple[str, ...] = ()    # article candidates, in page order
    pagination: tuple[str, ...] = ()  # other pages of this listing
    next_page: str | None = None      # the page right after this one, when the pager says so
    signatures: frozenset[str] = field(default_factory=frozenset)  # the blocks' item signatures
    headlines: dict[str, str] = field(default_factory=dict)  # article URL -> its anchor, normalised


def _item_evidence(group: list[_Anchor]) -> float:
    """Share of the group's items showing a date, a thumbnail or a <time> beside their link."""
    if len(group) < 2:
        return 0.0
    lca = _common_ancestor([x.el for x in group])
    shown = 0
    for x in group:
        item = x.el
        for anc in x.el.iterancestors():
            if anc is lca:
                break
            item = anc
        text = item.text_content() if hasattr(item, "text_content") else "".join(item.itertext())
        if _DATE.search(text) or next(item.iter("img", "time"), None) is not None:
            shown += 1
    return shown / len(group)


def _common_ancestor(els: list[etree._Element]) -> etree._Element | None:
    paths = [list(reversed([el, *el.iterancestors()])) for el in els]
    common = None
    for nodes in zip(*paths):
        if all(n is nodes[0] for n in nodes):
            common = nodes[0]
        else:
            break
    return common


def listing_links(root: etree._Element, base_url: str, known: frozenset[str] = frozenset()) -> ListingLinks:
    """The article candidates and pagination of a listing page. `known`: item signatures this
    portal's earlier listing pages had as blocks, which count even with fewer items (the last
    page of a listing may hold one)."""
    if root is None:
        return ListingLinks()
    own = base_url.split("#")[0]
    by_signature: dict[str, list[_Anchor]] = defaultdict(list)
    pager_candidates: list[_Anchor] = []
    for x in _anchors(root, base_url):
        if not _same_host(x.url, base_url) or x.url == own:
            continue
        norm = normalize_anchor(x.text)
        if _NUMBER.match(norm) or norm in NEXT_ANCHORS or norm in OTHER_PAGER_ANCHORS:
            if not _excluded(x.el, PAGER_EXCLUDED_TAGS, PAGER_EXCLUDED_TOKENS):
                pager_candidates.append(x)
            continue
        if _excluded(x.el):
            continue
        by_signature[_signature(x.el)].append(x)
    articles: dict[str, str] = {}
    signatures = set()
    for signature, group in by_signature.items():
        long = [x for x in group if x.words >= ARTICLE_MIN_WORDS]
        if not long:
            continue
        distinct = {x.url for x in long}
        share = len(long) / len(group)
        block = (len(distinct) >= BLOCK_MIN_ITEMS and share >= BLOCK_MIN_LONG_SHARE) or \
            (len(distinct) >= 2 and share >= BLOCK_MIN_LONG_SHARE and _item_evidence(long) >= 0.5) or \
            signature in known
        if block:
            signatures.add(signature)
            for x in long:
                articles.setdefault(x.url, normalize_anchor(x.text))
    pagination, following = _pager(pager_candidates, own)
    return ListingLinks(tuple(articles), tuple(u for u in pagination if u not in articles), following,
                        frozenset(signatures), articles)


def headline_links(root: etree._Element, base_url: str) -> dict[str, str]:
    """The page's links whose anchor reads as a headline (>= ARTICLE_MIN_WORDS words): URL ->
    anchor, normalised. A print or share tool linking the page's other URL has a short anchor."""
    if root is None:
        return {}
    found: dict[str, str] = {}
    for x in _anchors(root, base_url):
        if x.words >= ARTICLE_MIN_WORDS:
            found.setdefault(x.url, normalize_anchor(x.text))
    return found


_DIGITS = re.compile(r"\d+")


def _pager(candidates: list[_Anchor], own: str) -> tuple[list[str], str | None]:
    """Pager links: numbered links next to each other (under one parent, at least two, their URLs
    alike but for a number) and next/previous arrows beside them or alone."""
    by_parent: dict[etree._Element, list[_Anchor]] = defaultdict(list)
    for x in candidates:
        parent = x.el.getparent()
        if parent is not None and parent.tag == "li" and parent.getparent() is not None:
            parent = parent.getparent()
        if parent is not None:
            by_parent[parent].append(x)
    pages: dict[str, None] = {}
    following = None
    for parent, group in by_parent.items():
        numbered = [x for x in group if _NUMBER.match(normalize_anchor(x.text))]
        shapes = defaultdict(list)
        for x in numbered:
            shapes[_DIGITS.sub("#", x.url)].append(x)
        numbered = max(shapes.values(), key=len, default=[])
        arrows = [x for x in group if not _NUMBER.match(normalize_anchor(x.text))]
        if len(numbered) < 2 and not (arrows and _pager_words(arrows)):
            continue
        for x in numbered + arrows:
            pages.setdefault(x.url, None)
        current = _current_page(parent, numbered)
        if current is not None:
            following = following or next((x.url for x in numbered if int(normalize_anchor(x.text)) == current + 1),
                                          None)
        if following is None:
            following = next((x.url for x in arrows if normalize_anchor(x.text) in NEXT_ANCHORS - {"»", ">>"}),
                             None)
    return list(pages), following


def _pager_words(arrows: list[_Anchor]) -> bool:
    """Arrows alone make a pager only when one says "next" in words or with a single arrow."""
    return any(normalize_anchor(x.text) in NEXT_ANCHORS for x in arrows)


def _current_page(parent: etree._Element, numbered: list[_Anchor]) -> int | None:
    """The page number the pager shows without a link (this page's), if any."""
    linked = {id(x.el) for x in numbered}
    for el in parent.iter():
        if el.tag == "a" or id(el) in linked:
            continue
        if any(anc.tag == "a" for anc in el.iterancestors()):
            continue
        own = normalize_anchor(el.text or "")
        if _NUMBER.match(own):
            return int(own)
    if numbered:  # no unlinked number: the page before the lowest link (page 1 shows "2 3 4")
        return min(int(normalize_anchor(x.text)) for x in numbered) - 1
    return None
