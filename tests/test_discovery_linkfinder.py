"""Links by page structure (crawler/linkfinder.py): news sections from menus, article items from a
listing's repeated block whatever their URL shape, pagers; menus, footers and sidebars left out."""
from __future__ import annotations

import lxml.html
import pytest

from crawler.linkfinder import is_section_anchor, listing_links, normalize_anchor, section_links

BASE = "http://x.gov.vn/"


def _root(body: str):
    return lxml.html.fromstring(f"<html><head><title>t</title></head><body>{body}</body></html>")


MENU = """<header><div class="logo"><a href="/">Cổng thông tin điện tử tỉnh X</a></div></header>
<nav><ul>
 <li><a href="/">Trang chủ</a></li>
 <li><a href="/gioi-thieu">Giới thiệu</a></li>
 <li><a href="/Default.aspx?tabid=55&amp;cat=2">TIN TỨC - SỰ KIỆN</a></li>
 <li><a href="/van-ban">Văn bản</a></li>
 <li><a href="/hoi-dap">Hỏi đáp</a></li>
 <li><a href="/thu-tuc">Thủ tục hành chính</a></li>
 <li><a href="/dang-nhap">Đăng nhập</a></li>
 <li><a href="/lien-he">Liên hệ</a></li>
</ul></nav>"""

FOOTER = """<footer><ul><li><a href="/lien-he">Liên hệ</a></li><li><a href="/so-do">Sơ đồ site</a></li>
<li><a href="/ban-quyen-thuoc-so-thong-tin-va-truyen-thong">Bản quyền thuộc Sở Thông tin và Truyền thông tỉnh</a></li>
<li><a href="/chinh-sach-bao-mat-thong-tin-ca-nhan">Chính sách bảo mật thông tin cá nhân</a></li></ul>
<p>CƠ QUAN CHỦ QUẢN: UBND TỈNH X</p></footer>"""

SIDEBAR = """<aside><h3>Tin xem nhiều</h3><ul>
<li><a href="/side/1">Bài viết được xem nhiều nhất trong tuần qua số một</a></li>
<li><a href="/side/2">Bài viết được xem nhiều nhất trong tuần qua số hai</a></li>
<li><a href="/side/3">Bài viết được xem nhiều nhất trong tuần qua số ba</a></li></ul>
<table class="calendar"><tr><td><a href="/lich?d=1">1</a></td><td><a href="/lich?d=2">2</a></td></tr></table>
</aside>"""

TITLES = [
    "Hội nghị sơ kết công tác thi đua khen thưởng sáu tháng đầu năm",
    "Tỉnh đẩy mạnh chuyển đổi số trong cơ quan nhà nước",
    "Khánh thành cầu mới nối hai xã vùng cao",
    "Tập huấn nghiệp vụ cho cán bộ cấp xã năm 2024",
]


@pytest.mark.parametrize(("text", "expected"), [
    ("Tin tức", True), ("TIN TỨC - SỰ KIỆN", True), ("Tin tức – Sự kiện", True), ("Sự kiện", True),
    ("Hoạt động", True), ("Hoạt động của UBND tỉnh", True), ("Thông báo", True), ("Tin địa phương", True),
    ("Tin hoạt động", True), ("Chuyển đổi số", True), ("tin tuc su kien", True), (" Tin  tức ", True),
    ("Văn bản", False), ("Văn bản thông báo", False), ("Hỏi đáp", False), ("Thủ tục hành chính", False),
    ("Đăng nhập", False), ("Tìm kiếm", False), ("Liên hệ", False), ("Trang chủ", False),
    ("Giới thiệu chung", False), ("Tin tức hôm nay về một chủ đề rất dài không phải menu", False),
])
def test_section_anchor_texts(text, expected):
    assert is_section_anchor(text) is expected


def test_normalize_anchor_folds_case_nfd_and_punctuation():
    nfd = "Tin tu\u031b\u0301c - Su\u031b\u0323 kie\u0302\u0323n"
    assert normalize_anchor(nfd) == normalize_anchor("TIN TỨC: SỰ KIỆN!") == "tin tức sự kiện"


def test_sections_from_the_menu_with_a_query_string_category_never_denied_pages():
    body = MENU + """<div class="main"><h2 class="box-title"><a href="/?cat=7">Hoạt động</a></h2>
    <p>Nội dung trang chủ</p></div>""" + FOOTER
    assert section_links(_root(body), BASE) == [
        "http://x.gov.vn/Default.aspx?tabid=55&cat=2", "http://x.gov.vn/?cat=7"]


def test_section_anchor_in_running_text_is_no_section():
    body = MENU.replace("TIN TỨC - SỰ KIỆN", "Ban biên tập") + \
        '<div class="content"><p>Xem thêm ở mục <a href="/su-kien">Sự kiện</a> của cổng.</p></div>'
    assert section_links(_root(body), BASE) == []


