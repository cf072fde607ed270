"""Vietnamese date parsing with an explicit day/month order.

Forms handled: "T4, 08/02/2023 - 16:19" (Drupal, month/day), "Thứ Tư, 02/08/2023 16:19",
"Ngày đăng 24/03/2025 | 07:09", "Đăng ngày 02/08/2023", "08:41 21/08/2015", "17:18, 03/08/2020",
"10:32 | 04/12/2020", "(29/06/2026, 14:49)", "ngày 31 tháng 7 năm 2023", ISO 8601 strings.
dateparser is only a last resort.

Offsets: an ISO value that states its offset ("23:32+03:00", "Z") keeps it, as a fixed
`datetime.timezone`; a time the page wrote without one is *localised* to Asia/Ho_Chi_Minh, and
only then carries the `VN_TZ` zone object itself: `is_localised(dt)` tells the two apart, so a
caller that knows the page is not Vietnamese can take the localisation back (`wall_clock`).
`read_iso` gives the value as written: aware with its own offset, or naive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["VN_TZ", "parse_date", "parse_iso", "read_iso", "iso_has_time", "is_localised", "offset_minutes",
           "wall_clock", "has_date", "written_dates", "date_line_residue", "WrittenDate", "DMY", "MDY",
           "PUBLISHED_LABEL", "UPDATED_LABEL"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DMY = "dmy"
MDY = "mdy"

_DIGIT = re.compile(r"\d")  # a regex scan, not a Python loop over characters
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d/])")
_ISO_DATE = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?"
)
_LONG_DATE = re.compile(
    r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|,|/)\s*(\d{4})", re.IGNORECASE
)
_TIME = re.compile(r"(?<![\d/])(\d{1,2})\s*[:hg]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)\s*(SA|CH|AM|PM)?",
                   re.IGNORECASE)
# Drupal core "medium" date format "D, m/d/Y - H:i" with Vietnamese weekdays: "T4, 08/02/2023 - 16:19"
DRUPAL_MEDIUM = re.compile(r"(?<!\w)(?:T[2-7]|CN),\s+\d{2}/\d{2}/\d{4}\s+-\s+\d{2}:\d{2}(?!\d)")
_DRUPAL_TIME = re.compile(r"\s+-\s+\d{2}:\d{2}(?!\d)")
_NGAY_BEFORE = re.compile(r"(?i)ngày\s*$")
_GLUE = re.compile(r"^[\s,|\-–—(]*(?:ngày)?[\s,|\-–—(]*$", re.IGNORECASE)
# how far (characters) a time may sit from its date: "08:41 21/08/2015", "T4, 08/02/2023 - 16:19"
_TIME_WINDOW = 14


def _aware(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
           second: int = 0) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)
    except ValueError:
        return None


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The time written just after (preferred) or just before the date span."""
    after = text[end:end + _TIME_WINDOW]
    m = _TIME.match(after.lstrip(" ,-|–—(lúc")) if after else None
    if m:
        return _time_tuple(m)
    before = text[max(0, start - _TIME_WINDOW):start]
    candidates = list(_TIME.finditer(before))
    if candidates:
        m = candidates[-1]
        tail = before[m.end():]
        if _GLUE.match(tail):
            return _time_tuple(m)
    return None


def _time_tuple(m: re.Match[str]) -> tuple[int, int, int] | None:
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    ampm = (m.group(4) or "").upper()
    if ampm in ("CH", "PM") and hour < 12:
        hour += 12
    elif ampm in ("SA", "AM") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
# a time of day in an ISO value: "2021-05-22T23:32", "2021-05-22 23:32", compact "20210522T2332"
_ISO_TIME = re.compile(r"\d[T ]\d{2}:?\d{2}")


