"""Drupal 7/8+ ("Skip to main content", /node/N, field-name-body / field--name-body, views-)."""
from __future__ import annotations

from ..dates import MDY
from .base import FamilyPage, X, cls


# Formatted-text field types (core "text_with_summary", "text_long"), D8+ and D7 class forms.
FORMATTED_TEXT_FIELD = " or ".join(cls(c) for c in (
    "field--type-text-with-summary", "field--type-text-long", "field-type-text-with-summary",
    "field-type-text-long"))
# Machine names sites give a summary/lead field (field_<name>), English and Vietnamese.
SUMMARY_FIELD_NAMES = ("summary", "sapo", "lead", "description", "mo-ta", "tom-tat", "trich-yeu",
                       "trich-dan", "gioi-thieu")


class Drupal(FamilyPage):
    NAME = "drupal"
    DATE_ORDER = MDY  # core medium format "D, m/d/Y - H:i": "T4, 08/02/2023 - 16:19" = 2 August
    TITLE = X(
        f'//h1[{cls("page-title")} or @id="page-title" or {cls("page-header")}'
        f' or {cls("node-title")} or {cls("node__title")}]',
        f'//*[{cls("views-field-title")}]//*[{cls("field-content")}]',
        f'//*[{cls("field-name-title")} or {cls("field--name-title")}]',
    )
    BODY = X(
        f'//*[{cls("field-name-body")} or {cls("field--name-body")}]',
        f'//*[{cls("views-field-body")}]//*[{cls("field-content")}]',
        # a site-built body field ("field_noi_dung", "field_content"): the formatted-text field of
        # the node (Drupal 8+ "field--type-text-*", Drupal 7 "field-type-text-*"); the largest wins
        f'//*[{cls("node")} or {cls("node__content")}]//*[{FORMATTED_TEXT_FIELD}]',
        f'//*[{cls("node__content")} or {cls("node-content")}]',
        f'//*[{cls("node")} and not(ancestor::*[{cls("node")}])]//*[{cls("content")}]',
    )
    DATES = (
        (X('//*[contains(@property, "dc:created")]/@content')[0], "drupal:rdfa"),
        # Drupal 8+ renders the created date as <time datetime="..."> in the node's meta
        (X(f'//*[{cls("node__meta")} or {cls("node__submitted")} or {cls("field--name-created")}'
           f' or {cls("submitted")}]//time/@datetime')[0], "drupal:time"),
        (X(f'//*[{cls("submitted")} or {cls("node__submitted")} or {cls("node__meta")}'
           f' or {cls("meta-submitted")}]')[0], "drupal:submitted"),
        (X(f'//*[{cls("views-field-created")} or {cls("field--name-created")}'
           f' or {cls("field-name-post-date")} or {cls("views-field-changed")}'
           f' or {cls("field-name-field-date")} or {cls("field--name-field-date")}]')[0],
         "drupal:created"),
    )
    SUMMARY = X(' | '.join(
        f'//*[{cls(f"field-name-field-{name}")} or {cls(f"field--name-field-{name}")}]'
        for name in SUMMARY_FIELD_NAMES))
    CATEGORY = X(f'//*[{cls("breadcrumb")}]',
                 f'//*[{cls("field-name-field-category")} or {cls("field--name-field-category")}]')
