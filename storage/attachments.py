"""Attachments: the files articles link, one row per distinct content (SHA-256), linked to every
article that links them under the URL and title it gave (`article_attachments`).

    link_known(s, article_id, links, seen_at)   -> the links whose URL is not stored yet (to fetch)
    store_attachment(s, fetched, links, seen_at) -> the attachment's id, and whether it is new
    list_attachments(s, portal=..., words=..., article_id=...)

A URL once stored is never fetched again: a later article (a copy, a new version) linking it is
linked to the stored row. Functions never commit (the caller owns the transaction).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.captures import WarcRef, ref_of, warc_columns
from storage.models import Article, ArticleAttachment, ArticleUrl, Attachment, Portal


@dataclass(frozen=True, slots=True)
class Fetched:
    """An attachment as fetched and read (crawler/attachments.py)."""

    url: str
    sha256: str
    size: int
    media_type: str | None
    kind: str | None
    text: str | None
    text_key: str | None
    text_note: str | None
    warc: Sequence[Any] | None = None


def _savepoint(session: Session):
    """PostgreSQL: a savepoint, so a concurrent writer's insert of the same row rolls back only
    this insert; SQLite serialises writers (no savepoint needed, none taken)."""
    from contextlib import nullcontext

    return nullcontext() if session.get_bind().dialect.name == "sqlite" else session.begin_nested()


def _link(session: Session, article_id: int, attachment_id: int, url: str, title: str | None,
          seen_at: datetime) -> None:
    if session.scalar(select(ArticleAttachment.id).where(ArticleAttachment.article_id == article_id,
                                                         ArticleAttachment.url == url)) is not None:
        return
    try:
        with _savepoint(session):
            session.add(ArticleAttachment(article_id=article_id, attachment_id=attachment_id, url=url,
                                          title=title, first_seen=seen_at))
            session.flush()
    except IntegrityError:  # linked concurrently: the same row
        pass


def link_known(session: Session, article_id: int, links: Iterable[tuple[str, str | None]],
               seen_at: datetime) -> list[tuple[str, str | None]]:
    """Link the article to the attachments already stored under these URLs; the links whose URL
    no attachment is stored under (to be fetched), in order."""
    links = list(dict((url, title) for url, title in links).items())
    if not links:
        return []
    known = dict(session.execute(
        select(ArticleAttachment.url, ArticleAttachment.attachment_id)
        .where(ArticleAttachment.url.in_([url for url, _ in links]))).all())
    known.update(session.execute(
        select(Attachment.first_url, Attachment.id)
        .where(Attachment.first_url.in_([url for url, _ in links if url not in known]))).all())
    unknown = []
    for url, title in links:
        if url in known:
            _link(session, article_id, known[url], url, title, seen_at)
        else:
            unknown.append((url, title))
    return unknown


def stored_attachment(session: Session, url: str) -> int | None:
    """The attachment stored under `url`, if any."""
    found = session.scalar(select(ArticleAttachment.attachment_id).where(ArticleAttachment.url == url).limit(1))
    return found if found is not None else session.scalar(select(Attachment.id).where(Attachment.first_url == url))


def store_attachment(session: Session, fetched: Fetched, links: Iterable[tuple[int, str | None]],
                     seen_at: datetime) -> tuple[int, bool]:
    """The fetched file's row (new, or the one with the same SHA-256) linked to each (article id,
    title) of `links` under its URL: (attachment id, new)."""
    row_id = session.scalar(select(Attachment.id).where(Attachment.sha256 == fetched.sha256))
    new = row_id is None
    if new:
        try:
            with _savepoint(session):
                row = Attachment(sha256=fetched.sha256, size=fetched.size, media_type=fetched.media_type,
                                 kind=fetched.kind, text=fetched.text, text_chars=len(fetched.text or ""),
                                 text_key=fetched.text_key, text_note=fetched.text_note, first_url=fetched.url,
                                 first_seen=seen_at, **warc_columns(fetched.warc))
                session.add(row)
                session.flush()
                row_id = row.id
        except IntegrityError:  # stored concurrently by another worker
            row_id = session.scalar(select(Attachment.id).where(Attachment.sha256 == fetched.sha256))
            new = False
    assert row_id is not None
    for article_id, title in links:
        _link(session, article_id, row_id, fetched.url, title, seen_at)
    return row_id, new


def link_urls(session: Session, url: str, links: Iterable[tuple[int, str | None]], seen_at: datetime) -> bool:
    """Link articles to the attachment stored under `url` (False: none is)."""
    attachment_id = stored_attachment(session, url)
    if attachment_id is None:
        return False
    for article_id, title in links:
        _link(session, article_id, attachment_id, url, title, seen_at)
    return True


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    id: int
    sha256: str
    size: int
    media_type: str | None
    kind: str | None
    text_chars: int
    text_note: str | None
    first_url: str
    first_seen: datetime
    warc: WarcRef | None
    links: list[dict[str, Any]]  # {"article_id", "url", "title", "portal"}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "sha256": self.sha256, "size": self.size, "media_type": self.media_type,
                "kind": self.kind, "text_chars": self.text_chars, "text_note": self.text_note,
                "first_url": self.first_url, "first_seen": self.first_seen.isoformat(),
                "warc": self.warc._asdict() if self.warc else None, "articles": self.links}


def list_attachments(session: Session, *, portals: Sequence[str] = (), words: str | None = None,
                     article_id: int | None = None, limit: int | None = None) -> list[AttachmentRow]:
    """Stored attachments (oldest first) with the articles that link them; filtered by portal (of
    a linking article's URL), by words all found in the text (case and diacritics aside), by article."""
    from cleaning.attachments import search_key

    query = select(Attachment).order_by(Attachment.id)
    if words:
        for word in search_key(words).split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Attachment.text_key.like(f"%{escaped}%", escape="\\"))
    if article_id is not None:
        query = query.where(exists().where(ArticleAttachment.attachment_id == Attachment.id,
                                           ArticleAttachment.article_id == article_id))
    if portals:
        query = query.where(exists().where(
            ArticleAttachment.attachment_id == Attachment.id, ArticleUrl.article_id == ArticleAttachment.article_id,
            ArticleUrl.portal_id == Portal.id, Portal.key.in_(list(portals))))
    if limit:
        query = query.limit(limit)
    rows = list(session.scalars(query))
    links: dict[int, list[dict[str, Any]]] = {row.id: [] for row in rows}
    if rows:
        found = session.execute(
            select(ArticleAttachment, Portal.key).join(Article, Article.id == ArticleAttachment.article_id)
            .join(Portal, Portal.id == Article.portal_id)
            .where(ArticleAttachment.attachment_id.in_(list(links)))
            .order_by(ArticleAttachment.article_id, ArticleAttachment.url))
        for link, key in found:
            links[link.attachment_id].append({"article_id": link.article_id, "url": link.url,
                                              "title": link.title, "portal": key})
    return [AttachmentRow(row.id, row.sha256, row.size, row.media_type, row.kind, row.text_chars, row.text_note,
                          row.first_url, row.first_seen, ref_of(row), links[row.id]) for row in rows]


def files_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """{article id: the stored files it links} for the export record (storage/exports.py): URL and
    title as the article gave them, the file's sha256, size, media type, kind, characters of text
    and WARC record."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not article_ids:
        return out
    found = session.execute(
        select(ArticleAttachment, Attachment).join(Attachment, Attachment.id == ArticleAttachment.attachment_id)
        .where(ArticleAttachment.article_id.in_(list(article_ids))).order_by(ArticleAttachment.url))
    for link, row in found:
        ref = ref_of(row)
        out.setdefault(link.article_id, []).append({
            "url": link.url, "title": link.title, "article_id": link.article_id, "sha256": row.sha256,
            "size": row.size, "media_type": row.media_type, "kind": row.kind, "text_chars": row.text_chars,
            "warc": ref._asdict() if ref else None})
    return out
