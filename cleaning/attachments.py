"""The text layer of an attachment (an article's PDF or DOCX): bytes and media type in, text out.

Pure (no Scrapy, no database), and cheap by construction: at most MAX_PAGES pages of a PDF, at
most MAX_CHARS characters, at most `seconds` of work per file (checked between pages and
paragraphs); a file that cannot be read gives no text and the reason, never an exception. The
text is NFC and, where it is the windows-1252 reading of a legacy font encoding (TCVN3, VNI:
old documents typed in .VnTime or VNI-Times), converted as pages are (cleaning/legacy.py);
`fix_legacy` converts only what it detects, so other text is left as it is.

`search_key` folds a text for search: lower case, diacritics and the five tone marks gone,
đ -> d, whitespace collapsed ("Quyết định" and "quyet dinh" both become "quyet dinh").
"""
from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass

from .legacy import fix_legacy

__all__ = ["AttachmentText", "MAX_CHARS", "MAX_PAGES", "media_kind", "search_key", "text_layer"]

MAX_PAGES = 50
MAX_CHARS = 200_000
MAX_SECONDS = 10.0
# the DOCX main part inflated past this is not read (a zip bomb, or a book: not cheap)
MAX_DOCX_XML_BYTES = 50 * 1024 * 1024

_DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True, slots=True)
class AttachmentText:
    """What was read: `kind` ("pdf", "docx" or None: a kind with no text layer read), the text
    (None when there is none), and why not (`error`), or that it was cut (`truncated`)."""

    kind: str | None
    text: str | None = None
    error: str | None = None
    truncated: bool = False
    legacy: bool = False  # converted from a legacy font encoding


def media_kind(data: bytes, media_type: str | None = None, url: str | None = None) -> str | None:
    """"pdf", "docx", "doc", "xls", "xlsx", "odt", "zip" or None: by the bytes first (a server's
    Content-Type is often application/octet-stream), then the media type, then the URL's suffix."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            names = set()
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "odt"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, .xls of old Office
        suffix = (url or "").lower().rsplit("?", 1)[0]
        return "xls" if suffix.endswith(".xls") else "doc"
    mtype = (media_type or "").split(";")[0].strip().lower()
    if mtype == "application/pdf":
        return "pdf"
    if mtype in _DOCX_TYPES:
        return "docx"
    return None


def text_layer(data: bytes, media_type: str | None = None, *, url: str | None = None,
               max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS,
               seconds: float = MAX_SECONDS) -> AttachmentText:
    """The text of a PDF or DOCX (other kinds: none, no error). Never raises on bad input."""
    kind = media_kind(data, media_type, url)
    if kind not in ("pdf", "docx"):
        return AttachmentText(kind)
    if not data:
        return AttachmentText(kind, error="empty file")
    deadline = time.monotonic() + seconds
    try:
        parts, truncated = (_pdf(data, max_pages, max_chars, deadline) if kind == "pdf"
                            else _docx(data, max_chars, deadline))
    except Exception as exc:  # a corrupt or hostile file: pypdf and python-docx raise many kinds
        return AttachmentText(kind, error=f"unreadable {kind}: {type(exc).__name__}: {exc}"[:300])
    text = _tidy("\n".join(parts))
    if len(text) > max_chars:
        text, truncated = text[:max_chars], True
    if not text:
        return AttachmentText(kind, error="no text layer (a scan?)", truncated=truncated)
    fixed = unicodedata.normalize("NFC", fix_legacy(text))
    return AttachmentText(kind, fixed, truncated=truncated, legacy=fixed != text)


def _tidy(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return _LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def _pdf(data: bytes, max_pages: int, max_chars: int, deadline: float) -> tuple[list[str], bool]:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken xref is said once, in `error`
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # most "encrypted" portal PDFs only forbid printing: empty user password
    parts, chars, truncated = [], 0, False
    for number, page in enumerate(reader.pages):
        if number >= max_pages or chars >= max_chars or time.monotonic() > deadline:
            truncated = True
            break
        text = page.extract_text() or ""
        parts.append(text)
        chars += len(text)
    return parts, truncated


def _docx(data: bytes, max_chars: int, deadline: float) -> tuple[list[str], bool]:
    from docx import Document

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if archive.getinfo("word/document.xml").file_size > MAX_DOCX_XML_BYTES:
            raise ValueError(f"word/document.xml inflates past {MAX_DOCX_XML_BYTES} bytes")
    document = Document(io.BytesIO(data))
    parts, chars = [], 0
    for paragraph in document.paragraphs:
        if chars >= max_chars or time.monotonic() > deadline:
            return parts, True
        parts.append(paragraph.text)
        chars += len(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            if chars >= max_chars or time.monotonic() > deadline:
                return parts, True
            cells = " | ".join(dict.fromkeys(cell.text for cell in row.cells))
            parts.append(cells)
            chars += len(cells)
    return parts, False


def search_key(text: str) -> str:
    """Lower case, no diacritics (đ -> d), whitespace collapsed: what search compares."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())
