"""End-to-end crawl throughput against a fetch-only baseline, in the same run.

    python bench/crawl.py [--articles 20000] [--rounds 1]

Serves the replica portals (a child process), then crawls them with politeness off:
  * fetch-only: the same `portal` spider, same discovery, with the item pipeline disabled;
  * full: the default pipeline (extraction + dedup + storage into a fresh SQLite file).
Each crawl runs in its own process; it reports pages/s and CPU seconds (crawl process, its
workers, the replica server). Memory is the peak over the crawl of its whole process tree
(crawl process + workers), sampled every 0.2 s: the sum of RSS (counts pages the processes
share once per process, so it overstates) and the sum of PSS (shares them out; the honest
total). The ratio full/fetch-only is the figure to watch (target >= 0.6), with peak memory
<= 400 MB.
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
import threading
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
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # logging stays the caller's
    process = CrawlerProcess(settings)
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


def _tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:  # exited meanwhile
            continue
    return out


def _kib(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Peak sums of RSS and PSS over a process tree, and the CPU time of the processes below its
    root (page workers, and the server they fork from), sampled until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.peak_rss_kib = self.peak_pss_kib = self.peak_processes = 0
        self.cpu: dict[int, float] = {}  # descendant pid -> CPU seconds when last sampled

    def run(self) -> None:
        while not self.stop.wait(0.2):
            pids = _tree(self.pid)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.peak_rss_kib = max(self.peak_rss_kib, sum(_kib(f"/proc/{p}/status", "VmRSS:") for p in pids))
            self.peak_pss_kib = max(self.peak_pss_kib, sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))
            for p in pids[1:]:
                try:
                    self.cpu[p] = _cpu_seconds(p)
                except OSError:  # exited meanwhile
                    continue


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run_child(mode: str, workdir: Path, round_no: int, server_pid: int) -> dict:
    db = workdir / f"{mode}-{round_no}.sqlite"
    server_cpu = _cpu_seconds(server_pid)
    proc = subprocess.Popen([sys.executable, __file__, "--child", mode, "--db", f"sqlite:///{db}"],
                            stdout=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    memory.start()
    out, _ = proc.communicate()
    memory.stop.set()
    memory.join()
    if proc.returncode:
        raise SystemExit(f"{mode} crawl failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    # Workers forked by a fork server are not the crawl process's children: their CPU time is
    # the tree's, sampled (a process's last 0.2 s escapes it)
    result.update(cpu_workers_s=round(max(result["cpu_workers_s"], sum(memory.cpu.values())), 1),
                  cpu_server_s=round(_cpu_seconds(server_pid) - server_cpu, 1),
                  tree_peak_rss_mb=round(memory.peak_rss_kib / 1024),
                  tree_peak_pss_mb=round(memory.peak_pss_kib / 1024),
                  tree_processes=memory.peak_processes)
    return result


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
                    result = run_child(mode, Path(tmp), round_no, server.pid)
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
    rss = max(r["tree_peak_rss_mb"] for r in results["full"])
    pss = max(r["tree_peak_pss_mb"] for r in results["full"])
    print(f"replica: {args.articles} stories; fetch-only {fetch:.1f} pages/s; full {full:.1f} pages/s "
          f"(medians); full/fetch per round {', '.join(f'{r:.2f}' for r in ratios)}, median "
          f"{statistics.median(ratios):.2f} (target >= 0.6); peak memory of the full crawl, all its "
          f"processes: {pss} MB PSS, {rss} MB RSS summed (target <= 400)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
