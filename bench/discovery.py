"""Link discovery on the replica: how many article pages a crawl reaches, and at what cost.

    python bench/discovery.py families              registered family portals, their listings
    python bench/discovery.py home                  the same sites as unregistered portals
                                                    started at their home page (family "auto")
    python bench/discovery.py layouts --seeds 0-29  layout portals (portalsim), from the home page
    python bench/discovery.py layouts --seeds 1000-1039 --start listing
                                                    ... from their listing pages alone

Per portal it prints the requests (pages, 304s and errors), the articles stored (new and
versions), requests per stored article, the share of fetches that were not articles, and the
share of the portal's truth article pages stored (an article page counts once, whichever of its
URLs was fetched). Development seeds are 0-999; layout seeds >= 1000 are held out for the
aggregate figures only.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from crawler.urls import canonicalize  # noqa: E402
from storage import Database  # noqa: E402
from storage.models import ArticleUrl, Portal  # noqa: E402
from tests.conftest import FAST_CRAWL, run_govcrawl  # noqa: E402


def _seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def _replica(args: argparse.Namespace):
    from portalsim import build_replica
    if args.what == "layouts":
        return build_replica(seed=args.seed, articles=args.articles, layouts=len(args.seeds),
                             layout_seed=args.seeds[0])
    return build_replica(seed=args.seed, articles=args.articles)


def _targets(replica, args: argparse.Namespace, registry) -> tuple[list[str], dict[str, str]]:
    """What to crawl, and each target's replica portal key (by host)."""
    by_key = {p.key: p for p in registry}
    targets, key_of_host = [], {}
    for portal in replica.portals:
        key_of_host[portal.host] = portal.key
        key_of_host[portal.alias_host] = portal.key
        if args.what == "families" or (args.what == "layouts" and args.start == "listing"):
            entry = by_key.get(portal.key)
            if args.what == "layouts" and entry is None:
                targets.append(replica.base_url(portal.key) + replica.site_for(portal.host).listing_path(1))
            else:
                targets.append(portal.key)
        else:
            targets.append(f"http://{portal.host}/")
    return targets, key_of_host


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("families", "home", "layouts"))
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--seeds", type=_seeds, default=_seeds("0-9"), help="layout seeds, LO-HI")
    parser.add_argument("--start", choices=("home", "listing"), default="home")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("-s", dest="settings", action="append", default=[], help="NAME=VALUE setting")
    parser.add_argument("--show", action="store_true", help="list stored URLs that are no truth article, "
                        "and truth articles not stored")
    args = parser.parse_args(argv)

    from crawler.registry import load_registry
    from portalsim import ReplicaServer
    registry = load_registry()
    replica = _replica(args)
    targets, key_of_host = _targets(replica, args, registry)
    db_url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='discovery-')}/govcrawl.sqlite"
    extra = [x for s in args.settings for x in ("-s", s)]
    if args.what == "home":  # the family sites as unregistered portals: a registry that does not know them
        extra += ["--registry", tempfile.mkdtemp(prefix="discovery-registry-")]
    with ReplicaServer(replica):
        done = run_govcrawl("crawl", *targets, "--db", db_url, "--json", *FAST_CRAWL, *extra, timeout=3600)
    if not done.stdout.strip().startswith("{"):
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    report = json.loads(done.stdout)

    truth: dict[str, set[frozenset[str]]] = defaultdict(set)  # replica key -> article pages (their URLs)
    for story in replica.truth:
        for copy in story.copies:
            truth[copy.portal_key].add(frozenset(canonicalize(u, scheme="http") for u in copy.urls))
    db = Database(db_url)
    with db.session() as session:
        stored_urls = set(session.scalars(select(ArticleUrl.url)))
        hosts = {p.key: p.hosts for p in session.scalars(select(Portal))}
    db.dispose()
    if args.show:
        truth_urls = {u for pages in truth.values() for urls in pages for u in urls}
        print("stored, not truth:", sorted(stored_urls - truth_urls)[:40])
        print("truth, not stored:", sorted(min(urls) for pages in truth.values() for urls in pages
                                          if not urls & stored_urls)[:40])
    rows, totals = [], defaultdict(float)
    for r in report["portals"]:
        host = (hosts.get(r["portal"]) or [""])[0]
        replica_key = key_of_host.get(host, r["portal"])
        pages = truth.get(replica_key, set())
        found = sum(1 for urls in pages if urls & stored_urls)
        requests = r["pages_fetched"] + r["not_modified"] + r["errors"]
        stored = r["articles_new"] + r["articles_version"]
        not_article = r.get("pages_not_article", 0)
        rows.append((r["portal"], requests, stored, found, len(pages), not_article, r["pages_fetched"]))
        for name, value in zip(("requests", "stored", "found", "pages", "not_article", "fetched"), rows[-1][1:]):
            totals[name] += value
    print(f"{'portal':<28} {'requests':>8} {'stored':>6} {'found':>9} {'req/art':>7} {'non-art':>7}")
    for key, requests, stored, found, pages, not_article, fetched in rows:
        print(f"{key:<28} {requests:>8} {stored:>6} {found:>4}/{pages:<4} {requests / max(stored, 1):>7.2f} "
              f"{not_article / max(fetched, 1):>7.2f}")
    t = totals
    print(f"{'total':<28} {int(t['requests']):>8} {int(t['stored']):>6} {int(t['found']):>4}/{int(t['pages']):<4} "
          f"{t['requests'] / max(t['stored'], 1):>7.2f} {t['not_article'] / max(t['fetched'], 1):>7.2f}")
    print(json.dumps({"article_pages_found": t["found"] / max(t["pages"], 1),
                      "requests_per_stored_article": t["requests"] / max(t["stored"], 1),
                      "non_article_share": t["not_article"] / max(t["fetched"], 1), "exit_code": done.returncode}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
