"""Liferay 7 province portal: asset_publisher content URLs + /-/view_content/<id>-<slug>.html."""
from __future__ import annotations

import hashlib

from portalsim.sites.base import (CATEGORIES, CLOCK, TAGS, XML, Site, esc, page_of,
                                  sitemapindex, urlset)
from portalsim.text import dmy, hm

INSTANCE = "AbCd123"
PORTLET = f"com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_{INSTANCE}"
ID0 = 1234500
SITEMAP_CHUNK = 1000
GROUP = "20121"


def layout_uuid(i: int) -> str:
    h = hashlib.md5(f"liferay-layout-{i}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class LiferaySite(Site):
    family = "liferay"
    shows_summary = True
    noise_query = "inheritRedirect=true&redirect=%2Fweb%2Fguest%2Ftin-tuc"
    secondary_in_related = True
    extra_non_article = ("/web/guest",)
    search_path = "/web/guest/tim-kiem?q=thi+%C4%91ua"
    login_path = "/c/portal/login"
    contact_path = "/web/guest/lien-he"

    def article_id(self, c) -> int:
        return ID0 + c.k * 7

    def article_paths(self, c):
        return [f"/web/guest/tin-tuc/-/asset_publisher/{INSTANCE}/content/{c.slug}",
                f"/-/view_content/{self.article_id(c)}-{c.slug}.html"]

    def _list(self, base, page):
        if page == 1:
            return base
        return (f"{base}?p_p_id={PORTLET}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
                f"&_{PORTLET}_cur={page}&_{PORTLET}_delta=10")

    def listing_path(self, page):
        return self._list("/web/guest/tin-tuc", page)

    def category_path(self, topic, page):
        return self._list(f"/web/guest/{CATEGORIES[topic][0]}", page)

    def tag_path(self, tag):
        return f"/web/guest/tin-tuc/-/tags/{TAGS[tag]}"

    def setup(self):
        self.install_common()
        self.exact["/web/guest/tin-tuc"] = lambda q: self.paged(q, "Tin tức", self.newest, self.listing_path)
        self.exact["/web/guest"] = self.home
        for topic, (slug, name) in CATEGORIES.items():
            self.exact[f"/web/guest/{slug}"] = (lambda q, t=topic, n=name: self.paged(
                q, n, self.by_cat[t], lambda p, t=t: self.category_path(t, p)))
        for i, tag in enumerate(TAGS):
            self.exact[self.tag_path(i)] = (lambda q, i=i: self.list_response(
                f"Từ khóa: {TAGS[i]}", self.by_tag[i][: self.page_size], 1, lambda p, i=i: self.tag_path(i)))
        self.exact["/sitemap.xml"] = self.sitemap
        self.n_chunks = max(1, -(-len(self.copies) // SITEMAP_CHUNK))
        self.uuids = {layout_uuid(i): i for i in range(self.n_chunks)}
        self.top = ('<!DOCTYPE html>\n<html class="aui ltr" dir="ltr" lang="vi-VN"><head><meta charset="utf-8">'
                    '<meta content="initial-scale=1.0, width=device-width" name="viewport">'
                    '<script>var themeDisplay = Liferay.ThemeDisplay = {getCompanyId: function() {return "20097";}, '
                    f'getScopeGroupId: function() {{return "{GROUP}";}}, getLanguageId: function() {{return "vi_VN";}}, '
                    'getPathThemeImages: function() {return "/o/hungyen-theme/images";}};</script>')
        self.body_top = (
            '<body class="controls-visible signed-out public-page site"><a href="#main-content" id="skip-to-content" class="sr-only">Truy cập nội dung luôn</a>'
            f'<div id="wrapper"><header id="banner"><div class="slogan">Quyết tâm thực hiện thắng lợi Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX, nhiệm kỳ 2020 - 2025</div>'
            f'<div class="date-time">{CLOCK}</div><div class="lang"><a href="/vi"><img alt="Tiếng Việt" src="/o/hungyen-theme/images/vn.png"></a><a href="/en"><img alt="English" src="/o/hungyen-theme/images/en.png"></a></div>'
            f'<h1 class="site-title"><a href="/web/guest">{esc(self.portal.name)}</a></h1><nav id="navigation">{self.nav_links()}</nav></header>')
        self.aside = f'<div class="col-md-4 portlet-column">{self.counter_block("NGƯỜI ONLINE")}{self.banners()}</div>'
        self.bottom = self.footer("Ủy ban nhân dân tỉnh Hưng Yên", "Chánh Văn phòng UBND tỉnh Hưng Yên") + "</div></body></html>"

    def paged(self, q, heading, items, url):
        key = f"_{PORTLET}_cur"
        page = page_of(q, key) if q.get("p_p_id", PORTLET) == PORTLET else None
        return self.list_response(heading, items, page, url) if page else self.not_found()

    def handle(self, path, query_string):
        if path == "/sitemap.xml" and "layoutUuid" in query_string:
            from urllib.parse import parse_qsl
            q = dict(parse_qsl(query_string))
            i = self.uuids.get(q.get("layoutUuid", ""))
            if i is None or q.get("groupId") != GROUP:
                return self.not_found()
            chunk = self.copies[i * SITEMAP_CHUNK:(i + 1) * SITEMAP_CHUNK]
            return self.document(XML, urlset([(self.base + self.preferred(c), self.lastmod(c)) for c in chunk]), chunk)
        return super().handle(path, query_string)

    def sitemap(self, q):
        return self.document(XML, sitemapindex([
            f"{self.base}/sitemap.xml?layoutUuid={u}&groupId={GROUP}&privateLayout=false" for u in self.uuids]),
            self.copies)

    def wrap(self, title, main, canonical=None):
        canon = f'<link rel="canonical" href="{esc(canonical)}">' if canonical else ""
        return (f"{self.top}<title>{esc(title)} - {esc(self.portal.name)}</title>{canon}</head>{self.body_top}"
                f'<section id="content"><div class="row"><div class="col-md-8 portlet-column" id="main-content">'
                f'<section class="portlet" id="portlet_{PORTLET}"><div class="portlet-content">{main}</div></section></div>{self.aside}</div></section>{self.bottom}')

    def render_article(self, c):
        d = c.published
        body = self.replica.body_for(c)

        def caption(n, cap):
            return (f'<p style="text-align:center"><img alt="" src="/documents/20121/0/anh-{c.story}-{n}.jpg"></p>'
                    f'<p style="text-align:center"><em>{esc(cap)}</em></p>')

        paras = self.paragraphs_html(c, caption, '<p style="text-align:justify">')
        main = (f'<div class="asset-full-content"><h3 class="header-title"><span>{esc(c.title)}</span></h3>'
                f'<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">{dmy(d)} {hm(d)}</span></div>'
                '<div class="taglib-social-bookmarks"><a href="#">Nghe đọc bài</a> <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">In bài viết</a></div>'
                f'<div class="asset-summary"><strong>{esc(body.summary)}</strong></div>'
                f'<div class="asset-content"><div class="journal-content-article">{paras}\n{self.attribution_html(c)}{self.byline_html(c)}{self.attachments_html(c)}</div></div>'
                f'{self.tag_links(c)}</div>'
                f'<div class="asset-related"><h4>Tin liên quan</h4>{self.related_ul(self.related_items(c, 5))}</div>')
        return self.wrap(c.title, main, self.canonical(c))

    def render_list_page(self, heading, items, pager):
        rows = "".join(
            f'<div class="asset-abstract"><h3 class="asset-title"><a href="{esc(self.listing_href(c))}">{esc(c.title)}</a></h3>'
            f'<span class="date">{dmy(c.published)} {hm(c.published)}</span></div>' for c in items)
        return self.wrap(heading, f'<h2 class="portlet-title">{esc(heading)}</h2><div class="asset-publisher">{rows}</div>{pager}')

    def robots(self):
        return (f"User-agent: *\nDisallow: /c/\nDisallow: /group/\nDisallow: /web/guest/tim-kiem\n"
                f"Sitemap: {self.base}/sitemap.xml\n")
