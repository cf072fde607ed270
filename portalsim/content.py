"""Deterministic Vietnamese article content: story metadata at build time, bodies on demand.

Every function here is a pure function of (seed, story index): two random streams per story,
"meta" (cheap: title, date, portal choice, byline) and "body" (paragraphs, captions, summary),
so a replica of 100,000 stories keeps only the metadata and regenerates bodies per request.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from portalsim.text import tone_style

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2019, 1, 1, tzinfo=VN)
SPAN_DAYS = (datetime(2026, 10, 31, tzinfo=VN) - START).days
BYLINE_KINDS = ("two-line", "one-line", "initials", "pair", "none")


@lru_cache(maxsize=1)
def corpus() -> dict:
    raw = resources.files("portalsim").joinpath("corpus/vi.json").read_text(encoding="utf-8")
    return json.loads(tone_style(raw, "old"))


@dataclass(frozen=True, slots=True)
class Byline:
    kind: str
    authors: tuple[str, ...]
    unit: str | None


@dataclass(frozen=True, slots=True)
class StoryMeta:
    index: int
    topic: str
    title: str             # old tone style, cased
    published: datetime
    slots: tuple[tuple[str, str], ...]
    sibling_of: int | None = None  # a near miss: that story's meeting, a year later


@dataclass(frozen=True, slots=True)
class Body:
    paragraphs: tuple[str, ...]              # old style, NFC
    captions: tuple[tuple[int, str], ...]    # (insert after paragraph i, caption)
    summary: str


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def story_meta(seed: int, index: int, published: datetime | None = None) -> StoryMeta:
    """published: a time of the caller's (a story of the next day); the drawn one otherwise."""
    rng = random.Random(f"portalsim:{seed}:{index}:meta")
    c = corpus()
    topics = sorted(c["topics"])
    topic = topics[(index + rng.randrange(2)) % len(topics)]
    t = c["topics"][topic]
    day = START + timedelta(days=rng.randrange(SPAN_DAYS))
    drawn = day.replace(hour=rng.randrange(6, 22), minute=rng.randrange(60))
    published = published or drawn  # drawn either way, so the rest of the stream stays the same
    year = published.year
    slots = {
        "year": str(year), "prevyear": str(year - 1),
        "district": rng.choice(c["districts"]), "commune": rng.choice(c["communes"]),
        "province": rng.choice(c["provinces"]), "person": rng.choice(c["people"]),
        "cluster": rng.choice(t.get("clusters", ["các huyện, thành phố"])),
    }
    slots["position"] = rng.choice(c["positions"]).format(**slots)
    slots["venue"] = rng.choice(c["venues"]).format(**slots)
    title = rng.choice(t["titles"]).format(**slots)
    title = title[0].upper() + title[1:]
    return StoryMeta(index, topic, title, published, tuple(sorted(slots.items())))


def _event_when(rng: random.Random, published: datetime) -> str:
    ev = published - timedelta(days=rng.choice((0, 1, 1, 2, 3, 5)))
    form = rng.randrange(4)
    if form == 0:
        date = f"{ev.day}/{ev.month}/{ev.year}"
    elif form == 1:
        date = f"{ev.day:02d}/{ev.month}/{ev.year}"
    elif form == 2:
        date = f"{ev.day}/{ev.month}"
    else:
        date = f"{ev.day}/{ev.month}/{ev.year}"
    return f"{rng.choice(corpus()['times_of_day'])} {date}" if form != 1 else f"Ngày {date}"


def sibling_meta(seed: int, index: int, base: StoryMeta, published: datetime | None = None) -> StoryMeta:
    """Story `index` as the same kind of meeting as `base`, held about a year later (or at
    `published`): the same sentences, other dates and figures (the seeds 000/001 situation;
    never the same article)."""
    rng = random.Random(f"portalsim:{seed}:{index}:sibling")
    later = base.published + timedelta(days=350 + rng.randrange(30), minutes=rng.randrange(-90, 90))
    published = published or later
    shift = published.year - base.published.year
    slots = tuple((k, str(int(v) + shift) if k in ("year", "prevyear") else v) for k, v in base.slots)
    title = base.title.replace(str(base.published.year), str(published.year))
    return StoryMeta(index, base.topic, title, published, slots, sibling_of=base.index)


_DATE_OR_NUMBER = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/])|\d+(?:\.\d{3})*")


