"""Trailing bylines, attribution lines and lead-in source tags (vn-portals.md section 5).

The author comes last: a name line then a unit line ("Đường Thị Nhã" / "Phòng Thi đua - Khen
thưởng, Sở Nội vụ"), one line "Name, Unit.", initials ("N. Dương"), or co-authors
("Đỗ Biên - Khánh Linh"). Attribution: "Nguồn: Báo Lạng Sơn", "(Theo baolaocai.vn)".
Lead tags before the first sentence: "(LSO) -", "LSO-", "(BTĐKT)-", "(Chinhphu.vn) -".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Byline",
    "is_person_name",
    "is_unit",
    "parse_attribution",
    "parse_byline_lines",
    "split_lead_tag",
]

# Words that open (or appear in) the name of an organisational unit.
UNIT_WORDS: tuple[str, ...] = (
    "phòng", "sở", "ban", "trung tâm", "ubnd", "ủy ban", "uỷ ban", "văn phòng", "hội", "báo",
    "đài", "cổng", "chi cục", "cục", "huyện ủy", "huyện uỷ", "tỉnh ủy", "tỉnh uỷ", "đảng ủy",
    "đảng uỷ", "thành ủy", "thành uỷ", "khối", "trường", "bệnh viện", "công an", "bộ chỉ huy",
    "đoàn", "liên đoàn", "mặt trận", "viện", "tạp chí", "thông tấn", "ttxvn", "hđnd", "bch",
    "ban biên tập", "bbt", "tòa soạn", "tổ", "đội", "chi nhánh", "kho bạc", "thanh tra",
    "bảo hiểm", "trạm", "xã", "phường", "thị trấn", "huyện", "thị xã", "thành phố", "tỉnh",
    "bộ", "vụ", "tổng cục", "công ty", "hợp tác xã", "ngân hàng", "liên minh", "câu lạc bộ",
    "ubmttq", "mttq",
)
_UNIT_RE = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w in sorted(UNIT_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_BYLINE_LABEL = re.compile(
    r"^\s*(?:tác giả|người viết|bài(?:,| và)? ảnh|tin(?:,| và)? ảnh|tin|bài|ảnh|"
    r"thực hiện|nhóm phóng viên|pv|ctv)\s*:\s*",
    re.IGNORECASE,
)
_UPPER = "A-ZÀ-ỸĐ"
_NAME_TOKEN = re.compile(rf"^(?:[{_UPPER}][^\s.,;:!?()\d]*|[{_UPPER}]{{1,3}}\.(?:[{_UPPER}]\.?)*)$")
_INITIALS = re.compile(rf"^[{_UPPER}]{{1,2}}h?\.\s*[{_UPPER}]", re.UNICODE)
_AUTHOR_SPLIT = re.compile(r"\s+[-–—]\s+|\s*;\s*|\s+và\s+|\s*&\s*")
_NOTE_SUFFIX = re.compile(r"\s*\((?:tổng hợp|th|st|sưu tầm|lược dịch|dịch|biên dịch)\)\s*$",
                          re.IGNORECASE)
_NAME_WITH_UNIT = re.compile(r"^(?P<names>[^()\[\]]{2,80}?)\s*[(\[](?P<unit>[^()\[\]]{2,140})[)\]]$")
_ATTRIBUTION = re.compile(
    r"^\s*[(\[]?\s*(?:(?:nguồn|theo)\s*:?\s+)(?P<src>[^()\[\]]{2,150}?)\s*[)\]]?\s*[./]*\s*$",
    re.IGNORECASE,
)
_LEAD_TAG = re.compile(
    r"^\s*(?P<tag>\([^()\s]{2,24}\)|[A-ZĐ][A-ZĐ0-9.]{1,14}(?:\.VN|\.vn)?)\s*[-–—:]\s*(?=\S)"
)

SURNAMES_LIKE_UNITS = frozenset({"đoàn"})  # "Đoàn Văn Hùng" is a person, "Đoàn TN" a unit
MAX_NAME_WORDS = 6
MAX_UNIT_CHARS = 140


@dataclass(slots=True)
class Byline:
    authors: list[str] = field(default_factory=list)
    unit: str | None = None
    consumed: int = 0  # how many trailing lines the byline used


def _clean(line: str) -> str:
    line = _BYLINE_LABEL.sub("", line.strip())
    return line.strip(" \t.;:").strip()


def is_person_name(text: str) -> bool:
    """A personal name or initials: "Đường Thị Nhã", "N. Dương", "T.A", "Vy Quản"."""
    text = _NOTE_SUFFIX.sub("", text.strip().rstrip("."))
    if not text or len(text) > 50 or any(ch.isdigit() for ch in text):
        return False
    if _UNIT_RE.match(text) and not _INITIALS.match(text) and \
            text.split()[0].lower() not in SURNAMES_LIKE_UNITS:
        return False
    tokens = text.replace(".", ". ").split()
    if not 1 <= len(tokens) <= MAX_NAME_WORDS:
        return False
    if len(tokens) == 1 and not re.fullmatch(rf"[{_UPPER}]{{2,5}}|[{_UPPER}]\.[{_UPPER}]\.?", text):
        return False  # a lone word is a name only as initials ("PV", "T.A")
    return all(_NAME_TOKEN.match(tok) for tok in tokens)


def split_authors(text: str) -> list[str] | None:
    """Co-authors "Đỗ Biên - Khánh Linh" -> two names; None if any part is not a name."""
    text = _NOTE_SUFFIX.sub("", text.strip().rstrip("."))
    parts = [p.strip() for p in _AUTHOR_SPLIT.split(text) if p.strip()]
    if parts and all(is_person_name(p) for p in parts):
        return parts
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > 1 and all(is_person_name(p) for p in parts):
        return parts
    return None


def is_unit(text: str) -> bool:
    text = text.strip()
    return bool(text) and len(text) <= MAX_UNIT_CHARS and bool(_UNIT_RE.match(text)) and \
        not text.endswith(("./.", "/."))


def parse_byline_lines(lines: list[str]) -> Byline:
    """Read a byline from the last one or two of `lines` (already free of captions/boilerplate)."""
    if not lines:
        return Byline()
    last = _clean(lines[-1])
    prev = _clean(lines[-2]) if len(lines) >= 2 else ""
    # two lines: name / unit
    if prev and is_unit(last) and len(lines[-2]) <= 80:
        authors = split_authors(prev)
        if authors:
            return Byline(authors, last, 2)
    # one line: name alone (or co-authors)
    if len(lines[-1]) <= 80:
        authors = split_authors(last)
        if authors:
            return Byline(authors, None, 1)
    # one line: "Name, Unit" or "Name - Unit"
    for sep in (",", " - ", " – "):
        if sep in last:
            head, tail = last.split(sep, 1)
            authors = split_authors(head)
            if authors and is_unit(tail.strip()):
                return Byline(authors, tail.strip().rstrip("."), 1)
    # one line: "Name (Unit)" or "Name [Unit]"
    if (m := _NAME_WITH_UNIT.match(last)) and is_unit(m["unit"]) and (authors := split_authors(m["names"])):
        return Byline(authors, m["unit"].strip(), 1)
    # unit alone as last line, name before it failed: not a byline we can trust
    return Byline()


def parse_attribution(line: str) -> str | None:
    """"Nguồn: Báo Lạng Sơn" -> "Báo Lạng Sơn"; "(Theo baolaocai.vn)" -> "baolaocai.vn"."""
    if len(line) > 180:
        return None
    m = _ATTRIBUTION.match(line)
    if not m:
        return None
    source = m.group("src").strip()
    # "Theo đó, ..." / "Theo kế hoạch ..." opens a sentence, not an attribution
    if line.lstrip("([").lower().startswith("theo") and not line.lstrip().startswith(("(", "[")):
        if "," in source or len(source.split()) > 8:
            return None
    return source


def split_lead_tag(paragraph: str) -> tuple[str | None, str]:
    """("(LSO) -", rest) for "(LSO) - Chiều ngày ..."; (None, paragraph) when there is no tag."""
    m = _LEAD_TAG.match(paragraph)
    if not m:
        return None, paragraph
    tag = m.group("tag")
    bare = tag.strip("()")
    if not tag.startswith("(") and (bare.upper() != bare or len(bare) < 2):
        return None, paragraph
    return m.group(0).strip(), paragraph[m.end():]
