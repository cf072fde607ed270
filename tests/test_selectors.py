"""Gates of the family selectors: a skipped scan must be one that could not match."""
import importlib
import pkgutil
from pathlib import Path

import pytest
from lxml import html

import cleaning.families
from cleaning.families.base import FamilyPage, GatedXPath, X, attribute_gate, cls

FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"


def test_gate_is_what_a_predicate_of_or_terms_needs():
    assert attribute_gate(f'//*[{cls("sapo")} or {cls("tom-tat")}]') == {("class", "sapo", "word"),
                                                                          ("class", "tom-tat", "word")}
    assert attribute_gate(f'//h1[{cls("title")}]//*[@id="x"]') == {("class", "title", "word")}  # first step
    assert attribute_gate(f'//*[{cls("a")}] | //*[{cls("b")}]') == {("class", "a", "word"), ("class", "b", "word")}
    assert attribute_gate('//*[@itemprop="headline"]') == {("itemprop", "headline", "value")}
    assert attribute_gate(f'//h1[{cls("title")} or @id="page-title"]') == {("class", "title", "word"),
                                                                          ("id", "page-title", "value")}
    assert attribute_gate('//*[contains(@id, "lblTitle") or contains(@id, "Title_")]') == {
        ("id", "lblTitle", "part"), ("id", "Title_", "part")}


def test_no_gate_when_a_match_needs_none_of_a_few_words():
    assert attribute_gate(f'//*[{cls("a")}] | //h1') is None
    assert attribute_gate(f'//*[not({cls("a")})]') is None
    assert attribute_gate('//*[not(@id="x")]') is None
    assert attribute_gate('//*[(contains(@class, "summary") and not(contains(@class, "with-summary")))]') is None
    assert attribute_gate(f'//*[{cls("node")} and not(ancestor::*[{cls("node")}])]') is None


def test_gated_selector_finds_what_the_plain_xpath_finds():
    doc = html.fromstring('<html><body><div class="x sapo">Tóm tắt</div><p class="sapo-like">no</p>'
                          '<span id="ctl00_lblTitle">Tiêu đề</span></body></html>')
    page = FamilyPage(doc, "http://example.vn/")
    (gated, by_id, absent, absent_id) = X(f'//*[{cls("sapo")}]', '//*[contains(@id, "lblTitle")]',
                                          f'//*[{cls("chapeau")}]', '//*[@id="lblTitle"]')
    assert [el.text for el in page.select(gated)] == [el.text for el in gated(doc)] == ["Tóm tắt"]
    assert [el.text for el in page.select(by_id)] == ["Tiêu đề"]
    assert page.select(absent) == page.select(absent_id) == []


def test_a_page_holding_some_needles_is_scanned_for_those_terms_only():
    doc = html.fromstring('<html><body><h1 class="tieude">Tiêu đề</h1><div id="main"><div class="sapo">A</div>'
                          '</div><p class="summary">B</p></body></html>')
    page = FamilyPage(doc, "http://example.vn/")
    (either, union) = X(f'//*[{cls("sapo")} or {cls("chapeau")} or @id="main"]',
                        f'//div[{cls("chapeau")}]//p | //*[{cls("summary")} or {cls("lead")}]')
    narrowed = either.narrowed(frozenset({("class", "sapo", "word"), ("id", "main", "value")}))
    assert "chapeau" not in narrowed.path and "sapo" in narrowed.path
    assert page.select(either) == either(doc) and [el.text for el in page.select(either)] == [None, "A"]
    assert union.narrowed(frozenset({("class", "summary", "word")})).path == f'//*[{cls("summary")}]'
    assert [el.text for el in page.select(union)] == [el.text for el in union(doc)] == ["B"]


def test_one_step_class_selectors_match_as_xpath_does_on_awkward_class_values():
    # XPath's normalize-space splits on space, tab, CR and LF only: not on a no-break space
    doc = html.fromstring('<html><body><h1 class="\ttitle\n">A</h1><div class="title">B</div>'
                          '<p class="x\xa0sapo">C</p><p class="sapo-x">D</p><h2 class="lead">E</h2>'
                          '<span class="SAPO">F</span><em class="sapo">G</em></body></html>')
    page = FamilyPage(doc, "http://example.vn/")
    selectors = X(f'//h1[{cls("title")}]', f'//*[{cls("sapo")}]', '//*[contains(@class, "sapo")]',
                  '//*[@class="title"]', f'//h2[{cls("lead")}] | //em[{cls("sapo")}]',
                  f'//div[{cls("title")} or {cls("lead")}]')
    found = []
    for xp in selectors:
        assert xp.steps is not None
        assert page.select(xp) == xp(doc), xp.path
        found.append([el.text for el in page.select(xp)])
    assert found == [["A"], ["G"], ["C", "D", "G"], ["B"], ["E", "G"], ["B"]]


_FIELDS = ("TITLE", "BODY", "SUMMARY", "DATES", "CATEGORY", "REMOVE")


def _selector_groups(obj: object) -> list[tuple]:
    """The selector tuples a family module's global holds: itself (COMMON_*), or a page class's fields."""
    if isinstance(obj, tuple):
        return [obj]
    if isinstance(obj, type) and issubclass(obj, FamilyPage):
        return [getattr(obj, name) for name in _FIELDS]
    return []


def _every_selector() -> list[GatedXPath]:
    """Every whole-document selector of every family (DATES items are (selector, label) pairs)."""
    found: dict[str, GatedXPath] = {}
    for module in pkgutil.iter_modules(cleaning.families.__path__):
        for obj in vars(importlib.import_module(f"cleaning.families.{module.name}")).values():
            for group in _selector_groups(obj):
                for item in group:
                    xp = item[0] if isinstance(item, tuple) else item
                    if isinstance(xp, GatedXPath) and xp.path.startswith("//"):
                        found[xp.path] = xp
    return list(found.values())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.html")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_gated_selector_finds_on_every_fixture_what_its_xpath_finds(path):
    doc = html.fromstring(path.read_bytes())
    page = FamilyPage(doc, "http://example.vn/")
    selectors = _every_selector()
    assert sum(xp.needles is not None for xp in selectors) > 40
    for xp in selectors:
        assert page.select(xp) == xp(doc), xp.path
