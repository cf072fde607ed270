"""Legacy Vietnamese font encodings (TCVN3/ABC, VNI-Windows): detection and conversion to Unicode.

Before Unicode, Vietnamese was typed with 8-bit "font encodings": the bytes were ordinary
windows-1252 bytes and only a special font drew them as Vietnamese letters.

TCVN3 (ABC; TCVN 5712:1993 VN3; fonts .VnTime, .VnArial) gives each small letter one byte:
0xB8 is "á", 0xAE is "đ". Only Ă Â Đ Ê Ô Ơ Ư have capital codes of their own; every other
capital shares the code of its small letter and was drawn capital by a second font (.VnTimeH).
So 134 letters have 74 codes.

VNI-Windows (fonts VNI-Times, VNI-Helve) writes most letters as two bytes, an ASCII base letter
and a diacritic byte: "a" + 0xF9 is "á", "e" + 0xE1 is "ế"; i-letters, ơ, ư, ỵ and đ are single
bytes (0xF4 "ơ", 0xF6 "ư", 0xF1 "đ").

Once such a document is published without its font (a web page, a text extraction) the bytes are
read as windows-1252 and the reader sees mojibake: "QuyÕt ®Þnh" (TCVN3) or "Quyeát ñònh" (VNI)
for "Quyết định". The tables below map that windows-1252 reading to Unicode NFC.

Detection reads each word three ways: as it stands, and through each table. A word is evidence
for an encoding when it is not a Vietnamese syllable as it stands ("®Þnh", "ñònh") but becomes
one through the table ("định"); words that read well both ways ("cã": "cã" or "có") prove nothing.
Real Unicode Vietnamese reads well as it stands, so `detect_legacy` needs several such words and
a good share of the text's non-ASCII words (MIN_EVIDENCE_WORDS, MIN_EVIDENCE_SHARE). Some foreign
words do turn into syllables (Danish and Norwegian "på", "så" read as TCVN3 "pồ", "sồ"; French
"où" as VNI "ó"), but the text around them does not: converted legacy text reads as Vietnamese
syllables nearly word for word, a foreign text seldom one word in four (MIN_SYLLABLE_SHARE).

Limits:
- TCVN3 capitals that share the small letter's code come out small. A word or a line set in
  capitals is restored from its other letters ("QUYÕT" -> "QUYẾT", "Bé NéI Vô" -> "BỘ NỘI VỤ"),
  but a toned capital starting a word in ordinary text stays small ("ñy ban" -> "ủy ban"; a lone
  "BỘ" -> "Bộ"), and text typed in lower case for the capitals font (.VnTimeH) stays lower case.
- The VN1/VN2 variants of TCVN 5712 (capitals in the control and 0x80-0x9F ranges) and the VN3
  combining marks are not read: web pages carry the ABC (VN3) fonts.
- Conversion is per segment (a line or the text between two tags): a segment is converted only
  where it shows evidence of the encoding and no more proper Unicode words than evidence, so a
  Unicode template around a legacy article stays untouched. A legacy segment whose every word
  also reads as Unicode (say "cã nãi") is left as it is; a page mixing TCVN3 and VNI is
  converted with the dominant one only. Mojibake written as HTML entities is not seen.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

__all__ = ["TCVN3_TO_UNICODE", "VNI_TO_UNICODE", "detect_legacy", "fix_legacy"]

# windows-1252 reading of a TCVN3 (VN3) byte -> the letter. Per vowel: plain (where it has its own
# code), sắc, huyền, hỏi, ngã, nặng. Sources: glibc localedata/charmaps/TCVN5712-1 (0xA1-0xFF),
# khiemdoan/VBKey Modules/mdlCodeTable.bas (TCVN3_TABLE) and backupvietsoft/HRM
# ConvertVNI/XtraForm1.cs, which agree on every entry.
TCVN3_TO_UNICODE: dict[str, str] = {
    "¸": "á", "µ": "à", "¶": "ả", "·": "ã", "¹": "ạ",
    "¨": "ă", "¾": "ắ", "»": "ằ", "¼": "ẳ", "½": "ẵ", "Æ": "ặ",
    "©": "â", "Ê": "ấ", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ë": "ậ",
    "Ð": "é", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ñ": "ẹ",
    "ª": "ê", "Õ": "ế", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Ö": "ệ",
    "Ý": "í", "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Þ": "ị",
    "ã": "ó", "ß": "ò", "á": "ỏ", "â": "õ", "ä": "ọ",
    "«": "ô", "è": "ố", "å": "ồ", "æ": "ổ", "ç": "ỗ", "é": "ộ",
    "¬": "ơ", "í": "ớ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "î": "ợ",
    "ó": "ú", "ï": "ù", "ñ": "ủ", "ò": "ũ", "ô": "ụ",
    "\xad": "ư", "ø": "ứ", "õ": "ừ", "ö": "ử", "÷": "ữ", "ù": "ự",
    "ý": "ý", "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "þ": "ỵ",
    "®": "đ",
    "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ",
}

# windows-1252 reading of a VNI-Windows letter (one or two bytes) -> the letter, small then capital.
# Sources: lamdao/xvnkb vni.h and khiemdoan/VBKey Modules/mdlCodeTable.bas (VNI_WINDOWS_TABLE),
# which agree on all 134 letters.
VNI_TO_UNICODE: dict[str, str] = {
    "aù": "á", "aø": "à", "aû": "ả", "aõ": "ã", "aï": "ạ",
    "aê": "ă", "aé": "ắ", "aè": "ằ", "aú": "ẳ", "aü": "ẵ", "aë": "ặ",
    "aâ": "â", "aá": "ấ", "aà": "ầ", "aå": "ẩ", "aã": "ẫ", "aä": "ậ",
    "eù": "é", "eø": "è", "eû": "ẻ", "eõ": "ẽ", "eï": "ẹ",
    "eâ": "ê", "eá": "ế", "eà": "ề", "eå": "ể", "eã": "ễ", "eä": "ệ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
    "où": "ó", "oø": "ò", "oû": "ỏ", "oõ": "õ", "oï": "ọ",
    "oâ": "ô", "oá": "ố", "oà": "ồ", "oå": "ổ", "oã": "ỗ", "oä": "ộ",
    "ô": "ơ", "ôù": "ớ", "ôø": "ờ", "ôû": "ở", "ôõ": "ỡ", "ôï": "ợ",
    "uù": "ú", "uø": "ù", "uû": "ủ", "uõ": "ũ", "uï": "ụ",
    "ö": "ư", "öù": "ứ", "öø": "ừ", "öû": "ử", "öõ": "ữ", "öï": "ự",
    "yù": "ý", "yø": "ỳ", "yû": "ỷ", "yõ": "ỹ", "î": "ỵ",
    "ñ": "đ",
    "AÙ": "Á", "AØ": "À", "AÛ": "Ả", "AÕ": "Ã", "AÏ": "Ạ",
    "AÊ": "Ă", "AÉ": "Ắ", "AÈ": "Ằ", "AÚ": "Ẳ", "AÜ": "Ẵ", "AË": "Ặ",
    "AÂ": "Â", "AÁ": "Ấ", "AÀ": "Ầ", "AÅ": "Ẩ", "AÃ": "Ẫ", "AÄ": "Ậ",
    "EÙ": "É", "EØ": "È", "EÛ": "Ẻ", "EÕ": "Ẽ", "EÏ": "Ẹ",
    "EÂ": "Ê", "EÁ": "Ế", "EÀ": "Ề", "EÅ": "Ể", "EÃ": "Ễ", "EÄ": "Ệ",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị",
    "OÙ": "Ó", "OØ": "Ò", "OÛ": "Ỏ", "OÕ": "Õ", "OÏ": "Ọ",
    "OÂ": "Ô", "OÁ": "Ố", "OÀ": "Ồ", "OÅ": "Ổ", "OÃ": "Ỗ", "OÄ": "Ộ",
    "Ô": "Ơ", "ÔÙ": "Ớ", "ÔØ": "Ờ", "ÔÛ": "Ở", "ÔÕ": "Ỡ", "ÔÏ": "Ợ",
    "UÙ": "Ú", "UØ": "Ù", "UÛ": "Ủ", "UÕ": "Ũ", "UÏ": "Ụ",
    "Ö": "Ư", "ÖÙ": "Ứ", "ÖØ": "Ừ", "ÖÛ": "Ử", "ÖÕ": "Ữ", "ÖÏ": "Ự",
    "YÙ": "Ý", "YØ": "Ỳ", "YÛ": "Ỷ", "YÕ": "Ỹ", "Î": "Ỵ",
    "Ñ": "Đ",
}

# A page is legacy text only with at least this many distinct evidence words (a brand's "®", a French
# "où" or a Portuguese "mãe" are single words) ...
MIN_EVIDENCE_WORDS = 3
# ... that make at least this share of its words with non-ASCII letters. The seed articles in
# TCVN3 or VNI score 0.85-0.91 (a Unicode template around a legacy article lowers that), in
# Unicode 0, in windows-1258 read as windows-1252 under 0.01; French, Portuguese, German and
# Spanish samples stay under 0.08.
MIN_EVIDENCE_SHARE = 0.2
# ... and the words of the segments holding evidence, converted, read as Vietnamese syllables at
# least this often. The seed articles in TCVN3 or VNI score 0.985-0.997; 200-word Danish,
# Norwegian, French, Portuguese, German, Polish and Turkish samples 0.00-0.23.
MIN_SYLLABLE_SHARE = 0.6
# A segment with at least this many words is judged on its own too (a foreign paragraph on a
# legacy page); a shorter one ("Q§-UBND") has too few words to tell.
MIN_JUDGED_SEGMENT_WORDS = 6

# Cheap gate run before any word is read: a TCVN3 code or a VNI diacritic (small or capital) that
# Vietnamese Unicode never uses, next to an ASCII letter. Ordinary UTF-8 pages almost never match,
# and a pattern that starts with the rare character scans a page about as fast as decoding it.
# Ð and Þ (TCVN3 "é", "ị") are left out: windows-1258 pages read as windows-1252 are full of them.
_LEGACY_MARK_RE = re.compile(r"[µ¶·¸¹¨©ª«¬\xad®§»¼½¾øïûñöäåëüæîÇ×ØÏÛÑÖÄÅËÜÆÎ](?:(?<=[A-Za-z].)|(?=[A-Za-z]))")
_SEGMENT_RE = re.compile(r"[^<>\n]+")
# A word: letters, the TCVN3 symbols (µ, ¸, ® ...) and combining marks, so that a Unicode word
# in NFD stays one word.
_WORD_CHAR = r"(?:[^\W\d_]|[\u0300-\u036f" + re.escape("".join(ch for ch in TCVN3_TO_UNICODE if not ch.isalpha())) + "])"
_WORD_RE = re.compile(f"{_WORD_CHAR}+")
# A word holding a non-ASCII character (letter, combining mark or TCVN3 symbol), found from its
# first such character (the ASCII letters before it are added back): only these words can be
# evidence, and finding them beats reading every word of the page: on the 37 ScrapingHub pages
# that pass the gate (8 MB of text) 44 ms instead of 600 ms.
_NON_ASCII_WORD_RE = re.compile(rf"[^\x00-\x7f](?<={_WORD_CHAR}){_WORD_CHAR}*")
_ASCII_LETTERS = frozenset(string.ascii_letters)
_VIETNAMESE_LETTERS = _ASCII_LETTERS | frozenset(VNI_TO_UNICODE.values())
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

# A Vietnamese syllable: onset, then an open rhyme or a nucleus with its final consonant. In the
# patterns "'" follows the vowel that may carry the tone mark (both styles for oa, oe, uy); words
# are matched with the tone mark replaced by "'", so "xaị" and "bơị" are not syllables.
_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_OPEN_RHYMES = ("a' e' ê' i' o' ô' ơ' u' ư' y' a'i a'o a'u a'y â'u â'y e'o ê'u i'a i'u o'i ô'i ơ'i u'i ư'i ư'u "
                "u'a ư'a uơ' o'a oa' o'e oe' u'y uy' uê' oa'i oa'y oa'o oe'o uâ'y uô'i ươ'i ươ'u iê'u yê'u uy'a uy'u")
# the final consonants each nucleus takes; the tone mark goes on the nucleus's last vowel
_FINALS = {
    "a": "c ch m n ng nh p t", "oa": "c ch m n ng nh p t",
    "ă": "c m n ng p t", "â": "c m n ng p t", "e": "c m n ng p t", "o": "c m n ng p t", "ô": "c m n ng p t",
    "u": "c m n ng p t", "iê": "c m n ng p t", "yê": "c m n ng p t", "ươ": "c m n ng p t",
    "ư": "c m n ng t", "uô": "c m n ng t", "oă": "c m n ng t",
    "ê": "ch m n nh p t", "i": "ch m n nh p t", "y": "ch m n nh p t",
    "ơ": "m n p t", "uâ": "n ng t", "oe": "n t", "uê": "ch nh", "uy": "ch n nh t", "oo": "c ng", "uyê": "n t",
}
_RHYMES = [rhyme.replace("'", "'?") for rhyme in _OPEN_RHYMES.split()] + [
    f"{nucleus}'?(?:{'|'.join(finals.split())})" for nucleus, finals in _FINALS.items()]
_SYLLABLE_RE = re.compile(f"{_ONSET}(?:{'|'.join(_RHYMES)})")
# each toned small letter -> its letter without the tone mark, then "'"
_TONE_MARKED = {
    letter: unicodedata.normalize("NFC", "".join(ch for ch in unicodedata.normalize("NFD", letter)
                                                 if ch not in _TONE_MARKS)) + "'"
    for letter in VNI_TO_UNICODE.values()
    if letter.islower() and _TONE_MARKS & set(unicodedata.normalize("NFD", letter))
}


@lru_cache(maxsize=65536)
def _is_syllable(word: str) -> bool:
    """One Vietnamese syllable in lower, Title or UPPER case, its tone mark (if any) in place."""
    if not set(word) <= _VIETNAMESE_LETTERS or not (word.islower() or word.isupper() or word.istitle()):
        return False
    marked = "".join(_TONE_MARKED.get(ch, ch) for ch in word.lower())
    return marked.count("'") <= 1 and _SYLLABLE_RE.fullmatch(marked) is not None


# TCVN3 codes of toned small letters, which the toned capitals share
_TCVN3_SHARED_CODES = frozenset(old for old, new in TCVN3_TO_UNICODE.items() if new.islower() and new not in "ăâđêôơư")


def _set_in_capitals(mojibake: str) -> bool:
    """Whether TCVN3 text (a word or a segment) was set in capitals, judged from the letters whose
    case its codes keep: no small one, and a capital inside a word ("Đà" is not, "ĐÀ NẴNG" is)."""
    known_case = [(i, TCVN3_TO_UNICODE.get(ch, ch)) for i, ch in enumerate(mojibake) if ch not in _TCVN3_SHARED_CODES]
    return (not any(ch.islower() for _, ch in known_case)
            and any(ch.isupper() and i > 0 and _WORD_RE.match(mojibake[i - 1]) for i, ch in known_case))


def _convert_tcvn3(word: str) -> str:
    converted = "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in word)
    return converted.upper() if _set_in_capitals(word) else converted


# VNI two-byte letters before the one-byte ones they start with ("ôù" is "ớ", not "ơ" + "ù")
_VNI_RE = re.compile("|".join(map(re.escape, sorted(VNI_TO_UNICODE, key=len, reverse=True))))


def _convert_vni(word: str) -> str:
    return _VNI_RE.sub(lambda m: VNI_TO_UNICODE[m.group()], word)


@dataclass(frozen=True)
class _Encoding:
    name: str
    chars: frozenset[str]  # the non-ASCII characters its mojibake is made of
    convert: Callable[[str], str]


_ENCODINGS = (
    _Encoding("tcvn3", frozenset(TCVN3_TO_UNICODE), _convert_tcvn3),
    _Encoding("vni", frozenset("".join(VNI_TO_UNICODE)) - _ASCII_LETTERS, _convert_vni),
)
_ENCODINGS_BY_NAME = {encoding.name: encoding for encoding in _ENCODINGS}
_EVIDENCE, _UNREADABLE, _NEUTRAL = "evidence", "unreadable", "neutral"


@lru_cache(maxsize=65536)
def _judge(encoding: _Encoding, word: str) -> str:
    """How a word with non-ASCII characters bears on `encoding`: evidence for it, unreadable
    in it (a Unicode word), or neutral (reads as well either way, or in neither)."""
    if not set(word) <= _ASCII_LETTERS | encoding.chars:
        return _UNREADABLE
    # evidence needs an ASCII letter: a lone "·" or "«" is punctuation more often than TCVN3 "ã", "ô"
    if (not set(word) & _ASCII_LETTERS or _is_syllable(word)
            or not _is_syllable(encoding.convert(word))):
        return _NEUTRAL
    return _EVIDENCE


def _converted(encoding: _Encoding, word: str) -> str:
    """A word through `encoding`'s table; ASCII words and Unicode words stay as they are."""
    readable = not word.isascii() and _judge(encoding, word) != _UNREADABLE
    return encoding.convert(word) if readable else word


