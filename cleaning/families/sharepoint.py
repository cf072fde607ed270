"""SharePoint portals with the "tandan" vocabulary (.tandan-p-article-*, .ms-rtestate-field)."""
from __future__ import annotations

from .base import FamilyPage, X, cls


SUMMARY_ID = " or ".join(f'contains(@id, "{n}")' for n in (
    "TomTat", "Tomtat", "tomtat", "Summary", "summary", "Sapo", "sapo", "TrichYeu", "MoTa", "Description"))


class SharePoint(FamilyPage):
    NAME = "sharepoint"
    TITLE = X(
        f'//*[{cls("tandan-p-article-news-title")} or {cls("tandan-article-title")}]',
        f'//*[{cls("tandan-p-article-title")}]',
    )
    BODY = X(
        f'//*[{cls("tandan-p-article-main")}]//*[{cls("ms-rtestate-field")}]',
        f'//*[{cls("tandan-p-article-main")} or {cls("tandan-p-article-content")}]',
        f'//*[{cls("ms-rtestate-field")}]',
        f'//*[{cls("ms-rtestate-read")}]',
    )
    SUMMARY = X(
        f'//*[{cls("tandan-p-article-news-summary")} or {cls("tandan-p-article-summary")}]',
        # a publishing page layout with a second rich-text field for the sapo: the control id
        # carries the field's name ("..._TomTat__ControlWrapper_RichHtmlField")
        f'//*[{cls("ms-rtestate-field")}][{SUMMARY_ID}]',
    )
    DATES = (
        (X(f'//*[{cls("tandan-span-date-publish")} or {cls("tandan-p-article-date")}'
           f' or {cls("tandan-date-publish")}]')[0], "sharepoint:date-publish"),
    )
    REMOVE = X(f'.//*[{cls("tandan-div-article-other")}]')
    CATEGORY = X(f'//*[{cls("tandan-breadcrumb")} or {cls("tandan-p-breadcrumb")}]')
