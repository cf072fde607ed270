"""What every replica site shares: routing, link rules, listings, boilerplate blocks."""
from __future__ import annotations

import gzip
import html
from datetime import datetime
from typing import TYPE_CHECKING, Callable, NamedTuple
from urllib.parse import parse_qsl

from portalsim.content import VN
from portalsim.text import WEEKDAY_LONG, dmy, hm

if TYPE_CHECKING:
    from portalsim.replica import Copy, Replica
    from portalsim.model import SimPortal, TruthCopy

esc = html.escape
CLOCK = "\x00CLOCK\x00"          # replaced per request by the clock text (today, not the article date)
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

CATEGORIES = {  # topic -> (slug, display name)
    "thidua": ("thi-dua-khen-thuong", "Thi đua - Khen thưởng"),
    "cds": ("chuyen-doi-so", "Chuyển đổi số"),
    "ntm": ("nong-thon-moi", "Nông thôn mới"),
}
TAGS = ("hoi-nghi", "so-ket", "tong-ket", "chuyen-doi-so", "nong-thon-moi", "khen-thuong")
TAG_NAMES = ("hội nghị", "sơ kết", "tổng kết", "chuyển đổi số", "nông thôn mới", "khen thưởng")

# The day the portals' sitemap plugins last rebuilt the entries that name no article (sitemap
# files, categories): their <lastmod> (vnportal dates a file anew once the next day changes an
# article in it).
LISTS_REBUILT = datetime(2026, 11, 1, tzinfo=VN)


class Response(NamedTuple):
    """What a route answers; pages leave `changed` out (replica.render gives articles their validators)."""
    status: int
    ctype: str
    body: str | bytes
    changed: datetime | None = None  # a sitemap's or feed's: the newest change among what it lists


