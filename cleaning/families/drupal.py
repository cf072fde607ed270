"""Drupal 7/8+ ("Skip to main content", /node/N, field-name-body / field--name-body, views-)."""
from __future__ import annotations

from ..dates import MDY
from .base import FamilyPage, X, cls


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
        f'//*[{cls("node__content")} or {cls("node-content")}]',
        f'//*[{cls("node")} and not(ancestor::*[{cls("node")}])]//*[{cls("content")}]',
    )
    DATES = (
        (X('//*[contains(@property, "dc:created")]/@content')[0], "drupal:rdfa"),
        (X(f'//*[{cls("submitted")} or {cls("node__submitted")} or {cls("node__meta")}'
           f' or {cls("meta-submitted")}]')[0], "drupal:submitted"),
        (X(f'//*[{cls("views-field-created")} or {cls("field--name-created")}'
           f' or {cls("field-name-post-date")} or {cls("views-field-changed")}'
           f' or {cls("field-name-field-date")} or {cls("field--name-field-date")}]')[0],
         "drupal:created"),
    )
    SUMMARY = X(f'//*[{cls("field-name-field-summary")} or {cls("field--name-field-summary")}'
                f' or {cls("field-name-field-sapo")} or {cls("field--name-field-sapo")}]')
    CATEGORY = X(f'//*[{cls("breadcrumb")}]',
                 f'//*[{cls("field-name-field-category")} or {cls("field--name-field-category")}]')
