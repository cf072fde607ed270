"""Alternate links: an article page's link to the same article under another URL, learned per portal.

Many portals link each article page to itself under a second URL: a print or share tool ("In bài",
"Bản in"), or the article's other URL shape (an old numeric path beside the new slug). Fetching
it costs a request and stores nothing new. The evidence that such a link is the page's other URL:

- it is a *tool link* (crawler/linkfinder.py `tool_links`): a short anchor, alone on the page,
  to a URL of another template than the page's own (a "next article" link keeps the template);
- the page it leads to answers for the first one: its rel=canonical names the first page, or its
  own tool link of the same anchor leads back to it (the two URLs of one article link each other).

A tool-link anchor so confirmed once, and more often than refused (a page that names neither),
makes the portal's later tool links of that anchor, to a URL of another template than the page's,
the page's other URL: not fetched, recorded with the page (crawler/processing.py `page_urls`).
The anchor, not the templates, is what is learned: a portal's numeric paths and slugs carry their
category or a trailing number in the template, and each would otherwise be learned on its own.
Held for the run only: related links are followed during walks only.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from crawler.urlpatterns import template

MIN_CONFIRMED = 1  # the canonical or reciprocal link is already two pieces of evidence

@dataclass(slots=True)
class AlternateLinks:
    """One portal's tool links under test (`pending`) and the anchors they confirmed or refused."""

    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # link -> (page URL, anchor)
    counts: dict[str, list[int]] = field(default_factory=dict)         # anchor -> [confirmed, refused]

    def is_alternate(self, page_url: str, link: str, anchor: str) -> bool:
        """True when `link`, a tool link of `page_url` with `anchor`, is that page's other URL."""
        if template(page_url) == template(link):
            return False
        confirmed, refused = self.counts.get(anchor, (0, 0))
        return confirmed >= MIN_CONFIRMED and confirmed > refused

    def offer(self, page_url: str, link: str, anchor: str) -> None:
        """`link`, a tool link of `page_url`, is fetched: its page will say whether it was the same."""
        if template(page_url) != template(link):
            self.pending.setdefault(link, (page_url, anchor))

    def judge(self, url: str, canonical: str | None, tools: Mapping[str, str]) -> bool | None:
        """`url` was fetched, its rel=canonical and tool links are known: was it the other URL of
        the page that offered it? None when no tool link offered it."""
        offered = self.pending.pop(url, None)
        if offered is None:
            return None
        page_url, anchor = offered
        same = canonical == page_url or tools.get(page_url) == anchor
        self.counts.setdefault(anchor, [0, 0])[0 if same else 1] += 1
        return same
