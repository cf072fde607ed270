"""LayoutSite: one portal rendered from a drawn `Layout` (portalsim/layouts), no per-layout code.

Home page (menu -> news section -> listing pages -> articles), category listings, articles,
optional sitemap and feed, robots.txt, 404. Routes are keyed by path and query parameters
(sorted, noise parameters dropped), so `/?id=123`, `/danh-muc.aspx?cat=12&p=2` and
`/Default.aspx?tabid=120&ctl=Detail&mid=560&ItemID=1017` are pages like any path.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable
from urllib.parse import parse_qsl

from portalsim.content import VN, Byline, corpus
from portalsim.layouts import Layout, forms
from portalsim.sites.base import (CATEGORIES, CLOCK, HTML, RSS, TEXT, XML, Response, Site, esc, rfc822,
                                  rss, urlset)
from portalsim.text import WEEKDAY_LONG, WEEKDAY_SHORT, dmy, slugify

if TYPE_CHECKING:
    from portalsim.model import SimPortal, TruthCopy
    from portalsim.replica import Copy, Replica

# pages every layout links from its header and banners (the English flag, a banner)
DECORATIONS = (("English", "/en", "English version."), ("Chuyển đổi số", "/chuyen-doi-so-banner", "Chuyển đổi số."))
NOISE = frozenset({"isFeatured", "utm_source", "utm_medium"})
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# platform tells per family or vendor: (<html> attributes, <head> markup, markup opening <body>, image folder)
TELLS: dict[str, tuple[str, str, str, str]] = {
    "drupal": ("", '<meta name="Generator" content="Drupal 9 (https://www.drupal.org)">', "", "/sites/default/files/"),
    "sharepoint": ("", '<meta name="GENERATOR" content="Microsoft SharePoint"><link rel="stylesheet" href="/_layouts/15/1066/styles/Themable/corev15.css">',
                   '<form method="post" action="./" id="aspnetForm"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2Q=">',
                   "/portal/PublishingImages/"),
    "liferay": (' class="aui ltr"', '<script>var themeDisplay = Liferay.ThemeDisplay = {getCompanyId: function() {return "20097";}};</script>', "", "/documents/20121/0/"),
    "vnportal": ("", "", "", "http://{asset}/{tenant}/"),
    "wordpress": ("", "<meta name=\"generator\" content=\"WordPress 6.4.3\"><link rel='stylesheet' href='/wp-content/themes/{tenant}/style.css' media='all' />", "", "/wp-content/uploads/"),
    "aspnet": ("", '<link href="/App_Themes/Default/style.css" rel="stylesheet" type="text/css" />',
               '<form name="form1" method="post" action="Default.aspx" id="form1"><input type="hidden" name="__VIEWSTATE" value="/wEPDwULLTE2MTY2ODcyMjlkZA==" />', "/Upload/"),
    "webforms": ("", '<link href="/App_Themes/Portal/portal.css" rel="stylesheet" type="text/css" />',
                 '<form name="aspnetForm" method="post" action="./ChiTiet.aspx" id="aspnetForm"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUJNzA2NjM4OTI4ZGQ=" />', "/Uploads/Images/"),
    "nukeviet": ("", '<meta name="generator" content="NukeViet v4.5"><link rel="stylesheet" href="/themes/default/css/style.css">', "", "/uploads/news/"),
    "joomla": ("", '<meta name="generator" content="Joomla! - Open Source Content Management"><link href="/templates/{tenant}/css/template.css" rel="stylesheet">', "", "/images/tintuc/"),
    "bootstrap": ("", '<link rel="stylesheet" href="/assets/css/bootstrap.min.css">', "", "/upload/images/"),
    "tables": ("", '<link href="/css/style.css" rel="stylesheet" type="text/css" />', "", "/Data/images/"),
    "postdate": ("", '<link rel="stylesheet" href="/Content/site.css">', "", "/Uploads/"),
    "plain": ("", "", "", "/images/"),
}
DOCTYPES = {"html5": "<!DOCTYPE html>\n", "xhtml": ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                                                    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n')}
CATEGORY_IDS = {topic: i for i, topic in enumerate(CATEGORIES)}


def route_key(path: str, query: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A request's identity: the path and its query parameters, sorted, without noise."""
    params = tuple(sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in NOISE))
    return path, params


