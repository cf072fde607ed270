"""A nightly run after a day of publishing: what the second crawl fetches, stores and re-extracts.

    python bench/incremental.py [--articles 10000] [--new 100] [--edited 20] [--db URL]

Serves the replica portals (a child process) and crawls them once into a fresh database; then
serves the next day of the same replica — `--new` stories published, `--edited` stories edited
(a paragraph added) on the portals that publish sitemaps — and crawls again. Politeness is off
(local servers). It prints, for the second run: requests by kind (article pages fetched in full,
conditional GETs answered 304, listing / sitemap / feed pages), new articles and new versions
stored against the replica's list of changes, pages extracted although unchanged, and requests
per new-or-changed article (the issue's bar: at most 1.5, plus the listing/sitemap/feed pages).
Requests are counted from the page states the run wrote (one per URL fetched) and the failures
it recorded; robots.txt requests (one per host) are not in either.
"""
from __future__ import annotations

import argparse
import json
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
from portalsim import build_replica  # noqa: E402
from storage.models import Article, ArticleUrl, CrawlRun, Failure, PageState  # noqa: E402

FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")


def serve(articles: int, new: int = 0, edited: int = 0) -> subprocess.Popen[str]:
    server = subprocess.Popen([sys.executable, "-m", "portalsim", "serve", "--articles", str(articles),
                               "--new", str(new), "--edited", str(edited)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    if not any(line.startswith("serving") for line in server.stdout or ()):
        raise SystemExit("the replica server did not start")
    return server


def crawl(db_url: str) -> dict:
    keys = [p.key for p in load_registry() if p.replica]
    done = subprocess.run([sys.executable, "-m", "crawler", "crawl", *keys, "--db", db_url, "--json", *FAST],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 5):
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


def second_run_figures(db_url: str, changes: dict[str, list[str]]) -> dict:
    engine = create_engine(db_url)
    with Session(engine) as s:
        run = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        fetched = Counter()
        for kind, status in s.execute(select(PageState.kind, PageState.status)
                                      .where(PageState.last_fetched >= run.started_at)):
            fetched["304" if status == 304 else kind] += 1
        failed = s.scalar(select(Failure.id).where(Failure.run_id == run.id).limit(1)) is not None
        stored = {u for (u,) in s.execute(select(ArticleUrl.url).where(ArticleUrl.first_run_id == run.id))}
        versions = s.scalars(select(Article).where(Article.previous_version_id.is_not(None))).all()
        version_urls = {u for a in versions for (u,) in s.execute(
            select(ArticleUrl.url).where(ArticleUrl.article_id == a.id))}
    engine.dispose()
    return {"run": run.id, "requests": dict(fetched), "failures_recorded": failed,
            "new_urls_stored": len(stored & set(changes["new"])), "new_urls_expected": len(changes["new"]),
            "versions": len(versions), "edited_urls_in_versions": len(version_urls & set(changes["edited"])),
            "edited_urls_expected": len(changes["edited"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--edited", type=int, default=20)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'incremental.sqlite'}"
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
        changes = build_replica(0, args.articles, new=args.new, edited=args.edited).changes()
        figures = second_run_figures(db_url, changes)
    totals = Counter()
    for report in (first, second):
        for row in report["portals"]:
            for name in ("pages_fetched", "not_modified", "articles_new", "articles_version",
                         "articles_duplicate", "articles_seen", "articles_unchanged", "articles_failed"):
                totals[(report is second, name)] += row.get(name, 0) or 0
    figures["run1"] = {name: totals[(False, name)] for (second_run, name) in totals if not second_run}
    figures["run2"] = {name: totals[(True, name)] for (second_run, name) in totals if second_run}
    print(json.dumps(figures, indent=1))
    articles = figures["requests"].get("article", 0) + figures["requests"].get("304", 0)
    changed = figures["run2"]["articles_new"] + figures["run2"]["articles_version"]
    print(f"second run: {articles} article requests ({figures['requests'].get('304', 0)} answered 304) for "
          f"{changed} new or changed articles = {articles / max(changed, 1):.2f} per article (bar: <= 1.5); "
          f"listing {figures['requests'].get('listing', 0)}, sitemap {figures['requests'].get('sitemap', 0)}, "
          f"feed {figures['requests'].get('rss', 0) + figures['requests'].get('atom', 0)} pages; "
          f"re-extracted unchanged (seen): {figures['run2']['articles_seen']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
