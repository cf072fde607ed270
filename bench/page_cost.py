"""What one article page costs a page worker: extraction, then storage, in milliseconds.

    python bench/page_cost.py [--articles 800] [--rounds 3]

Renders every distinct article page of a replica in-process (no HTTP), then times
`cleaning.extract_article` over all of them (best of `--rounds`) and the worker's storage of the
extracted articles — exact dedup, near-duplicate clustering, URLs and crawl state, one
transaction per batch of pages as a busy worker stores them — into a fresh SQLite file. The page
worker's share of `bench/crawl.py`'s end-to-end figure, without the crawl around it.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.processing import BATCH_PAGES, PageJob, PageStore, Target, extract_job  # noqa: E402
from crawler.registry import load_registry  # noqa: E402
from crawler.runs import portal_records  # noqa: E402
from crawler.urls import netloc_of  # noqa: E402
from portalsim.replica import build_replica, split_url  # noqa: E402
from storage import Database, repository, start_run  # noqa: E402


def jobs(articles: int, portal_ids: dict[str, int]) -> list[PageJob]:
    replica = build_replica(0, articles)
    portals = {host: p for p in load_registry() if p.replica for host in p.hosts}
    seen: set[bytes] = set()
    out = []
    for url in replica.truth_by_url:
        status, _, body = replica.render(*split_url(url))
        portal = portals.get(netloc_of(url))
        if status != 200 or body in seen or portal is None:
            continue
        seen.add(body)
        out.append(PageJob(portal_key=portal.key, family=portal.family, date_order=portal.date_order,
                           scheme=portal.scheme, host_map={}, hosts=frozenset(h.lower() for h in portal.hosts),
                           url=url, final_url=url, body=body, encoding="utf-8", fetched_at=datetime.now(UTC),
                           portal_id=portal_ids[portal.key], known=False))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'cost.sqlite'}"
        db = Database(db_url)
        db.migrate()
        with db.session() as s, s.begin():
            portal_ids = repository.sync_portals(s, portal_records(p for p in load_registry() if p.replica))
            run_id = start_run(s, args="bench/page_cost.py")
        pages = jobs(args.articles, portal_ids)
        extract_ms = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            extracted = [extract_job(job) for job in pages]
            extract_ms.append((time.perf_counter() - started) / len(pages) * 1000)
        store = PageStore(Target(db_url, run_id, tmp))
        store.store(pages[0], extracted[0])  # imports and first connection out of the timing
        started = time.perf_counter()
        for at in range(1, len(pages), BATCH_PAGES):  # as a crawl's worker gets them when busy
            store.store_batch(pages[at:at + BATCH_PAGES], extracted[at:at + BATCH_PAGES])
        store_ms = (time.perf_counter() - started) / (len(pages) - 1) * 1000
        store.close()
        db.dispose()
    print(f"{len(pages)} distinct article pages ({args.articles} stories): extraction "
          f"{min(extract_ms):.2f} ms/page (best of {args.rounds}), storage {store_ms:.2f} ms/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
