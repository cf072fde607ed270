"""The export read model: stories chosen by filters and by change windows, with provenance.

A *story* is one near-duplicate cluster (storage/clusters.py): its canonical article, every copy
(members on other portals or URLs) and every version. `govcrawl export` writes one record per
story; `iter_stories` yields them, each a `Story` that builds the record (`Story.record`, the
`iter_export` record plus `story_id` and `provenance`) and the story's pages (`Story.pages`).

Stable id: `story_id` is the lowest article id among the story's members. Members are only ever
added (a new copy or a new version gets a higher id), so the id stays when the canonical copy
changes, when a page gets a new version and when copies arrive; `govcrawl dedup` keeps it too
when it rebuilds a cluster with the same members. (`id` stays the canonical article's id, as the
feeds write it: it changes when another member becomes canonical.)

What is *new* for an incremental export (`ChangeWindow`): a story changed since the cursor when
it gained an article row (new content: a new story, a new version of one of its pages, a
near-duplicate copy) or a URL row (an exact copy on another URL or portal) whose id the cursor
has not passed. The whole record is written again under its `story_id`; consumers upsert. A
page fetched again unchanged ("seen": only `last_seen` moves) is not new. Article and URL ids are
allocated when a row is inserted, not when it commits: on PostgreSQL a page worker can commit id
100 after id 101 was exported. A window therefore carries the ids at or below its watermark
that were missing from the snapshot it was read in (`pending`); the next window includes them
if they have appeared since.

Every function takes a Session and never commits. storage never imports crawler: what only the
registry knows (a portal's pre-2025 province) comes in as a plain mapping.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from storage.attachments import files_of
from storage.captures import ref_of
from storage.models import Article, ArticleUrl, CrawlRun, CrawlRunPortal, Portal
from storage.repository import _iso_vn, _story_record, story_batches  # the export record, shared with the feeds

SINCE_FIELDS = ("stored", "published")
# ids below the watermark missing from a snapshot are remembered only this far below it: an
# insert still in flight when the snapshot was taken allocated its id moments before, near the top
PENDING_SPAN = 10_000
_FAR_FUTURE = datetime.max.replace(tzinfo=timezone.utc)
RUN_LOOKBACK = 64  # runs overlapping in time, at most (crawls of other portals started meanwhile)

_M = aliased(Article, name="member")
_U = aliased(ArticleUrl, name="member_url")


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True, slots=True)
class IdWindow:
    """Ids `after` < id <= `upto`, and the `pending` ids at or below `after` (missing from the
    snapshot the previous window was read in)."""

    after: int
    upto: int
    pending: tuple[int, ...] = ()

    def clause(self, column: Any) -> ColumnElement[bool]:
        inside = and_(column > self.after, column <= self.upto)
        return or_(inside, column.in_(self.pending)) if self.pending else inside


@dataclass(frozen=True, slots=True)
class ChangeWindow:
    """Stories with an article (content) in `articles` or a URL row in `urls` (either may be None)."""

    articles: IdWindow | None = None
    urls: IdWindow | None = None


@dataclass(frozen=True, slots=True)
class RunSpan:
    """What storage knows of one run for `--run`: its URLs carry `first_run_id`; the articles it
    stored (new contents, versions) are those first seen in [start, end] on one of its portals."""

    run_id: int
    start: datetime
    end: datetime
    portal_ids: frozenset[int]  # empty: the run recorded no portal rows (still running, or killed)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which stories to export. Every given filter must hold (AND); `portal_ids` is any of them."""

    portal_ids: frozenset[int] | None = None  # a story with a copy (article or URL) on one of these
    since: datetime | None = None
    since_field: str = "stored"  # "stored": a member or URL first seen since; "published": the story's date
    run: RunSpan | None = None
    changed: ChangeWindow | None = None


