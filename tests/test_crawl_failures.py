"""Bad input gets a clear error and loses nothing: dead portals, broken pages, bad registry files."""
from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import Database, crawlstate
from storage.models import Article, ArticleUrl, CrawlRun, Failure, FrontierEntry, Portal
from tests.conftest import FAST_CRAWL, run_govcrawl

GOOD_BODY = "".join(
    f"<p>Đoạn {i}: Sáng ngày 14/7/2020, Cụm thi đua 5 huyện Biên giới đã tổ chức Hội nghị sơ kết "
    f"công tác thi đua, khen thưởng 6 tháng đầu năm, phương hướng nhiệm vụ 6 tháng cuối năm.</p>"
    for i in range(4)
)
PAGES = {
    "/tin-tuc": "<html><body><h1>Tin tức</h1>"
                '<a href="/tin-tuc/hoi-nghi-so-ket-cong-tac-thi-dua-100001">a</a>'
                '<a href="/tin-tuc/trang-tin-khong-co-noi-dung-100002">b</a>'
                '<a href="/tin-tuc/may-chu-dang-loi-100003">c</a></body></html>',
    "/tin-tuc/hoi-nghi-so-ket-cong-tac-thi-dua-100001":
        "<html><head><title>Hội nghị sơ kết công tác thi đua</title></head><body>"
        "<article><h1>Hội nghị sơ kết công tác thi đua</h1>"
        f'<div class="content">{GOOD_BODY}</div></article></body></html>',
    "/tin-tuc/trang-tin-khong-co-noi-dung-100002": "<html><body></body></html>",
}
# the test portals are registered on loopback addresses, which a crawl refuses unless told
LOOPBACK_ALLOWED = ("-s", "GOVCRAWL_PRIVATE_HOSTS=127.0.0.1,127.0.10.99")
ALWAYS_FAILING = "/tin-tuc/may-chu-dang-loi-100003"  # answers 503, every time
DEAD_QUEUED = "http://127.0.10.99:8470/tin-tuc/bai-viet-100009"  # queued on the portal that is down


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = PAGES.get(self.path)
        self.send_response(503 if self.path == ALWAYS_FAILING else 200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tiny_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _registry(tmp_path: Path, live_host: str) -> Path:
    directory = tmp_path / "portals"
    directory.mkdir()
    (directory / "test.toml").write_text(f'''
[[portal]]
key = "live"
name = "Trang thử nghiệm"
level = "xa"
province = "Lạng Sơn"
hosts = ["{live_host}"]
scheme = "http"
family = "generic"
start_points = [{{ kind = "listing", url = "http://{live_host}/tin-tuc" }}]

[[portal]]
key = "dead"
name = "Cổng đã ngừng"
level = "huyen"
province = "Lào Cai"
hosts = ["127.0.10.99:8470"]
scheme = "http"
start_points = [{{ kind = "listing", url = "http://127.0.10.99:8470/tin-tuc" }}]
''', encoding="utf-8")
    return directory


def test_dead_portal_and_broken_page_are_recorded_and_the_rest_is_stored(tmp_path, tiny_site):
    db_url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    registry = _registry(tmp_path, tiny_site)
    result = run_govcrawl("crawl", "live", "dead", "--db", db_url, "--registry", str(registry),
                          *FAST_CRAWL, *LOOPBACK_ALLOWED, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stdout + result.stderr  # "dead" failed entirely
    assert "portals that failed entirely: dead" in result.stdout

    db = Database(db_url)
    with db.session() as session:
        urls = session.scalars(select(ArticleUrl.url)).all()
        failures = {(f.kind, f.url.rsplit("/", 1)[-1]): f.reason for f in session.scalars(select(Failure))}
        run = session.scalars(select(CrawlRun)).one()
        assert session.scalars(select(Article)).one().title == "Hội nghị sơ kết công tác thi đua"
    assert urls == [f"http://{tiny_site}/tin-tuc/hoi-nghi-so-ket-cong-tac-thi-dua-100001"]
    assert ("extraction", "trang-tin-khong-co-noi-dung-100002") in failures
    assert ("connection", "tin-tuc") in failures
    assert run.status == "partial"


def test_a_url_failing_in_every_run_is_given_up_and_the_walk_completes(tmp_path, tiny_site):
    """A 503 keeps a queued URL for the next run, up to GOVCRAWL_GIVE_UP_AFTER_RUNS runs in a
    row; then it leaves the frontier, recorded as given up, and the portal's walk completes.
    The dead portal, crawled alongside, answers nothing: its queue is kept."""
    db_url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    crawl = ("crawl", "live", "dead", "--db", db_url, "--registry", str(_registry(tmp_path, tiny_site)),
             *FAST_CRAWL, *LOOPBACK_ALLOWED, "-s", "RETRY_TIMES=0", "-s", "GOVCRAWL_GIVE_UP_AFTER_RUNS=2")
    failing = f"http://{tiny_site}{ALWAYS_FAILING}"
    db = Database(db_url)
    for run, (queued, walk_complete) in enumerate([(1, False), (None, True)], start=1):
        if run == 2:  # a URL of the dead portal, queued by an earlier run: it fails, unreachable
            with db.session() as session, session.begin():
                dead_id = session.scalars(select(Portal.id).where(Portal.key == "dead")).one()
                crawlstate.queue(session, dead_id, [(DEAD_QUEUED, "article", "new")], datetime.now(UTC))
        result = run_govcrawl(*crawl)
        assert result.returncode == 1, result.stdout + result.stderr  # "dead" failed entirely, "live" did not
        with db.session() as session:
            entry = session.get(FrontierEntry, failing)
            assert (entry.failed_runs if entry else None) == queued, run
            portal = session.scalars(select(Portal).where(Portal.key == "live")).one()
            assert (portal.walk_completed_at is not None) is walk_complete, run
            failures = session.execute(select(Failure.kind, Failure.reason).where(Failure.url == failing)
                                       .order_by(Failure.id)).all()
            dead_entry = session.get(FrontierEntry, DEAD_QUEUED)
            dead_failures = session.scalars(select(Failure.kind).where(Failure.url == DEAD_QUEUED)).all()
    db.dispose()
    assert [kind for kind, _ in failures] == ["http", "http", "given_up"]
    assert "503" in failures[0].reason
    assert failures[2].reason == "failed transiently in 2 runs in a row: no longer queued"
    assert dead_failures == ["connection"] and dead_entry is not None and dead_entry.failed_runs == 0


def test_invalid_registry_file_fails_naming_file_field_and_choices(tmp_path):
    directory = tmp_path / "bad"
    directory.mkdir()
    (directory / "langson.toml").write_text(
        '[[portal]]\nkey = "x"\nname = "X"\nlevel = "so"\nprovince = "Lạng Sơn"\n'
        'hosts = ["x.langson.gov.vn"]\nfamily = "drupel"\n'
        'start_points = [{ kind = "listing", url = "https://x.langson.gov.vn/" }]\n', encoding="utf-8")
    result = run_govcrawl("portals", "--registry", str(directory))
    assert result.returncode == 4
    assert "langson.toml" in result.stderr and "family" in result.stderr and "drupal" in result.stderr


def test_unknown_portal_key_is_a_usage_error_with_a_suggestion():
    result = run_govcrawl("crawl", "langsonn")
    assert result.returncode == 2
    assert "langson" in result.stderr


def test_unusable_database_is_a_clear_error(tmp_path):
    result = run_govcrawl("crawl", "replica-drupal", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert result.returncode == 3
    assert "127.0.0.1:1" in result.stderr


def test_a_failure_waits_for_the_database_lock_off_the_crawl_thread(tmp_path):
    """On SQLite a page worker's batch holds the write lock for a while: recording a failure the
    spider reports meanwhile must not stop the crawl's event loop (downloads, other items)."""
    import asyncio
    import sqlite3

    from scrapy.utils.test import get_crawler

    from crawler.items import FailureItem
    from crawler.pipelines import StoragePipeline
    from storage import start_run

    db_path = tmp_path / "g.sqlite"
    db = Database(f"sqlite:///{db_path}")
    db.migrate()
    with db.session() as session, session.begin():
        run_id = start_run(session, args="test")
    pipeline = StoragePipeline(get_crawler(settings_dict={"GOVCRAWL_DB": f"sqlite:///{db_path}",
                                                          "GOVCRAWL_DEAD_LETTER_DIR": str(tmp_path)}))
    pipeline.run_id = run_id
    worker = sqlite3.connect(db_path, isolation_level=None)
    worker.execute("BEGIN IMMEDIATE")  # a page worker's batch, mid-transaction

    async def crawl() -> int:
        recording = asyncio.ensure_future(pipeline.process_item(
            FailureItem(portal_key="ghost", url="http://ghost/tin-tuc", kind="http", reason="HTTP 404")))
        ticks = 0
        for _ in range(10):  # the loop keeps running while the write waits for the lock
            await asyncio.sleep(0.02)
            ticks += 1
        assert not recording.done()
        worker.execute("COMMIT")
        await recording
        return ticks

    try:
        assert asyncio.run(crawl()) == 10
    finally:
        pipeline.failure_writer.shutdown(wait=True)
        worker.close()
    with db.session() as session:
        failure = session.scalars(select(Failure)).one()
    assert (failure.kind, failure.url) == ("http", "http://ghost/tin-tuc") and failure.reason.endswith("HTTP 404")
    db.dispose()


def test_an_unreachable_portal_is_one_line_in_the_log_and_tracebacks_need_v(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'quiet.sqlite'}"
    directory = tmp_path / "portals"
    directory.mkdir()
    (directory / "test.toml").write_text('''
[[portal]]
key = "dead"
name = "Cổng đã ngừng"
level = "huyen"
province = "Lào Cai"
hosts = ["127.0.10.99:8470"]
scheme = "http"
start_points = [{ kind = "listing", url = "http://127.0.10.99:8470/tin-tuc" },
                { kind = "sitemap", url = "http://127.0.10.99:8470/sitemap.xml" },
                { kind = "rss", url = "http://127.0.10.99:8470/rss" }]
''', encoding="utf-8")
    args = ("crawl", "dead", "--db", db_url, "--registry", str(directory), *FAST_CRAWL, *LOOPBACK_ALLOWED)
    quiet = run_govcrawl(*args)
    lines = [line for line in quiet.stderr.splitlines() if "127.0.10.99" in line]
    assert quiet.returncode == 1 and len(lines) == 1, quiet.stderr  # was 77 lines
    assert "Traceback" not in quiet.stderr and "further failures of 127.0.10.99:8470" in lines[0]
    loud = run_govcrawl(*args, "-v")
    assert "Traceback" in loud.stderr and loud.stderr.count("127.0.10.99") > 3
    db = Database(db_url)
    with db.session() as session:  # every failure still recorded
        assert {f.url for f in session.scalars(select(Failure))} >= {
            "http://127.0.10.99:8470/tin-tuc", "http://127.0.10.99:8470/sitemap.xml", "http://127.0.10.99:8470/rss"}
    db.dispose()
