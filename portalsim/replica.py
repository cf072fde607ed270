"""build_replica(): portals, per-copy metadata, lazy truth, and the pure render() entry point."""
from __future__ import annotations

import json
import random
import unicodedata
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import urlsplit

from portalsim.content import (BYLINE_KINDS, VN, Body, Byline, StoryMeta, byline, corpus,
                               sibling_meta, story_body, story_meta)
from portalsim.model import SimPortal, TruthArticle, TruthCopy
from portalsim.text import encode_cp1258, slugify, tone_style

PORTALS = (
    SimPortal("replica-drupal", "drupal", "so", "127.0.10.1:8470", "127.0.11.1:8470", "Sở Nội vụ tỉnh Lạng Sơn"),
    SimPortal("replica-sharepoint", "sharepoint", "tinh", "127.0.10.2:8470", "127.0.11.2:8470", "Cổng thông tin điện tử tỉnh Lào Cai"),
    SimPortal("replica-liferay", "liferay", "tinh", "127.0.10.3:8470", "127.0.11.3:8470", "Cổng thông tin điện tử tỉnh Hưng Yên"),
    SimPortal("replica-vnportal", "vnportal", "so", "127.0.10.4:8470", "127.0.11.4:8470", "Sở Khoa học và Công nghệ tỉnh Yên Bái"),
    SimPortal("replica-aspnet", "aspnet", "huyen", "127.0.10.5:8470", "127.0.11.5:8470", "Cổng thông tin điện tử huyện Bắc Hà"),
    SimPortal("replica-wordpress", "wordpress", "xa", "127.0.10.6:8470", "127.0.11.6:8470", "Trang thông tin điện tử xã Gia Cát"),
)
ASSET_HOST = "127.0.10.14:8470"
DEFAULT_CLOCK = datetime(2026, 11, 20, 8, 30, tzinfo=VN)