def _syllable_share(encoding: _Encoding, words: list[str]) -> float:
    """The share of `words` that are Vietnamese syllables once converted."""
    return sum(_is_syllable(_converted(encoding, word)) for word in words) / len(words) if words else 0.0


def _non_ascii_words(text: str) -> list[str]:
    """The words of `text` (as `_WORD_RE` reads them) that are not all ASCII, in order."""
    words = []
    for match in _NON_ASCII_WORD_RE.finditer(text):
        start = match.start()
        while start > 0 and text[start - 1] in _ASCII_LETTERS:
            start -= 1
        words.append(text[start:match.end()])
    return words


def detect_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" when `text` is the windows-1252 reading of that legacy encoding, else None."""
    if not _LEGACY_MARK_RE.search(text):
        return None
    non_ascii = Counter(_non_ascii_words(text))
    best, best_count, best_distinct = None, 0, 0
    for encoding in _ENCODINGS:
        evidence = [(word, n) for word, n in non_ascii.items() if _judge(encoding, word) == _EVIDENCE]
        count = sum(n for _, n in evidence)
        if count > best_count:
            # distinct words for the minimum: "på på på" is one word of evidence, however repeated
            best, best_count, best_distinct = encoding.name, count, len(evidence)
    if best is None or best_distinct < MIN_EVIDENCE_WORDS or best_count < MIN_EVIDENCE_SHARE * non_ascii.total():
        return None
    # Danish "på", "så" are TCVN3 "pồ", "sồ": evidence words alone do not tell. Converted
    # Vietnamese reads as Vietnamese syllables nearly word for word, ASCII words included.
    encoding = _ENCODINGS_BY_NAME[best]
    segments = [_WORD_RE.findall(segment) for segment in _SEGMENT_RE.findall(text)]
    evidence_segments = [word for words in segments
                         if any(_judge(encoding, word) == _EVIDENCE for word in words if not word.isascii())
                         for word in words]
    return best if _syllable_share(encoding, evidence_segments) >= MIN_SYLLABLE_SHARE else None


def _fix_segment(segment: str, encoding: _Encoding) -> str:
    words = _WORD_RE.findall(segment)
    verdicts = [_judge(encoding, word) for word in words if not word.isascii()]
    evidence = verdicts.count(_EVIDENCE)
    if not evidence or evidence < verdicts.count(_UNREADABLE):
        return segment
    if len(words) >= MIN_JUDGED_SEGMENT_WORDS and _syllable_share(encoding, words) < MIN_SYLLABLE_SHARE:
        return segment  # a foreign paragraph on a legacy page
    fixed = _WORD_RE.sub(lambda m: _converted(encoding, m.group()), segment)
    # a heading set in capitals has short words ("VÀ") with no capital of known case
    return fixed.upper() if encoding.name == "tcvn3" and _set_in_capitals(segment) else fixed


def fix_legacy(text: str) -> str:
    """Convert TCVN3 or VNI mojibake to Unicode NFC where `detect_legacy` finds it; otherwise
    return `text` unchanged."""
    name = detect_legacy(text)
    if name is None:
        return text
    encoding = _ENCODINGS_BY_NAME[name]
    fixed = _SEGMENT_RE.sub(lambda m: _fix_segment(m.group(), encoding), text)
    return unicodedata.normalize("NFC", fixed)
