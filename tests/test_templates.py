"""Learned page templates: a portal's own recurring body line is learned, removed, persisted."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from cleaning import extract_article
from cleaning.templates import MIN_PAGES, TemplateLearner, is_template, segment_key
from crawler.processing import PageJob, PagePool
from storage import Database
from storage.models import Article, TemplateSegment
from tests.storage_fixtures import page_target

HOST = "sonoivu.example.gov.vn"
TEMPLATE = "Mời bạn đọc gửi ý kiến đóng góp về hòm thư điện tử của Ban biên tập Cổng thông tin."
HEADING = "I. MỤC ĐÍCH, YÊU CẦU"


def _body(i: int) -> list[str]:
    return [f"Sáng ngày {i % 28 + 1}/7, Sở Nội vụ tổ chức hội nghị lần thứ {i} về công tác thi đua, khen thưởng.",
            f"Tham dự hội nghị có {i + 40} đại biểu đến từ các cơ quan, đơn vị trên địa bàn tỉnh Lạng Sơn.",
            f"Hội nghị đã thống nhất {i + 3} nhiệm vụ trọng tâm trong thời gian tới của ngành nội vụ."]


def test_learner_keeps_templates_apart_from_recurring_headings():
    learner = TemplateLearner()
    for i in range(20):
        lines = _body(i) + [TEMPLATE]
        if i in (3, 11):  # a heading two official texts share
            lines.insert(0, HEADING)
        learner.observe("p", lines)
        if i + 1 < MIN_PAGES:
            assert segment_key(TEMPLATE) not in learner.template_keys("p")
    keys = learner.template_keys("p")
    assert segment_key(TEMPLATE) in keys
    assert segment_key(HEADING) not in keys
    assert not any(segment_key(line) in keys for line in _body(5))
    # tone-mark placement does not split a line's count
    assert segment_key("Hòa bình ý kiến") == segment_key("Hoà bình ý kiến")


def test_a_template_introduced_late_is_learned_from_its_introduction():
    learner = TemplateLearner()
    for i in range(200):  # a long history without the line
        learner.observe("p", _body(i))
    for i in range(200, 200 + MIN_PAGES):
        learner.observe("p", _body(i) + [TEMPLATE])
    assert segment_key(TEMPLATE) in learner.template_keys("p")
    assert not is_template(pages=MIN_PAGES, first_total=0, portal_pages=200)  # rare over all pages


def _page(i: int, with_template: bool = True) -> bytes:
    paragraphs = _body(i) + ([TEMPLATE] if with_template else [])
    ps = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>Hội nghị lần thứ {i} | Sở Nội vụ</title></head><body>"
            f"<h1 class='title'>Hội nghị thi đua khen thưởng lần thứ {i} của Sở Nội vụ</h1>"
            f"<div class='field-name-body'>{ps}<p>Nguyễn Văn An</p><p>Phòng Thi đua - Khen thưởng</p></div>"
            f"</body></html>").encode("utf-8")


def _job(i: int) -> PageJob:
    url = f"https://{HOST}/node/{i}"
    return PageJob(portal_key="p", family="drupal", date_order="dmy", scheme="https", host_map={},
                   hosts=frozenset({HOST}), url=url, final_url=url, body=_page(i), encoding="utf-8",
                   fetched_at=datetime.now(UTC))


def _run(db_url: str, pages: range) -> list[str]:
    pool = PagePool(0, page_target(db_url, HOST))

    async def go() -> list[str]:
        return [(await pool.process(_job(i))).outcome for i in pages]

    try:
        return asyncio.run(go())
    finally:
        pool.close()


def test_crawl_learns_the_template_and_the_next_run_starts_with_it(db_url):
    assert _run(db_url, range(12)) == ["new"] * 12
    db = Database(db_url)
    with db.session() as s:
        texts = [a.text for a in s.scalars(select(Article).order_by(Article.id))]
        saved = s.scalars(select(TemplateSegment).where(TemplateSegment.text == TEMPLATE)).one()
    assert all(TEMPLATE in t for t in texts[:MIN_PAGES])      # before it was learned
    assert not any(TEMPLATE in t for t in texts[MIN_PAGES:])  # once learned, gone from the text
    assert saved.pages >= MIN_PAGES
    # the byline after the template line is still read as a byline
    with db.session() as s:
        last = s.scalars(select(Article).order_by(Article.id.desc())).first()
        assert last.authors == ["Nguyễn Văn An"] and last.unit == "Phòng Thi đua - Khen thưởng"

    assert _run(db_url, range(100, 102)) == ["new", "new"]  # a new run: learned from the start
    with db.session() as s:
        newest = s.scalars(select(Article).order_by(Article.id.desc())).first()
    db.dispose()
    assert TEMPLATE not in newest.text and "lần thứ 101" in newest.text


def test_extraction_without_hints_keeps_every_line():
    article = extract_article(_page(1), f"https://{HOST}/node/1")
    assert TEMPLATE in article.text
