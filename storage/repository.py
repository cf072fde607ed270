"""Repository functions. Each takes a Session and never commits: the caller owns the transaction.

    with db.session() as s, s.begin():
        outcome = store_article(s, portal_key="replica-drupal", url=url, article=art,
                                seen_at=now, run_id=run_id)

Deduplication is by `Article.content_hash` (one `Article` row per distinct content); every URL
that served the content is an `ArticleUrl`. Which copy is canonical is decided by
`canonical_key()`: earliest published, then higher administrative level, then first seen.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, case, insert, inspect, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached, selectinload

from cleaning.article import Article as CleanArticle
from storage import clusters
from storage.captures import warc_columns
from storage.db import StorageError
from storage.models import (
    LEVEL_RANK,
    LEVELS,
    Article,
    ArticleUrl,
    Cluster,
    Failure,
    Portal,
)

logger = logging.getLogger(__name__)

try:
    VN_TZ: Any = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no tz database installed: Vietnam has been UTC+7 since 1975
    VN_TZ = timezone(timedelta(hours=7), "ICT")

_HEX64 = re.compile(r"[0-9a-f]{64}")
_FAR_FUTURE = datetime.max.replace(tzinfo=timezone.utc)

OutcomeKind: TypeAlias = Literal["new", "version", "duplicate", "seen"]


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True, slots=True)
class PortalRecord:
    """What storage needs to know about a registry portal (the crawler converts into this)."""

    key: str
    name: str
    level: str  # one of storage.models.LEVELS
    province: str | None = None
    status: str = "active"
    family: str = "generic"
    hosts: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """Result of `store_article`.

    kind: "new" (content not stored before), "version" (new content at a URL that served other
    content before: the page's next version), "duplicate" (content already stored; this URL is
    now recorded against it), "seen" (this URL was already recorded for this content).
    `canonical` is True when this copy is (now) the canonical one of the article.
    """

    kind: OutcomeKind
    article_id: int
    canonical: bool = False


@dataclass(frozen=True, slots=True)
class FailureRecord:
    id: int
    run_id: int | None
    portal_key: str | None
    url: str | None
    kind: str
    reason: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class _Copy:
    """One copy of a content for the canonical rule."""

    url: str
    level: str
    published: datetime | None
    first_seen: datetime
    portal_id: int | None = None


# --------------------------------------------------------------------------- helpers


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value!r}")
    return value.astimezone(timezone.utc)


def page_time(value: datetime | None) -> datetime | None:
    """A date from a page. Naive values are read as Vietnam local time (the portals' zone)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(timezone.utc)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def canonical_key(copy: _Copy) -> tuple[bool, datetime, int, datetime]:
    """Sort key of a copy: the smallest key is the canonical copy.

    1. earliest `published` (a dated copy beats an undated one; two undated copies tie);
    2. higher administrative level: tinh > so > huyen = dackhu > xa;
    3. first seen.
    A challenger must be strictly smaller to replace the current canonical copy.
    """
    return (
        copy.published is None,
        copy.published or _FAR_FUTURE,
        -LEVEL_RANK.get(copy.level, 0),
        copy.first_seen,
    )


def portal_by_key(session: Session, key: str) -> Portal:
    portal = session.scalars(select(Portal).where(Portal.key == key)).one_or_none()
    if portal is None:
        raise StorageError(
            f"unknown portal key {key!r}: call storage.repository.sync_portals() with the "
            "registry before storing articles"
        )
    return portal


@dataclass(frozen=True, slots=True)
class _PortalRef:
    """What storing a copy needs of its portal; cached per Session (see `_portal_ref`)."""

    id: int
    level: str


_PORTAL_CACHE = "govcrawl.portal_refs"


def _portal_ref(session: Session, key: str) -> _PortalRef:
    """Portal id and level by key, cached in `session.info`: a crawl stores thousands of pages
    through one session, and the portal rows only change in `sync_portals` (which clears it)."""
    cache: dict[str, _PortalRef] = session.info.setdefault(_PORTAL_CACHE, {})
    ref = cache.get(key)
    if ref is None:
        portal = portal_by_key(session, key)
        ref = cache[key] = _PortalRef(portal.id, portal.level)
    return ref


# Built once: every stored page runs these. A Core lookup of the id costs a fraction of an ORM
# query; the row is loaded as an object only when it exists (the rarer case on a first crawl).
_ARTICLE_ID_BY_HASH = select(Article.id).where(Article.content_hash == bindparam("content_hash"))
_URL_ID = select(ArticleUrl.id).where(ArticleUrl.url == bindparam("url"))
_INSERT_URL = insert(ArticleUrl)


def _article_by_hash(session: Session, content_hash: str) -> Article | None:
    found = session.connection().scalar(_ARTICLE_ID_BY_HASH, {"content_hash": content_hash})
    return None if found is None else session.get(Article, found, with_for_update=True)


def _url_row(session: Session, url: str) -> ArticleUrl | None:
    found = session.connection().scalar(_URL_ID, {"url": url})
    return None if found is None else session.get(ArticleUrl, found, with_for_update=True)


def _insert_url(session: Session, values: dict[str, Any]) -> IntegrityError | None:
    """Insert an article_urls row (Core: nothing reads it back as an object); on IntegrityError
    (PostgreSQL: another transaction recorded the URL first) roll back to the savepoint and
    return the error. SQLite needs no savepoint: see `_insert`."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().execute(_INSERT_URL, values)
        return None
    try:
        with session.begin_nested():
            session.connection().execute(_INSERT_URL, values)
    except IntegrityError as exc:
        return exc
    return None


def _apply_metadata(row: Article, article: CleanArticle, url: str, portal: _PortalRef) -> None:
    """Copy the canonical copy's metadata onto the Article row."""
    row.title = article.title
    row.text = article.text
    row.summary = article.summary
    row.published = page_time(article.published)
    row.date_source = article.date_source
    row.updated = page_time(article.updated)
    row.published_offset = article.published_offset
    row.updated_offset = article.updated_offset
    row.offsets_recorded = article.offsets_recorded
    row.authors = list(article.authors)
    row.unit = article.unit
    row.captions = list(article.captions)
    row.images = [{"src": i.src, "caption": i.caption} for i in article.images]
    row.attachments = [{"url": a.url, "title": a.title} for a in article.attachments]
    row.category = list(article.category)
    row.source_tag = article.source_tag
    row.attribution = article.attribution
    row.cms_user = article.cms_user
    row.view_count = article.view_count
    row.language = article.language
    row.family = article.family
    row.template_lines = list(article.template_lines)
    row.extractor_version = article.extractor_version
    row.canonical_url = url
    row.portal_id = portal.id
    state = inspect(row)
    if state.persistent and "portal" not in state.unloaded and state.session is not None:
        state.session.expire(row, ["portal"])  # reload the relationship for the new portal_id


def _incumbent(session: Session, row: Article) -> _Copy:
    """The current canonical copy of an article, as a `_Copy`."""
    link = session.scalars(
        select(ArticleUrl).where(
            ArticleUrl.url == row.canonical_url, ArticleUrl.article_id == row.id
        )
    ).one_or_none()
    level = session.get_one(Portal, row.portal_id).level
    first_seen = link.first_seen if link is not None else row.first_seen
    return _Copy(row.canonical_url, level, row.published, first_seen, row.portal_id)


def _beats(challenger: _Copy, incumbent: _Copy) -> bool:
    """Whether `challenger` takes over as the canonical copy (`canonical_key`). Two URLs of one
    portal's page (an old numeric path and a new slug, without rel=canonical) tie on the rule:
    the shorter (then the lower) URL wins, not the one that happened to be fetched first, so a
    resumed crawl picks what an uninterrupted one picks."""
    mine, theirs = canonical_key(challenger), canonical_key(incumbent)
    if mine[:3] == theirs[:3] and challenger.portal_id is not None and challenger.portal_id == incumbent.portal_id:
        return (len(challenger.url), challenger.url) < (len(incumbent.url), incumbent.url)
    return mine < theirs


# --------------------------------------------------------------------------- portals and failures


def sync_portals(session: Session, portals: Iterable[PortalRecord]) -> dict[str, int]:
    """Insert or update portals by key; returns {key: portal id}. Portals not given are kept."""
    session.info.pop(_PORTAL_CACHE, None)
    ids: dict[str, int] = {}
    for record in portals:
        if record.level not in LEVELS:
            raise ValueError(
                f"portal {record.key!r}: unknown level {record.level!r} "
                f"(choose one of: {', '.join(LEVELS)})"
            )
        row = session.scalars(select(Portal).where(Portal.key == record.key)).one_or_none()
        if row is None:
            row = Portal(key=record.key)
            session.add(row)
        row.name = record.name
        row.level = record.level
        row.province = record.province
        row.status = record.status
        row.family = record.family
        row.hosts = list(record.hosts)
        session.flush()
        ids[record.key] = row.id
    return ids


def record_failure(
    session: Session,
    *,
    run_id: int | None,
    portal_key: str | None,
    url: str | None,
    kind: str,
    reason: str,
    occurred_at: datetime | None = None,
) -> int:
    """Record something that did not become an article; returns the Failure id.

    Never raises for an unknown portal key (a failure must not be lost while reporting one):
    the row gets portal_id NULL and the key is kept in the reason.
    """
    portal_id: int | None = None
    if portal_key is not None:
        portal = session.scalars(select(Portal).where(Portal.key == portal_key)).one_or_none()
        if portal is None:
            reason = f"[unknown portal {portal_key!r}] {reason}"
        else:
            portal_id = portal.id
    failure = Failure(
        run_id=run_id,
        portal_id=portal_id,
        url=url,
        kind=kind or "other",
        reason=reason,
        occurred_at=_aware(occurred_at, "occurred_at") if occurred_at else _utcnow(),
    )
    session.add(failure)
    session.flush()
    return failure.id


# --------------------------------------------------------------------------- articles


def store_article(
    session: Session,
    *,
    portal_key: str,
    url: str,
    article: CleanArticle,
    seen_at: datetime,
    run_id: int | None,
    warc: Sequence[Any] | None = None,
) -> StoreOutcome:
    """Store one fetched copy of an article (idempotent; never commits).

    - URL already recorded with the same content_hash -> "seen": only last_seen moves.
    - content_hash not stored yet -> "new": an Article row from this copy, plus its URL.
    - content_hash already stored -> "duplicate": the URL is recorded against that Article;
      if this copy wins the canonical rule (`canonical_key`), the Article's metadata,
      portal and canonical_url switch to it. Every URL stays recorded.
    - URL already recorded but now serving a *different* content_hash: nothing is overwritten.
      The URL moves to the Article of the new hash (created "new", or found "duplicate");
      the old Article is kept as it was (its canonical_url may still name this URL). A new
      Article made this way is the page's next version: `previous_version_id` and a diff note.
    - Every new Article joins a near-duplicate cluster (`storage.clusters.place`).

    Concurrency (PostgreSQL): the Article and ArticleUrl inserts run in SAVEPOINTs; when
    another transaction inserted the same content_hash or URL first, the IntegrityError is
    caught, the row re-read, and the copy treated as a duplicate / seen.

    Naive `article.published` / `updated` are read as Vietnam time; `seen_at` must be aware.
    `warc`: the WARC record of the page (storage/captures.py), kept on the URL's row (None:
    the row keeps what it has).
    """
    if not _HEX64.fullmatch(article.content_hash or ""):
        raise ValueError(f"{url}: content_hash must be 64 lowercase hex digits")
    seen_at = _aware(seen_at, "seen_at")
    portal = _portal_ref(session, portal_key)
    copy = _Copy(url, portal.level, page_time(article.published), seen_at, portal.id)

    link = _url_row(session, url)
    if link is not None:
        target = session.get_one(Article, link.article_id)
        if target.content_hash == article.content_hash:
            _touch(link, target, seen_at, warc)
            return StoreOutcome("seen", target.id, target.canonical_url == url)
        logger.info(
            "URL %s now serves different content (%s -> %s); keeping the old article %s",
            url, target.content_hash[:12], article.content_hash[:12], target.id,
        )

    kind: OutcomeKind = "duplicate"
    row = _article_by_hash(session, article.content_hash)
    if row is None:
        row = Article(content_hash=article.content_hash, first_seen=seen_at, last_seen=seen_at)
        _apply_metadata(row, article, url, portal)
        conflict = _insert(session, row)
        if conflict is None:
            kind = "new"
        else:  # lost the race: another transaction stored this content first
            logger.debug("content %s inserted concurrently: duplicate", article.content_hash)
            found = _article_by_hash(session, article.content_hash)
            if found is None:  # not a uniqueness conflict after all
                raise StorageError(f"{url}: cannot store article: {conflict.orig}") from conflict
            row = found

    if kind == "new":
        if link is not None:  # the page at this URL changed: this content is its new version
            row.previous_version_id = target.id
            row.version_note = clusters.version_note(target, article.title, article.text)
        clusters.place(session, row)

    canonical = kind == "new"
    if kind == "duplicate":
        canonical = _maybe_switch_canonical(session, row, copy, article, portal)
        row.first_seen = min(row.first_seen, seen_at)
        row.last_seen = max(row.last_seen, seen_at)

    if link is not None:  # known URL, changed content: move it to this article
        _move_link(link, row, portal, copy, article, warc)
        return StoreOutcome("version" if kind == "new" else kind, row.id, canonical)

    conflict = _insert_url(session, dict(
        article_id=row.id, portal_id=portal.id, url=url, published=copy.published,
        first_seen=seen_at, last_seen=seen_at, first_run_id=run_id, **_copy_metadata(article),
        **warc_columns(warc)))
    if conflict is None:
        return StoreOutcome(kind, row.id, canonical)

    # Another transaction recorded this URL meanwhile.
    logger.debug("URL %s inserted concurrently", url)
    link = _url_row(session, url)
    if link is None:  # not a uniqueness conflict after all (e.g. unknown run_id)
        raise StorageError(f"{url}: cannot record URL: {conflict.orig}") from conflict
    if link.article_id == row.id:
        _touch(link, row, seen_at, warc)
        return StoreOutcome("seen" if kind == "duplicate" else kind, row.id, canonical)
    _move_link(link, row, portal, copy, article, warc)
    return StoreOutcome(kind, row.id, canonical)


def store_page(
    session: Session,
    *,
    portal_key: str,
    urls: Sequence[str],
    article: CleanArticle,
    seen_at: datetime,
    run_id: int | None,
    warc: Sequence[Any] | None = None,
) -> StoreOutcome:
    """Store one fetched page that answers to several URLs (its rel=canonical, the URL fetched,
    the URL requested before a redirect): `store_article` for the first, then the others are
    recorded against the same article. The outcome is the page's: "new" (or "version") if any URL brought new
    content, else "duplicate" if any URL was new to the archive, else "seen". Never commits.
    """
    if not urls:
        raise ValueError("store_page needs at least one URL")
    _lock_content(session, article.content_hash)
    first = store_article(session, portal_key=portal_key, url=urls[0], article=article,
                          seen_at=seen_at, run_id=run_id, warc=warc)
    kinds = {first.kind}
    for url in urls[1:]:
        link = _url_row(session, url)
        if link is None:
            # Same page, so same copy: no canonical decision to revisit, only the URL to add.
            portal = _portal_ref(session, portal_key)
            copy_published = page_time(article.published)
            conflict = _insert_url(session, dict(
                article_id=first.article_id, portal_id=portal.id, url=url, published=copy_published,
                first_seen=_aware(seen_at, "seen_at"), last_seen=_aware(seen_at, "seen_at"),
                first_run_id=run_id, **_copy_metadata(article), **warc_columns(warc)))
            if conflict is None:
                kinds.add("duplicate")
                continue
        # Known URL (or inserted concurrently): the general path handles touch and moves.
        kinds.add(store_article(session, portal_key=portal_key, url=url, article=article,
                                seen_at=seen_at, run_id=run_id, warc=warc).kind)
    kind: OutcomeKind = next(k for k in ("new", "version", "duplicate", "seen") if k in kinds)  # type: ignore[assignment]
    return StoreOutcome(kind, first.article_id, first.canonical)


def refresh_metadata(session: Session, *, portal_key: str, url: str, article: CleanArticle) -> bool:
    """A stored URL read again into the same content (`govcrawl reextract`): its copy metadata,
    and the article's when it is the article's canonical URL, become this reading's; the
    extractor version too. False when the URL serves other content (that is a new version: use
    `store_page`). Never commits."""
    link = _url_row(session, url)
    if link is None:
        return False
    row = session.get_one(Article, link.article_id)
    if row.content_hash != article.content_hash:
        return False
    for key, value in _copy_metadata(article).items():
        setattr(link, key, value)
    link.published = page_time(article.published)
    if row.canonical_url == url:  # the article's fields are its canonical copy's
        _apply_metadata(row, article, url, _portal_ref(session, portal_key))
    return True


# Advisory locks in the two-int4 key space, apart from the bigint keys of storage/clusters.py
_CONTENT_LOCK_CLASS = 0x676F76  # "gov"
_LOCK_CONTENT = text("SELECT pg_advisory_xact_lock(:class, :key)")


def _lock_content(session: Session, content_hash: str) -> None:
    """PostgreSQL: copies of one content are stored one transaction at a time. Two concurrent
    copies otherwise lock the Article row and a URL row they share in opposite orders (one finds
    the URL first, the other the content) and deadlock. SQLite serialises writers already."""
    if session.get_bind().dialect.name == "postgresql":
        key = int(content_hash[:8], 16) - (1 << 31)  # a signed int4; a collision only serialises
        session.execute(_LOCK_CONTENT, {"class": _CONTENT_LOCK_CLASS, "key": key})


def _touch(link: ArticleUrl, row: Article, seen_at: datetime, warc: Sequence[Any] | None = None) -> None:
    link.last_seen = max(link.last_seen, seen_at)
    row.last_seen = max(row.last_seen, seen_at)
    for column, value in warc_columns(warc).items():  # the latest capture that served it
        setattr(link, column, value)


def _copy_metadata(article: CleanArticle) -> dict[str, Any]:
    """What one portal's copy says about itself, kept per URL."""
    return {"title": article.title, "authors": list(article.authors), "unit": article.unit,
            "source_tag": article.source_tag, "attribution": article.attribution,
            "published_offset": article.published_offset, "offsets_recorded": article.offsets_recorded}


def _move_link(link: ArticleUrl, row: Article, portal: _PortalRef, copy: _Copy,
               article: CleanArticle | None = None, warc: Sequence[Any] | None = None) -> None:
    for column, value in warc_columns(warc).items():
        setattr(link, column, value)
    link.article_id = row.id
    link.portal_id = portal.id
    link.published = copy.published
    link.last_seen = max(link.last_seen, copy.first_seen)
    if article is not None:
        for key, value in _copy_metadata(article).items():
            setattr(link, key, value)


_INSERT_ARTICLE = insert(Article).returning(Article.id)
_UNSET_AT_INSERT = ("cluster_id", "previous_version_id", "version_note")  # set later, if at all


def _insert(session: Session, row: Article) -> IntegrityError | None:
    """Insert the transient `row`, which becomes persistent; on IntegrityError (PostgreSQL:
    another transaction stored this content first) roll back to a SAVEPOINT and return the error.

    A Core INSERT, then the object is attached as loaded: the unit of work's flush of the one
    new row took 8% of a page worker's time (py-spy, 3,000-story replica). SQLite write transactions start with
    BEGIN IMMEDIATE (storage.db): they hold the database's write lock from the first statement,
    so no other writer can insert between our read and our insert, and the savepoint (two extra
    statements per row) buys nothing there.
    """
    for key in _UNSET_AT_INSERT:
        setattr(row, key, getattr(row, key))  # None, and loaded: no SELECT when read later
    state = inspect(row)
    values = {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs if attr.key in state.dict}
    if session.get_bind().dialect.name == "sqlite":
        row.id = session.connection().execute(_INSERT_ARTICLE, values).scalar_one()
    else:
        try:
            with session.begin_nested():
                row.id = session.connection().execute(_INSERT_ARTICLE, values).scalar_one()
        except IntegrityError as exc:
            return exc
    make_transient_to_detached(row)
    session.add(row)
    return None


def _maybe_switch_canonical(
    session: Session, row: Article, copy: _Copy, article: CleanArticle, portal: _PortalRef
) -> bool:
    """Make `copy` the canonical copy of `row` if it wins the rule; True if it is canonical."""
    if row.canonical_url == copy.url:
        _apply_metadata(row, article, copy.url, portal)  # the canonical URL itself, re-served
        return True
    incumbent = _incumbent(session, row)
    if _beats(copy, incumbent):
        logger.info(
            "Article %s: canonical copy %s -> %s", row.id, incumbent.url, copy.url
        )
        _apply_metadata(row, article, copy.url, portal)
        return True
    return False


# --------------------------------------------------------------------------- reading


def _iso_vn(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).isoformat() if value is not None else None


def _iso_page(value: datetime | None, offset: int | None, recorded: bool | None) -> str | None:
    """A page date as exported: in the page's own offset when known; a wall clock without
    offset when the page gave none (`recorded`: a foreign page); else, as in rows written before
    offsets were kept, Vietnam time (+07:00)."""
    if value is None:
        return None
    if offset is not None:
        return value.astimezone(timezone(timedelta(minutes=offset))).isoformat()
    if recorded:
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return _iso_vn(value)


def article_to_dict(row: Article) -> dict[str, Any]:
    """Export form of a stored article: all fields, portal, sorted URLs. `published` / `updated`
    in the page's own offset (`_iso_page`); the crawl's own times in +07:00."""
    return {
        "id": row.id,
        "content_hash": row.content_hash,
        "title": row.title,
        "text": row.text,
        "summary": row.summary,
        "published": _iso_page(row.published, row.published_offset, row.offsets_recorded),
        "date_source": row.date_source,
        "updated": _iso_page(row.updated, row.updated_offset, row.offsets_recorded),
        "published_offset": row.published_offset,
        "updated_offset": row.updated_offset,
        "offsets_recorded": bool(row.offsets_recorded),
        "authors": list(row.authors or []),
        "unit": row.unit,
        "captions": list(row.captions or []),
        "images": list(row.images or []),
        "attachments": list(row.attachments or []),
        "category": list(row.category or []),
        "source_tag": row.source_tag,
        "attribution": row.attribution,
        "cms_user": row.cms_user,
        "view_count": row.view_count,
        "language": row.language,
        "family": row.family,
        "template_lines": list(row.template_lines or []),
        "extractor_version": row.extractor_version,
        "canonical_url": row.canonical_url,
        "portal": {"key": row.portal.key, "name": row.portal.name},
        "urls": sorted(link.url for link in row.urls),
        "first_seen": _iso_vn(row.first_seen),
        "last_seen": _iso_vn(row.last_seen),
    }


def _with_urls() -> list[Any]:
    """Loader options: an article with its portal and its URLs with theirs, in three queries."""
    return [joinedload(Article.portal), selectinload(Article.urls).joinedload(ArticleUrl.portal)]


def iter_export(session: Session, *, batch_size: int = 500) -> Iterator[dict[str, Any]]:
    """One record per story: the cluster's canonical article (see `article_to_dict`) with
    `cluster_id`, `copies` (every current copy: its portal, published, URLs; canonical first),
    `urls` (every URL of every copy) and `versions` (the canonical's earlier versions, newest
    first). By published then id; undated last. Streams in batches of `batch_size`.
    """
    for batch in story_batches(session, batch_size=batch_size):
        for row, members in batch:
            yield _story_record(row, members)


def story_batches(session: Session, *conditions: Any, batch_size: int = 500,
                  ) -> Iterator[list[tuple[Article, list[Article]]]]:
    """The stories (canonical article, its cluster's members oldest first; an unplaced article
    alone) whose canonical rows meet `conditions`, by published then id, undated last,
    `batch_size` canonical rows at a time, each with its URLs loaded."""
    canonical_ids = select(Cluster.canonical_article_id)
    stmt = (
        select(Article)
        .where(or_(Article.id.in_(canonical_ids), Article.cluster_id.is_(None)), *conditions)
        .options(*_with_urls())
        .order_by(case((Article.published.is_(None), 1), else_=0), Article.published, Article.id)
        .execution_options(yield_per=batch_size)
    )
    for batch in session.scalars(stmt).partitions():
        cluster_ids = [row.cluster_id for row in batch if row.cluster_id is not None]
        members: dict[int, list[Article]] = {}
        if cluster_ids:
            for member in session.scalars(select(Article).where(Article.cluster_id.in_(cluster_ids))
                                          .options(*_with_urls()).order_by(Article.id)):
                members.setdefault(member.cluster_id, []).append(member)  # type: ignore[arg-type]
        yield [(row, members.get(row.cluster_id, [row]) if row.cluster_id else [row]) for row in batch]


def _copies_of(article: Article) -> list[dict[str, Any]]:
    """One entry per portal that served this body: its URLs and what that copy said of itself
    (the article's canonical portal first)."""
    by_portal: dict[int, list[ArticleUrl]] = {}
    for link in sorted(article.urls, key=lambda u: (u.first_seen, u.url)):
        by_portal.setdefault(link.portal_id, []).append(link)
    order = sorted(by_portal, key=lambda p: (p != article.portal_id, by_portal[p][0].first_seen))
    copies = []
    for portal_id in order:
        links = by_portal[portal_id]
        first = links[0]
        copies.append({"article_id": article.id, "portal": first.portal.key,
                       "published": _iso_page(first.published, first.published_offset, first.offsets_recorded),
                       "title": first.title or article.title,
                       "authors": first.authors if first.authors is not None else list(article.authors or []),
                       "unit": first.unit, "source_tag": first.source_tag, "attribution": first.attribution,
                       "urls": sorted(link.url for link in links)})
    return copies or [{"article_id": article.id, "portal": article.portal.key,
                       "published": _iso_page(article.published, article.published_offset, article.offsets_recorded),
                       "title": article.title, "authors": list(article.authors or []), "unit": article.unit,
                       "source_tag": article.source_tag, "attribution": article.attribution, "urls": []}]


def _story_record(canonical: Article, members: list[Article]) -> dict[str, Any]:
    by_id = {m.id: m for m in members}
    superseded = {m.previous_version_id for m in members if m.previous_version_id is not None}
    current = [m for m in members if m.id not in superseded]
    current.sort(key=lambda m: (m.id != canonical.id, m.published is None, m.published or _FAR_FUTURE, m.id))
    versions = []
    previous = canonical.previous_version_id
    while previous is not None and previous in by_id and len(versions) < 1000:
        old = by_id[previous]
        versions.append({"article_id": old.id, "first_seen": _iso_vn(old.first_seen), "title": old.title,
                         "content_hash": old.content_hash})
        previous = old.previous_version_id
    record = article_to_dict(canonical)
    record["cluster_id"] = canonical.cluster_id
    record["version_note"] = canonical.version_note
    record["copies"] = [copy for m in current for copy in _copies_of(m)]
    record["urls"] = sorted({link.url for m in members for link in m.urls})
    record["versions"] = versions
    return record


def story_record(session: Session, article_id: int) -> dict[str, Any] | None:
    """The `iter_export` record of one stored article (with its cluster's copies, if placed),
    or None for an unknown id: what a crawl hands Scrapy's feed exports per stored article."""
    row = session.get(Article, article_id, options=_with_urls())
    if row is None:
        return None
    members = [row]
    if row.cluster_id is not None:
        members = list(session.scalars(select(Article).where(Article.cluster_id == row.cluster_id)
                                       .options(*_with_urls()).order_by(Article.id)))
    return _story_record(row, members)


def article_view(session: Session, article_id: int) -> dict[str, Any] | None:
    """One stored article for `govcrawl show`: its fields and URLs, its cluster (canonical
    member, every copy) and its versions (earlier and later), or None for an unknown id."""
    row = session.get(Article, article_id, options=_with_urls())
    if row is None:
        return None
    members = [row]
    if row.cluster_id is not None:
        members = list(session.scalars(select(Article).where(Article.cluster_id == row.cluster_id)
                                       .options(*_with_urls())
                                       .order_by(Article.id)))
    cluster = session.get(Cluster, row.cluster_id) if row.cluster_id is not None else None
    canonical = next((m for m in members if cluster and m.id == cluster.canonical_article_id), row)
    view = _story_record(canonical, members)
    later = [m.id for m in members if m.previous_version_id == row.id]
    view["article"] = {**article_to_dict(row), "previous_version_id": row.previous_version_id,
                       "next_version_id": later[0] if later else None, "version_note": row.version_note,
                       "is_canonical": canonical.id == row.id}
    return view


def list_failures(session: Session, run_id: int | None = None) -> list[FailureRecord]:
    """Failures of a run (all failures when run_id is None), oldest first."""
    stmt = (
        select(Failure, Portal.key)
        .outerjoin(Portal, Failure.portal_id == Portal.id)
        .order_by(Failure.occurred_at, Failure.id)
    )
    if run_id is not None:
        stmt = stmt.where(Failure.run_id == run_id)
    return [
        FailureRecord(
            id=f.id,
            run_id=f.run_id,
            portal_key=key,
            url=f.url,
            kind=f.kind,
            reason=f.reason,
            occurred_at=f.occurred_at,
        )
        for f, key in session.execute(stmt)
    ]
