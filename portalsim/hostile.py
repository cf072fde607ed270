"""Hostile portals for the crawler's reliability suite (issue 15), served on loopback only.

    with HostileSite("offsite_redirect") as site:
        crawl(site.start_url)                # an ad-hoc portal on 127.0.0.1:<port>
        site.internal_hits                   # 0: nothing reached the "internal service"
        site.good_urls                       # the 10 good articles the crawl must store

A hostile site is a small portal (a listing of `articles` good article pages, robots.txt, a
sitemap) plus one `mode` of misbehaviour beside them (MODES). Beside it runs a second server on
another loopback port, the "internal service" an off-site redirect points at (standing for an
intranet address or 169.254.169.254): it counts every request it gets and serves a page whose
text (INTERNAL_MARK) must appear nowhere a crawl writes.

Every loop is bounded (MAX_TRAP_PAGES): an endless calendar or pager ends at that page, so a
crawl that follows a trap still ends, and the test sees how far it went in `hits`.
"""
from __future__ import annotations

import re
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from portalsim.content import story_body, story_meta
from portalsim.text import dmy, hm, slugify

INTERNAL_MARK = "INTERNAL-SERVICE-SECRET-7f3a"
MAX_TRAP_PAGES = 5000          # the server's own cap on every endless structure
LONG_URL_CHARS = 2852
RETRY_AFTER_S = 2
BIG_PAGE_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 1024 * 1024 * 1024  # what the gzip bomb inflates to (its body is about 1 MB)
HUGE_LINE_BYTES = 10 * 1024 * 1024
_DAY_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/$")
HOSTILE_ARTICLE = 3            # the good article whose URL a mode misuses, where one does

Response = tuple[int, dict[str, str], bytes]

MODES = {
    "offsite_redirect": "an article answers 302 to the internal service (another host)",
    "offsite_refresh": "an article is a meta refresh to the internal service",
    "moved": "the listing links an article under its old URL, which answers 301 to the new one",
    "redirect_loop": "the listing links /loop/a, which redirects to /loop/b, which redirects back",
    "long_url": f"the listing links an article-shaped URL of {LONG_URL_CHARS} characters",
    "calendar": "the listing links an endless day-by-day calendar /YYYY/MM/DD/ (a WordPress day archive's shape)",
    "session_ids": "every link of every page carries a new ?sid=",
    "endless_pages": "the listing pages on (?page=N) for ever, each page with new junk links",
    "retry_after": f"the first request for each article answers 429 with Retry-After: {RETRY_AFTER_S}",
    "big_page": f"an article is {BIG_PAGE_BYTES // 2**20} MB of HTML",
    "big_stream": f"an article streams {BIG_PAGE_BYTES // 2**20} MB of HTML without a Content-Length",
    "gzip_bomb": f"an article is a gzip bomb (Content-Encoding: gzip, {BOMB_BYTES // 2**30} GiB inflated)",
    "huge_line": f"an article holds a paragraph of one {HUGE_LINE_BYTES // 2**20} MB line",
    "empty_sitemap": "the sitemap is an empty 200 response",
    "sitemap_bomb": "the sitemap is a raw gzip body that inflates past any sane size",
    "error_burst": "every page answers 503 to its first two requests",
    "good": "no misbehaviour: the baseline",
}


@dataclass(frozen=True)
class GoodArticle:
    index: int
    path: str
    title: str
    html: bytes


def _article_html(index: int, seed: int) -> GoodArticle:
    meta = story_meta(seed, index)
    body = story_body(seed, meta)
    path = f"/tin-tuc/{slugify(meta.title)[:80].strip('-')}-{1000 + index}.html"
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in body.paragraphs)
    page = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{escape(meta.title)} - Cổng thông tin điện tử huyện Thử Nghiệm</title></head>
