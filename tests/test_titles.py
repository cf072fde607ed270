"""The headline by evidence (cleaning/titles.py): claims of <title>/og:title agree with a heading,
or the headline-like heading right above the body wins; block headings, teasers of other
stories and the site name never do."""
from __future__ import annotations

import pytest

from cleaning import extract_article

HEADLINE = "Huyện tổ chức hội nghị sơ kết công tác thi đua khen thưởng năm 2024"
BODY = "".join(
    f"<p>Đoạn {i}: sáng nay, tại hội trường Ủy ban nhân dân huyện, các đại biểu đã thảo luận về kết quả "
    f"thực hiện phong trào thi đua yêu nước và đề ra nhiệm vụ trọng tâm trong thời gian tới.</p>" for i in range(4))
TEASER = ("<div class='c-x12'><h2><a href='/tin/khac-1'>Xã ra quân làm đường giao thông nông thôn mới năm 2024</a>"
          "</h2><p>Sáng nay, xã tổ chức lễ ra quân làm đường giao thông nông thôn.</p></div>")


def _page(title_tag: str, before: str = "", html_title: str | None = None, heading: str = "h2",
          cls: str = "pn-7") -> str:
    html_title = HEADLINE if html_title is None else html_title
    return (f"<html><head><title>{html_title}</title></head><body>"
            f"<div class='box_3'><h1>Cổng thông tin điện tử huyện Hữu Lũng</h1></div>"
            f"<div class='col-md-8'>{before}<div class='{cls}'><{heading} class='{title_tag}'>{HEADLINE}</{heading}>"
            f"<div class='c-body'>{BODY}</div></div></div></body></html>")


def _title(page: str) -> str:
    return extract_article(page.encode(), "http://huulung.langson.gov.vn/chi-tiet/123").title


@pytest.mark.parametrize("html_title", [
    HEADLINE,
    f"Cổng thông tin điện tử huyện Hữu Lũng - {HEADLINE}",
    f"{HEADLINE} | Cổng TTĐT huyện Hữu Lũng",
    f"Tin tức - {HEADLINE} - Cổng thông tin điện tử huyện Hữu Lũng",   # a category before it
    "Cổng thông tin điện tử huyện Hữu Lũng",                           # generic: the site alone
    "",
])
def test_the_heading_above_the_body_wins_over_blocks_before_it(html_title):
    before = "<h1 class='title'>Tin nổi bật</h1><h3>Thông báo</h3>" + TEASER
    assert _title(_page("x1", before, html_title)) == HEADLINE


def test_a_teaser_of_another_story_before_the_article_is_not_its_title():
    page = _page("t", TEASER * 2, "Cổng thông tin điện tử huyện Hữu Lũng")
    assert _title(page) == HEADLINE


def test_a_main_column_called_sidebar_still_holds_the_title():
    page = _page("title-detail", "", f"{HEADLINE} - Báo điện tử", heading="h1", cls="sidebar-1")
    assert _title(page) == HEADLINE


def test_a_title_in_a_div_without_a_heading_tag():
    page = _page("news-title-lg", "<h2>Tin nổi bật</h2>", "Cổng thông tin điện tử huyện Hữu Lũng", heading="div")
    assert _title(page) == HEADLINE


def test_a_family_selector_that_picks_a_sidebar_heading_gives_way_to_the_claimed_one():
    # COMMON_TITLE selects h1.title: here a "related" block's heading comes first
    page = (f"<html><head><title>{HEADLINE} - Sở Nội vụ</title></head><body>"
            f"<div class='tinkhac'><h1 class='title'>Tin khác cùng chuyên mục của Sở Nội vụ tỉnh</h1></div>"
            f"<div class='main'><h2>{HEADLINE}</h2><div>{BODY}</div></div></body></html>")
    assert _title(page) == HEADLINE


def test_generic_title_plain_block_after_a_breadcrumb_with_toolbar_links_below():
    page = (f"<html><head><title>Cổng thông tin điện tử tỉnh Thái Bình</title></head><body>"
            f"<div class='g-col'><div class='r14'><a href='/'>Trang chủ</a> » <a href='/t'>Tin tức - Sự kiện</a> » "
            f"<a href='/n'>Nông thôn mới</a></div><div class='c_14'>{HEADLINE}</div>"
            f"<div class='k-11'><p class='row'>Đăng ngày 6/12/2024</p> | <span><a href='#'>Gửi email</a></span></div>"
            f"<section>{BODY}</section></div></body></html>")
    assert _title(page) == HEADLINE


