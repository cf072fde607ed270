"""Run reports: run records and their migration, the stats they come from, the report table and
JSON, the progress display, replica faults, and nightly crawls whose broken portals are flagged."""
from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from storage_fixtures import PORTALS, db  # noqa: F401  (db is a fixture)

from cleaning import extract_article
from crawler.progress import LiveDisplay, PortalProgress, _EraseBeforeLog, live_frame, portal_counts
from crawler.registry import load_registry
from crawler.report import print_run, print_runs, report_json
from crawler.runs import portal_stats
from portalsim import ReplicaServer, build_replica
from portalsim.faults import Faults, parse_fault
from portalsim.replica import split_url
from storage import Database, sync_portals
from storage.runs import (COUNTERS, PortalRunStats, finish_run, get_run, list_runs, portal_history, run_summary,
                          start_run)
from tests.conftest import FAST_CRAWL, run_govcrawl

T0 = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- stats -> run records


def test_portal_stats_reads_every_counter_kind_and_time() -> None:
    stats = {
        "govcrawl/a/pages_fetched": 40, "govcrawl/a/not_modified": 12, "govcrawl/a/articles_new": 9,
        "govcrawl/a/articles_version": 2, "govcrawl/a/articles_duplicate": 3, "govcrawl/a/articles_seen": 5,
        "govcrawl/a/articles_failed": 1, "govcrawl/a/articles_undated": 4, "govcrawl/a/errors": 3,
        "govcrawl/a/errors/http": 2, "govcrawl/a/errors/dns": 1, "govcrawl/a/capped": 7,
        "govcrawl/a/first_activity": T0, "govcrawl/a/last_activity": T0 + timedelta(seconds=90),
        "govcrawl/ab/errors/timeout": 4, "govcrawl/ab/errors": 4,  # a key that starts like "a"
        "govcrawl/c/not_modified": 30,
    }
    result = portal_stats(stats, ["a", "ab", "c", "quiet"])
    a = result["a"]
    assert (a.pages_fetched, a.not_modified, a.articles_new, a.articles_version, a.articles_duplicate,
            a.articles_seen, a.articles_failed, a.articles_undated, a.errors) == (40, 12, 9, 2, 3, 5, 1, 4, 3)
    assert a.errors_by_kind == {"dns": 1, "http": 2} and a.note == "dns: 1, http: 2"
    assert (a.started_at, a.finished_at, a.status) == (T0, T0 + timedelta(seconds=90), "partial")
    assert result["ab"].errors_by_kind == {"timeout": 4} and result["ab"].status == "failed"
    assert result["c"].status == "ok"  # only 304s: reached, nothing changed
    assert result["quiet"].status == "failed" and result["quiet"].started_at is None


# --------------------------------------------------------------------------- storage.runs


def _finish(database: Database, status: str, stats: dict[str, PortalRunStats], started: datetime) -> int:
    with database.session() as s, s.begin():
        run_id = start_run(s, "crawl", started_at=started)
        finish_run(s, run_id, status, stats, finished_at=started + timedelta(minutes=5))
    return run_id


