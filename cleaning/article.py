"""The Article: what `cleaning` produces from one page. Plain data, no behaviour beyond export."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol


class PortalHints(Protocol):
    """What extraction may know about the portal a page came from (the registry's Portal fits).

    `family` is a family name or "auto"/None (detect from the page); `date_order` is "dmy",
    "mdy" or None (use the family's default). An object may also carry `template_segments`,
    the keys of the portal's learned template lines (cleaning/templates.py), to remove them.
    """

    family: str | None
    date_order: str | None


class ExtractionError(ValueError):
    """The page could not be turned into an article; `reason` is a short machine-readable kind."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


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
    url: str
    title: str
    text: str
    content_hash: str
    published: datetime | None = None
    date_source: str | None = None
    updated: datetime | None = None
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: datetimes as ISO 8601 with offset."""
        data = asdict(self)
        for key in ("published", "updated"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data
