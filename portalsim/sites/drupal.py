"""Drupal 9 department site (Sở Nội vụ): /tin-tuc/<slug> alias + /node/<nid>, ?page=N (0-based)."""
from __future__ import annotations

from portalsim.sites.base import (CATEGORIES, CLOCK, RSS, TAGS, XML, Site, esc, gz, page_of,
                                  rfc822, rss, sitemapindex, urlset)
from portalsim.text import drupal_medium

NID0 = 2150
SITEMAP_CHUNK = 2000


class DrupalSite(Site):
    family = "drupal"
    noise_query = "isFeatured=1"
    secondary_in_related = True
    article_validators = True      # Drupal's page cache
    search_path = "/search/node?keys=thi+%C4%91ua"
    login_path = "/user/login"
    contact_path = "/lien-he"

    def nid(self, c) -> int:
        return NID0 + c.k * 3 + (c.story % 3)

    def article_paths(self, c):
        return [f"/tin-tuc/{c.slug}", f"/node/{self.nid(c)}"]

    def listing_path(self, page):
        return "/tin-tuc" if page == 1 else f"/tin-tuc?page={page - 1}"

    def category_path(self, topic, page):
        base = f"/chuyen-muc/{CATEGORIES[topic][0]}"
        return base if page == 1 else f"{base}?page={page - 1}"

    def tag_path(self, tag):
        return f"/tags/{TAGS[tag]}"

    def setup(self):
        # the copies of the replica before its next day: the feed they filled tagged some links
        self.n_base = sum(1 for c in self.copies if c.story < self.replica.n_articles)
        self.install_common()
        self.exact["/rss.xml"] = self.feed
        self.exact["/sitemap.xml"] = self.sitemap_index
        n_chunks = max(1, -(-len(self.copies) // SITEMAP_CHUNK))
        for i in range(n_chunks):
            self.exact[f"/sitemap-{i + 1}.xml.gz"] = (lambda q, i=i: self.sitemap_child(i))
        self.exact["/tin-tuc"] = lambda q: self.paged(q, "Tin tức", self.newest, self.listing_path)
        for topic, (slug, name) in CATEGORIES.items():
            self.exact[f"/chuyen-muc/{slug}"] = (
                lambda q, t=topic, n=name: self.paged(q, n, self.by_cat[t], lambda p, t=t: self.category_path(t, p)))
        for i, tag in enumerate(TAGS):
            self.exact[f"/tags/{tag}"] = (lambda q, i=i: self.list_response(
                f"Tag: {TAGS[i]}", self.by_tag[i][: self.page_size], 1, lambda p, i=i: self.tag_path(i)))
        self.top = (
            '<!DOCTYPE html>\n<html lang="vi" dir="ltr"><head><meta charset="utf-8">'
            '<meta name="Generator" content="Drupal 9 (https://www.drupal.org)">'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">'
            '<link rel="stylesheet" href="/sites/default/files/css/css_x1.css">')
        self.body_top = (
            '<body class="path-node"><a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>'
            '<div class="dialog-off-canvas-main-canvas"><div class="slogan-banner">Quyết tâm thực hiện thắng lợi Nghị quyết Đại hội Đảng bộ tỉnh Lạng Sơn lần thứ XVII, nhiệm kỳ 2020 - 2025</div>'
            f'<header role="banner"><div class="site-branding"><a href="/" rel="home">{esc(self.portal.name)}</a></div>'
            f'<div class="clock">{CLOCK}</div><nav role="navigation">{self.nav_links()}</nav></header>')
        self.aside = (f'<aside class="sidebar">{self.counter_block()}{self.banners()}</aside>')
        self.bottom = self.footer("Sở Nội vụ tỉnh Lạng Sơn", "Giám đốc Sở Nội vụ") + "</div></body></html>"

    def paged(self, q, heading, items, url):
        page = page_of(q, "page", zero_based=True)
        return self.list_response(heading, items, page, url) if page else self.not_found()

    def wrap(self, title, main, canonical=None):
        canon = f'<link rel="canonical" href="{esc(canonical)}">' if canonical else ""
        return (f"{self.top}<title>{esc(title)} | {esc(self.portal.name)}</title>{canon}</head>"
                f'{self.body_top}<main role="main"><a id="main-content" tabindex="-1"></a>'
                f'<div class="layout-content">{main}</div>{self.aside}</main>{self.bottom}')

    def render_article(self, c):
        d = c.published
        if c.k % 2 == 0:
            meta = (f'<div class="node__meta"><span class="label">Create:</span> <span class="date">{drupal_medium(d)}</span><br>'
                    '<span class="label">Author:</span> <span class="author">admin</span></div>')
        else:
            meta = (f'<div class="node__submitted">Submitted by <span class="username">admin</span> on '
                    f'<span class="date">{drupal_medium(d)}</span></div>')

        def caption(n, cap):
            return (f'<p style="text-align:center"><img alt="{n:02d}" src="/sites/default/files/{d.year}-{d.month:02d}/{n:02d}.jpg" width="600"></p>'
                    f'<p style="text-align:center"><em>{esc(cap)}</em></p>')

        p_open = '<p style="text-align:justify">&nbsp; &nbsp; &nbsp; ' if c.k % 3 == 0 else '<p style="text-align:justify">'
        body = self.paragraphs_html(c, caption, p_open)
        tools = ('<div class="article-tools"><a href="#" class="night-mode">Chế độ ban đêm</a> <a href="javascript:window.print()">In trang</a> '
                 '<a href="#" class="export-pdf">Xuất PDF</a> <a href="#" class="tts">Đọc nội dung</a></div>'
                 '<div class="font-size"><a href="#">-A</a> <a href="#">A</a> <a href="#">+A</a></div>')
        related = self.related_items(c, 6)
        main = (f'{tools}<article class="node node--type-article"><h1 class="page-title"><span class="field--name-title">{esc(c.title)}</span></h1>'
                f'{meta}<div class="field--name-body field--type-text-with-summary">{body}\n{self.attribution_html(c)}{self.byline_html(c)}{self.attachments_html(c)}</div>'
                f'<div class="field--name-field-tags">{self.tag_links(c)}</div></article>'
                f'<section class="block-views-block-tin-khac"><h2>Tin khác</h2>{self.related_ul(related)}'
                f'<nav class="pager"><a href="{self.listing_path(1)}">1</a> <a href="{self.listing_path(2)}">2</a></nav></section>')
        return self.wrap(c.title, main, self.canonical(c))

    def render_list_page(self, heading, items, pager):
        rows = "".join(
            f'<div class="views-row"><h3 class="title"><a href="{esc(self.listing_href(c))}">{esc(c.title)}</a></h3>'
            f'<span class="date">({c.published.day:02d}/{c.published.month:02d}/{c.published.year})</span></div>' for c in items)
        return self.wrap(heading, f'<h1 class="page-title">{esc(heading)}</h1><div class="view-content">{rows}</div>{pager}')

    def feed(self, q):
        items = []
        for c in self.newest[:20]:
            link = self.base + self.preferred(c)
            if c.k % 4 == 0:
                link += "?utm_source=rss&utm_medium=feed"
            items.append((c.title, link, rfc822(c.published), c.title))
        return self.document(RSS, rss(self.portal.name, self.base + "/", items), self.newest[:20])

    def in_feed(self, c, n_copies):
        """Whether the feed of a portal with `n_copies` copies tags c's link."""
        return n_copies - 20 <= c.k < n_copies and c.k % 4 == 0

    def truth_urls(self, c):
        urls = super().truth_urls(c)
        # a link the base replica's feed gave out still serves the story on the next day
        if self.in_feed(c, len(self.copies)) or self.in_feed(c, self.n_base):
            urls.append(self.base + self.preferred(c) + "?utm_source=rss&utm_medium=feed")
        return urls

    def sitemap_index(self, q):
        n = max(1, -(-len(self.copies) // SITEMAP_CHUNK))
        return self.document(XML, sitemapindex([f"{self.base}/sitemap-{i + 1}.xml.gz" for i in range(n)]), self.copies)

    def sitemap_child(self, i):
        chunk = self.copies[i * SITEMAP_CHUNK:(i + 1) * SITEMAP_CHUNK]
        urls = [(self.base + self.article_paths(c)[1 if c.k % 3 == 0 else 0], self.lastmod(c)) for c in chunk]
        return self.document("application/x-gzip", gz(urlset(urls)), chunk)

    def robots(self):
        return ("User-agent: *\nCrawl-delay: 1\nDisallow: /admin/\nDisallow: /search/\nDisallow: /user/login\n"
                "Disallow: /user/register\nDisallow: /node/add/\n"
                f"Sitemap: {self.base}/sitemap.xml\n")
