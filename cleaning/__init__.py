"""cleaning: HTML of a Vietnamese government news page in, `Article` out.

Pure functions: no Scrapy, no database, no network.

    from cleaning import extract_article
    article = extract_article(html_bytes, url, portal)   # portal: .family, .date_order (optional)
"""
from .article import EXTRACTOR_VERSION, Article, Attachment, ExtractionError, Image, PortalHints
from .extract import extract_article
from .families import detect_family
from .fingerprint import content_hash

__all__ = [
    "EXTRACTOR_VERSION",
    "Article",
    "Attachment",
    "ExtractionError",
    "Image",
    "PortalHints",
    "content_hash",
    "detect_family",
    "extract_article",
]
