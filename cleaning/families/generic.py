"""Pages of no known family: the common selectors only; the structural search of
cleaning/container.py finds the body where they find nothing, and foreign pages get
trafilatura's own text (`trafilatura_text`)."""
from __future__ import annotations

import copy
import logging
import re

from lxml import etree
from lxml.html import HtmlElement

from .base import FamilyPage

logger = logging.getLogger(__name__)


class Generic(FamilyPage):
    NAME = "generic"
    DATE_ORDER = None  # unknown site: dates.parse_date decides from the date's own format


# For pages not in Vietnamese the body is trafilatura's own text. Measured with
# `govcrawl eval scrapinghub` (181 pages, reference metric): favor_precision 0.964 body F1,
# defaults 0.960; the portal-specific page objects and catalogue are written for Vietnamese.
FOREIGN_TEXT_OPTIONS = {"favor_precision": True, "include_comments": False}


def trafilatura_text(raw_html: str, parsed: HtmlElement | None = None, **options: object) -> str:
    """trafilatura's plain-text body ("" when it finds none or fails on the markup). `parsed`: our
    parse of `raw_html`, handed to trafilatura in the form its own parse has, instead of a second
    parse (the same text on every page of the bench sets, the eval sets and the test fixtures;
    on ScrapingHub's pages the copy costs 0.5 ms a page, trafilatura's parse 1.6-2.9 ms)."""
    try:
        import trafilatura
        from trafilatura.utils import INVALID_XML_CHARS
    except ImportError:  # pragma: no cover - the dependency is declared
        return ""
    page: str | HtmlElement = raw_html
    if parsed is not None and FULL_DOCUMENT_RE.match(raw_html) and "html" in raw_html[:50].lower() \
            and not INVALID_XML_CHARS.search(raw_html):
        page = _as_trafilatura_parse(parsed)
    try:
        return trafilatura.extract(page, output_format="txt", **options) or ""
    except Exception:  # trafilatura raises assorted errors on odd markup
        logger.debug("trafilatura failed", exc_info=True)
        return ""


# What trafilatura's loader (trafilatura.utils.load_html) does that our parse does not: it removes
# the characters XML refuses (checked with its own pattern), reads a page that does not start as a
# full document (lxml.html.fromstring's test, here) as a fragment, and refuses a one-element tree
# without "html" in its first 50 characters: on such pages trafilatura parses the markup itself.
FULL_DOCUMENT_RE = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)


def _as_trafilatura_parse(doc: HtmlElement) -> HtmlElement:
    """A copy of our parse as trafilatura's parser would have made it: its parser drops comments
    and processing instructions (their tails stay). trafilatura copies the tree it is handed, so
    this copy is not changed by it."""
    tree = copy.copy(doc)
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    return tree
