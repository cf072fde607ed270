"""The boilerplate catalogue of ../shared/docs/vn-portals.md section 3, as strings to look for.

Kept apart from `cleaning.boilerplate` on purpose: the extractor's rules must not grade
themselves. A leak is a catalogue string that is on the page, reaches the extracted text, and
is not part of the true body (a report may legitimately say "Hôm nay" or "Tất cả").
"""
from __future__ import annotations

import unicodedata

CATALOGUE: tuple[str, ...] = (
    # top of the page
    "Skip to main content", "Truy cập nội dung luôn", "Website đang chạy thử nghiệm",
    "Quyết tâm thực hiện thắng lợi Nghị quyết",
    # article toolbars
    "Chế độ ban đêm", "In trang", "Xuất PDF", "Đọc nội dung", "-A A +A", "PrintAaa", "Nghe đọc bài",
    # metadata lines
    "Lượt xem", "Lượt truy cập", "Lượt đọc", "Create:", "Author: admin", "Submitted by", "Ngày đăng",
    # after the body
    "Tin khác", "Tin liên quan", "Các tin đã đưa", "Tin cùng chuyên mục",
    # sidebars
    "Thống kê truy cập", "Đang online", "Hôm nay", "Trong tuần", "Tất cả", "Số lượt truy cập",
    "NGƯỜI ONLINE", "Đăng nhập", "Dịch vụ công",
    # footer
    "CƠ QUAN CHỦ QUẢN", "Cơ quan chủ quản", "Giấy phép", "Chịu trách nhiệm chính", "Bản quyền thuộc",
    "Ghi rõ nguồn",
)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def present(page_text: str) -> list[str]:
    """Catalogue strings in a page's visible text."""
    folded = _fold(page_text)
    return [s for s in CATALOGUE if s in folded]


def leaks(page_text: str, extracted: str, truth: str) -> tuple[int, int]:
    """(leaked, present): catalogue strings on the page that reach `extracted` but are not in
    `truth`, out of those on the page and not in `truth`."""
    extracted, truth = _fold(extracted), _fold(truth)
    candidates = [s for s in present(page_text) if s not in truth]
    return sum(s in extracted for s in candidates), len(candidates)
