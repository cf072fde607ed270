"""Pages of no known family: the common selectors only; the structural search of
cleaning/container.py finds the body where they find nothing, and foreign pages get
trafilatura's own text (`trafilatura_text`)."""
from __future__ import annotations

import logging

from .base import FamilyPage

logger = logging.getLogger(__name__)


class Generic(FamilyPage):
    NAME = "generic"
    DATE_ORDER = None  # unknown site: dates.parse_date decides from the date's own format


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
