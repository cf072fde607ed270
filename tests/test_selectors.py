"""Class gates of the family selectors: a skipped scan must be one that could not match."""
from lxml import html

from cleaning.families.base import X, class_gate, cls


def test_gate_is_the_class_words_of_a_pure_class_predicate():
    assert class_gate(f'//*[{cls("sapo")} or {cls("tom-tat")}]') == {"sapo", "tom-tat"}
    assert class_gate(f'//h1[{cls("title")}]//*[@id="x"]') == {"title"}  # only the first step gates
    assert class_gate(f'//*[{cls("a")}] | //*[{cls("b")}]') == {"a", "b"}


def test_no_gate_when_a_match_needs_no_class_word():
    assert class_gate('//*[@itemprop="headline"]') is None
    assert class_gate(f'//h1[{cls("title")} or @id="page-title"]') is None
    assert class_gate(f'//*[{cls("a")}] | //h1') is None
    assert class_gate(f'//*[not({cls("a")})]') is None


def test_gated_selector_finds_what_the_plain_xpath_finds():
    from cleaning.families.base import FamilyPage

    doc = html.fromstring('<html><body><div class="x sapo">Tóm tắt</div><p class="sapo-like">no</p></body></html>')
    (gated,) = X(f'//*[{cls("sapo")}]')
    page = FamilyPage(doc, "http://example.vn/")
    assert [el.text for el in page.select(gated)] == [el.text for el in gated(doc)] == ["Tóm tắt"]
    (absent,) = X(f'//*[{cls("chapeau")}]')
    assert page.select(absent) == []
