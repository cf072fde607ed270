"""Implementations of the `govcrawl` subcommands (argument parsing lives in cli.py)."""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError

from crawler import report
from crawler.report import counted as report_counted
from crawler.cli import (EXIT_DATABASE, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_REGISTRY, EXIT_UNDELIVERED,
                         EXIT_USAGE)
from crawler.logs import announce_stop, quiet_per_request_failures, remove_announcer
from crawler.logs import remove as remove_quiet
from crawler.registry import RegistryError, load_registry
from storage import Database, StorageError, repository
from storage.db import ENV_VAR
from storage.runs import get_run, list_runs, run_summary


def cmd_crawl(args: argparse.Namespace) -> int:
    return run_crawl(args.targets, db_url=args.db, max_pages=args.max_pages,
                     overrides=args.settings, registry_dir=args.registry, verbose=args.verbose,
                     as_json=args.json, redis=args.redis, worker_id=args.worker_id)


def run_crawl(
    targets: Sequence[str],
    *,
    db_url: str | None = None,
    max_pages: int | None = None,
    overrides: Iterable[tuple[str, str]] = (),
    registry_dir: str | None = None,
    verbose: bool = False,
    as_json: bool = False,
    out: IO[str] = sys.stdout,
    redis: str | None = None,
    worker_id: str | None = None,
) -> int:
    """Crawl, then print the run report (table or JSON); the exit status is the report's."""
    from crawler.settings_check import overrides_problem

    overrides = list(overrides)
    if (problem := overrides_problem(overrides)) is not None:
        print(f"govcrawl: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if max_pages is not None and max_pages < 1:
        print(f"govcrawl: --max-pages {max_pages}: at least 1 (leave it out for no limit)", file=sys.stderr)
        return EXIT_USAGE
    try:
        registry = load_registry(Path(registry_dir) if registry_dir else None)
    except RegistryError as exc:
        print(f"govcrawl: invalid registry: {exc}", file=sys.stderr)
        return EXIT_REGISTRY
    keys = [t for t in targets if "://" not in t]
    urls = [t for t in targets if "://" in t]
    for key in keys:
        try:
            registry.get(key)
        except KeyError as exc:
            print(f"govcrawl: {exc.args[0]}", file=sys.stderr)
            return EXIT_USAGE
    if not targets and not list(registry.active()):
        print("govcrawl: the registry has no active portal to crawl", file=sys.stderr)
        return EXIT_USAGE

    redis = redis or dict(overrides).get("GOVCRAWL_REDIS") or os.environ.get("GOVCRAWL_REDIS")
    if redis:  # one of several workers (crawler/distributed.py)
        from sqlalchemy.engine import make_url

        from crawler.distributed import redis_problem
        from storage.db import mask_url, resolve_url

        if make_url(resolve_url(db_url)).get_backend_name() != "postgresql":
            print(f"govcrawl: --redis: several workers share one database, and {mask_url(resolve_url(db_url))} is "
                  "not PostgreSQL (SQLite takes one writer process): give --db postgresql+psycopg://…",
                  file=sys.stderr)
            return EXIT_USAGE
        if (problem := redis_problem(redis)) is not None:
            print(f"govcrawl: {problem}: start it, or check --redis / $GOVCRAWL_REDIS", file=sys.stderr)
            return EXIT_DATABASE
    if redis:  # workers migrate a fresh database one at a time
        from crawler.distributed import startup_lock
        from storage.db import resolve_url

        with startup_lock(redis, resolve_url(db_url), dict(overrides).get("GOVCRAWL_REDIS_PREFIX")):
            db = _open_db(db_url)
    else:
        db = _open_db(db_url)
    if db is None:
        return EXIT_DATABASE

    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.portal import PortalSpider

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("GOVCRAWL_DB", db.url.render_as_string(hide_password=False), priority="cmdline")
    settings.set("LOG_LEVEL", "INFO" if verbose else "WARNING", priority="cmdline")
    settings.set("GOVCRAWL_PROGRESS_INTERVAL", 10, priority="cmdline")
    settings.set("GOVCRAWL_ARGS", " ".join(["crawl", *targets, *(["--redis"] if redis else [])]), priority="cmdline")
    for name, value in overrides:
        settings.set(name, value, priority="cmdline")
    if redis:
        settings.set("GOVCRAWL_REDIS", redis, priority="cmdline")
        if worker_id:
            settings.set("GOVCRAWL_WORKER_ID", worker_id, priority="cmdline")

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portal=",".join(keys) or None, url=",".join(urls) or None,
                  max_pages=max_pages, registry_dir=registry_dir)
    quiet = None if verbose else quiet_per_request_failures()
    announcer = None if verbose else announce_stop()  # -v shows Scrapy's own lines
    try:
        process.start()
    finally:
        if quiet is not None:
            remove_quiet(quiet)
        if announcer is not None:
            remove_announcer(announcer)

    run_id = crawler.stats.get_value("govcrawl/run_id")
    if run_id is None:
        print("govcrawl: the crawl did not start (see the log above)", file=sys.stderr)
        return EXIT_FAILED
    if redis and not crawler.stats.get_value("govcrawl/worker/closes_run"):
        # another worker is the last to leave: it closes the run and prints its report
        print(f"govcrawl: worker {crawler.stats.get_value('govcrawl/worker/id')} is done with run {run_id}; "
              "the last worker to finish closes it (govcrawl runs shows it)", file=sys.stderr)
        return EXIT_INTERRUPTED if crawler.stats.get_value("finish_reason") not in (None, "finished") else EXIT_OK
    undelivered = Path(settings.get("GOVCRAWL_DEAD_LETTER_DIR") or "data") / f"undelivered-run{run_id}.jsonl"
    try:
        db.checkpoint()  # every writer (page workers, pipeline) is done: the .sqlite file alone is the archive
        with db.session(readonly=True) as session:
            run = get_run(session, run_id)
            rows = run_summary(session, run_id)
    except (SQLAlchemyError, StorageError) as exc:
        print(f"govcrawl: the database failed at the end of run {run_id}: {exc}", file=sys.stderr)
        run = rows = None
    if run is None or run.status == "running":  # closing the run failed: no report to print
        print(f"govcrawl: run {run_id} was not closed and has no report (see the log above)", file=sys.stderr)
        return _undelivered(undelivered, db) or EXIT_FAILED
    captured = _warc_summary(crawler.stats)
    from crawler.attachments import summary, summary_line

    attached = summary(crawler.stats.get_stats())
    if as_json:
        print(json.dumps({**report.report_json(run, rows), **({"warc": captured} if captured else {}),
                          **({"attachments": attached} if attached else {})},
                         ensure_ascii=False, indent=1), file=out)
    else:
        report.print_run(run, rows, db.display_url, out)
        if redis:  # the last worker closed the run: each worker's share (crawler/distributed.py)
            from storage.workers import run_workers

            with db.session(readonly=True) as session:
                _print_workers(run_workers(session, run_id), out)
        if attached:
            print(summary_line(attached), file=out)
        if captured:
            print(_warc_line(captured), file=out)
    if run.status == "interrupted":
        return EXIT_INTERRUPTED
    return _undelivered(undelivered, db) or report.exit_code(rows)


