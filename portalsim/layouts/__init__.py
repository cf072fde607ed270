"""A grammar of portal layouts: `draw_layout(seed)` -> a frozen `Layout`, fixed by the seed.

A layout is a theme of one of the six families (the family's platform tells, other class and
id names and nesting) or a vendor layout outside them (the `PostDate`/`ArticleContent` vendor,
ASP.NET WebForms labels, NukeViet, Joomla, hand-made Bootstrap and table themes). It fixes where
title, date, sapo, byline, captions and related blocks sit and in which form, what precedes the
article, the listing markup, the pagination and the URL shapes. `portalsim.sites.layout`
renders it; `build_replica(..., layouts=N, layout_seed=S)` serves N of them.

Development seeds are 0-999; seeds >= 1000 are held out: their pages are never looked at
while developing, only their aggregate scores (`govcrawl eval replica --layouts N --seed S`).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from portalsim.content import corpus
from portalsim.layouts import forms, vocab

HELD_OUT_SEEDS = 1000  # layout seeds from here on are the test set


@dataclass(frozen=True)
class Layout:
    seed: int
    kind: str                    # a family name (a theme of that family) or "vendor"
    vendor: str                  # the family name again, or the vendor (vocab.VENDORS)
    level: str                   # tinh / so / huyen / xa
    name: str                    # the portal's name
    owner: str                   # CƠ QUAN CHỦ QUẢN
    attrs: tuple[tuple[str, str], ...]   # role -> rendered attributes (' class="x"', ' id="ctl00_..."')
    wrappers: tuple[tuple[str, str], ...]  # around the article, outermost first: (tag, attributes)
    article_table: bool          # title, info and body in rows of one table (td cells)
    sidebar_first: bool          # the sidebar precedes the main column in source order
    side_block: str              # the sidebar's dated news block heading
    side_heading_tag: str
    # the article header
    before_title: tuple[str, ...]  # of "breadcrumb", "section_heading", "teaser", in this order
    section_heading_tag: str
    section_heading_text: str    # "category" (the article's), "news" (the section's anchor) or a block heading
    title_tag: str
    head_title: str              # headline / prefix / suffix_dash / suffix_pipe / generic
    og_title: bool
    jsonld: str                  # none / headline / full (headline and datePublished with the time)
    meta_published: bool         # article:published_time
    time_element: bool           # the date in <time datetime="...">
    has_canonical: bool
    # the date
    date_form: str
    date_pad: bool
    date_sep: str
    date_position: str           # above_title / below_title / meta_row / after_body
    date_tag: str
    meta_items: tuple[str, ...]  # of "views", "print", "email", "cms", in order
    view_label: str
    cms_account: str
    # the body
    sapo: str                    # vocab.SAPOS
    sapo_inside: bool            # inside the body element (p_strong, italic_p) or before it
    body_tag: str
    p_style: str                 # attributes of body paragraphs
    caption: str
    caption_alt: str             # "", "number" or "caption" (the caption repeated in alt and title)
    byline_single: tuple[str, str]   # forms for the two-line and one-line bylines of the corpus
    byline_prefix: str
    byline_emph: str
    byline_align: str
    byline_where: str            # end / above
    pair_unit: bool              # co-authors followed by their unit: "A - B [Unit]"
    attachments: bool
    toolbar: tuple[str, ...]
    toolbar_position: str        # below_title / above_body / after_body
    related_heading: str
    related_heading_tag: str
    related_markup: str          # ul / div / table
    related_date: str
    related_in_sidebar: bool
    related_pager: bool
    # page furniture
    skip_link: str
    slogan: str
    test_banner: bool
    flags: bool
    clock_form: str              # long / short / words
    counter_title: str
    footer_tag: str
    doctype: str                 # html5 / xhtml
    # listings and URLs
    listing: str
    listing_teaser: bool
    page_size: int
    pagination: str
    zero_based: bool
    next_label: str
    article_shape: str
    second_shape: str | None
    section_anchor: str
    section_path: str
    category_shape: str          # nested / chuyen_muc / query
    menu: tuple[tuple[str, str], ...]  # other menu items: (anchor, path)
    categories_in_menu: bool
    sitemap: bool
    feed: bool

    def a(self, role: str) -> str:
        return dict(self.attrs).get(role, "")

    @property
    def key(self) -> str:
        return f"layout-{self.seed}"

    @property
    def family(self) -> str:
        return self.key

    @property
    def shows_summary(self) -> bool:
        return self.sapo != "none"


def _nonsense(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(vocab.GRID)
    return f"{rng.choice(vocab.NONSENSE_PREFIX)}{rng.choice(vocab.NONSENSE_SEP)}{rng.randrange(1, 40)}"


def _names(rng: random.Random, vendor: str) -> dict[str, str]:
    """role -> class name: meaningful with this layout's share, meaningless otherwise, a few none."""
    share = rng.uniform(0.15, 0.85)
    prefix = rng.choice(vocab.VENDOR_PREFIX) if rng.random() < 0.35 else ""
    camel = rng.random() < 0.2
    out: dict[str, str] = {}
    taken: set[str] = set()
    for role in vocab.ROLES:
        for _ in range(20):
            if rng.random() < share:
                name = rng.choice(vocab.MEANINGFUL[role])
                if camel:
                    name = "".join(w.capitalize() for w in name.replace("_", "-").split("-"))
                name = prefix + name
            else:
                name = _nonsense(rng)
            if name not in taken:
                break
        taken.add(name)
        out[role] = "" if rng.random() < 0.08 and role not in ("date", "related") else name
    if vendor == "postdate":
        out.update(vocab.POSTDATE_NAMES)
    return out


