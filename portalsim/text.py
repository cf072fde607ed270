"""Small text helpers: tone-mark style, slugs, Vietnamese date formats, cp1258 encoding."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _variants(letters: str) -> str:
    out = set()
    for base in letters:
        for tone in ("",) + tuple(_TONES):
            out.add(unicodedata.normalize("NFC", base + tone))
    return "".join(sorted(out))


# only words ending in o/u + a/e/y (any tone on either) can change style
_WORD = re.compile(rf"\w*[{_variants('oOuU')}][{_variants('aAeEyY')}](?!\w)")
# NFD word endings: old style puts the tone on the first vowel (hòa, thủy, khỏe) ...
_OLD_END = re.compile(rf"(?<![qQ])([oO]([{_TONES}])([aAeE])|[uU]([{_TONES}])([yY]))$")
# ... new style on the second (hoà, thuỷ, khoẻ).
_NEW_END = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])$")


def _to_new_word(match: re.Match[str]) -> str:
    word = unicodedata.normalize("NFD", match.group(0))
    m = _OLD_END.search(word)
    if not m:
        return match.group(0)
    if m.group(2):
        first, tone, second = word[m.start()], m.group(2), m.group(3)
    else:
        first, tone, second = word[m.start()], m.group(4), m.group(5)
    return unicodedata.normalize("NFC", word[: m.start()] + first + second + tone)


def _to_old_word(match: re.Match[str]) -> str:
    word = unicodedata.normalize("NFD", match.group(0))
    m = _NEW_END.search(word)
    if not m:
        return match.group(0)
    pair, tone = m.group(1), m.group(2)
    return unicodedata.normalize("NFC", word[: m.start()] + pair[0] + tone + pair[1])


def tone_style(text: str, style: str) -> str:
    """Convert NFC text to the "old" (hòa, thủy) or "new" (hoà, thuỷ) tone placement; NFC out."""
    text = unicodedata.normalize("NFC", text)
    return _WORD.sub(_to_new_word if style == "new" else _to_old_word, text)


def _ascii_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in range(0xC0, 0x1EFA):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[cp] = base
    return table


_ASCII = _ascii_table()
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_ASCII).lower()
    return _NON_ALNUM.sub("-", text).strip("-")


WEEKDAY_SHORT = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
WEEKDAY_LONG = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def dmy(d: datetime) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def hm(d: datetime) -> str:
    return f"{d.hour:02d}:{d.minute:02d}"


def drupal_medium(d: datetime) -> str:
    """Drupal's default medium format `D, m/d/Y - H:i` with Vietnamese weekday abbreviations."""
    return f"{WEEKDAY_SHORT[d.weekday()]}, {d.month:02d}/{d.day:02d}/{d.year} - {hm(d)}"


def long_vi(d: datetime) -> str:
    return f"{WEEKDAY_LONG[d.weekday()]}, {dmy(d)} {hm(d)}"


def words_vi(d: datetime) -> str:
    return f"ngày {d.day} tháng {d.month} năm {d.year}"


def encode_cp1258(text: str) -> bytes:
    """Encode Vietnamese text as windows-1258: precomposed where the code page has the letter,
    otherwise base letter (with circumflex/breve/horn) plus a combining tone mark."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        tones = "".join(c for c in decomposed if c in _TONES)
        out.append((base + tones).encode("cp1258", errors="xmlcharrefreplace"))
    return b"".join(out)
