"""The boilerplate catalogue (vn-portals.md section 3) as data.

Two kinds of entries:
- LINE_PATTERNS: whole lines that never belong in article text (toolbars, counters, CMS lines,
  footers, pagers, image alt placeholders). Matched against one whitespace-collapsed line.
- Block rules: elements removed from an article container before its text is read, by tag
  (DROP_TAGS) or by a word in their class/id (BLOCK_WORDS, e.g. "share", "related", "tin-khac").
"""
from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "BLOCK_WORDS",
    "DROP_TAGS",
    "LINE_PATTERNS",
    "is_boilerplate_line",
    "is_date_line",
    "is_block_boilerplate",
    "is_placeholder_alt",
]

_LINE_SOURCES: tuple[str, ...] = (
    # skip links, banners
    r"skip to (main )?content", r"truy cập nội dung luôn", r"bỏ qua nội dung",
    r"website đang (chạy )?thử nghiệm.*",
    r"quyết tâm thực hiện thắng lợi nghị quyết đại hội.*",
    # toolbars: a line made only of toolbar words
    r"(?:(?:chế độ ban đêm|in trang|xuất pdf|đọc nội dung|nghe đọc bài|nghe bài viết|bản in|"
    r"in bài( viết)?|gửi email|gửi bài viết|chia sẻ|lưu bài( viết)?|quay lại|trở về|"
    r"về đầu trang|lên đầu trang|print|printaaa|email|facebook|twitter|zalo|tweet|like|share|"
    r"cỡ chữ|font size|[-–+]?\s*a\s*a\s*\+?\s*a|[-+]?a|aaa)\s*[|:/,.-]?\s*)+",
    r"(đánh giá|bình chọn)( bài viết)?\s*:?\s*[\d./\s]*",
    # metadata lines
    r"lượt (xem|truy cập|đọc)\s*:?\s*[\d.,]*.{0,40}", r"số lượt (xem|truy cập).{0,40}",
    r"create[d]?\s*:.*", r"author\s*:.*", r"submitted by .*", r"posted by .*",
    r"(người|tác giả) (đăng|viết|cập nhật)\s*:.{0,60}",
    # after the body
    r"(tin|bài) (khác|liên quan|cùng chuyên mục|cùng loại|đã đưa|mới (hơn|nhất)|xem nhiều|"
    r"đọc nhiều|nổi bật)\b.{0,40}",
    r"các (tin|bài) (khác|đã đưa|liên quan|cùng chuyên mục|mới)\b.{0,40}",
    r"(xem thêm|xem tiếp|đọc thêm)\s*:?.{0,40}",
    r"(từ khóa|từ khoá|tags?|thẻ)\s*:.*",
    r"(ý kiến bạn đọc|bình luận|gửi ý kiến|gửi bình luận|viết bình luận)\b.{0,40}",
    r"[\d\s.»«<>|…]+",  # pagers "1 2", "« 1 2 3 »", stray numbers and placeholder alts "01"
    r"(trang (đầu|cuối|trước|sau|tiếp)|next|prev(ious)?|first|last)\s*[»«>]*",
    # sidebars
    r"thống kê truy cập.*", r"(đang|người) online.*", r"hôm nay\s*:?\s*[\d.,]*",
    r"hôm qua\s*:?\s*[\d.,]*", r"trong (tuần|tháng|năm)\s*:?\s*[\d.,]*",
    r"tất cả\s*:?\s*[\d.,]*", r"tổng (số )?(lượt truy cập|truy cập)\s*:?.*",
    r"đăng (nhập|ký|xuất)", r"quên mật khẩu.*", r"tìm kiếm( nâng cao)?",
    r"liên kết website", r"dịch vụ công( trực tuyến)?", r"chuyển đổi số", r"trang chủ",
    # footer
    r"cơ quan chủ quản.*", r"giấy phép.{0,40}(số|gp|ttđt).*", r"chịu trách nhiệm( chính)?\s*:.*",
    r"bản quyền( thuộc)?.*", r"©.*", r"copyright.*", r".{0,80}ghi rõ nguồn.{0,120}",
)

LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(rf"^\s*(?:{src})\s*$", re.IGNORECASE) for src in _LINE_SOURCES
)
# the catalogue as one alternation: a line is tested in one regex call, not one per entry
_ANY_LINE_ENTRY = re.compile("|".join(p.pattern for p in LINE_PATTERNS), re.IGNORECASE)

