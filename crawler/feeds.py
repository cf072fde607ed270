"""Scrapy's own feed exports write the stored articles (issue 16): `scrapy crawl portal -a
portal=KEY -O articles.jsonl` (or FEEDS) gives one record per article the crawl stored (new or a
new version), the record `govcrawl export` writes for it. The crawl's other items (pages in
transit with their raw bytes, failure records) are not feed material and are left out.

The exporters below replace Scrapy's for these formats (settings.FEED_EXPORTERS); the storage
pipeline hands them a `StoredArticle` per stored article only when a feed is configured.
"""
from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, XmlItemExporter

# a feed's CSV columns, and the first columns of `govcrawl export --format csv` (crawler/exports.py adds
# the story's provenance columns after them)
CSV_FIELDS = ("id", "portal", "title", "published", "authors", "unit", "canonical_url", "urls", "text",
              "summary", "captions", "content_hash")


class StoredArticle(dict):
    """One stored article as `govcrawl export` writes it: the only item a feed exports."""


def csv_cell(value: Any) -> Any:
    """A CSV cell: a portal by its key, lists as JSON."""
    if isinstance(value, dict):
        return value.get("key", json.dumps(value, ensure_ascii=False))
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


class _StoredArticlesOnly:
    def export_item(self, item: Any) -> None:
        if isinstance(item, StoredArticle):
            super().export_item(self._form(item))  # type: ignore[misc]

    def _form(self, item: StoredArticle) -> dict[str, Any]:
        return dict(item)


class JsonLinesArticles(_StoredArticlesOnly, JsonLinesItemExporter):
    pass


class JsonArticles(_StoredArticlesOnly, JsonItemExporter):
    pass


class XmlArticles(_StoredArticlesOnly, XmlItemExporter):
    pass


class CsvArticles(_StoredArticlesOnly, CsvItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fields_to_export", list(CSV_FIELDS))
        super().__init__(file, **kwargs)

    def _form(self, item: StoredArticle) -> dict[str, Any]:
        return {name: csv_cell(item.get(name)) for name in CSV_FIELDS}
