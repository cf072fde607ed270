"""What WARC capture costs a crawl: throughput with it on against off, in the same run, and the
bytes of WARC per page.

    python bench/warc_cost.py [--articles 2000] [--rounds 2]

Serves the replica portals (a child process), then crawls them with politeness off, each crawl in
its own process into a fresh SQLite file, with extraction and storage (the real crawl): with
GOVCRAWL_WARC on (the default: every response and request written, gzip per record, fsynced
before the response goes on) and with -s GOVCRAWL_WARC=0, alternating, `--rounds` times. Per
crawl: pages/s (responses / wall time of the crawl), CPU seconds of the crawl process (the WARC
thread's included) and of its page worker, and with WARC on the files, bytes and records
written. Then, per round, on/off throughput (target >= 0.9) and the median; bytes of WARC per
response and per byte downloaded; CPU per response, off and on (the steadier figure where other
work shares the machine).

Run it on an otherwise idle machine: on two cores, any other work shifts the ratio by more than
the effect being measured (see bench/crawl.py on steal time).
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

ROOT = Path(__file__).resolve().parent.parent

POLITENESS_OFF = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}


def child(mode: str, db_url: str) -> None:
    """Run one crawl in this process and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.registry import load_registry
    from crawler.spiders.portal import PortalSpider

    settings = get_project_settings()
    for name, value in POLITENESS_OFF.items():
        settings.set(name, value, priority="cmdline")
    settings.set("GOVCRAWL_DB", db_url, priority="cmdline")
    settings.set("GOVCRAWL_WARC", mode == "on", priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portal=",".join(p.key for p in load_registry() if p.replica))
    started = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the page worker (spawned, reaped at close)
    pages = stats.get("response_received_count", 0)
    print(json.dumps({
        "mode": mode, "pages": pages, "seconds": round(elapsed, 2), "pages_per_s": round(pages / elapsed, 1),
        "articles_new": sum(v for k, v in stats.items() if k.endswith("/articles_new")),
        "downloaded_bytes": stats.get("downloader/response_bytes", 0),
        "warc_files": stats.get("govcrawl/warc/files", 0), "warc_bytes": stats.get("govcrawl/warc/bytes", 0),
        "warc_records": stats.get("govcrawl/warc/records", 0),
        "cpu_crawl_s": round(own.ru_utime + own.ru_stime, 1),
        "cpu_workers_s": round(workers.ru_utime + workers.ru_stime, 1),
    }))


def run_child(mode: str, workdir: Path, round_no: int) -> dict:
    db = workdir / f"{mode}-{round_no}" / "govcrawl.sqlite"  # its WARC files go beside it
    done = subprocess.run([sys.executable, __file__, "--child", mode, "--db", f"sqlite:///{db}"],
                          stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"WARC {mode} crawl failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2, help="alternate WARC off/on this many times")
    parser.add_argument("--child", choices=("on", "off"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return 0

    server = subprocess.Popen([sys.executable, "-m", "portalsim", "serve", "--articles", str(args.articles)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    results: dict[str, list[dict]] = {"off": [], "on": []}
    try:
        line = next((ln for ln in server.stdout if ln.startswith("serving")), "") if server.stdout else ""
        if not line:
            raise SystemExit("replica server did not start")
        with tempfile.TemporaryDirectory(prefix="warc-cost-") as tmp:
            for round_no in range(args.rounds):
                # the order alternates too: a crawl that runs second in a round meets a warmer cache
                for mode in (("off", "on") if round_no % 2 == 0 else ("on", "off")):
                    result = run_child(mode, Path(tmp), round_no)
                    results[mode].append(result)
                    print(json.dumps(result), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    ratios = [on["pages_per_s"] / off["pages_per_s"] for off, on in zip(results["off"], results["on"])]
    on = results["on"]
    per_page = statistics.median(r["warc_bytes"] / r["warc_records"] for r in on)
    per_body = statistics.median(r["warc_bytes"] / r["downloaded_bytes"] for r in on)
    # CPU time per response of the crawl process (the WARC thread is in it) and of crawl and page
    # worker together: steadier than pages/s on a shared machine; on two busy cores the crawl's
    # throughput follows the CPU it needs, so off/on total CPU is what the pages/s ratio would be
    cpu = {mode: statistics.median(r["cpu_crawl_s"] / r["pages"] * 1000 for r in results[mode]) for mode in results}
    total = {mode: statistics.median((r["cpu_crawl_s"] + r["cpu_workers_s"]) / r["pages"] * 1000
                                     for r in results[mode]) for mode in results}
    print(f"replica: {args.articles} stories, {on[0]['pages']} responses per crawl; pages/s WARC off "
          f"{statistics.median(r['pages_per_s'] for r in results['off']):.1f}, on "
          f"{statistics.median(r['pages_per_s'] for r in on):.1f} (medians); on/off per round "
          f"{', '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.2f} (target >= 0.9); "
          f"WARC {per_page / 1000:.1f} kB per response (request record and warcinfo included), "
          f"{per_body:.2f} bytes per byte downloaded (Scrapy's downloader/response_bytes); "
          f"{on[0]['warc_files']} files per crawl; CPU per response, crawl process: {cpu['off']:.2f} ms off, "
          f"{cpu['on']:.2f} on; crawl and page worker: {total['off']:.2f} ms off, {total['on']:.2f} on "
          f"(off/on {total['off'] / total['on']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
