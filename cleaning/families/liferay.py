"""Liferay 6.2 / 7 portals (<html class="aui ltr">, Liferay.ThemeDisplay, _WAR_ portlets)."""
from __future__ import annotations

from .base import FamilyPage, X, cls


class Liferay(FamilyPage):
    NAME = "liferay"
    TITLE = X(
        f'//*[{cls("asset-full-content")} or {cls("journal-content-article")}'
        f' or {cls("news-detail")} or {cls("asset-publisher")}]'
        f'//*[{cls("header-title")} or {cls("asset-title")} or {cls("title")}'
        f' or {cls("news-title")}][1]',
        f'//h3[{cls("header-title")}]',
    )
    BODY = X(
        f'//*[{cls("asset-full-content")}]//*[{cls("journal-content-article")}]',
        f'//*[{cls("journal-content-article")}]',
        f'//*[{cls("asset-full-content")}]',
        f'//*[{cls("asset-content")}]',
    )
    DATES = (
        (X(f'//*[{cls("metadata-publish-date")} or {cls("publish-date")}'
           f' or {cls("asset-publish-date")} or {cls("metadata-entry")}'
           f' or {cls("news-date")} or {cls("date-publish")}]')[0], "liferay:publish-date"),
    )
    SUMMARY = X(f'//*[{cls("asset-summary")} or {cls("journal-content-summary")}]')
