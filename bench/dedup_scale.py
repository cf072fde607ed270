"""Near-duplicate clustering at scale: per-article dedup time at 10,000 and 200,000 articles.

    python bench/dedup_scale.py [--sizes 10000 200000] [--sample 500] [--db URL]

Fills a fresh database (SQLite file by default; --db for PostgreSQL, which must be empty) with
synthetic Vietnamese articles — sentences of syllables drawn from the replica corpus, one in ten
a near-duplicate (a paragraph cut or added) of an earlier one — loaded in bulk with their
fingerprints and band keys. At each size it then stores `--sample` more articles through the
real path (`storage.clusters.place`: band lookup, verification, cluster, canonical) and reports
the mean milliseconds per article, the ratio to the first size (target <= 1.5), and the index
size per article (lsh_bands + article_fingerprints, tables and indexes, as the database reports).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text  # noqa: E402

from cleaning import content_hash  # noqa: E402
from dedup import band_keys, fingerprint  # noqa: E402
from portalsim.content import corpus  # noqa: E402
from storage import Database, PortalRecord, sync_portals  # noqa: E402
from storage.clusters import place  # noqa: E402
from storage.models import Article, ArticleFingerprint, Cluster, LshBand, Portal  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


class Writer:
    """Deterministic synthetic articles: fresh stories and near-duplicates of earlier ones."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        words = " ".join(_strings({k: v for k, v in corpus().items() if k != "_about"})).split()
        self.vocabulary = sorted({w.strip(".,;:()\"'").lower() for w in words if w.isalpha()})
        self.texts: list[str] = []
        self.hashes: set[str] = set()

    def sentence(self) -> str:
        n = self.rng.randrange(12, 30)
        # skewed towards the front of the (sorted) vocabulary, as real word use is, but broad
        words = [self.vocabulary[int(len(self.vocabulary) * self.rng.random() ** 2)] for _ in range(n)]
        return " ".join(words).capitalize() + f" {self.rng.randrange(1, 5000)}."

    def next(self) -> str:
        while True:  # every article a distinct content (two cuts of one story would collide)
            body = self._draft()
            if content_hash(body) not in self.hashes:
                self.hashes.add(content_hash(body))
                return body

    def _draft(self) -> str:
        if self.texts and self.rng.random() < 0.1:  # a syndicated copy, trimmed or extended
            paragraphs = self.rng.choice(self.texts).split("\n")
            if len(paragraphs) > 3 and self.rng.random() < 0.5:
                paragraphs = paragraphs[:-1]
            else:
                paragraphs = paragraphs + [self.sentence()]
        else:
            paragraphs = [" ".join(self.sentence() for _ in range(self.rng.randrange(2, 5)))
                          for _ in range(self.rng.randrange(4, 9))]
        text_ = "\n".join(paragraphs)
        if len(self.texts) < 50_000:
            self.texts.append(text_)
        return text_


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def bulk_load(db: Database, writer: Writer, count: int, start: int, portal_id: int) -> None:
    """`count` articles, each its own cluster, with fingerprints and bands (Core inserts)."""
    batch = 1000
    for offset in range(0, count, batch):
        rows, prints, bands, clusters = [], [], [], []
        for i in range(start + offset, start + min(offset + batch, count)):
            body = writer.next()
            fp = fingerprint(body)
            seen = T0 + timedelta(minutes=i)
            rows.append({"id": i + 1, "content_hash": content_hash(body), "title": f"Bài {i}", "text": body,
                         "family": "generic", "canonical_url": f"http://x.gov.vn/{i}", "portal_id": portal_id,
                         "first_seen": seen, "last_seen": seen, "cluster_id": i + 1, "published": seen})
            clusters.append({"id": i + 1, "canonical_article_id": i + 1, "created_at": seen, "updated_at": seen})
            prints.append({"article_id": i + 1, "signature": fp.signature_bytes(), "shingle_hashes": fp.hashes_bytes()})
            bands.extend({"article_id": i + 1, "key": k} for k in set(band_keys(fp.signature)))
        with db.session() as s, s.begin():
            s.execute(insert(Cluster), clusters)
            s.execute(insert(Article), rows)
            s.execute(insert(ArticleFingerprint), prints)
            s.execute(insert(LshBand), bands)


def timed_sample(db: Database, writer: Writer, sample: int, start: int, portal_id: int) -> list[float]:
    """Store `sample` articles through `place`, one transaction each; ms per article."""
    times = []
    for i in range(start, start + sample):
        body = writer.next()
        seen = T0 + timedelta(minutes=i)
        with db.session() as s, s.begin():
            row = Article(content_hash=content_hash(body), title=f"Bài {i}", text=body, family="generic",
                          canonical_url=f"http://x.gov.vn/{i}", portal_id=portal_id, first_seen=seen,
                          last_seen=seen, published=seen)
            s.add(row)
            s.flush()
            started = time.perf_counter()
            place(s, row)
            times.append(1000 * (time.perf_counter() - started))
    return times


def index_bytes(db: Database) -> int:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return sum(conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar()
                       for t in ("lsh_bands", "article_fingerprints"))
        try:
            return conn.execute(text("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                                     "('lsh_bands', 'article_fingerprints')")).scalar() or 0
        except Exception:  # SQLite built without dbstat: the whole file
            return Path(db.url.database).stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.db or f"sqlite:///{tmp}/scale.sqlite")
        db.migrate()
        with db.session() as s, s.begin():
            sync_portals(s, [PortalRecord("bench", "Bench portal", "so", hosts=("x.gov.vn",))])
            portal_id = s.scalar(select(Portal.id).where(Portal.key == "bench"))
            if s.scalar(select(func.count()).select_from(Article)):
                raise SystemExit("the database must be empty")
        writer = Writer()
        loaded, first = 0, None
        for size in sorted(args.sizes):
            started = time.perf_counter()
            bulk_load(db, writer, size - loaded, loaded, portal_id)
            load_s = time.perf_counter() - started
            times = timed_sample(db, writer, args.sample, size, portal_id)
            loaded = size + args.sample
            mean = statistics.mean(times)
            first = first or mean
            per_article = index_bytes(db) / loaded
            print(f"{db.url.get_backend_name()} {size:>7} articles (bulk load {load_s:.0f}s): dedup "
                  f"{mean:.2f} ms/article mean, {statistics.median(times):.2f} median, "
                  f"{sorted(times)[int(len(times) * 0.95)]:.2f} p95; ratio to first size {mean / first:.2f} "
                  f"(target <= 1.5); index {per_article:.0f} bytes/article", flush=True)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