def test_sections_in_a_menu_without_nav_markup():
    body = '<div id="top"><ul>' + "".join(
        f'<li><a href="/{slug}">{name}</a></li>' for slug, name in (
            ("", "Trang chủ"), ("tin-dia-phuong", "Tin địa phương"), ("thong-bao", "Thông báo"),
            ("van-ban", "Văn bản"), ("lien-he", "Liên hệ"))) + "</ul></div>"
    assert section_links(_root(body), BASE) == ["http://x.gov.vn/tin-dia-phuong", "http://x.gov.vn/thong-bao"]


def _ul_listing() -> str:
    items = "".join(f'<li><a href="/-/view-article/bai-{i}">{t}</a> <span>(0{i}/05/2024)</span></li>'
                    for i, t in enumerate(TITLES, 1))
    pager = ('<div class="paging"><span>1</span> <a href="/tin?trang=2">2</a> <a href="/tin?trang=3">3</a> '
             '<a href="/tin?trang=2">Trang sau</a></div>')
    return MENU + f'<div class="content"><h1>Tin tức</h1><ul class="list">{items}</ul>{pager}</div>' + SIDEBAR + FOOTER


def _card_listing() -> str:
    cards = "".join(
        f'<div class="card"><a href="/Pages/bai-{i}-5f3a9c2{i}.aspx"><img src="/t{i}.jpg" alt=""></a>'
        f'<div class="card-body"><h3><a href="/Pages/bai-{i}-5f3a9c2{i}.aspx">{t}</a></h3>'
        f'<div class="date">1{i}/03/2023</div><p>Tóm tắt nội dung bài viết số {i} của cổng.</p></div></div>'
        for i, t in enumerate(TITLES, 1))
    pager = ('<nav class="pagination"><ul><li class="active"><span>1</span></li>'
             '<li><a href="/Pages/tin-tuc.aspx?p=2">2</a></li><li><a href="/Pages/tin-tuc.aspx?p=3">3</a></li>'
             '<li><a href="/Pages/tin-tuc.aspx?p=2">»</a></li></ul></nav>')
    return MENU + f'<main><div class="cards">{cards}</div>{pager}</main>' + SIDEBAR + FOOTER


def _table_listing() -> str:
    rows = "".join(f'<tr><td><a href="/Article/{100 + i}/{i}.html">{t}</a></td><td>2{i}/01/2022</td></tr>'
                   for i, t in enumerate(TITLES, 1))
    return MENU + f'<table class="tbl"><tbody>{rows}</tbody></table>' + FOOTER


@pytest.mark.parametrize(("page", "articles"), [
    (_ul_listing, [f"http://x.gov.vn/-/view-article/bai-{i}" for i in range(1, 5)]),
    (_card_listing, [f"http://x.gov.vn/Pages/bai-{i}-5f3a9c2{i}.aspx" for i in range(1, 5)]),
    (_table_listing, [f"http://x.gov.vn/Article/{100 + i}/{i}.html" for i in range(1, 5)]),
])
def test_listing_items_whatever_the_url_shape(page, articles):
    found = listing_links(_root(page()), "http://x.gov.vn/tin")
    assert list(found.articles) == articles  # menus, footer and sidebar left out


def test_pager_links_and_the_next_page():
    found = listing_links(_root(_ul_listing()), "http://x.gov.vn/tin")
    assert set(found.pagination) == {"http://x.gov.vn/tin?trang=2", "http://x.gov.vn/tin?trang=3"}
    assert found.next_page == "http://x.gov.vn/tin?trang=2"
    cards = listing_links(_root(_card_listing()), "http://x.gov.vn/Pages/tin-tuc.aspx")
    assert set(cards.pagination) == {"http://x.gov.vn/Pages/tin-tuc.aspx?p=2", "http://x.gov.vn/Pages/tin-tuc.aspx?p=3"}
    assert cards.next_page == "http://x.gov.vn/Pages/tin-tuc.aspx?p=2"
    assert "http://x.gov.vn/lich?d=2" not in cards.pagination  # a sidebar calendar is no pager


def test_a_menu_of_short_links_is_no_block_and_a_known_block_counts_with_one_item():
    menu_only = MENU + '<div class="content"><ul>' + "".join(
        f'<li><a href="/muc-{i}">Mục {i}</a></li>' for i in range(8)) + "</ul></div>"
    assert listing_links(_root(menu_only), BASE).articles == ()
    first = listing_links(_root(_ul_listing()), "http://x.gov.vn/tin")
    last_page = MENU + ('<div class="content"><h1>Tin tức</h1><ul class="list"><li><a href="/-/view-article/cu">'
                        'Một bài cũ duy nhất trên trang cuối</a></li></ul></div>')
    assert listing_links(_root(last_page), "http://x.gov.vn/tin?trang=9").articles == ()
    assert listing_links(_root(last_page), "http://x.gov.vn/tin?trang=9", first.signatures).articles == (
        "http://x.gov.vn/-/view-article/cu",)


def test_two_items_with_dates_or_thumbnails_are_a_block():
    two = "".join(f'<div class="item"><img src="/a.jpg"><a href="/chi-tiet/{i}">{t}</a></div>'
                  for i, t in enumerate(TITLES[:2]))
    assert len(listing_links(_root(f'<div class="list">{two}</div>'), BASE).articles) == 2
