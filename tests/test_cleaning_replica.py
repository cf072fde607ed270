"""cleaning against the portalsim replicas: every truth URL's page, field by field.

Titles and text are compared in the extractor's display style (old tone placement, NFC): the
replica keeps each page's own style, the extractor normalises it (cleaning/normalize.py).
Run with -s to see the per-family score table.
"""
from __future__ import annotations

import collections
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from cleaning import ExtractionError, extract_article
from cleaning.normalize import collapse_ws, to_old_style, tone_key

portalsim = pytest.importorskip("portalsim")

FIELDS = ("title", "text", "published", "authors", "unit", "captions", "summary", "source_tag",
          "attribution")
MIN_SCORE = 0.95  # per family and field: share of copies extracted exactly right
SHINGLE = 5


def _disp(value):
    if isinstance(value, str):
        return "\n".join(to_old_style(collapse_ws(line)) for line in value.split("\n"))
    if isinstance(value, list):
        return [_disp(v) for v in value]
    return value


def shingle_f1(a: str, b: str, n: int = SHINGLE) -> float:
    def grams(t):
        toks = tone_key(t).split()
        return collections.Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)))
    ga, gb = grams(a), grams(b)
    inter = sum((ga & gb).values())
    if not inter:
        return 0.0
    p, r = inter / sum(ga.values()), inter / sum(gb.values())
    return 2 * p * r / (p + r)


def _fetch(replica, url):
    parts = urlsplit(url)
    status, _headers, body = replica.render(parts.netloc, parts.path + (f"?{parts.query}" if parts.query else ""))
    assert status == 200, url
    return body


def _compare(article, truth) -> dict[str, bool]:
    return {
        "family": article.family == truth.family,
        "title": article.title == _disp(truth.title),
        "text": article.text == _disp(truth.text) or shingle_f1(article.text, truth.text) >= 0.98,
        "published": article.published is not None
        and article.published.replace(second=0, microsecond=0) == truth.published.replace(second=0, microsecond=0),
        "authors": article.authors == _disp(list(truth.authors)),
        "unit": article.unit == _disp(truth.unit),
        "captions": article.captions == _disp(list(truth.captions)),
        "summary": article.summary == _disp(truth.summary),
        "source_tag": article.source_tag == truth.source_tag,
        "attribution": article.attribution == _disp(truth.attribution),
    }


@pytest.fixture(scope="module")
def replica():
    return portalsim.build_replica(seed=0, articles=60)


def _score(replica, hint_for=lambda copy: None, urls="first"):
    scores: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    misses: list[str] = []
    for story in replica.truth:
        for copy in story.copies:
            chosen = copy.urls if urls == "all" else copy.urls[:1]
            for url in chosen:
                s = scores[copy.family]
                s["n"] += 1
                try:
                    article = extract_article(_fetch(replica, url), url, hint_for(copy))
                except ExtractionError as exc:
                    misses.append(f"{url}: {exc}")
                    continue
                for field, ok in _compare(article, copy).items():
                    s[field] += ok
                    if not ok:
                        misses.append(f"{copy.family} {field} {url}")
    return scores, misses


def _report(title, scores):
    keys = ("family",) + FIELDS
    lines = [title, "family      " + " ".join(k[:10].rjust(10) for k in ("n",) + keys)]
    for fam, s in sorted(scores.items()):
        lines.append(fam.ljust(12) + str(s["n"]).rjust(10) + " "
                     + " ".join(f"{s[k] / s['n']:.3f}".rjust(10) for k in keys))
    print("\n".join(lines))


def test_replica_every_truth_url(replica):
    scores, misses = _score(replica, urls="all")
    _report("replica, auto-detected family, every truth URL", scores)
    assert set(scores) == {"drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress"}
    for fam, s in scores.items():
        for field in ("family",) + FIELDS:
            assert s[field] / s["n"] >= MIN_SCORE, (fam, field, misses[:10])


def test_replica_generic_path(replica):
    """Forcing the generic (trafilatura-located) path still gets the text right on every family."""
    hint = SimpleNamespace(family="generic", date_order=None)
    scores, misses = _score(replica, hint_for=lambda c: hint)
    _report("replica, generic path forced", scores)
    for fam, s in scores.items():
        for field in ("title", "text", "published", "authors", "unit", "captions"):
            assert s[field] / s["n"] >= 0.9, (fam, field, misses[:10])


def test_replica_with_registry_hints(replica):
    """With the registry's family and date order (drupal: mdy) the generic dates are right too."""
    scores, misses = _score(replica, hint_for=lambda c: SimpleNamespace(family=c.family, date_order=None))
    for fam, s in scores.items():
        assert s["published"] == s["n"], (fam, misses[:10])
