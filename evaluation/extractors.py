"""The two extractors under comparison, behind one shape: page bytes + URL -> `Extracted`.

Both outputs are compared in the same display form (NFC, old tone-mark placement, collapsed
spaces per line), the form `cleaning` promises; the truth is put in that form too, so neither
side is marked down for the replica's mixed tone styles.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime

from cleaning import ExtractionError, extract_article
from cleaning.normalize import collapse_ws, decode_html, nfc, to_old_style


def display(text: str | None) -> str | None:
    if text is None:
        return None
    return "\n".join(to_old_style(collapse_ws(nfc(line))) for line in text.split("\n"))


@dataclass(slots=True)
class Extracted:
    text: str = ""
    title: str | None = None
    published: datetime | date | None = None  # trafilatura gives a date without time
    authors: list[str] = field(default_factory=list)
    unit: str | None = None
    captions: list[str] = field(default_factory=list)
    summary: str | None = None
    source_tag: str | None = None
    attribution: str | None = None
    error: str | None = None   # the extractor refused the page (not an article) or crashed
    seconds: float = 0.0


def govcrawl(html: bytes, url: str, hints: object | None = None) -> Extracted:
    started = time.perf_counter()
    try:
        a = extract_article(html, url, hints)  # type: ignore[arg-type]
    except ExtractionError as exc:
        return Extracted(error=exc.reason, seconds=time.perf_counter() - started)
    return Extracted(
        text=a.text, title=a.title, published=a.published, authors=list(a.authors), unit=a.unit,
        captions=list(a.captions), summary=a.summary, source_tag=a.source_tag,
        attribution=a.attribution, seconds=time.perf_counter() - started)


def trafilatura_default(html: bytes, url: str, hints: object | None = None) -> Extracted:
    """trafilatura's defaults (as ../shared/eval/score.py runs it), with its metadata."""
    import trafilatura

    started = time.perf_counter()
    # score.py hands trafilatura UTF-8-decoded text; decode_html also honours a declared
    # windows-1258, which only helps trafilatura on such pages.
    doc = trafilatura.bare_extraction(decode_html(html), url=url, include_comments=False,
                                      with_metadata=True)
    seconds = time.perf_counter() - started
    if doc is None:
        return Extracted(error="nothing extracted", seconds=seconds)
    published = None
    if getattr(doc, "date", None):
        try:
            published = date.fromisoformat(doc.date[:10])
        except ValueError:
            published = None
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Extracted(text=doc.text or "", title=doc.title, published=published, authors=authors,
                     seconds=seconds)


# Fields trafilatura has no notion of are reported as n/a rather than scored as matches of None.
trafilatura_default.fields = frozenset({"title", "published", "authors"})  # type: ignore[attr-defined]

EXTRACTORS = {"govcrawl": govcrawl, "trafilatura": trafilatura_default}


def supports(extractor: object, field: str) -> bool:
    fields = getattr(extractor, "fields", None)
    return fields is None or field in fields
