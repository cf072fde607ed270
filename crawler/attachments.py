"""Attachments of stored articles (issue 17 item 4): fetched, captured in WARC, stored by hash.

The flow:

1. A page worker stores an article (crawler/processing.py); in the same transaction the
   article is linked to the attachments already stored under its attachment links' URLs
   (storage/attachments.link_known); the other links come back with the page's result.
2. The pipeline hands them to the spider's `Attachments` scheduler: a link off the portal's
   hosts, aliases and declared asset hosts is refused (failure `offsite`, once per URL and run,
   never requested); each other URL is requested once per run (a second article linking a URL
   in flight waits for the same response). GOVCRAWL_ATTACHMENT_MAX_BYTES caps the download
   (Scrapy's `download_maxsize`; over it: failure `too_large`); GOVCRAWL_ATTACHMENTS=0: none
   fetched.
3. The response is written to WARC by crawler/warc.py like every other and reaches the spider
   as an `AttachmentItem`; the pipeline sends it to a page worker, which reads its text layer
   (cleaning/attachments.py, bounded, under GOVCRAWL_EXTRACT_TIMEOUT) outside any transaction,
   then stores it (one row per SHA-256) linked to every waiting article.

Stats per portal: govcrawl/<key>/attachments_fetched, _new (a new file), _known (bytes already
stored under another URL), _linked (articles linked to a file stored earlier in this run),
_failed (not stored: HTTP errors, timeouts, too_large, offsite).
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import scrapy
from sqlalchemy.exc import SQLAlchemyError

from cleaning.attachments import search_key, text_layer
from crawler.urls import canonicalize, netloc_of
from storage import StorageError
from storage.attachments import Fetched, link_urls, store_attachment

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# links fetched per article: a page listing a thousand files is a document library, not an article
MAX_PER_ARTICLE = 20
# after article pages (20), candidates (12), sitemaps and feeds (10); before listing pages (0):
# what is found is finished before more is discovered, as for articles
PRIORITY = 5

Link = tuple[str, "str | None"]


@dataclass(frozen=True, slots=True)
class AttachmentJob:
    """A fetched attachment (body None: only link `links` to the file stored under `url`)."""

    portal_key: str
    url: str
    links: tuple[tuple[int, str | None], ...]  # (article id, title) of the articles linking it
    fetched_at: datetime
    body: bytes | None = None
    media_type: str | None = None
    warc: tuple[str, int, int, str, str] | None = None


@dataclass(frozen=True, slots=True)
class AttachmentResult:
    outcome: str  # "new" | "known" (same bytes stored already) | "linked" | "storage_error"
    attachment_id: int | None = None
    reason: str | None = None


def attachment_url(url: str, *, host_map: dict[str, str], scheme: str, hosts: Iterable[str]) -> str:
    """The canonical spelling of an attachment link: the portal's alias hosts folded and its
    scheme used on its own hosts; another host (an asset host) keeps its scheme."""
    canonical = canonicalize(url, host_map=host_map)
    return canonicalize(canonical, scheme=scheme) if netloc_of(canonical) in set(hosts) else canonical


def store_job(store: Any, job: AttachmentJob) -> AttachmentResult:
    """In a page worker (crawler/processing.PageStore): read the text layer, then store the file
    and its links in one transaction."""
    from crawler.processing import ExtractionTimeout, time_budget

    try:
        if job.body is None:
            with store.transaction():
                linked = link_urls(store.session, job.url, job.links, job.fetched_at)
            return AttachmentResult("linked" if linked else "storage_error",
                                    reason=None if linked else "no attachment stored under the URL")
        try:
            with time_budget(store.target.extract_timeout):
                read = text_layer(job.body, job.media_type, url=job.url)
        except ExtractionTimeout as exc:
            read = None
            note = f"timeout: {exc}"
        else:
            note = read.error or ("text cut at the bound" if read.truncated else None)
        text = read.text if read is not None else None
        fetched = Fetched(url=job.url, sha256=hashlib.sha256(job.body).hexdigest(), size=len(job.body),
                          media_type=job.media_type, kind=read.kind if read is not None else None, text=text,
                          text_key=search_key(text) if text else None, text_note=note, warc=job.warc)
        with store.transaction():
            attachment_id, new = store_attachment(store.session, fetched, job.links, job.fetched_at)
        return AttachmentResult("new" if new else "known", attachment_id, note)
    except (SQLAlchemyError, StorageError) as exc:
        store.session.rollback()
        logger.error("cannot store attachment %s (%s: %s)", job.url, type(exc).__name__, exc)
        return AttachmentResult("storage_error", reason=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        store.session.expunge_all()


@dataclass(slots=True)
class Attachments:
    """The spider's side: which attachment URLs to request, and who waits for each."""

    enabled: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    waiting: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)  # requested, not back
    stored: set[str] = field(default_factory=set)  # stored in this run
    done: set[str] = field(default_factory=set)  # refused or failed in this run

    @classmethod
    def from_settings(cls, settings: Any) -> Attachments:
        return cls(enabled=settings.getbool("GOVCRAWL_ATTACHMENTS", True),
                   max_bytes=settings.getint("GOVCRAWL_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))

    def found(self, portal: Any, article_id: int, links: Sequence[Link], callback: Any, errback: Any,
              ) -> tuple[list[scrapy.Request], list[tuple[str, str]], list[Link]]:
        """What to do with an article's links not stored yet: (requests to make, (url, reason) of
        those refused as off the portal, links to files stored earlier in this run)."""
        requests, refused, stored = [], [], []
        if not self.enabled:
            return requests, refused, stored
        for url, title in list(links)[:MAX_PER_ARTICLE]:
            if url in self.stored:
                stored.append((url, title))
            elif url in self.waiting:
                self.waiting[url].append((article_id, title))
            elif url in self.done:
                continue
            elif not url.startswith(("http://", "https://")) or not portal.owns(url, include_assets=True):
                self.done.add(url)
                refused.append((url, f"attachment off the portal (not its hosts, aliases or asset hosts): {url}"))
            else:
                self.waiting[url] = [(article_id, title)]
                requests.append(scrapy.Request(
                    url, callback=callback, errback=errback, priority=PRIORITY,
                    meta={"portal": portal.key, "kind": "attachment", "download_maxsize": self.max_bytes,
                          "download_slot": netloc_of(url)}))
        return requests, refused, stored

    def take(self, url: str, *, ok: bool) -> tuple[tuple[int, str | None], ...]:
        """The articles waiting for `url`, now that it came back (stored if `ok`) or failed."""
        (self.stored if ok else self.done).add(url)
        return tuple(self.waiting.pop(url, ()))


def summary(stats: dict[str, Any]) -> dict[str, int] | None:
    """The run's attachment counters summed over portals (None: no attachment was linked)."""
    totals: dict[str, int] = {}
    for name, value in stats.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == "govcrawl" and parts[2].startswith("attachments_"):
            key = parts[2].removeprefix("attachments_")
            totals[key] = totals.get(key, 0) + int(value)
    if not totals:
        return None
    return {name: totals.get(name, 0) for name in ("fetched", "new", "known", "linked", "failed")}


def summary_line(totals: dict[str, int]) -> str:
    return (f"Attachments: {totals['fetched']} fetched ({totals['new']} new files, {totals['known']} "
            f"already stored under another URL), {totals['linked']} links to files stored in this run, "
            f"{totals['failed']} failed")


# ------------------------------------------------------------------- govcrawl attachments


def print_attachments(rows: Sequence[Any], out: IO[str], *, as_json: bool = False) -> None:
    """One line per attachment (or a JSON record each): size, media type, sha256, first URL, then
    each article linking it with the title and URL it gave."""
    import json

    for row in rows:
        if as_json:
            print(json.dumps(row.to_json(), ensure_ascii=False), file=out)
            continue
        print(f"{row.id:>6} {row.size:>10} {row.kind or '-':<5} {(row.media_type or '-')[:40]:<40} "
              f"{row.sha256[:16]} {row.text_chars:>7} chars  {row.first_url}", file=out)
        for link in row.links:
            print(f"{'':>6}   article {link['article_id']} ({link['portal']}): {link['title'] or '-'}  {link['url']}",
                  file=out)
