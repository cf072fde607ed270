"""What the spider hands to the pipelines: raw pages and failures, never half-processed data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class PageItem:
    """An article page as fetched; the pipeline runs extraction on it."""

    portal_key: str
    url: str              # canonical URL of the request
    final_url: str        # canonical URL after redirects
    body: bytes
    encoding: str | None  # charset Scrapy decided from headers/meta, if any
    fetched_at: datetime
    status: int = 200     # 304: a revalidated page that did not change (empty body)
    etag: str | None = None
    last_modified: str | None = None
    links: tuple[str, ...] = ()  # article URLs first found on this page (queued with it)
    aliases: tuple[str, ...] = ()  # its other URLs: the redirect hops between `url` and `final_url`
    # found by a listing's structure, its URL shape unknown: confirmed or refused by its content
    # (crawler/linkfinder.py); `context`: the listing meta it is read with if refused
    candidate: bool = False
    context: dict[str, Any] | None = None
    # the WARC record of the bytes (crawler/warc.py, storage.captures.WarcRef): for a 304 or an
    # identical refetch, the earlier record holding them; None with WARC off
    warc: tuple[str, int, int, str, str] | None = None


@dataclass(slots=True)
class FailureItem:
    """A request that produced no page: kind is http/dns/connection/timeout/robots/other."""

    portal_key: str
    url: str
    kind: str
    reason: str


@dataclass(slots=True)
class AttachmentItem:
    """An attachment an article links, as fetched (crawler/attachments.py): the pipeline stores it."""

    portal_key: str
    url: str              # as requested: the key its waiting articles know it by
    body: bytes
    media_type: str | None
    fetched_at: datetime
    warc: tuple[str, int, int, str, str] | None = None
