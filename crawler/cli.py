"""The `govcrawl` command line: crawl, runs, extract, export, redeliver, reextract, dedup, backup, show,
portals, eval, warc, demo.

Exit codes: 0 success; 1 a portal failed entirely (crawl), a file failed extraction (extract)
or a quality bar was missed (eval --check); 2 usage error; 3 the database is unusable; 4 the
registry is invalid; 5 a health check flagged a portal (crawl; a portal that failed entirely
makes it 1 instead); 6 pages were not stored and wait in the undelivered file (crawl, redeliver).
`crawl --redis`: 2 also when the database is not PostgreSQL, 3 when Redis does not answer.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from crawler import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE, EXIT_REGISTRY, EXIT_UNHEALTHY = 0, 1, 2, 3, 4, 5
EXIT_UNDELIVERED = 6  # pages the database did not take are in the undelivered file
# the platform families `extract --family` may force (cleaning.families.FAMILIES; kept here so
# `govcrawl --help` stays fast: tests/test_cli.py checks they agree)
FAMILY_CHOICES = ("drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress", "generic")
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by SIGINT


def _setting_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govcrawl", description="Archive the news of Vietnamese government portals.")
    parser.add_argument("--version", action="version", version=f"govcrawl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl portals (registry keys or start URLs) into the database")
    crawl.add_argument("targets", nargs="*", metavar="KEY|URL",
                       help="registry keys or start URLs; none: every active portal")
    crawl.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")
    crawl.add_argument("--max-pages", type=int, metavar="N",
                       help="stop after N requests per portal (N >= 1; the walk goes on in the next run; "
                            "default: no limit but GOVCRAWL_PORTAL_MAX_PAGES)")
    crawl.add_argument("-s", dest="settings", action="append", type=_setting_pair, default=[],
                       metavar="NAME=VALUE", help="override a Scrapy setting (repeatable)")
    crawl.add_argument("--registry", metavar="DIR", help="read portal files from DIR instead of the packaged registry")
    crawl.add_argument("-v", "--verbose", action="store_true", help="Scrapy log at INFO instead of WARNING")
    crawl.add_argument("--json", action="store_true",
                       help="print the run report as JSON on stdout instead of the table (progress stays on stderr)")
    crawl.add_argument("--redis", metavar="URL",
                       help="run as one of several workers sharing the run through this Redis "
                            "(redis://host:6379/0; default $GOVCRAWL_REDIS; needs a PostgreSQL --db)")
    crawl.add_argument("--worker-id", metavar="N", help="this worker's name in the run (default: the next number)")

    runs = sub.add_parser("runs", help="list the crawl runs, or one run's report",
                          description="Without RUN_ID: the latest runs (id, start, status, duration, "
                                      "totals, flagged portals). With RUN_ID: that run's per-portal table.")
    runs.add_argument("run_id", nargs="?", type=int, metavar="RUN_ID", help="show this run's per-portal report")
    runs.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")
    runs.add_argument("--limit", type=int, default=20, metavar="N", help="the latest N runs (default 20)")
    runs.add_argument("--json", action="store_true", help="print JSON instead of a table")

    extract = sub.add_parser("extract", help="extract articles from saved HTML files to JSON Lines")
    extract.add_argument("files", nargs="+", metavar="FILE", help="HTML file, .html.gz, or - for stdin")
    extract.add_argument("--url", help="the page URL (default: file:// URL of the file)")
    extract.add_argument("--family", choices=FAMILY_CHOICES, help="force a platform family instead of detecting it")

    export = sub.add_parser(
        "export", help="export the stories (canonical article, copies, versions, provenance)",
        description="One record per story: its canonical article, every copy and version, and provenance "
                    "(portal, province before and after the 2025 reform, every URL with first/last seen, "
                    "runs, WARC record). Filters combine (all must hold). With --cursor FILE, only the "
                    "stories new or changed since the last export with that file (a new article: story, "
                    "version or near-duplicate copy; a new URL: exact copy), and the file moves on once "
                    "the output is complete.")
    export.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")
    export.add_argument("--format", choices=("jsonl", "csv", "parquet", "pages"), default="jsonl",
                        help="jsonl (default), csv, parquet (needs -o), or pages: WACZ pages.jsonl with texts")
    export.add_argument("-o", "--output", metavar="PATH",
                        help="write here instead of stdout (complete or not at all: renamed into place at the end)")
    export.add_argument("--bom", action="store_true",
                        help="CSV: start with a UTF-8 byte order mark, so Excel reads the Vietnamese right")
    export.add_argument("--portal", action="append", metavar="KEY",
                        help="stories with a copy on this portal (repeatable: any of them)")
    export.add_argument("--province", metavar="NAME",
                        help="stories with a copy on a portal of this province: after the 2025 reform (all of it) "
                             "or a pre-2025 one merged into another")
    export.add_argument("--since", metavar="DATE",
                        help="YYYY-MM-DD (from its start, Vietnam time) or an ISO date-time; see --since-field")
    export.add_argument("--since-field", choices=("stored", "published"),
                        help="stored (default): a copy, version or URL first stored since DATE; "
                             "published: the story's publication date is DATE or later (undated stories left out)")
    export.add_argument("--run", type=int, metavar="N", help="stories run N stored something of (new, version, copy)")
    export.add_argument("--after-id", type=int, metavar="N",
                        help="stories with an article (content) whose id is above N")
    export.add_argument("--cursor", metavar="FILE",
                        help="incremental: only what is new since the export that last moved FILE on "
                             "(missing: everything), then record the new position in FILE")
    export.add_argument("--registry", metavar="DIR",
                        help="read portal files (pre-2025 provinces) from DIR instead of the packaged registry")
    export.add_argument("--title", help='--format pages: the header\'s "title" (default "govcrawl pages")')

    redeliver = sub.add_parser(
        "redeliver", help="store the pages a crawl could not (its undelivered-run<N>.jsonl file)",
        description="Store every record of an undelivered file (pages the database did not take during "
                    "a crawl, and failure records) as the crawl would have: extracted, stored, crawl state "
                    "updated; a page stored meanwhile counts as seen, never twice. Delivered records leave "
                    "the file; those that fail again stay (exit 6).")
    redeliver.add_argument("file", metavar="FILE")
    redeliver.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")

    reextract = sub.add_parser(
        "reextract", help="read the archive's WARC captures again with the current extractor (no network)",
        description="Extract every stored URL again from its WARC record with the current extractor "
                    "(cleaning.EXTRACTOR_VERSION) and store what changed through the crawl's storage path: "
                    "other text becomes a new version of the article (noted 're-extracted with X.Y'), other "
                    "metadata updates it, the same reading writes nothing. No request is made. Exit 1 when "
                    "a capture could not be read.")
    reextract.add_argument("--portal", action="append", default=[], metavar="KEY",
                           help="only this portal's URLs (repeatable)")
    reextract.add_argument("--since", metavar="DATE",
                           help="only URLs last seen since DATE (YYYY-MM-DD, Vietnam time, or an ISO date-time)")
    reextract.add_argument("--dry-run", action="store_true", help="count what would change; write nothing")
    reextract.add_argument("--json", action="store_true", help="the counts as JSON")
    reextract.add_argument("--warc-dir", metavar="DIR", help="the WARC directory (see `govcrawl warc -h`)")
    reextract.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")

    dedup = sub.add_parser("dedup", help="rebuild the near-duplicate clusters of an existing database",
                           description="Recluster every stored article (oldest first) with the current "
                                       "thresholds; articles, URLs and versions are kept.")
    dedup.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")

    backup = sub.add_parser(
        "backup", help="copy a SQLite database, even while a crawl writes to it, into one new file",
        description="Write a consistent copy of the SQLite database to PATH (VACUUM INTO): one "
                    "self-contained file, safe to take while a crawl is running. PostgreSQL: use pg_dump.")
    backup.add_argument("path", metavar="PATH", help="the new file (must not exist)")
    backup.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")

    show = sub.add_parser("show", help="one stored article with its cluster (every copy) and its versions",
                          description="One stored article: its fields, portal, URLs, the cluster it belongs to "
                                      "(every copy, on every portal) and its versions.")
    show.add_argument("article_id", type=int, metavar="ID",
                      help="the article's id (`id` or `copies[].article_id` in `govcrawl export`)")
    show.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")
    show.add_argument("--json", action="store_true", help="print the whole record as JSON")

    attachments = sub.add_parser(
        "attachments", help="the stored attachments (PDF, DOCX, ...): list them, find them by words in their text",
        description="One line per stored file (id, size, kind, media type, sha256, characters of text, first URL), "
                    "then each article linking it (id, portal, title, URL). --search WORDS: files whose text "
                    "holds every word (case and diacritics aside: 'quyet dinh' finds 'Quyết định').")
    attachments.add_argument("--portal", action="append", default=[], metavar="KEY",
                             help="linked by an article of this portal (repeatable)")
    attachments.add_argument("--search", metavar="WORDS", help="files whose text holds every one of WORDS")
    attachments.add_argument("--article", type=int, metavar="ID", help="the files article ID links")
    attachments.add_argument("--json", action="store_true", help="one JSON record per file")
    attachments.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")

    portals = sub.add_parser("portals", help="list the portal registry")
    portals.add_argument("--all", action="store_true", help="include the replica (test) portals")
    portals.add_argument("--registry", metavar="DIR", help="read portal files from DIR")

    evaluate = sub.add_parser(
        "eval", help="score the extractor against ground truth, side by side with trafilatura",
        description="(a) replica portals per family and field, (b) the ScrapingHub benchmark with "
                    "its reference metric, (c) Vietnamese pages with ground truth, (d) foreign pages "
                    "built here (dates in their own offsets, authors from markup); (b) and (c) are "
                    "read from ../shared/eval (or --data) and skipped, saying why, when absent. "
                    "With --layouts N, (a) scores N portal layouts drawn from portalsim's layout "
                    "grammar (seeds S..S+N-1 of --seed S) instead of the six families: development "
                    "seeds are 0-999; seeds >= 1000 are held out: never look at their pages while "
                    "developing, only at aggregate scores.")
    evaluate.add_argument("sections", nargs="*", metavar="SECTION",
                          help="replica, scrapinghub, vn, foreign (default: all four)")
    evaluate.add_argument("--articles", type=int, default=120, help="stories in the replica (default 120)")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="replica seed; with --layouts, also the first layout seed (default 0)")
    evaluate.add_argument("--layouts", type=int, metavar="N",
                          help="score N layout portals (layout seeds S..S+N-1) instead of the six families; "
                               "--check then applies issue 14's bars to all layouts together "
                               "(body F1 >= 0.98, leak 0, title >= 0.98, published >= 0.98, authors >= 0.95)")
    evaluate.add_argument("--data", metavar="DIR", help="folder holding scrapinghub/ and vn/ (default ../shared/eval)")
    evaluate.add_argument("--json", metavar="PATH", help="also write the full results as JSON (- for stdout)")
    evaluate.add_argument("--save-predictions", metavar="DIR",
                          help="write each extractor's ScrapingHub bodies as DIR/<extractor>.json "
                               "(score.py --pred format)")
    evaluate.add_argument("--check", action="store_true",
                          help="exit 1 when a quality bar is missed or a section asked for could not run: "
                               "per-field minimums on the replica families (body F1, title, published >= 0.98, "
                               "authors and captions >= 0.95, no leak, no clock or event date), govcrawl at least "
                               "trafilatura on ScrapingHub and on foreign authors; with --layouts, the bars for "
                               "layouts never seen (body F1, title, published >= 0.98, authors >= 0.95, no leak)")

    warc = sub.add_parser(
        "warc", help="the WARC captures: list the files, pack a run into a WACZ",
        description="The WARC files crawls write (crawler/warc.py). The directory: --dir, else "
                    "$GOVCRAWL_WARC_DIR, else warc/ beside the SQLite database (data/warc/ for the default one).")
    warc_sub = warc.add_subparsers(dest="warc_command", required=True)
    warc_list = warc_sub.add_parser("list", help="the WARC files: run, size, records, indexed or still open")
    warc_pack = warc_sub.add_parser(
        "pack", help="one run's captures as a WACZ (ReplayWeb.page, pywb)",
        description="Write a WACZ 1.1.1 (py-wacz) holding the run's WARC files, the earlier files its revisit "
                    "records refer to, a CDXJ index, its article pages with their titles, and datapackage.json "
                    "with the SHA-256 of each part.")
    warc_pack.add_argument("run_id", type=int, metavar="RUN", help="the run (`govcrawl runs` lists them)")
    warc_pack.add_argument("-o", "--output", metavar="FILE", help="the WACZ to write (default govcrawl-run<RUN>.wacz)")
    for command in (warc_list, warc_pack):
        command.add_argument("--dir", metavar="DIR", help="the WARC directory (see `govcrawl warc -h`)")
        command.add_argument("--db", help="SQLAlchemy URL (default: $GOVCRAWL_DB or sqlite:///./data/govcrawl.sqlite)")

    demo = sub.add_parser("demo", help="offline demo: serve replica portals on loopback and crawl them")
    demo.add_argument("--articles", type=int, default=240, help="stories in the replica (default 240)")
    demo.add_argument("--db", help="SQLAlchemy URL (default: sqlite:///./data/govcrawl.sqlite)")
    demo.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from crawler import commands  # imported late: `govcrawl --help` stays fast

    handler = getattr(commands, f"cmd_{args.command}")
    try:
        return handler(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `govcrawl export | head`: the reader left; not an error. Silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
