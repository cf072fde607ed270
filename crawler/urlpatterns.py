"""Article-URL patterns induced per portal from the pages its content confirmed or refused.

A URL's template is its path (and query) with the variable parts replaced by classes: `{n}`
digits, `{h}` a hex or mixed code, `{s}` a slug of four words or more (a headline); shorter words
stay literal, so the section a URL sits in stays in its template:

    /tin-tuc/hoi-nghi-tong-ket-nam-2023-8812.html  ->  /tin-tuc/{s}-{n}.html
    /Pages/hoi-nghi-so-ket-thi-dua-5f3a9c21.aspx   ->  /pages/{s}-{h}.aspx
    /Article/1234/5.html                           ->  /article/{n}/{n}.html
    /?id=123                                       ->  /?id={n}

`UrlPatterns` counts, per template, the fetched pages that turned out articles (extraction
succeeded) and those refused (a listing or no article). A template with at least MIN_CONFIRMED
confirmations and no refusal classifies later links as articles without asking their content; one
refused REFUSED_TO_SKIP times and never confirmed says a link is not worth a fetch. Counts are
kept per portal in the database (storage/crawlstate.py), so later runs start with them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

MIN_CONFIRMED = 2
REFUSED_TO_SKIP = 3
SLUG_MIN_WORDS = 4

_EXTENSION = re.compile(r"(\.(?:html?|aspx?|php|jsp|do|cfm))$", re.IGNORECASE)
_SEPARATED = re.compile(r"([\-_.,+~])")
_HEX = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}$")
_CODE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{8,}$")
_DIGITS = re.compile(r"^\d+$")


def _token(token: str) -> str:
    if _DIGITS.match(token):
        return "{n}"
    if _HEX.match(token) or _CODE.match(token):
        return "{h}"
    return token


def segment_template(segment: str) -> str:
    """One path segment (or query value) with its variable parts replaced by their class."""
    segment = segment.lower()
    ext = ""
    m = _EXTENSION.search(segment)
    if m:
        ext, segment = m.group(1), segment[: m.start()]
    # words and separators; a run of SLUG_MIN_WORDS words or more (with the separators between
    # them) is one {s}, a shorter run stays literal
    raw = [t for t in _SEPARATED.split(segment) if t]
    tokens = [t if _SEPARATED.fullmatch(t) else _token(t) for t in raw]
    # an id leads or ends a segment; a number between words is part of the headline ("nam-2023-ve")
    words_at = [i for i, t in enumerate(tokens) if not _SEPARATED.fullmatch(t)]
    for i in words_at[1:-1]:
        if tokens[i] in ("{n}", "{h}"):
            tokens[i] = raw[i] if tokens[i] == "{h}" else "0"
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        leading, trailing = [], []
        while run and _SEPARATED.fullmatch(run[0]):
            leading.append(run.pop(0))
        while run and _SEPARATED.fullmatch(run[-1]):
            trailing.insert(0, run.pop())
        words = sum(1 for t in run if not _SEPARATED.fullmatch(t))
        out.extend(leading + (["{s}"] if words >= SLUG_MIN_WORDS else run) + trailing)
        run.clear()

    for token in tokens:
        if token in ("{n}", "{h}"):
            flush()
            out.append(token)
        else:
            run.append(token)
    flush()
    return "".join(out) + ext


def template(url: str) -> str:
    """The URL's template: path and query (keys kept, values classed), host left out."""
    parts = urlsplit(url)
    path = "/".join(segment_template(s) if s else "" for s in parts.path.split("/")) or "/"
    if not parts.query:
        return path
    query = "&".join(f"{k.lower()}={segment_template(v) if v else ''}"
                     for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{path}?{query}"


@dataclass(slots=True)
class UrlPatterns:
    """One portal's template counts: (confirmed, refused) per template, plus what this run added."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    added: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_counts(cls, counts: Mapping[str, tuple[int, int]]) -> UrlPatterns:
        return cls({t: [c, r] for t, (c, r) in counts.items()})

    def _add(self, url: str, confirmed: int, refused: int) -> None:
        key = template(url)
        for table in (self.counts, self.added):
            entry = table.setdefault(key, [0, 0])
            entry[0] += confirmed
            entry[1] += refused

    def confirm(self, url: str) -> None:
        self._add(url, 1, 0)

    def refuse(self, url: str) -> None:
        self._add(url, 0, 1)

    def verdict(self, url: str) -> bool | None:
        """True: an article by its template; False: not worth a fetch; None: unknown."""
        confirmed, refused = self.counts.get(template(url), (0, 0))
        if refused == 0 and confirmed >= MIN_CONFIRMED:
            return True
        if confirmed == 0 and refused >= REFUSED_TO_SKIP:
            return False
        return None

    def article_templates(self) -> list[str]:
        return sorted(t for t, (c, r) in self.counts.items() if r == 0 and c >= MIN_CONFIRMED)

    def take_added(self) -> dict[str, tuple[int, int]]:
        added = {t: (c, r) for t, (c, r) in self.added.items()}
        self.added.clear()
        return added


def induce(confirmed: Iterable[str], refused: Iterable[str] = ()) -> list[str]:
    """The article templates that `confirmed` URLs induce once `refused` ones are counted."""
    patterns = UrlPatterns()
    for url in confirmed:
        patterns.confirm(url)
    for url in refused:
        patterns.refuse(url)
    return patterns.article_templates()