def test_run_records_list_and_history(db: Database) -> None:  # noqa: F811
    first = _finish(db, "ok", {"so-a": PortalRunStats(pages_fetched=50, articles_new=10),
                               "xa-a": PortalRunStats(pages_fetched=20, articles_new=2)}, T0)
    quiet = _finish(db, "partial", {
        "so-a": PortalRunStats(pages_fetched=48, not_modified=2, articles_seen=10, errors=3,
                               errors_by_kind={"http": 2, "dns": 1}, started_at=T0 + timedelta(days=1),
                               finished_at=T0 + timedelta(days=1, seconds=42), status="partial", health="stalled"),
        "xa-a": PortalRunStats(errors=4, errors_by_kind={"http": 4}, status="failed", health="unreachable")},
        T0 + timedelta(days=1))
    interrupted = _finish(db, "interrupted", {"so-a": PortalRunStats(pages_fetched=3)}, T0 + timedelta(days=2))
    with db.session() as s:
        runs = list_runs(s, limit=10)
        assert [r.id for r in runs] == [interrupted, quiet, first]
        assert [r.id for r in list_runs(s, limit=2)] == [interrupted, quiet]
        run = get_run(s, quiet)
        assert run is not None and get_run(s, 10_000) is None
        assert run.duration == 300 and run.portals == 2 and run.failed == ["xa-a"]
        assert run.flagged == {"so-a": "stalled", "xa-a": "unreachable"}
        assert run.totals["pages_fetched"] == 48 and run.totals["not_modified"] == 2 and run.totals["errors"] == 7
        rows = run_summary(s, quiet)
        assert rows[0].portal_key == "so-a" and rows[0].errors_by_kind == {"http": 2, "dns": 1}
        assert rows[0].duration == 42 and rows[0].flags == ["stalled"] and rows[1].flags == ["unreachable"]
        assert rows[0].started_at == T0 + timedelta(days=1) and rows[0].started_at.tzinfo is not None

        history = portal_history(s, "so-a", before_run_id=interrupted + 1, limit=5)
        assert [r.run_id for r in history.recent] == [quiet, first]  # the interrupted run says nothing
        assert history.published_before
        assert portal_history(s, "so-a", before_run_id=quiet, limit=5).recent[0].run_id == first
        assert not portal_history(s, "so-a", before_run_id=first, limit=5).published_before
        assert len(portal_history(s, "so-a", before_run_id=interrupted + 1, limit=1).recent) == 1
        assert not portal_history(s, "tinh-a", before_run_id=interrupted + 1, limit=5).recent


def test_migration_0004_gives_earlier_rows_zero_and_null(db_url: str) -> None:
    database = Database(db_url)
    try:
        database.migrate("0003")
        with database.engine.begin() as conn:
            conn.execute(text("INSERT INTO portals (id, key, name, level, status, family, hosts, template_pages) "
                              "VALUES (1, 'so-a', 'Sở A', 'so', 'active', 'drupal', '[]', 0)"))
            conn.execute(text("INSERT INTO crawl_runs (id, started_at, finished_at, status, args) "
                              "VALUES (1, '2025-03-01 01:00:00', '2025-03-01 01:30:00', 'ok', 'crawl')"))
            conn.execute(text("INSERT INTO crawl_run_portals (run_id, portal_id, pages_fetched, articles_new, "
                              "articles_duplicate, articles_seen, articles_failed, errors, status, note) "
                              "VALUES (1, 1, 30, 4, 1, 2, 0, 1, 'partial', 'http: 1')"))
        database.migrate()
        assert database.current_revision() == "0013"
        with database.session() as s:
            (row,) = run_summary(s, 1)
            (run,) = list_runs(s)
        assert (row.pages_fetched, row.articles_new, row.not_modified, row.articles_version,
                row.articles_undated) == (30, 4, 0, 0, 0)
        assert (row.errors_by_kind, row.started_at, row.finished_at, row.health, row.duration) == ({}, None, None,
                                                                                                   None, None)
        assert run.totals["pages_fetched"] == 30 and run.flagged == {} and run.duration == 1800
    finally:
        database.dispose()


