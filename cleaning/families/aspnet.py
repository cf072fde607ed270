"""Custom ASP.NET / PHP portals: table layouts, Default.aspx, __VIEWSTATE, numeric paths."""
from __future__ import annotations

from .base import FamilyPage, X, cls


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