<body><div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></div>
<div class="news-detail"><h1>{escape(meta.title)}</h1>
<div class="date">Ngày đăng: {dmy(meta.published)} {hm(meta.published)}</div>
<div class="content"><p><b>{escape(body.summary)}</b></p>
{paragraphs}
<p style="text-align:right"><b>Nguyễn Văn An</b></p></div></div>
<div class="footer">Thống kê truy cập: 12.345 | Đang online: 12</div></body></html>"""
    return GoodArticle(index, path, meta.title, page.encode("utf-8"))


@lru_cache(maxsize=2)
def _gzip_bomb(size: int) -> bytes:
    """A gzip stream of `size` zero bytes (about 1 MB for 1 GiB), made once per size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    chunk = b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(size // len(chunk))) + compressor.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HostileSite:
    """One hostile portal on 127.0.0.1 (a free port) and its internal service on another."""

    def __init__(self, mode: str, articles: int = 10, seed: int = 0) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (choose one of: {', '.join(MODES)})")
        self.mode = mode
        self.articles = [_article_html(i, seed) for i in range(articles)]
        self._by_path = {a.path: a for a in self.articles}
        self.hits: Counter[str] = Counter()            # path with query -> requests
        self.hit_times: dict[str, list[float]] = defaultdict(list)  # path -> monotonic times
        self.internal_hits = 0
        self._lock = threading.Lock()
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self.port = self.internal_port = 0

    # -- addresses ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def start_url(self) -> str:
        return f"{self.base_url}/tin-tuc"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}/secret"

    @property
    def good_urls(self) -> list[str]:
        return [self.base_url + a.path for a in self.articles]

    @property
    def long_path(self) -> str:
        """An article-shaped path making a URL of LONG_URL_CHARS characters on this site."""
        slug = "-".join(["bai-viet-rat-dai"] * (LONG_URL_CHARS // 17 + 1))
        head = f"/tin-tuc/{slug}"[: LONG_URL_CHARS - len(self.base_url) - len("-1999.html")].rstrip("-")
        return head + "-1999.html"

    @property
    def hostile_article(self) -> GoodArticle:
        return self.articles[HOSTILE_ARTICLE]

    # -- serving --------------------------------------------------------------------------------
    def start(self) -> HostileSite:
        for handler, attr in ((self._site_handler(), "port"), (self._internal_handler(), "internal_port")):
            server = _Server(("127.0.0.1", 0), handler)
            setattr(self, attr, server.server_address[1])
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._servers.append((server, thread))
        return self

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()

    def __enter__(self) -> HostileSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _site_handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with site._lock:
                    site.hits[self.path] += 1
                    site.hit_times[urlsplit(self.path).path].append(time.monotonic())
                    count = site.hits[self.path]
                status, headers, body = site.render(self.path, count)
                self.send_response(status)
                if headers.pop("X-Stream", None):  # no length: the body ends when the connection does
                    headers["Connection"] = "close"
                    self.close_connection = True
                else:
                    headers.setdefault("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler refused the body part-way: what a size limit does

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler

    def _internal_handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with site._lock:
                    site.internal_hits += 1
                body = (f"<html><head><title>{INTERNAL_MARK}</title></head><body><h1>{INTERNAL_MARK}</h1>"
                        + f"<p>{INTERNAL_MARK} " * 200 + "</p></body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler

    # -- pages ----------------------------------------------------------------------------------
    def render(self, path_with_query: str, count: int) -> Response:
        parts = urlsplit(path_with_query)
        path, query = parts.path, parse_qs(parts.query)
        mode = self.mode
        if mode == "error_burst" and count <= 2 and path != "/robots.txt":
            return _html(503, "<h1>503 Service Unavailable</h1>")
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/sitemap.xml":
            return self._sitemap()
        if path in ("/", "/tin-tuc"):
            return self._listing(int((query.get("page") or ["1"])[0]))
        article = self._by_path.get(path)
        if article is not None:
            return self._article(article, count)
        if mode == "moved" and path == "/old/tin-3.html":
            return 301, {"Location": self.base_url + self.hostile_article.path}, b""
        if mode == "redirect_loop" and path in ("/loop/a", "/loop/b"):
            other = "/loop/b" if path == "/loop/a" else "/loop/a"
            return 302, {"Location": self.base_url + other}, b""
        if mode == "calendar" and _DAY_PATH.match(path):
            return self._calendar_day(path)
        if mode == "endless_pages" and path.startswith("/junk/"):
            return _html(200, "<p>Trang không có nội dung.</p>")
        return _html(404, "<h1>404 Not Found</h1>")

    def _sid(self) -> str:
        return f"?sid={time.monotonic_ns():x}" if self.mode == "session_ids" else ""

    def _listing(self, page: int) -> Response:
        links = [f'<li><a href="{a.path}{self._sid()}">{escape(a.title)}</a> <span>{i + 1}/01/2024</span></li>'
                 for i, a in enumerate(self.articles)] if page == 1 else []
        extra = []
        if self.mode == "moved":
            links[HOSTILE_ARTICLE] = f'<li><a href="/old/tin-3.html">{escape(self.hostile_article.title)}</a></li>'
        elif self.mode == "redirect_loop":
            extra.append('<li><a href="/loop/a">Bài viết chuyển hướng vòng quanh</a></li>')
        elif self.mode == "long_url":
            extra.append(f'<li><a href="{self.long_path}">Một bài viết có địa chỉ rất dài</a></li>')
        elif self.mode == "calendar":
            extra.append('<li><a href="/2024/01/01/">Lịch công tác</a></li>')
        elif self.mode == "endless_pages" and page < MAX_TRAP_PAGES:
            extra += [f'<li><a href="/junk/{page}-{k}">Mục {page}.{k}</a></li>' for k in range(5)]
        pager = ""
        if self.mode == "endless_pages" and page < MAX_TRAP_PAGES:
            pager = f'<div class="pager"><a href="/tin-tuc?page={page + 1}{self._sid().replace("?", "&")}">Trang sau</a></div>'
        body = f'<h1>Tin tức</h1><ul class="news-list">{"".join(links + extra)}</ul>{pager}'
        return _html(200, body)

    def _article(self, article: GoodArticle, count: int) -> Response:
        mode, hostile = self.mode, article.index == HOSTILE_ARTICLE
        if mode == "retry_after" and count == 1:
            return 429, {"Retry-After": str(RETRY_AFTER_S), "Content-Type": "text/html"}, b"<h1>429</h1>"
        if hostile and mode == "offsite_redirect":
            return 302, {"Location": self.internal_url}, b""
        if hostile and mode == "offsite_refresh":
            return _html(200, "", head=f'<meta http-equiv="refresh" content="0;url={self.internal_url}">')
        if hostile and mode in ("big_page", "big_stream"):
            filler = b"<p>" + "Nội dung lặp lại rất nhiều lần. ".encode() * 1000 + b"</p>\n"
            repeat = BIG_PAGE_BYTES // len(filler) + 1
            headers = {"Content-Type": "text/html; charset=utf-8", **({"X-Stream": "1"} if mode == "big_stream" else {})}
            return 200, headers, article.html.replace(b"</body>", filler * repeat + b"</body>")
        if hostile and mode == "gzip_bomb":
            return 200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, _gzip_bomb(BOMB_BYTES)
        if hostile and mode == "huge_line":
            line = ("Đoạn văn rất dài " * (HUGE_LINE_BYTES // 20)).encode()
            return 200, {"Content-Type": "text/html; charset=utf-8"}, article.html.replace(
                b"</div></div>", b"<p>" + line + b"</p></div></div>", 1)
        html = article.html
        if mode == "session_ids":
            html = html.replace(b'href="/tin-tuc"', f'href="/tin-tuc{self._sid()}"'.encode())
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html

    def _sitemap(self) -> Response:
        if self.mode == "empty_sitemap":
            return 200, {"Content-Type": "application/xml"}, b""
        if self.mode == "sitemap_bomb":
            return 200, {"Content-Type": "application/x-gzip"}, _gzip_bomb(BOMB_BYTES)
        urls = "".join(f"<url><loc>{self.base_url}{a.path}</loc></url>" for a in self.articles)
        body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def _calendar_day(self, path: str) -> Response:
        y, m, d = (int(x) for x in _DAY_PATH.match(path).groups())
        day = (y - 2024) * 372 + (m - 1) * 31 + d
        if day > MAX_TRAP_PAGES:
            return _html(404, "<h1>404</h1>")
        nd = d % 28 + 1
        nm, ny = (m, y) if nd > d else (m % 12 + 1, y + (m == 12))
        body = (f"<h1>Lịch công tác ngày {d:02d}/{m:02d}/{y}</h1><p>Không có lịch công tác.</p>"
                f'<a href="/{ny}/{nm:02d}/{nd:02d}/">Ngày sau</a>')
        return _html(200, body)


def _html(status: int, body: str, head: str = "") -> Response:
    page = f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">{head}<title>Cổng thông tin</title></head><body>{body}</body></html>'
    return status, {"Content-Type": "text/html; charset=utf-8"}, page.encode("utf-8")
