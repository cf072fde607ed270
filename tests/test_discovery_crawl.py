"""End to end: a portal whose URL shapes no grammar knows, crawled from its home page.

A tiny in-test server serves hand-written pages: a menu naming the news section at a query-string
URL, a listing of `/chi-tiet/<n>` items in a ul/li block with a "Trang sau" pager of an unknown
shape, a featured box whose items include a sub-listing (fetched as an article candidate, refused
by its content, read as a listing), and articles. Then layout portals from
portalsim (development seeds), from the home page and from listing pages alone.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from crawler.urls import canonicalize
from storage import Database
from storage.models import ArticleUrl, PageState, UrlPattern
from tests.conftest import FAST_CRAWL, run_govcrawl

pytestmark = pytest.mark.e2e

ARTICLES = 23
PER_PAGE = 5
TITLES = ["Hội nghị sơ kết công tác thi đua khen thưởng", "Tỉnh đẩy mạnh chuyển đổi số trong cơ quan nhà nước",
          "Khánh thành công trình nước sạch cho người dân vùng cao", "Tập huấn nghiệp vụ cho cán bộ cấp xã"]
LEADER = [101, 102, 103]  # the sub-listing's articles, linked nowhere else

MENU = ('<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>'
        '<li><a href="/?cat=news">Tin tức - Sự kiện</a></li><li><a href="/van-ban">Văn bản</a></li>'
        '<li><a href="/dang-nhap">Đăng nhập</a></li><li><a href="/lien-he">Liên hệ</a></li></ul></nav>')
FOOTER = "<footer><p>CƠ QUAN CHỦ QUẢN: UBND TỈNH THỬ NGHIỆM</p><p>Bản quyền thuộc Sở Thông tin</p></footer>"


def _page(title: str, main: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><header><a href="/">Cổng thông tin điện tử tỉnh Thử Nghiệm</a></header>{MENU}'
            f'<div id="wrap">{main}</div>{FOOTER}</body></html>').encode()


def _title(n: int) -> str:
    return f"{TITLES[n % len(TITLES)]} đợt {n} năm 2024"


def _article(n: int) -> bytes:
    paragraphs = "".join(
        f"<p>Đoạn {i} của bài {n}: sáng ngày hôm nay, Ủy ban nhân dân tỉnh đã tổ chức hội nghị để đánh giá "
        f"kết quả thực hiện nhiệm vụ, bàn giải pháp cho thời gian tới và giao chỉ tiêu cụ thể cho từng "
        f"đơn vị, địa phương trên địa bàn tỉnh.</p>" for i in range(1, 6))
    return _page(_title(n), f'<div class="detail"><h1>{_title(n)}</h1><div class="time">Ngày đăng: '
                            f'{n % 28 + 1:02d}/05/2024 08:{n % 60:02d}</div>{paragraphs}'
                            '<p style="text-align:right"><strong>Nguyễn Văn An</strong></p></div>')


def _items(numbers: list[int]) -> str:
    return '<ul class="ds">' + "".join(
        f'<li><a href="/chi-tiet/{n}">{_title(n)}</a> <i>({n % 28 + 1:02d}/05/2024)</i></li>' for n in numbers) + "</ul>"


def _listing(page: int) -> bytes:
    numbers = list(range(ARTICLES, 0, -1))[(page - 1) * PER_PAGE: page * PER_PAGE]
    pages = -(-ARTICLES // PER_PAGE)
    def href(p: int) -> str:
        return "/?cat=news" if p == 1 else f"/?cat=news&amp;start={(p - 1) * PER_PAGE}"

    pager = " ".join(f"<b>{p}</b>" if p == page else f'<a href="{href(p)}">{p}</a>' for p in range(1, pages + 1))
    if page < pages:
        pager += f' <a href="/?cat=news&amp;start={page * PER_PAGE}">Trang sau</a>'
    return _page("Tin tức - Sự kiện", f'<h2>Tin tức - Sự kiện</h2>{_items(numbers)}<div class="pages">{pager}</div>')


def _home() -> bytes:
    # a featured box: two articles and, among them, a link to a sub-listing (an article candidate)
    featured = "".join(f'<div class="hot"><a href="{href}">{text}</a></div>' for href, text in (
        (f"/chi-tiet/{ARTICLES - 5}", _title(ARTICLES - 5)), (f"/chi-tiet/{ARTICLES - 6}", _title(ARTICLES - 6)),
        ("/hoat-dong-cua-lanh-dao-tinh-trong-tuan", "Hoạt động của lãnh đạo tỉnh trong tuần qua")))
    return _page("Trang chủ", f'<h2>Tin mới</h2>{_items(list(range(ARTICLES, ARTICLES - 3, -1)))}'
                              f'<h2>Tin nổi bật</h2><div class="box">{featured}</div>')


def _leader() -> bytes:
    return _page("Hoạt động của lãnh đạo", '<h2>Hoạt động của lãnh đạo tỉnh</h2>' + _items(LEADER)
                 + "".join(f'<p><a href="/?cat=news&amp;x={i}">Mục {i}</a></p>' for i in range(8)))


def _route(path: str, query: dict[str, str]) -> bytes | None:
    if path == "/" and not query:
        return _home()
    if path == "/" and query.get("cat") == "news":
        start = int(query.get("start", "0"))
        return _listing(start // PER_PAGE + 1) if start < ARTICLES and "x" not in query else None
    if path == "/hoat-dong-cua-lanh-dao-tinh-trong-tuan":
        return _leader()
    if path.startswith("/chi-tiet/") and path[10:].isdigit():
        n = int(path[10:])
        return _article(n) if 1 <= n <= ARTICLES or n in LEADER else None
    if path in ("/gioi-thieu", "/van-ban", "/dang-nhap", "/lien-he"):
        return _page(path, "<p>Trang phụ.</p>")
    return None


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        type(self).hits.append(self.path)
        body = _route(parts.path, dict(parse_qsl(parts.query)))
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        body = body if body is not None else b"<html><body><p>404</p></body></html>"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def site():
    _Handler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _crawl(target: str, db_url: str, *extra: str) -> dict:
    done = run_govcrawl("crawl", target, "--db", db_url, "--json", *FAST_CRAWL, *extra)
    assert done.stdout.strip().startswith("{"), done.stdout + done.stderr
    return json.loads(done.stdout)


def test_unknown_url_shapes_from_the_home_page(site, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'govcrawl.sqlite'}"
    report = _crawl(site + "/", db_url)
    (portal,) = report["portals"]
    db = Database(db_url)
    with db.session() as s:
        stored = set(s.scalars(select(ArticleUrl.url)))
        states = dict(s.execute(select(PageState.url, PageState.kind)).all())
        patterns = {p.template: (p.confirmed, p.refused) for p in s.scalars(select(UrlPattern))}
    expected = {canonicalize(f"{site}/chi-tiet/{n}") for n in [*range(1, ARTICLES + 1), *LEADER]}
    assert stored == expected  # every article, the sub-listing's too; no listing stored
    assert not any(h.startswith(("/van-ban", "/dang-nhap", "/lien-he", "/gioi-thieu")) for h in _Handler.hits)
    # the sub-listing was an article candidate: refused by its content, recorded, read as a listing
    assert states[canonicalize(f"{site}/hoat-dong-cua-lanh-dao-tinh-trong-tuan")] == "listing"
    assert portal["articles_refused"] == 1 and portal["articles_failed"] == 0
    assert portal["articles_new"] == len(expected)
    listings = 1 + 5 + 1  # home, five listing pages, the sub-listing (refused, then read)
    assert portal["pages_not_article"] == listings  # (the sitemap probe answered 404: an error)
    assert portal["requests_per_article"] <= (len(expected) + listings + 2) / len(expected)
    assert patterns["/chi-tiet/{n}"][0] >= 2 and patterns["/chi-tiet/{n}"][1] == 0
    db.dispose()

    # the next night: nothing new; the learned patterns are read back (and only grow)
    again = _crawl(site + "/", db_url)
    assert again["portals"][0]["articles_new"] == 0
    with Database(db_url).session() as s:
        assert s.get(UrlPattern, (1, "/chi-tiet/{n}")).confirmed >= patterns["/chi-tiet/{n}"][0]


# -- layout portals (portalsim's layout grammar; development seeds only, never >= 1000) -------------

LAYOUT_SEED, LAYOUTS, LAYOUT_STORIES = 40, 4, 120


@pytest.fixture(scope="module")
def layouts():
    from portalsim import ReplicaServer, build_replica
    replica = build_replica(seed=7, articles=LAYOUT_STORIES, layouts=LAYOUTS, layout_seed=LAYOUT_SEED)
    with ReplicaServer(replica):
        yield replica


def _layout_figures(replica, report: dict, db_url: str) -> tuple[float, float]:
    """(share of the layout portals' article pages stored, requests per stored article)."""
    with Database(db_url).session() as s:
        stored = set(s.scalars(select(ArticleUrl.url)))
    pages = [frozenset(canonicalize(u, scheme="http") for u in copy.urls) for story in replica.truth
             for copy in story.copies]
    found = sum(1 for urls in pages if urls & stored)
    requests = sum(p["pages_fetched"] + p["not_modified"] + p["errors"] for p in report["portals"])
    articles = sum(p["articles_new"] + p["articles_version"] for p in report["portals"])
    return found / len(pages), requests / articles


@pytest.mark.parametrize("start", ["home", "listing"])
def test_layout_portals_crawled_from_the_home_page_or_a_listing_alone(layouts, start, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'govcrawl.sqlite'}"
    targets = [f"http://{p.host}" + ("/" if start == "home" else layouts.site_for(p.host).listing_path(1))
               for p in layouts.portals]
    done = run_govcrawl("crawl", *targets, "--db", db_url, "--json", *FAST_CRAWL)
    report = json.loads(done.stdout)
    found, per_article = _layout_figures(layouts, report, db_url)
    assert found >= 0.98, (start, found)
    assert per_article <= (1.5 if start == "home" else 1.3), (start, per_article)
    for portal in report["portals"]:  # the report says what the requests went to
        assert portal["requests_per_article"] is not None and 0 < portal["not_article_share"] < 0.5
