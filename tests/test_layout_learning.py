"""Per-portal learned layouts (issue 14 item 2): element paths, the learner, persistence, the
redesign flag through the page worker and the run report, and hints that never make a page worse."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from cleaning import extract_article
from cleaning.article import ExtractionError
from cleaning.layout_learning import (BODY, DATE, MAX_VALUES, MIN_PAGES, MIN_SHARE, PREFIX, RECENT_PAGES,
                                      REDESIGN_MIN_PAGES, SUFFIX, TITLE, LayoutLearner, LearnedLayout)
from cleaning.meta import text_of
from cleaning.paths import element_path, resolve, strip_title_affixes, title_affixes
from cleaning.titles import choose_title
from crawler.health import Thresholds
from crawler.processing import PageJob, PageStore
from crawler.report import print_run, report_json
from crawler.runs import assess_health, portal_stats
from portalsim import build_replica
from portalsim.replica import split_url
from storage import Database
from storage.layouts import load_layout_counts, save_layout_counts
from storage.runs import finish_run, get_run, run_summary
from tests.storage_fixtures import page_target


@dataclass(frozen=True, slots=True)
class Hints:
    family: str | None = None
    date_order: str | None = None
    layout: LearnedLayout | None = None


def _portal_pages(articles: int, layout_seed: int, story_seed: int = 0) -> list[tuple[str, bytes]]:
    """(url, page) of the one layout portal's article pages, in the replica's order."""
    replica = build_replica(story_seed, articles, layouts=1, layout_seed=layout_seed)
    out = []
    for story in replica.truth:
        for copy in story.copies:
            status, _headers, page = replica.render(*split_url(copy.canonical_url))
            assert status == 200
            out.append((copy.canonical_url, page))
    return out


def _articles(pages):
    out = []
    for url, page in pages:
        try:
            out.append((url, page, extract_article(page, url)))
        except ExtractionError:
            continue
    return out


# -------------------------------------------------------------------------------------- paths


def test_a_path_leaves_out_article_ids_and_numbered_tokens():
    doc = lxml_html.document_fromstring(
        '<html><body><div class="wrap"><div id="main"><div id="item_1234" class="news-98231 ArticleDetail col-8">'
        '<h1 class="title">Headline</h1></div></div></div></body></html>')
    h1 = doc.find(".//h1")
    assert element_path(h1) == "body/div.wrap/div#main/div.ArticleDetail/h1.title"
    assert resolve(doc, element_path(h1)) is h1
    assert resolve(doc, "body/div.wrap/div#other/h1") is None
    assert resolve(doc, "not a path") is None


def test_a_path_naming_several_elements_names_none():
    doc = lxml_html.document_fromstring('<html><body><ul><li><h3>a</h3></li><li><h3>b</h3></li></ul></body></html>')
    assert resolve(doc, "body/ul/li/h3") is None


@pytest.mark.parametrize("layout_seed", [0, 1, 2, 3, 8])
def test_paths_found_on_one_page_name_the_same_fields_on_another_page_of_the_layout(layout_seed):
    (_, _, first), *others = _articles(_portal_pages(12, layout_seed))
    assert TITLE in first.layout_paths and BODY in first.layout_paths
    for url, page, article in others:
        doc = lxml_html.document_fromstring(page)
        title_el = resolve(doc, first.layout_paths[TITLE])
        assert title_el is not None and text_of(title_el) == article.title, url
        assert resolve(doc, first.layout_paths[BODY]) is not None, url


def test_title_affixes_are_what_surrounds_the_headline():
    assert title_affixes("Tin tức | Hội nghị tổng kết năm - Sở Nội vụ", "Hội nghị tổng kết năm") == \
        ("Tin tức | ", " - Sở Nội vụ")
    assert title_affixes("Sở Nội vụ", "Hội nghị tổng kết năm") is None
    assert strip_title_affixes("[Bản tin] Hội nghị - X", ("[Bản tin] ", " - X")) == "Hội nghị"


def test_a_learned_title_prefix_leaves_the_title_claims():
    doc = lxml_html.document_fromstring(
        "<html><head><title>[Bản tin Xuân Lộc] Quy định mới về quản lý hồ sơ cán bộ công chức</title></head>"
        "<body><div><p>" + "Nội dung bài viết về quy định mới được ban hành trong tháng này. " * 5 + "</p></div>"
        "</body></html>")
    body = doc.find(".//div")
    order = {el: i for i, el in enumerate(doc.iter())}
    plain, _ = choose_title(doc, (None, None), body, None, order)
    learned, _ = choose_title(doc, (None, None), body, None, order, ("[Bản tin Xuân Lộc] ", ""))
    assert plain.startswith("[Bản tin Xuân Lộc]")
    assert learned == "Quy định mới về quản lý hồ sơ cán bộ công chức"


# ------------------------------------------------------------------------------------ learner


def _paths(n: int) -> dict[str, str]:
    return {TITLE: f"body/div.v{n}/h1", BODY: f"body/div.v{n}", SUFFIX: " - Sở X", PREFIX: ""}


def test_a_path_is_learned_after_min_pages_at_min_share():
    learner = LayoutLearner()
    for _ in range(MIN_PAGES - 1):
        learner.observe("p", _paths(1))
    assert learner.learned("p") is None
    learner.observe("p", _paths(1))
    layout = learner.learned("p")
    assert layout is not None and layout.title == "body/div.v1/h1" and layout.body == "body/div.v1"
    assert layout.title_suffix == " - Sở X" and layout.date is None

    mixed = LayoutLearner()  # two templates taking turns: neither is the portal's
    for i in range(4 * MIN_PAGES):
        mixed.observe("q", _paths(i % 2))
    assert MIN_SHARE > 0.5 and (mixed.learned("q").title, mixed.learned("q").body) == (None, None)
    assert mixed.learned("q").title_suffix == " - Sở X"  # what both share is learned


def test_the_learner_keeps_a_bounded_number_of_paths():
    learner = LayoutLearner()
    for i in range(10 * MAX_VALUES):
        learner.observe("p", {TITLE: f"body/div.n{i}/h1"})
    assert len(learner._portals["p"].counts[TITLE]) <= MAX_VALUES


def test_a_redesign_drops_the_learned_paths_and_learns_the_new_ones():
    learner = LayoutLearner()
    for _ in range(3 * MIN_PAGES):
        assert learner.observe("p", _paths(1)) is None
    events = [learner.observe("p", _paths(2)) for _ in range(RECENT_PAGES)]
    fired = [e for e in events if e is not None]
    assert len(fired) == 1 and fired[0].matched < 0.5 * fired[0].checked and fired[0].checked >= REDESIGN_MIN_PAGES
    assert learner.learned("p").body == "body/div.v2"  # counted from scratch: only the new pages
    after = LayoutLearner()  # the new paths need MIN_PAGES pages of their own
    for _ in range(3 * MIN_PAGES):
        after.observe("p", _paths(1))
    for n in range(1, 3 * RECENT_PAGES):
        if after.observe("p", _paths(2)) is not None:
            break
    for _ in range(MIN_PAGES - 2):
        after.observe("p", _paths(2))
    assert after.learned("p") is None  # the redesign's page and MIN_PAGES - 2 more: not yet
    after.observe("p", _paths(2))
    assert after.learned("p").body == "body/div.v2"


def test_a_first_walk_counts_but_judges_no_redesign():
    learner = LayoutLearner()
    for _ in range(3 * MIN_PAGES):
        learner.observe("p", _paths(1), judge=False)
    assert all(learner.observe("p", _paths(2), judge=False) is None for _ in range(3 * REDESIGN_MIN_PAGES))


# -------------------------------------------------------------------------------- persistence


def test_learned_layouts_survive_a_save_and_load(db_url):
    target = page_target(db_url, "example.gov.vn")
    db = Database(db_url)
    try:
        learner = LayoutLearner()
        for _ in range(MIN_PAGES + 1):
            learner.observe("p", {**_paths(1), DATE: "body/div.v1/div.date"})
        with db.session() as s, s.begin():
            for key, unsaved in learner.take_unsaved().items():
                save_layout_counts(s, key, unsaved)
        again = LayoutLearner()
        with db.session() as s:
            again.load("p", load_layout_counts(s, "p"))
            assert load_layout_counts(s, "unknown").pages == 0
        assert again.learned("p") == learner.learned("p")
        assert again.learned("p").date == "body/div.v1/div.date"

        # a redesign: the saved paths are dropped, the new ones counted from scratch
        for _ in range(REDESIGN_MIN_PAGES + MIN_PAGES):
            again.observe("p", _paths(2))
        with db.session() as s, s.begin():
            for key, unsaved in again.take_unsaved().items():
                save_layout_counts(s, key, unsaved)
        with db.session() as s:
            saved = load_layout_counts(s, "p")
        assert saved.redesigns == 1
        assert {value for (name, value) in saved.counts if name == BODY} == {"body/div.v2"}
        third = LayoutLearner()
        third.load("p", saved)
        assert third.learned("p").body == "body/div.v2"
    finally:
        db.dispose()
        assert target.run_id


# ------------------------------------------------------------------- redesign end to end


def test_a_redesign_is_relearned_and_flagged_in_the_run_report(db_url):
    """A portal's pages switch from one layout to another mid-way: the page worker reports the
    redesign on one page, learns the new paths, and the run report flags the portal."""
    before = _portal_pages(40, layout_seed=0)
    after = _portal_pages(40, layout_seed=2, story_seed=7)
    host = urlsplit(before[0][0]).netloc
    assert urlsplit(after[0][0]).netloc == host
    target = page_target(db_url, host)
    store = PageStore(target)
    jobs = [PageJob(portal_key="p", family=None, date_order=None, scheme="http", host_map={},
                    hosts=frozenset({host}), url=url, final_url=url, body=page, encoding="utf-8",
                    fetched_at=datetime.now(UTC), known=False)
            for url, page in before + after]
    try:
        results = [r for i in range(0, len(jobs), 8) for r in store.process_batch(jobs[i:i + 8])]
        old = store.layouts.learned("p")
    finally:
        store.close()
    flagged = [(i, r.redesign) for i, r in enumerate(results) if r.redesign]
    assert len(flagged) == 1 and flagged[0][0] >= len(before)
    redesign = flagged[0][1]
    new_body = _articles(after[-1:])[0][2].layout_paths[BODY]
    assert old is not None and old.body == new_body  # the new layout's paths are learned
    assert _articles(before[:1])[0][2].layout_paths[BODY] != new_body

    db = Database(db_url)
    try:
        with db.session() as s:
            saved = load_layout_counts(s, "p")
        assert saved.redesigns == 1
        # the page worker's results as the pipeline counts them (crawler/pipelines.py)
        stats = {"govcrawl/p/pages_fetched": len(jobs),
                 "govcrawl/p/articles_new": sum(r.outcome == "new" for r in results),
                 "govcrawl/p/layout_redesign": redesign}
        portals = portal_stats(stats, ["p"])
        with db.session() as s, s.begin():
            assess_health(s, target.run_id, portals, Thresholds())
            finish_run(s, target.run_id, "ok", portals)
        with db.session() as s:
            rows = run_summary(s, target.run_id)
            run = get_run(s, target.run_id)
        out = io.StringIO()
        print_run(run, rows, "db", out)
    finally:
        db.dispose()
    assert rows[0].flags == [f"redesigned ({redesign})"]
    assert "of" in redesign and "recent pages on the learned paths" in redesign
    assert "redesigned" in out.getvalue() and run.flagged == {"p": f"redesigned ({redesign})"}
    assert report_json(run, rows)["exit_code"] == 5


# ------------------------------------------------------------ hints never make a page worse


FIELDS = ("title", "text", "published", "authors", "unit", "summary", "captions", "source_tag", "attribution")


def _compare_with_learning(pages: list[tuple[str, bytes]], portal_of) -> tuple[int, int]:
    """(pages extracted with a learned layout, pages compared); asserts every field equal."""
    learner = LayoutLearner()
    hinted = compared = 0
    for url, page in pages:
        portal = portal_of(url)
        layout = learner.learned(portal)
        try:
            generic = extract_article(page, url)
        except ExtractionError as exc:
            with pytest.raises(ExtractionError) as again:
                extract_article(page, url, Hints(layout=layout))
            assert again.value.reason == exc.reason
            continue
        learned = extract_article(page, url, Hints(layout=layout))
        for name in FIELDS:
            assert getattr(learned, name) == getattr(generic, name), (url, name)
        hinted += layout is not None
        compared += 1
        learner.observe(portal, learned.layout_paths)
    return hinted, compared


def test_learned_hints_never_change_a_replica_family_page():
    replica = build_replica(0, 80)
    pages = []
    for url in replica.truth_by_url:
        status, _headers, page = replica.render(*split_url(url))
        if status == 200:
            pages.append((url, page))
    hinted, compared = _compare_with_learning(pages, lambda url: urlsplit(url).netloc)
    assert compared > 100 and hinted > compared // 2


def test_learned_hints_never_change_a_layout_page():
    replica = build_replica(0, 200, layouts=8, layout_seed=40)
    pages = []
    for story in replica.truth:
        for copy in story.copies:
            status, _headers, page = replica.render(*split_url(copy.canonical_url))
            pages.append((copy.canonical_url, page))
    hinted, compared = _compare_with_learning(pages, lambda url: urlsplit(url).netloc)
    assert hinted > compared // 3
