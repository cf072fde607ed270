"""A nightly run after a day of publishing: what the second crawl fetches, stores and re-extracts.

    python bench/nightly.py [--articles 10000] [--new 100] [--edited 20] [--db URL]

Serves the replica portals (a child process) and crawls them once into a fresh database; then
serves the next day of the same replica — `--new` stories published, `--edited` stories edited
(a paragraph added) on the portals that publish sitemaps — and crawls again. Politeness is off
(local servers). It prints, for the second run: requests by kind (article pages fetched in full,
conditional GETs answered 304, listing / sitemap / feed pages), new articles and new versions
stored against the replica's list of changes, pages extracted although unchanged, and requests
per new-or-changed article (the issue's bar: at most 1.5, plus the listing/sitemap/feed pages).
Requests are the crawl's own Scrapy stats: all of them (robots.txt included) and the responses by
kind of page and status.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.registry import load_registry  # noqa: E402
from crawler.urls import canonicalize  # noqa: E402
from portalsim import build_replica  # noqa: E402
from storage.models import Article, ArticleUrl  # noqa: E402

FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")


def serve(articles: int, new: int = 0, edited: int = 0) -> subprocess.Popen[str]:
    server = subprocess.Popen([sys.executable, "-m", "portalsim", "serve", "--articles", str(articles),
                               "--new", str(new), "--edited", str(edited)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    if not any(line.startswith("serving") for line in server.stdout or ()):
        raise SystemExit("the replica server did not start")
    return server


def child(db_url: str) -> None:
    """One crawl of every replica portal, in this process; prints the report and the crawl's
    response counts by kind of page and status as JSON."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.report import report_json
    from crawler.spiders.portal import PortalSpider
    from storage import Database
    from storage.runs import get_run, run_summary

    settings = get_project_settings()
    for option in FAST[1::2]:
        key, _, setting = option.partition("=")
        settings.set(key, setting, priority="cmdline")
    settings.set("GOVCRAWL_DB", db_url, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # logging stays the caller's
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portal=",".join(p.key for p in load_registry() if p.replica))
    process.start()
    stats = crawler.stats.get_stats()
    responses = {k.removeprefix("govcrawl/responses/"): v for k, v in stats.items()
                 if k.startswith("govcrawl/responses/")}
    run_id = stats["govcrawl/run_id"]
    db = Database(db_url)
    with db.session() as s:
        report = report_json(get_run(s, run_id), run_summary(s, run_id))
    print(json.dumps({"report": report, "responses": responses,
                      "requests": stats.get("downloader/request_count", 0)}, default=str))


def crawl(db_url: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", "--db", db_url], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _canonical(url: str, host_map: dict[str, str]) -> str:
    return canonicalize(url, host_map=host_map, scheme="http")


def stored_changes(db_url: str, changes) -> dict:
    """Of the replica's new and edited stories: how many the archive holds (every copy), and how
    many have a new version at the edited copy's URL."""
    host_map = {h: p.hosts[0].lower() for p in load_registry() if p.replica for h in p.all_hosts}
    engine = create_engine(db_url)
    with Session(engine) as s:
        stored = {u for (u,) in s.execute(select(ArticleUrl.url))}
        versioned = {u for (u,) in s.execute(
            select(ArticleUrl.url).join(Article, Article.id == ArticleUrl.article_id)
            .where(Article.previous_version_id.is_not(None)))}
    engine.dispose()

    def has(urls: list[str], among: set[str]) -> bool:
        return any(canonicalize(u, host_map=host_map, scheme="http") in among for u in urls)

    return {"new_stories": len(changes.new),
            "new_stories_stored": sum(all(has(c.urls, stored) for c in a.copies) for a in changes.new),
            "edited_stories": len(changes.edited),
            "edited_stories_versioned": sum(any(has(c.urls, versioned) for c in a.copies if c.modified)
                                            for a in changes.edited)}


def totals(report: dict) -> Counter:
    out = Counter()
    for row in report["portals"]:
        for name in ("pages_fetched", "not_modified", "articles_new", "articles_version", "articles_duplicate",
                     "articles_seen", "articles_failed", "errors"):
            out[name] += row.get(name) or 0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--edited", type=int, default=20)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--keep", help="copy the SQLite database here afterwards")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.db)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'nightly.sqlite'}"
        server = serve(args.articles)
        try:
            first = crawl(db_url)
        finally:
            server.terminate()
            server.wait(timeout=30)
        server = serve(args.articles, args.new, args.edited)
        try:
            second = crawl(db_url)
        finally:
            server.terminate()
            server.wait(timeout=30)
        changes = stored_changes(db_url, build_replica(0, args.articles, new=args.new, edited=args.edited).changes())
        if args.keep and db_url.startswith("sqlite:///"):
            shutil.copy(db_url.removeprefix("sqlite:///"), args.keep)
    run1, run2 = totals(first["report"]), totals(second["report"])
    responses = second["responses"]
    by_kind = Counter()
    for key, count in responses.items():
        kind, status = key.split("/")
        by_kind[kind if status != "304" else f"{kind} 304"] += count
    articles = by_kind["article"] + by_kind["article 304"]
    changed = changes["new_stories"] + changes["edited_stories"]
    feeds = sum(v for k, v in by_kind.items() if k.startswith(("rss", "atom")))
    figures = {"run1": dict(run1), "run1_requests": first["requests"], "run2": dict(run2),
               "run2_requests": second["requests"], "run2_responses_by_kind": dict(by_kind), **changes}
    print(json.dumps(figures, indent=1))
    print(f"second run: {second['requests']} requests (robots.txt included); article pages {articles} "
          f"({by_kind['article 304']} answered 304) for {changed} new or edited stories "
          f"({changes['new_stories_stored']}/{changes['new_stories']} new stored, "
          f"{changes['edited_stories_versioned']}/{changes['edited_stories']} edited stored as versions) = "
          f"{articles / max(changed, 1):.2f} per story (bar: <= 1.5); listing pages "
          f"{by_kind['listing'] + by_kind['listing 304']}, sitemaps {by_kind['sitemap'] + by_kind['sitemap 304']} "
          f"({by_kind['sitemap 304']} answered 304), feeds {feeds}; "
          f"extracted although unchanged (seen): {run2['articles_seen']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
