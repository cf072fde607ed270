"""portalsim: determinism, truth URLs, listings, sitemaps/feeds, hard cases, real HTTP."""
from __future__ import annotations

import gzip
import unicodedata
import urllib.error
import urllib.request
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree, html as lhtml

from portalsim import ReplicaServer, build_replica
from portalsim.replica import split_url
from portalsim.text import tone_style
from portalsim.replica import PORT

FAMILIES = {"drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress"}
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module", params=[{}, {"new": 12, "edited": 8}], ids=["base", "next-day"])
def replica(request):
    return build_replica(seed=0, articles=40, **request.param)


@pytest.fixture(scope="module")
def small():
    return build_replica(seed=3, articles=20)


def get(replica, url):
    return replica.render(*split_url(url))


def decode(headers, body: bytes) -> str:
    charset = headers["Content-Type"].split("charset=")[-1]
    return unicodedata.normalize("NFC", body.decode(charset))


def test_portals_match_contract(replica):
    assert [p.key for p in replica.portals] == [f"replica-{f}" for f in
                                                 ("drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress")]
    assert {p.family for p in replica.portals} == FAMILIES
    assert replica.portals[0].host == f"127.0.10.1:{PORT}" and replica.portals[0].alias_host == f"127.0.11.1:{PORT}"


def test_determinism_byte_identical():
    a, b = build_replica(seed=5, articles=30), build_replica(seed=5, articles=30)
    assert a.to_json() == b.to_json()
    urls = [u for art in a.truth for c in art.copies for u in c.urls] + a.non_article_urls
    for u in urls[::3]:
        assert get(a, u) == get(b, u)
    assert build_replica(seed=6, articles=30).to_json() != a.to_json()


def test_every_truth_url_renders_with_title(replica):
    for art in replica.truth:
        for cp in art.copies:
            assert cp.urls and cp.canonical_url in cp.urls
            for u in cp.urls:
                status, headers, body = get(replica, u)
                assert status == 200, u
                assert "charset=" in headers["Content-Type"]
                page = unescape(decode(headers, body))
                assert cp.title in page, u
                assert replica.truth_by_url[u][1] is cp


def test_truth_fields(replica):
    for art in replica.truth:
        for cp in art.copies:
            assert cp.family in FAMILIES
            assert cp.published.utcoffset().total_seconds() == 7 * 3600
            assert 2019 <= cp.published.year <= 2026
            assert unicodedata.is_normalized("NFC", cp.text)
            # an edit adds one paragraph; a shown sapo is the text's first paragraph
            assert 3 <= len(cp.text.split("\n")) <= 8 + (cp.modified is not None) + (cp.summary is not None)
            if cp.summary is not None:
                assert cp.text.split("\n")[0] == cp.summary
            assert "Nguồn:" not in cp.text and "Ảnh:" not in cp.text
            if cp.source_tag:
                assert not cp.text.startswith(cp.source_tag)


def test_body_paragraphs_appear_in_page(replica):
    for art in replica.truth[:12]:
        for cp in art.copies:
            status, headers, body = get(replica, cp.urls[0])
            doc = lhtml.fromstring(decode(headers, body))
            text = " ".join(doc.text_content().split())
            for para in cp.text.split("\n"):
                assert " ".join(para.split()) in text


def test_listings_reach_every_article(replica):
    """Crawl each portal from its home page following same-host links to non-article pages."""
    article_urls = {u for u in replica.truth_by_url}
    for site in replica.sites:
        base = site.base
        todo, seen, found = [base + "/"], set(), set()
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            status, headers, body = get(replica, url)
            assert status == 200, url
            doc = lhtml.fromstring(decode(headers, body))
            for href in doc.xpath("//a/@href"):
                if href.startswith(("javascript:", "mailto:", "#")):
                    continue
                absu = urljoin(url, href).split("#")[0]
                parts = urlsplit(absu)
                if parts.netloc != site.portal.host:
                    continue
                if absu in article_urls:
                    found.add(replica.truth_by_url[absu][1].canonical_url)
                elif absu in replica.non_article_urls:
                    todo.append(absu)
        expected = {c.canonical_url for a in replica.truth for c in a.copies if c.portal_key == site.portal.key}
        assert expected <= found, (site.portal.key, expected - found)


def test_non_article_urls_serve_and_are_not_articles(replica):
    for u in replica.non_article_urls:
        status, _, _ = get(replica, u)
        assert status == 200, u
        assert u not in replica.truth_by_url


def _xml(replica, url):
    status, headers, body = get(replica, url)
    assert status == 200, url
    if headers["Content-Type"].startswith("application/x-gzip"):
        body = gzip.decompress(body)
    return etree.fromstring(body)


def test_sitemaps_and_feeds(replica):
    article_urls = set(replica.truth_by_url)
    checks = {
        "replica-drupal": ["/sitemap.xml", "/rss.xml"], "replica-liferay": ["/sitemap.xml"],
        "replica-vnportal": ["/sitemap.xml"], "replica-aspnet": ["/rss/tintuc.rss"],
        "replica-wordpress": ["/wp-sitemap.xml", "/feed/"],
    }
    for key, paths in checks.items():
        base = replica.base_url(key)
        listed = set()
        for path in paths:
            todo = [base + path]
            while todo:
                root = _xml(replica, todo.pop())
                if root.tag == "rss":
                    listed |= {e.text for e in root.iter("link")} - {base + "/"}
                    continue
                locs = [e.text for e in root.iter(f"{SM}loc")]
                for loc in locs:
                    if loc.endswith((".xml", ".xml.gz")) or "sitemap.xml?" in loc:
                        todo.append(loc)
                    elif loc in article_urls:
                        listed.add(loc)
                    else:
                        assert loc in replica.non_article_urls, loc
        assert listed and listed <= article_urls, key
        if key != "replica-aspnet":
            ours = {c.portal_key for a in replica.truth for c in a.copies if c.portal_key == key}
            assert ours
    sitemap = get(replica, replica.base_url("replica-drupal") + "/sitemap-1.xml.gz")
    assert sitemap[1]["Content-Type"] == "application/x-gzip"