def _member_url(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(_U.article_id == _M.id, condition)


def _stories_with(member_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Story rows (canonical articles, or unclustered ones) one of whose members matches."""
    clusters = select(_M.cluster_id).where(member_condition, _M.cluster_id.is_not(None))
    loners = select(_M.id).where(member_condition, _M.cluster_id.is_(None))
    return or_(Article.cluster_id.in_(clusters), and_(Article.cluster_id.is_(None), Article.id.in_(loners)))


def _conditions(selection: Selection) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if selection.portal_ids is not None:
        ids = sorted(selection.portal_ids)
        found.append(_stories_with(or_(_M.portal_id.in_(ids), _member_url(_U.portal_id.in_(ids)))))
    if selection.since is not None:
        if selection.since_field == "published":
            found.append(Article.published >= selection.since)
        elif selection.since_field == "stored":
            found.append(_stories_with(or_(_M.first_seen >= selection.since,
                                           _member_url(_U.first_seen >= selection.since))))
        else:
            raise ValueError(f"since_field {selection.since_field!r} (choose one of: {', '.join(SINCE_FIELDS)})")
    if selection.run is not None:
        run = selection.run
        stored = and_(_M.first_seen >= run.start, _M.first_seen <= run.end)
        if run.portal_ids:
            ids = sorted(run.portal_ids)
            stored = and_(stored, or_(_M.portal_id.in_(ids), _member_url(_U.portal_id.in_(ids))))
        found.append(_stories_with(or_(_member_url(_U.first_run_id == run.run_id), stored)))
    if selection.changed is not None:
        changes: list[ColumnElement[bool]] = []
        if selection.changed.articles is not None:
            changes.append(selection.changed.articles.clause(_M.id))
        if selection.changed.urls is not None:
            changes.append(_member_url(selection.changed.urls.clause(_U.id)))
        found.append(_stories_with(or_(*changes)) if changes else Article.id.is_(None))
    return found


# --------------------------------------------------------------------------- snapshot and positions


def begin_snapshot(session: Session) -> None:
    """Read everything that follows from one snapshot: PostgreSQL REPEATABLE READ (read only);
    SQLite's deferred BEGIN of a read-only session takes its WAL snapshot at the first read.
    Call first, before any other statement of the session's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


def high_water(session: Session) -> tuple[int, int]:
    """The highest article id and article URL id in the snapshot (0 when empty)."""
    articles = session.scalar(select(func.max(Article.id))) or 0
    urls = session.scalar(select(func.max(ArticleUrl.id))) or 0
    return articles, urls


def missing_ids(session: Session, table: str, after: int, upto: int) -> list[int]:
    """Ids in (after, upto] absent from `table` ("articles" or "article_urls") in the snapshot, at
    most PENDING_SPAN below `upto`: inserts not yet committed (or rolled back)."""
    column = {"articles": Article.id, "article_urls": ArticleUrl.id}[table]
    low = max(after, upto - PENDING_SPAN)
    gaps: list[int] = []
    expected = low + 1
    for (present,) in session.execute(select(column).where(column > low, column <= upto).order_by(column)):
        gaps.extend(range(expected, present))
        expected = present + 1
    gaps.extend(range(expected, upto + 1))
    return gaps


def present_ids(session: Session, table: str, ids: Sequence[int]) -> set[int]:
    column = {"articles": Article.id, "article_urls": ArticleUrl.id}[table]
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(column).where(column.in_(list(ids[start:start + 500])))))
    return found


# --------------------------------------------------------------------------- runs


@dataclass(slots=True)
class RunIndex:
    """The runs' time spans and portals, to tell which run stored an article: the run whose span
    holds its `first_seen` and that crawled its portal. A run's span ends at its `finished_at`;
    one never closed (killed) ends where the next run starts."""

    spans: list[RunSpan] = field(default_factory=list)  # by start
    _starts: list[datetime] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> RunIndex:
        portals: dict[int, set[int]] = {}
        for run_id, portal_id in session.execute(select(CrawlRunPortal.run_id, CrawlRunPortal.portal_id)):
            portals.setdefault(run_id, set()).add(portal_id)
        runs = list(session.execute(select(CrawlRun.id, CrawlRun.started_at, CrawlRun.finished_at)
                                    .order_by(CrawlRun.started_at, CrawlRun.id)))
        spans = []
        for i, (run_id, started, finished) in enumerate(runs):
            end = finished if finished is not None else (runs[i + 1][1] if i + 1 < len(runs) else _FAR_FUTURE)
            spans.append(RunSpan(run_id, started, max(end, started), frozenset(portals.get(run_id, ()))))
        return cls(spans, [s.start for s in spans])

    def get(self, run_id: int) -> RunSpan | None:
        return next((s for s in self.spans if s.run_id == run_id), None)

    def run_of(self, seen: datetime, portal_ids: set[int]) -> int | None:
        """The run that stored an article first seen at `seen` on one of `portal_ids` (None: none;
        of overlapping runs, the latest started). Looks at the RUN_LOOKBACK runs started last before."""
        i = bisect.bisect_right(self._starts, seen)
        for span in reversed(self.spans[max(0, i - RUN_LOOKBACK):i]):
            if seen <= span.end and (not span.portal_ids or span.portal_ids & portal_ids):
                return span.run_id
        return None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class PortalInfo:
    id: int
    key: str
    name: str
    level: str
    province: str | None  # after the 2025 reform, as the registry synchronised it
    province_before: str | None  # before the reform (from the registry; None: not known)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "level": self.level, "province": self.province,
                "province_before": self.province_before}


def portal_table(session: Session, province_before: Mapping[str, str | None] | None = None) -> dict[int, PortalInfo]:
    before = province_before or {}
    return {row.id: PortalInfo(row.id, row.key, row.name, row.level, row.province, before.get(row.key))
            for row in session.scalars(select(Portal))}


