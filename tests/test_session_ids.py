"""Session ids leave URLs in the canonicaliser (issue 15): by name, by token shape, in the path."""
from __future__ import annotations

import pytest

from crawler.urls import canonicalize

CASES = {
    # names that carry nothing but a session, whatever the value
    "http://a.gov.vn/x?PHPSESSID=abc&id=2": "http://a.gov.vn/x?id=2",
    "http://a.gov.vn/x?ASPSESSIONIDQQSTRBCA=XYZ&p=1": "http://a.gov.vn/x?p=1",
    "http://a.gov.vn/x?ASP.NET_SessionId=r3k2&p=1": "http://a.gov.vn/x?p=1",
    "http://a.gov.vn/x?jsessionid=1&p=1": "http://a.gov.vn/x?p=1",
    # sid / s as a token: long, letters and digits mixed
    "http://a.gov.vn/tin-tuc/x-1.html?sid=13a4f5c6d7e8": "http://a.gov.vn/tin-tuc/x-1.html",
    "http://a.gov.vn/x?s=a1b2c3d4e5f6&page=2": "http://a.gov.vn/x?page=2",
    # in the path: Java's ;jsessionid= and ASP.NET's cookieless (S(...)) segment
    "http://a.gov.vn/tin;jsessionid=ABC123def?id=5": "http://a.gov.vn/tin?id=5",
    "http://a.gov.vn/(S(lit3py55t21z5v55vlm25s55))/default.aspx?id=3": "http://a.gov.vn/default.aspx?id=3",
    "http://a.gov.vn/(X(1)S(lit3py55t21z5v55vlm25s55))/tin.aspx": "http://a.gov.vn/tin.aspx",
}
KEPT = {
    # an ASP.NET portal's section id, a search word, brackets that are no session
    "http://a.gov.vn/Default.aspx?dvid=1&pageid=2&sid=345": "sid=345",
    "http://a.gov.vn/?s=hoi-nghi": "s=hoi-nghi",
    "http://a.gov.vn/tin-tuc/(nam-2024)/bai-1.html": "/tin-tuc/(nam-2024)/bai-1.html",
}


@pytest.mark.parametrize("url", list(CASES))
def test_session_ids_are_dropped(url: str) -> None:
    assert canonicalize(url) == CASES[url]


@pytest.mark.parametrize("url", list(KEPT))
def test_content_parameters_that_look_alike_are_kept(url: str) -> None:
    assert KEPT[url] in canonicalize(url)