class Site:
    family = ""
    page_size = 10
    has_canonical = True
    shows_summary = False
    noise_query = "isFeatured=1"
    secondary_in_related = False   # related blocks link the second article path for even k
    article_validators = False     # article pages carry Last-Modified and ETag (a page cache) and answer 304

    def __init__(self, replica: "Replica", portal: "SimPortal", copies: list["Copy"]):
        self.replica = replica
        self.portal = portal
        self.copies = copies                 # chronological; copy.k is the index
        self.newest = copies[::-1]
        self.by_cat: dict[str, list[Copy]] = {t: [] for t in CATEGORIES}
        self.by_tag: dict[int, list[Copy]] = {i: [] for i in range(len(TAGS))}
        for c in self.newest:
            self.by_cat[c.topic].append(c)
            self.by_tag[c.tag].append(c)
        self.paths: dict[str, Copy] = {}
        for c in copies:
            for p in self.article_paths(c):
                self.paths[p] = c
        self.base = f"http://{portal.host}"
        self.alias_base = f"http://{portal.alias_host}"
        self.exact: dict[str, Callable[[dict[str, str]], Response]] = {}
        self.setup()

    # ---- family hooks -------------------------------------------------------------------
    def setup(self) -> None: ...
    def article_paths(self, c: "Copy") -> list[str]: raise NotImplementedError
    def listing_path(self, page: int) -> str: raise NotImplementedError          # page 1-based
    def category_path(self, topic: str, page: int) -> str: raise NotImplementedError
    def tag_path(self, tag: int) -> str: raise NotImplementedError
    def render_article(self, c: "Copy") -> str: raise NotImplementedError
    def render_list_page(self, heading: str, items: list["Copy"], pager: str) -> str: raise NotImplementedError
    def route_query(self, path: str, query: dict[str, str]) -> "Response | None": return None
    def route_listing(self, path: str, query: dict[str, str]) -> "Response | None": return None
    def robots(self) -> str: raise NotImplementedError
    extra_non_article: tuple[str, ...] = ()
    search_path = "/search?q=thi+%C4%91ua"
    login_path = "/dang-nhap"
    contact_path = "/lien-he"

    # ---- link rules (the truth urls are derived from the same rules) --------------------
    def preferred(self, c: "Copy") -> str:
        return self.article_paths(c)[0]

    def listing_href(self, c: "Copy") -> str:
        p = self.preferred(c)
        if c.k % 5 == 1:
            return p + ("&" if "?" in p else "?") + self.noise_query
        return p

    def related_href(self, c: "Copy") -> str:
        paths = self.article_paths(c)
        if c.k % 7 == 3:
            return self.alias_base + paths[0]
        if c.k % 6 == 2:
            return paths[0] + "#noi-dung"
        if self.secondary_in_related and c.k % 2 == 0 and len(paths) > 1:
            return paths[1]
        return paths[0]

    def truth_urls(self, c: "Copy") -> list[str]:
        paths = self.article_paths(c)
        urls = [self.base + p for p in paths] + [self.alias_base + p for p in paths]
        if c.k % 5 == 1:
            urls.append(self.base + self.listing_href(c))
        return urls

    def canonical(self, c: "Copy") -> str:
        return self.base + self.preferred(c)

    def finish_truth(self, c: "Copy", truth: "TruthCopy") -> "TruthCopy":
        """The truth of a copy as this site shows it (a layout site showing only the day says so)."""
        return truth

    # ---- changes: what sitemaps, feeds and validators report -----------------------------
    def changed_at(self, c: "Copy") -> datetime:
        return c.modified or c.published

    def of_next_day(self, c: "Copy") -> bool:
        """Published or edited on the replica's next day."""
        return c.modified is not None or c.story >= self.replica.n_articles

    def lastmod(self, c: "Copy") -> str:
        return self.changed_at(c).date().isoformat()

    def document(self, ctype: str, body: "str | bytes", listed: list["Copy"]) -> Response:
        """A sitemap or feed listing `listed` (for an index: every copy its files list)."""
        return Response(200, ctype, body, max((self.changed_at(c) for c in listed), default=None))

    # ---- listings ---------------------------------------------------------------------------
    def n_pages(self, n: int) -> int:
        return max(1, -(-n // self.page_size))

    def pager(self, page: int, npages: int, url: Callable[[int], str]) -> str:
        out = ['<div class="pager">']
        if page > 1:
            out.append(f'<a href="{esc(url(1))}">«</a> <a href="{esc(url(page - 1))}">‹</a>')
        lo, hi = max(1, page - 3), min(npages, page + 3)
        for p in range(lo, hi + 1):
            out.append(f'<span class="current">{p}</span>' if p == page else f'<a href="{esc(url(p))}">{p}</a>')
        if page < npages:
            out.append(f'<a href="{esc(url(page + 1))}">›</a> <a href="{esc(url(npages))}">»</a>')
        out.append("</div>")
        return " ".join(out)

    def list_response(self, heading: str, items: list["Copy"], page: int, url: Callable[[int], str]) -> Response:
        npages = self.n_pages(len(items))
        if page < 1 or page > npages:
            return self.not_found()
        chunk = items[(page - 1) * self.page_size: page * self.page_size]
        return 200, HTML, self.render_list_page(heading, chunk, self.pager(page, npages, url))

    def listing_urls(self) -> list[str]:
        urls = ["/"] + list(self.extra_non_article)
        urls += [self.listing_path(p) for p in range(1, self.n_pages(len(self.copies)) + 1)]
        for topic, items in self.by_cat.items():
            urls += [self.category_path(topic, p) for p in range(1, self.n_pages(len(items)) + 1)]
        urls += [self.tag_path(t) for t in range(len(TAGS))]
        urls += [self.search_path, self.login_path, self.contact_path]
        seen: dict[str, None] = {}
        for u in urls:
            seen.setdefault(self.base + u, None)
        return list(seen)

    # ---- boilerplate blocks -------------------------------------------------------------------
    def clock_text(self) -> str:
        now = self.replica.now()
        return f"{WEEKDAY_LONG[now.weekday()]}, ngày {dmy(now)} {hm(now)}"

    def related_items(self, c: "Copy", n: int = 6) -> list["Copy"]:
        older = self.copies[max(0, c.k - n): c.k][::-1]
        newer = self.copies[c.k + 1: c.k + 1 + max(0, n - len(older))]
        return newer[::-1] + older

    def related_ul(self, items: list["Copy"], li_class: str = "") -> str:
        cls = f' class="{li_class}"' if li_class else ""
        return "<ul>" + "".join(
            f'<li{cls}><a href="{esc(self.related_href(o))}">{esc(o.title)}</a> '
            f'<span class="date">({dmy(o.published)})</span></li>' for o in items) + "</ul>"

    def counter_block(self, title: str = "Thống kê truy cập") -> str:
        seed = len(self.copies) * 37 + 11
        return (f'<div class="block-counter"><h3>{title}</h3><ul><li>Đang online: {seed % 17 + 1}</li>'
                f'<li>Hôm nay: {seed % 500 + 20}</li><li>Trong tuần: {seed % 3000 + 400}</li>'
                f'<li>Tất cả: {seed * 131 + 95321}</li></ul></div>')

    def nav_links(self) -> str:
        cats = "".join(f'<li><a href="{esc(self.category_path(t, 1))}">{name}</a></li>'
                       for t, (_, name) in CATEGORIES.items())
        return (f'<ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="{esc(self.listing_path(1))}">Tin tức</a></li>'
                f'{cats}<li><a href="{esc(self.contact_path)}">Liên hệ</a></li>'
                f'<li><a href="{esc(self.search_path)}">Tìm kiếm</a></li><li><a href="{esc(self.login_path)}">Đăng nhập</a></li></ul>')

    def tag_links(self, c: "Copy") -> str:
        return (f'<div class="tags">Từ khóa: <a href="{esc(self.tag_path(c.tag))}">{TAG_NAMES[c.tag]}</a>, '
                f'<a href="{esc(self.tag_path((c.tag + 1) % len(TAGS)))}">{TAG_NAMES[(c.tag + 1) % len(TAGS)]}</a></div>')

    def banners(self) -> str:
        return ('<div class="banners"><a href="https://dichvucong.gov.vn/"><img src="/images/banner-dvc.png" alt="Dịch vụ công trực tuyến">Dịch vụ công</a>'
                '<a href="/chuyen-doi-so-banner"><img src="/images/banner-cds.png" alt="Chuyển đổi số">Chuyển đổi số</a></div>')

    def footer(self, owner: str, responsible: str) -> str:
        return (f'<footer><p>CƠ QUAN CHỦ QUẢN: {owner.upper()}</p>'
                f'<p>Giấy phép thiết lập trang thông tin điện tử số 18/GP-TTĐT ngày 12/3/2019 của Sở Thông tin và Truyền thông</p>'
                f'<p>Chịu trách nhiệm chính: {responsible}</p><p>Bản quyền thuộc {owner}</p>'
                f'<p>Ghi rõ nguồn "{self.portal.name}" khi phát hành lại thông tin từ website này.</p></footer>')

    def byline_html(self, c: "Copy", align: str = "right") -> str:
        b = c.byline
        if b.kind == "two-line":
            return (f'<p style="text-align:{align}"><strong>{esc(b.authors[0])}</strong></p>'
                    f'<p style="text-align:{align}"><em>{esc(b.unit)}</em></p>')
        if b.kind == "one-line":
            return f'<p style="text-align:{align}"><strong>{esc(b.authors[0])}, {esc(b.unit)}.</strong></p>'
        if b.kind in ("initials", "pair"):
            return f'<p style="text-align:{align}"><strong>{esc(" - ".join(b.authors))}</strong></p>'
        return ""

    def attachments_html(self, c: "Copy") -> str:
        """The files the copy links, after its byline (portalsim/attachments.py); most link none."""
        attached = self.replica.attachments_by_copy.get(self.canonical(c))
        if not attached:
            return ""
        from portalsim.attachments import block_html
        return block_html(attached, esc)

    def attribution_html(self, c: "Copy") -> str:
        return f'<p style="text-align:right"><em>{esc(c.attribution)}</em></p>' if c.attribution else ""

    def paragraphs_html(self, c: "Copy", caption: Callable[[int, str], str], p_open: str = "<p>") -> str:
        """Body paragraphs (lead tag on the first one) with captioned images after their anchors."""
        body = self.replica.body_for(c)
        caps: dict[int, list[str]] = {}
        for pos, cap in body.captions:
            caps.setdefault(pos, []).append(cap)
        out, n_img = [], 0
        for i, para in enumerate(body.paragraphs):
            text = esc(para)
            if i == 0 and c.lead_tag:
                text = f"<strong>{esc(c.lead_tag)}</strong> {text}"
            out.append(f"{p_open}{text}</p>")
            for cap in caps.get(i, ()):
                n_img += 1
                out.append(caption(n_img, cap))
        return "\n".join(out)

    # ---- routing ---------------------------------------------------------------------------
    def handle(self, path: str, query_string: str) -> Response:
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        c = self.paths.get(path)
        if c is not None:
            return 200, HTML, self.with_other_path_link(self.render_article(c), c, path)
        fn = self.exact.get(path)
        if fn is not None:
            return fn(query)
        return self.route_query(path, query) or self.route_listing(path, query) or self.not_found()

    def with_other_path_link(self, html: str, c: "Copy", path: str) -> str:
        """A share/print tool linking the article's other path, as old templates do: it makes
        every second path of a two-URL article discoverable, so the truth can list them all."""
        paths = self.article_paths(c)
        if len(paths) < 2:
            return html
        other = paths[1] if path == paths[0] else paths[0]
        link = f'<div class="share-tools"><a href="{esc(other)}" rel="nofollow">In bài</a></div>'
        return html.replace("<footer>", link + "<footer>", 1)

    def home(self, query: dict[str, str]) -> Response:
        return self.list_response("Tin mới nhất", self.newest, 1, self.listing_path)

    def robots_response(self, query: dict[str, str]) -> Response:
        return 200, TEXT, self.robots()

    def simple_page(self, heading: str, text: str) -> str:
        return self.render_list_page(heading, [], f"<p>{esc(text)}</p>")

    def install_common(self) -> None:
        self.exact["/"] = self.home
        self.exact["/robots.txt"] = self.robots_response
        for path, heading, text in (
            (self.search_path, "Tìm kiếm", "Nhập từ khóa để tìm kiếm."),
            (self.login_path, "Đăng nhập", "Tên đăng nhập Mật khẩu Ghi nhớ Đăng nhập"),
            (self.contact_path, "Liên hệ", "Địa chỉ: Trụ sở cơ quan. Điện thoại: 0205.3812.345. Email: vanphong@example.gov.vn"),
        ):
            self.exact[path.split("?")[0]] = (lambda q, h=heading, t=text: (200, HTML, self.simple_page(h, t)))

    def not_found(self) -> Response:
        return 404, HTML, self.render_list_page("404 - Không tìm thấy trang", [],
                                                "<p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p>")


def gz(data: str) -> bytes:
    return gzip.compress(data.encode("utf-8"), mtime=0)


def urlset(urls: list[tuple[str, str]]) -> str:
    body = "".join(f"<url><loc>{esc(u)}</loc><lastmod>{m}</lastmod></url>" for u, m in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>')


def sitemapindex(urls: list[str]) -> str:
    body = "".join(f"<sitemap><loc>{esc(u)}</loc></sitemap>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>')


def rss(title: str, link: str, items: list[tuple[str, str, str, str]]) -> str:
    """items: (title, link, rfc822 date, description)."""
    body = "".join(f"<item><title>{esc(t)}</title><link>{esc(u)}</link><guid>{esc(u)}</guid>"
                   f"<pubDate>{d}</pubDate><description>{esc(s)}</description></item>" for t, u, d, s in items)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{esc(title)}</title><link>{esc(link)}</link><description>{esc(title)}</description>"
            f"<language>vi</language>{body}</channel></rss>")


def rfc822(d) -> str:
    from email.utils import format_datetime
    return format_datetime(d)


def page_of(query: dict[str, str], key: str, zero_based: bool = False) -> int | None:
    raw = query.get(key)
    if raw is None:
        return 1
    if not raw.isdigit():
        return None
    return int(raw) + 1 if zero_based else int(raw)
