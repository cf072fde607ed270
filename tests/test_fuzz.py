"""Fuzzing what hostile servers feed the crawler (issue 15 item 8): URLs from their links, and
sitemap and feed bodies. Budget: 400 examples per property (about 10 s on this machine).

* canonicalize: never raises on any link a page may hold, is idempotent, and keeps the host;
* read_sitemap / read_feed: on any body, entries or the errors the spider records (ValueError,
  lxml's errors), never anything else, and only the <loc>/<link> values the body holds.
"""
from __future__ import annotations

import lxml.etree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discovery import read_feed, read_sitemap
from crawler.urls import canonicalize

BUDGET = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RECORDED = (ValueError, lxml.etree.LxmlError)  # what parse_sitemap records as an unreadable sitemap

_URL_CHARS = st.sampled_from(list("abcz09-._~:/?#[]@!$&'()*+,;=% ") + ["%2F", "%zz", "ư", "đ", "\u200b", "\t", ".."])
_PATH = st.lists(_URL_CHARS, max_size=40).map("".join)
_QUERY = st.lists(st.tuples(st.sampled_from(["sid", "page", "id", "utm_source", "PHPSESSID", "s", "x"]),
                            st.text(alphabet="abc123ĐđX-_", max_size=12)), max_size=4)


@st.composite
def links(draw) -> str:
    host = draw(st.sampled_from(["snv.langson.gov.vn", "WWW.Langson.gov.vn:443", "127.0.10.1:8470", "a.gov.vn"]))
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    query = "&".join(f"{k}={v}" for k, v in draw(_QUERY))
    return f"{scheme}://{host}/{draw(_PATH)}" + (f"?{query}" if query else "")


@BUDGET
@given(links())
def test_canonicalize_is_total_idempotent_and_keeps_the_host(url: str) -> None:
    once = canonicalize(url)
    assert canonicalize(once) == once
    scheme, rest = url.split("://", 1)
    default_port = {"http": ":80", "https": ":443"}[scheme.lower()]
    host = rest.split("/", 1)[0].lower().removesuffix(default_port)
    assert once.split("://", 1)[1].split("/", 1)[0] == host


_XML_PIECES = st.sampled_from([
    "<?xml version='1.0'?>", "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", "</urlset>",
    "<sitemapindex>", "</sitemapindex>", "<url>", "</url>", "<loc>", "</loc>", "<lastmod>2024-01-01</lastmod>",
    "http://a.gov.vn/tin-tuc/bai-viet-1.html", "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", "&e;",
    "<rss><channel>", "</channel></rss>", "<item>", "</item>", "<link>", "</link>", "<feed xmlns='http://www.w3.org/2005/Atom'>",
    "<entry><link href='http://a.gov.vn/x-1.html'/></entry>", "</feed>", "\x00", "\xff", "<![CDATA[", "]]>", "&amp;", "<",
])
_BODIES = st.one_of(
    st.lists(_XML_PIECES, max_size=30).map(lambda parts: "".join(parts).encode("utf-8", "surrogateescape")),
    st.binary(max_size=400),
)


@BUDGET
@given(_BODIES)
def test_sitemap_reading_yields_entries_or_a_recorded_error(body: bytes) -> None:
    try:
        entries = list(read_sitemap(body))
    except RECORDED:
        return
    for entry in entries:
        assert entry.url and entry.url.strip() in body.decode("utf-8", "replace")
        assert "root:" not in entry.url  # no external entity was read


@BUDGET
@given(_BODIES)
def test_feed_reading_yields_links_or_a_recorded_error(body: bytes) -> None:
    try:
        found = read_feed(body, "http://a.gov.vn/rss")
    except RECORDED:
        return
    assert all(isinstance(link, str) and "root:" not in link for link in found)
