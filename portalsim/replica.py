"""build_replica(): portals, per-copy metadata, lazy truth, and the pure render() entry point."""
from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import urlsplit

from portalsim.content import (BYLINE_KINDS, VN, Body, Byline, StoryMeta, byline, corpus,
                               sibling_meta, story_body, story_meta)
from portalsim.layouts import Layout, draw_layout
from portalsim.model import Changes, SimPortal, TruthArticle, TruthCopy, replica_port
from portalsim.sites.base import Response
from portalsim.text import encode_cp1258, slugify, tone_style
from portalsim.updates import DAY, day_times, edit_targets, last_year_meeting, updated
from portalsim.validators import etag_of, http_date, not_modified

PORT = replica_port()
PORTALS = (
    SimPortal("replica-drupal", "drupal", "so", f"127.0.10.1:{PORT}", f"127.0.11.1:{PORT}", "Sở Nội vụ tỉnh Lạng Sơn"),
    SimPortal("replica-sharepoint", "sharepoint", "tinh", f"127.0.10.2:{PORT}", f"127.0.11.2:{PORT}", "Cổng thông tin điện tử tỉnh Lào Cai"),
    SimPortal("replica-liferay", "liferay", "tinh", f"127.0.10.3:{PORT}", f"127.0.11.3:{PORT}", "Cổng thông tin điện tử tỉnh Hưng Yên"),
    SimPortal("replica-vnportal", "vnportal", "so", f"127.0.10.4:{PORT}", f"127.0.11.4:{PORT}", "Sở Khoa học và Công nghệ tỉnh Yên Bái"),
    SimPortal("replica-aspnet", "aspnet", "huyen", f"127.0.10.5:{PORT}", f"127.0.11.5:{PORT}", "Cổng thông tin điện tử huyện Bắc Hà"),
    SimPortal("replica-wordpress", "wordpress", "xa", f"127.0.10.6:{PORT}", f"127.0.11.6:{PORT}", "Trang thông tin điện tử xã Gia Cát"),
)
ASSET_HOST = f"127.0.10.14:{PORT}"
MAX_LAYOUTS = 254  # layout portal i (1-based) is served on 127.0.20.i:PORT, its alias on 127.0.21.i:PORT
DEFAULT_CLOCK = datetime(2026, 11, 20, 8, 30, tzinfo=VN)


class Copy:
    """One story as published on one portal: small metadata, the body is regenerated on demand."""
    __slots__ = ("story", "meta", "portal", "k", "published", "title", "slug", "topic", "tag",
                 "style", "nfd", "lead_tag", "attribution", "byline", "views", "cp1258", "upper", "edit",
                 "modified")

    def __init__(self, meta: StoryMeta, portal: int, published: datetime, style: str, nfd: bool,
                 lead_tag: str | None, attribution: str | None, byline: Byline, upper: bool, views: int):
        self.story, self.meta, self.portal = meta.index, meta, portal
        self.published, self.style, self.nfd, self.upper = published, style, nfd, upper
        self.lead_tag, self.attribution, self.views = lead_tag, attribution, views
        title = tone_style(meta.title, style)
        self.title = title.upper() if upper else title
        self.byline = Byline(byline.kind, tuple(tone_style(a, style) for a in byline.authors),
                             tone_style(byline.unit, style) if byline.unit else None)
        self.topic = meta.topic
        self.tag = (meta.index * 7 + portal) % 6
        self.slug = ""
        self.k = -1
        self.cp1258 = False
        self.edit: str | None = None  # a syndicated copy's own edit: "cut" or "added" paragraph
        self.modified: datetime | None = None  # when the next day's edit (a paragraph added) was made


def _slug(title: str, taken: set[str]) -> str:
    base = slugify(title)
    if len(base) > 90:
        base = base[:90].rsplit("-", 1)[0]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


