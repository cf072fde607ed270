"""`govcrawl reextract`: the archive's captures read again with the current extractor, no network.

Every stored URL whose bytes were captured (its WARC reference, crawler/warc.py) is extracted
again from its WARC record, with what is learned of its portal (templates, layout), as the crawl
would extract it now, and the result goes through the crawl's storage path:

* the same reading (every field equal): nothing is written;
* the same text, other metadata (a title, a date, a byline read better): the URL's copy
  metadata and, for the article's canonical URL, the article's fields are this reading's, with
  the extractor version; the capture stays, so the older reading can be had again by running the
  older extractor;
* other text: `repository.store_page`, as for a page that changed — a new version of the
  article (its note says "re-extracted with X.Y" and what changed), or the copy moves to an
  article that already holds that text; clusters and canonicals follow as in a crawl;
* a page the extractor now refuses: kept as it is, counted.

Only the WARC files are read: no request is made. URLs stored without a capture (before WARC
capture, or with GOVCRAWL_WARC=0) are counted and left as they are.
"""
from __future__ import annotations

import hashlib
import logging
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cleaning import EXTRACTOR_VERSION, Article
from crawler.processing import PageJob, PageStore, Target, extract_job
from crawler.registry import Registry
from crawler.warc import WarcError, read_capture
from storage import Database, repository
from storage.captures import ref_of
from storage.models import Article as StoredArticle
from storage.models import ArticleUrl, Portal
from storage.repository import page_time

logger = logging.getLogger(__name__)

# the fields a reading is compared on (Article's); text is compared by its content hash
METADATA_FIELDS = ("title", "summary", "published", "updated", "authors", "unit", "captions", "images",
                   "attachments", "category", "source_tag", "attribution", "language", "date_source")
COPY_FIELDS = ("title", "authors", "unit", "source_tag", "attribution", "published")


@dataclass
class Reextraction:
    extractor: str = EXTRACTOR_VERSION
    pages: int = 0            # captured URLs read again
    unchanged: int = 0        # the same reading
    updated: int = 0          # same text, other metadata: updated in place
    versions: int = 0         # other text: a new version of the article
    moved: int = 0            # other text an article already held: the copy moved there
    failed: int = 0           # the extractor now refuses the page: kept as it was
    unreadable: int = 0       # the capture cannot be read (file missing, digest differs)
    uncaptured: int = 0       # stored URLs without a capture: not read again
    fields: Counter[str] = field(default_factory=Counter)  # field -> articles (canonical URLs) changed
    failures: Counter[str] = field(default_factory=Counter)  # reason -> pages
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return self.updated + self.versions + self.moved

    def describe(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        lines = [f"re-extracted {self.pages} captured pages with extractor {self.extractor}: {verb} "
                 f"{self.changed} ({self.versions} new versions, {self.moved} moved to a stored article, "
                 f"{self.updated} metadata updated), {self.unchanged} unchanged, {self.failed} now refused "
                 f"(kept as they were)"]
        if self.fields:
            lines.append("fields changed: " + ", ".join(f"{name} {n}" for name, n in self.fields.most_common()))
        if self.failures:
            lines.append("refused now: " + ", ".join(f"{reason} {n}" for reason, n in self.failures.most_common()))
        if self.unreadable:
            lines.append(f"{self.unreadable} captures could not be read (see the log): those pages were not read again")
        if self.uncaptured:
            lines.append(f"{self.uncaptured} stored URLs have no capture (stored before WARC capture, or with "
                         "GOVCRAWL_WARC=0): not read again")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"extractor": self.extractor, "dry_run": self.dry_run, "pages": self.pages, "changed": self.changed,
                "versions": self.versions, "moved": self.moved, "updated": self.updated, "unchanged": self.unchanged,
                "failed": self.failed, "unreadable": self.unreadable, "uncaptured": self.uncaptured,
                "fields": dict(self.fields), "failures": dict(self.failures)}


def reextract(db: Database, warc_directory: Path, registry: Registry | None, *, portals: Iterable[str] = (),
              since: datetime | None = None, dry_run: bool = False) -> Reextraction:
    """Read the captures of the stored URLs again (those of `portals`, last seen at or after
    `since`, when given) and store what changed; with `dry_run`, only count it."""
    result = Reextraction(dry_run=dry_run)
    keys = tuple(portals)
    with tempfile.TemporaryDirectory(prefix="govcrawl-reextract-") as scratch:
        store = PageStore(Target(db.url.render_as_string(hide_password=False), 0, scratch))
        try:
            with db.session(readonly=True) as reader:
                result.uncaptured = reader.scalar(_select(keys, since, captured=False, count=True)) or 0
                links = reader.execute(_select(keys, since, captured=True)).all()
            for link_id, url, portal_key, family in links:
                _one(store, db, warc_directory, registry, link_id, url, portal_key, family, result)
        finally:
            store.close()
    return result


