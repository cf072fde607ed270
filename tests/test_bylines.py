"""Bylines on layouts no rule knows (issue 14, authors / unit): trailing bylines in their
Vietnamese forms, a byline element above the body, attachment and toolbar lines after the byline,
and what is never an author (a sentence, a CMS account, a date line's weekday).

Pages are built here in several markups per form; each is extracted by the generic path."""
from __future__ import annotations

import pytest

from cleaning import extract_article
from cleaning import bylines

URL = "http://xa-moi.example.gov.vn/tin-tuc/hoi-nghi-tong-ket-1234.html"
TITLE = "Huyện Bảo Thắng tổng kết công tác xây dựng nông thôn mới năm 2024"
PARAGRAPHS = (
    "Sáng ngày 5/6, tại Hội trường UBND huyện, UBND huyện Bảo Thắng tổ chức hội nghị tổng kết công tác "
    "xây dựng nông thôn mới năm 2024, triển khai nhiệm vụ năm 2025.",
    "Năm 2024, toàn huyện đã huy động được hơn 120 tỷ đồng để xây dựng nông thôn mới, trong đó nhân dân "
    "đóng góp hàng nghìn ngày công lao động. Thu nhập bình quân đầu người đạt 52 triệu đồng.",
    "Hệ thống đường giao thông nông thôn được bê tông hóa, thủy lợi nội đồng được kiên cố hóa, đáp ứng "
    "yêu cầu sản xuất. Công tác bảo vệ môi trường được các thôn, bản duy trì thường xuyên.",
    "Phát biểu tại hội nghị, đồng chí Phó Chủ tịch UBND huyện đề nghị các xã tiếp tục phát huy vai trò "
    "chủ thể của người dân, lồng ghép hiệu quả các nguồn vốn để xây dựng nông thôn mới bền vững./.",
)
LAST = PARAGRAPHS[-1]
ATTACH = ('<div class="{cls}">File đính kèm: <a href="/uploads/files/kh-123.pdf">kh-123.pdf</a> '
          '<a href="/uploads/files/kh-123.pdf">Tải về</a></div>')