def _attrs(rng: random.Random, names: dict[str, str], vendor: str) -> tuple[tuple[str, str], ...]:
    out = {}
    ids = vocab.WEBFORMS_PREFIX[rng.randrange(len(vocab.WEBFORMS_PREFIX))] if vendor == "webforms" else None
    for role, name in names.items():
        attr = f' class="{name}"' if name else ""
        if ids and role in vocab.WEBFORMS_LABELS:
            label = rng.choice(vocab.WEBFORMS_LABELS[role])
            attr = f' id="{ids}{label}"' + (attr if rng.random() < 0.5 else "")
        elif vendor == "joomla" and role == "body":
            attr += ' itemprop="articleBody"'
        out[role] = attr
    return tuple(sorted(out.items()))


def _wrappers(rng: random.Random, vendor: str, kind: str) -> tuple[tuple[str, str], ...]:
    depth = rng.randrange(1, 6)
    out = []
    for i in range(depth):
        tag = rng.choice(vocab.WRAPPER_TAGS)
        if vendor == "tables" or kind == "aspnet":
            tag = "table" if rng.random() < 0.6 else tag
        cls = rng.choice(vocab.MEANINGFUL["main"] + vocab.MEANINGFUL["block"]) if rng.random() < 0.5 else _nonsense(rng)
        attr = f' class="{cls}"' if rng.random() < 0.85 else ""
        if vendor == "webforms" and rng.random() < 0.5:
            attr = f' id="ctl00_ContentPlaceHolder1_pn{rng.choice(("Main", "Content", "News", "Center"))}{i}"' + attr
        out.append((tag, attr))
    return tuple(out)


def _portal(rng: random.Random) -> tuple[str, str, str]:
    c = corpus()
    level = rng.choice(("tinh", "so", "huyen", "huyen", "xa"))
    province, district, commune = rng.choice(c["provinces"]), rng.choice(c["districts"]), rng.choice(c["communes"])
    if level == "tinh":
        name = rng.choice(("Cổng thông tin điện tử tỉnh {p}", "Cổng Thông tin điện tử tỉnh {p}")).format(p=province)
        owner = f"Ủy ban nhân dân tỉnh {province}"
    elif level == "so":
        dept = rng.choice(("Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường",
                           "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ"))
        name = rng.choice(("{d} tỉnh {p}", "Cổng thông tin điện tử {d} tỉnh {p}")).format(d=dept, p=province)
        owner = f"{dept} tỉnh {province}"
    elif level == "huyen":
        name = rng.choice(("Cổng thông tin điện tử huyện {d}", "Trang thông tin điện tử huyện {d}")).format(d=district)
        owner = f"Ủy ban nhân dân huyện {district}"
    else:
        name = f"Trang thông tin điện tử xã {commune}"
        owner = f"Ủy ban nhân dân xã {commune}"
    return level, name, owner


