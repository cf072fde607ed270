"""References to WARC records (crawler/warc.py writes the records; storage keeps where they are).

A page state (`page_states`) and an article URL (`article_urls`) carry the reference of the WARC
record that holds the bytes they were read from: the file's name (in the WARC directory), the
offset and length of its gzip member, the record's WARC-Payload-Digest (`sha1:<base32>`) and the
payload's SHA-256. Storage knows nothing of WARC files: a reference is five values in, five out.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage.models import PageState


class WarcRef(NamedTuple):
    """Where one WARC record is: a tuple, so it crosses to page workers and into the undelivered
    file (as a JSON list) as it is; any 5-sequence in this order is accepted where one is taken."""

    file: str     # file name in the WARC directory (no directory part)
    offset: int   # of the record's gzip member in the file
    length: int   # of that gzip member (compressed bytes)
    digest: str   # WARC-Payload-Digest: "sha1:" + base32
    sha256: str   # hex SHA-256 of the same payload bytes


WARC_COLUMNS = ("warc_file", "warc_offset", "warc_length", "warc_digest", "warc_sha256")


def warc_columns(ref: Sequence[Any] | None) -> dict[str, Any]:
    """The `warc_*` column values of a reference ({} for none: the stored ones stay)."""
    return {} if ref is None else dict(zip(WARC_COLUMNS, ref, strict=True))


def ref_of(row: Any) -> WarcRef | None:
    """The reference a row (page state, article URL, or a result row with the warc_* columns)
    holds, or None."""
    values = tuple(getattr(row, column) for column in WARC_COLUMNS)
    return None if values[0] is None else WarcRef(*values)


_CAPTURES = select(PageState.url, *(getattr(PageState, column) for column in WARC_COLUMNS)).where(
    PageState.url.in_(bindparam("urls", expanding=True)), PageState.warc_file.is_not(None))


def last_captures(session: Session, urls: Sequence[str]) -> dict[str, WarcRef]:
    """The last stored capture of each of `urls` that has one (what a revisit record refers to)."""
    if not urls:
        return {}
    return {row.url: WarcRef(*row[1:]) for row in session.connection().execute(_CAPTURES, {"urls": list(urls)})}
