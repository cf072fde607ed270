"""WordPress commune site: /YYYY/MM/<slug>/, /tin-tuc/page/N/, /feed/, /wp-sitemap.xml."""
from __future__ import annotations

import re

from portalsim.sites.base import (CATEGORIES, CLOCK, LISTS_REBUILT, RSS, TAGS, XML, Response, Site, esc,
                                  rfc822, rss, sitemapindex, urlset)
from portalsim.text import dmy, hm, words_vi

SITEMAP_CHUNK = 2000
_PAGED = re.compile(r"^/(tin-tuc|category/[a-z0-9-]+)/page/(\d+)/$")


class WordPressSite(Site):
    family = "wordpress"
    noise_query = "utm_source=facebook&utm_medium=social&fbclid=IwAR0x"
    article_validators = True      # a page-cache plugin in front of WordPress
    search_path = "/?s=thi+%C4%91ua"
    login_path = "/wp-login.php"
    contact_path = "/lien-he/"

    def article_paths(self, c):
        return [f"/{c.published.year}/{c.published.month:02d}/{c.slug}/"]

    def listing_path(self, page):
        return "/tin-tuc/" if page == 1 else f"/tin-tuc/page/{page}/"

    def category_path(self, topic, page):
        base = f"/category/{CATEGORIES[topic][0]}/"
        return base if page == 1 else f"{base}page/{page}/"

    def tag_path(self, tag):
        return f"/tag/{TAGS[tag]}/"

    def setup(self):
        self.install_common()
        search = self.exact["/"]
        self.exact["/"] = lambda q: search(q) if "s" in q else self.home(q)
        self.lists = {"tin-tuc": ("Tin tức", self.newest, self.listing_path)}
        for topic, (slug, name) in CATEGORIES.items():
            self.lists[f"category/{slug}"] = (name, self.by_cat[topic], lambda p, t=topic: self.category_path(t, p))
        for key, (name, items, url) in self.lists.items():
            self.exact[f"/{key}/"] = (lambda q, n=name, it=items, u=url: self.list_response(n, it, 1, u))
        for i, tag in enumerate(TAGS):
            self.exact[self.tag_path(i)] = (lambda q, i=i: self.list_response(
                f"Thẻ: {TAGS[i]}", self.by_tag[i][: self.page_size], 1, lambda p, i=i: self.tag_path(i)))
        self.exact["/feed/"] = self.feed
        self.exact["/wp-sitemap.xml"] = self.sitemap
        n = max(1, -(-len(self.copies) // SITEMAP_CHUNK))
        for i in range(n):
            self.exact[f"/wp-sitemap-posts-post-{i + 1}.xml"] = (lambda q, i=i: self.posts_sitemap(i))
        self.exact["/wp-sitemap-taxonomies-category-1.xml"] = lambda q: Response(200, XML, urlset(
            [(self.base + self.category_path(t, 1), LISTS_REBUILT.date().isoformat()) for t in CATEGORIES]),
            LISTS_REBUILT)
        self.n_sitemaps = n
        self.top = ('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="UTF-8">'
                    '<meta name="generator" content="WordPress 6.4.3">'
                    "<link rel='stylesheet' href='/wp-content/themes/xa-theme/style.css?ver=6.4.3' type='text/css' media='all' />"
                    f'<link rel="alternate" type="application/rss+xml" title="{esc(self.portal.name)} &raquo; Feed" href="/feed/" />')
        self.body_top = (
            '<body class="wp-singular"><div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>'
            '<div class="notice-test">Website đang chạy thử nghiệm</div>'
            f'<header id="masthead" class="site-header"><div class="top-date">{CLOCK}</div>'
            f'<p class="site-title"><a href="/" rel="home">{esc(self.portal.name)}</a></p>'
            f'<nav id="site-navigation" class="main-navigation">{self.nav_links()}</nav></header>')
        self.aside = (f'<aside id="secondary" class="widget-area"><section class="widget">{self.counter_block()}</section>'
                      f'<section class="widget">{self.banners()}</section></aside>')
        self.bottom = self.footer("Ủy ban nhân dân xã Gia Cát", "Chủ tịch UBND xã Gia Cát") + "</div></body></html>"

    def route_listing(self, path, query):
        m = _PAGED.match(path)
        if m and m.group(1) in self.lists and m.group(2) != "1":
            name, items, url = self.lists[m.group(1)]
            return self.list_response(name, items, int(m.group(2)), url)
        return None

    def wrap(self, title, main, canonical=None, head=""):
        canon = f'<link rel="canonical" href="{esc(canonical)}" />' if canonical else ""
        return (f"{self.top}<title>{esc(title)} &#8211; {esc(self.portal.name)}</title>{canon}{head}</head>{self.body_top}"
                f'<div id="content" class="site-content"><main id="primary" class="site-main">{main}</main>{self.aside}</div>{self.bottom}')

    def render_article(self, c):
        d = c.published
        with_meta = c.k % 2 == 0
        head = ""
        if with_meta:
            head = (f'<meta property="og:type" content="article" />'
                    f'<meta property="article:published_time" content="{d.isoformat()}" />')
            if c.modified:
                head += f'<meta property="article:modified_time" content="{c.modified.isoformat()}" />'
            date = f'<span class="posted-on"><time class="entry-date published">{words_vi(d)}</time></span>'
        else:
            date = f'<span class="posted-on"><time class="entry-date published">{hm(d)} | {dmy(d)}</time></span>'

        def caption(n, cap):
            e = esc(cap)
            return (f'<figure class="wp-block-image size-large"><img src="/wp-content/uploads/{d.year}/{d.month:02d}/anh-{c.story}-{n}.jpg" '
                    f'alt="{e}" title="{e}" /><figcaption class="wp-element-caption">{e}</figcaption></figure>')

        paras = self.paragraphs_html(c, caption)
        cat_slug, cat_name = CATEGORIES[c.topic]
        main = (f'<article class="post type-post status-publish format-standard"><header class="entry-header">'
                f'<h1 class="entry-title">{esc(c.title)}</h1><div class="entry-meta">{date} '
                f'<span class="cat-links"><a href="{self.category_path(c.topic, 1)}" rel="category tag">{cat_name}</a></span></div></header>'
                '<div class="share-buttons"><a href="#">Nghe đọc bài</a> <a href="#">Chia sẻ Facebook</a> <a href="#">Zalo</a></div>'
                f'<div class="entry-content">{paras}\n{self.attribution_html(c)}{self.byline_html(c)}{self.attachments_html(c)}</div>'
                f'<footer class="entry-footer">{self.tag_links(c)}</footer></article>'
                f'<div class="related-posts"><h3>Tin liên quan</h3>{self.related_ul(self.related_items(c, 5))}</div>')
        return self.wrap(c.title, main, self.canonical(c), head)

    def render_list_page(self, heading, items, pager):
        rows = "".join(
            f'<article class="post"><h2 class="entry-title"><a href="{esc(self.listing_href(c))}" rel="bookmark">{esc(c.title)}</a></h2>'
            f'<span class="posted-on">({dmy(c.published)})</span></article>' for c in items)
        return self.wrap(heading, f'<header class="page-header"><h1 class="page-title">{esc(heading)}</h1></header>{rows}'
                                  f'<nav class="navigation pagination">{pager}</nav>')

    def feed(self, q):
        items = [(c.title, self.base + self.preferred(c), rfc822(c.published), c.title) for c in self.newest[:10]]
        return self.document(RSS, rss(self.portal.name, self.base + "/", items), self.newest[:10])

    def sitemap(self, q):
        urls = [f"{self.base}/wp-sitemap-posts-post-{i + 1}.xml" for i in range(self.n_sitemaps)]
        urls.append(f"{self.base}/wp-sitemap-taxonomies-category-1.xml")
        return self.document(XML, sitemapindex(urls), self.copies)

    def posts_sitemap(self, i):
        chunk = self.copies[i * SITEMAP_CHUNK:(i + 1) * SITEMAP_CHUNK]
        return self.document(XML, urlset([(self.base + self.preferred(c), self.lastmod(c)) for c in chunk]), chunk)

    def robots(self):
        return (f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\nDisallow: /?s=\n"
                f"Sitemap: {self.base}/wp-sitemap.xml\n")
