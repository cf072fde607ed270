"""Dates and authors on foreign (non-Vietnamese) pages, and the page's own UTC offset kept from
extraction through storage to the export (issue 14, item 1: published/updated and authors).

Pages are built here; the VnExpress pages of ../shared/eval/vn are used for their date/author
truth when that folder is present (skipped, saying so, when it is not).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from cleaning import extract_article
from cleaning.authors import clean_names
from cleaning.dates import VN_TZ
from evaluation.datasets import EvalDataMissing, find_eval_dir
from storage import Database
from storage.models import Article as ArticleRow, ArticleUrl
from storage.repository import iter_export
from tests.storage_fixtures import T0, db, db_url, make_article  # noqa: F401  (db, db_url: fixtures)

PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the story tells what happened at the council meeting, who spoke and what "
    f"was decided about the budget, the schools and the roads of the district this year.</p>"
    for i in range(6))


def page(head: str = "", header: str = "", after: str = "", lang: str = "en",
         title: str = "Council approves the new budget for schools") -> str:
    """An article page: `head` in <head>, `header` under the headline, `after` after the body."""
    return (f"<html lang='{lang}'><head><title>{title} | Example News</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a></nav><main><article><header><h1>{title}</h1>{header}</header>"
            f"<div class='article-body'>{PARAGRAPHS}</div></article>{after}</main>"
            f"<footer><p>© 2024 Example News. All rights reserved.</p></footer></body></html>")


def jsonld(obj: object) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


URL = "https://news.example.com/politics/council-budget"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("value", "offset", "utc"), [
    ("2021-05-22T23:32:00+03:00", 180, datetime(2021, 5, 22, 20, 32, tzinfo=timezone.utc)),
    ("2021-05-22T23:32:00-05:00", -300, datetime(2021, 5, 23, 4, 32, tzinfo=timezone.utc)),
    ("2021-05-22T23:32:00Z", 0, datetime(2021, 5, 22, 23, 32, tzinfo=timezone.utc)),
])
def test_jsonld_offset_kept(value, offset, utc):
    art = extract_article(page(head=jsonld({"@type": "NewsArticle", "datePublished": value})), URL)
    assert art.published == utc  # the instant
    assert art.published_offset == offset and art.published.utcoffset() == timedelta(minutes=offset)
    assert art.published.day == 22  # the page's own day, not the next one at +07:00
    assert art.to_dict()["published"] == value.replace("Z", "+00:00")
    assert art.date_source == "jsonld:datePublished"


def test_jsonld_graph_and_list_and_modified():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example"},
        {"@type": ["NewsArticle"], "datePublished": "2022-03-04T10:00:00+01:00",
         "dateModified": "2022-03-05T08:15:00+01:00"}]}
    art = extract_article(page(head=jsonld([{"@type": "BreadcrumbList"}, graph])), URL)
    assert art.to_dict()["published"] == "2022-03-04T10:00:00+01:00"
    assert art.to_dict()["updated"] == "2022-03-05T08:15:00+01:00" and art.updated_offset == 60


def test_naive_time_on_english_page_keeps_wall_clock_offset_unknown():
    art = extract_article(page(head=jsonld({"@type": "Article", "datePublished": "2021-05-22T23:32:00"})), URL)
    assert art.published_offset is None and art.offsets_recorded
    assert (art.published.hour, art.published.minute, art.published.day) == (23, 32, 22)
    assert art.to_dict()["published"] == "2021-05-22T23:32:00"  # no offset invented


def test_naive_time_on_vietnamese_page_is_vietnam_time():
    vi = ("<p>Chiều ngày 22/5, Ủy ban nhân dân tỉnh tổ chức hội nghị triển khai nhiệm vụ phát triển kinh tế "
          "xã hội, bảo đảm quốc phòng an ninh và cải cách hành chính trong những tháng cuối năm.</p>") * 5
    html = (f"<html><head><title>Hội nghị triển khai nhiệm vụ</title>"
            f"{jsonld({'@type': 'NewsArticle', 'datePublished': '2021-05-22T23:32:00'})}</head><body>"
            f"<h1>Hội nghị triển khai nhiệm vụ năm 2021</h1><div class='news-content'>{vi}</div></body></html>")
    art = extract_article(html, "https://tinh.gov.vn/tin-tuc/hoi-nghi-123")
    assert art.published == datetime(2021, 5, 22, 23, 32, tzinfo=VN_TZ)
    assert art.published_offset == 420
    assert art.to_dict()["published"] == "2021-05-22T23:32:00+07:00"


def test_time_element_in_header_beats_one_in_related_list():
    related = ("<section class='related-stories'><h2>More</h2><ul><li><a href='/x'>Other story</a>"
               "<time datetime='2019-01-01T09:00:00+00:00'>1 Jan 2019</time></li></ul></section>")
    art = extract_article(page(header="<time datetime='2023-07-14T18:05:00+02:00'>14 July 2023</time>",
                               after=related), URL)
    assert art.to_dict()["published"] == "2023-07-14T18:05:00+02:00"
    assert art.date_source.startswith("time:")
    # the related list's date alone is never the article's
    lone = extract_article(page(after=related), URL)
    assert lone.published is None or lone.published.year != 2019


def test_meta_published_time_and_itemprop():
    head = "<meta property='article:published_time' content='2020-02-29T07:45:00-08:00'>"
    art = extract_article(page(head=head), URL)
    assert art.to_dict()["published"] == "2020-02-29T07:45:00-08:00"
    item = extract_article(page(header="<span itemprop='datePublished' content='2020-03-01'>1 March</span>"), URL)
    assert (item.published.date().isoformat(), item.published_offset) == ("2020-03-01", None)


@pytest.mark.parametrize("url", ["https://news.example.com/2021/05/22/council-budget/",
                                 "https://news.example.com/politics/20210522/council-budget.html"])
def test_url_date(url):
    art = extract_article(page(), url)
    assert art.published.date().isoformat() == "2021-05-22"
    assert art.date_source == "url" and art.published_offset is None


def test_visible_date_found_by_htmldate_only():
    art = extract_article(page(header="<p class='dateline'>Published on March 3, 2022</p>"), URL)
    assert art.published is not None and art.published.date().isoformat() == "2022-03-03"
    assert art.date_source.startswith("htmldate")


def test_no_date_is_null_not_a_guess():
    art = extract_article(page(), URL)
    assert art.published is None and art.date_source is None


# --------------------------------------------------------------------------- authors


@pytest.mark.parametrize(("byline", "lang", "expected"), [
    ("By Jane Doe and John Roe", "en", ["Jane Doe", "John Roe"]),
    ("Von Hans Müller", "de", ["Hans Müller"]),
    ("Par Jean Dupont", "fr", ["Jean Dupont"]),
])
def test_byline_lines(byline, lang, expected):
    art = extract_article(page(header=f"<p>{byline}</p>", lang=lang), URL)
    assert art.authors == expected


def test_jsonld_author_list():
    obj = {"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ana López"},
                                              {"@type": "Person", "name": "Li Wei"}, "Sam Smith"]}
    assert extract_article(page(head=jsonld(obj)), URL).authors == ["Ana López", "Li Wei", "Sam Smith"]


def test_jsonld_organization_author_and_graph():
    obj = {"@graph": [{"@type": "Article", "author": {"@type": "Organization", "name": "Example Media Group"}}]}
    assert extract_article(page(head=jsonld(obj)), URL).authors == ["Example Media Group"]


def test_rel_author_link():
    header = "<div class='meta'><a rel='author' href='/people/maria-garcia'>María García</a></div>"
    assert extract_article(page(header=header), URL).authors == ["María García"]


def test_byline_element_ignores_comments():
    comments = "<div class='comments'><span class='author'>Troll Person</span><p>first!</p></div>"
    header = "<span class='byline'>By <a href='/a/kim'>Kim Lee</a>, Staff Writer</span>"
    assert extract_article(page(header=header, after=comments), URL).authors == ["Kim Lee"]


def test_meta_author_account_rejected():
    head = "<meta name='author' content='admin'>"
    assert extract_article(page(head=head), URL).authors == []
    head = "<meta name='author' content='Jane Doe'><meta name='parsely-author' content='Jane Doe'>"
    assert extract_article(page(head=head), URL).authors == ["Jane Doe"]


def test_clean_names_drops_urls_emails_and_agencies():
    assert clean_names(["https://facebook.com/janedoe", "jane@example.com", "Reuters", "admin"]) == []
    assert clean_names(["By JANE DOE; John Roe for Reuters"]) == ["JANE DOE", "John Roe"]


def test_vietnamese_page_takes_machine_author_only_when_a_person():
    vi = ("<p>Chiều ngày 22/5, Ủy ban nhân dân tỉnh tổ chức hội nghị triển khai nhiệm vụ phát triển kinh tế "
          "xã hội, bảo đảm quốc phòng an ninh và cải cách hành chính trong những tháng cuối năm.</p>") * 5

    def vn(author: str) -> list[str]:
        html = (f"<html><head><title>Hội nghị triển khai nhiệm vụ</title><meta name='author' content='{author}'>"
                f"<meta property='og:site_name' content='Sở Nội vụ tỉnh A'></head><body>"
                f"<h1>Hội nghị triển khai nhiệm vụ năm 2021</h1><div class='news-content'>{vi}</div></body></html>")
        return extract_article(html, "https://tinh.gov.vn/tin-tuc/hoi-nghi-123").authors

    assert vn("Nguyễn Văn An") == ["Nguyễn Văn An"]
    assert vn("Sở Nội vụ tỉnh A") == []
    assert vn("admin") == []


# --------------------------------------------------------------------------- shared eval pages


def _vn_eval():
    try:
        return find_eval_dir() / "vn"
    except EvalDataMissing as exc:
        pytest.skip(f"evaluation data absent: {exc}")


def test_vnexpress_pages_date_and_author_truth():
    root = _vn_eval()
    index = {e["file"]: e for e in json.loads((root / "index.json").read_text(encoding="utf-8"))}
    first = index["01_vnexpress_article_htmldate.html"]
    art = extract_article((root / first["file"]).read_bytes(), first["url"])
    assert art.published.date().isoformat() == first["ground_truth"]["publish_date"][:10]
    second = index["02_vnexpress_article_fundus.html"]
    expected = json.loads((root / second["ground_truth"]["file"]).read_text(encoding="utf-8"))["V1"]
    art = extract_article((root / second["file"]).read_bytes(), second["url"])
    assert art.published == datetime.fromisoformat(expected["publishing_date"])
    assert art.to_dict()["published"] == "2025-10-22T19:25:52+07:00"
    assert art.authors == expected["authors"]


# --------------------------------------------------------------------------- storage and export


def _store(db: Database, url: str, art) -> None:
    from storage.repository import store_article

    with db.session() as s, s.begin():
        store_article(s, portal_key="so-a", url=url, article=art, seen_at=T0, run_id=None)


def test_offset_round_trip_and_export(db: Database) -> None:
    plus3 = timezone(timedelta(hours=3))
    own = make_article("own", published=datetime(2021, 5, 22, 23, 32, tzinfo=plus3), published_offset=180,
                       updated=datetime(2021, 5, 23, 1, 0, tzinfo=plus3), updated_offset=180, offsets_recorded=True)
    wall = make_article("wall", published=datetime(2021, 5, 22, 23, 32, tzinfo=timezone.utc), published_offset=None,
                        offsets_recorded=True)
    vn = make_article("vn", published=datetime(2021, 5, 22, 23, 32, tzinfo=VN_TZ), published_offset=420,
                      offsets_recorded=True)
    legacy = make_article("legacy", published=datetime(2021, 5, 22, 16, 32, tzinfo=timezone.utc))
    for key, art in (("own", own), ("wall", wall), ("vn", vn), ("legacy", legacy)):
        _store(db, f"http://so/{key}", art)
    with db.session(readonly=True) as s:
        rows = {r.canonical_url: r for r in s.query(ArticleRow)}
        assert rows["http://so/own"].published == datetime(2021, 5, 22, 20, 32, tzinfo=timezone.utc)
        assert (rows["http://so/own"].published_offset, rows["http://so/own"].updated_offset) == (180, 180)
        assert rows["http://so/wall"].published_offset is None and rows["http://so/wall"].offsets_recorded
        assert not rows["http://so/legacy"].offsets_recorded
        links = {u.url: u for u in s.query(ArticleUrl)}
        assert links["http://so/own"].published_offset == 180
        exported = {r["canonical_url"]: r for r in iter_export(s)}
    assert exported["http://so/own"]["published"] == "2021-05-22T23:32:00+03:00"
    assert exported["http://so/own"]["updated"] == "2021-05-23T01:00:00+03:00"
    assert exported["http://so/own"]["copies"][0]["published"] == "2021-05-22T23:32:00+03:00"
    assert exported["http://so/wall"]["published"] == "2021-05-22T23:32:00"
    assert exported["http://so/vn"]["published"] == "2021-05-22T23:32:00+07:00"
    assert exported["http://so/legacy"]["published"] == "2021-05-22T23:32:00+07:00"  # as before


def test_export_csv_renders_page_offset(db: Database, tmp_path) -> None:
    import argparse

    from crawler.commands import cmd_export

    art = extract_article(page(head=jsonld({"@type": "NewsArticle", "datePublished": "2021-05-22T23:32:00-05:00"})),
                          URL)
    _store(db, URL, art)
    out = tmp_path / "out.csv"
    url = db.url.render_as_string(hide_password=False)
    assert cmd_export(argparse.Namespace(db=url, format="csv", output=str(out), bom=False)) == 0
    assert "2021-05-22T23:32:00-05:00" in out.read_text(encoding="utf-8")
