"""An article reachable under two URLs is fetched once: its page's tool link to its other URL ("Bản
in") is learned per portal to lead to the same article, and recorded with the page unfetched."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crawler.urls import canonicalize
from storage import Database
from storage.models import ArticleUrl
from tests.conftest import FAST_CRAWL, run_govcrawl

pytestmark = pytest.mark.e2e


def _crawl(target: str, db_url: str) -> dict:
    done = run_govcrawl("crawl", target, "--db", db_url, "--json", *FAST_CRAWL)
    assert done.stdout.strip().startswith("{"), done.stdout + done.stderr
    return json.loads(done.stdout)


# Layout 23 (development seed) serves each article under two URL shapes, `/tin-tuc/<slug>.html` in
# its listings and `/vi/post/<slug>?id=N&type=NEWS` beside it: each article page links the other
# with a "Bản in" tool link, related blocks link some articles under the second shape. It has no
# rel=canonical, so only the links themselves can tell the two URLs are one article.
TWO_URL_LAYOUT, TWO_URL_STORIES = 23, 30


def test_an_article_reachable_under_two_urls_is_fetched_once(tmp_path):
    from portalsim import ReplicaServer, build_replica
    replica = build_replica(seed=11, articles=TWO_URL_STORIES, layouts=1, layout_seed=TWO_URL_LAYOUT)
    (portal,) = replica.portals
    site = replica.site_for(portal.host)
    assert site.layout.second_shape and not site.layout.has_canonical  # the case this test is about
    db_url = f"sqlite:///{tmp_path / 'govcrawl.sqlite'}"
    with ReplicaServer(replica):
        report = _crawl(f"http://{portal.host}{site.listing_path(1)}", db_url)
    (row,) = report["portals"]
    with Database(db_url).session() as s:
        stored = set(s.scalars(select(ArticleUrl.url)))
    pages = [frozenset(canonicalize(u, scheme="http") for u in copy.urls) for story in replica.truth
             for copy in story.copies]
    assert all(urls & stored for urls in pages)  # every article page found
    # a second URL costs a fetch only until the portal's "Bản in" link has proved to lead to the
    # same article (probes in flight by then are fetched too); then it is recorded with the page,
    # unfetched (before: every article twice)
    assert row["articles_duplicate"] <= TWO_URL_STORIES // 2, row
    second = {canonicalize(f"http://{portal.host}{site.article_paths(c)[1]}") for c in site.copies}
    assert len(second & stored) >= 0.9 * len(second)  # and the second URLs are still recorded
