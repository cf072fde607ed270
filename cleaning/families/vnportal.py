"""VNPT vnPortal (assets on storage-vnportal.vnpt.vn, /<cat>/<slug>-<longid>.htm URLs)."""
from __future__ import annotations

from .base import FamilyPage, X, cls


class VnPortal(FamilyPage):
    NAME = "vnportal"
    TITLE = X(
        f'//*[{cls("article-detail")} or {cls("news-detail")} or {cls("detail-news")}'
        f' or {cls("post-detail")}]//*[self::h1 or self::h2][1]',
        f'//*[{cls("title-detail")} or {cls("detail-title")} or {cls("article-title")}]',
    )
    BODY = X(
        f'//*[{cls("article-content")} or {cls("detail-content")} or {cls("content-detail")}'
        f' or {cls("news-content")} or {cls("article-body")} or {cls("post-content")}]',
    )
    SUMMARY = X(f'//*[{cls("article-sapo")} or {cls("sapo")} or {cls("article-summary")}'
                f' or {cls("detail-sapo")} or {cls("summary")}]')
    DATES = (
        (X(f'//*[{cls("article-detail")} or {cls("news-detail")} or {cls("detail-news")}]'
           f'//*[{cls("post-date")} or {cls("publish-date")} or {cls("date")} or {cls("time")}'
           f' or {cls("article-date")} or {cls("date-time")}]')[0], "vnportal:date"),
        (X(f'//*[{cls("post-date")} or {cls("publish-date")} or {cls("article-date")}'
           f' or {cls("date-time")}]')[0], "vnportal:date"),
    )
