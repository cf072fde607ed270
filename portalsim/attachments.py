"""The family replica's attachments: a few articles per portal link PDF and DOCX files ("File đính
kèm: … Tải về"), deterministic, with the cases a crawler must get right:

- files on the portal's own host, and on the asset host (127.0.10.14) the vnportal replica
  declares (`asset_hosts`);
- the same file linked by two articles under one URL (vnportal), and the same bytes served
  under two URLs on two portals (drupal and wordpress: one stored file, two links);
- a file of BIG_SIZE bytes (aspnet), over the cap a test sets (GOVCRAWL_ATTACHMENT_MAX_BYTES);
- text in the TCVN3 legacy font encoding (a sharepoint PDF, a liferay DOCX), whose text layer
  reads as mojibake ("QuyÕt ®Þnh") until repaired;
- a link to the asset host from a portal that does not declare it (drupal): off the portal,
  never to be requested (the asset host counts requests: ReplicaServer.requests).

Which articles: the copies numbered 1 and 3 (publication order) of each family portal. Articles
keep their text: the block follows the byline and is no part of the body.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from portalsim.documents import docx_bytes, pdf_bytes

if TYPE_CHECKING:
    from portalsim.replica import Replica

BIG_SIZE = 1_500_000  # bytes of the big PDF (tests cap attachments at 1 MB)
ASSET_TENANT = "ytb"  # vnportal's tenant folder on the asset host
ATTACHED_K = (1, 3)


def _tcvn3(text: str) -> str:
    """Unicode -> the windows-1252 reading of its TCVN3 bytes (what a legacy file's text layer gives)."""
    from cleaning.legacy import TCVN3_TO_UNICODE

    inverse = {letter: code for code, letter in TCVN3_TO_UNICODE.items()}
    return "".join(inverse.get(ch, ch) for ch in text)


@dataclass(frozen=True)
class ReplicaAttachment:
    """One attachment URL of the replica and the articles (copy canonical URLs) linking it."""

    url: str                      # absolute, with the replica's host and port
    name: str                     # the link text
    kind: str                     # "pdf" | "docx"
    lines: tuple[str, ...]        # the text it carries (Unicode, as a reader sees it)
    legacy: bool = False          # written in TCVN3 (its text layer is mojibake)
    big: bool = False             # BIG_SIZE bytes
    offsite: bool = False         # off the linking portal's hosts and asset hosts
    linked_from: tuple[str, ...] = ()  # canonical URLs of the copies linking it
    same_as: str | None = None    # another URL serving the very same bytes

    @cached_property
    def data(self) -> bytes:
        lines = [_tcvn3(line) for line in self.lines] if self.legacy else list(self.lines)
        if self.kind == "docx":
            return docx_bytes(lines, font=".VnTime" if self.legacy else None)
        pdf = pdf_bytes(lines, legacy=self.legacy)
        return pdf_bytes(lines, legacy=self.legacy, padding=BIG_SIZE - len(pdf) - 40) if self.big else pdf

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def media_type(self) -> str:
        return ("application/pdf" if self.kind == "pdf" else
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


_SHARED_LINES = ("Hướng dẫn công tác thi đua, khen thưởng năm 2026",
                 "Các cơ quan, đơn vị đăng ký danh hiệu thi đua trước ngày 15 tháng 3.")


def build(replica: Replica) -> dict[str, list[ReplicaAttachment]]:
    """{copy canonical URL: its attachments}, for the family replica (none for layout portals)."""
    if replica.layouts:
        return {}
    asset = f"http://{replica.asset_host}"
    out: dict[str, list[ReplicaAttachment]] = {}
    shared_urls = {"drupal": "/sites/default/files/huong-dan-thi-dua-2026.pdf",
                   "wordpress": "/wp-content/uploads/2026/11/huong-dan-thi-dua-2026.pdf"}
    for site in replica.sites:
        family, base = site.portal.family, site.base
        copies = [c for c in site.copies if c.k in ATTACHED_K]
        if len(copies) < 2:
            continue
        first, second = (site.canonical(c) for c in copies)
        unit = site.portal.name

        def doc(path: str, kind: str, lines: tuple[str, ...], linked: tuple[str, ...], host: str = base,
                **flags: object) -> ReplicaAttachment:
            return ReplicaAttachment(f"{host}{path}", path.rsplit("/", 1)[-1], kind, lines, linked_from=linked,
                                     **flags)  # type: ignore[arg-type]

        own_pdf = doc(f"/uploads/van-ban/{family}-ke-hoach-2026.pdf", "pdf",
                      (f"Kế hoạch thi đua năm 2026 của {unit}",
                       f"Mã văn bản {family.upper()}-KH-2026: triển khai phong trào thi đua yêu nước."), (first,))
        own_docx = doc(f"/uploads/van-ban/{family}-bao-cao-so-ket.docx", "docx",
                       (f"Báo cáo sơ kết công tác quý III của {unit}",
                        f"Mã văn bản {family.upper()}-BC-Q3: kết quả thực hiện nhiệm vụ chuyển đổi số."), (second,))
        if family in shared_urls:
            other = "wordpress" if family == "drupal" else "drupal"
            other_site = next(s for s in replica.sites if s.portal.family == other)
            shared = doc(shared_urls[family], "pdf", _SHARED_LINES, (first,),
                         same_as=other_site.base + shared_urls[other])
            files = [(first, [own_pdf, shared]), (second, [own_docx])]
            if family == "drupal":  # the asset host is vnportal's: off this portal
                files[1][1].append(doc(f"/{ASSET_TENANT}/van-ban/tai-lieu-ngoai.pdf", "pdf",
                                       ("Tài liệu ngoài phạm vi",), (second,), host=asset, offsite=True))
        elif family == "vnportal":  # one asset-host file linked by both articles, and a DOCX there
            form = doc(f"/{ASSET_TENANT}/van-ban/bieu-mau-dang-ky.pdf", "pdf",
                       ("Biểu mẫu đăng ký thi đua", "Mẫu số 01 dùng cho các tập thể và cá nhân."),
                       (first, second), host=asset)
            asset_docx = doc(f"/{ASSET_TENANT}/van-ban/quy-che-khen-thuong.docx", "docx",
                             ("Quy chế khen thưởng của Sở Khoa học và Công nghệ",
                              "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng."), (second,), host=asset)
            files = [(first, [form]), (second, [form, asset_docx])]
        elif family == "sharepoint":  # a TCVN3 PDF
            legacy = doc("/Documents/quyet-dinh-khen-thuong-tcvn3.pdf", "pdf",
                         ("quyết định về việc khen thưởng cho các tập thể có thành tích xuất sắc",
                          "trong phong trào thi đua yêu nước của tỉnh năm 2026"), (first,), legacy=True)
            files = [(first, [legacy]), (second, [own_docx])]
        elif family == "liferay":  # a TCVN3 DOCX
            legacy = doc("/documents/tcvn3-thong-bao-lich-tiep-dan.docx", "docx",
                         ("thông báo lịch tiếp công dân định kỳ của lãnh đạo tỉnh",
                          "tại trụ sở tiếp công dân vào ngày thứ năm hằng tuần"), (second,), legacy=True)
            files = [(first, [own_pdf]), (second, [legacy])]
        else:  # aspnet: a big PDF
            big = doc("/Uploads/Files/du-toan-ngan-sach-2026.pdf", "pdf",
                      ("Dự toán ngân sách huyện năm 2026 (bản đầy đủ)",), (second,), big=True)
            files = [(first, [own_pdf]), (second, [big])]
        for url, attached in files:
            out.setdefault(url, []).extend(attached)
    return out


def by_url(replica: Replica) -> dict[str, ReplicaAttachment]:
    """{attachment URL: the attachment, every article linking it}."""
    merged: dict[str, ReplicaAttachment] = {}
    for attached in replica.attachments_by_copy.values():
        for a in attached:
            if a.url in merged:
                a = dataclasses.replace(a, linked_from=tuple(dict.fromkeys(merged[a.url].linked_from + a.linked_from)))
            merged[a.url] = a
    return merged


def block_html(attached: list[ReplicaAttachment], esc) -> str:
    """The "File đính kèm" block an article page shows after its byline."""
    rows = "".join(f'<div>File đính kèm: <a href="{esc(a.url)}">{esc(a.name)}</a> <a href="{esc(a.url)}">Tải về</a></div>'
                   for a in attached)
    return f'<div class="file-dinh-kem">{rows}</div>'
