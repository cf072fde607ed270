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
    "is_attachment_line",
    "is_person_name",
    "looks_like_byline",
    "is_unit",
    "parse_attribution",
    "parse_byline_lines",
    "parse_header_byline",
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
    r"^\s*(?:tác giả|người viết|bài(?:\s*,|\s+và|\s*&|\s*-)?\s*ảnh|tin(?:\s*,|\s+và|\s*&|\s*-)?\s*ảnh|"
    r"tin\s+bài|bài viết|tin|bài|ảnh|thực hiện|nhóm phóng viên|nhóm pv|phóng viên|pv|ctv|"
    r"cộng tác viên)\s*:\s*",
    re.IGNORECASE,
)
# "Tin: A - Ảnh: B", "Bài: A; ảnh: B": the writer and the photographer are both authors
_ROLE_SPLIT = re.compile(r"\s*(?:[-–—;,|]\s*|\s)(?=(?:ảnh|bài|tin|video|clip|đồ họa|thực hiện)\s*:)",
                         re.IGNORECASE)
_UPPER = "A-ZÀ-ỸĐ"
_NAME_TOKEN = re.compile(rf"^(?:[{_UPPER}][^\s.,;:!?()\d]*|[{_UPPER}]{{1,3}}\.(?:[{_UPPER}]\.?)*)$")
_INITIALS = re.compile(rf"^[{_UPPER}]{{1,2}}h?\.\s*[{_UPPER}]", re.UNICODE)
_AUTHOR_SPLIT = re.compile(r"\s+[-–—]\s+|\s*;\s*|\s+và\s+|\s*&\s*")
_ANY_AUTHOR_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[;,&]\s*|\s+và\s+")
# a date or time the byline element also shows: "Tác giả: Lê Hiếu - 06/01/2023 10:15"
_DATE_TAIL = re.compile(r"\s*[-–|,]?\s*(?:\(?\d{1,2}[:h]\d{2}\)?\s*[-,|]?\s*)?(?:ngày\s*)?"
                        r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}.*$", re.IGNORECASE)
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
# syllables of headings and labels ("TIN TỨC", "Tin Liên Quan", "Chuyên Mục Khác"), never of a
# personal name: an upper-case or title-case heading is not a name for its capitals
NOT_NAME_WORDS = frozenset({
    "tin", "tức", "sự", "kiện", "trang", "chủ", "mục", "khác", "hoạt", "động", "bài", "viết", "ảnh",
    "video", "clip", "giới", "thiệu", "chuyên", "đề", "thời", "số", "mới", "thôn", "xem", "tiếp",
    "đọc", "thêm", "luận", "và", "của", "các", "về", "cho", "với", "trong", "được", "là", "có",
    "những", "năm", "ngày", "tháng", "nguồn", "theo", "tải", "đính", "kèm", "file", "tệp",
    "thứ", "admin", "administrator", "webmaster", "editor",  # CMS accounts
})
MAX_NAME_WORDS = 6
MAX_UNIT_CHARS = 140
MAX_HEADER_BYLINE_CHARS = 200
_DOC_NAME = r"[^\s/]+\.(?:pdf|docx?|xlsx?|pptx?|rar|zip|7z|odt|ods)\b"
_ATTACH_LABEL = r"(?:(?:file|tệp|tập tin|tài liệu|văn bản)\s+)?đính\s+kèm|tải\s+(?:về|xuống)|download"
_ATTACHMENT_LINE = re.compile(
    rf"^(?:(?:{_ATTACH_LABEL})\s*:?\s*(?:{_DOC_NAME}.*)?|(?:(?:{_ATTACH_LABEL})\s*:?\s*)?"
    rf"(?:{_DOC_NAME}[\s,;]*(?:\([^()]{{0,20}}\))?[\s,;]*)+(?:tải\s+(?:về|xuống)|download|xem)?)\s*$",
    re.IGNORECASE,
)
_ATTACHMENT_ANY = re.compile(rf"^(?:{_ATTACH_LABEL})\b.*(?:{_DOC_NAME}|tải\s+(?:về|xuống))", re.IGNORECASE)
MAX_ATTACHMENT_LINE_CHARS = 300


@dataclass(slots=True)
class Byline:
    authors: list[str] = field(default_factory=list)
    unit: str | None = None
    consumed: int = 0  # how many trailing lines the byline used


def _clean(line: str) -> str:
    line = _BYLINE_LABEL.sub("", line.strip())
    return line.strip(" \t.;:").strip()


def is_person_name(text: str) -> bool:
    """A personal name or initials: "Đường Thị Nhã", "N. Dương", "T.A", "Vy Quản", "LÊ HIẾU"."""
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
    if any(tok.lower() in NOT_NAME_WORDS for tok in tokens):
        return False
    return all(_NAME_TOKEN.match(tok) for tok in tokens)


