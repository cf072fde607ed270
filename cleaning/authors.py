"""Authors from a page's metadata and byline markup (foreign pages; Vietnamese ones read their
trailing byline, cleaning/bylines.py, and take a machine author only when it names a person).

Sources, in order, the first that gives a name wins: JSON-LD `author` / `creator` of an
article-like object (a Person's or Organization's name, strings, lists, `@graph`); meta tags
(name=author, article:author, parsely-author, sailthru.author, dc.creator ...); byline elements
(`rel=author`, `itemprop=author`, class/id author or byline), never in comments, related lists,
sidebars or footers; a byline line ("By Jane Doe and John Roe", "Von Hans Müller", "Par Jean
Dupont"). Every value is split into names ("and", "und", "et", commas, "&", ";", "/"), stripped of
"By"/"Von"/"Par", roles and affiliations ("Jane Doe, Staff Writer", "for Reuters"); URLs, e-mail
addresses, handles, CMS accounts (a lower-case single token: "admin") and single-word strings (an
agency alone: "Reuters", as trafilatura drops them) are never names.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from typing import Any

from lxml import etree
from lxml.etree import XPath

from . import bylines
from .meta import jsonld_objects, site_name, text_of
from .normalize import collapse_ws

__all__ = ["clean_names", "machine_authors", "machine_person_names", "page_authors"]

META_AUTHOR_KEYS: frozenset[tuple[str, str]] = frozenset({
    ("name", "author"), ("property", "author"), ("name", "article:author"), ("property", "article:author"),
    ("property", "og:article:author"), ("name", "parsely-author"), ("name", "sailthru.author"),
    ("name", "dc.creator"), ("name", "dcterms.creator"), ("name", "dc.creator.author"), ("name", "byl"),
    ("name", "citation_author"), ("itemprop", "author"), ("name", "author_name"), ("name", "authors"),
})
ARTICLE_TYPES = re.compile(r"(?i)article|blogposting|posting|report|creativework|webpage")

_RE_NS = {"re": "http://exslt.org/regular-expressions"}
# Attributes tested before tags, the class regular expression (a Python call per element in
# lxml) only where a contains() test finds one of its words, and /descendant::* rather than //*
# (a step per node less): the same elements, on ScrapingHub's pages 2.3-2.5 ms instead of 2.8-3.7.
BYLINE_XPATH = XPath(
    "/descendant::*[@rel='author' or contains(@itemprop, 'author') or"
    " (contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'byl')"
    " or contains(@class, 'Byl') or contains(@class, 'writer') or contains(@class, 'journalist')"
    " or contains(@class, 'submitted-by') or contains(@class, 'posted-by')) and"
    " re:test(@class, '(^|[ _-])(author|authors|author-?name|authorName|AuthorName|byline|Byline|byl|"
    "writer|journalist|journalist-name|submitted-by|posted-by)([ _-]|$)') or"
    " starts-with(@id, 'author') or starts-with(@id, 'byline')]"
    "[self::a or self::address or self::div or self::p or self::span or self::strong or self::li"
    " or self::h3 or self::h4 or self::h5 or self::b or self::em or self::cite]",
    namespaces=_RE_NS,
)
# blocks whose names are not the article's authors
OTHER_WORDS = frozenset({"comment", "comments", "reply", "respond", "related", "sidebar", "footer", "widget",
                         "recommended", "popular", "trending", "more", "newsletter", "bio", "share", "social"})
_WORDS_RE = re.compile(r"[\s_\-]+")

BYLINE_LINE_RE = re.compile(
    r"^\s*(?:(?:written|words|reporting|text|photos?)\s+by|by|von|par|por|door|di|av|af|autor(?:in)?\s*:|"
    r"auteur\s*:|author\s*:|texte?\s*:)\s*:?\s+(?=\S)", re.IGNORECASE)
BYLINE_NEEDLES = ("by ", "von ", "par ", "por ", "door ", "di ", "av ", "af ", "autor", "auteur", "author", "text")
MAX_BYLINE_CHARS = 120

_PREFIX = re.compile(BYLINE_LINE_RE.pattern, re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:[;|/&,]|\s(?:and|und|et|y|e|og|och|en|ja|és)\s)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.%+-]+@[\w.-]+\.[A-Za-z]{2,}\b")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PAREN = re.compile(r"[(\[{][^)\]}]*[)\]}]")
# "Jane Doe for Reuters", "Jane Doe at The Times", "Jane Doe - AP": the affiliation goes
_AFFILIATION = re.compile(r"\s+(?:for|at|of|from|via|with|in|on|für|pour|bei|—|–|-)\s+.*$", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
# what follows a name on a byline row: its date, an agency, the row's buttons ("Theresa May" keeps May)
_TRAILING = re.compile(
    r"\s+(?:January|February|March|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"Published|Updated|Posted|Share|Follow|Email|Associated Press|Reuters|AFP|Bloomberg)\b.*$")
ROLE_WORDS = frozenset({
    "staff", "writer", "writers", "reporter", "reporters", "correspondent", "editor", "editors", "contributor",
    "contributing", "columnist", "senior", "chief", "political", "photographer", "producer", "news", "desk",
    "team", "the", "associated", "press", "wire", "service", "services", "special", "guest", "author",
    "redaktion", "rédaction", "correspondant", "journalist", "journaliste", "updated", "published", "posted",
})
_LETTER = re.compile(r"[^\W\d_]")
MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 6


def _clean_one(part: str) -> str | None:
    part = _HANDLE.sub("", _EMAIL.sub("", part))
    part = _PAREN.sub("", part)
    part = _PREFIX.sub("", collapse_ws(part))
    part = _AFFILIATION.sub("", part)
    part = _TRAILING.sub("", part)
    part = re.sub(r"\d.*$", "", part)  # "Jane Doe 12 hours ago"
    part = part.strip(" \t.,:;!?*#\"'‘’“”|-–—·•")
    if not part or len(part) > MAX_NAME_CHARS or "http" in part.lower() or "www." in part.lower():
        return None
    tokens = part.split()
    if len(tokens) < 2 or len(tokens) > MAX_NAME_WORDS:
        return None  # a CMS account ("admin"), an agency alone ("Reuters"), or a sentence
    if all(tok.lower().strip(".") in ROLE_WORDS for tok in tokens):
        return None  # "Staff Writer"
    if not all(_LETTER.search(tok) for tok in tokens):
        return None
    if part == part.lower() or not part[0].isupper():
        return None  # "the Orange County ..." is a sentence's piece, not a name
    if tokens[-1].lower().strip(".") in ROLE_WORDS:
        return None  # "AP Auto Writer"
    return part


def clean_names(values: Iterable[str]) -> list[str]:
    """Person (or organisation) names out of raw author strings, in order, without repeats or
    names another one contains ("Jane" beside "Jane Doe")."""
    names: list[str] = []
    for raw in values:
        if not isinstance(raw, str):
            continue
        raw = collapse_ws(_TAGS.sub(" ", unescape(raw)))
        if not raw or raw.lower().startswith(("http", "www.")) or _EMAIL.fullmatch(raw):
            continue
        raw = _PREFIX.sub("", raw)
        for part in _SPLIT.split(raw):
            name = _clean_one(part)
            if name and name not in names:
                names.append(name)
    return [n for n in names if not any(n != m and n in m for m in names)]


def _jsonld_names(value: Any, by_id: dict[str, dict] | None = None) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [n for item in value for n in _jsonld_names(item, by_id)]
    if isinstance(value, dict):
        if "name" not in value and by_id and isinstance(value.get("@id"), str) and value["@id"] in by_id:
            value = by_id[value["@id"]]  # {"@id": ...}: the Person elsewhere in the @graph
        name = value.get("name")
        if isinstance(name, (str, list)):
            return _jsonld_names(name)
        parts = [value.get(k) for k in ("givenName", "additionalName", "familyName")]
        joined = " ".join(p for p in parts if isinstance(p, str))
        return [joined] if joined else []
    return []


def _jsonld_authors(doc: etree._Element) -> list[str]:
    objects = jsonld_objects(doc)
    by_id = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str) and "name" in obj}
    for obj in objects:
        kind = obj.get("@type")
        kind = " ".join(map(str, kind)) if isinstance(kind, list) else str(kind or "")
        if kind and not ARTICLE_TYPES.search(kind):
            continue
        for key in ("author", "creator"):
            if names := clean_names(_jsonld_names(obj.get(key), by_id)):
                return names
    return []


def _meta_authors(doc: etree._Element) -> list[str]:
    values = []
    for el in doc.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        for attr in ("name", "property", "itemprop"):
            key = el.get(attr)
            if key is not None and (attr, key.strip().lower()) in META_AUTHOR_KEYS:
                values.append(content)
                break
    return clean_names(values)


def machine_authors(doc: etree._Element) -> list[str]:
    """JSON-LD authors, else meta-tag authors."""
    return _jsonld_authors(doc) or _meta_authors(doc)


def _in_other_block(el: etree._Element) -> bool:
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("body", "html"):  # their classes describe the page ("one-sidebar"), not a block
            break
        if anc.tag in ("footer", "aside", "nav"):
            return True
        attrs = f"{anc.get('class') or ''} {anc.get('id') or ''}"
        if attrs.strip() and set(_WORDS_RE.split(attrs.lower())) & OTHER_WORDS:
            return True
    return False


def _element_authors(doc: etree._Element) -> list[str]:
    """The first byline element's names, with its co-author siblings (same parent or grandparent)."""
    group: set[etree._Element] = set()
    taken: set[etree._Element] = set()
    values: list[str] = []
    for el in BYLINE_XPATH(doc):
        if group and el.getparent() not in group and el not in group:
            continue
        if any(anc in taken for anc in el.iterancestors()) or _in_other_block(el):
            continue
        inner = el.find(".//*[@itemprop='name']")
        text = (inner.get("content") or text_of(inner)) if inner is not None else (el.get("content") or text_of(el))
        if not 3 <= len(text) <= MAX_BYLINE_CHARS or not clean_names([text]):
            continue
        values.append(text)
        taken.add(el)
        if not group:
            group = {el, *list(el.iterancestors())[:2]}
    return clean_names(values)


def _byline_line_authors(nodes: list[Any]) -> list[str]:
    """A short line opening with "By" / "Von" / "Par" ... outside comments and related blocks."""
    for node in nodes:
        stripped = node.lstrip()
        if not stripped or len(stripped) > MAX_BYLINE_CHARS or not BYLINE_LINE_RE.match(stripped):
            continue
        el = node.getparent()
        if el is None or _in_other_block(el):
            continue
        line = text_of(el) if not node.is_tail else stripped
        if len(line) > MAX_BYLINE_CHARS or not BYLINE_LINE_RE.match(line):
            line = stripped
        if names := clean_names([line]):
            return names
    return []


def page_authors(doc: etree._Element, nodes: list[Any]) -> list[str]:
    """A foreign page's authors (see the module docstring); `nodes`: `meta.visible_text_nodes`."""
    return machine_authors(doc) or _element_authors(doc) or _byline_line_authors(nodes)


def machine_person_names(doc: etree._Element) -> list[str]:
    """A Vietnamese page's machine authors that name a person, never the site or a unit."""
    site = (site_name(doc) or "").strip().lower()
    names = machine_authors(doc)
    return [n for n in names if bylines.is_person_name(n) and n.strip().lower() != site]