def _warc_summary(stats: Any) -> dict[str, Any] | None:
    """What the run wrote as WARC (crawler/warc.py stats), or None with WARC off."""
    directory = stats.get_value("govcrawl/warc/dir")
    if directory is None:
        return None
    return {"dir": directory, **{name: stats.get_value(f"govcrawl/warc/{name}", 0)
                                 for name in ("files", "bytes", "records", "revisits", "errors")}}


def _warc_line(w: dict[str, Any]) -> str:
    errors = f"; {w['errors']} responses NOT captured (see the log)" if w["errors"] else ""
    return (f"WARC: {w['records']} responses ({w['revisits']} revisits) in {w['files']} files, "
            f"{w['bytes'] / 1e6:.1f} MB, in {w['dir']}{errors}")


def _undelivered(path: Path, db: Database) -> int | None:
    """EXIT_UNDELIVERED, after saying where they are, when the run left pages the database did
    not take: cron mails it, and `redeliver` stores them."""
    if not path.exists():
        return None
    records = sum(1 for line in path.open(encoding="utf-8") if line.strip())
    print(f"govcrawl: {records} records the database did not take are kept in {path}; once it works again, "
          f"store them with: govcrawl redeliver {path} --db '{db.display_url}'", file=sys.stderr)
    return EXIT_UNDELIVERED