def _select(keys: tuple[str, ...], since: datetime | None, *, captured: bool, count: bool = False):
    columns = (func.count(ArticleUrl.id),) if count else (ArticleUrl.id, ArticleUrl.url, Portal.key, Portal.family)
    query = select(*columns).join(Portal, Portal.id == ArticleUrl.portal_id)
    query = query.where(ArticleUrl.warc_file.is_not(None) if captured else ArticleUrl.warc_file.is_(None))
    if keys:
        query = query.where(Portal.key.in_(keys))
    if since is not None:
        query = query.where(ArticleUrl.last_seen >= since)
    return query if count else query.order_by(ArticleUrl.id)


def _one(store: PageStore, db: Database, warc_directory: Path, registry: Registry | None, link_id: int,
         url: str, portal_key: str, family: str, result: Reextraction) -> None:
    with db.session(readonly=True) as reader:  # read and extract outside the write transaction
        ref = ref_of(reader.get_one(ArticleUrl, link_id))
    body, fetched = _captured_body(warc_directory, ref, url)
    if body is None:
        result.unreadable += 1
        return
    result.pages += 1
    registered = registry.get(portal_key) if registry is not None and portal_key in registry else None
    job = PageJob(portal_key=portal_key, family=registered.family if registered else family,
                  date_order=registered.date_order if registered else None,
                  scheme=url.split(":", 1)[0], host_map={}, hosts=frozenset(), url=url, final_url=url,
                  body=body, encoding=None, fetched_at=fetched, warc=tuple(ref))
    reading = extract_job(job, store.hints(job))
    if not isinstance(reading, Article):
        result.failed += 1
        result.failures[reading[0]] += 1
        return
    with db.session(readonly=result.dry_run) as session, session.begin():
        _compare_and_store(session, session.get_one(ArticleUrl, link_id), reading, portal_key, fetched, ref, result)


def _compare_and_store(session: Session, link: ArticleUrl, reading: Article, portal_key: str, fetched: datetime,
                       ref: Any, result: Reextraction) -> None:
    url = link.url
    stored = session.get_one(StoredArticle, link.article_id)
    canonical = stored.canonical_url == url
    if reading.content_hash == stored.content_hash:
        changed = _changed_fields(reading, stored) if canonical else _changed_copy_fields(reading, link)
        if not changed:
            result.unchanged += 1
            if canonical and stored.extractor_version != reading.extractor_version and not result.dry_run:
                stored.extractor_version = reading.extractor_version  # the same reading, by this version
            return
        result.updated += 1
        if canonical:
            result.fields.update(changed)
        if not result.dry_run:
            repository.refresh_metadata(session, portal_key=portal_key, url=url, article=reading)
        return
    if canonical:
        result.fields.update(["text", *_changed_fields(reading, stored)])
    if result.dry_run:
        result.versions += 1  # or a move: which one is only known by storing it
        return
    outcome = repository.store_page(session, portal_key=portal_key, urls=[url], article=reading,
                                    seen_at=fetched, run_id=None, warc=tuple(ref))
    if outcome.kind == "version":
        result.versions += 1
        version = session.get_one(StoredArticle, outcome.article_id)
        note = f"re-extracted with {reading.extractor_version}"
        version.version_note = f"{note}; {version.version_note}" if version.version_note else note
    else:
        result.moved += 1


def _captured_body(warc_directory: Path, ref: Any, url: str) -> tuple[bytes | None, datetime]:
    """The bytes the crawl read for `url` and when, from its WARC record; (None, ...) when the
    record cannot be read or does not hold what was stored (its SHA-256 differs)."""
    try:
        capture = read_capture(warc_directory, ref)
    except (OSError, WarcError) as exc:
        logger.error("%s: capture %s at %s unreadable: %s", url, ref[0], ref[1], exc)
        return None, datetime.min
    if hashlib.sha256(capture.payload).hexdigest() != ref[4]:
        logger.error("%s: capture %s at %s does not hold the payload stored (SHA-256 differs)", url, ref[0], ref[1])
        return None, datetime.min
    return capture.body, datetime.fromisoformat(capture.date.replace("Z", "+00:00"))


def _changed_fields(reading: Article, stored: StoredArticle) -> list[str]:
    fresh = _comparable(reading)
    return [name for name in METADATA_FIELDS if fresh[name] != _stored_value(stored, name)]


def _changed_copy_fields(reading: Article, link: ArticleUrl) -> list[str]:
    fresh = _comparable(reading)
    return [name for name in COPY_FIELDS if fresh[name] != _stored_value(link, name)]


def _comparable(reading: Article) -> dict[str, Any]:
    """A reading's fields as storage keeps them."""
    return {
        **{name: getattr(reading, name) for name in METADATA_FIELDS},
        "published": page_time(reading.published), "updated": page_time(reading.updated),
        "authors": list(reading.authors), "captions": list(reading.captions), "category": list(reading.category),
        "images": [{"src": i.src, "caption": i.caption} for i in reading.images],
        "attachments": [{"url": a.url, "title": a.title} for a in reading.attachments],
    }


def _stored_value(row: Any, name: str) -> Any:
    value = getattr(row, name)
    if name in ("authors", "captions", "category", "images", "attachments"):
        return list(value or [])
    return value
