"""Custom ASP.NET / PHP portals: table layouts, Default.aspx, __VIEWSTATE, numeric paths."""
from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from ..dates import parse_date
from ..meta import text_of
from .base import FamilyPage, X, cls, in_site_header


# ASP.NET names a server control's element "<naming containers>_<control id>"
# ("ctl00_MainContent_ViewNews1_lbContent", "ctl00_cphMain_ucNewsDetail_tdNoiDungTin"). The
# control id is a type prefix (lbl, lb, ltr, lit, td, div, pn ...) and the field's name, English
# or Vietnamese; sites name them freely, so the last segment is matched, not whole ids.
_PREFIX = r"(?:lbl|lb|ltr|lit|lt|td|div|pnl|pn|ph|span|txt|uc)?"
CONTROL_ID_FIELDS: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"^{_PREFIX}(?:{words})\d*$", re.IGNORECASE) for name, words in (
        ("title", r"title|tieude|tieudetin|tentin|newstitle|tenbai"),
        ("body", r"content|noidung|noidungtin|newscontent|chitiet|body|contents|baiviet"),
        ("summary", r"summary|tomtat|sapo|trichyeu|mota|lead"),
        ("date", r"date|ngay|ngaydang|ngaytao|ngaycapnhat|time|thoigian|publishdate|createddate"),
    )
}


def _control_elements(doc: etree._Element, field: str) -> list[etree._Element]:
    pattern = CONTROL_ID_FIELDS[field]
    out = []
    for el in doc.iterfind(".//*[@id]"):
        control = el.get("id", "").rsplit("_", 1)[-1]
        if pattern.match(control):
            out.append(el)
    return out


class AspNet(FamilyPage):
    NAME = "aspnet"
    TITLE = X(
        '//*[contains(@id, "lblTitle") or contains(@id, "lblTieuDe") or contains(@id, "Title_")]',
        f'//*[{cls("title_detail")} or {cls("news_title")} or {cls("tieude")}'
        f' or {cls("title-news")} or {cls("TieuDe")} or {cls("newstitle")}]',
    )
    BODY = X(
        '//*[contains(@id, "lblContent") or contains(@id, "lblNoiDung") or contains(@id, "divContent")'
        ' or contains(@id, "NewsContent")]',
        f'//*[{cls("news_content")} or {cls("noidung")} or {cls("content_detail")}'
        f' or {cls("NoiDung")} or {cls("newscontent")} or {cls("news-content")}]',
    )
    SUMMARY = X(
        '//*[contains(@id, "lblSummary") or contains(@id, "lblTomTat") or contains(@id, "lblSapo")]',
        f'//*[{cls("news_summary")} or {cls("tomtat")} or {cls("sapo")}]',
    )
    DATES = (
        (X('//*[contains(@id, "lblDate") or contains(@id, "lblNgay") or contains(@id, "lblTime")]')[0],
         "aspnet:date"),
        (X(f'//*[{cls("news_date")} or {cls("ngaydang")} or {cls("date_detail")}'
           f' or {cls("news-date")} or {cls("datetime")}]')[0], "aspnet:date"),
    )

    def title(self) -> tuple[str | None, etree._Element | None]:
        text, el = super().title()
        if text:
            return text, el
        for el in _control_elements(self.doc, "title"):
            text = text_of(el)
            if 5 <= len(text) <= 400 and not in_site_header(el):
                return text, el
        return None, None

    def body(self) -> etree._Element | None:
        found = super().body()
        if found is not None:
            return found
        sized = [(len(self.text(el)), el) for el in _control_elements(self.doc, "body")]
        sized = sorted((c for c in sized if c[0] >= 80), key=lambda c: -c[0])
        if not sized:
            return None
        size, best = sized[0]
        # "ctl00_MainContent" may wrap the whole column: step into a matching control that
        # holds most of its text
        for inner_size, inner in sized[1:]:
            if inner_size >= 0.5 * size and best in inner.iterancestors():
                size, best = inner_size, inner
        return best

    def summary(self) -> tuple[str | None, etree._Element | None]:
        text, el = super().summary()
        if text:
            return text, el
        for el in _control_elements(self.doc, "summary"):
            text = text_of(el)
            if 20 <= len(text) <= 1200:
                return text, el
        return None, None

    def published(self) -> tuple[datetime | None, str | None]:
        dt, label = super().published()
        if dt:
            return dt, label
        for el in _control_elements(self.doc, "date"):
            if in_site_header(el):  # "ctl00_ucHeader_lblNgay" is the header's clock
                continue
            dt = parse_date(text_of(el), self.date_order)
            if dt:
                return dt, "aspnet:date"
        return None, None
