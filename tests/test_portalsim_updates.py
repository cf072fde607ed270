"""portalsim's next day: new and edited stories, sitemap <lastmod>, HTTP validators and 304s."""
from __future__ import annotations

import gzip
import hashlib
import json
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree, html as lhtml

from portalsim import ReplicaServer, build_replica
from portalsim.__main__ import main
from portalsim.faults import Faults
from portalsim.model import CONTRACT_PORT
from portalsim.replica import DEFAULT_CLOCK, PORT, split_url
from portalsim.updates import DAY, SITEMAP_FAMILIES

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
VALIDATING = {"drupal", "wordpress"}
SITEMAPS = {"replica-drupal": "/sitemap.xml", "replica-liferay": "/sitemap.xml",
            "replica-vnportal": "/sitemap.xml", "replica-wordpress": "/wp-sitemap.xml"}
FEEDS = {"replica-drupal": "/rss.xml", "replica-aspnet": "/rss/tintuc.rss", "replica-wordpress": "/feed/"}
NEW, EDITED = 24, 12


@pytest.fixture(scope="module")
def base():
    return build_replica(seed=2, articles=120)


@pytest.fixture(scope="module")
def nextday():
    return build_replica(seed=2, articles=120, new=NEW, edited=EDITED)


@pytest.fixture(scope="module")
def servers(base, nextday):
    # any free port on the contract IPs: both days at once, and no clash with a running replica
    with ReplicaServer(base, port=0) as before, ReplicaServer(nextday, port=0) as after:
        yield before, after


