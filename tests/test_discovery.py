"""URL canonicalisation and link classification: the crawler's notion of "the same page"."""
from __future__ import annotations

import gzip

import pytest

from crawler.discovery import LinkRules, PageKind, is_pagination_of, read_feed, read_sitemap
from crawler.urls import canonicalize


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTP://WWW.Langson.gov.vn:80/tin-tuc/a?utm_source=fb&isFeatured=1&b=2&a=1#top",
     "https://langson.gov.vn/tin-tuc/a?a=1&b=2"),
    ("https://langson.gov.vn/tin-tuc/a?fbclid=x", "https://langson.gov.vn/tin-tuc/a"),
    ("http://langson.gov.vn", "https://langson.gov.vn/"),
])
def test_canonicalize_folds_scheme_alias_noise_and_fragment(url, expected):
    assert canonicalize(url, host_map={"www.langson.gov.vn": "langson.gov.vn"}, scheme="https") == expected


def test_canonicalize_keeps_content_parameters():
    url = "https://x.gov.vn/Pages/chi-tiet-tin.aspx?l=TinTuc&ItemID=5"
    assert canonicalize(url) == "https://x.gov.vn/Pages/chi-tiet-tin.aspx?ItemID=5&l=TinTuc"


@pytest.mark.parametrize(("family", "path", "kind"), [
    ("drupal", "/node/123", PageKind.ARTICLE),
    ("drupal", "/tin-tuc?page=2", PageKind.LISTING),
    ("sharepoint", "/portal/Pages/2021-5-7/Hoi-nghi-so-ket-thi-dua-abc12.aspx", PageKind.ARTICLE),
    ("sharepoint", "/Pages/chi-tiet-tin.aspx?ItemID=44&l=TinTuc", PageKind.ARTICLE),
    ("sharepoint", "/portal/Pages/Tin-tuc.aspx?PageIndex=3", PageKind.LISTING),
    ("liferay", "/web/guest/tin-tuc/-/asset_publisher/AbCd123/content/hoi-nghi", PageKind.ARTICLE),
    ("vnportal", "/tin-tuc/hoi-nghi-so-ket-thi-dua-khen-thuong-1105750123.htm", PageKind.ARTICLE),
    ("aspnet", "/1227/27461/54439/293909/tin-tuc/hoi-nghi-so-ket", PageKind.ARTICLE),
    ("aspnet", "/tin-tuc/trang-2", PageKind.LISTING),
    ("wordpress", "/2023/07/hoi-nghi-so-ket/", PageKind.ARTICLE),
    ("wordpress", "/tin-tuc/page/4/", PageKind.LISTING),
    ("auto", "/user/login", PageKind.OTHER),
    ("auto", "/search?q=thi+dua", PageKind.OTHER),
    ("auto", "/tag/thi-dua-khen-thuong-nam-2023/", PageKind.OTHER),
    ("auto", "/van-ban/quyet-dinh-so-12.pdf", PageKind.OTHER),
    ("auto", "/thong-tin-chi-dao-dieu-hanh", PageKind.OTHER),
])
def test_link_classification(family, path, kind):
    assert LinkRules(family=family).classify("https://x.gov.vn" + path) is kind


def test_pagination_belongs_to_its_listing():
    assert is_pagination_of("https://x.gov.vn/tin-tuc", "https://x.gov.vn/tin-tuc?page=3")
    assert is_pagination_of("https://x.gov.vn/tin-tuc/trang-2", "https://x.gov.vn/tin-tuc/trang-3")
    assert not is_pagination_of("https://x.gov.vn/tin-tuc", "https://x.gov.vn/thong-bao?page=3")


def test_sitemap_index_gzip_child_and_flat_urlset_of_sitemaps():
    index = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<sitemap><loc>https://x.gov.vn/sitemap-1.xml.gz</loc></sitemap></sitemapindex>")
    assert [(e.url, e.is_sitemap) for e in read_sitemap(index)] == [("https://x.gov.vn/sitemap-1.xml.gz", True)]
    flat = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://x.gov.vn/sitemaps/news-1.xml</loc></url>"
            b"<url><loc>https://x.gov.vn/tin-tuc/a-b-c-d-123456.htm</loc><lastmod>2024-01-02</lastmod></url>"
            b"</urlset>")
    entries = list(read_sitemap(gzip.decompress(gzip.compress(flat))))
    assert [(e.is_sitemap, e.lastmod) for e in entries] == [(True, None), (False, "2024-01-02")]


def test_feeds_rss_and_atom():
    rss = b"<rss><channel><link>https://x/</link><item><link>https://x/a</link></item></channel></rss>"
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://x/"/>'
            b'<entry><link href="/b" rel="alternate"/></entry></feed>')
    assert read_feed(rss, "https://x/") == ["https://x/a"]
    assert read_feed(atom, "https://x/") == ["https://x/b"]
