"""Persistence of the learned page templates (cleaning/templates.py): load a portal's counts,
add a learner's increments. Increments are added in the database (pages = pages + n), so
several workers, or runs, never overwrite each other's counts. Never commits.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cleaning.templates import SegmentCount, TemplateLearner
from storage.db import dialect_insert
from storage.models import Article, Portal, TemplateSegment


def load_template_counts(session: Session, portal_key: str) -> tuple[int, list[tuple[str, SegmentCount]]]:
    """(the portal's counted articles, [(key, counts)]) as saved; (0, []) for an unknown portal."""
    portal = session.scalars(select(Portal).where(Portal.key == portal_key)).one_or_none()
    if portal is None:
        return 0, []
    rows = session.execute(select(TemplateSegment.key, TemplateSegment.text, TemplateSegment.pages,
                                  TemplateSegment.first_total).where(TemplateSegment.portal_id == portal.id))
    return portal.template_pages, [(key, SegmentCount(text, pages, first)) for key, text, pages, first in rows]


def add_template_counts(session: Session, portal_key: str, pages: int,
                        segments: Mapping[str, SegmentCount], *, seen_at: datetime | None = None) -> None:
    """Add `pages` counted articles and each segment's page increment to the saved counts."""
    portal_id = session.scalars(select(Portal.id).where(Portal.key == portal_key)).one_or_none()
    if portal_id is None:
        return  # a portal removed from the registry mid-run: its counts have nowhere to go
    now = seen_at or datetime.now(timezone.utc)
    if pages:
        session.execute(update(Portal).where(Portal.id == portal_id)
                        .values(template_pages=Portal.template_pages + pages))
    if not segments:
        return
    table = TemplateSegment.__table__
    statement = dialect_insert(session)(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.portal_id, table.c.key],
        set_={"pages": table.c.pages + statement.excluded.pages, "last_seen": statement.excluded.last_seen})
    session.execute(statement, [
        {"portal_id": portal_id, "key": key, "text": c.text, "pages": c.pages, "first_total": c.first_total,
         "first_seen": now, "last_seen": now}
        for key, c in segments.items()])


def rebuild_template_counts(session: Session, portal_key: str) -> int:
    """Count the portal's template lines afresh from its stored articles, in publication order;
    returns the articles counted.

    Run when a portal's first walk completes: the counts then depend on what the archive holds,
    not on the order pages happened to arrive in (or on which counts a killed run had not saved
    yet), so an interrupted and resumed first crawl learns exactly what an uninterrupted one does.
    """
    portal_id = session.scalars(select(Portal.id).where(Portal.key == portal_key)).one_or_none()
    if portal_id is None:
        return 0
    session.execute(delete(TemplateSegment).where(TemplateSegment.portal_id == portal_id))
    session.execute(update(Portal).where(Portal.id == portal_id).values(template_pages=0))
    learner = TemplateLearner()
    learner.load(portal_key, 0, [])
    rows = session.execute(select(Article.text, Article.template_lines).where(Article.portal_id == portal_id)
                           .order_by(Article.published.is_(None), Article.published, Article.content_hash))
    counted = 0
    for text, template_lines in rows:
        learner.observe(portal_key, text.split("\n") + list(template_lines or ()))
        counted += 1
    for key, (pages, segments) in learner.take_unsaved().items():
        add_template_counts(session, key, pages, segments)
    return counted
