"""Article-URL patterns induced per portal (crawler/urlpatterns.py): templates of confirmed article
URLs classify later links; a template that also matched a refused page is dropped."""
from __future__ import annotations

import pytest

from crawler.urlpatterns import MIN_CONFIRMED, REFUSED_TO_SKIP, UrlPatterns, induce, template


@pytest.mark.parametrize(("url", "expected"), [
    ("http://x/tin-tuc/hoi-nghi-tong-ket-nam-2023-8812.html", "/tin-tuc/{s}-{n}.html"),
    ("http://x/tin-tuc/ban-hanh-ke-hoach-so-15-ve-cai-cach-8813.html", "/tin-tuc/{s}-{n}.html"),
    ("http://x/Pages/hoi-nghi-so-ket-thi-dua-5f3a9c21.aspx", "/pages/{s}-{h}.aspx"),
    ("http://x/Article/1234/5.html", "/article/{n}/{n}.html"),
    ("http://x/-/view-article/hoi-nghi-tong-ket-cong-tac", "/-/view-article/{s}"),
    ("http://x/en/page_hoi-nghi-tong-ket-cong-tac", "/en/{s}"),
    ("http://x/?id=123", "/?id={n}"),
    ("http://x/chi-tiet/123", "/chi-tiet/{n}"),
    ("http://x/tin-tuc", "/tin-tuc"),
    ("http://x/tin-tuc?page=2", "/tin-tuc?page={n}"),
])
def test_templates(url, expected):
    assert template(url) == expected


def test_confirmed_templates_classify_later_links_refused_ones_drop():
    confirmed = ["http://x/chi-tiet/1", "http://x/chi-tiet/2", "http://x/Article/5/1.html",
                 "http://x/?id=4", "http://x/?id=5"]
    refused = ["http://x/?id=77"]  # a category page with the same query shape as an article
    assert induce(confirmed, refused) == ["/chi-tiet/{n}"]  # one /article/ page is not enough
    patterns = UrlPatterns()
    for url in confirmed:
        patterns.confirm(url)
    assert patterns.verdict("http://x/chi-tiet/999") is True
    assert patterns.verdict("http://x/?id=6") is True
    patterns.refuse("http://x/?id=77")
    assert patterns.verdict("http://x/?id=6") is None  # dropped: a fetch decides again
    assert patterns.verdict("http://x/tin-tuc") is None


def test_a_template_refused_often_and_never_confirmed_is_not_worth_a_fetch():
    patterns = UrlPatterns()
    for i in range(REFUSED_TO_SKIP):
        patterns.refuse(f"http://x/chuyen-muc/{i}")
    assert patterns.verdict("http://x/chuyen-muc/99") is False
    patterns.confirm("http://x/chuyen-muc/5")
    assert patterns.verdict("http://x/chuyen-muc/99") is None


def test_counts_loaded_and_added_separately():
    patterns = UrlPatterns.from_counts({"/chi-tiet/{n}": (MIN_CONFIRMED, 0)})
    assert patterns.verdict("http://x/chi-tiet/3") is True
    patterns.confirm("http://x/chi-tiet/3")
    patterns.refuse("http://x/tin")
    assert patterns.take_added() == {"/chi-tiet/{n}": (1, 0), "/tin": (0, 1)}
    assert patterns.take_added() == {}
    assert patterns.counts["/chi-tiet/{n}"] == [MIN_CONFIRMED + 1, 0]