class Copy:
    """One story as published on one portal: small metadata, the body is regenerated on demand."""
    __slots__ = ("story", "meta", "portal", "k", "published", "title", "slug", "topic", "tag",
                 "style", "nfd", "lead_tag", "attribution", "byline", "views", "cp1258", "upper", "edit")

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
    def __init__(self, seed: int, articles: int, clock: datetime | str | None = None):
        from portalsim.sites import SITE_CLASSES
        self.seed, self.n_articles = seed, articles
        self._clock = clock
        self.asset_host = ASSET_HOST
        self.portals = list(PORTALS)
        rng = random.Random(f"portalsim:{seed}:portals")
        order = list(range(len(PORTALS)))
        rng.shuffle(order)
        c = corpus()
        per_portal: list[list[Copy]] = [[] for _ in PORTALS]
        self.story_copies: list[list[Copy]] = []
        n_synd = max(2, round(articles * 0.1)) if articles >= 2 else 0
        synd_every = max(1, articles // n_synd) if n_synd else 0
        for i in range(articles):
            meta = story_meta(seed, i)
            if i % 40 == 21:  # a near miss: the previous story's meeting, a year later
                meta = sibling_meta(seed, i, story_meta(seed, i - 1))
            r = random.Random(f"portalsim:{seed}:{i}:copies")
            first = order[i % len(order)]
            syndicated = bool(n_synd) and i % synd_every == synd_every // 2 and i // synd_every < n_synd
            upper = i % 12 == 5
            kind = BYLINE_KINDS[i % len(BYLINE_KINDS)]
            if not syndicated:
                style = "new" if r.random() < 0.3 else "old"
                lead = c["lead_tags"][i % len(c["lead_tags"])] if i % 7 == 2 else None
                attr = c["attributions"][i % len(c["attributions"])] if i % 9 == 4 else None
                copies = [Copy(meta, first, meta.published, style, False, lead, attr, byline(r, kind),
                               upper, r.randrange(15, 3000))]
            else:
                second = (first + 1 + r.randrange(len(PORTALS) - 1)) % len(PORTALS)
                later = meta.published + timedelta(hours=r.randrange(1, 6), minutes=r.randrange(60))
                if later.date() != meta.published.date():
                    later = meta.published.replace(hour=23, minute=max(meta.published.minute, 30))
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
        self.sites = []
        self._by_host = {}
        for pi, portal in enumerate(self.portals):
            copies = sorted(per_portal[pi], key=lambda x: (x.published, x.story))
            taken: set[str] = set()
            for k, cp in enumerate(copies):
                cp.k = k
                cp.slug = _slug(cp.title, taken)
            if portal.family == "aspnet":
                for cp in copies[1:]:
                    if not cp.nfd:       # one old page served as windows-1258
                        cp.cp1258 = True
                        break
            site = SITE_CLASSES[portal.family](self, portal, copies)
            self.sites.append(site)
            self._by_host[portal.host] = site
            self._by_host[portal.alias_host] = site

    # ---- clock ---------------------------------------------------------------------------
    def now(self) -> datetime:
        if self._clock == "live":
            return datetime.now(VN)
        return self._clock or DEFAULT_CLOCK  # type: ignore[return-value]

    # ---- content ---------------------------------------------------------------------------
    def body_for(self, c: Copy) -> Body:
        """The copy's body in its tone style (NFC); lead tag and byline are not part of it."""
        body = _edited(story_body(self.seed, c.meta), c.edit, c.meta)
        if c.style == "old":
            return body
        return _styled(body, c.style)

    # ---- rendering ---------------------------------------------------------------------------
    def site_for(self, host: str):
        return self._by_host.get(host.lower())

    def render(self, host: str, path_with_query: str) -> tuple[int, dict[str, str], bytes]:
        site = self.site_for(host)
        if site is None:
            return 421, {"Content-Type": "text/plain; charset=utf-8"}, b"misdirected request\n"
        path, _, query = path_with_query.partition("?")
        path = path.split("#", 1)[0] or "/"
        query = query.split("#", 1)[0]
        status, ctype, body = site.handle(path, query)
        headers = {"Content-Type": ctype}
        if isinstance(body, str):
            body = body.replace("\x00CLOCK\x00", site.clock_text())
            copy = site.paths.get(path)
            if copy is not None and status == 200 and copy.nfd:
                body = unicodedata.normalize("NFD", body).encode("utf-8")
            elif copy is not None and status == 200 and copy.cp1258:
                body = body.replace("charset=utf-8", "charset=windows-1258", 1)
                headers["Content-Type"] = "text/html; charset=windows-1258"
                body = encode_cp1258(body)
            else:
                body = body.encode("utf-8")
        headers["Content-Length"] = str(len(body))
        return status, headers, body

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
            title=c.title, text="\n".join(body.paragraphs), published=c.published,
            authors=list(c.byline.authors), unit=c.byline.unit, captions=caps,
            summary=body.summary if site.shows_summary else None, source_tag=c.lead_tag,
            attribution=c.attribution, family=site.portal.family)

    @cached_property
    def truth(self) -> list[TruthArticle]:
        return [TruthArticle(f"s{self.seed}-{i:06d}", [self._truth_copy(c) for c in copies])
                for i, copies in enumerate(self.story_copies)]

    @cached_property
    def truth_by_url(self) -> dict[str, tuple[TruthArticle, TruthCopy]]:
        out: dict[str, tuple[TruthArticle, TruthCopy]] = {}
        for art in self.truth:
            for cp in art.copies:
                for u in cp.urls:
                    out[u] = (art, cp)
        return out

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
        return json.dumps({
            "seed": self.seed, "articles": self.n_articles,
            "portals": [{"key": p.key, "family": p.family, "level": p.level, "host": p.host,
                         "alias_host": p.alias_host, "name": p.name} for p in self.portals],
            "truth": [a.to_dict() for a in self.truth],
            "non_article_urls": self.non_article_urls,
        }, ensure_ascii=False, indent=indent)


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


def build_replica(seed: int = 0, articles: int = 240, clock: datetime | str | None = None) -> Replica:
    """Deterministic replica: same (seed, articles, clock) -> byte-identical pages.

    clock: the "today" shown in page headers; None = a fixed date (2026-11-20 08:30 +07:00),
    "live" = the real current time (pages then differ between runs in the clock only).
    """
    return Replica(seed, articles, clock)


def split_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path + (f"?{parts.query}" if parts.query else "")