def split_authors(text: str) -> list[str] | None:
    """Co-authors "Đỗ Biên - Khánh Linh" -> two names; None if any part is not a name."""
    text = _NOTE_SUFFIX.sub("", text.strip().rstrip("."))
    parts = [p.strip() for p in _AUTHOR_SPLIT.split(text) if p.strip()]
    if parts and all(is_person_name(p) for p in parts):
        return parts
    parts = [p.strip() for p in _ANY_AUTHOR_SPLIT.split(text) if p.strip()]
    if len(parts) > 1 and all(is_person_name(p) for p in parts):
        return parts  # "Lê Hiếu, Minh Hòa và Văn Tú"
    return None


def _authors_of(text: str) -> list[str] | None:
    """The names of a byline's name part, roles read apart: "Tin: A - Ảnh: B" -> [A, B]."""
    parts = [p for p in _ROLE_SPLIT.split(text) if p.strip()]
    if len(parts) < 2:
        return split_authors(_clean(text))
    names: list[str] = []
    for part in parts:
        found = split_authors(_clean(part))
        if not found:
            return None
        names += [n for n in found if n not in names]
    return names


def is_unit(text: str) -> bool:
    text = text.strip()
    return bool(text) and len(text) <= MAX_UNIT_CHARS and bool(_UNIT_RE.match(text)) and \
        not text.endswith(("./.", "/."))


def has_label(text: str) -> bool:
    """The line opens with a byline label: "Tác giả:", "Bài, ảnh:", "Tin và ảnh:", "Tin:"."""
    return bool(_BYLINE_LABEL.match(text))


def is_attachment_line(text: str) -> bool:
    """A document link line: "File đính kèm: qd-123.pdf Tải về", "Tệp đính kèm", "Tải về",
    "bao-cao.docx (120 KB)"; never a sentence that mentions an attachment."""
    text = text.strip()
    if not text or len(text) > MAX_ATTACHMENT_LINE_CHARS:
        return False
    return bool(_ATTACHMENT_LINE.match(text) or _ATTACHMENT_ANY.match(text))


def _one_line(line: str) -> Byline:
    """One line that is a whole byline: names, "Names, Unit", "Names - Unit", "Names (Unit)"."""
    last = _clean(line)
    if len(line) <= 80 and (authors := _authors_of(last)):
        return Byline(authors, None, 1)
    # "Name, Unit" or "Name - Unit" (the unit may hold the separator itself)
    for sep in (",", " - ", " – "):
        if sep in last:
            head, tail = last.split(sep, 1)
            authors = _authors_of(head)
            if authors and is_unit(tail.strip()):
                return Byline(authors, tail.strip().rstrip("."), 1)
    # "Name (Unit)" or "Name [Unit]"
    if (m := _NAME_WITH_UNIT.match(last.rstrip("."))) and is_unit(m["unit"]) \
            and (authors := _authors_of(m["names"])):
        return Byline(authors, m["unit"].strip(), 1)
    return Byline()


def parse_byline_lines(lines: list[str]) -> Byline:
    """Read a byline from the last one or two of `lines` (already free of captions/boilerplate)."""
    if not lines:
        return Byline()
    last = _clean(lines[-1])
    prev = lines[-2] if len(lines) >= 2 else ""
    # two lines: name / unit
    if prev and is_unit(last) and len(prev) <= 80:
        authors = _authors_of(_clean(prev))
        if authors:
            return Byline(authors, last, 2)
    # unit alone as last line, name before it failed: not a byline we can trust
    return _one_line(lines[-1])


def parse_header_byline(text: str, labelled_only: bool = False) -> Byline:
    """A byline element above the body: "Tác giả: Lê Hiếu", "Bài, ảnh: Q. Hòa", "H. Thủy",
    "LĂNG VĂN THỦY, Ban Thi đua - Khen thưởng", or one part of a meta row
    ("Tác giả: X | Lượt xem: 12"). `labelled_only`: the text is link text, a name only with a label."""
    if len(text) > MAX_HEADER_BYLINE_CHARS:
        return Byline()
    for chunk in re.split(r"\s+\|\s+|\s*\|\s*", text):
        chunk = chunk.strip()
        if not chunk or (labelled_only and not has_label(chunk)):
            continue
        bare = _DATE_TAIL.sub("", chunk)
        if bare != chunk and not has_label(chunk):
            continue  # a date line ("Thứ Tư, 22/10/2025", "CN, 05/01/2025"): its weekday is no name
        found = _one_line(bare)
        if found.consumed:
            return found
    return Byline()


def looks_like_byline(text: str) -> bool:
    """A whole byline on one line, or a unit line: never an image caption."""
    return is_unit(text) or bool(_one_line(text).consumed)


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