def test_runs_command_lists_runs_and_shows_one(db_url: str) -> None:
    database = Database(db_url)
    database.migrate()
    with database.session() as s, s.begin():
        sync_portals(s, PORTALS)
    ok = _finish(database, "ok", {"so-a": PortalRunStats(pages_fetched=50, articles_new=10)}, T0)
    flagged = _finish(database, "partial", {
        "so-a": PortalRunStats(pages_fetched=50, articles_new=6, articles_undated=6, health="undated"),
        "xa-a": PortalRunStats(errors=9, errors_by_kind={"http": 9}, status="failed", health="unreachable")},
        T0 + timedelta(days=1))
    database.dispose()

    listed = run_govcrawl("runs", "--db", db_url)
    assert listed.returncode == 0, listed.stderr
    header, newest, oldest = listed.stdout.splitlines()
    assert header.split()[:4] == ["run", "started", "status", "duration"]
    assert newest.split()[0] == str(flagged) and "so-a (undated), xa-a (unreachable)" in newest
    assert oldest.split()[0] == str(ok) and oldest.rstrip().endswith("0")  # no flagged portal

    as_json = json.loads(run_govcrawl("runs", "--db", db_url, "--json", "--limit", "1").stdout)
    assert [r["id"] for r in as_json] == [flagged]
    assert as_json[0]["flagged"] == {"so-a": ["undated"], "xa-a": ["unreachable"]}
    assert as_json[0]["totals"]["articles_undated"] == 6 and as_json[0]["failed"] == ["xa-a"]

    one = run_govcrawl("runs", str(flagged), "--db", db_url)
    assert one.returncode == 0, one.stderr
    assert "undated" in one.stdout and "portals that failed entirely: xa-a" in one.stdout
    report = json.loads(run_govcrawl("runs", str(flagged), "--db", db_url, "--json").stdout)
    assert report["exit_code"] == 1 and report["run"]["id"] == flagged
    assert {p["portal"]: p["health"] for p in report["portals"]} == {"so-a": ["undated"], "xa-a": ["unreachable"]}
    assert report["portals"][1]["errors_by_kind"] == {"http": 9}

    missing = run_govcrawl("runs", "999", "--db", db_url)
    assert missing.returncode == 2 and "no run with id 999" in missing.stderr


def test_report_table_has_a_column_per_counter() -> None:
    summary = SimpleNamespace(
        portal_key="so-a", portal_name="Sở A", status="ok", pages_fetched=12, not_modified=30, articles_new=4,
        articles_version=1, articles_duplicate=2, articles_seen=3, articles_failed=0, articles_undated=5,
        errors=1, pages_not_article=3, articles_refused=1, errors_by_kind={"timeout": 1}, started_at=T0,
        finished_at=T0 + timedelta(seconds=75), duration=75.0, note="timeout: 1", health="undated", flags=["undated"])
    run = SimpleNamespace(id=7, status="ok", duration=80.0, failed=[], flagged={"so-a": "undated"},
                          totals={name: getattr(summary, name) for name in COUNTERS},
                          started_at=T0, finished_at=T0 + timedelta(seconds=80), args="crawl so-a", portals=1)
    out = io.StringIO()
    print_run(run, [summary], "sqlite:///x", out)
    header, row, total, flagged = out.getvalue().splitlines()
    assert header.split() == ["portal", "status", "pages", "304", "new", "ver", "dup", "seen", "failed", "undated",
                              "errors", "req/art", "non-art", "duration", "health", "errors", "by", "kind"]
    assert row.split() == ["so-a", "ok", "12", "30", "4", "1", "2", "3", "0", "5", "1", "8.60", "0.25", "0:01:15", "undated",
                           "timeout:", "1"]
    assert total.startswith("run 7 (ok): 12 pages fetched (30 not modified) in 0:01:20; articles 4 new / 1 versions")
    assert flagged == "portals flagged: so-a (undated)"
    assert report_json(run, [summary])["portals"][0]["health"] == ["undated"]
    listing = io.StringIO()
    print_runs([run], listing)
    assert listing.getvalue().splitlines()[1].split()[-2:] == ["so-a", "(undated)"]


# --------------------------------------------------------------------------- progress


def _crawler(stats: dict) -> SimpleNamespace:
    return SimpleNamespace(stats=SimpleNamespace(get_stats=lambda: stats),
                           spider=SimpleNamespace(portals={"so-a": None, "xa-a": None}))


def test_plain_progress_lines_for_portals_whose_counters_moved() -> None:
    stats = {"govcrawl/so-a/pages_fetched": 10, "govcrawl/so-a/articles_new": 4,
             "govcrawl/so-a/first_activity": T0, "govcrawl/so-a/last_activity": T0}
    out = io.StringIO()
    progress = PortalProgress(_crawler(stats), 10, out, live=False)
    progress.report()
    progress.report()  # nothing moved: nothing printed
    stats["govcrawl/so-a/not_modified"] = 3
    progress.report()
    assert out.getvalue().splitlines() == [
        "  … so-a: 10 pages, 0 not modified, 4 new, 0 duplicate, 0 failed, 0 errors",
        "  … so-a: 10 pages, 3 not modified, 4 new, 0 duplicate, 0 failed, 0 errors",
    ]  # xa-a has not begun: no line


