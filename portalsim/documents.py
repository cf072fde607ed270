"""Small, deterministic PDF and DOCX files for the replica's attachments (and the tests).

`pdf_bytes(lines)` writes a one-page PDF whose text is drawn in a Type0 font (Identity-H, two
bytes per character) with a ToUnicode CMap, so a text extractor reads the Unicode back.
`pdf_bytes(lines, legacy=True)` writes the lines the way old TCVN3 documents are: one byte per
letter in a simple WinAnsi font (.VnTime), which an extractor reads as windows-1252 mojibake
("QuyÕt ®Þnh"). `docx_bytes(paragraphs)` writes the minimal WordprocessingML package (zipfile,
fixed timestamps). Same input, same bytes.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

def _to_unicode(text: str) -> bytes:
    """A ToUnicode CMap for the characters of `text` (each drawn as its own UTF-16 code unit),
    as small as real ones: a map of the whole plane costs an extractor a quarter second per file."""
    units = sorted({text.encode("utf-16-be")[i:i + 2] for i in range(0, len(text.encode("utf-16-be")), 2)})
    blocks = []
    for start in range(0, len(units), 100):  # at most 100 entries per bfchar block
        chunk = units[start:start + 100]
        blocks.append(b"%d beginbfchar\n" % len(chunk)
                      + b"".join(b"<%s> <%s>\n" % (u.hex().encode(), u.hex().encode()) for u in chunk) + b"endbfchar\n")
    return (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + b"".join(blocks)
            + b"endcmap CMapName currentdict /CMap defineresource pop end end\n")


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_bytes(lines: list[str], *, legacy: bool = False, padding: int = 0) -> bytes:
    """A one-page PDF showing `lines`; `padding` bytes of an unused stream make it that much bigger."""
    ops = [b"BT", b"/F1 11 Tf", b"14 TL", b"50 780 Td"]
    for line in lines:
        if legacy:  # TCVN3 mojibake as typed: its windows-1252 bytes, one per letter
            shown = b"(" + line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
        else:
            shown = b"<" + line.encode("utf-16-be").hex().encode() + b">"
        ops.append(shown + b" Tj T*")
    ops.append(b"ET")
    content = b"\n".join(ops)
    if legacy:
        font = b"<< /Type /Font /Subtype /Type1 /BaseFont /VnTime /Encoding /WinAnsiEncoding >>"
        fonts = [font]
    else:
        font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /TimesNewRoman /Encoding /Identity-H "
                b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>")
        fonts = [font,
                 b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TimesNewRoman "
                 b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>",
                 _stream(_to_unicode("".join(lines)))]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        _stream(content),
        *fonts,
    ]
    if padding:
        objects.append(_stream(bytes(i * 7 % 251 for i in range(padding))))
    return _pdf(objects)


_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  '<Default Extension="xml" ContentType="application/xml"/>'
                  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                  'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')


def docx_bytes(paragraphs: list[str], *, font: str | None = None) -> bytes:
    """A DOCX of `paragraphs` (`font`: the run font, e.g. ".VnTime" for TCVN3 text)."""
    props = f'<w:rPr><w:rFonts w:ascii="{escape(font)}" w:hAnsi="{escape(font)}"/></w:rPr>' if font else ""
    body = "".join(f'<w:p><w:r>{props}<w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:body>{body}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return out.getvalue()
