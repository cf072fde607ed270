"""SharePoint 2013 province portal, "tandan" vocabulary: dated page URLs + chi-tiet-tin.aspx?ItemID=N."""
from __future__ import annotations

import hashlib

from portalsim.sites.base import CATEGORIES, CLOCK, HTML, TAGS, Site, esc, page_of
from portalsim.text import dmy, hm

ITEM0 = 300
CAT_PAGES = {"thidua": "Thi-dua-khen-thuong", "cds": "Chuyen-doi-so", "ntm": "Nong-thon-moi"}


class SharePointSite(Site):
    family = "sharepoint"
    has_canonical = False
    shows_summary = True
    page_size = 15
    noise_query = "isFeatured=1"
    secondary_in_related = True
    extra_non_article = ("/portal",)
    search_path = "/portal/Pages/Tim-kiem.aspx?k=thi%20%C4%91ua"
    login_path = "/_layouts/15/Authenticate.aspx?Source=%2Fportal"
    contact_path = "/portal/Pages/Lien-he.aspx"

    def item_id(self, c) -> int:
        return ITEM0 + c.k

    def article_paths(self, c):
        d = c.published
        words = c.slug.split("-")[:12]
        slug = "-".join(w.capitalize() if i == 0 else w for i, w in enumerate(words))
        code = hashlib.md5(f"{c.story}:{c.portal}".encode()).hexdigest()[:6]
        return [f"/portal/Pages/{d.year}-{d.month}-{d.day}/{slug}-{code}.aspx",
                f"/Pages/chi-tiet-tin.aspx?ItemID={self.item_id(c)}&l=TinTuc"]

    def listing_path(self, page):
        return "/portal/Pages/Tin-tuc.aspx" if page == 1 else f"/portal/Pages/Tin-tuc.aspx?PageIndex={page}"

    def category_path(self, topic, page):
        base = f"/portal/Pages/{CAT_PAGES[topic]}.aspx"
        return base if page == 1 else f"{base}?PageIndex={page}"

    def tag_path(self, tag):
        return f"/portal/Pages/Tu-khoa.aspx?tag={TAGS[tag]}"

    def setup(self):
        self.install_common()
        self.exact["/portal/Pages/Tin-tuc.aspx"] = lambda q: self.paged(q, "Tin tức", self.newest, self.listing_path)
        for topic, page in CAT_PAGES.items():
            self.exact[f"/portal/Pages/{page}.aspx"] = (lambda q, t=topic: self.paged(
                q, CATEGORIES[t][1], self.by_cat[t], lambda p, t=t: self.category_path(t, p)))
        self.exact["/portal/Pages/Tu-khoa.aspx"] = self.tag_page
        self.exact["/portal"] = self.home
        self.by_item = {self.item_id(c): c for c in self.copies}
        self.top = ('<!DOCTYPE html>\n<html dir="ltr" lang="vi-VN"><head><meta charset="utf-8">'
                    '<meta http-equiv="X-UA-Compatible" content="IE=10"><meta name="GENERATOR" content="Microsoft SharePoint">'
                    '<link rel="stylesheet" href="/_layouts/15/1066/styles/Themable/corev15.css">')
        self.body_top = (
            '<body><form method="post" action="./" id="aspnetForm"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIBD2QWBAIBD2QWAgIDDxYCHgdWaXNpYmxlaGQCAw9kFgICAQ9kFgI=">'
            '<div class="tandan-header"><div class="tandan-test-banner">Website đang chạy thử nghiệm</div>'
            '<div class="tandan-lang"><a href="/portal"><img src="/PublishingImages/flag-vn.png" alt="Tiếng Việt"></a> <a href="/en"><img src="/PublishingImages/flag-en.png" alt="English"></a></div>'
            f'<div class="tandan-clock">{CLOCK}</div><div class="tandan-logo"><a href="/portal">{esc(self.portal.name)}</a></div>'
            f'<div class="tandan-menu">{self.nav_links()}</div></div>')
        self.aside = f'<div class="tandan-right">{self.counter_block("Số lượt truy cập")}{self.banners()}</div>'
        self.bottom = self.footer("Ủy ban nhân dân tỉnh Lào Cai", "Chánh Văn phòng UBND tỉnh") + "</form></body></html>"

    def route_query(self, path, query):
        if path == "/Pages/chi-tiet-tin.aspx":
            raw = query.get("ItemID", "")
            c = self.by_item.get(int(raw)) if raw.isdigit() else None
            if c is not None and query.get("l") == "TinTuc":
                served = self.article_paths(c)[1]
                return 200, HTML, self.with_other_path_link(self.render_article(c), c, served)
        return None

    def paged(self, q, heading, items, url):
        page = page_of(q, "PageIndex")
        return self.list_response(heading, items, page, url) if page else self.not_found()

    def tag_page(self, q):
        tag = q.get("tag")
        if tag not in TAGS:
            return self.not_found()
        i = TAGS.index(tag)
        return self.list_response(f"Từ khóa: {tag}", self.by_tag[i][: self.page_size], 1, lambda p: self.tag_path(i))

    def wrap(self, title, main):
        return (f"{self.top}<title>{esc(title)}</title></head>{self.body_top}"
                f'<div class="tandan-body"><div class="tandan-main">{main}</div>{self.aside}</div>{self.bottom}')

    def render_article(self, c):
        d = c.published
        body = self.replica.body_for(c)

        def caption(n, cap):
            return (f'<table class="tandan-image" align="center"><tbody><tr><td><img src="/portal/PublishingImages/{d.year}/{n:02d}.jpg" alt="">'
                    f'</td></tr><tr><td><p style="text-align:center"><em>{esc(cap)}</em></p></td></tr></tbody></table>')

        paras = self.paragraphs_html(c, caption, '<p style="text-align:justify">')
        others = self.related_items(c, 8)
        main = (f'<div class="tandan-p-article"><h1 class="tandan-p-article-news-title">{esc(c.title)}</h1>'
                f'<div class="tandan-article-info"><span class="tandan-span-date-publish">Đăng ngày {dmy(d)} {hm(d)}</span>'
                '<span class="tandan-tools"><a href="#">Print</a><a href="#">A</a><a href="#">a</a><a href="#">a</a> '
                '<a href="#" class="share-fb">Chia sẻ</a> <a href="mailto:?subject=tin">Gửi email</a></span></div>'
                f'<div class="tandan-p-article-summary"><p>{esc(body.summary)}</p></div>'
                f'<div class="tandan-p-article-main"><div class="ms-rtestate-field">{paras}\n{self.attribution_html(c)}{self.byline_html(c)}{self.attachments_html(c)}</div></div>'
                f'{self.tag_links(c)}</div>'
                f'<div class="tandan-div-article-other"><h3>Các tin đã đưa</h3>{self.related_ul(others, "channel-news-title")}</div>')
        return self.wrap(c.title, main)

    def render_list_page(self, heading, items, pager):
        rows = "".join(
            f'<div class="channel-news-item"><div class="channel-news-title"><a href="{esc(self.listing_href(c))}">{esc(c.title)}</a></div>'
            f'<span class="channel-news-date">({dmy(c.published)})</span></div>' for c in items)
        return self.wrap(heading, f'<h2 class="tandan-channel-title">{esc(heading)}</h2><div class="channel-news">{rows}</div>{pager}')

    def robots(self):
        return ("User-agent: *\nDisallow: /_layouts/\nDisallow: /_vti_bin/\nDisallow: /portal/Pages/Tim-kiem.aspx\n"
                "Disallow: /portal/Lists/\n")