def test_live_frame_shows_active_portals_with_elapsed_and_rate() -> None:
    now = T0 + timedelta(seconds=100)
    stats = {"govcrawl/so-a/pages_fetched": 200, "govcrawl/so-a/not_modified": 5, "govcrawl/so-a/errors": 2,
             "govcrawl/so-a/first_activity": T0 + timedelta(seconds=20), "govcrawl/so-a/last_activity": now,
             "govcrawl/xa-a/pages_fetched": 7, "govcrawl/xa-a/first_activity": T0,
             "govcrawl/xa-a/last_activity": T0 + timedelta(seconds=30)}  # done 70 s ago: not active
    frame = live_frame(portal_counts(stats, ["so-a", "xa-a", "tinh-a"]), now, T0, height=20)
    assert frame[0] == "govcrawl 0:01:40  2/3 portals begun, 1 active; 207 pages, 0 new, 2 errors"
    assert frame[1].split() == ["portal", "pages", "304", "new", "dup", "errors", "elapsed", "pages/s"]
    assert frame[2].split() == ["so-a", "200", "5", "0", "0", "2", "0:01:20", "2.5"]  # 80 s from first to latest
    assert len(frame) == 3


def test_live_frame_fits_its_height() -> None:
    keys = [f"p{i:02d}" for i in range(30)]
    stats = {f"govcrawl/{k}/{t}": T0 for k in keys for t in ("first_activity", "last_activity")}
    frame = live_frame(portal_counts(stats, keys), T0, T0, height=8)
    assert len(frame) <= 8 and frame[-1] == "  … and 25 more active portals"


def test_live_display_redraws_in_place_and_makes_room_for_log_records() -> None:
    out = io.StringIO()
    display = LiveDisplay(out)
    display.draw(["one", "two"])
    display.draw(["three"])
    assert out.getvalue() == "one\x1b[K\ntwo\x1b[K\n\x1b[J" + "\x1b[2A\rthree\x1b[K\n\x1b[J"
    handler = logging.StreamHandler(out)
    handler.addFilter(_EraseBeforeLog(display))
    logger = logging.getLogger("test_run_reports.live")
    logger.addHandler(handler)
    try:
        logger.warning("a log record")
    finally:
        logger.removeHandler(handler)
    assert out.getvalue().endswith("\x1b[1A\r\x1b[Ja log record\n") and display.drawn == 0


# --------------------------------------------------------------------------- replica faults


def test_faults_all_500_and_no_dates() -> None:
    replica = build_replica(seed=2, articles=12)
    drupal = next(p for p in load_registry() if p.key == "replica-drupal")
    copy = next(c for story in replica.truth for c in story.copies if c.portal_key == "replica-drupal")
    host, path = split_url(copy.urls[0])
    faults = Faults(replica, {"replica-drupal": "all_500"})
    for url in (copy.urls[0], replica.base_url("replica-drupal") + "/robots.txt",
                f"http://{replica.portals[0].alias_host}/tin-tuc"):
        assert faults.render(*split_url(url))[0] == 500
    assert faults.render(*split_url(replica.base_url("replica-aspnet") + "/"))[0] == 200

    faults.set("replica-drupal", "no_dates")
    status, headers, body = faults.render(host, path)
    normal = replica.render(host, path)[2]
    assert status == 200 and int(headers["Content-Length"]) == len(body) < len(normal)
    assert b'class="date"' in normal and b'class="date"' not in body
    redesigned, before = extract_article(body, copy.urls[0], drupal), extract_article(normal, copy.urls[0], drupal)
    assert redesigned.published is None and before.published is not None
    assert redesigned.text == before.text  # only the date went

    faults.set("replica-drupal", None)
    assert faults.render(host, path) == replica.render(host, path)
    with pytest.raises(ValueError, match="unknown replica portal"):
        faults.set("replica-nope", "all_500")
    with pytest.raises(ValueError, match="unknown fault"):
        faults.set("replica-drupal", "slow")
    assert parse_fault("replica-aspnet=no_dates") == ("replica-aspnet", "no_dates")
    with pytest.raises(ValueError, match="KEY=FAULT"):
        parse_fault("replica-aspnet")