def draw_layout(seed: int) -> Layout:
    """The layout of `seed`: the same seed always gives the same layout (and the same pages)."""
    rng = random.Random(f"layout:{seed}")
    if rng.random() < 0.5:
        kind = vendor = rng.choice(vocab.FAMILIES)
    else:
        kind, vendor = "vendor", rng.choice(vocab.VENDORS)
    level, name, owner = _portal(rng)
    names = _names(rng, vendor)
    attrs = _attrs(rng, names, vendor)
    article_table = vendor == "tables" or (kind == "aspnet" and rng.random() < 0.6) or rng.random() < 0.1
    title_tag = "td" if article_table and rng.random() < 0.5 else rng.choice(vocab.TITLE_TAGS)
    if vendor == "webforms" and rng.random() < 0.6:
        title_tag = "span"
    before = tuple(b for b, p in (("breadcrumb", 0.5), ("section_heading", 0.45), ("teaser", 0.25)) if rng.random() < p)
    date_forms = list(forms.DATE_FORMS)
    date_form = rng.choice(date_forms)
    if kind == "drupal" and rng.random() < 0.5:
        date_form = forms.DRUPAL_FORM
    date_position = rng.choice(vocab.DATE_POSITIONS)
    meta_items = tuple(m for m, p in (("views", 1.0), ("print", 0.5), ("email", 0.4), ("cms", 0.35)) if rng.random() < p)
    meta_items = ["views", *meta_items] if "views" not in meta_items else list(meta_items)
    rng.shuffle(meta_items)
    toolbar = rng.sample(vocab.TOOLBAR_ITEMS, rng.randrange(2, 6))
    if not set(toolbar) & set(vocab.TOOLBAR_CATALOGUE):
        toolbar.append(rng.choice(vocab.TOOLBAR_CATALOGUE))
    sapo = rng.choice(vocab.SAPOS)
    if vendor == "postdate":
        sapo = "div"
    if vendor == "webforms" and sapo != "none":
        sapo = rng.choice(("div", "p_strong"))
    # URLs
    shapes = list(vocab.ARTICLE_SHAPES)
    if kind in vocab.FAMILY_SHAPES and rng.random() < 0.6:
        shapes = list(vocab.FAMILY_SHAPES[kind])
    article_shape = rng.choice(shapes)
    second = rng.choice(vocab.FAMILY_SHAPES.get(kind, vocab.ARTICLE_SHAPES)) if rng.random() < 0.3 else None
    if second == article_shape:
        second = None
    anchor = rng.choice(tuple(vocab.NEWS_ANCHORS))
    slug = vocab.NEWS_ANCHORS[anchor]
    section_form = rng.choice(("plain", "plain", "html", "aspx", "slash", "query", "query", "chuyen_muc"))
    section_path = {"plain": f"/{slug}", "html": f"/{slug}.html", "aspx": f"/{slug}.aspx", "slash": f"/{slug}/",
                    "query": rng.choice(("/danh-muc.aspx?cat={n}", "/index.php?cat={n}", "/?cat={n}", "/news?cat={n}",
                                         "/Default.aspx?tabid={n}")).format(n=rng.randrange(11, 99)),
                    "chuyen_muc": f"/chuyen-muc/{slug}"}[section_form]
    if kind == "liferay" and rng.random() < 0.5:
        section_path = f"/web/guest/{slug}"
    category_shape = "query" if "?" in section_path else rng.choice(("nested", "chuyen_muc", "query"))
    others = [(a, p) for a, p in vocab.OTHER_MENU.items() if a != anchor]
    rng.shuffle(others)
    suffix = {"html": ".html", "aspx": ".aspx"}.get(section_form, "")
    menu = tuple((a, f"/{p}{suffix}") for a, p in others[:rng.randrange(3, 6)])
    pagination = rng.choice(vocab.PAGINATIONS)
    if kind == "wordpress" and rng.random() < 0.6:
        pagination = "path_page"
    return Layout(
        seed=seed, kind=kind, vendor=vendor, level=level, name=name, owner=owner, attrs=attrs,
        wrappers=_wrappers(rng, vendor, kind), article_table=article_table,
        sidebar_first=rng.random() < 0.4, side_block=rng.choice(vocab.SIDE_BLOCKS),
        side_heading_tag=rng.choice(("h2", "h3", "div", "h4")),
        before_title=before, section_heading_tag=rng.choice(("h1", "h2", "h2", "h3", "div")),
        section_heading_text=rng.choice(("category", "news", rng.choice(vocab.BLOCK_HEADINGS))),
        title_tag=title_tag, head_title=rng.choice(("headline", "prefix", "suffix_dash", "suffix_pipe", "generic")),
        og_title=rng.random() < 0.4, jsonld=rng.choice(("none", "none", "none", "headline", "full")),
        meta_published=rng.random() < 0.15, time_element=rng.random() < 0.15,
        has_canonical=rng.random() < 0.5,
        date_form=date_form, date_pad=rng.random() < 0.85, date_sep="-" if rng.random() < 0.12 else "/",
        date_position=date_position, date_tag=rng.choice(("span", "div", "p", "em", "span")),
        meta_items=tuple(meta_items), view_label=rng.choice(vocab.VIEW_LABELS), cms_account=rng.choice(vocab.CMS_ACCOUNTS),
        sapo=sapo, sapo_inside=rng.random() < 0.4, body_tag="span" if vendor == "webforms" else rng.choice(("div", "div", "section", "article", "div")),
        p_style=rng.choice(("", ' style="text-align:justify"', ' style="text-align: justify;"', ' align="justify"', ' class="MsoNormal"')),
        caption=rng.choice(vocab.CAPTIONS), caption_alt=rng.choice(("", "number", "caption")),
        byline_single=(rng.choice(forms.SINGLE_FORMS), rng.choice(forms.SINGLE_FORMS)),
        byline_prefix=rng.choice(forms.PREFIXES), byline_emph=rng.choice(forms.EMPHASES),
        byline_align=rng.choice(forms.ALIGNS), byline_where="above" if rng.random() < 0.2 else "end",
        pair_unit=rng.random() < 0.4, attachments=rng.random() < 0.4,
        toolbar=tuple(toolbar), toolbar_position=rng.choice(("below_title", "above_body", "after_body")),
        related_heading=rng.choice(vocab.RELATED_HEADINGS), related_heading_tag=rng.choice(("h2", "h3", "div", "strong", "h4")),
        related_markup=rng.choice(("ul", "ul", "div", "table")), related_date=rng.choice(forms.RELATED_DATE_FORMS),
        related_in_sidebar=rng.random() < 0.25, related_pager=rng.random() < 0.4,
        skip_link=rng.choice(("Skip to main content", "Truy cập nội dung luôn", "")) if kind not in ("drupal", "liferay")
        else {"drupal": "Skip to main content", "liferay": "Truy cập nội dung luôn"}[kind],
        slogan=vocab.SLOGAN.format(where=rng.choice(("tỉnh", "huyện", "tỉnh Lạng Sơn", "huyện Bắc Hà")),
                                   n=rng.choice(("XVI", "XVII", "XX", "XXI"))),
        test_banner=rng.random() < 0.35, flags=rng.random() < 0.5, clock_form=rng.choice(("long", "short", "words")),
        counter_title=rng.choice(vocab.COUNTER_TITLES), footer_tag=rng.choice(("footer", "div", "div", "table")),
        doctype="xhtml" if vendor in ("webforms", "tables") or kind in ("aspnet", "sharepoint") else rng.choice(("html5", "html5", "xhtml")),
        listing=rng.choice(vocab.LISTINGS), listing_teaser=rng.random() < 0.5, page_size=rng.choice((6, 8, 10, 10, 12, 15, 20)),
        pagination=pagination, zero_based=kind == "drupal" and pagination == "query_page",
        next_label=rng.choice(vocab.NEXT_LABELS), article_shape=article_shape, second_shape=second,
        section_anchor=anchor, section_path=section_path, category_shape=category_shape, menu=menu,
        categories_in_menu=rng.random() < 0.6, sitemap=rng.random() < 0.3, feed=rng.random() < 0.3,
    )
