"""Public data types: portals and ground truth."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CONTRACT_PORT = 8470
PORT_VARIABLE = "GOVCRAWL_REPLICA_PORT"


def replica_port() -> int:
    """The port every replica address listens on: 8470, or `GOVCRAWL_REPLICA_PORT` — so two test
    runs, demos or servers on one machine need not share addresses (the test suite picks a free
    port for itself, tests/conftest.py). Read by portalsim and by the bundled replica registry."""
    raw = os.environ.get(PORT_VARIABLE, "").strip()
    if not raw:
        return CONTRACT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{PORT_VARIABLE}={raw!r}: a port number 1-65535 is expected")
    return int(raw)


@dataclass(frozen=True, slots=True)
class SimPortal:
    key: str
    family: str
    level: str
    host: str          # "127.0.10.1:8470" (the port: replica_port())
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
    modified: datetime | None = None  # the next day's edit: `text` is the edited body
    # "minute": the page shows the publication time; "day": it shows only the day (a layout
    # portal's day-only date form), `published` is then that day at 00:00 and is scored to the day
    published_precision: str = "minute"
    attachments: list[str] = field(default_factory=list)  # URLs of the files it links (portalsim/attachments.py)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "portal_key": self.portal_key, "urls": list(self.urls),
            "canonical_url": self.canonical_url, "title": self.title, "text": self.text,
            "published": self.published.isoformat(), "authors": list(self.authors),
            "unit": self.unit, "captions": list(self.captions), "summary": self.summary,
            "source_tag": self.source_tag, "attribution": self.attribution, "family": self.family,
        }
        if self.modified is not None:  # only edited copies: unedited truth stays what it was
            out["modified"] = self.modified.isoformat()
        if self.published_precision != "minute":  # only day-only layout pages
            out["published_precision"] = self.published_precision
        if self.attachments:  # only copies linking files
            out["attachments"] = list(self.attachments)
        return out


@dataclass(frozen=True, slots=True)
class TruthArticle:
    story_id: str
    copies: list[TruthCopy]

    def to_dict(self) -> dict[str, Any]:
        return {"story_id": self.story_id, "copies": [c.to_dict() for c in self.copies]}


@dataclass(frozen=True, slots=True)
class Changes:
    """What a replica's next day brought, against the base replica of the same seed and size."""
    new: list[TruthArticle]     # stories first published after the base clock: every copy is new
    edited: list[TruthArticle]  # older stories with a copy edited since (its TruthCopy.modified set)

    @property
    def new_urls(self) -> list[str]:
        return [u for a in self.new for c in a.copies for u in c.urls]

    @property
    def edited_urls(self) -> list[str]:
        return [u for a in self.edited for c in a.copies if c.modified is not None for u in c.urls]

    def to_dict(self) -> dict[str, Any]:
        return {"new": [a.story_id for a in self.new], "edited": [a.story_id for a in self.edited]}
