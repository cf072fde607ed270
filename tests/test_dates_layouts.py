"""Publication dates on layouts no family rule knows (issue 14, item 1 "published / updated").

Pages built here in several markups (div/span vendor themes, table layouts, HTML5 articles,
a Drupal theme): the date above or below the headline, after the body, in a meta row, in
time-first, 12-hour, parenthesised and labelled forms; always a header clock (today), a related
list with other stories' dates and event dates inside the body, none of which is the date.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cleaning import extract_article
from cleaning.dates import MDY, PUBLISHED_LABEL, UPDATED_LABEL, date_line_residue, written_dates

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Hội nghị sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm 2023"
CLOCK = "Thứ Sáu, ngày 20/11/2026 08:30"  # today, in the site's header
PARAGRAPHS = "".join(
    f"<p>{text}</p>" for text in (
        "Sáng ngày 14/7/2020, tại trụ sở Sở Nội vụ, Cụm thi đua các huyện, thị xã, thành phố tổ chức hội nghị "
        "sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm và triển khai nhiệm vụ 6 tháng cuối năm.",
        "Các đơn vị thành viên đã thảo luận và đề nghị bổ sung một số chỉ tiêu để hoàn thiện báo cáo. Đến "
        "ngày 30/6/2020, toàn cụm đã khen thưởng cho 356 lượt tập thể, cá nhân có thành tích xuất sắc.",
        "Hội nghị cũng chỉ ra một số hạn chế như việc phát hiện, giới thiệu điển hình tiên tiến còn chưa kịp "
        "thời; các đơn vị thống nhất tiếp tục đẩy mạnh các phong trào thi đua trong thời gian tới./.",
    ))
RELATED = ("<div class='k-12'><strong>Tin khác</strong><ul>"
           "<li><a href='/tin/1'>Bắc Hà: ký kết giao ước thi đua năm 2024 giữa các xã</a> <span>(19/08/2024)</span></li>"
           "<li><a href='/tin/2'>Văn Chấn tổng kết công tác xây dựng nông thôn mới năm 2021</a> "
           "<span>(27/09/2021)</span></li>"
           "<li><a href='/tin/3'>Tập huấn kỹ năng số cho cán bộ, công chức huyện Đình Lập</a> "
           "<span>(05/03/2020)</span></li></ul></div>")
URL = "http://vanquan.langson.gov.vn/tin-tuc/hoi-nghi-so-ket-1023"


def _vendor(above: str = "", below: str = "", after: str = "", body_attrs: str = "",
            block_class: str = "u-21") -> bytes:
    """A div/span vendor theme: header with clock and menu, the article block, a sidebar."""
    return (f"<html><head><title>Cổng thông tin điện tử huyện Văn Quan</title></head><body {body_attrs}>"
            f"<div class='w-3'><div class='x_7'>{CLOCK}</div><div class='b-2'><a href='/'>Trang chủ</a>"
            "<a href='/tin-tuc'>Tin tức</a><a href='/gioi-thieu'>Giới thiệu</a><a href='/lien-he'>Liên hệ</a>"
            "<a href='/thu-tuc'>Thủ tục hành chính</a></div></div>"
            f"<div class='{block_class}'><div class='g-4'>{above}<h2 class='t-9'>{TITLE}</h2>{below}"
            f"<div class='c-5'>{PARAGRAPHS}<p style='text-align:right'><b>Lăng Văn Thủy</b></p></div>"
            f"{after}{RELATED}</div></div>"
            "<div class='s-8'><div>Thống kê truy cập</div><ul><li>Hôm nay: 230</li></ul></div>"
            "<div class='f-1'>Giấy phép thiết lập trang thông tin điện tử số 24/GP-TTĐT ngày 12/3/2019</div>"
            "</body></html>").encode()


def _table(date_cell: str) -> bytes:
    """An ASP.NET-style table layout: the date in a cell of its own after the body."""
    return ("<html><head><title>Trang thông tin điện tử xã Hòa Cư</title></head><body><form id='form1'>"
            f"<table class='top'><tr><td>{CLOCK}</td><td><a href='/'>Trang chủ</a></td></tr></table>"
            "<table class='main'><tr><td class='left'><ul><li><a href='/a'>Giới thiệu chung về xã Hòa Cư và lịch sử</a>"
            " (12/01/2022)</li><li><a href='/b'>Quy hoạch sử dụng đất của xã đến năm 2030 được duyệt</a> "
            "(02/02/2022)</li></ul></td>"
            f"<td class='center'><table><tr><td><h1>{TITLE}</h1></td></tr><tr><td>{PARAGRAPHS}</td></tr>"
            f"<tr><td>{date_cell}</td></tr></table>{RELATED}</td></tr></table>"
            "</form></body></html>").encode()


def _html5(header_meta: str, article_class: str = "post") -> bytes:
    """An HTML5 theme: <header> for the site (clock), <article> with its own header meta row."""
    return (f"<html><head><title>{TITLE}</title></head><body class='one-sidebar sidebar-second'>"
            f"<header class='site'><div>{CLOCK}</div><nav><a href='/'>Trang chủ</a></nav></header>"
            f"<main><article class='{article_class}'><h1>{TITLE}</h1>{header_meta}"
            f"<div class='c-2'>{PARAGRAPHS}</div></article><aside>{RELATED}</aside></main>"
            "<footer>Bản quyền thuộc UBND huyện</footer></body></html>").encode()


def _published(page: bytes, url: str = URL):
    return extract_article(page, url).published


@pytest.mark.parametrize("page,expected", [
    # time-first, labelled as an update, the only date: below the body
    (_vendor(after="<span class='p-3'>Cập nhật lúc: 16:12 20/05/2018</span>"), datetime(2018, 5, 20, 16, 12)),
    # parenthesised with a weekday, after the body in a table layout
    (_table("<i>(Thứ bảy, 22/05/2021 11:38)</i>"), datetime(2021, 5, 22, 11, 38)),
    # time, comma, date
    (_table("<span>10:32, 04/12/2020</span>"), datetime(2020, 12, 4, 10, 32)),
    # 12-hour clock, above the headline
    (_vendor(above="<span class='m-1'>Ngày đăng 18/03/2019 | 04:01 PM</span>"), datetime(2019, 3, 18, 16, 1)),
    # "SA"/"CH" and a meta row with views and print tools, after the body
    (_vendor(after="<div class='r-4'><span>Đăng lúc: 09:05 CH 02/08/2023</span> | <span>Lượt xem: 822</span>"
                   " | <a href='javascript:window.print()'>In bài</a></div>"), datetime(2023, 8, 2, 21, 5)),
    # "Thứ Tư, 22/10/2025, 19:25 (GMT+7)" above the headline
    (_vendor(above="<p>Thứ Tư, 22/10/2025, 19:25 (GMT+7)</p>"), datetime(2025, 10, 22, 19, 25)),
])
def test_date_forms_and_positions(page, expected):
    assert _published(page) == expected.replace(tzinfo=VN)


@pytest.mark.parametrize("line,expected", [
    ("Cập nhật lúc: 13:43 17/01/2026 - Đăng lúc: 08:26 17/01/2026", datetime(2026, 1, 17, 8, 26)),
    ("Ngày cập nhật: 08/06/2024 22:25 | Ngày đăng: 08/06/2024 15:08", datetime(2024, 6, 8, 15, 8)),
])
def test_publication_label_wins_over_the_update_on_one_line(line, expected):
    page = _vendor(after=f"<div class='d-7'>{line}</div>")
    article = extract_article(page, URL)
    assert article.published == expected.replace(tzinfo=VN)
    assert article.updated is not None and article.updated > article.published


@pytest.mark.parametrize("page", [
    # the article's block classed like a sidebar widget
    _vendor(below="<span>Đăng ngày 06/01/2023</span>", block_class="widget sidebar-content"),
    # the page's <body> classed "one-sidebar sidebar-second" (Drupal's page classes)
    _vendor(below="<span class='date'>Đăng ngày 06/01/2023</span>", body_attrs="class='one-sidebar sidebar-second'"),
])
def test_a_block_holding_the_article_is_no_sidebar(page):
    assert _published(page) == datetime(2023, 1, 6, tzinfo=VN)


def test_html5_article_meta_row_beside_the_site_header_clock():
    page = _html5("<div class='meta'><span>Ngày đăng: 08/06/2024 15:08</span> <span>Chuyên mục: "
                  "<a href='/c'>Thi đua - Khen thưởng</a></span></div>")
    assert _published(page) == datetime(2024, 6, 8, 15, 8, tzinfo=VN)


def test_time_element_in_a_widget_classed_article_gives_the_minute():
    page = _html5("<p><time datetime='2023-12-24T08:37:00+07:00'>( Cập nhật lúc: 24/12/2023 )</time></p>",
                  article_class="widget mod_6")
    assert _published(page) == datetime(2023, 12, 24, 8, 37, tzinfo=VN)


@pytest.mark.parametrize("page", [
    _vendor(),   # the clock, the related list, the footer's licence date and the body's event dates
    _table(""),
    _html5(""),
])
def test_no_credible_date_is_null(page):
    assert _published(page) is None


def test_a_list_of_dated_links_after_the_body_is_not_the_date():
    short_items = ("<ul><li><a href='/1'>Tin 1</a> 12/01/2020</li><li><a href='/2'>Tin 2</a> 13/01/2020</li>"
                   "<li><a href='/3'>Tin 3</a> 14/01/2020</li></ul>")
    page = _vendor(after=f"<span>05/05/2021 07:30</span>{short_items}")
    assert _published(page) == datetime(2021, 5, 5, 7, 30, tzinfo=VN)


def test_a_body_row_with_a_document_link_makes_the_date_row_no_related_item():
    """Table rows: title, a date line holding a link, the body holding an event date and an
    attached document's link: the body's row is the article, so the date row is no item of a
    list of dated links (found on the replica's ASP.NET family once attachments were linked)."""
    page = ("<html><head><title>Cổng thông tin điện tử huyện Bắc Hà</title></head><body><form id='form1'>"
            f"<table class='top'><tr><td class='clock'>{CLOCK}</td></tr></table><table class='main'>"
            f"<tr><td class='news-title'><h2>{TITLE}</h2></td></tr>"
            "<tr><td class='news-info'><span class='date'>15:57, 24/06/2023</span> | <a href='/in'>In bài</a></td></tr>"
            f"<tr><td class='news-content'>{PARAGRAPHS}<div>File đính kèm: <a href='/Uploads/Files/bao-cao.pdf'>"
            "bao-cao.pdf</a></div></td></tr></table></form></body></html>").encode()
    assert _published(page) == datetime(2023, 6, 24, 15, 57, tzinfo=VN)


def _drupal(date_line: str) -> bytes:
    return ("<html><head><title>Hội nghị | Xã Bảo Lâm</title></head><body class='path-node page-node-type-article'>"
            "<a href='#main-content' class='visually-hidden focusable skip-link'>Skip to main content</a>"
            f"<div class='region-header'>{CLOCK}</div><main id='main-content'><div class='vnp-Newsdetail'>"
            f"<span class='vnp-DetailTitle'>{TITLE}</span><div class='vnp-Body'>{PARAGRAPHS}</div>"
            f"<div class='vnp-PublishDate'>{date_line}</div></div>{RELATED}</main>"
            "<script>var drupalSettings = {};</script></body></html>").encode()


@pytest.mark.parametrize("line,expected", [
    ("T4, 08/02/2023 - 16:19", datetime(2023, 8, 2, 16, 19)),   # Drupal's medium format: month first
    ("06:12 10-8-2022", datetime(2022, 8, 10, 6, 12)),          # a theme's own forms: day first
    ("20:09 11/06/2023", datetime(2023, 6, 11, 20, 9)),
    ("Thứ Ba, ngày 05/09/2023 - 21:26", datetime(2023, 9, 5, 21, 26)),
])
def test_drupal_theme_dates_after_the_body(line, expected):
    assert _published(_drupal(line), "http://baolam.gov.vn/node/1051") == expected.replace(tzinfo=VN)


@pytest.mark.parametrize("text,label,residue", [
    ("Cập nhật lúc: 16:12 20/05/2018", UPDATED_LABEL, ""),
    ("Đăng lúc 08:13 ngày 14/8/2021", PUBLISHED_LABEL, ""),
    ("(Thứ bảy, 22/05/2021 11:38)", None, ""),
    ("Ngày đăng: 24/03/2025 | 07:09 | Lượt truy cập: 36", PUBLISHED_LABEL, ""),
])
def test_written_dates_read_label_and_line(text, label, residue):
    dates = written_dates(text)
    assert [d.label for d in dates] == [label]
    assert date_line_residue(text, dates) == residue


def test_an_event_date_in_a_sentence_leaves_its_words():
    text = "Ngày 5/8/2022, tại Hội Nông dân tỉnh, UBND huyện Bắc Hà tổ chức hội nghị"
    assert len(date_line_residue(text, written_dates(text)).split()) > 5


def test_month_first_only_in_drupal_shape():
    assert written_dates("T4, 08/02/2023 - 16:19", MDY)[0].value.month == 8
    assert written_dates("08/02/2023 - 16:19", MDY)[0].value.month == 8
    assert written_dates("8/2/2023", MDY)[0].value.month == 2
    assert written_dates("16:19 08/02/2023", MDY)[0].value.month == 2


def test_an_unlabelled_date_in_a_meta_row_of_many_tools():
    row = ("<div class='t-6'><div>Ngày 26/01/2019</div> | <span>Người đăng: admin</span> | <span>Lượt đọc: 2215"
           "</span> | <span><a href='mailto:?subject=x'>Gửi email</a></span> | <span><a href='#'>In bài</a></span></div>")
    assert _published(_vendor(below=row)) == datetime(2019, 1, 26, tzinfo=VN)


def test_an_event_sentence_with_a_link_after_the_body_is_no_date():
    after = ("<p>Ngày 12/5/2023, <a href='/van-ban/12'>Kế hoạch số 12</a> về thi đua được ban hành và gửi tới "
             "các đơn vị trong toàn huyện</p>")
    assert _published(_vendor(after=after)) is None
