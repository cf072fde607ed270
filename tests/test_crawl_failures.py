"""Bad input gets a clear error and loses nothing: dead portals, broken pages, bad registry files."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import Database
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
ALWAYS_FAILING = "/tin-tuc/may-chu-dang-loi-100003"  # answers 503, every time


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
                          *FAST_CRAWL, "-s", "RETRY_TIMES=0")
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
    row; then it leaves the frontier, recorded as given up, and the portal's walk completes."""
    db_url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    crawl = ("crawl", "live", "--db", db_url, "--registry", str(_registry(tmp_path, tiny_site)), *FAST_CRAWL,
             "-s", "RETRY_TIMES=0", "-s", "GOVCRAWL_GIVE_UP_AFTER_RUNS=2")
    failing = f"http://{tiny_site}{ALWAYS_FAILING}"
    db = Database(db_url)
    for run, (queued, walk_complete) in enumerate([(1, False), (None, True)], start=1):
        result = run_govcrawl(*crawl)
        assert result.returncode == 0, result.stdout + result.stderr  # one page failed, not the portal
        with db.session() as session:
            entry = session.get(FrontierEntry, failing)
            assert (entry.failed_runs if entry else None) == queued, run
            portal = session.scalars(select(Portal).where(Portal.key == "live")).one()
            assert (portal.walk_completed_at is not None) is walk_complete, run
            reasons = session.scalars(select(Failure.reason).where(Failure.url == failing).order_by(Failure.id)).all()
    db.dispose()
    assert len(reasons) == 2 and "given up" not in reasons[0]
    assert "503" in reasons[1] and "failed in 2 runs in a row: given up" in reasons[1]


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
