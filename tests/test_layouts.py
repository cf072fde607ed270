"""The layout grammar (portalsim/layouts): determinism, measured variety, every link served,
the boilerplate catalogue on every article page, the family replica untouched, and a small
held-out sample through the evaluation.

Development seeds are 0-999. The held-out test (seeds >= 1000) only looks at aggregate scores.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import urllib.request
from collections import Counter
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lhtml

from evaluation.catalogue import present
from evaluation.foreign import evaluate_foreign, foreign_page
from evaluation.layouts import AGGREGATES, evaluate_layouts
from evaluation.report import failed_bars
from portalsim import ReplicaServer, build_replica
from portalsim.layouts import HELD_OUT_SEEDS, draw_layout, forms, vocab
from portalsim.replica import PORT, PORTALS, split_url

DEV_SEEDS = range(40)
HELD_OUT_LAYOUTS, HELD_OUT_STORIES = 30, 90  # ~100 article pages, 2-3 s
FIELDS = ("body_f1", "leak", "title", "published", "authors", "unit", "captions", "summary")
# catalogue strings by where they sit on a page: every article page carries each group
CATALOGUE_GROUPS = {
    "top": ("Skip to main content", "Truy cập nội dung luôn", "Quyết tâm thực hiện thắng lợi Nghị quyết"),
    "toolbar": ("Chế độ ban đêm", "In trang", "Xuất PDF", "Đọc nội dung", "-A A +A", "PrintAaa", "Nghe đọc bài"),
    "metadata": ("Lượt xem", "Lượt truy cập", "Lượt đọc"),
    "after body": ("Tin khác", "Tin liên quan", "Các tin đã đưa", "Tin cùng chuyên mục"),
    "sidebar": ("Đang online", "Hôm nay", "Trong tuần", "Đăng nhập", "Dịch vụ công"),
    "footer": ("Giấy phép", "Chịu trách nhiệm chính", "Bản quyền thuộc", "Ghi rõ nguồn"),
}


@pytest.fixture(scope="module")
def replica():
    return build_replica(seed=2, articles=80, layouts=len(DEV_SEEDS), layout_seed=DEV_SEEDS[0])


def get(replica, url):
    return replica.render(*split_url(url))


def parse(body: bytes):
    return lhtml.document_fromstring(unicodedata.normalize("NFC", body.decode("utf-8")))  # some copies are NFD


def text_of(body: bytes) -> str:
    doc = parse(body)
    for el in doc.iter("script", "style"):
        el.drop_tree()
    return " ".join(" ".join(doc.itertext()).split())


def test_same_seed_same_layout_pages_and_truth():
    assert draw_layout(7) == draw_layout(7) and draw_layout(7) != draw_layout(8)
    a = build_replica(seed=4, articles=24, layouts=6, layout_seed=100)
    b = build_replica(seed=4, articles=24, layouts=6, layout_seed=100)
    assert a.to_json() == b.to_json()
    urls = sorted({u for art in a.truth for c in art.copies for u in c.urls} | set(a.non_article_urls))
    assert all(get(a, u) == get(b, u) for u in urls)
    assert build_replica(seed=4, articles=24, layouts=6, layout_seed=101).to_json() != a.to_json()


def test_portals_hosts_and_keys(replica):
    assert [p.key for p in replica.portals] == [f"layout-{s}" for s in DEV_SEEDS]
    assert replica.portals[0].host == f"127.0.20.1:{PORT}" and replica.portals[0].alias_host == f"127.0.21.1:{PORT}"
    assert replica.portals[39].host == f"127.0.20.40:{PORT}"
    assert {c.family for a in replica.truth for c in a.copies} <= {p.key for p in replica.portals}
    with pytest.raises(ValueError):
        build_replica(seed=0, articles=4, layouts=255)


def test_family_replica_unchanged_without_layouts():
    plain = build_replica(seed=3, articles=20)
    same = build_replica(seed=3, articles=20, layouts=0, layout_seed=1234)
    assert plain.portals == list(PORTALS) == same.portals
    assert plain.to_json() == same.to_json() and "published_precision" not in plain.to_json()

    def digest(r):
        h = hashlib.sha1()
        for u in sorted({u for a in r.truth for c in a.copies for u in c.urls} | set(r.non_article_urls)):
            h.update(repr(get(r, u)).encode())
        return h.hexdigest()

    assert digest(plain) == digest(same)


def test_variety_over_forty_layouts(replica):
    """Measured on the drawn layouts and on their rendered pages."""
    layouts = replica.layouts
    kinds = Counter(lay.kind for lay in layouts)
    assert kinds["vendor"] >= 10 and len(kinds) >= 5, kinds
    assert len({lay.vendor for lay in layouts if lay.kind == "vendor"}) >= 5
    assert len({lay.date_form for lay in layouts}) >= 18
    assert {lay.date_position for lay in layouts} == set(vocab.DATE_POSITIONS)
    assert sum(not forms.DATE_FORMS.get(lay.date_form, ("", True))[1] for lay in layouts) >= 4  # day-only forms
    assert len({(lay.byline_single, lay.byline_prefix, lay.byline_emph, lay.byline_align) for lay in layouts}) >= 30
    assert len({lay.sapo for lay in layouts}) == len(vocab.SAPOS)
    assert len({lay.caption for lay in layouts}) == len(vocab.CAPTIONS)
    assert len({lay.listing for lay in layouts}) == len(vocab.LISTINGS)
    assert len({lay.pagination for lay in layouts}) == len(vocab.PAGINATIONS)
    assert len({lay.head_title for lay in layouts}) == 5
    assert len({lay.section_anchor for lay in layouts}) >= 5
    assert sum("?" in lay.section_path for lay in layouts) >= 4
    assert sum(bool(lay.before_title) for lay in layouts) >= 20
    assert sum(not (lay.sitemap or lay.feed) for lay in layouts) >= 15  # discovery from the home page only
    # class vocabularies: many names per role, meaningful and meaningless mixed, none shared by all
    by_role: dict[str, set[str]] = {}
    names: Counter[str] = Counter()
    for lay in layouts:
        for role, attr in lay.attrs:
            for name in re.findall(r'class="([^"]+)"', attr):
                by_role.setdefault(role, set()).add(name)
                names[name] += 1
    for role in ("article", "title", "date", "body", "sapo", "byline", "related"):
        assert len(by_role[role]) >= 12, (role, by_role[role])
    meaningful = {n for ns in vocab.MEANINGFUL.values() for n in ns}
    share = sum(c for n, c in names.items() if n in meaningful) / sum(names.values())
    assert 0.2 < share < 0.8, share
    more = [draw_layout(s) for s in range(200)]  # rarer choices, on layouts drawn but not rendered
    assert sum(any("ctl00_" in a or "dnn_" in a for _, a in lay.attrs) for lay in more) >= 5
    assert {lay.kind for lay in more} == set(vocab.FAMILIES) | {"vendor"}
    assert {lay.vendor for lay in more} >= set(vocab.VENDORS)
    assert len({lay.article_shape for lay in more}) >= 20
    # rendered: the element holding the headline, and the URL skeletons of the articles
    title_tags, skeletons = Counter(), set()
    for site in replica.sites:
        if not site.copies:
            continue
        c = site.copies[0]
        status, _, body = get(replica, site.canonical(c))
        doc = parse(body)
        holders = [el.tag for el in doc.body.iter() if isinstance(el.tag, str) and el.tag != "a"
                   and (el.text or "").strip() == c.title and not len(el)]
        assert holders, site.portal.key
        title_tags[holders[-1]] += 1
        skeletons.add(re.sub(r"[a-z0-9]+(?:-[a-z0-9]+){3,}", "S", re.sub(r"\d+", "N", urlsplit(site.canonical(c)).path)))
    assert len(title_tags) >= 6, title_tags
    assert len(skeletons) >= 12, skeletons


def test_truth_is_on_the_page(replica):
    checked = 0
    for art in replica.truth:
        for cp in art.copies:
            status, headers, body = get(replica, cp.canonical_url)
            assert status == 200 and "charset=utf-8" in headers["Content-Type"]
            page = unicodedata.normalize("NFC", unescape(text_of(body)))
            assert cp.title in page
            for para in cp.text.split("\n"):
                assert " ".join(para.split()) in page, (cp.canonical_url, para[:60])
            for author in cp.authors:
                assert author in page and "admin" not in author.lower()
            if cp.unit:
                assert cp.unit in page
            for cap in cp.captions:
                assert cap in page
            assert (cp.summary is not None) == replica.sites[int(cp.family.split("-")[1]) - DEV_SEEDS[0]].layout.shows_summary
            if cp.published_precision == "day":
                assert (cp.published.hour, cp.published.minute) == (0, 0)
            checked += 1
    assert checked >= 80
    precisions = Counter(cp.published_precision for a in replica.truth for cp in a.copies)
    assert precisions["day"] and precisions["minute"], precisions


def test_boilerplate_catalogue_on_every_article_page(replica):
    for art in replica.truth:
        for cp in art.copies:
            found = set(present(text_of(get(replica, cp.canonical_url)[2])))
            for group, strings in CATALOGUE_GROUPS.items():
                assert found & set(strings), (cp.canonical_url, group)
            assert len(found) >= 12, (cp.canonical_url, found)


def test_every_link_resolves_and_the_home_page_reaches_every_article(replica):
    """From each home page, following same-host links to pages that are not articles (menu,
    section, categories, pagination): every link answers 200 and every article is found."""
    article_urls = set(replica.truth_by_url)
    non_article = set(replica.non_article_urls)
    for site in replica.sites:
        todo, seen, found = [site.base + "/"], set(), set()
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            status, _, body = get(replica, url)
            assert status == 200, url
            doc = parse(body)
            for href in doc.xpath("//a/@href"):
                if href.startswith(("javascript:", "mailto:", "#", "https://dichvucong")):
                    continue
                link = urljoin(url, href).split("#")[0]
                if urlsplit(link).netloc not in (site.portal.host, site.portal.alias_host):
                    continue
                if link in article_urls:
                    found.add(replica.truth_by_url[link][1].canonical_url)
                elif urlsplit(link).netloc == site.portal.host and link not in seen:
                    assert link in non_article or link.endswith(".pdf"), (url, link)
                    if not link.endswith(".pdf"):
                        todo.append(link)
                    else:
                        assert get(replica, link)[0] == 200
        expected = {c.canonical_url for a in replica.truth for c in a.copies if c.portal_key == site.portal.key}
        assert expected <= found, (site.portal.key, expected - found)
    for url in non_article:
        assert get(replica, url)[0] == 200 and url not in article_urls
    assert get(replica, replica.sites[0].base + "/khong-co-trang-nay")[0] == 404
    assert all(get(replica, u)[0] == 200 for u in article_urls)


def test_robots_sitemaps_and_feeds(replica):
    for site in replica.sites:
        status, _, robots = get(replica, site.base + "/robots.txt")
        assert status == 200 and robots.startswith(b"User-agent: *")
        assert (b"Sitemap:" in robots) == site.layout.sitemap
        if site.layout.sitemap:
            status, _, xml = get(replica, site.base + "/sitemap.xml")
            assert status == 200 and all(site.canonical(c).encode() in xml for c in site.copies)
        if site.layout.feed:
            assert get(replica, site.base + site.feed_path)[0] == 200


def test_served_over_http():
    small = build_replica(seed=1, articles=6, layouts=2, layout_seed=500)
    url = small.truth[0].copies[0].canonical_url
    key = small.truth[0].copies[0].portal_key
    with ReplicaServer(small, port=0) as server:
        netloc = urlsplit(server.base_url(key)).netloc
        with urllib.request.urlopen(url.replace(urlsplit(url).netloc, netloc), timeout=5) as resp:
            assert resp.status == 200 and small.truth[0].copies[0].title.encode() in resp.read()


def test_held_out_sample_meets_the_bars():
    """CI's held-out sample: 30 layouts never looked at while developing, 90 stories; only the
    aggregate scores are read, and they must meet issue 14's bars (body F1, leak, title,
    published, authors)."""
    assert HELD_OUT_SEEDS == 1000
    results = evaluate_layouts(HELD_OUT_LAYOUTS, seed=HELD_OUT_SEEDS, articles=HELD_OUT_STORIES)
    for name in ("govcrawl", "trafilatura"):
        rows = results[name]
        assert [r for r in rows if r not in AGGREGATES] == [f"layout-{HELD_OUT_SEEDS + i}" for i in range(HELD_OUT_LAYOUTS)]
        assert rows["all layouts"]["pages"] >= HELD_OUT_STORIES
        assert rows["all layouts"]["pages"] == rows["family themes"]["pages"] + rows["vendor layouts"]["pages"]
    for field in FIELDS:
        assert isinstance(results["govcrawl"]["all layouts"][field], float), field
    for field in ("body_f1", "leak", "title", "published", "authors"):
        assert isinstance(results["trafilatura"]["all layouts"][field], float), field
    assert failed_bars({"replica": {"layouts": HELD_OUT_LAYOUTS, "by_extractor": results}}) == []


def test_foreign_pages_dates_in_their_own_offsets_and_authors_from_markup():
    pages = [foreign_page(i) for i in range(32)]
    assert [p.html for p in pages] == [foreign_page(i).html for i in range(32)]
    assert {p.lang for p in pages} == {"en", "de", "fr"}
    assert {p.date_source for p in pages} == {"time", "jsonld", "meta", "time_naive"}
    assert {p.author_source for p in pages} == {"rel_author", "jsonld", "meta", "byline"}
    offsets = {p.published.utcoffset() for p in pages if p.published.tzinfo}
    assert len(offsets) >= 6 and all(o.total_seconds() != 7 * 3600 for o in offsets)
    assert any(len(p.authors) == 2 for p in pages) and any(p.published.hour == 23 for p in pages)
    for p in pages:
        assert p.title in p.html and all(a in p.html for a in p.authors)
        assert p.published.isoformat(timespec="seconds") in p.html
    results = evaluate_foreign(8)
    assert set(results["govcrawl"]) == {"title", "published", "offset", "authors", "body_f1"}
