"""End-to-end crawl throughput against a fetch-only baseline, in the same run.

    python bench/crawl.py [--articles 20000] [--rounds 1]

Serves the replica portals (a child process), then crawls them with politeness off:
  * fetch-only: the same `portal` spider, same discovery, with the item pipeline disabled;
  * full: the default pipeline (extraction + dedup + storage into a fresh SQLite file).
Each crawl runs in its own process; it reports pages/s and peak RSS (ru_maxrss). The ratio
full/fetch-only is the figure to watch (target >= 0.6), with peak memory <= 400 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLITENESS_OFF = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}


def child(mode: str, db_url: str) -> None:
    """Run one crawl in this process and print its figures as JSON."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.registry import load_registry
    from crawler.spiders.portal import PortalSpider

    settings = get_project_settings()
    for name, value in POLITENESS_OFF.items():
        settings.set(name, value, priority="cmdline")
    settings.set("GOVCRAWL_DB", db_url, priority="cmdline")
    if os.environ.get("GOVCRAWL_PROCESS_WORKERS"):
        settings.set("GOVCRAWL_PROCESS_WORKERS", os.environ["GOVCRAWL_PROCESS_WORKERS"], priority="cmdline")
    if mode == "fetch":
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    keys = ",".join(p.key for p in load_registry() if p.replica)
    process = CrawlerProcess(settings, install_root_handler=False)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portal=keys)
    started = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pages = stats.get("response_received_count", 0)
    articles = sum(v for k, v in stats.items() if k.endswith("/articles_new"))
    print(json.dumps({
        "mode": mode, "pages": pages, "seconds": elapsed, "pages_per_s": pages / elapsed,
        "articles_new": articles,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # page-processing workers (reaped when the pool closed): their peak and CPU time
        "workers_peak_rss_mb": children.ru_maxrss / 1024,
        "cpu_crawl_s": own.ru_utime + own.ru_stime,
        "cpu_workers_s": children.ru_utime + children.ru_stime,
    }))


def run_child(mode: str, workdir: Path, round_no: int) -> dict:
    db = workdir / f"{mode}-{round_no}.sqlite"
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", f"sqlite:///{db}"],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=1, help="alternate fetch/full this many times")
    parser.add_argument("--child", choices=("fetch", "full"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return 0

    server = subprocess.Popen([sys.executable, "-m", "portalsim", "serve", "--articles", str(args.articles)],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = next((ln for ln in server.stdout if ln.startswith("serving")), "") if server.stdout else ""
        if not line:
            raise SystemExit(f"replica server did not start: {line!r}")
        results: dict[str, list[dict]] = {"fetch": [], "full": []}
        with tempfile.TemporaryDirectory() as tmp:
            for round_no in range(args.rounds):
                for mode in ("fetch", "full"):
                    result = run_child(mode, Path(tmp), round_no)
                    results[mode].append(result)
                    print(json.dumps(result), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    fetch = statistics.median(r["pages_per_s"] for r in results["fetch"])
    full = statistics.median(r["pages_per_s"] for r in results["full"])
    # Each round's full crawl is compared with the fetch-only crawl run just before it: the
    # machine's speed drifts between rounds more than within one.
    ratios = [b["pages_per_s"] / a["pages_per_s"] for a, b in zip(results["fetch"], results["full"])]
    peak = max(r["peak_rss_mb"] for r in results["full"])
    workers_peak = max(r["workers_peak_rss_mb"] for r in results["full"])
    print(f"replica: {args.articles} stories; fetch-only {fetch:.1f} pages/s; full {full:.1f} pages/s "
          f"(medians); full/fetch per round {', '.join(f'{r:.2f}' for r in ratios)}, median "
          f"{statistics.median(ratios):.2f} (target >= 0.6); peak RSS full crawl {peak:.0f} MB, "
          f"each worker <= {workers_peak:.0f} MB (target <= 400)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