# Tags whose whole subtree is never article text.
DROP_TAGS: frozenset[str] = frozenset({
    "script", "style", "noscript", "template", "form", "button", "select", "input", "textarea",
    "nav", "iframe", "object", "embed", "svg", "canvas", "map", "audio", "video", "head", "link",
    "meta",
})

# A word (class/id split on spaces, "-" and "_") that marks a block as boilerplate.
BLOCK_WORDS: frozenset[str] = frozenset({
    "share", "sharing", "social", "socials", "print", "toolbar", "tools", "tool", "related",
    "other", "others", "tinkhac", "tinlienquan", "comment", "comments", "tags", "tag", "keyword",
    "keywords", "pager", "pagination", "paging", "breadcrumb", "breadcrumbs", "counter",
    "statistic", "statistics", "thongke", "rating", "vote", "menu", "navbar", "navigation",
    "sidebar", "footer", "banner", "advert", "advertisement", "ads", "login", "search",
    "fontsize", "addthis", "fb", "facebook", "zalo", "tweet", "likebox",
    "audio", "speech", "readspeaker", "listen", "nightmode", "darkmode", "skip", "lienquan",
    "khac", "cungchuyenmuc", "morenews", "relate", "node-links", "links", "submitted",
    "viewcount", "luotxem", "meta", "byline-meta", "widget", "modal", "popup", "cookie",
})
_WORD_SPLIT = re.compile(r"[\s_\-]+")
_PLACEHOLDER_ALT = re.compile(
    r"^\s*(\d{1,4}|img|image|ảnh|hình|photo|picture|untitled|no[-_ ]?image|"
    r"[\w\-() ]+\.(jpe?g|png|gif|webp|bmp))\s*$",
    re.IGNORECASE,
)


# Pieces of a date/metadata line: labels, weekdays, dates, times, separators, counters.
_DATE_LINE_PIECES = re.compile(
    r"(ngày đăng|đăng ngày|ngày cập nhật|cập nhật( lúc)?|ngày xuất bản|thời gian( đăng)?|"
    r"ngày|đăng|lúc|thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật|th?\s?[2-7]|cn|"
    r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s*[:hg]\s*\d{2}(:\d{2})?|"
    r"\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|sa|ch|am|pm|gmt\s*[+]\s*\d+|tháng \d{1,2}|năm \d{4}|"
    r"(lượt (xem|truy cập|đọc))\s*:?\s*[\d.,]+|[\s,|:()\-–—/])+",
    re.IGNORECASE,
)


def is_date_line(line: str) -> bool:
    """A line that is only a (labelled) date/time, e.g. "Ngày đăng 24/03/2025 | 07:09"."""
    if not line or len(line) > 90 or not re.search(r"\d", line):
        return False
    return bool(_DATE_LINE_PIECES.fullmatch(line.strip()))


_ROW_SEPARATORS = re.compile(r"\s*[|•·]\s*")
_CMS_ACCOUNT = re.compile(r"^(?:đăng bởi|người đăng|posted by|by)\s*:?\s*[a-z][a-z0-9_.@-]{1,30}$", re.IGNORECASE)


@lru_cache(maxsize=65536)  # a portal's toolbars and counters repeat on every page
def is_boilerplate_line(line: str) -> bool:
    """True if the (collapsed) line is catalogue boilerplate, never article text: one entry, or a
    meta row of them ("Ngày đăng: 10/06/2020 | Gửi email | Lượt xem: 535 | Đăng bởi: admin")."""
    if not line or len(line) > 300:
        return False
    if _is_entry(line):
        return True
    parts = [p for p in _ROW_SEPARATORS.split(line) if p.strip()]
    return len(parts) > 1 and all(_is_entry(p) or _CMS_ACCOUNT.match(p) for p in parts)


def _is_entry(line: str) -> bool:
    return is_date_line(line) or _ANY_LINE_ENTRY.match(line) is not None


def is_block_boilerplate(class_id: str) -> bool:
    """True if an element's class and id mark it as a boilerplate block."""
    if not class_id:
        return False
    lowered = class_id.lower()
    words = set(_WORD_SPLIT.split(lowered))
    if words & BLOCK_WORDS:
        return True
    return any(token in BLOCK_WORDS for token in lowered.split())


def is_placeholder_alt(text: str | None) -> bool:
    """Alt/title values that are not captions: "01", "18", "image", "DSC_0012.jpg", empty."""
    return not text or not text.strip() or bool(_PLACEHOLDER_ALT.match(text))
