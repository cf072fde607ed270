"""The Article: what `cleaning` produces from one page. Plain data, no behaviour beyond export."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol


class PortalHints(Protocol):
    """What extraction may know about the portal a page came from (the registry's Portal fits).

    `family` is a family name or "auto"/None (detect from the page); `date_order` is "dmy",
    "mdy" or None (use the family's default). An object may also carry `template_segments`,
    the keys of the portal's learned template lines (cleaning/templates.py), to remove them,
    and `layout`, the portal's learned layout (cleaning/layout_learning.LearnedLayout): the
    element paths its title, body and date came from and its <title> prefix/suffix, tried first.
    """

    family: str | None
    date_order: str | None


class ExtractionError(ValueError):
    """The page could not be turned into an article; `reason` is a short machine-readable kind."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# Bumped whenever the extractor's output for a page may change (a rule added, a bound moved):
# every stored article records the version it was extracted with, and `govcrawl reextract`
# re-reads the archive's captures with the current one.
EXTRACTOR_VERSION = "1.1"

@dataclass(frozen=True, slots=True)
class Image:
    src: str
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    title: str


@dataclass(slots=True)
class Article:
    """One extracted article.

    Dates (`published`, `updated`) are aware datetimes in the page's own offset, and
    `published_offset` / `updated_offset` are that offset in minutes east of UTC:
    - the page stated one ("23:32+03:00", "Z"): kept as written (180, 0);
    - a Vietnamese page wrote none: Vietnam time (Asia/Ho_Chi_Minh), 420;
    - another page wrote none: its wall clock is kept, labelled UTC, and the offset is None:
      unknown, so the instant is not known and `to_dict` writes the wall clock without offset.
    `offsets_recorded` is True on every Article extraction makes: a None offset then means
    "unknown". An Article built without it (False) has its dates read as before: a naive one is
    Vietnam time, and storage exports them in +07:00.
    No date found: None (never a guess); `date_source` says which source gave `published`.
    """

    url: str
    title: str
    text: str
    content_hash: str
    published: datetime | None = None
    date_source: str | None = None
    published_offset: int | None = None
    updated: datetime | None = None
    updated_offset: int | None = None
    offsets_recorded: bool = False
    authors: list[str] = field(default_factory=list)
    unit: str | None = None
    captions: list[str] = field(default_factory=list)
    summary: str | None = None
    source_tag: str | None = None
    attribution: str | None = None
    cms_user: str | None = None
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    view_count: int | None = None
    language: str | None = None
    canonical_url: str | None = None
    family: str = "generic"
    # lines removed as the portal's learned template (hint `template_segments`): provenance of
    # what was stripped, and what keeps the learner counting a line it no longer lets through
    template_lines: list[str] = field(default_factory=list)
    # where the fields came from, for the portal's layout learner (cleaning/layout_learning.py):
    # "title", "body", "date" -> the element path (cleaning/paths.py, `body/div.main/h1`) of the
    # headline, the body container and the element that wrote the date, each only when found and
    # naming that element alone on the page; "title_prefix", "title_suffix" -> the <title>'s text
    # around the headline when the headline was found on the page and <title> holds it
    layout_paths: dict[str, str] = field(default_factory=dict)
    extractor_version: str = EXTRACTOR_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: datetimes as ISO 8601 in the page's offset (a wall clock whose offset
        is unknown without one)."""
        data = asdict(self)
        for key in ("published", "updated"):
            value = getattr(self, key)
            if self.offsets_recorded:
                data[key] = iso_in_offset(value, getattr(self, f"{key}_offset"))
            else:
                data[key] = value.isoformat() if value else None
        return data


def iso_in_offset(value: datetime | None, offset: int | None) -> str | None:
    """ISO 8601 of a date in `offset` (minutes east of UTC), or its naive wall clock when the
    offset is unknown (None)."""
    if value is None:
        return None
    if offset is None:
        return value.replace(tzinfo=None).isoformat()
    return value.astimezone(timezone(timedelta(minutes=offset))).isoformat()
