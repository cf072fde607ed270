"""Near-duplicate clusters in the database: every Article belongs to one Cluster.

`place` runs for each new Article row (a new content, or a new version of a page): its MinHash
band keys (dedup/minhash.py) find candidates among *all* stored articles through the indexed
`lsh_bands` table, so a nightly run compares against the whole archive, not only itself; each
candidate is verified (dedup/verify.py) and the article joins the cluster of the best verified
match, else a cluster of its own. A new version joins its previous version's cluster. Clusters
are never merged by a bridging article: one false link must not chain two stories together.

Concurrency: on PostgreSQL, `place` takes transaction-scoped advisory locks on the article's
band keys (sorted, so two writers cannot deadlock), so two near-duplicates stored at the same
time serialise and the second sees the first; SQLite serialises writers already (BEGIN
IMMEDIATE). Never commits.

Canonical member of a cluster (`choose_canonical`): among current versions, earliest published;
then the copy whose portal another copy's attribution line or lead tag names (the origin); then
higher administrative level; then first seen; then lowest id.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cleaning.normalize import tone_key
from storage.models import LEVEL_RANK, Article, ArticleFingerprint, Cluster, LshBand, Portal

if TYPE_CHECKING:
    from dedup import Fingerprint

MAX_CANDIDATES = 50          # most band hits first: bounded work per article at any corpus size
MIN_ESTIMATED_JACCARD = 0.3  # below this (signature estimate) a candidate is not worth verifying
_FAR_FUTURE = datetime.max.replace(tzinfo=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _lock_keys(session: Session, keys: Iterable[int]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


_HITS = func.count().label("hits")
# Built once: `place` runs for every new article (Core statements on the session's connection:
# the ORM's per-statement bookkeeping would cost more than these small queries themselves).
# The candidates (most band hits first) and their fingerprints in one statement.
_CANDIDATES = (select(LshBand.article_id)
               .where(LshBand.key.in_(bindparam("keys", expanding=True)), LshBand.article_id != bindparam("article_id"))
               .group_by(LshBand.article_id).order_by(_HITS.desc(), LshBand.article_id).limit(MAX_CANDIDATES)
               .subquery())
_CANDIDATE_FINGERPRINTS = (
    select(ArticleFingerprint.article_id, ArticleFingerprint.signature, ArticleFingerprint.shingle_hashes)
    .join(_CANDIDATES, _CANDIDATES.c.article_id == ArticleFingerprint.article_id))
# in id order: of two matches as close, the older article's cluster wins, on every backend
_CLUSTERED_TEXTS = select(Article.id, Article.cluster_id, Article.text) \
    .where(Article.id.in_(bindparam("ids", expanding=True)), Article.cluster_id.is_not(None)).order_by(Article.id)
_CLUSTER_OF = select(Article.cluster_id).where(Article.id == bindparam("article_id"))
_NEW_CLUSTER = insert(Cluster).returning(Cluster.id)
_SET_CLUSTER = update(Article).where(Article.id == bindparam("article_id")).values(cluster_id=bindparam("cluster_id"))
_INSERT_FINGERPRINT = insert(ArticleFingerprint)
_INSERT_BANDS = insert(LshBand)


def _best_match(conn: Connection, article: Article, fp: Fingerprint, keys: list[int]) -> int | None:
    """The cluster of the closest verified near-duplicate, or None."""
    from dedup import Fingerprint, compare
    from dedup.verify import overlaps, overlaps_enough

    rows = conn.execute(_CANDIDATE_FINGERPRINTS, {"keys": keys, "article_id": article.id}).all()
    if not rows:
        return None
    # the signatures' estimate first (cheap), then the exact overlap that `compare` starts
    # with: only bodies that pass it are worth reading from the database
    signatures = np.frombuffer(b"".join(row.signature for row in rows), dtype="<u4").reshape(len(rows), -1)
    close = np.count_nonzero(signatures == fp.signature, axis=1) >= MIN_ESTIMATED_JACCARD * len(fp.signature)
    likely = [row for row, near in zip(rows, close.tolist(), strict=True) if near]
    hashes = [np.frombuffer(row.shingle_hashes, dtype="<u4") for row in likely]
    # a Fingerprint only for the few that pass: building one for each likely row cost 5% here
    stored = {row.article_id: Fingerprint(other, np.frombuffer(row.signature, dtype="<u4"))
              for row, other, pair in zip(likely, hashes, overlaps(fp, hashes), strict=True)
              if overlaps_enough(*pair)}
    if not stored:
        return None
    best: tuple[float, int] | None = None  # (Jaccard, cluster id)
    for candidate in conn.execute(_CLUSTERED_TEXTS, {"ids": list(stored)}):
        verdict = compare(article.text, fp, candidate.text, stored[candidate.id])
        if verdict.same and (best is None or verdict.jaccard > best[0]):
            best = (verdict.jaccard, candidate.cluster_id)
    return best[1] if best else None


def place(session: Session, article: Article) -> int:
    """Assign `article` (flushed, with its text) to a cluster and index its fingerprint; returns
    the cluster id."""
    # imported here: datasketch brings scipy (~65 MB); only the processes that store pages need it
    from dedup import band_keys, fingerprint

    fp = fingerprint(article.text)
    keys = sorted(set(band_keys(fp.signature)))
    _lock_keys(session, keys)
    conn = session.connection()
    cluster_id: int | None = None
    if article.previous_version_id is not None:
        cluster_id = conn.scalar(_CLUSTER_OF, {"article_id": article.previous_version_id})
    if cluster_id is None:
        cluster_id = _best_match(conn, article, fp, keys)
    created = cluster_id is None
    if created:
        now = _now()
        cluster_id = conn.execute(_NEW_CLUSTER, {"canonical_article_id": article.id, "created_at": now,
                                                 "updated_at": now}).scalar_one()
    # Written here and marked as the stored value: the ORM would otherwise flush an UPDATE of
    # the whole row's changed state for this one column.
    conn.execute(_SET_CLUSTER, {"article_id": article.id, "cluster_id": cluster_id})
    set_committed_value(article, "cluster_id", cluster_id)
    conn.execute(_INSERT_FINGERPRINT, {"article_id": article.id, "signature": fp.signature_bytes(),
                                       "shingle_hashes": fp.hashes_bytes()})
    conn.execute(_INSERT_BANDS, [{"article_id": article.id, "key": key} for key in keys])
    if not created:  # joined an existing cluster: the canonical copy may change
        choose_canonical(session, cluster_id)
    return cluster_id


def _names(portal: Portal) -> list[str]:
    return [tone_key(name) for name in (portal.name, portal.key) if name and len(name) >= 4]


def choose_canonical(session: Session, cluster_id: int) -> int:
    """Apply the canonical rule to a cluster's current versions; returns the canonical id."""
    cluster = session.get(Cluster, cluster_id, with_for_update=True)
    members = list(session.scalars(select(Article).where(Article.cluster_id == cluster_id)))
    superseded = {m.previous_version_id for m in members if m.previous_version_id is not None}
    current = [m for m in members if m.id not in superseded] or members
    mentions = {m.id: tone_key(" ".join(filter(None, (m.attribution, m.source_tag)))) for m in current}

    def named_as_origin(member: Article) -> bool:
        names = _names(member.portal)
        return any(other != member.id and any(n in said for n in names)
                   for other, said in mentions.items() if said)

    canonical = min(current, key=lambda m: (
        m.published is None, m.published or _FAR_FUTURE, not named_as_origin(m),
        -LEVEL_RANK.get(m.portal.level, 0), m.first_seen, m.id))
    assert cluster is not None
    if cluster.canonical_article_id != canonical.id:
        cluster.canonical_article_id = canonical.id
        cluster.updated_at = _now()
    return canonical.id