def warc_ref(link: ArticleUrl | None) -> dict[str, Any] | None:
    """The WARC record a URL row references ({"file", "offset", "length", "digest", "sha256"}:
    storage/captures.py), or None (captured with WARC off, or before WARC capture)."""
    ref = ref_of(link) if link is not None else None
    return ref._asdict() if ref is not None else None


@dataclass(slots=True)
class Story:
    """One story as loaded: its canonical article and every member (copies and versions), each
    with its URLs and their portals."""

    canonical: Article
    members: list[Article]
    portals: Mapping[int, PortalInfo]
    runs: RunIndex
    # {member id: the stored files it links} (storage/attachments.files_of)
    files: Mapping[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def story_id(self) -> int:
        return min(m.id for m in self.members)

    def _member_run(self, member: Article) -> int | None:
        return self.runs.run_of(member.first_seen, {member.portal_id, *(u.portal_id for u in member.urls)})

    def provenance(self) -> dict[str, Any]:
        canonical = self.canonical
        superseded = {m.previous_version_id for m in self.members if m.previous_version_id is not None}
        links = sorted((u for m in self.members for u in m.urls), key=lambda u: u.url)
        canonical_link = next((u for u in canonical.urls if u.url == canonical.canonical_url), None)
        member_runs = {m.id: self._member_run(m) for m in self.members}
        runs = {u.first_run_id for u in links if u.first_run_id is not None}
        runs.update(r for r in member_runs.values() if r is not None)
        others = ({u.portal_id for u in links} | {m.portal_id for m in self.members}) - {canonical.portal_id}
        portal_ids = [canonical.portal_id, *sorted(others, key=lambda p: self.portals[p].key)]
        home = self.portals[canonical.portal_id]
        return {
            "portal": home.key,
            "province": home.province,
            "province_before": home.province_before,
            "extractor_version": getattr(canonical, "extractor_version", None),
            "warc": warc_ref(canonical_link),
            "runs": sorted(runs),
            "portals": [self.portals[p].as_dict() for p in portal_ids],
            "urls": [{"url": u.url, "article_id": u.article_id, "portal": self.portals[u.portal_id].key,
                      "canonical": u.article_id == canonical.id and u.url == canonical.canonical_url,
                      "first_seen": _iso_vn(u.first_seen), "last_seen": _iso_vn(u.last_seen),
                      "first_run_id": u.first_run_id, "warc": warc_ref(u)} for u in links],
            "members": [{"article_id": m.id, "content_hash": m.content_hash,
                         "role": "canonical" if m.id == canonical.id else "version" if m.id in superseded else "copy",
                         "previous_version_id": m.previous_version_id, "portal": self.portals[m.portal_id].key,
                         "first_seen": _iso_vn(m.first_seen), "last_seen": _iso_vn(m.last_seen),
                         "run_id": member_runs[m.id], "extractor_version": getattr(m, "extractor_version", None)}
                        for m in sorted(self.members, key=lambda m: m.id)],
            # the attachments the story's articles link, as stored (issue 17 item 4)
            "attachment_files": sorted((f for m in self.members for f in self.files.get(m.id, ())),
                                       key=lambda f: (f["url"], f["article_id"])),
        }

    def record(self) -> dict[str, Any]:
        """The export record: `story_id`, the feeds' record (`repository.iter_export`), `provenance`."""
        return {"story_id": self.story_id, **_story_record(self.canonical, self.members),
                "provenance": self.provenance()}

    def pages(self) -> list[dict[str, Any]]:
        """One page per URL a member serves now (a superseded version's URLs moved on to its
        successor): the URL, its copy's title, the text it serves, and when it was first seen
        serving it (the later of the URL's and the article's first_seen), by URL."""
        found = []
        for member in self.members:
            for link in member.urls:
                found.append({"url_id": link.id, "url": link.url, "title": link.title or member.title,
                              "ts": max(link.first_seen, member.first_seen), "text": member.text,
                              "article_id": member.id, "portal": self.portals[link.portal_id].key})
        return sorted(found, key=lambda p: p["url"])


def iter_stories(session: Session, selection: Selection | None = None, *,
                 province_before: Mapping[str, str | None] | None = None,
                 batch_size: int = 500) -> Iterator[Story]:
    """The stories `selection` picks, in `iter_export`'s order (published, then id; undated
    last), loaded `batch_size` canonical rows at a time with their members."""
    selection = selection or Selection()
    portals = portal_table(session, province_before)
    runs = RunIndex.load(session)
    for batch in story_batches(session, *_conditions(selection), batch_size=batch_size):
        files = files_of(session, [m.id for _, members in batch for m in members])
        for row, members in batch:
            yield Story(row, members, portals, runs, files)