class LayoutSite(Site):
    family = "layout"
    article_validators = False

    def __init__(self, replica: "Replica", portal: "SimPortal", copies: list["Copy"], layout: Layout):
        self.layout = L = layout
        self.shows_summary = L.shows_summary
        self.has_canonical = L.has_canonical
        self.page_size = L.page_size
        self.secondary_in_related = L.second_shape is not None
        self.search_path = "/tim-kiem?q=thi+dua"
        self.login_path = "/dang-nhap.aspx" if "aspx" in L.section_path else "/dang-nhap"
        self.contact_path = next((p for a, p in L.menu if a == "Liên hệ"), "/lien-he")
        self.tenant = slugify(L.name)[-24:].strip("-")
        self.decorations = DECORATIONS if L.flags else DECORATIONS[1:]
        units = [u.rstrip(".") for u in corpus()["units"]]
        upper = "upper" in L.byline_emph
        for c in copies:  # the layout's byline conventions, in the copy (so the truth reads them too)
            b = c.byline
            unit = units[(c.story * 3 + L.seed) % len(units)] if b.kind == "pair" and L.pair_unit else b.unit
            authors = tuple(a.upper() for a in b.authors) if upper else b.authors
            c.byline = Byline(b.kind, authors, unit)
        super().__init__(replica, portal, copies)

    # ---- URLs ---------------------------------------------------------------------------
    def ident(self, c: "Copy") -> int:
        return 1000 + 17 * c.k + self.layout.seed % 7

    def shape_path(self, shape: str, c: "Copy") -> str:
        d, slug, n = c.published, c.slug, self.ident(c)
        cat = CATEGORIES[c.topic][0]
        code = hashlib.md5(f"{self.layout.seed}:{c.story}:{c.k}".encode()).hexdigest()
        sp_slug = "-".join(w.capitalize() if i == 0 else w for i, w in enumerate(slug.split("-")[:12]))
        return {
            "view_article": f"/-/view-article/{slug}-{n}", "pages_hex": f"/Pages/{slug}-{code[:8]}.aspx",
            "article_id_n": f"/Article/{n}/{c.k % 9 + 1}.html", "en_page": f"/en/page_{slug}",
            "tin_tuc_html": f"/tin-tuc/{slug}.html", "query_id": f"/?id={n}", "chi_tiet": f"/chi-tiet/{n}",
            "p_id": f"/p/{n}", "slug_id": f"/tin-tuc/{slug}-{n}", "cat_slug_id_html": f"/{cat}/{slug}-{n}.html",
            "vi_post": f"/vi/post/{slug}?id={n}&type=NEWS", "numeric": f"/1227/27461/54439/{n}/{cat}/{slug}",
            "dnn": f"/Default.aspx?tabid=120&ctl=Detail&mid=560&ItemID={n}",
            "drupal_alias": f"/tin-tuc/{slug}", "drupal_node": f"/node/{n}",
            "wp_dated": f"/{d.year}/{d.month:02d}/{slug}/", "wp_slug": f"/{slug}/", "wp_query": f"/?p={n}",
            "lr_view_content": f"/-/view_content/{n}-{slug}.html",
            "lr_asset": f"/web/guest/tin-tuc/-/asset_publisher/Xy9{self.layout.seed % 97}/content/{slug}",
            "lr_details": f"/news/-/details/{20000 + CATEGORY_IDS[c.topic]}/{slug}-{n}",
            "sp_dated": f"/portal/Pages/{d.year}-{d.month}-{d.day}/{sp_slug}-{code[:6]}.aspx",
            "sp_item": f"/Pages/chi-tiet-tin.aspx?ItemID={n}&l=TinTuc",
            "vnp_htm": f"/{cat}/{slug}-{d:%Y%m%d}{n:06d}.htm",
        }[shape]

    def article_paths(self, c):
        L = self.layout
        paths = [self.shape_path(L.article_shape, c)]
        if L.second_shape:
            paths.append(self.shape_path(L.second_shape, c))
        return paths

    def _section_base(self) -> tuple[str, str]:
        """The news section's path without its suffix, and the suffix (".html", ".aspx" or "")."""
        p = self.layout.section_path.rstrip("/")
        for suffix in (".html", ".aspx"):
            if p.endswith(suffix):
                return p[: -len(suffix)], suffix
        return p, ""

    def category_base(self, topic: str) -> str:
        L, slug = self.layout, CATEGORIES[topic][0]
        base, suffix = self._section_base()
        if L.category_shape == "query" or "?" in base:
            path, _, query = L.section_path.partition("?")
            key, _, num = query.partition("=")
            if query and num.isdigit():
                return f"{path}?{key}={int(num) + 1 + CATEGORY_IDS[topic]}"
            return f"/danh-muc.aspx?cat={30 + CATEGORY_IDS[topic] + L.seed % 50}"
        if L.category_shape == "nested":
            return f"{base}/{slug}{suffix}"
        return f"/chuyen-muc/{slug}{suffix}"

    def page_url(self, base: str, page: int) -> str:
        L = self.layout
        if page == 1:
            return base
        style = L.pagination
        if style.startswith("path_") and ("?" in base or "." in base.rsplit("/", 1)[-1]):
            style = "query_page"
        if style == "path_page":
            return base.rstrip("/") + f"/page/{page}" + ("/" if base.endswith("/") else "")
        if style == "path_trang":
            return base.rstrip("/") + f"/trang-{page}"
        key = {"query_page": "page", "query_Page": "Page", "query_p": "p"}[style]
        return f"{base}{'&' if '?' in base else '?'}{key}={page - 1 if L.zero_based else page}"

    def listing_path(self, page):
        return self.page_url(self.layout.section_path, page)

    def category_path(self, topic, page):
        return self.page_url(self.category_base(topic), page)

    def tag_path(self, tag):
        return self.listing_path(1)  # layouts have no tag pages

    def canonical(self, c):
        return self.base + self.preferred(c)

    # ---- routes ---------------------------------------------------------------------------
    def setup(self) -> None:
        L = self.layout
        self.articles = {route_key(*p.partition("?")[::2]): (c, p) for c in self.copies for p in self.article_paths(c)}
        self.routes: dict[tuple, Callable[[], Response]] = {}
        self.lists: list[tuple[str, list["Copy"], Callable[[int], str]]] = [(L.section_anchor, self.newest, self.listing_path)]
        for topic, (_, name) in CATEGORIES.items():
            self.lists.append((name, self.by_cat[topic], lambda p, t=topic: self.category_path(t, p)))
        for heading, items, url in self.lists:
            for page in range(1, self.n_pages(len(items)) + 1):
                self._route(url(page), lambda h=heading, it=items, p=page, u=url: self.list_response(h, it, p, u))
        self._route("/", lambda: (200, HTML, self.home_page()))
        self._route("/robots.txt", lambda: (200, TEXT, self.robots()))
        pages = [(a, p, f"Trang {a} của {self.portal.name}.") for a, p in L.menu]
        pages += [("Đăng nhập", self.login_path, "Tên đăng nhập Mật khẩu Ghi nhớ Đăng nhập"),
                  ("Tìm kiếm", self.search_path, "Nhập từ khóa để tìm kiếm."), *self.decorations]
        for heading, path, text in pages:
            self._route(path, lambda h=heading, t=text: (200, HTML, self.simple_page(h, t)))
        self.feed_path = "/feed/" if L.kind == "wordpress" else "/rss/tin-tuc.rss"
        if L.sitemap:
            self._route("/sitemap.xml", self.sitemap)
        if L.feed:
            self._route(self.feed_path, self.feed)
        self.img_root = TELLS[L.vendor][3].replace("{asset}", self.replica.asset_host).replace("{tenant}", self.tenant)
        self.side_items = self.newest[:5]

    def _route(self, url: str, fn: Callable[[], Response]) -> None:
        self.routes[route_key(*url.partition("?")[::2])] = fn

    def handle(self, path, query_string):
        key = route_key(path, query_string)
        hit = self.articles.get(key)
        if hit is not None:
            c, served = hit
            return 200, HTML, self.render_article(c, served)
        fn = self.routes.get(key)
        if fn is not None:
            return fn()
        if path.startswith("/uploads/files/") and path.endswith(".pdf"):
            return 200, "application/pdf", PDF
        return self.not_found()

    def listing_urls(self) -> list[str]:
        urls = ["/"] + [url(p) for _, items, url in self.lists for p in range(1, self.n_pages(len(items)) + 1)]
        urls += [p for _, p in self.layout.menu] + [self.login_path, self.search_path] + [p for _, p, _ in self.decorations]
        return list(dict.fromkeys(self.base + u for u in urls))

    def finish_truth(self, c: "Copy", truth: "TruthCopy") -> "TruthCopy":
        """A page that shows only the day (no time in its text, meta, JSON-LD or <time>): the truth is the day."""
        if self.shows_time():
            return truth
        d = c.published
        return replace(truth, published=datetime(d.year, d.month, d.day, tzinfo=VN), published_precision="day")

    def shows_time(self) -> bool:
        L = self.layout
        return (L.date_form == forms.DRUPAL_FORM or forms.DATE_FORMS[L.date_form][1]
                or L.jsonld == "full" or L.meta_published or L.time_element)

    # ---- page frame -----------------------------------------------------------------------
    def clock_text(self) -> str:
        now, form = self.replica.now(), self.layout.clock_form
        if form == "short":
            return f"{WEEKDAY_SHORT[now.weekday()]}, {dmy(now)}"
        if form == "words":
            return f"{WEEKDAY_LONG[now.weekday()]}, ngày {now.day} tháng {now.month} năm {now.year}"
        return super().clock_text()

    def menu_html(self) -> str:
        L = self.layout
        cats = "".join(f'<li><a href="{esc(self.category_path(t, 1))}">{name}</a></li>' for t, (_, name) in CATEGORIES.items())
        sub = f"<ul>{cats}</ul>" if L.categories_in_menu else ""
        items = [f'<li><a href="/">Trang chủ</a></li>', f'<li><a href="{esc(L.section_path)}">{L.section_anchor}</a>{sub}</li>']
        items += [f'<li><a href="{esc(p)}">{a}</a></li>' for a, p in L.menu]
        return f'<div{L.a("menu")}><ul>{"".join(items)}</ul></div>'

    def dated_list(self, items: list["Copy"], markup: str, date_form: str) -> str:
        L = self.layout
        if markup == "table":
            rows = "".join(f'<tr><td><a href="{esc(self.related_href(o))}">{esc(o.title)}</a></td>'
                           f'<td>{forms.short_date(date_form, o.published)}</td></tr>' for o in items)
            return f"<table>{rows}</table>"
        if markup == "div":
            return "".join(f'<div{L.a("item")}><a href="{esc(self.related_href(o))}">{esc(o.title)}</a> '
                           f'<span>{forms.short_date(date_form, o.published)}</span></div>' for o in items)
        return "<ul>" + "".join(f'<li><a href="{esc(self.related_href(o))}">{esc(o.title)}</a> '
                                f'<span>{forms.short_date(date_form, o.published)}</span></li>' for o in items) + "</ul>"

    def block(self, heading: str, inner: str, tag: str | None = None) -> str:
        L = self.layout
        tag = tag or L.side_heading_tag
        return f'<div{L.a("block")}><{tag}{L.a("heading")}>{heading}</{tag}>{inner}</div>'

    def sidebar(self, extra: str = "") -> str:
        L = self.layout
        n = len(self.copies) * 37 + 11 + L.seed
        counter = (f'<div{L.a("counter")}><div>{L.counter_title}</div><ul><li>Đang online: {n % 17 + 1}</li>'
                   f'<li>Hôm nay: {n % 500 + 20}</li><li>Trong tuần: {n % 3000 + 400}</li><li>Tất cả: {n * 131 + 95321}</li></ul></div>')
        cats = "" if L.categories_in_menu else self.block("Chuyên mục", "<ul>" + "".join(
            f'<li><a href="{esc(self.category_path(t, 1))}">{name}</a></li>' for t, (_, name) in CATEGORIES.items()) + "</ul>")
        side = self.block(L.side_block, self.dated_list(self.side_items, "ul", "paren"))
        return (f'<div{L.a("sidebar")}>{side}{cats}{extra}{counter}'
                f'<div><a href="{esc(self.login_path)}">Đăng nhập</a></div>{self.banners()}</div>')

    def footer_html(self) -> str:
        L = self.layout
        lines = [f"CƠ QUAN CHỦ QUẢN: {L.owner.upper()}" if L.seed % 3 else f"Cơ quan chủ quản: {L.owner}",
                 f"Giấy phép thiết lập trang thông tin điện tử số {L.seed % 90 + 10}/GP-TTĐT ngày 12/3/2019",
                 "Chịu trách nhiệm chính: Chánh Văn phòng", f"Bản quyền thuộc {L.owner}",
                 f'Ghi rõ nguồn "{self.portal.name}" khi phát hành lại thông tin từ website này.']
        if L.footer_tag == "table":
            return f'<table{L.a("footer")}>' + "".join(f"<tr><td>{esc(x)}</td></tr>" for x in lines) + "</table>"
        return f'<{L.footer_tag}{L.a("footer")}>' + "".join(f"<p>{esc(x)}</p>" for x in lines) + f"</{L.footer_tag}>"

    def page(self, head_title: str, main: str, head: str = "", side_extra: str = "") -> str:
        L = self.layout
        html_attr, tell_head, tell_body, _ = TELLS[L.vendor]
        tell_head = tell_head.replace("{tenant}", self.tenant)
        if L.feed:
            head += f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{self.feed_path}">'
        charset = ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />' if L.doctype == "xhtml"
                   else '<meta charset="utf-8">')
        top = (f'<div{L.a("header")}>' + (f'<div>{esc(L.slogan)}</div>')
               + ('<div>Website đang chạy thử nghiệm</div>' if L.test_banner else "")
               + ('<div><a href="/"><img src="/images/vn.png" alt="Tiếng Việt"></a> <a href="/en"><img src="/images/en.png" alt="English"></a></div>' if L.flags else "")
               + f'<div{L.a("clock")}>{CLOCK}</div><div><a href="/">{esc(self.portal.name)}</a></div></div>')
        skip = f'<a href="#main" class="skip">{L.skip_link}</a>' if L.skip_link else ""
        main_col = f'<div{L.a("main")} id="main">{main}</div>'
        cols = self.sidebar(side_extra) + main_col if L.sidebar_first else main_col + self.sidebar(side_extra)
        return (f'{DOCTYPES[L.doctype]}<html lang="vi"{html_attr}><head>{charset}{tell_head}'
                f"<title>{esc(head_title)}</title>{head}</head><body>{tell_body}{skip}<div{L.a('page')}>"
                f"{top}{self.menu_html()}<div>{cols}</div>{self.footer_html()}</div>"
                f"{'</form>' if tell_body else ''}</body></html>")

    def wrapped(self, inner: str) -> str:
        for tag, attr in reversed(self.layout.wrappers):
            inner = (f"<table{attr}><tr><td>{inner}</td></tr></table>" if tag == "table"
                     else f"<{tag}{attr}>{inner}</{tag}>")
        return inner

    # ---- listings ---------------------------------------------------------------------------
    def pager(self, page, npages, url):
        L = self.layout
        out = []
        for p in range(max(1, page - 3), min(npages, page + 3) + 1):
            out.append(f"<span>{p}</span>" if p == page else f'<a href="{esc(url(p))}">{p}</a>')
        if page < npages:
            out.append(f'<a href="{esc(url(page + 1))}">{L.next_label}</a>')
        return f'<div{L.a("pager")}>{" ".join(out)}</div>'

    def list_items(self, items: list["Copy"]) -> str:
        L = self.layout

        def teaser(c):
            return f"<p>{esc(self.replica.body_for(c).summary)}</p>" if L.listing_teaser else ""

        def link(c):
            return f'<a href="{esc(self.listing_href(c))}">{esc(c.title)}</a>'

        date = {c.k: forms.short_date(L.related_date, c.published) for c in items}
        if L.listing == "ul":
            return f'<ul{L.a("listing")}>' + "".join(f'<li{L.a("item")}>{link(c)} <span>{date[c.k]}</span>{teaser(c)}</li>' for c in items) + "</ul>"
        if L.listing == "table":
            return f'<table{L.a("listing")}>' + "".join(f"<tr><td>{link(c)}{teaser(c)}</td><td>{date[c.k]}</td></tr>" for c in items) + "</table>"
        if L.listing == "cards":
            return f'<div{L.a("listing")}>' + "".join(f'<div class="item"><div>{link(c)}</div><div>{date[c.k]}</div>{teaser(c)}</div>' for c in items) + "</div>"
        return f'<div{L.a("listing")}>' + "".join(
            f'<div{L.a("item")}><a href="{esc(self.listing_href(c))}"><img src="{self.img_root}thumb/{c.story}.jpg" alt=""></a>'
            f'<h3>{link(c)}</h3><span>{date[c.k]}</span>{teaser(c)}</div>' for c in items) + "</div>"

    def render_list_page(self, heading, items, pager):
        L = self.layout
        tag = "h1" if L.seed % 2 else "h2"
        return self.page(f"{heading} - {self.portal.name}",
                         self.wrapped(f'<{tag}{L.a("heading")}>{esc(heading)}</{tag}>{self.list_items(items) if items else ""}{pager}'))

    def home_page(self) -> str:
        L = self.layout
        latest = self.block(f'<a href="{esc(L.section_path)}">{L.section_anchor}</a>', self.list_items(self.newest[:6]), "h2")
        notice = self.block("Thông báo", "<ul><li>Thông báo lịch tiếp công dân định kỳ</li><li>Thông báo tuyển dụng viên chức</li></ul>", "h2")
        return self.page(self.portal.name, latest + notice)

    # ---- articles ---------------------------------------------------------------------------
    def date_html(self, c: "Copy") -> str:
        L = self.layout
        d = c.published
        updated = d + timedelta(hours=3 + c.k % 40, minutes=17)
        text, _ = forms.date_text(L.date_form, d, updated, L.date_pad, L.date_sep)
        text = esc(text)
        if L.time_element:
            text = f'<time datetime="{d.isoformat()}">{text}</time>'
        return f"<{L.date_tag}{L.a('date')}>{text}</{L.date_tag}>"

    def meta_row(self, c: "Copy") -> str:
        L = self.layout
        parts = {"views": f"{L.view_label}: {c.views}", "print": '<a href="javascript:window.print()">In bài</a>',
                 "email": '<a href="mailto:?subject=Tin%20b%C3%A0i">Gửi email</a>', "cms": esc(L.cms_account)}
        items = [self.date_html(c)] if L.date_position == "meta_row" else []
        items += [f"<span>{parts[m]}</span>" for m in L.meta_items]
        return f'<div{L.a("meta")}>{" | ".join(items)}</div>'

    def toolbar(self) -> str:
        special = {"-A A +A": '<a href="#">-A</a> <a href="#">A</a> <a href="#">+A</a>', "PrintAaa": "<a href=\"#\">PrintAaa</a>"}
        links = " ".join(special.get(t, f'<a href="#">{t}</a>') for t in self.layout.toolbar)
        return f'<div{self.layout.a("toolbar")}>{links}</div>'

    def sapo_html(self, summary: str) -> str:
        L, s = self.layout, esc(summary)
        return {"p_strong": f'<p{L.a("sapo")}><strong>{s}</strong></p>', "h2": f'<h2{L.a("sapo")}>{s}</h2>',
                "h4": f'<h4{L.a("sapo")}>{s}</h4>', "div": f'<div{L.a("sapo")}>{s}</div>',
                "italic_p": f'<p{L.a("sapo")}><em>{s}</em></p>', "none": ""}[L.sapo]

    def caption_html(self, c: "Copy", n: int, cap: str) -> str:
        L, e = self.layout, esc(cap)
        alt = {"": "", "number": f"{n:02d}", "caption": e}[L.caption_alt]
        img = (f'<img src="{self.img_root}{c.published.year}/{c.story}-{n}.jpg" alt="{alt}"'
               + (f' title="{e}"' if L.caption_alt == "caption" else "") + ">")
        return {"table": f'<table align="center"{L.a("caption")}><tr><td>{img}</td></tr><tr><td><em>{e}</em></td></tr></table>',
                "figure": f'<figure{L.a("caption")}>{img}<figcaption>{e}</figcaption></figure>',
                "em": f'<p style="text-align:center">{img}</p><p style="text-align:center"><em>{e}</em></p>',
                "pcenter": f'<p class="center">{img}</p><p class="center">{e}</p>',
                "div": f'<div{L.a("caption")}>{img}<div>{e}</div></div>'}[L.caption]

    def byline_lines(self, c: "Copy") -> list[str]:
        L, b = self.layout, c.byline
        if not b.authors:
            return []
        single = L.byline_single[0 if b.kind == "two-line" else 1]
        return forms.byline_lines(b.authors, b.unit, single, L.byline_prefix)

    def byline_end(self, c: "Copy") -> str:
        L = self.layout
        out = []
        for i, line in enumerate(self.byline_lines(c)):
            text = esc(line)
            if i == 0 and L.byline_emph in ("strong", "strong_upper"):
                text = f"<strong>{text}</strong>"
            elif i == 0 and L.byline_emph in ("em", "b"):
                text = f"<{L.byline_emph}>{text}</{L.byline_emph}>"
            elif i > 0:
                text = f"<em>{text}</em>"
            out.append({"right": f'<p style="text-align:right">{text}</p>', "left": f"<p>{text}</p>",
                        "p_align_right": f'<p align="right">{text}</p>',
                        "div_right": f'<div style="text-align: right;">{text}</div>'}[L.byline_align])
        return "".join(out)

    def render_article(self, c, served: str | None = None):
        L = self.layout
        body = self.replica.body_for(c)
        cat_name = CATEGORIES[c.topic][1]
        pieces: list[str] = []
        for item in L.before_title:
            if item == "breadcrumb":
                pieces.append(f'<div{L.a("breadcrumb")}><a href="/">Trang chủ</a> » <a href="{esc(L.section_path)}">{L.section_anchor}</a>'
                              f' » <a href="{esc(self.category_path(c.topic, 1))}">{cat_name}</a></div>')
            elif item == "section_heading":
                text = {"category": cat_name, "news": L.section_anchor}.get(L.section_heading_text, L.section_heading_text)
                pieces.append(f'<{L.section_heading_tag}{L.a("heading")}>{text}</{L.section_heading_tag}>')
            elif item == "teaser" and len(self.copies) > 1:
                o = self.copies[(c.k + 1) % len(self.copies)]
                pieces.append(f'<div{L.a("teaser")}><h3><a href="{esc(self.related_href(o))}">{esc(o.title)}</a></h3>'
                              f"<p>{esc(self.replica.body_for(o).summary)}</p></div>")
        if L.date_position == "above_title":
            pieces.append(self.date_html(c))
        title_cell = L.article_table and L.title_tag == "td"
        pieces.append(f'<td{L.a("title")}>{esc(c.title)}</td>' if title_cell else f'<{L.title_tag}{L.a("title")}>{esc(c.title)}</{L.title_tag}>')
        if L.date_position == "below_title":
            pieces.append(self.date_html(c))
        pieces.append(self.meta_row(c))
        if L.toolbar_position == "below_title":
            pieces.append(self.toolbar())
        if L.byline_where == "above" and self.byline_lines(c):
            pieces.append(f'<div{L.a("byline")}>{esc(", ".join(self.byline_lines(c)))}</div>')
        if L.toolbar_position == "above_body":
            pieces.append(self.toolbar())
        sapo = self.sapo_html(body.summary)
        if not L.sapo_inside:
            pieces.append(sapo)
        paras = self.paragraphs_html(c, lambda n, cap: self.caption_html(c, n, cap), f"<p{L.p_style}>")
        end = self.byline_end(c) if L.byline_where == "end" else ""
        pieces.append(f'<{L.body_tag}{L.a("body")}>{sapo if L.sapo_inside else ""}{paras}\n{self.attribution_html(c)}{end}</{L.body_tag}>')
        if L.attachments:
            pieces.append(f'<div{L.a("attach")}>File đính kèm: <a href="/uploads/files/{self.ident(c)}.pdf">{c.slug[:40]}.pdf</a> '
                          f'<a href="/uploads/files/{self.ident(c)}.pdf">Tải về</a></div>')
        if L.date_position == "after_body":
            pieces.append(self.date_html(c))
        if L.toolbar_position == "after_body":
            pieces.append(self.toolbar())
        other = self.article_paths(c)
        if served is not None and len(other) > 1:
            pieces.append(f'<div><a href="{esc(other[1] if served == other[0] else other[0])}" rel="nofollow">Bản in</a></div>')
        if L.article_table:
            article = f'<table{L.a("article")}>' + "".join(
                f"<tr>{p}</tr>" if p.startswith("<td") else f"<tr><td>{p}</td></tr>" for p in pieces) + "</table>"
        else:
            article = f'<div{L.a("article")}>{"".join(pieces)}</div>'
        related = self.block(L.related_heading, self.dated_list(self.related_items(c, 6), L.related_markup, L.related_date)
                             + (f'<div><a href="{esc(self.listing_path(1))}">1</a> <a href="{esc(self.listing_path(2))}">2</a></div>'
                                if L.related_pager and self.n_pages(len(self.copies)) > 1 else ""), L.related_heading_tag)
        main = self.wrapped(article + ("" if L.related_in_sidebar else related))
        return self.page(self.head_title(c), main, self.head(c), related if L.related_in_sidebar else "")

    def head_title(self, c: "Copy") -> str:
        name, t = self.portal.name, c.title
        return {"headline": t, "prefix": f"{name} - {t}", "suffix_dash": f"{t} - {name}",
                "suffix_pipe": f"{t} | {name}", "generic": name}[self.layout.head_title]

    def head(self, c: "Copy") -> str:
        L, out = self.layout, ""
        if L.has_canonical:
            out += f'<link rel="canonical" href="{esc(self.canonical(c))}">'
        if L.og_title:
            out += f'<meta property="og:title" content="{esc(c.title)}">'
        if L.meta_published:
            out += f'<meta property="article:published_time" content="{c.published.isoformat()}">'
        if L.jsonld != "none":
            data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": c.title}
            if L.jsonld == "full":
                data["datePublished"] = c.published.isoformat()
            out += f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        return out

    # ---- documents ---------------------------------------------------------------------------
    def simple_page(self, heading, text):
        return self.page(f"{heading} - {self.portal.name}", self.wrapped(f"<h2>{esc(heading)}</h2><p>{esc(text)}</p>"))

    def not_found(self):
        return 404, HTML, self.simple_page("404 - Không tìm thấy trang", "Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.")

    def sitemap(self) -> Response:
        return self.document(XML, urlset([(self.base + self.preferred(c), self.lastmod(c)) for c in self.copies]), self.copies)

    def feed(self) -> Response:
        items = [(c.title, self.base + self.preferred(c), rfc822(c.published), c.title) for c in self.newest[:20]]
        return self.document(RSS, rss(self.portal.name, self.base + "/", items), self.newest[:20])

    def robots(self):
        out = "User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem\n"
        return out + (f"Sitemap: {self.base}/sitemap.xml\n" if self.layout.sitemap else "")
