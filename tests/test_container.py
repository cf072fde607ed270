"""The article container by structure (cleaning/container.py): paragraph text against the other
text a block brings in, whatever the class names; link lists cut; pages of headlines refused."""
from __future__ import annotations

import pytest

from cleaning import ExtractionError, extract_article

HEADLINE = "Huyện tổ chức hội nghị sơ kết công tác thi đua khen thưởng năm 2024"
PARAS = [f"Đoạn {i}: sáng nay, tại hội trường Ủy ban nhân dân huyện, các đại biểu đã thảo luận về kết quả "
         f"thực hiện phong trào thi đua yêu nước và đề ra nhiệm vụ trọng tâm trong thời gian tới." for i in range(5)]
BODY = "".join(f"<p>{p}</p>" for p in PARAS)
TEASER_LEAD = "Sáng nay, xã tổ chức lễ ra quân làm đường giao thông nông thôn với sự tham gia của nhân dân."
TEASER = (f"<div class='ht-post'><h3><a href='/tin/khac-1'>Xã ra quân làm đường giao thông nông thôn mới</a></h3>"
          f"<p>{TEASER_LEAD}</p></div>")
RELATED = ("<h3>Tin cùng chuyên mục</h3><ul>" + "".join(
    f"<li><a href='/tin/{i}'>Tin liên quan số {i} về công tác thi đua khen thưởng của huyện</a> (0{i}/05/2024)</li>"
    for i in range(1, 6)) + "</ul>")
MENU = "<ul class='ht-menu'>" + "".join(f"<li><a href='/m/{i}'>Mục {i}</a></li>" for i in range(12)) + "</ul>"


def _extract(body: str, title: str = HEADLINE):
    page = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return extract_article(page.encode(), "http://huulung.langson.gov.vn/chi-tiet/1017")


def test_a_teaser_before_the_article_in_the_same_block_is_not_its_text():
    # ASP.NET wraps the page in a <form>; the detail block holds another story's teaser first
    page = (f"<form action='Default.aspx'><input type='hidden' name='__VIEWSTATE' value='x'>{MENU}"
            f"<div class='c-13'><div class='ht-post-detail'>{TEASER}<h4 class='x'>{HEADLINE}</h4>"
            f"<div class='row'>{BODY}</div>{RELATED}</div></div></form>")
    article = _extract(page)
    assert article.text.split("\n") == PARAS
    assert TEASER_LEAD not in article.text and "Tin liên quan" not in article.text


def test_meaningless_class_names_and_a_sidebar_of_teasers():
    sidebar = "<div class='c-35'>" + TEASER * 3 + "</div>"
    page = (f"{MENU}<div class='u-x8'><div class='blk-x7'><h2>{HEADLINE}</h2><div class='k_22'>{BODY}</div>"
            f"</div>{sidebar}</div><div class='w_9'>{RELATED}</div>")
    article = _extract(page)
    assert article.text.split("\n") == PARAS


def test_a_link_list_inside_the_body_block_goes_with_its_heading():
    page = f"{MENU}<div class='pn-7'><h1>{HEADLINE}</h1>{BODY}{RELATED}</div>"
    article = _extract(page)
    assert article.text.split("\n") == PARAS


def test_a_page_of_headlines_is_refused():
    items = "".join(f"<div class='item'><h3><a href='/tin/{i}'>Tin tức số {i} về hoạt động của huyện trong tuần qua</a>"
                    f"</h3><span>0{i % 9 + 1}/05/2024</span></div>" for i in range(40))
    footer = ("<div class='ft'>Cơ quan chủ quản: Ủy ban nhân dân huyện Hữu Lũng, tỉnh Lạng Sơn. Địa chỉ: số 1 "
              "đường Lê Lợi, thị trấn Hữu Lũng. Điện thoại: 0205.3812.345.</div>")
    with pytest.raises(ExtractionError) as refused:
        _extract(f"{MENU}<div class='home'>{items}</div>{footer}", "Cổng thông tin điện tử huyện Hữu Lũng")
    assert refused.value.reason == "not_article"


@pytest.mark.parametrize("row,is_boilerplate", [
    ("In bài | Gửi email | Lượt xem: 2419", True),
    ("| Lượt truy cập: 1359 | In bài", True),
    ("Ngày đăng: 10/06/2020 08:22 | Cập nhật: 10/06/2020 12:39 | Gửi email | Lượt truy cập: 2235 | Đăng bởi: admin", True),
    ("06:58 | 06/02/2021 | Lượt đọc: 2223 | Gửi email", True),
    ("Hội nghị | Thi đua khen thưởng năm 2024", False),            # a headline with a bar
    ("Sáng nay | các đại biểu đã thảo luận về kết quả", False),
    ("Đăng bởi: Nguyễn Văn An | Gửi email", False),                # a person, not an account
])
def test_meta_rows_of_toolbar_entries_are_boilerplate(row, is_boilerplate):
    from cleaning.boilerplate import is_boilerplate_line
    assert is_boilerplate_line(row) is is_boilerplate


