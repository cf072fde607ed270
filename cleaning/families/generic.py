"""Fallback for unknown templates: trafilatura locates the article, our walker reads it.

trafilatura's own output loses the structure the rest of the pipeline needs (which line is a
caption after an image, which trailing lines are a byline), so the container is the lowest
common ancestor of the elements holding trafilatura's paragraphs; if trafilatura is missing or
finds nothing, the element with the most paragraph text wins (a small density heuristic).
"""
from __future__ import annotations

import logging

from lxml import etree

from ..meta import text_of
from ..normalize import collapse_ws
from .base import FamilyPage

logger = logging.getLogger(__name__)

# Measured on the fixtures: favor_recall keeps short body paragraphs that precision drops.
TRAFILATURA_OPTIONS = {"favor_recall": True, "include_comments": False, "include_tables": True,
                       "include_images": False, "deduplicate": False, "with_metadata": False}
PARAGRAPH_TAGS = ("p", "div", "td", "li", "span", "blockquote", "h2", "h3", "h4")


class Generic(FamilyPage):
    NAME = "generic"
    DATE_ORDER = None  # unknown site: dates.parse_date decides from the date's own format

    def body(self) -> etree._Element | None:
        found = super().body()
        if found is not None:
            return found
        found = trafilatura_container(self.doc, self.raw_html)
        return found if found is not None else density_container(self.doc)


# For pages not in Vietnamese the body is trafilatura's own text. Measured with
# `govcrawl eval scrapinghub` (181 pages, reference metric): favor_precision 0.964 body F1,
# defaults 0.960; the portal-specific page objects and catalogue are written for Vietnamese.
FOREIGN_TEXT_OPTIONS = {"favor_precision": True, "include_comments": False}


def trafilatura_text(raw_html: str, **options: object) -> str:
    """trafilatura's plain-text body ("" when it finds none or fails on the markup)."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - the dependency is declared
        return ""
    try:
        return trafilatura.extract(raw_html, output_format="txt", **options) or ""
    except Exception:  # trafilatura raises assorted errors on odd markup
        logger.debug("trafilatura failed", exc_info=True)
        return ""


def trafilatura_paragraphs(raw_html: str) -> list[str]:
    text = trafilatura_text(raw_html, **TRAFILATURA_OPTIONS)
    return [collapse_ws(line) for line in text.splitlines() if len(line.strip()) >= 40]


def _lca(elements: list[etree._Element]) -> etree._Element | None:
    if not elements:
        return None
    paths = []
    for el in elements:
        chain = []
        while el is not None:
            chain.append(el)
            el = el.getparent()
        paths.append(list(reversed(chain)))
    common = None
    for level in zip(*paths):
        if all(node is level[0] for node in level):
            common = level[0]
        else:
            break
    return common


def trafilatura_container(doc: etree._Element, raw_html: str) -> etree._Element | None:
    paragraphs = trafilatura_paragraphs(raw_html)
    if not paragraphs:
        return None
    wanted = {p[:60] for p in paragraphs}
    hits = []
    for el in doc.iter(*PARAGRAPH_TAGS):
        own = collapse_ws("".join(el.itertext()))
        if own[:60] in wanted and not any(h in el.iterancestors() for h in hits):
            hits.append(el)
    if len(hits) == 1:
        return hits[0].getparent()
    return _lca(hits)


def density_container(doc: etree._Element) -> etree._Element | None:
    """The element whose direct <p> children hold the most text."""
    best, best_score = None, 0
    for el in doc.iter("div", "td", "article", "section", "main"):
        score = sum(len(text_of(p)) for p in el if isinstance(p.tag, str) and p.tag == "p")
        if score > best_score:
            best, best_score = el, score
    return best if best_score >= 80 else None
