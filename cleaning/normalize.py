"""Text normalisation for Vietnamese: decoding, NFC, whitespace, tone keys, tone placement.

Display style
-------------
The extractor outputs NFC text in the *old* tone-placement style ("hòa", "thủy", "khỏe"), the
style dominant in Vietnamese news. `to_old_style` converts the new style ("hoà", "thuỵ", "khoẻ");
the two differ only in open syllables ending in oa, oe, uy (not after q).

Tone key
--------
`tone_key` gives a placement-independent key: per word, NFD, lower-case, the five tone marks
removed and one tone digit appended (the VNI numbering):

    0 ngang (no mark)   1 sắc U+0301   2 huyền U+0300   3 hỏi U+0309   4 ngã U+0303   5 nặng U+0323

"Thuỵ" and "Thụy" both give "thuy5"; "hòa" and "hoà" both give "hoa2". Tokens without letters
(numbers, punctuation) are kept as they are.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

from .legacy import detect_legacy, fix_legacy

__all__ = [
    "TONE_DIGITS",
    "collapse_ws",
    "decode_html",
    "nfc",
    "to_old_style",
    "tone_key",
]

TONE_DIGITS: dict[str, str] = {
    "\u0301": "1",  # sắc
    "\u0300": "2",  # huyền
    "\u0309": "3",  # hỏi
    "\u0303": "4",  # ngã
    "\u0323": "5",  # nặng
}
NO_TONE_DIGIT = "0"

# Zero-width marks count as spaces here; str.split() splits on everything else \s matches
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_WORD_SPLIT_RE = re.compile(r"(\w+)")  # words at the odd indices of its split
# An open syllable whose nucleus is oa / oe / uy, with only consonants before it (not q-).
_OPEN_GLIDE_RE = re.compile(r"^([bcdđghklmnprstvx]*)([ou])([aey])$", re.IGNORECASE)
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)


def nfc(text: str) -> str:
    """Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def collapse_ws(text: str) -> str:
    """Collapse every run of whitespace (incl. NBSP and zero-width marks) to one space; strip."""
    # split/join is several times faster than a regex substitution; every text line runs this
    if not text.isascii() and _ZERO_WIDTH_RE.search(text):
        text = _ZERO_WIDTH_RE.sub(" ", text)
    return " ".join(text.split())


def _split_tone(word: str) -> tuple[str, str | None]:
    """(word without tone marks, NFC; the tone mark or None) for one word."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((ch for ch in decomposed if ch in TONE_DIGITS), None)
    bare = "".join(ch for ch in decomposed if ch not in TONE_DIGITS)
    return unicodedata.normalize("NFC", bare), tone


# Vietnamese has a few thousand distinct syllables: caching per word makes keys and style
# conversion cost a dict lookup per word instead of two Unicode normalisations.
@lru_cache(maxsize=65536)
def _key_of(word: str) -> str:
    if not any(ch.isalpha() for ch in word):
        return word
    bare, tone = _split_tone(word.lower())
    return bare + (TONE_DIGITS[tone] if tone else NO_TONE_DIGIT)


def tone_key(text: str) -> str:
    """Placement-independent key of `text`: lower-case, tones as trailing digits per word."""
    # A stored page's body and lines are keyed three times (content hash, MinHash shingles,
    # template segments): the recent ones are remembered. Long texts are rare and not cached,
    # which bounds the cache's memory.
    return _recent_tone_key(text) if len(text) <= _CACHED_KEY_CHARS else _tone_key(text)


_CACHED_KEY_CHARS = 20_000


def _tone_key(text: str) -> str:
    # split into separators and words, words mapped through the cache: no Match object and no
    # Python callback per word as with a regex substitution (1.6x faster on replica article bodies)
    pieces = _WORD_SPLIT_RE.split(nfc(text))
    pieces[1::2] = map(_key_of, pieces[1::2])
    return "".join(pieces)


_recent_tone_key = lru_cache(maxsize=128)(_tone_key)


def _old_style_word(match: re.Match[str]) -> str:
    return _old_style_of(match.group(0))


@lru_cache(maxsize=65536)
def _old_style_of(word: str) -> str:
    bare, tone = _split_tone(word)
    if tone is None or sum(unicodedata.normalize("NFD", word).count(mark) for mark in TONE_DIGITS) > 1:
        return word  # two tone marks make no syllable: moving one would drop the other
    m = _OPEN_GLIDE_RE.match(bare)
    if not m or m.group(1).lower().endswith("q"):
        return word
    onset, first, second = m.groups()
    return nfc(onset + first + tone + second)


# A word that can be in the new style ends in o/u and a toned a/e/y (NFC). Only those words go
# through Python: the regex engine finds their ends, the loop below their starts.
_NEW_STYLE_END_RE = re.compile(r"[oOuU][àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ](?!\w)")


def to_old_style(text: str) -> str:
    """Old tone placement: "hoà" -> "hòa", "thuỵ" -> "thụy", "khoẻ" -> "khỏe" (NFC out)."""
    text = nfc(text)
    pieces, done = [], 0
    for m in _NEW_STYLE_END_RE.finditer(text):
        start = m.start()
        while start > done and (text[start - 1].isalnum() or text[start - 1] == "_"):  # what \w matches
            start -= 1
        pieces += (text[done:start], _old_style_of(text[start:m.end()]))
        done = m.end()
    return "".join(pieces) + text[done:] if pieces else text


def _sniff_charset(head: bytes) -> str | None:
    m = _META_CHARSET_RE.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """Decode page bytes without HTTP headers: BOM, then meta charset, then UTF-8, then cp1258.

    windows-1258 decodes to partly decomposed text; the result is always NFC. Text in a legacy font
    encoding (TCVN3, VNI) is converted from its windows-1252 reading (cleaning/legacy.py).
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return nfc(fix_legacy(data[len(bom):].decode(encoding, errors="replace")))
    declared = _sniff_charset(data[:4096])
    # Valid UTF-8 with non-ASCII bytes is almost never an accident: trust it over a wrong
    # declaration (latin-1 templates serving UTF-8 articles are common).
    candidates = ["utf-8"] + ([declared] if declared else []) + ["cp1258"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        # legacy font bytes are meant to be read as windows-1252, whatever the page declares
        legacy_view = text if encoding == "utf-8" else data.decode("cp1252", errors="replace")
        return nfc(fix_legacy(legacy_view) if detect_legacy(legacy_view) else text)
    return nfc(data.decode("utf-8", errors="replace"))
