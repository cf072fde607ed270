"""Content fingerprints: a hash of the body text that survives Unicode form and tone placement."""
from __future__ import annotations

import hashlib

from .normalize import collapse_ws, tone_key

__all__ = ["content_hash"]


def content_hash(text: str) -> str:
    """SHA-256 hex of the tone key of `text` with whitespace collapsed.

    NFD/NFC input and old/new tone placement give the same value; lead tags, bylines and
    captions must already be out of `text` (the extractor does that).
    """
    return hashlib.sha256(collapse_ws(tone_key(text)).encode("utf-8")).hexdigest()