def version_note(old: Article, title: str, new_text: str) -> str:
    """Diff summary of a new version against the previous: paragraphs added/removed, title."""
    diff = list(difflib.ndiff(old.text.split("\n"), new_text.split("\n")))
    added = sum(line.startswith("+ ") for line in diff)
    removed = sum(line.startswith("- ") for line in diff)
    parts = [f"+{added} -{removed} paragraphs"]
    if title != old.title:
        parts.append("title changed")
    return "; ".join(parts)


def unplaced(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article).where(Article.cluster_id.is_(None))) or 0


def place_unplaced(session: Session, limit: int | None = None) -> int:
    """Place articles without a cluster (stored before clustering existed, or after a reset),
    oldest first; returns how many."""
    stmt = select(Article).where(Article.cluster_id.is_(None)).order_by(Article.first_seen, Article.id)
    done = 0
    for article in session.scalars(stmt.limit(limit) if limit else stmt).all():
        place(session, article)
        done += 1
    return done


def reset(session: Session) -> None:
    """Forget every cluster, fingerprint and band (articles and versions stay) before reclustering."""
    session.execute(delete(LshBand))
    session.execute(delete(ArticleFingerprint))
    session.execute(update(Article).values(cluster_id=None))
    session.execute(delete(Cluster))


@dataclass(frozen=True, slots=True)
class ReclusterReport:
    articles: int
    clusters: int
    multi_copy_clusters: int
    moved: int  # articles whose set of fellow members changed


def _partition(session: Session) -> dict[int, frozenset[int]]:
    members: dict[int | None, set[int]] = {}
    for article_id, cluster_id in session.execute(select(Article.id, Article.cluster_id)):
        members.setdefault(cluster_id, set()).add(article_id)
    return {a: frozenset(m) for c, m in members.items() if c is not None for a in m}


def recluster(db_session_factory, batch: int = 500) -> ReclusterReport:
    """Rebuild every cluster from the stored articles (after thresholds change), oldest first,
    one transaction per `batch` articles. Interrupted, it leaves articles unplaced, which the
    next crawl (or the next run of this) places: nothing is lost."""
    with db_session_factory() as session, session.begin():
        before = _partition(session)
        reset(session)
    while True:
        with db_session_factory() as session, session.begin():
            if not place_unplaced(session, limit=batch):
                break
    with db_session_factory() as session:
        after = _partition(session)
    groups = set(after.values())
    moved = sum(before.get(a, frozenset([a])) != after.get(a) for a in after)
    return ReclusterReport(len(after), len(groups), sum(len(g) > 1 for g in groups), moved)
