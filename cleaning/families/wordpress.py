"""WordPress (/wp-content/, .entry-content, wp-sitemap)."""
from __future__ import annotations

from .base import FamilyPage, X, cls


class WordPress(FamilyPage):
    NAME = "wordpress"
    TITLE = X(
        f'//*[{cls("entry-title")} or {cls("post-title")}]',
        # block themes: core/post-title; the query loop of other posts repeats it below
        f'//h1[{cls("wp-block-post-title")}]',
        f'//*[{cls("wp-block-post-title")}][not(ancestor::*[{cls("wp-block-query")}])]',
    )
    BODY = X(
        f'//*[{cls("entry-content")}]',
        f'//*[{cls("wp-block-post-content")}]',
        f'//*[{cls("post-content")} or {cls("td-post-content")} or {cls("single-content")}]',
    )
    DATES = (
        (X(f'//time[{cls("entry-date")} or {cls("published")}]/@datetime')[0],
         "wordpress:time"),
        # block themes: core/post-date, outside the query loops that list other posts
        (X(f'//*[{cls("wp-block-post-date")}][not(ancestor::*[{cls("wp-block-query")}])]'
           '//time/@datetime')[0], "wordpress:time"),
        (X(f'//*[{cls("entry-date")} or {cls("posted-on")} or {cls("post-date")}]')[0],
         "wordpress:entry-date"),
    )
    SUMMARY = X(f'//*[{cls("entry-summary")}]')
