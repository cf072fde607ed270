"""Parquet export of 20,000 stories: wall time and memory, against the JSONL export of the same data.

    python bench/export_parquet.py [--stories 20000] [--cache DIR] [--json results.json]

Builds (once; cached in DIR, default <tmp>/govcrawl-bench-export) a SQLite archive of synthetic
stories stored through the storage path (`store_article`: dedup, clusters, canonical rule): one
story in ten also has an exact copy on another portal, one in twenty a near-duplicate copy, one
in twenty a new version of its page. Then, each in a fresh child process so that the figures are
the export's alone: `govcrawl export --format parquet` and `--format jsonl` of every story, and
the Parquet export of the last quarter (`--after-id`) to show that memory does not grow with the
export's size. Per export: wall time, peak RSS (getrusage) and the RSS just before it started
(the imports and the open database: what any govcrawl command holds); in a
second run of the Parquet export, the peak of Python's heap (tracemalloc) and of Arrow's memory
pool.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUILD_VERSION = 1  # bump when the synthetic archive changes
T0 = datetime(2025, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=7)))
PORTALS = [("hy-tinh", "UBND tỉnh Hưng Yên", "tinh", "Hưng Yên"),
           ("hy-snv", "Sở Nội vụ tỉnh Hưng Yên", "so", "Hưng Yên"),
           ("ls-tinh", "UBND tỉnh Lạng Sơn", "tinh", "Lạng Sơn"),
           ("ls-snv", "Sở Nội vụ tỉnh Lạng Sơn", "so", "Lạng Sơn"),
           ("lc-xa", "UBND xã Sa Pa", "xa", "Lào Cai")]


def _vocabulary() -> list[str]:
    from portalsim.content import corpus

    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            words.update(w.strip(".,;:()\"'").lower() for w in value.split())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: v for k, v in corpus().items() if k != "_about"})
    return sorted(w for w in words if w.isalpha())


class Stories:
    """Deterministic synthetic article bodies (~3 KB: 6-12 paragraphs of 3-5 sentences)."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.words = _vocabulary()

    def sentence(self) -> str:
        n = self.rng.randrange(12, 30)
        words = [self.words[int(len(self.words) * self.rng.random() ** 2)] for _ in range(n)]
        return " ".join(words).capitalize() + f" {self.rng.randrange(1, 100_000)}."

    def paragraphs(self) -> list[str]:
        return [" ".join(self.sentence() for _ in range(self.rng.randrange(3, 6)))
                for _ in range(self.rng.randrange(6, 13))]