def _sibling_body(seed: int, meta: StoryMeta, base_meta: StoryMeta, base: Body) -> Body:
    rng = random.Random(f"portalsim:{seed}:{meta.index}:sibling-body")
    base_year, year = base_meta.published.year, meta.published.year
    moved = timedelta(days=(meta.published.date() - base_meta.published.date()).days)

    def shifted(match: re.Match[str]) -> str:
        day, month, full_year = match.group(1), match.group(2), match.group(3)
        if day:  # a date: moved as the meeting moved (form kept: "31/7", "05/7/2024")
            try:
                when = datetime(int(full_year or base_year), int(month), int(day)) + moved
            except ValueError:
                return match.group(0)
            d = f"{when.day:02d}" if len(day) == 2 else str(when.day)
            m = f"{when.month:02d}" if len(month) == 2 else str(when.month)
            return f"{d}/{m}" + (f"/{when.year}" if full_year else "")
        n = int(match.group(0).replace(".", ""))
        if n in (base_year, base_year - 1):  # years move with the meeting
            return str(n + year - base_year)
        if n <= 31:  # small counts ("6 tháng đầu năm") stay
            return match.group(0)
        return _num(n + rng.randrange(1, max(3, n // 5)))

    def shift(text: str) -> str:
        return _DATE_OR_NUMBER.sub(shifted, text)

    return Body(tuple(shift(p) for p in base.paragraphs), tuple((i, shift(c)) for i, c in base.captions),
                shift(base.summary))


@lru_cache(maxsize=4096)
def story_body(seed: int, meta: StoryMeta) -> Body:
    if meta.sibling_of is not None:
        base = story_meta(seed, meta.sibling_of)
        return _sibling_body(seed, meta, base, story_body(seed, base))
    rng = random.Random(f"portalsim:{seed}:{meta.index}:body")
    c = corpus()
    t = c["topics"][meta.topic]
    slots = dict(meta.slots)
    slots["when"] = _event_when(rng, meta.published)

    def fill(template: str) -> str:
        vals = dict(slots)
        vals.update(
            n1=_num(rng.randrange(900, 2500)), n2=_num(rng.randrange(5000, 25000)),
            n3=str(rng.randrange(45, 600)), n4=f"{rng.randrange(5, 20):02d}",
            n5=f"{rng.randrange(2, 15):02d}", n6=f"{rng.randrange(3, 25):02d}",
            pct=f"{rng.randrange(60, 99)},{rng.randrange(10)}", small=str(rng.randrange(1, 9)),
            person=rng.choice(c["people"]) if rng.random() < 0.3 else slots["person"],
        )
        return template.format(**vals)

    paras = [fill(rng.choice(t["openings"]))]
    if rng.random() < 0.7:
        paras.append(fill(rng.choice(t["attendance"])))
    n_middle = rng.randrange(1, 4)
    pool = list(t["sentences"])
    rng.shuffle(pool)
    for i in range(n_middle):
        k = rng.randrange(2, 5)
        chunk, pool = pool[:k], pool[k:]
        if not chunk:
            break
        paras.append(" ".join(fill(s) for s in chunk))
    if rng.random() < 0.8:
        paras.append(fill(rng.choice(t["speeches"])))
    if rng.random() < 0.7:
        paras.append(fill(rng.choice(t["closings"])))
    paras = paras[:8]
    if len(paras) < 3:
        paras.append(fill(pool[0] if pool else t["sentences"][0]))
    if all(tone_style(p, "new") == p for p in paras):
        # every story carries at least one oa/oe/uy syllable, so tone style always shows
        paras[1] += " Đại diện Thường trực Huyện ủy, UBND huyện và các phòng, ban chuyên môn cùng tham dự."
    credit = f". Ảnh: {rng.choice(c['photo_credits'])}" if rng.random() < 0.5 else ""
    n_caps = rng.randrange(1, 4)
    caps, seen = [], set()
    for _ in range(n_caps):
        cap = fill(rng.choice(t["captions"])) + credit
        if cap not in seen:
            seen.add(cap)
            caps.append((rng.randrange(0, len(paras) - 1), cap))
    caps.sort(key=lambda x: x[0])
    summary = rng.choice((
        "Hội nghị đã đánh giá kết quả đạt được, chỉ ra những hạn chế và thống nhất nhiệm vụ, giải pháp trọng tâm trong thời gian tới.",
        f"Đây là hoạt động thiết thực nhằm nâng cao hiệu quả công tác trên địa bàn huyện {slots['district']}.",
        f"Tham dự có đồng chí {slots['person']}, {slots['position']}.",
        f"{slots['when']}, {slots['venue']}, đã diễn ra sự kiện được đông đảo cán bộ và nhân dân quan tâm.",
    ))
    return Body(tuple(paras), tuple(caps), summary)


def byline(rng: random.Random, kind: str) -> Byline:
    c = corpus()
    if kind == "two-line":
        return Byline(kind, (rng.choice(c["byline_names"]),), rng.choice(c["units"]).rstrip("."))
    if kind == "one-line":
        return Byline(kind, (rng.choice(c["byline_names"]),), rng.choice(c["units"]).rstrip("."))
    if kind == "initials":
        return Byline(kind, (rng.choice(c["byline_initials"]),), None)
    if kind == "pair":
        return Byline(kind, tuple(rng.choice(c["byline_pairs"])), None)
    return Byline("none", (), None)
