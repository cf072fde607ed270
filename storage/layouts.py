"""Persistence of the learned page layouts (cleaning/layout_learning.py): load a portal's
counts, save a learner's increments. Increments are added in the database (pages = pages + n),
so several workers, or runs, never overwrite each other's counts; a redesign drops the
portal's counts first. Which values are learned, and the recent pages' matches, are the last
saver's. Never commits.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cleaning.layout_learning import WINDOW, SavedLayout, Unsaved
from storage.db import dialect_insert
from storage.models import LayoutPath, Portal, PortalLayout


def value_key(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:16]


def load_layout_counts(session: Session, portal_key: str) -> SavedLayout:
    """The portal's counts as saved; empty for an unknown portal or one never counted."""
    portal_id = session.scalars(select(Portal.id).where(Portal.key == portal_key)).one_or_none()
    if portal_id is None:
        return SavedLayout()
    state = session.get(PortalLayout, portal_id)
    rows = session.execute(select(LayoutPath.field, LayoutPath.value, LayoutPath.pages, LayoutPath.learned)
                           .where(LayoutPath.portal_id == portal_id)).all()
    return SavedLayout(pages=state.pages if state else 0,
                       counts={(name, value): pages for name, value, pages, _ in rows},
                       recent=state.recent if state else "", redesigns=state.redesigns if state else 0,
                       learned={name: value for name, value, _, learned in rows if learned})


def save_layout_counts(session: Session, portal_key: str, unsaved: Unsaved, *,
                       seen_at: datetime | None = None) -> None:
    """Add one portal's increments (after dropping its counts, when a redesign reset them);
    counts past the learner's WINDOW are halved, as the learner halves its own."""
    portal_id = session.scalars(select(Portal.id).where(Portal.key == portal_key)).one_or_none()
    if portal_id is None:
        return  # a portal removed from the registry mid-run: its counts have nowhere to go
    now = seen_at or datetime.now(timezone.utc)
    if unsaved.reset:
        session.execute(delete(LayoutPath).where(LayoutPath.portal_id == portal_id))
        session.execute(update(PortalLayout).where(PortalLayout.portal_id == portal_id).values(pages=0))
    table = PortalLayout.__table__
    statement = dialect_insert(session)(table)
    changes = {"pages": table.c.pages + statement.excluded.pages,
               "redesigns": table.c.redesigns + statement.excluded.redesigns,
               "updated_at": statement.excluded.updated_at}
    if unsaved.recent or unsaved.reset:
        changes["recent"] = statement.excluded.recent
    if unsaved.reset:
        changes["relearned_at"] = statement.excluded.relearned_at
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.portal_id], set_=changes), [{
        "portal_id": portal_id, "pages": unsaved.pages, "recent": unsaved.recent[-64:],
        "redesigns": unsaved.redesigns, "relearned_at": now if unsaved.reset else None, "updated_at": now}])
    if unsaved.counts:
        paths = LayoutPath.__table__
        insert = dialect_insert(session)(paths)
        session.execute(insert.on_conflict_do_update(
            index_elements=[paths.c.portal_id, paths.c.field, paths.c.key],
            set_={"pages": paths.c.pages + insert.excluded.pages, "last_seen": insert.excluded.last_seen}), [
            {"portal_id": portal_id, "field": name, "key": value_key(value), "value": value, "pages": pages,
             "first_seen": now, "last_seen": now}
            for (name, value), pages in unsaved.counts.items()])
    session.execute(update(LayoutPath).where(LayoutPath.portal_id == portal_id, LayoutPath.learned)
                    .values(learned=False))
    for name, value in unsaved.learned.items():
        session.execute(update(LayoutPath).where(LayoutPath.portal_id == portal_id, LayoutPath.field == name,
                                                 LayoutPath.key == value_key(value)).values(learned=True))
    pages = session.scalars(select(PortalLayout.pages).where(PortalLayout.portal_id == portal_id)).one()
    if pages > WINDOW:
        session.execute(update(PortalLayout).where(PortalLayout.portal_id == portal_id).values(pages=pages // 2))
        session.execute(update(LayoutPath).where(LayoutPath.portal_id == portal_id)
                        .values(pages=LayoutPath.pages // 2))
        session.execute(delete(LayoutPath).where(LayoutPath.portal_id == portal_id, LayoutPath.pages == 0))
