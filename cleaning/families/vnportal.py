"""VNPT vnPortal (assets on storage-vnportal.vnpt.vn, /<cat>/<slug>-<longid>.htm URLs)."""
from __future__ import annotations

from .base import FamilyPage, X, cls


# The article wrapper of a detail page, matched inside compound names too ("single-news",
# "news-detail", "article-detail", "detail-news"): a class containing both words.
DETAIL_WRAPPER = ('(contains(@class, "news-detail") or contains(@class, "article-detail")'
                  ' or contains(@class, "detail-news") or contains(@class, "single-news")'
                  ' or contains(@class, "post-detail"))')
# a class naming the body: "...__content", "...-content", "...-body" (not "...-content-other")
BODY_NAME = ('substring(@class, string-length(@class) - 7) = "-content"'
             ' or substring(@class, string-length(@class) - 8) = "__content"'
             ' or substring(@class, string-length(@class) - 4) = "-body"'
             ' or substring(@class, string-length(@class) - 5) = "__body"')


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
        # BEM and compound names of newer templates: "news-detail__content",
        # "single-news-content", "detail-body"
        f'//*[{DETAIL_WRAPPER}]//*[{BODY_NAME}]',
        f'//*[(contains(@class, "detail") or contains(@class, "news")) and ({BODY_NAME})]',
    )
    SUMMARY = X(f'//*[{cls("article-sapo")} or {cls("sapo")} or {cls("article-summary")}'
                f' or {cls("detail-sapo")} or {cls("summary")}]')
    DATES = (
        (X(f'//*[{cls("article-detail")} or {cls("news-detail")} or {cls("detail-news")}]'
           f'//*[{cls("post-date")} or {cls("publish-date")} or {cls("date")} or {cls("time")}'
           f' or {cls("article-date")} or {cls("date-time")}]')[0], "vnportal:date"),
        # compound class names inside the article wrapper: "news-detail__date", "single-news-time"
        (X(f'//*[{DETAIL_WRAPPER}]//*[contains(@class, "date") or contains(@class, "time")]'
           )[0], "vnportal:date"),
        (X(f'//*[{cls("post-date")} or {cls("publish-date")} or {cls("article-date")}'
           f' or {cls("date-time")}]')[0], "vnportal:date"),
    )