def cmd_runs(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("govcrawl: --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    db = _open_db(args.db, readonly=True)
    if db is None:
        return EXIT_DATABASE
    if args.run_id is None:
        with db.session(readonly=True) as session:
            runs = list_runs(session, args.limit)
        if args.json:
            print(json.dumps([report.run_json(r) for r in runs], ensure_ascii=False, indent=1))
        else:
            report.print_runs(runs, sys.stdout)
        return EXIT_OK
    from storage.workers import run_workers

    with db.session(readonly=True) as session:
        run = get_run(session, args.run_id)
        rows = run_summary(session, args.run_id)
        workers = run_workers(session, args.run_id)  # several workers shared it (crawler/distributed.py)
    if run is None:
        print(f"govcrawl: no run with id {args.run_id} (`govcrawl runs` lists them)", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        shares = {"workers": [_worker_json(w) for w in workers]} if workers else {}
        print(json.dumps({**report.report_json(run, rows), **shares}, ensure_ascii=False, indent=1))
    else:
        report.print_run(run, rows, db.display_url, sys.stdout)
        _print_workers(workers, sys.stdout)
    return EXIT_OK


def _print_workers(workers: Sequence[Any], out: IO[str]) -> None:
    """A line per worker of a run several workers shared (none for a single-process run)."""
    for w in workers:
        print(f"worker {w.worker} ({w.host or '-'}, {w.status}): {w.pages_fetched} pages, {w.not_modified} "
              f"not modified, {w.articles_new} new, {w.errors} errors; portals {', '.join(w.portals) or '-'}",
              file=out)


def _worker_json(worker: Any) -> dict[str, Any]:
    record = {name: getattr(worker, name) for name in worker.__dataclass_fields__}
    for name in ("joined_at", "left_at"):
        record[name] = record[name].isoformat() if record[name] else None
    record["portals"] = list(record["portals"])
    return record


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    data = Path(name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def cmd_extract(args: argparse.Namespace) -> int:
    from cleaning import ExtractionError, extract_article

    hints = argparse.Namespace(family=args.family, date_order=None) if args.family else None
    status = EXIT_OK
    for name in args.files:
        url = args.url or (Path(name).resolve().as_uri() if name != "-" else "stdin:")
        try:
            page = _read_input(name)
            article = extract_article(page, url, portal=hints)
            if not args.url and article.canonical_url and article.canonical_url.startswith(("http://", "https://")):
                # a saved page read with the address it names for itself: its links and images
                # resolve to the portal, not to file:// paths beside the saved file
                article = extract_article(page, article.canonical_url, portal=hints)
            record = {"file": name, **article.to_dict()}
        except (OSError, ExtractionError) as exc:
            status = EXIT_FAILED
            record = {"file": name, "url": url, "error": getattr(exc, "reason", type(exc).__name__),
                      "detail": str(exc)}
            print(f"govcrawl: {name}: {record['detail']}", file=sys.stderr)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return status


def cmd_eval(args: argparse.Namespace) -> int:
    from evaluation import SECTIONS, failed_bars, print_report, run_eval

    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        print(f"govcrawl: unknown eval section {unknown[0]!r} (choose from {', '.join(SECTIONS)})", file=sys.stderr)
        return EXIT_USAGE
    if args.articles < 1:
        print("govcrawl: --articles must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.layouts is not None and not 1 <= args.layouts <= 254:
        print("govcrawl: --layouts must be between 1 and 254 (one loopback address each)", file=sys.stderr)
        return EXIT_USAGE
    if args.data and not Path(args.data).is_dir():
        print(f"govcrawl: --data {args.data}: no such directory", file=sys.stderr)
        return EXIT_USAGE
    results = run_eval(args.sections or SECTIONS, articles=args.articles, seed=args.seed, data=args.data,
                       layouts=args.layouts)
    predictions = {name: results["scrapinghub"][name].pop("predictions")
                   for name in list(results.get("scrapinghub", {})) if isinstance(results["scrapinghub"][name], dict)}
    if args.save_predictions and predictions:
        folder = Path(args.save_predictions)
        folder.mkdir(parents=True, exist_ok=True)
        for name, bodies in predictions.items():
            (folder / f"{name}.json").write_text(json.dumps(
                {k: {"articleBody": v} for k, v in bodies.items()}, ensure_ascii=False), encoding="utf-8")
    misses = failed_bars(results)
    results["failed_bars"] = misses
    if args.json == "-":
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print_report(results, sys.stdout)
        bars = "bars of issue 14 (layouts)" if args.layouts else "bars of issue 3"
        print(f"\n{bars}: " + ("all met" if not misses else "MISSED:\n  " + "\n  ".join(misses)))
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return EXIT_FAILED if args.check and misses else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Formats, filters and the cursor: crawler/exports.py."""
    from crawler.exports import UsageError, export, options_from

    try:
        options = options_from(args)
    except UsageError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = _open_db(getattr(args, "db", None), readonly=True)
    if db is None:
        return EXIT_DATABASE
    try:
        return export(db, options)
    finally:
        db.dispose()


def _open_db(url: str | None, *, readonly: bool = False) -> Database | None:
    """The migrated database, or None after saying why it cannot be used.

    A command that only reads (`readonly`) never creates a database: a missing SQLite file, or a
    database without govcrawl's tables, is an error naming it and how to point at the right one.
    A command that writes creates it, and says so once on stderr.
    """
    try:
        db = Database(url, create=not readonly)
        if readonly:
            problem = _unreadable(db, url)
            if problem:
                print(f"govcrawl: {problem}", file=sys.stderr)
                return None
            created = None
        elif not db.exists():
            created = f"created new database {_shown(db.sqlite_path)}"
        else:
            created = None if db.has_schema() else f"created the govcrawl tables in database {db.display_url}"
        db.migrate()
    except StorageError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return None
    if created:
        print(f"govcrawl: {created}", file=sys.stderr)
    return db


def _unreadable(db: Database, url: str | None) -> str | None:
    """Why a command that only reads cannot use `db` (it does not exist, or holds no govcrawl
    tables), naming where its URL came from; None when it can. Creates nothing."""
    given = "given by --db" if url else f"given by {ENV_VAR}" if os.environ.get(ENV_VAR) else "the default"
    fix = f"point at your database with --db URL or {ENV_VAR} (govcrawl crawl or demo creates one)"
    if not db.exists():
        return f"database file {_shown(db.sqlite_path)} does not exist ({given}); {fix}"
    if not db.has_schema():
        return f"database {db.display_url} has no govcrawl tables ({given}); {fix}"
    return None


def _shown(path: Path | None) -> str:
    """A database file as messages name it: absolute, since a relative default depends on the cwd."""
    return str(path.resolve()) if path is not None else ""


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of a SQLite database, live or not, as one self-contained file."""
    target = Path(args.path).expanduser()
    try:
        db = Database(args.db, create=False)
    except StorageError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    if db.url.get_backend_name() == "postgresql":
        libpq_url = db.url.set(drivername="postgresql").render_as_string(hide_password=True)
        print(f"govcrawl: backup copies SQLite databases; back up PostgreSQL with pg_dump: "
              f"pg_dump --format=custom --file {target} '{libpq_url}'", file=sys.stderr)
        return EXIT_USAGE
    if db.sqlite_path is None:
        print(f"govcrawl: backup needs a SQLite database file, not {db.display_url}", file=sys.stderr)
        return EXIT_USAGE
    if target.exists():
        print(f"govcrawl: {target} already exists; backup writes a new file (remove it or choose another path)",
              file=sys.stderr)
        return EXIT_USAGE
    if not target.parent.is_dir():
        print(f"govcrawl: directory {target.parent} does not exist (create it, or choose another path)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        problem = _unreadable(db, args.db)
        if problem:
            print(f"govcrawl: {problem}", file=sys.stderr)
            return EXIT_DATABASE
        db.backup(target)
    except StorageError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        db.dispose()
    copy = sqlite3.connect(f"file:{quote(str(target.resolve()))}?mode=ro", uri=True)
    try:
        articles = copy.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        copy.close()
    print(f"backed up {db.sqlite_path} to {target}: {report_counted(articles, 'article')}, "
          f"{target.stat().st_size / 1e6:.1f} MB")
    return EXIT_OK


def cmd_redeliver(args: argparse.Namespace) -> int:
    from crawler.redeliver import redeliver

    path = Path(args.file)
    if not path.is_file():
        print(f"govcrawl: no undelivered file {path}", file=sys.stderr)
        return EXIT_USAGE
    db = _open_db(args.db)
    if db is None:
        return EXIT_DATABASE
    try:
        result = redeliver(path, db)
    finally:
        db.close()
    print(result.describe())
    return EXIT_UNDELIVERED if result.left else EXIT_OK


def cmd_reextract(args: argparse.Namespace) -> int:
    """`govcrawl reextract` (crawler/reextract.py)."""
    from crawler.exports import UsageError, parse_since
    from sqlalchemy import select

    from crawler.reextract import reextract
    from crawler.warc import warc_dir
    from storage.models import Portal

    try:
        since = parse_since(args.since) if args.since else None
    except UsageError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        registry = load_registry()
    except RegistryError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_REGISTRY
    db = _open_db(args.db, readonly=args.dry_run)
    if db is None:
        return EXIT_DATABASE
    directory = warc_dir(args.warc_dir, args.db)
    try:
        with db.session(readonly=True) as session:
            known = set(session.scalars(select(Portal.key)))
        unknown = [key for key in args.portal if key not in known]
        if unknown:
            print(f"govcrawl: no portal {unknown[0]!r} in {db.display_url}", file=sys.stderr)
            return EXIT_USAGE
        if not directory.is_dir():
            print(f"govcrawl: no WARC directory {directory} (--warc-dir, $GOVCRAWL_WARC_DIR)", file=sys.stderr)
            return EXIT_USAGE
        result = reextract(db, directory, registry, portals=args.portal, since=since, dry_run=args.dry_run)
    finally:
        db.close()
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.describe())
    return EXIT_FAILED if result.unreadable else EXIT_OK


def cmd_warc(args: argparse.Namespace) -> int:
    """`govcrawl warc list` / `govcrawl warc pack RUN` (crawler/wacz.py)."""
    from crawler.wacz import PackError, pack_run, print_files
    from crawler.warc import warc_dir

    directory = warc_dir(args.dir, args.db)
    if args.warc_command == "list":
        if not directory.is_dir():
            print(f"govcrawl: no WARC directory {directory.resolve()} (--dir DIR, or $GOVCRAWL_WARC_DIR)",
                  file=sys.stderr)
            return EXIT_USAGE
        print_files(directory)
        return EXIT_OK
    db = _open_db(args.db, readonly=True)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session(readonly=True) as session:
            if get_run(session, args.run_id) is None:
                print(f"govcrawl: no run with id {args.run_id} (`govcrawl runs` lists them)", file=sys.stderr)
                return EXIT_USAGE
        output = Path(args.output or f"govcrawl-run{args.run_id}.wacz")
        packed = pack_run(directory, args.run_id, output, db)
    except PackError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.dispose()
    print(packed.describe())
    return EXIT_OK


def cmd_dedup(args: argparse.Namespace) -> int:
    from storage.clusters import recluster

    db = _open_db(args.db)
    if db is None:
        return EXIT_DATABASE
    started = time.monotonic()
    try:
        report = recluster(db.session)
    except StorageError as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        db.close()
    print(f"{report_counted(report.articles, 'article')} in {report_counted(report.clusters, 'cluster')} "
          f"({report.multi_copy_clusters} with several copies); {report_counted(report.moved, 'article')} "
          f"moved to another cluster; {time.monotonic() - started:.1f}s")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    db = _open_db(args.db, readonly=True)
    if db is None:
        return EXIT_DATABASE
    with db.session(readonly=True) as session:
        view = repository.article_view(session, args.article_id)
    if view is None:
        print(f"govcrawl: no article with id {args.article_id}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=1))
        return EXIT_OK
    article = view["article"]
    lines = [f"article {article['id']}: {article['title']}",
             f"  portal {article['portal']['key']}, published {article['published'] or '-'}, "
             f"{'canonical copy' if article['is_canonical'] else 'copy'} of cluster {view['cluster_id']}",
             *(f"  url {u}" for u in article["urls"])]
    if article["previous_version_id"] or article["next_version_id"]:
        lines.append(f"  versions: previous {article['previous_version_id'] or '-'}, "
                     f"next {article['next_version_id'] or '-'} ({article['version_note'] or 'first version'})")
    lines.append(f"cluster {view['cluster_id']}: canonical article {view['id']}, "
                 f"{report_counted(len(view['copies']), 'copy')}")
    for copy in view["copies"]:
        lines.append(f"  {copy['article_id']:>7}  {copy['portal']:<24} {copy['published'] or '-':<26} "
                     f"{copy['urls'][0] if copy['urls'] else ''}")
    for version in view["versions"]:
        lines.append(f"  earlier version {version['article_id']} first seen {version['first_seen']}")
    lines.append("")
    lines.append(article["text"])
    print("\n".join(lines))
    return EXIT_OK


def cmd_attachments(args: argparse.Namespace) -> int:
    """`govcrawl attachments` (storage/attachments.py, crawler/attachments.py)."""
    from crawler.attachments import print_attachments
    from storage.attachments import list_attachments

    db = _open_db(args.db, readonly=True)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session(readonly=True) as session:
            rows = list_attachments(session, portals=args.portal, words=args.search, article_id=args.article)
    except SQLAlchemyError as exc:
        print(f"govcrawl: cannot read attachments from {db.display_url}: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    print_attachments(rows, sys.stdout, as_json=args.json)
    return EXIT_OK


LEVEL_NAMES = {"tinh": "tỉnh", "so": "sở", "huyen": "huyện", "xa": "xã", "dackhu": "đặc khu"}


def cmd_portals(args: argparse.Namespace) -> int:
    try:
        registry = load_registry(Path(args.registry) if args.registry else None)
    except RegistryError as exc:
        print(f"govcrawl: invalid registry: {exc}", file=sys.stderr)
        return EXIT_REGISTRY
    portals = [p for p in registry if args.all or not p.replica]
    header = ("key", "name", "level", "status", "family", "hosts")
    rows = [(p.key, p.name, LEVEL_NAMES.get(p.level, p.level), p.status, p.family, " ".join(p.hosts))
            for p in portals]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)) + "  " + row[-1])
    hidden = sum(p.replica for p in registry) if not args.all else 0
    print(report_counted(len(rows), "portal") + (f" ({report_counted(hidden, 'replica portal')} for the demo "
                                                  "and tests not shown: --all lists them)" if hidden else ""))
    return EXIT_OK


DEMO_SETTINGS = (("AUTOTHROTTLE_ENABLED", "0"), ("DOWNLOAD_DELAY", "0"),
                 ("CONCURRENT_REQUESTS_PER_DOMAIN", "8"))


def _wait_for_replica(server: subprocess.Popen[str]) -> str:
    """Lines of `python -m portalsim serve` up to its "serving …" line ("" if it died)."""
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("serving"):
            return line
    return ""


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the replica portals in a child process (the other core) and crawl them."""
    registry = load_registry()
    keys = [p.key for p in registry if p.replica]
    port = registry.get(keys[0]).hosts[0].rsplit(":", 1)[1]
    print(f"Starting {len(keys)} replica portals with {args.articles} stories on 127.0.10.x:{port} …")
    server = subprocess.Popen(
        [sys.executable, "-m", "portalsim", "serve", "--articles", str(args.articles)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = _wait_for_replica(server)
        if not ready.startswith("serving"):
            server.kill()
            err = server.stderr.read() if server.stderr else ""
            print(f"govcrawl: the replica portals did not start: {ready}{err}", file=sys.stderr)
            return EXIT_FAILED
        code = run_crawl(keys, db_url=args.db, overrides=DEMO_SETTINGS, verbose=args.verbose)
    finally:
        server.terminate()
        server.wait(timeout=10)
    where = f" --db '{args.db}'" if args.db else ""
    print(f"Explore: govcrawl export{where} | head -n 1    (or: govcrawl runs{where})")
    return code