# --------------------------------------------------------------------------- nightly crawls, end to end


@pytest.mark.e2e
def test_nightly_runs_flag_the_broken_portals_in_report_and_exit_code(tmp_path) -> None:
    """Portals made to fail — all 500s, a redesign that drops the date, no new article for three
    runs — are flagged in the stored report, the table, the JSON and the exit status."""
    db_url = f"sqlite:///{tmp_path / 'govcrawl.sqlite'}"
    # 60 stories: about 10 per portal; the grown replica adds 60 more, so a portal gets new articles
    small, grown = build_replica(seed=5, articles=60), build_replica(seed=5, articles=120)

    def crawl(replica, keys: list[str], faults: dict[str, str], *extra: str):
        with ReplicaServer(replica, faults=faults):
            return run_govcrawl("crawl", *keys, "--db", db_url, *FAST_CRAWL, *extra)

    first = crawl(small, ["replica-drupal", "replica-aspnet", "replica-wordpress"], {})
    assert first.returncode == 0, first.stdout + first.stderr  # no history yet: nothing to flag
    assert "portals flagged" not in first.stdout

    redesign = crawl(grown, ["replica-drupal"], {"replica-drupal": "no_dates"}, "--json")
    assert redesign.returncode == 5, redesign.stdout + redesign.stderr
    report = json.loads(redesign.stdout)  # stdout is the JSON alone; progress and log went to stderr
    (drupal,) = report["portals"]
    assert drupal["health"] == ["undated"] and report["exit_code"] == 5
    assert drupal["articles_new"] >= 5
    assert drupal["articles_undated"] == drupal["articles_new"] + drupal["articles_version"]
    assert drupal["duration_s"] is not None and drupal["duration_s"] >= 0

    for night in range(3):  # the wordpress portal is down; aspnet publishes nothing new
        down = crawl(small, ["replica-aspnet", "replica-wordpress"], {"replica-wordpress": "all_500"},
                     *(["--json"] if night == 2 else []))
        assert down.returncode == 1, down.stdout + down.stderr  # a portal failed entirely: 1 wins over 5
    report = json.loads(down.stdout)
    portals = {p["portal"]: p for p in report["portals"]}
    assert portals["replica-wordpress"]["health"] == ["unreachable"]
    assert portals["replica-wordpress"]["status"] == "failed" and portals["replica-wordpress"]["pages_fetched"] == 0
    assert set(portals["replica-wordpress"]["errors_by_kind"]) == {"http_500"}
    assert portals["replica-aspnet"]["health"] == ["stalled"] and portals["replica-aspnet"]["articles_new"] == 0
    # read (its listings), but incremental: no known article fetched and extracted again
    assert portals["replica-aspnet"]["pages_fetched"] > 0 and portals["replica-aspnet"]["articles_seen"] == 0

    quiet = crawl(small, ["replica-aspnet"], {})
    assert quiet.returncode == 5, quiet.stdout + quiet.stderr  # stalled alone: the health exit status
    assert "portals flagged: replica-aspnet (stalled)" in quiet.stdout
    assert quiet.stdout.splitlines()[0].split()[:15] == [
        "portal", "status", "pages", "304", "new", "ver", "dup", "seen", "failed", "undated", "errors", "req/art",
        "non-art", "duration", "health"]

    listed = run_govcrawl("runs", "--db", db_url)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["6", "5", "4", "3", "2", "1"]
    assert "replica-aspnet (stalled), replica-wordpress (unreachable)" in lines[1]
    assert "replica-drupal (undated)" in lines[4]
    runs = json.loads(run_govcrawl("runs", "--db", db_url, "--json").stdout)
    assert [r["flagged"] for r in runs][::-1] == [
        {}, {"replica-drupal": ["undated"]}, {"replica-wordpress": ["unreachable"]},
        {"replica-wordpress": ["unreachable"]},
        {"replica-aspnet": ["stalled"], "replica-wordpress": ["unreachable"]}, {"replica-aspnet": ["stalled"]}]