def fetch(server, url, headers=None, method="GET"):
    """GET (or HEAD) a contract URL where `server` is bound: (status, headers, body)."""
    parts = urlsplit(url)
    portal = next(p for p in server.replica.portals if parts.netloc in (p.host, p.alias_host))
    bound = server.base_url(portal.key) if parts.netloc == portal.host else server.alias_base_url(portal.key)
    target = bound + parts.path + (f"?{parts.query}" if parts.query else "")
    request = urllib.request.Request(target, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:  # urllib reports a 304 as an error too
        return err.code, dict(err.headers), err.read()


def copies_of(replica, family):
    return [(a, c) for a in replica.truth for c in a.copies if c.family == family]


def _digest(replica) -> str:
    """The truth JSON and every truth, listing, sitemap, feed and robots page, status and body,
    as on the replica's own port 8470 (a test run serves on a port of its own)."""
    def pinned_port(text: str) -> str:
        return text.replace(f":{PORT}", f":{CONTRACT_PORT}")
    digest = hashlib.sha1(pinned_port(replica.to_json()).encode())
    urls = {u for a in replica.truth for c in a.copies for u in c.urls} | set(replica.non_article_urls)
    urls |= {site.base + path for site in replica.sites for path in site.exact}
    for url in sorted(urls):
        status, headers, body = replica.render(*split_url(url))
        digest.update(pinned_port(f"{url} {status} {headers['Content-Type']}").encode())
        if body[:2] == b"\x1f\x8b":  # a gzip sitemap: its bytes hold the port compressed
            body = gzip.decompress(body)
        digest.update(body.replace(f":{PORT}".encode(), f":{CONTRACT_PORT}".encode()))
    return digest.hexdigest()


def test_base_replica_is_what_it_was():
    """Pinned before the next day existed: a base replica's pages and truth must not move."""
    # re-pinned when the truth's text took the sapo as its first paragraph (ec4e80a), the pages
    # checked byte-identical to those before it; and when the digest began to read gzip sitemaps
    # decompressed, to be the same on every port (the old pin held on port 8470 just before); and
    # when two articles per family portal began to link attachments (issue 17 item 4): a "File
    # đính kèm" block after their byline and the URLs in their truth (`attachments`), no article's
    # text changed — with portalsim/attachments.build returning nothing the old pin
    # 31d64d67bf8a7670baffb84eb50be4ab34f8917a still held
    pinned = "be6b91d87c0affb85ac6989bc28918348da0b7d1"
    assert _digest(build_replica(seed=0, articles=240)) == pinned
    assert _digest(build_replica(seed=0, articles=240, new=0, edited=0)) == pinned
    plain = build_replica(seed=0, articles=240)
    assert plain.now() == DEFAULT_CLOCK and not plain.next_day
    assert plain.changes().new == [] and plain.changes().edited == []
    assert "next_day" not in json.loads(plain.to_json())


def test_next_day_keeps_every_base_story(base, nextday):
    assert nextday.now() == DEFAULT_CLOCK + DAY and nextday.base_clock == DEFAULT_CLOCK
    edited = {a.story_id for a in nextday.changes().edited}
    assert len(edited) == EDITED
    for old, now in zip(base.truth, nextday.truth):
        assert old.story_id == now.story_id
        for a, b in zip(old.copies, now.copies, strict=True):
            assert (a.urls, a.canonical_url, a.title, a.published) == (b.urls, b.canonical_url, b.title, b.published)
            if old.story_id not in edited:
                assert a.text == b.text and b.modified is None
    assert [a.story_id for a in nextday.truth[len(base.truth):]] == [a.story_id for a in nextday.changes().new]


def test_new_stories_are_published_in_the_next_day(base, nextday):
    new = nextday.changes().new
    assert len(new) == NEW and len(nextday.changes().new_urls) >= NEW
    assert any(len(a.copies) == 2 for a in new)  # syndication goes on
    # (large replicas have a few near misses dated after the clock: the next day lists them below the new stories)
    before_clock = max(c.published for a in base.truth for c in a.copies if c.published < DEFAULT_CLOCK)
    for art in new:
        for cp in art.copies:
            assert DEFAULT_CLOCK < cp.published < nextday.now()
            assert cp.published > before_clock and cp.modified is None
            assert nextday.lookup(cp.urls[0])[0] is art
    assert not set(nextday.changes().new_urls) & set(base.truth_by_url)


def test_new_stories_head_listings_and_feeds(nextday, servers):
    _, server = servers
    new_urls = set(nextday.changes().new_urls)
    for site in nextday.sites:
        fresh = [c for c in site.newest if c.story >= nextday.n_articles]
        assert fresh, site.portal.key
        status, _, body = fetch(server, site.base + "/")
        assert status == 200
        linked = []
        for href in lhtml.fromstring(body).xpath("//a/@href"):
            found = nextday.lookup(urljoin(site.base + "/", href))
            if found and found[1].canonical_url not in linked:
                linked.append(found[1].canonical_url)
        head = min(len(fresh), site.page_size)
        assert linked[:head] == [site.canonical(c) for c in fresh[:head]], site.portal.key
        assert all(u in new_urls for u in linked[:head])
    new_ids = {a.story_id for a in nextday.changes().new}
    for key, path in FEEDS.items():
        site = nextday.site_for(urlsplit(nextday.base_url(key)).netloc)
        n_fresh = sum(1 for c in site.copies if c.story >= nextday.n_articles)
        status, _, body = fetch(server, site.base + path)
        head = [e.text for e in etree.fromstring(body).iter("link")][1:][:n_fresh]  # after the channel's own
        assert status == 200 and head and all(nextday.lookup(u)[0].story_id in new_ids for u in head), key


def test_edited_copies_gain_one_paragraph(base, nextday):
    portals = set()
    for art in nextday.changes().edited:
        old = base.truth[int(art.story_id.split("-")[1])]
        assert len(art.copies) == 1 and art.copies[0].family in SITEMAP_FAMILIES
        now, before = art.copies[0], old.copies[0]
        assert DEFAULT_CLOCK < now.modified < nextday.now() and now.published == before.published
        old_paras, new_paras = before.text.split("\n"), now.text.split("\n")
        assert new_paras[:-1] == old_paras and new_paras[-1] not in old_paras
        assert set(now.urls) <= set(nextday.changes().edited_urls)
        assert nextday.truth_by_url[now.urls[0]][1] is now
        page = nextday.render(*split_url(now.urls[0]))[2].decode("utf-8")
        assert new_paras[-1] in page and new_paras[-1] not in base.render(*split_url(now.urls[0]))[2].decode()
        portals.add(now.portal_key)
    assert len(portals) == len(SITEMAP_FAMILIES)  # spread over every portal with a dated sitemap
    dumped = json.loads(nextday.to_json())
    assert dumped["next_day"]["edited"] == [a.story_id for a in nextday.changes().edited]
    assert dumped["next_day"]["new"] == [a.story_id for a in nextday.changes().new]
    edited_json = [c for a in dumped["truth"] for c in a["copies"] if "modified" in c]
    assert len(edited_json) == EDITED


def test_an_edit_shows_where_the_family_shows_dates_in_meta_tags(nextday):
    shown = 0
    for art in nextday.changes().edited:
        cp = art.copies[0]
        page = nextday.render(*split_url(cp.urls[0]))[2].decode()
        meta = f'<meta property="article:modified_time" content="{cp.modified.isoformat()}" />'
        assert (meta in page) == ('property="article:published_time"' in page)  # WordPress pages with og tags
        assert "modified" not in page.replace(meta, "")  # and no element made up for the edit
        shown += meta in page
    assert shown


def _sitemap_files(server, url, lastmod=None, out=None):
    """{sitemap file URL: (its <lastmod> in the index, {article or page URL: <lastmod>})}."""
    out = {} if out is None else out
    status, headers, body = fetch(server, url)
    assert status == 200, url
    if headers["Content-Type"].startswith("application/x-gzip"):
        body = gzip.decompress(body)
    entries = {}
    for entry in etree.fromstring(body):
        loc, mod = entry.findtext(f"{SM}loc"), entry.findtext(f"{SM}lastmod")
        if loc.endswith((".xml", ".xml.gz")) or "sitemap.xml?" in loc:
            _sitemap_files(server, loc, mod, out)
        else:
            entries[loc] = mod
    out[url] = (lastmod, entries)
    return out


def test_sitemap_lastmod_is_the_modification_date(nextday, servers):
    _, server = servers
    new = {a.story_id for a in nextday.changes().new}
    dated = 0
    for key, path in SITEMAPS.items():
        for url, (file_lastmod, entries) in _sitemap_files(server, nextday.base_url(key) + path).items():
            changed = False
            for loc, lastmod in entries.items():
                found = nextday.lookup(loc)
                if found is None:
                    continue  # category pages
                cp = found[1]
                assert lastmod == (cp.modified or cp.published).date().isoformat(), loc
                dated += cp.modified is not None
                changed |= cp.modified is not None or found[0].story_id in new
            if file_lastmod is not None:  # vnportal's flat index dates its files: the changed ones anew
                assert (file_lastmod >= DEFAULT_CLOCK.date().isoformat()) == changed, url
    assert dated == EDITED


def test_validators_by_family(nextday, servers):
    _, server = servers
    for family in ("drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress"):
        _, cp = copies_of(nextday, family)[3]
        status, headers, body = fetch(server, cp.urls[0])
        assert status == 200 and body
        if family in VALIDATING:
            assert headers["Last-Modified"].endswith(" GMT")
            assert parsedate_to_datetime(headers["Last-Modified"]) == cp.published
            status, again, body = fetch(server, cp.urls[0], {"If-None-Match": headers["ETag"]})
            assert (status, body) == (304, b"") and again["ETag"] == headers["ETag"]
        else:
            assert "ETag" not in headers and "Last-Modified" not in headers
            fake = {"If-None-Match": '"x"', "If-Modified-Since": "Sat, 01 Jan 2050 00:00:00 GMT"}
            assert fetch(server, cp.urls[0], fake)[0] == 200
    for key, path in {**FEEDS, **SITEMAPS}.items():
        url = nextday.base_url(key) + path
        status, headers, _ = fetch(server, url)
        assert status == 200 and headers["ETag"] and headers["Last-Modified"].endswith(" GMT"), url
        assert fetch(server, url, {"If-None-Match": headers["ETag"]})[:3:2] == (304, b""), url
        assert fetch(server, url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304, url


def test_conditional_get_across_days(base, nextday, servers):
    before, after = servers
    edited = {a.copies[0].canonical_url for a in nextday.changes().edited}
    checked = {"edited": 0, "unedited": 0}
    for family in VALIDATING:
        for _, cp in copies_of(base, family):
            url = cp.urls[0]
            status, old, old_body = fetch(before, url)
            assert status == 200
            status, now, now_body = fetch(after, url)
            assert old_body != now_body  # the header clock moved a day
            if cp.canonical_url in edited:
                checked["edited"] += 1
                assert now["ETag"] != old["ETag"] and now["Last-Modified"] != old["Last-Modified"]
                modified = nextday.truth_by_url[url][1].modified
                assert parsedate_to_datetime(now["Last-Modified"]) == modified
                assert fetch(after, url, {"If-None-Match": old["ETag"]})[0] == 200
                assert fetch(after, url, {"If-Modified-Since": old["Last-Modified"]})[0] == 200
                assert fetch(after, url, {"If-Modified-Since": now["Last-Modified"]})[0] == 304
            else:
                checked["unedited"] += 1
                assert now["ETag"] == old["ETag"] and now["Last-Modified"] == old["Last-Modified"]
                assert fetch(after, url, {"If-None-Match": old["ETag"]})[0] == 304
                assert fetch(after, url, {"If-Modified-Since": old["Last-Modified"]})[0] == 304
                both = {"If-None-Match": '"other"', "If-Modified-Since": old["Last-Modified"]}
                assert fetch(after, url, both)[0] == 200  # If-None-Match decides when both are sent
    assert checked["edited"] and checked["unedited"]
    url = copies_of(base, "drupal")[0][1].urls[0]
    etag = fetch(after, url)[1]["ETag"]
    status, headers, body = fetch(after, url, {"If-None-Match": etag}, method="HEAD")
    assert (status, body) == (304, b"") and headers["ETag"] == etag


def test_a_faulty_portal_answers_in_full(nextday):
    _, cp = copies_of(nextday, "drupal")[0]
    etag = nextday.render(*split_url(cp.urls[0]))[1]["ETag"]
    faults = Faults(nextday)
    assert faults.render(*split_url(cp.urls[0]), {"If-None-Match": etag})[0] == 304
    faults.set("replica-drupal", "no_dates")
    status, headers, body = faults.render(*split_url(cp.urls[0]), {"If-None-Match": etag})
    assert status == 200 and "ETag" not in headers and b"article:modified_time" not in body


def test_edits_need_stories_to_edit():
    with pytest.raises(ValueError, match="only .* stories can be edited"):
        build_replica(seed=0, articles=20, edited=50)
    with pytest.raises(ValueError, match="negative"):
        build_replica(seed=0, articles=20, new=-1)


def test_cli_truth_of_the_next_day(tmp_path, capsys):
    out = tmp_path / "truth.json"
    assert main(["truth", "--articles", "40", "--new", "5", "--edited", "4", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["next_day"]["new"]) == 5 and len(data["next_day"]["edited"]) == 4
    assert len(data["truth"]) == 45 and data["articles"] == 40
    with pytest.raises(SystemExit):
        main(["truth", "--articles", "10", "--edited", "99"])
    assert "only" in capsys.readouterr().err