def test_robots(replica):
    for site in replica.sites:
        status, headers, body = get(replica, site.base + "/robots.txt")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert b"Disallow: /" in body
    assert f"Sitemap: http://127.0.10.6:{PORT}/wp-sitemap.xml".encode() in get(replica, f"http://127.0.10.6:{PORT}/robots.txt")[2]


def test_404(replica):
    for site in replica.sites:
        assert get(replica, site.base + "/khong-co-trang-nay")[0] == 404
    assert get(replica, f"http://127.0.10.1:{PORT}/tin-tuc?page=999")[0] == 404
    assert get(replica, f"http://127.0.10.5:{PORT}/tin-tuc/trang-999")[0] == 404


def test_hard_cases_at_20(small):
    synd = [a for a in small.truth if len(a.copies) == 2]
    assert synd
    for art in synd:
        a, b = art.copies
        assert a.family != b.family
        assert bool(a.source_tag) != bool(b.source_tag) and bool(a.attribution) != bool(b.attribution)
        assert (a.authors, a.unit) != (b.authors, b.unit)
        assert a.published.date() == b.published.date() and b.published >= a.published
        assert a.text != b.text
        a_para, b_para = (tone_style(c.text, "old").split("\n")[c.summary is not None:] for c in (a, b))
        # the second portal's own edit, if any: its last paragraph cut, or one paragraph added
        assert b_para in (a_para, a_para[:-1]) or b_para[:-1] == a_para
        nfd_page = get(small, b.urls[0])[2].decode("utf-8")
        assert not unicodedata.is_normalized("NFC", nfd_page)
    copies = [c for a in small.truth for c in a.copies]
    two_url = {c.family for c in copies if len({urlsplit(u).path for u in c.urls}) >= 2}
    assert {"drupal", "aspnet"} <= two_url
    assert any("?" in u and "ItemID" not in u for c in copies for u in c.urls)       # noisy query variant
    assert any(c.title.isupper() for c in copies)
    assert any(len(c.authors) == 2 for c in copies) and any(c.unit for c in copies)
    assert any(c.captions for c in copies)
    # windows-1258 page on the aspnet site
    asp = [c for c in copies if c.family == "aspnet"]
    ctypes = {get(small, c.urls[0])[1]["Content-Type"] for c in asp}
    assert "text/html; charset=windows-1258" in ctypes
    hc = small.hard_cases()
    assert hc["syndicated"] and hc["nfd_pages"] and hc["windows_1258_pages"] and hc["noisy_urls"]
    page = get(small, hc["windows_1258_pages"][0])[2]
    assert b"charset=windows-1258" in page


def test_drupal_date_is_month_first(small):
    cp = next(c for a in small.truth for c in a.copies if c.family == "drupal")
    page = get(small, cp.urls[0])[2].decode()
    d = cp.published
    wd = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")[d.weekday()]
    assert f"{wd}, {d.month:02d}/{d.day:02d}/{d.year} - {d.hour:02d}:{d.minute:02d}" in page


def _server(replica):
    try:
        return ReplicaServer(replica).start(), True
    except OSError:  # another replica already holds the fixed addresses: same IPs, free port
        return ReplicaServer(replica, port=0).start(), False


def test_real_http(small):
    server, fixed = _server(small)
    with server:
        base = server.base_url("replica-drupal")
        assert base == f"http://127.0.10.1:{PORT}" or not fixed

        def live(url):  # the truth names the contract address; reach it where we are bound
            return url.replace(f"http://127.0.10.1:{PORT}", base).replace(
                f"http://127.0.11.1:{PORT}", server.alias_base_url("replica-drupal"))
        cp = next(c for a in small.truth for c in a.copies if c.family == "drupal")
        with urllib.request.urlopen(live(cp.urls[0]), timeout=5) as resp:
            assert resp.status == 200
            assert cp.title in unescape(decode(dict(resp.headers), resp.read()))
        alias = cp.urls[len(cp.urls) // 2]
        assert "127.0.11.1" in alias
        with urllib.request.urlopen(live(alias), timeout=5) as resp:
            assert resp.status == 200
        req = urllib.request.Request(base + "/robots.txt", method="HEAD")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200 and resp.read() == b"" and int(resp.headers["Content-Length"]) > 0
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/no/such/page", timeout=5)
        assert err.value.code == 404


def test_near_misses_and_edited_copies():
    replica = build_replica(seed=0, articles=240)
    hc = replica.hard_cases()
    assert len(hc["near_misses"]) == 6 and len(hc["edited_copies"]) >= 10
    truth = {a.story_id: a for a in replica.truth}
    for pair in hc["near_misses"]:
        base, sibling = (truth[s].copies[0] for s in pair.split("+"))
        # the same meeting's sentences, a year later: other dates and figures, never the same text
        assert sibling.published.year == base.published.year + 1
        assert base.text != sibling.text
        same_words = set(base.text.split()) & set(sibling.text.split())
        assert len(same_words) > 0.6 * len(set(base.text.split()))