def test_a_meta_row_between_headline_and_body_stays_out_of_the_text():
    page = (f"{MENU}<div class='x1'><h1>{HEADLINE}</h1><div class='r2'>In bài | Gửi email | Lượt xem: 2419</div>"
            f"<div>{BODY}</div></div>")
    assert _extract(page).text.split("\n") == PARAS


SAPO = "Hội nghị đã đánh giá kết quả đạt được, chỉ ra những hạn chế và thống nhất nhiệm vụ trong thời gian tới."


@pytest.mark.parametrize("sapo_html", [
    f"<p class='col-md-4'><em>{SAPO}</em></p>",           # emphasised, before the body block
    f"<div class='inner'>{SAPO}</div>",                    # a block of its own, plain type
    f"<h4 class='x'>{SAPO}</h4>",                          # a heading
])
def test_the_sapo_by_position_is_summary_and_first_paragraph(sapo_html):
    page = (f"{MENU}<article class='m1'><h3 class='w100'>{HEADLINE}</h3><div class='u19'>Lượt xem: 1586</div>"
            f"{sapo_html}<div class='x_19'>{BODY}</div></article>")
    article = _extract(page)
    assert article.summary == SAPO
    assert article.text.split("\n") == [SAPO, *PARAS]


def test_a_plain_first_paragraph_is_body_not_sapo():
    page = f"{MENU}<article class='m1'><h3 class='w100'>{HEADLINE}</h3><div class='x_19'>{BODY}</div></article>"
    article = _extract(page)
    assert article.summary is None and article.text.split("\n") == PARAS


def test_a_bold_first_paragraph_inside_the_body_is_the_sapo():
    page = (f"{MENU}<div class='m1'><h1>{HEADLINE}</h1><div class='c'><p><strong>{SAPO}</strong></p>{BODY}</div></div>")
    article = _extract(page)
    assert article.summary == SAPO and article.text.split("\n") == [SAPO, *PARAS]


def test_a_single_related_item_after_the_byline_is_cut_and_the_byline_read():
    page = (f"{MENU}<div class='m'><h1>{HEADLINE}</h1><div class='c'>{BODY}<p style='text-align:right'>"
            f"<strong>THU THỦY - HỒNG NHUNG</strong></p><div class='x'><h4>Tin khác</h4><ul><li><a href='/t/9'>"
            f"Văn Quan: hiệu quả từ mô hình trồng cây ăn quả</a> (21:32 02/02/2020)</li></ul></div></div></div>")
    article = _extract(page)
    assert article.text.split("\n") == PARAS
    assert article.authors == ["THU THỦY", "HỒNG NHUNG"]


def test_banner_and_footer_lines_do_not_make_the_page_the_container():
    banner = "<div>Quyết tâm thực hiện thắng lợi Nghị quyết Đại hội Đảng bộ tỉnh Lạng Sơn lần thứ XX, nhiệm kỳ 2020 - 2025</div>"
    footer = ("<div><p>CƠ QUAN CHỦ QUẢN: ỦY BAN NHÂN DÂN HUYỆN HỮU LŨNG, TỈNH LẠNG SƠN</p><p>Giấy phép thiết lập "
              "trang thông tin điện tử số 18/GP-TTĐT ngày 12/3/2019 của Sở Thông tin và Truyền thông</p></div>")
    page = (f"<div class='c31'>{banner}<div><a href='/'>Sở Nông nghiệp và Môi trường tỉnh Lào Cai</a></div>{MENU}"
            f"<div class='w'><span>{HEADLINE}</span><article class='u'>{BODY}</article></div>{footer * 5}</div>")
    article = _extract(page, "Sở Nông nghiệp và Môi trường tỉnh Lào Cai")
    assert article.title == HEADLINE and article.text.split("\n") == PARAS


def test_a_byline_above_a_toolbar_is_not_the_toolbar_heading():
    page = (f"{MENU}<article class='a'><h1>{HEADLINE}</h1><div class='b'><em>Đăng ngày 08/02/2020</em> | "
            f"<span>Lượt xem: 2023</span></div><div class='c'>Tin, ảnh: P. Tùng</div><div class='d'>"
            f"<a href='#'>Gửi email</a> <a href='#'>Lưu tin</a> <a href='#'>Chia sẻ</a></div>"
            f"<div class='e'>{BODY}</div></article>")
    article = _extract(page)
    assert article.authors == ["P. Tùng"] and article.text.split("\n") == PARAS