class Replica:
    def __init__(self, seed: int, articles: int, clock: datetime | str | None = None, *,
                 new: int = 0, edited: int = 0, layouts: int = 0, layout_seed: int = 0):
        from portalsim.sites import SITE_CLASSES, LayoutSite
        if new < 0 or edited < 0:
            raise ValueError(f"new={new}, edited={edited}: counts of stories cannot be negative")
        if not 0 <= layouts <= MAX_LAYOUTS:
            raise ValueError(f"layouts={layouts}: a replica serves 0 to {MAX_LAYOUTS} layout portals")
        self.seed, self.n_articles = seed, articles
        # the next day runs from the base clock ("live" only moves the header clocks) to a day later
        self.base_clock = clock if isinstance(clock, datetime) else DEFAULT_CLOCK
        self.next_day = bool(new or edited)
        self._clock = self.base_clock + DAY if self.next_day and clock != "live" else clock
        self.asset_host = ASSET_HOST
        self.layouts = [draw_layout(layout_seed + i) for i in range(layouts)]
        self.portals = [layout_portal(lay, i + 1) for i, lay in enumerate(self.layouts)] or list(PORTALS)
        rng = random.Random(f"portalsim:{seed}:portals")
        order = list(range(len(self.portals)))
        rng.shuffle(order)
        c = corpus()
        per_portal: list[list[Copy]] = [[] for _ in self.portals]
        self.story_copies: list[list[Copy]] = []
        n_synd = max(2, round(articles * 0.1)) if articles >= 2 else 0
        synd_every = max(1, articles // n_synd) if n_synd else 0
        fresh = day_times(self.base_clock, new)
        for i in range(articles + new):
            is_new = i >= articles
            if not is_new:
                meta = story_meta(seed, i)
                if i % 40 == 21:  # a near miss: the previous story's meeting, a year later
                    meta = sibling_meta(seed, i, story_meta(seed, i - 1))
            else:
                meta = self._fresh_meta(i, fresh[i - articles])
            r = random.Random(f"portalsim:{seed}:{i}:copies")
            first = order[i % len(order)]
            syndicated = (bool(n_synd) and i % synd_every == synd_every // 2
                          and (i // synd_every < n_synd or is_new) and len(self.portals) > 1)
            upper = i % 12 == 5
            kind = BYLINE_KINDS[i % len(BYLINE_KINDS)]
            if not syndicated:
                style = "new" if r.random() < 0.3 else "old"
                lead = c["lead_tags"][i % len(c["lead_tags"])] if i % 7 == 2 else None
                attr = c["attributions"][i % len(c["attributions"])] if i % 9 == 4 else None
                copies = [Copy(meta, first, meta.published, style, False, lead, attr, byline(r, kind),
                               upper, r.randrange(15, 3000))]
            else:
                second = (first + 1 + r.randrange(len(self.portals) - 1)) % len(self.portals)
                later = meta.published + timedelta(hours=r.randrange(1, 6), minutes=r.randrange(60))
                if later.date() != meta.published.date():
                    later = meta.published.replace(hour=23, minute=max(meta.published.minute, 30))
                if is_new:  # republished within the day, before the next-day clock
                    later = min(later, self.base_clock + DAY - timedelta(minutes=1))
                kind2 = BYLINE_KINDS[(i + 1 + r.randrange(3)) % 4]  # never the same kind
                if kind2 == kind:
                    kind2 = BYLINE_KINDS[(BYLINE_KINDS.index(kind) + 1) % 4]
                copies = [
                    Copy(meta, first, meta.published, "new", False,
                         c["lead_tags"][i % len(c["lead_tags"])], None, byline(r, kind), upper,
                         r.randrange(15, 3000)),
                    Copy(meta, second, later, "old", True, None,
                         c["attributions"][i % len(c["attributions"])], byline(r, kind2), False,
                         r.randrange(15, 3000)),
                ]
            if syndicated:  # the second portal trims or extends the story now and then
                copies[1].edit = (None, "cut", "added")[(i // synd_every) % 3]
            for cp in copies:
                per_portal[cp.portal].append(cp)
            self.story_copies.append(copies)
        if self.next_day:
            edits = edit_targets(seed, self.story_copies[:articles], self.portals, edited, self.base_clock)
            for cp, when in zip(edits, day_times(self.base_clock, edited)):
                cp.modified = when
        self.sites = []
        self._by_host = {}
        for pi, portal in enumerate(self.portals):
            # the next day's stories come after the older ones whatever their dates (a few near
            # misses are dated after the clock): the older stories keep their numbers and slugs
            copies = sorted(per_portal[pi], key=lambda x: (x.story >= articles, x.published, x.story))
            taken: set[str] = set()
            for k, cp in enumerate(copies):
                cp.k = k
                cp.slug = _slug(cp.title, taken)
            if portal.family == "aspnet":
                for cp in copies[1:]:
                    if not cp.nfd:       # one old page served as windows-1258
                        cp.cp1258 = True
                        break
            site = (LayoutSite(self, portal, copies, self.layouts[pi]) if self.layouts
                    else SITE_CLASSES[portal.family](self, portal, copies))
            self.sites.append(site)
            self._by_host[portal.host] = site
            self._by_host[portal.alias_host] = site

    def _fresh_meta(self, i: int, published: datetime) -> StoryMeta:
        """Story i of the next day; on the near-miss rule's indexes, this year's edition of a
        meeting the portals reported about a year earlier."""
        meta = story_meta(self.seed, i, published)
        if i % 40 != 21:
            return meta
        metas = [copies[0].meta for copies in self.story_copies]
        repeated = {m.sibling_of for m in metas if m.sibling_of is not None}  # each meeting recurs once
        last_year = last_year_meeting([m for m in metas[:self.n_articles] if m.index not in repeated], published)
        return meta if last_year is None else sibling_meta(self.seed, i, last_year, published)

    # ---- clock ---------------------------------------------------------------------------
    def now(self) -> datetime:
        if self._clock == "live":
            return datetime.now(VN)
        return self._clock or DEFAULT_CLOCK  # type: ignore[return-value]

    # ---- content ---------------------------------------------------------------------------
    def body_for(self, c: Copy) -> Body:
        """The copy's body in its tone style (NFC); lead tag and byline are not part of it."""
        body = _edited(story_body(self.seed, c.meta), c.edit, c.meta)
        if c.modified is not None:
            body = updated(body, c.meta)
        if c.style == "old":
            return body
        return _styled(body, c.style)

    # ---- rendering ---------------------------------------------------------------------------
    def site_for(self, host: str):
        return self._by_host.get(host.lower())

    def render(self, host: str, path_with_query: str,
               request_headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One response; request_headers: the conditions of a conditional GET (If-None-Match,
        If-Modified-Since), answered with a bodiless 304 where the page's validators match."""
        site = self.site_for(host)
        path, _, query = path_with_query.partition("?")
        path = path.split("#", 1)[0] or "/"
        query = query.split("#", 1)[0]
        if site is None and host.lower() != self.asset_host:
            return 421, {"Content-Type": "text/plain; charset=utf-8"}, b"misdirected request\n"
        attached = self.attachments.get((site.base if site is not None else f"http://{self.asset_host}") + path) \
            if not self.layouts else None
        if attached is not None:
            return 200, {"Content-Type": attached.media_type, "Content-Length": str(len(attached.data))}, attached.data
        if site is None:  # the asset host: its files, nothing else
            return 404, {"Content-Type": "text/plain; charset=utf-8", "Content-Length": "10"}, b"not found\n"
        status, ctype, body, changed = Response(*site.handle(path, query))
        headers = {"Content-Type": ctype}
        copy = site.paths.get(path)
        if isinstance(body, str):
            body = body.replace("\x00CLOCK\x00", site.clock_text())
            if copy is not None and status == 200 and copy.nfd:
                body = unicodedata.normalize("NFD", body).encode("utf-8")
            elif copy is not None and status == 200 and copy.cp1258:
                body = body.replace("charset=utf-8", "charset=windows-1258", 1)
                headers["Content-Type"] = "text/html; charset=windows-1258"
                body = encode_cp1258(body)
            else:
                body = body.encode("utf-8")
        headers["Content-Length"] = str(len(body))
        if status == 200 and changed is not None:  # a sitemap or feed: its bytes are its content
            headers.update({"Last-Modified": self._last_modified(changed), "ETag": etag_of(body)})
        elif status == 200 and copy is not None and site.article_validators:
            headers.update({"Last-Modified": self._last_modified(site.changed_at(copy)),
                            "ETag": self.content_etag(copy)})
        return not_modified((status, headers, body), request_headers)

    def _last_modified(self, changed: datetime) -> str:
        # never later than the server's clock (RFC 9110 8.8.2.1): a few near misses are dated
        # after it, and a future date would make every later If-Modified-Since a 304
        return http_date(min(changed, self.now()))

    def content_etag(self, c: Copy) -> str:
        """The article's ETag: a digest of what the article says, so the header clock, the visit
        counter and the neighbouring stories of its page leave it alone; an edit changes it."""
        body = self.body_for(c)
        return etag_of(c.title, *body.paragraphs, *(cap for _, cap in body.captions), body.summary,
                       c.lead_tag or "", c.attribution or "", *c.byline.authors, c.byline.unit or "",
                       c.published.isoformat(), self.sites[c.portal].changed_at(c).isoformat())

    def base_url(self, key: str) -> str:
        return next(f"http://{p.host}" for p in self.portals if p.key == key)

    # ---- truth ---------------------------------------------------------------------------
    def _truth_copy(self, c: Copy) -> TruthCopy:
        site = self.sites[c.portal]
        body = self.body_for(c)
        caps: list[str] = []
        for _, cap in body.captions:
            if cap not in caps:
                caps.append(cap)
        return TruthCopy(
            portal_key=site.portal.key, urls=site.truth_urls(c), canonical_url=site.canonical(c),
            title=c.title, text="\n".join(_with_sapo(body, site.shows_summary)), published=c.published,
            authors=list(c.byline.authors), unit=c.byline.unit, captions=caps,
            summary=body.summary if site.shows_summary else None, source_tag=c.lead_tag,
            attribution=c.attribution, family=site.portal.family, modified=c.modified,
            attachments=[a.url for a in self.attachments_by_copy.get(site.canonical(c), ())])

    @cached_property
    def attachments_by_copy(self):
        """{copy canonical URL: the files it links} (portalsim/attachments.py)."""
        from portalsim import attachments
        return attachments.build(self)

    @cached_property
    def attachments(self):
        """{attachment URL: ReplicaAttachment}: every file the replica's articles link."""
        from portalsim import attachments
        return attachments.by_url(self)

    @cached_property
    def truth(self) -> list[TruthArticle]:
        return [TruthArticle(f"s{self.seed}-{i:06d}",
                             [self.sites[c.portal].finish_truth(c, self._truth_copy(c)) for c in copies])
                for i, copies in enumerate(self.story_copies)]

    @cached_property
    def truth_by_url(self) -> dict[str, tuple[TruthArticle, TruthCopy]]:
        out: dict[str, tuple[TruthArticle, TruthCopy]] = {}
        for art in self.truth:
            for cp in art.copies:
                for u in cp.urls:
                    out[u] = (art, cp)
        return out

    def changes(self) -> Changes:
        """What the next day brought: the stories published after the base clock and the older
        stories edited since (both empty for a replica built without new or edited)."""
        return Changes(new=self.truth[self.n_articles:],
                       edited=[a for a in self.truth[:self.n_articles] if any(c.modified for c in a.copies)])

    @cached_property
    def non_article_urls(self) -> list[str]:
        return [u for site in self.sites for u in site.listing_urls()]

    def hard_cases(self) -> dict[str, list[str]]:
        """Where the deliberate traps are: story ids for syndication, URLs for the rest."""
        out: dict[str, list[str]] = {k: [] for k in (
            "syndicated", "nfd_pages", "windows_1258_pages", "noisy_urls", "upper_titles",
            "lead_tags", "attributions", "edited_copies", "near_misses")}
        for i, copies in enumerate(self.story_copies):
            if len(copies) > 1:
                out["syndicated"].append(f"s{self.seed}-{i:06d}")
            if copies[0].meta.sibling_of is not None:
                out["near_misses"].append(f"s{self.seed}-{copies[0].meta.sibling_of:06d}+s{self.seed}-{i:06d}")
            for c in copies:
                site = self.sites[c.portal]
                urls = site.truth_urls(c)
                if c.nfd:
                    out["nfd_pages"].extend(urls)
                if c.cp1258:
                    out["windows_1258_pages"].extend(urls)
                out["noisy_urls"].extend(u for u in urls if "?" in u and "ItemID=" not in u)
                if c.upper:
                    out["upper_titles"].append(urls[0])
                if c.lead_tag:
                    out["lead_tags"].append(urls[0])
                if c.attribution:
                    out["attributions"].append(urls[0])
                if c.edit:
                    out["edited_copies"].append(urls[0])
        return out

    def lookup(self, url: str) -> tuple[TruthArticle, TruthCopy] | None:
        """truth_by_url, tolerant of fragments (the server ignores them too)."""
        return self.truth_by_url.get(url.split("#", 1)[0])

    def to_json(self, indent: int | None = 1) -> str:
        data = {
            "seed": self.seed, "articles": self.n_articles,
            "portals": [{"key": p.key, "family": p.family, "level": p.level, "host": p.host,
                         "alias_host": p.alias_host, "name": p.name} for p in self.portals],
            "truth": [a.to_dict() for a in self.truth],
            "non_article_urls": self.non_article_urls,
        }
        if self.next_day:  # a base replica's JSON stays what it always was
            data["next_day"] = {"since": self.base_clock.isoformat(), "until": (self.base_clock + DAY).isoformat(),
                                **self.changes().to_dict()}
        return json.dumps(data, ensure_ascii=False, indent=indent)


def _with_sapo(body: Body, shown: bool) -> list[str]:
    """The article's text as readers see it: the sapo (lead paragraph), where the page shows
    one, is its first paragraph (and also its `summary`)."""
    return ([body.summary] if shown and body.summary else []) + list(body.paragraphs)


_ADDED = ("Được biết, thời gian qua, công tác thi đua, khen thưởng trên địa bàn {district} luôn được "
          "các cấp ủy, chính quyền quan tâm chỉ đạo, góp phần hoàn thành thắng lợi các nhiệm vụ chính trị.")


def _edited(body: Body, edit: str | None, meta: StoryMeta) -> Body:
    """A syndicated copy with its last paragraph cut, or with one paragraph of its own added."""
    if edit == "cut" and len(body.paragraphs) >= 4:
        last = len(body.paragraphs) - 1
        return Body(body.paragraphs[:-1], tuple((i, c) for i, c in body.captions if i < last), body.summary)
    if edit == "added":
        district = dict(meta.slots).get("district", "huyện")
        return Body(body.paragraphs + (_ADDED.format(district=district),), body.captions, body.summary)
    return body


_styled_cache: dict = {}


def _styled(body: Body, style: str) -> Body:
    key = (id(body), style)
    hit = _styled_cache.get(key)
    if hit is not None and hit[0] is body:
        return hit[1]
    out = Body(tuple(tone_style(p, style) for p in body.paragraphs),
               tuple((i, tone_style(cap, style)) for i, cap in body.captions),
               tone_style(body.summary, style))
    if len(_styled_cache) > 4096:
        _styled_cache.clear()
    _styled_cache[key] = (body, out)
    return out


def layout_portal(layout: Layout, i: int) -> SimPortal:
    """The i-th (1-based) layout portal of a replica: key and family `layout-<seed>`."""
    return SimPortal(layout.key, layout.family, layout.level, f"127.0.20.{i}:{PORT}", f"127.0.21.{i}:{PORT}", layout.name)


def build_replica(seed: int = 0, articles: int = 240, clock: datetime | str | None = None, *,
                  new: int = 0, edited: int = 0, layouts: int = 0, layout_seed: int = 0) -> Replica:
    """Deterministic replica: same (seed, articles, clock, new, edited) -> byte-identical pages.

    clock: the "today" shown in page headers; None = a fixed date (2026-11-20 08:30 +07:00),
    "live" = the real current time (pages then differ between runs in the clock only).
    new, edited: the replica's next day, for incremental crawls. The same `articles` stories
    (same URLs), plus `new` stories published after the clock and `edited` of the older stories
    edited after it (one paragraph added), all before the clock + 1 day, which becomes the
    replica's clock (unless "live"; the day then starts at the fixed date). changes() lists them.
    layouts, layout_seed: instead of the six family portals, `layouts` portals drawn from the
    layout grammar (portalsim/layouts), seeds layout_seed .. layout_seed + layouts - 1, keys
    `layout-<seed>` on 127.0.20.i:PORT (alias 127.0.21.i:PORT). Layout seeds >= 1000 are the
    held-out test set: score them, never look at their pages while developing.
    """
    return Replica(seed, articles, clock, new=new, edited=edited, layouts=layouts, layout_seed=layout_seed)


def split_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path + (f"?{parts.query}" if parts.query else "")
