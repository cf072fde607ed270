"""Custom ASP.NET district site (table layout): old numeric path + new slug-id, /tin-tuc/trang-N."""
from __future__ import annotations

import re

from portalsim.sites.base import CATEGORIES, CLOCK, RSS, TAGS, Site, esc, rfc822, rss
from portalsim.text import dmy, hm

ID0 = 54500
OLD_PREFIX = "/1227/27461/54439"
_PAGED = re.compile(r"^/([a-z0-9-]+)/trang-(\d+)$")


class AspNetSite(Site):
    family = "aspnet"
    has_canonical = False
    noise_query = "isFeatured=1"
    secondary_in_related = True
    search_path = "/tim-kiem?tukhoa=thi+dua"
    login_path = "/dang-nhap"
    contact_path = "/lien-he"

    def news_id(self, c) -> int:
        return ID0 + c.k * 13

    def article_paths(self, c):
        # preferred first: the new slug-id; the old numeric path second
        return [f"/tin-tuc/{c.slug}-{self.news_id(c)}", f"{OLD_PREFIX}/{self.news_id(c)}/tin-tuc/{c.slug}"]

    def listing_path(self, page):
        return "/tin-tuc" if page == 1 else f"/tin-tuc/trang-{page}"

    def category_path(self, topic, page):
        base = f"/{CATEGORIES[topic][0]}"
        return base if page == 1 else f"{base}/trang-{page}"

    def tag_path(self, tag):
        return f"/tag/{TAGS[tag]}"

    def setup(self):
        self.install_common()
        self.lists = {"tin-tuc": ("Tin tức", self.newest, self.listing_path)}
        for topic, (slug, name) in CATEGORIES.items():
            self.lists[slug] = (name, self.by_cat[topic], lambda p, t=topic: self.category_path(t, p))
        for slug, (name, items, url) in self.lists.items():
            self.exact[f"/{slug}"] = (lambda q, n=name, it=items, u=url: self.list_response(n, it, 1, u))
        for i, tag in enumerate(TAGS):
            self.exact[self.tag_path(i)] = (lambda q, i=i: self.list_response(
                f"Tag: {TAGS[i]}", self.by_tag[i][: self.page_size], 1, lambda p, i=i: self.tag_path(i)))
        self.exact["/rss/tintuc.rss"] = self.feed
        self.top = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                    '<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
                    '<link href="/App_Themes/Default/style.css" rel="stylesheet" type="text/css" />')
        self.body_top = (
            '<body><form name="form1" method="post" action="Default.aspx" id="form1"><input type="hidden" name="__VIEWSTATE" value="/wEPDwULLTE2MTY2ODcyMjlkZA==" />'
            '<table width="1000" align="center" cellpadding="0" cellspacing="0" border="0">'
            f'<tr><td colspan="2" class="header"><img src="/images/banner.jpg" alt="{esc(self.portal.name)}" />'
            f'<div class="clock">{CLOCK}</div></td></tr>'
            f'<tr><td colspan="2" class="menu">{self.nav_links()}</td></tr><tr>')
        self.aside = (f'<td width="250" valign="top" class="right"><div class="box"><div class="box-title">Tin tức</div></div>'
                      f'<div class="box"><a href="{self.login_path}">Đăng nhập</a></div>{self.counter_block()}{self.banners()}</td>')
        self.bottom = ("</tr><tr><td colspan=\"2\">" + self.footer("Ủy ban nhân dân huyện Bắc Hà", "Chánh Văn phòng HĐND và UBND huyện")
                       + "</td></tr></table></form></body></html>")

    def route_listing(self, path, query):
        m = _PAGED.match(path)
        if m and m.group(1) in self.lists and m.group(2) != "1":
            name, items, url = self.lists[m.group(1)]
            return self.list_response(name, items, int(m.group(2)), url)
        return None

    def wrap(self, title, main):
        return (f"{self.top}<title>{esc(title)}</title></head>{self.body_top}"
                f'<td width="750" valign="top" class="content">{main}</td>{self.aside}{self.bottom}')

    def render_article(self, c):
        d = c.published
        if c.k % 2 == 0:
            meta = f'<span class="date">Ngày đăng {dmy(d)} | {hm(d)} | Lượt truy cập: {c.views % 97 + 5}</span>'
        else:
            meta = f'<span class="date">{hm(d)}, {dmy(d)}</span>'

        def caption(n, cap):
            return (f'<table align="center" class="image"><tr><td><img src="/Upload/{d.year}/{d.month}/{c.story}_{n}.jpg" alt="" /></td></tr>'
                    f'<tr><td align="center"><em>{esc(cap)}</em></td></tr></table>')

        paras = self.paragraphs_html(c, caption, '<p style="text-align: justify">')
        others = self.related_items(c, 8)
        main = (f'<table width="100%"><tr><td class="news-title"><h2>{esc(c.title)}</h2></td></tr>'
                f'<tr><td class="news-info">{meta} <span class="views">Lượt xem: {c.views}</span> '
                '<span class="tools"><a href="#">Print</a><a href="#" class="aa">A</a><a href="#" class="aa">a</a><a href="#" class="aa">a</a></span></td></tr>'
                f'<tr><td class="news-content">{paras}\n{self.attribution_html(c)}{self.byline_html(c)}{self.attachments_html(c)}</td></tr></table>'
                f'<div class="other-news"><h3>Tin khác</h3>{self.related_ul(others)}'
                f'<div class="pager"><a href="{self.listing_path(1)}">1</a> <a href="{self.listing_path(2)}">2</a></div></div>')
        return self.wrap(c.title, main)

    def render_list_page(self, heading, items, pager):
        rows = "".join(
            f'<tr><td class="list-title"><a href="{esc(self.listing_href(c))}">{esc(c.title)}</a> '
            f'<span class="date">({dmy(c.published)})</span></td></tr>' for c in items)
        return self.wrap(heading, f'<h2 class="cat-title">{esc(heading)}</h2><table width="100%">{rows}</table>{pager}')

    def feed(self, q):
        items = [(c.title, self.base + self.preferred(c), rfc822(c.published), c.title) for c in self.newest[:20]]
        return self.document(RSS, rss(self.portal.name, self.base + "/", items), self.newest[:20])

    def robots(self):
        return "User-agent: *\nDisallow: /dang-nhap\nDisallow: /tim-kiem\nDisallow: /Admin/\n"