def _fixed_offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return timezone.utc
    m = _OFFSET.match(text)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 18 * 60:
        return None
    return timezone(timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


def read_iso(value: str) -> datetime | None:
    """An ISO 8601 value as written: aware with the page's own offset, or naive when it states
    none (a date alone is midnight, naive)."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        pass
    m = _ISO_DATE.search(value)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.group(1, 2, 3))
    tz = _fixed_offset(m.group(7))
    try:
        return datetime(y, mo, d, int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0), tzinfo=tz)
    except ValueError:
        return None


def iso_has_time(value: str) -> bool:
    """Whether an ISO value carries a time of day, not a date alone."""
    return bool(_ISO_TIME.search(value))


def parse_iso(value: str) -> datetime | None:
    """ISO 8601 (meta tags, JSON-LD, <time datetime>): the page's own offset kept; a naive value
    is Vietnamese local time (localised: `is_localised`)."""
    dt = read_iso(value)
    if dt is None:
        return None
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=VN_TZ)
    return dt


def is_localised(dt: datetime) -> bool:
    """True for a time the page wrote without an offset, localised here to Vietnam time."""
    return dt.tzinfo is VN_TZ


def wall_clock(dt: datetime) -> datetime:
    """`dt` as the naive wall clock the page wrote when it was localised, else unchanged."""
    return dt.replace(tzinfo=None) if is_localised(dt) else dt


def offset_minutes(dt: datetime | None) -> int | None:
    """Minutes east of UTC of an aware datetime (None for None or naive)."""
    if dt is None or dt.utcoffset() is None:
        return None
    return int(dt.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]


def parse_date(text: str, order: str | None = None) -> datetime | None:
    """First date in `text` (with its time if written next to it), read in `order`.

    `order` "mdy" reads 08/02/2023 as 2 August; if that is impossible (first number > 12) the
    other order is used, as a site whose first number exceeds 12 is day/month. `order` None
    (site unknown) means day/month, except for Drupal's medium format, which is month/day.
    """
    if not text:
        return None
    if order is None:  # unknown site: Drupal's default medium format is the one m/d form seen
        order = MDY if DRUPAL_MEDIUM.search(text) else DMY
    m = _NUMERIC_DATE.search(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        day, month = (b, a) if order == MDY else (a, b)
        if month > 12 and day <= 12:
            day, month = month, day
        hms = _time_near(text, m.start(), m.end()) or (0, 0, 0)
        return _aware(year, month, day, *hms)
    m = _LONG_DATE.search(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        hms = _time_near(text, m.start(), m.end()) or (0, 0, 0)
        return _aware(year, month, day, *hms)
    m = _ISO_DATE.search(text)
    if m:
        return parse_iso(m.group(0))
    return None


# Labels that say what a written date is: the publication ("Ngày đăng", "Đăng lúc", "Đăng ngày",
# "Xuất bản", "Published", "Posted") or the last update ("Cập nhật", "Ngày cập nhật", "Sửa đổi",
# "Updated", "Modified"). Read in the text just before the date (since the previous date).
PUBLISHED_LABEL = "published"
UPDATED_LABEL = "updated"
PUBLISH_LABEL_RE = re.compile(r"(?i)ngày\s*đăng|đăng\s*(?:ngày|lúc|tải|bài)?\s*:|đăng\s+(?:ngày|lúc)|xuất\s*bản"
                              r"|ngày\s*tạo|khởi\s*tạo|\bpublished\b|\bposted\b|\bcreated?\b")
UPDATE_LABEL_RE = re.compile(r"(?i)cập\s*nhật|sửa\s*đổi|chỉnh\s*sửa|\bupdated?\b|\bmodified\b")
_WEEKDAY = re.compile(r"(?i)(?<!\w)(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s*nhật|th\s*[2-7]|t[2-7]|cn)(?!\w)")
_FILLER = re.compile(r"(?i)(?<!\w)(?:ngày|lúc|vào|gmt\s*[+-]?\s*\d*|utc\s*[+-]?\s*\d*|sa|ch|am|pm|giờ|on|at)(?!\w)")
_VIEWS = re.compile(r"(?i)(?:lượt\s*xem|lượt\s*đọc|lượt\s*truy\s*cập|số\s*lần\s*xem|views?)\s*:?\s*[\d.,]*")
_RESIDUE_STRIP = re.compile(r"[\s\W\d_]+")


@dataclass(frozen=True, slots=True)
class WrittenDate:
    """A date written in a line of text: its value (localised), whether a time of day was written
    beside it, its span in the text and the label before it (PUBLISHED_LABEL, UPDATED_LABEL, None)."""

    value: datetime
    has_time: bool
    start: int
    end: int
    label: str | None


def _label_of(segment: str) -> str | None:
    """The label a date's preceding text ends with: the last one written wins ("Cập nhật: … - Đăng
    lúc: …" labels the second date as the publication)."""
    found = [(m.end(), PUBLISHED_LABEL) for m in PUBLISH_LABEL_RE.finditer(segment)]
    found += [(m.end(), UPDATED_LABEL) for m in UPDATE_LABEL_RE.finditer(segment)]
    return max(found)[1] if found else None


def written_dates(text: str, order: str | None = None) -> tuple[WrittenDate, ...]:
    """Every date written in `text` (a short line: a header, a meta row), in order, each with the
    time written next to it and the label in the text before it (back to the previous date).
    `order` as for `parse_date`."""
    if not text or not _DIGIT.search(text):
        return ()
    return _written_dates(text, order)


# A page's header texts are read by several evidence passes (header dates, the date element),
# nested elements often write the same line, and a portal's pages share their meta rows.
@lru_cache(maxsize=16384)
def _written_dates(text: str, order: str | None) -> tuple[WrittenDate, ...]:
    if order is None:
        order = MDY if DRUPAL_MEDIUM.search(text) else DMY
    spans: list[tuple[int, int, datetime | None, bool]] = []
    for m in _NUMERIC_DATE.finditer(text):
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        # month first only in the shapes Drupal core writes ("m/d/Y - H:i", its short and medium
        # formats); a theme's own "19-4-2019", "20:09 11/06/2023" or "Thứ Ba, ngày 05/09/2023 -
        # 21:26" is the Vietnamese day/month
        drupal_shape = m.group(2) == "/" and len(m.group(1)) == len(m.group(3)) == 2 \
            and bool(_DRUPAL_TIME.match(text, m.end())) and not _NGAY_BEFORE.search(text, 0, m.start())
        day, month = (b, a) if order == MDY and drupal_shape else (a, b)
        if month > 12 and day <= 12:
            day, month = month, day
        hms = _time_near(text, m.start(), m.end())
        spans.append((m.start(), m.end(), _aware(year, month, day, *(hms or (0, 0, 0))), hms is not None))
    for m in _LONG_DATE.finditer(text):
        if any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _, _ in spans):
            continue
        day, month, year = (int(g) for g in m.groups())
        hms = _time_near(text, m.start(), m.end())
        spans.append((m.start(), m.end(), _aware(year, month, day, *(hms or (0, 0, 0))), hms is not None))
    spans.sort(key=lambda s: s[0])
    out: list[WrittenDate] = []
    previous = 0
    for start, end, value, has_time in spans:
        if value is not None and 1990 <= value.year <= 2100:
            out.append(WrittenDate(value, has_time, start, end, _label_of(text[previous:start])))
        previous = end
    return tuple(out)


