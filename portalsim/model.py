"""Public data types: portals and ground truth."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SimPortal:
    key: str
    family: str
    level: str
    host: str          # "127.0.10.1:8470"
    alias_host: str    # the "www" twin: same site, same pages
    name: str

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"


@dataclass(frozen=True, slots=True)
class TruthCopy:
    portal_key: str
    urls: list[str]
    canonical_url: str
    title: str
    text: str
    published: datetime
    authors: list[str] = field(default_factory=list)
    unit: str | None = None
    captions: list[str] = field(default_factory=list)
    summary: str | None = None
    source_tag: str | None = None
    attribution: str | None = None
    family: str = "generic"

    def to_dict(self) -> dict[str, Any]:
        return {
            "portal_key": self.portal_key, "urls": list(self.urls),
            "canonical_url": self.canonical_url, "title": self.title, "text": self.text,
            "published": self.published.isoformat(), "authors": list(self.authors),
            "unit": self.unit, "captions": list(self.captions), "summary": self.summary,
            "source_tag": self.source_tag, "attribution": self.attribution, "family": self.family,
        }


@dataclass(frozen=True, slots=True)
class TruthArticle:
    story_id: str
    copies: list[TruthCopy]

    def to_dict(self) -> dict[str, Any]:
        return {"story_id": self.story_id, "copies": [c.to_dict() for c in self.copies]}