def page(end: str = "", above: str = "", after: str = "", head: str = "", outer: str = "div") -> str:
    """A vendor layout: headline, date, an optional element above the body, the body (paragraphs
    then `end`), then `after` (attachments, toolbars) outside the body."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<html><head><meta charset='utf-8'><title>{TITLE}</title>{head}</head><body>"
            "<div class='top'><a href='/'>Trang chủ</a> <a href='/tin-tuc'>Tin tức</a></div>"
            f"<{outer} class='k-31'><h1 class='x9'>{TITLE}</h1><div class='d4'>05/06/2024 08:15</div>"
            f"{above}<div class='m-7'>{body}{end}</div>{after}</{outer}>"
            "<div class='f2'>Bản quyền thuộc UBND huyện Bảo Thắng</div></body></html>")


def extract(html: str):
    return extract_article(html.encode("utf-8"), URL)


TRAILING = [
    # name line + unit line, in four markups
    ("<p><strong>Phan Minh Khỏe</strong></p><p><em>Phòng Văn hóa - Thông tin</em></p>",
     ["Phan Minh Khỏe"], "Phòng Văn hóa - Thông tin"),
    ('<p align="right"><b>Phan Minh Khỏe</b><br><i>Phòng Văn hóa - Thông tin</i></p>',
     ["Phan Minh Khỏe"], "Phòng Văn hóa - Thông tin"),
    ('<div style="text-align: right;"><strong>HÀ THỊ YẾN</strong></div>'
     '<div style="text-align: right;">Trung tâm Văn hóa, TT – TT Bắc Hà</div>',
     ["HÀ THỊ YẾN"], "Trung tâm Văn hóa, TT – TT Bắc Hà"),
    # "Tin, ảnh: Name, Unit" / "Bài, ảnh: A - B, Unit" / "Bài và ảnh: Name - Unit"
    ("<p><strong>Bài, ảnh: Lê Hiếu, Phòng Văn hóa - Thông tin</strong></p>",
     ["Lê Hiếu"], "Phòng Văn hóa - Thông tin"),
    ('<p style="text-align:right">Bài, ảnh: THU THỦY - HỒNG NHUNG, Văn phòng UBND huyện</p>',
     ["THU THỦY", "HỒNG NHUNG"], "Văn phòng UBND huyện"),
    ("<p>Bài và ảnh: Tạ Quang Huy - Phòng Thi đua - Khen thưởng, Sở Nội vụ</p>",
     ["Tạ Quang Huy"], "Phòng Thi đua - Khen thưởng, Sở Nội vụ"),
    # "Name (Unit)", "A - B [Unit]"
    ("<p><strong>TRẦN THỊ LAN PHƯƠNG (Ban Thi đua - Khen thưởng)</strong></p>",
     ["TRẦN THỊ LAN PHƯƠNG"], "Ban Thi đua - Khen thưởng"),
    ('<p align="right"><em>Đỗ Biên - Khánh Linh [Văn phòng HĐND và UBND xã]</em></p>',
     ["Đỗ Biên", "Khánh Linh"], "Văn phòng HĐND và UBND xã"),
    # initials, co-authors, roles
    ('<p style="text-align:right"><strong>Bài và ảnh: P. Tùng</strong></p>', ["P. Tùng"], None),
    ('<p align="right"><strong>Tin: T. Anh - Ảnh: H. Thủy</strong></p>', ["T. Anh", "H. Thủy"], None),
    ("<p><em>Quang Huy - Thanh Hà</em></p>", ["Quang Huy", "Thanh Hà"], None),
    ("<p><b>T.H</b></p>", ["T.H"], None),
]


@pytest.mark.parametrize("after", ["", ATTACH.format(cls="dinh-kem"), ATTACH.format(cls="c13"),
                                   "<div class='r2'>Chia sẻ Lưu tin PrintAaa Xuất PDF In trang</div>"],
                         ids=["plain", "attachment", "attachment-unnamed", "toolbar"])
@pytest.mark.parametrize("end,authors,unit", TRAILING, ids=[f"form{i}" for i in range(len(TRAILING))])
def test_trailing_byline_forms(end, authors, unit, after):
    art = extract(page(end=end, after=after))
    assert art.authors == authors
    assert art.unit == unit
    assert art.text.splitlines()[-1] == LAST  # the byline is off the text, the last paragraph stays
    assert "Tải về" not in art.text and "đính kèm" not in art.text and "PrintAaa" not in art.text


def test_attachment_lines_are_attachments_not_text():
    art = extract(page(end="<p>Lê Hiếu</p>", after=ATTACH.format(cls="x")
                       + "<div class='y'>Tệp đính kèm</div><div><a href='/f/bc.docx'>bc.docx</a> (120 KB)</div>"))
    assert [a.url for a in art.attachments][:1] == ["http://xa-moi.example.gov.vn/uploads/files/kh-123.pdf"]
    assert art.authors == ["Lê Hiếu"]
    assert not any(w in art.text for w in ("Tải về", "Tệp đính kèm", "kh-123.pdf", "bc.docx"))


def test_byline_after_last_image_is_no_caption():
    end = ('<p style="text-align:center"><img src="/img/a.jpg" alt=""></p>'
           '<p style="text-align:right"><em>Bài, ảnh: P. Tùng</em></p>')
    art = extract(page(end=end))
    assert art.authors == ["P. Tùng"]
    assert "Bài, ảnh: P. Tùng" not in art.captions


ABOVE = [
    ("<div class='u-28'>Tác giả: Lê Hiếu</div>", ["Lê Hiếu"], None),
    ("<p class='n1'>Bài, ảnh: Q. HÒA | Lượt xem: 1163</p>", ["Q. HÒA"], None),
    ("<div class='vnp-Author'>H. Thủy</div>", ["H. Thủy"], None),
    ("<table><tr><td><span>LĂNG VĂN THỦY, Ban Thi đua - Khen thưởng</span></td></tr></table>",
     ["LĂNG VĂN THỦY"], "Ban Thi đua - Khen thưởng"),
    ("<div>Tin: Minh Hòa - Văn Tú, Văn phòng UBND huyện</div>", ["Minh Hòa", "Văn Tú"], "Văn phòng UBND huyện"),
    ("<div class='s'><span>Tác giả: Lê Hiếu - 05/06/2024 08:15</span></div>", ["Lê Hiếu"], None),
]


@pytest.mark.parametrize("above,authors,unit", ABOVE, ids=[f"form{i}" for i in range(len(ABOVE))])
def test_byline_element_above_the_body(above, authors, unit):
    art = extract(page(above=above))
    assert art.authors == authors
    assert art.unit == unit


def test_labelled_byline_among_the_containers_header_lines():
    """When the container found also holds the header, a labelled byline line there is taken off."""
    html = page(above="<div class='g'>Bài, ảnh: T. Anh</div>").replace("<div class='m-7'>", "<div>")
    art = extract(html)
    assert art.authors == ["T. Anh"]
    assert "Bài, ảnh: T. Anh" not in art.text


def test_trailing_byline_wins_over_meta_and_header():
    art = extract(page(end="<p><strong>Lê Hiếu</strong></p>", head='<meta name="author" content="Nguyễn Văn An">'))
    assert art.authors == ["Lê Hiếu"]
    assert extract(page(head='<meta name="author" content="Nguyễn Văn An">')).authors == ["Nguyễn Văn An"]


@pytest.mark.parametrize("html", [
    page(),  # the last paragraph is a sentence: it stays, no author
    page(end="<p>Đồng chí Nguyễn Văn An phát biểu tại hội nghị.</p>"),
    page(above="<div class='meta'>Đăng bởi: admin</div>", head='<meta name="author" content="admin">'),
    page(above="<div>bientap01</div>", head='<meta name="author" content="ADMIN">'),
    page(above="<div class='t'>Thứ Tư, 05/06/2024 08:15</div>"),
    page(above="<div class='t'>CN, 09/06/2024</div>"),
    page(above="<h2>TIN TỨC - SỰ KIỆN</h2>"),
    page(end="<p><em>Phòng Văn hóa - Thông tin</em></p>"),  # a unit with no name before it
], ids=["sentence", "sentence-with-name", "cms-account", "cms-account-upper", "weekday", "weekday-short",
        "upper-heading", "unit-alone"])
def test_never_an_author(html):
    art = extract(html)
    assert art.authors == []
    assert LAST in art.text.splitlines()


def test_reading_functions():
    assert bylines.parse_byline_lines(["Tin: T. Anh - Ảnh: H. Thủy"]).authors == ["T. Anh", "H. Thủy"]
    assert bylines.parse_byline_lines(["Lê Hiếu, Minh Hòa và Văn Tú"]).authors == ["Lê Hiếu", "Minh Hòa", "Văn Tú"]
    assert bylines.parse_header_byline("Tác giả: Lê Hiếu | Lượt xem: 12").authors == ["Lê Hiếu"]
    assert not bylines.parse_header_byline("Trang chủ", labelled_only=True).consumed
    assert not bylines.parse_header_byline("Lê Hiếu", labelled_only=True).consumed  # a link's name needs a label
    assert not bylines.is_person_name("TIN TỨC") and not bylines.is_person_name("ADMIN") and bylines.is_person_name("LÊ HIẾU")
    for line in ("File đính kèm: qd-12.pdf Tải về", "Tải về", "Tệp đính kèm", "bao-cao.docx (120 KB)"):
        assert bylines.is_attachment_line(line), line
    for line in ("Tài liệu đính kèm được gửi tới các xã để triển khai.", "Tải về máy ứng dụng VNeID để sử dụng dịch vụ."):
        assert not bylines.is_attachment_line(line), line