def test_a_unit_named_title_is_the_site_when_the_home_link_says_so():
    # <title> is the unit's name, as the logo link to "/" writes it; the footer repeats it
    page = (f"<html><head><title>Sở Tài chính tỉnh Lào Cai</title></head><body>"
            f"<div class='hd'><a href='/'>Sở Tài chính tỉnh Lào Cai</a></div><div class='m'>"
            f"<span class='t36'>{HEADLINE}</span><div class='c'>{BODY}</div></div>"
            f"<div class='f'><p>Bản quyền thuộc Sở Tài chính tỉnh Lào Cai</p></div></body></html>")
    assert _title(page) == HEADLINE


def test_a_long_portal_name_is_never_the_title():
    name = "Cổng thông tin điện tử Sở Văn hóa, Thể thao và Du lịch tỉnh Hưng Yên"
    page = (f"<html><head><title>{name}</title></head><body><div class='m'><h1>{name}</h1>"
            f"<div class='x'>{HEADLINE}</div><div class='c'>{BODY}</div></div></body></html>")
    assert _title(page) == HEADLINE


def test_a_category_box_title_gives_way_to_the_headline_under_it():
    page = (f"<html><head><title>Cổng Thông tin điện tử tỉnh Hưng Yên</title></head><body><main>"
            f"<div class='ds-post-detail'><h2 class='ds-box-title'>Thi đua - Khen thưởng</h2>"
            f"<h4 class='ds-post-title'>{HEADLINE}</h4><div class='clearfix'>{BODY}</div></div></main></body></html>")
    assert _title(page) == HEADLINE


@pytest.mark.parametrize("href,is_home", [("/", True), ("http://x.gov.vn", True), ("https://x.gov.vn/", True),
                                          ("/Default.aspx", True), ("/trang-chu", True), ("", False),
                                          ("#", False), ("/tin-tuc", False), ("?p=1", False)])
def test_home_links_name_the_site(href, is_home):
    from cleaning.titles import site_names
    from lxml import html as lxml_html
    doc = lxml_html.document_fromstring(f"<html><body><a href='{href}'>Tên trang</a></body></html>")
    assert ("tên trang" in site_names(doc, None)) is is_home


def test_a_caption_inside_the_body_is_never_the_title():
    # the body's first paragraph opens with a bold tag, the sapo is all italics: the body
    # starts there, not at the first paragraph of plain text after a captioned image
    caption = "Đồng chí Vũ Thanh Thụy phát biểu tại hội nghị. Ảnh: Hòa Thủy"
    page = (f"<html><head><title>Cổng thông tin điện tử tỉnh Thái Bình</title></head><body><div class='g-col'>"
            f"<div class='c_14'>{HEADLINE}</div><div class='k-11'><p>Đăng ngày 22/2/2025</p> | <span><a href='#'>"
            f"Gửi email</a></span> | <span><a href='#'>In bài</a></span></div><p class='z'><em>Đây là hoạt động thiết thực nhằm nâng cao hiệu "
            f"quả công tác trên địa bàn huyện.</em></p><section><p><strong>(LSO) -</strong> Chiều 22/2/2025, tại "
            f"UBND huyện Văn Chấn, Cụm thi đua các huyện đã tổ chức Hội nghị sơ kết công tác thi đua.</p>"
            f"<table><tr><td><img src='/a.jpg'></td></tr><tr><td><em>{caption}</em></td></tr></table>"
            f"{BODY}</section></div></body></html>")
    assert _title(page) == HEADLINE


def test_the_site_name_part_of_the_title_never_wins_by_agreement():
    site = "Trang thông tin điện tử huyện Mường Khương"
    page = (f"<html><head><title>{site} - {HEADLINE}</title></head><body><div class='hd'><h1 class='title'>{site}</h1>"
            f"</div><div class='m'><h3 class='block-title'>Tin tức - Sự kiện</h3><div class='content-inner'>{HEADLINE}"
            f"</div><div class='c'>{BODY}</div></div></body></html>")
    assert _title(page) == HEADLINE
