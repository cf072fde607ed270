"""VNPT vnPortal department site: /<cat>/<slug>-<longid>.htm, category pages ?page=N, urlset of sitemaps."""
from __future__ import annotations

from portalsim.sites.base import (CATEGORIES, CLOCK, LISTS_REBUILT, TAGS, XML, Response, Site, esc, page_of,
                                  urlset)
from portalsim.text import dmy, hm, long_vi

LONGID0 = 1197524100000
TENANT = "yenbai-skhcn"
SITEMAP_CHUNK = 1000


class VnPortalSite(Site):
    family = "vnportal"
    shows_summary = True
    noise_query = "utm_source=zalo&utm_medium=social"
    search_path = "/tim-kiem?q=thi+%C4%91ua"
    login_path = "/dang-nhap"
    contact_path = "/lien-he"

    def longid(self, c) -> int:
        return LONGID0 + c.k * 7919

    def article_paths(self, c):
        return [f"/{CATEGORIES[c.topic][0]}/{c.slug}-{self.longid(c)}.htm"]

    def listing_path(self, page):
        return self.category_path("thidua", page)

    def category_path(self, topic, page):
        base = f"/{CATEGORIES[topic][0]}"
        return base if page == 1 else f"{base}?page={page}"

    def listing_urls(self):
        return [u for u in super().listing_urls()]

    def tag_path(self, tag):
        return f"/tag/{TAGS[tag]}.htm"

    def setup(self):
        self.install_common()
        for topic, (slug, name) in CATEGORIES.items():
            self.exact[f"/{slug}"] = (lambda q, t=topic, n=name: self.paged(
                q, n, self.by_cat[t], lambda p, t=t: self.category_path(t, p)))
        for i, tag in enumerate(TAGS):
            self.exact[self.tag_path(i)] = (lambda q, i=i: self.list_response(
                f"Tag: {TAGS[i]}", self.by_tag[i][: self.page_size], 1, lambda p, i=i: self.tag_path(i)))
        self.exact["/sitemap.xml"] = self.sitemap
        self.chunks: dict[str, list] = {}
        for topic, (slug, _) in CATEGORIES.items():
            items = self.by_cat[topic][::-1]
            for i in range(max(1, -(-len(items) // SITEMAP_CHUNK))):
                self.chunks[f"/sitemaps/sitemap-{slug}-{i + 1}.xml"] = items[i * SITEMAP_CHUNK:(i + 1) * SITEMAP_CHUNK]
        for path, items in self.chunks.items():
            self.exact[path] = (lambda q, items=items: self.document(XML, urlset(
                [(self.base + self.preferred(c), self.lastmod(c)) for c in items]), items))
        self.top = ('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">'
                    f'<link rel="stylesheet" href="http://{self.replica.asset_host}/{TENANT}/css/portal.css">')
        self.body_top = (
            f'<body><div class="header"><div class="top-bar"><span class="today">{CLOCK}</span>'
            '<span class="lang"><a href="/">VI</a> | <a href="/en">EN</a></span></div>'
            f'<div class="logo"><a href="/"><img src="http://{self.replica.asset_host}/{TENANT}/logo.png" alt="{esc(self.portal.name)}"></a></div>'
            f'<div class="main-menu">{self.nav_links()}</div></div>')
        self.aside = f'<div class="col-right">{self.counter_block()}{self.banners()}</div>'
        self.bottom = self.footer("Sở Khoa học và Công nghệ tỉnh Yên Bái", "Giám đốc Sở Khoa học và Công nghệ") + "</body></html>"

    def paged(self, q, heading, items, url):
        page = page_of(q, "page")
        return self.list_response(heading, items, page, url) if page else self.not_found()

    def home(self, q):
        return self.list_response("Tin mới nhất", self.newest, 1, lambda p: self.category_path("thidua", p))

    def sitemap(self, q):
        # the "flat" variant: a <urlset> whose <loc> entries are other sitemap files, dated when
        # the lists were rebuilt, or by the next day's newest change to an article they list
        dated = {p: max([LISTS_REBUILT] + [self.changed_at(c) for c in items if self.of_next_day(c)])
                 for p, items in self.chunks.items()}
        return Response(200, XML, urlset([(self.base + p, d.date().isoformat()) for p, d in dated.items()]),
                        max(dated.values()))

    def wrap(self, title, main, canonical=None):
        canon = f'<link rel="canonical" href="{esc(canonical)}">' if canonical else ""
        return (f"{self.top}<title>{esc(title)}</title>{canon}</head>{self.body_top}"
                f'<div class="container"><div class="col-main">{main}</div>{self.aside}</div>{self.bottom}')

    def render_article(self, c):
        d = c.published
        body = self.replica.body_for(c)
        date = f"{hm(d)} {dmy(d)}" if c.k % 2 else long_vi(d)

        def caption(n, cap):
            e = esc(cap)
            return (f'<figure class="image"><img src="http://{self.replica.asset_host}/{TENANT}/{d.year}_{d.month:02d}/{c.story}-{n}.jpg" '
                    f'alt="{e}" title="{e}"><figcaption>{e}</figcaption></figure>')

        paras = self.paragraphs_html(c, caption, '<p style="text-align: justify;">')
        cat_slug, cat_name = CATEGORIES[c.topic]
        same_cat = [o for o in self.related_items(c, 12) if o.topic == c.topic][:5] or self.related_items(c, 5)
        main = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> / <a href="/{cat_slug}">{cat_name}</a></div>'
                f'<div class="news-detail"><h1 class="title-detail">{esc(c.title)}</h1>'
                f'<div class="info-detail"><span class="time">{date}</span> <span class="views">Lượt xem: {c.views}</span></div>'
                f'<div class="sapo"><strong>{esc(body.summary)}</strong></div>'
                f'<div class="content-detail">{paras}\n{self.attribution_html(c)}{self.byline_html(c)}{self.attachments_html(c)}</div>{self.tag_links(c)}</div>'
                f'<div class="other-news"><h3>Tin cùng chuyên mục</h3>{self.related_ul(same_cat)}</div>')
        return self.wrap(c.title, main, self.canonical(c))

    def render_list_page(self, heading, items, pager):
        rows = "".join(
            f'<div class="list-news-item"><a class="title" href="{esc(self.listing_href(c))}">{esc(c.title)}</a>'
            f'<span class="date">({dmy(c.published)})</span></div>' for c in items)
        return self.wrap(heading, f'<h2 class="cat-title">{esc(heading)}</h2><div class="list-news">{rows}</div>{pager}')

    def robots(self):
        return (f"User-agent: *\nDisallow: /dang-nhap\nDisallow: /tim-kiem\nDisallow: /admin\n"
                f"Sitemap: {self.base}/sitemap.xml\n")