def build(path: Path, stories: int) -> dict[str, int]:
    """The archive at `path` (built once: a `.done` file beside it says it is complete)."""
    from cleaning import Article, content_hash
    from storage import Database, PortalRecord, start_run, store_article, sync_portals

    done = path.with_suffix(".done")
    if done.exists():
        return json.loads(done.read_text())
    path.unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    db.migrate()
    with db.session() as s, s.begin():
        sync_portals(s, [PortalRecord(key, name, level, province, hosts=(f"{key}.gov.vn",))
                         for key, name, level, province in PORTALS])
        run_id = start_run(s, "bench", started_at=T0)
    writer = Stories()
    counts = {"stories": stories, "articles": 0, "urls": 0}
    started = time.perf_counter()
    session = db.session()
    session.begin()

    def put(portal: str, url: str, paragraphs: list[str], at: datetime, **fields: object) -> None:
        text = "\n".join(paragraphs)
        article = Article(url=url, title=paragraphs[0][:80], text=text, content_hash=content_hash(text),
                          authors=["Phòng Văn hóa"], category=["Tin tức"], **fields)  # type: ignore[arg-type]
        outcome = store_article(session, portal_key=portal, url=url, article=article, seen_at=at, run_id=run_id)
        counts["articles"] += outcome.kind in ("new", "version")
        counts["urls"] += outcome.kind in ("new", "duplicate")

    for i in range(stories):
        portal = PORTALS[i % len(PORTALS)][0]
        at = T0 + timedelta(minutes=i)
        body = writer.paragraphs()
        put(portal, f"https://{portal}.gov.vn/tin/{i}", body, at, published=at - timedelta(hours=3))
        roll = writer.rng.random()
        other = PORTALS[(i + 1) % len(PORTALS)][0]
        if roll < 0.10:  # an exact copy on another portal
            put(other, f"https://{other}.gov.vn/copy/{i}", body, at + timedelta(seconds=10), published=at)
        elif roll < 0.15:  # a near-duplicate copy (last paragraph cut)
            put(other, f"https://{other}.gov.vn/near/{i}", body[:-1], at + timedelta(seconds=20), published=at)
        elif roll < 0.20:  # the page changed: a new version
            put(portal, f"https://{portal}.gov.vn/tin/{i}", body[:-1] + [writer.sentence()],
                at + timedelta(seconds=30), published=at - timedelta(hours=3))
        if i % 200 == 199:
            session.commit()
            session.close()
            session = db.session()
            session.begin()
            if i % 2000 == 1999:
                print(f"  stored {i + 1} stories ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    session.commit()
    session.close()
    db.close()
    counts["build_s"] = round(time.perf_counter() - started)
    done.write_text(json.dumps(counts))
    return counts


def _current_rss_kb() -> int:
    """This process's resident set now (getrusage only knows the peak so far)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(fmt: str, db_url: str, out: str, after_id: int | None, trace: bool) -> dict[str, float]:
    """One export in this process: its figures (RSS from getrusage: kilobytes on Linux)."""
    import tracemalloc

    import pyarrow as pa

    from crawler.exports import ExportOptions, export
    from storage import Database

    db = Database(db_url, create=False)
    db.check()
    start_rss = _current_rss_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    null = open(os.devnull, "w")
    code = export(db, ExportOptions(format=fmt, output=out, after_id=after_id), err=null)
    wall = time.perf_counter() - started
    figures = {"exit": code, "wall_s": round(wall, 2), "rss_start_mb": round(start_rss / 1024, 1),
               "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
               "bytes": os.path.getsize(out)}
    if trace:
        figures["python_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        figures["arrow_pool_peak_mb"] = round(pa.default_memory_pool().max_memory() / 2**20, 1)
    return figures


def _in_child(fmt: str, db_url: str, out: Path, after_id: int | None = None, trace: bool = False) -> dict:
    argv = [sys.executable, __file__, "--child", fmt, "--db", db_url, "--out", str(out)]
    if after_id is not None:
        argv += ["--after-id", str(after_id)]
    if trace:
        argv.append("--trace")
    done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "govcrawl-bench-export")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--after-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.db, args.out, args.after_id, args.trace)))
        return

    import pyarrow.parquet as pq
    from sqlalchemy import create_engine, text

    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.cache / f"stories-{args.stories}-v{BUILD_VERSION}.sqlite"
    print(f"archive {path} (building it the first time: {args.stories} stories through store_article) …",
          file=sys.stderr)
    built = build(path, args.stories)
    db_url = f"sqlite:///{path}"
    engine = create_engine(db_url)
    with engine.connect() as conn:
        max_id = conn.execute(text("SELECT max(id) FROM articles")).scalar_one()
        clusters = conn.execute(text("SELECT count(*) FROM clusters")).scalar_one()
    engine.dispose()
    quarter_after = max_id * 3 // 4
    with tempfile.TemporaryDirectory(prefix="govcrawl-bench-export-") as scratch:
        out = Path(scratch)
        results = {
            "archive": {**built, "clusters": clusters, "db_mb": round(path.stat().st_size / 2**20, 1)},
            "parquet": _in_child("parquet", db_url, out / "all.parquet"),
            "jsonl": _in_child("jsonl", db_url, out / "all.jsonl"),
            "parquet_last_quarter": _in_child("parquet", db_url, out / "quarter.parquet", after_id=quarter_after),
            "parquet_traced": _in_child("parquet", db_url, out / "traced.parquet", trace=True),
        }
        meta = pq.ParquetFile(out / "all.parquet").metadata
        results["parquet"]["rows"] = meta.num_rows
        results["parquet"]["row_groups"] = meta.num_row_groups
        results["parquet_last_quarter"]["rows"] = pq.ParquetFile(out / "quarter.parquet").metadata.num_rows
        results["jsonl"]["rows"] = sum(1 for _ in (out / "all.jsonl").open(encoding="utf-8"))
    p, j = results["parquet"], results["jsonl"]
    results["parquet_vs_jsonl"] = {"wall": round(p["wall_s"] / j["wall_s"], 2),
                                   "rss_peak": round(p["rss_peak_mb"] / j["rss_peak_mb"], 2),
                                   "bytes": round(p["bytes"] / j["bytes"], 3)}
    print(f"archive: {built['stories']} stories ({clusters} clusters), {built['articles']} articles, "
          f"{built['urls']} URLs, {results['archive']['db_mb']} MB SQLite")
    for name in ("parquet", "jsonl", "parquet_last_quarter"):
        r = results[name]
        print(f"{name:22} {r['rows']:6} stories  {r['wall_s']:7.2f} s  {r['rows'] / r['wall_s']:7.0f} stories/s  "
              f"peak RSS {r['rss_peak_mb']:6.1f} MB (at start: {r['rss_start_mb']:.1f})  {r['bytes'] / 2**20:7.1f} MB")
    t = results["parquet_traced"]
    print(f"parquet, traced: Python heap peak {t['python_heap_peak_mb']} MB, Arrow pool peak "
          f"{t['arrow_pool_peak_mb']} MB ({t['wall_s']} s under tracemalloc)")
    ratio = results["parquet_vs_jsonl"]
    print(f"parquet / jsonl: wall {ratio['wall']}x, peak RSS {ratio['rss_peak']}x, size {ratio['bytes']}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