def date_line_residue(text: str, dates: list[WrittenDate]) -> str:
    """What a line says besides its dates, times, weekdays, labels and view counts: "" for a
    date line ("Thứ Năm, ngày 31/10/2019 - 13:18", "Ngày đăng: 08/06/2024 | Lượt xem: 12"),
    a sentence's words for an event date in the text ("Ngày 5/8/2022, tại Hội Nông dân …")."""
    rest = text
    for d in reversed(dates):
        rest = rest[:d.start] + " " + rest[d.end:]
    rest = _TIME.sub(" ", rest)
    for pattern in (PUBLISH_LABEL_RE, UPDATE_LABEL_RE, _VIEWS, _WEEKDAY, _FILLER):
        rest = pattern.sub(" ", rest)
    return _RESIDUE_STRIP.sub(" ", rest).strip()


def has_date(text: str) -> bool:
    return bool(_NUMERIC_DATE.search(text) or _LONG_DATE.search(text) or _ISO_DATE.search(text))


def parse_fallback(text: str) -> datetime | None:
    """dateparser with Vietnamese settings; only for forms the patterns above do not cover."""
    try:
        import dateparser  # imported lazily: slow to load and rarely needed
    except ImportError:  # pragma: no cover
        return None
    try:
        dt = dateparser.parse(text, languages=["vi"], settings={"DATE_ORDER": "DMY",
                                                                "TIMEZONE": "Asia/Ho_Chi_Minh",
                                                                "RETURN_AS_TIMEZONE_AWARE": True})
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return dt.astimezone(VN_TZ) if dt else None
