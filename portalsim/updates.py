"""The replica's next day: stories published and stories edited after the base clock.

A nightly crawl meets portals that changed since its last run: a few stories published (the
newest of every listing and feed) and a few older ones edited (one paragraph added; the sitemap
<lastmod>, and on Drupal and WordPress the Last-Modified and ETag headers, move with the edit).
Everything here is a pure function of the seed and the counts, so a next-day replica is as
reproducible as the base one.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from portalsim.content import VN, Body, StoryMeta

if TYPE_CHECKING:
    from portalsim.model import SimPortal
    from portalsim.replica import Copy

DAY = timedelta(days=1)
# The families whose sitemaps carry <lastmod>: an edit there can be found without re-reading every page.
SITEMAP_FAMILIES = ("drupal", "liferay", "vnportal", "wordpress")

_UPDATE = ("Ngay sau sự kiện, Ủy ban nhân dân huyện {district} đã ban hành kế hoạch triển khai, giao các "
           "cơ quan, đơn vị liên quan cụ thể hóa nhiệm vụ và định kỳ báo cáo kết quả thực hiện.")


def day_times(start: datetime, n: int) -> list[datetime]:
    """n times strictly inside the day after `start`, evenly spread, on whole minutes (pages show
    no seconds, so the truth must not hold any)."""
    start = start.astimezone(VN).replace(second=0, microsecond=0)  # the portals' own time
    minutes = DAY // timedelta(minutes=1)
    return [start + timedelta(minutes=max(1, (2 * j + 1) * minutes // (2 * n))) for j in range(n)]


def last_year_meeting(metas: list[StoryMeta], published: datetime) -> StoryMeta | None:
    """The story of `metas` nearest a year before `published`, for a new near miss: this year's
    edition of a meeting the portals reported last year. Near misses themselves never serve
    (their body is derived from their own base story's)."""
    target = published - timedelta(days=365)
    plain = [m for m in metas if m.sibling_of is None]
    return min(plain, key=lambda m: (abs(m.published - target), m.index), default=None)


def edit_targets(seed: int, stories: list[list[Copy]], portals: list[SimPortal], n: int,
                 before: datetime) -> list[Copy]:
    """n copies to edit: stories published on one portal only (a syndicated story's copies have
    their own edits), before `before`, that take no part in a near miss, on the portals whose
    sitemaps carry <lastmod>; a seeded sample, old and recent stories alike, dealt round-robin
    over those portals."""
    in_near_miss: set[int] = set()
    for copies in stories:
        if copies[0].meta.sibling_of is not None:
            in_near_miss |= {copies[0].story, copies[0].meta.sibling_of}
    by_portal: dict[int, list[Copy]] = {i: [] for i, p in enumerate(portals) if p.family in SITEMAP_FAMILIES}
    for copies in stories:
        cp = copies[0]
        if len(copies) == 1 and cp.portal in by_portal and cp.story not in in_near_miss and cp.published < before:
            by_portal[cp.portal].append(cp)
    rng = random.Random(f"portalsim:{seed}:edits")
    for candidates in by_portal.values():
        rng.shuffle(candidates)
    available = sum(len(c) for c in by_portal.values())
    if n > available:
        raise ValueError(f"edited={n}: only {available} stories can be edited in this replica (single-copy "
                         f"stories on the {', '.join(SITEMAP_FAMILIES)} portals); build more articles or edit fewer")
    chosen: list[Copy] = []
    while len(chosen) < n:
        for candidates in by_portal.values():
            if candidates and len(chosen) < n:
                chosen.append(candidates.pop())
    return chosen


def updated(body: Body, meta: StoryMeta) -> Body:
    """The body after the next day's edit: one paragraph added at its end."""
    district = dict(meta.slots).get("district", "")
    return Body(body.paragraphs + (_UPDATE.format(district=district),), body.captions, body.summary)
