"""Text forms a layout shows: publication dates (every Vietnamese form of vn-portals.md and the
issue's) and bylines. Pure functions of the form name and the values.

`date_text(form, published, updated, pad, sep)` returns the text and whether it shows the time
(a day-only form's truth is the day).
"""
from __future__ import annotations

from datetime import datetime

from portalsim.text import WEEKDAY_LONG, WEEKDAY_SHORT

WEEKDAY_LOWER = tuple(w if w == "Chủ nhật" else "Thứ " + w.split()[1].lower() for w in WEEKDAY_LONG)


def _dmy(d: datetime, pad: bool, sep: str) -> str:
    day, month = (f"{d.day:02d}", f"{d.month:02d}") if pad else (str(d.day), str(d.month))
    return f"{day}{sep}{month}{sep}{d.year}"


def _hm(d: datetime) -> str:
    return f"{d.hour:02d}:{d.minute:02d}"


def _h12(d: datetime, am: str, pm: str) -> str:
    hour = d.hour % 12 or 12
    return f"{hour:02d}:{d.minute:02d} {pm if d.hour >= 12 else am}"


# form -> (template, shows the time); {dmy} {hm} {wd} {wdl} {wds} {ampm} {sach} {words} {udmy} {uhm}
DATE_FORMS: dict[str, tuple[str, bool]] = {
    "dmy_hm": ("{dmy} {hm}", True),
    "dmy_dash_hm": ("{dmy} - {hm}", True),
    "hm_comma_dmy": ("{hm}, {dmy}", True),
    "hm_dmy": ("{hm} {dmy}", True),
    "hm_bar_dmy": ("{hm} | {dmy}", True),
    "paren_dmy_hm": ("({dmy}, {hm})", True),
    "weekday_dmy_hm": ("{wd}, {dmy} {hm}", True),
    "paren_weekday": ("({wdl}, {dmy} {hm})", True),
    "weekday_gmt": ("{wdl}, {dmy}, {hm} (GMT+7)", True),
    "short_weekday": ("{wds}, {dmy} {hm}", True),
    "weekday_ngay": ("{wd}, ngày {dmy} - {hm}", True),
    "ngay_dang_bar": ("Ngày đăng {dmy} | {hm}", True),
    "ngay_dang_12h": ("Ngày đăng {dmy} | {ampm}", True),
    "ngay_dang_sach": ("Ngày đăng: {dmy} {sach}", True),
    "dmy_sach": ("{dmy} {sach}", True),
    "dang_luc": ("Đăng lúc: {hm} {dmy}", True),
    "dang_luc_ngay": ("Đăng lúc {hm} ngày {dmy}", True),
    "cap_nhat_luc": ("Cập nhật lúc: {hm} {dmy}", True),
    "cap_nhat": ("Cập nhật: {dmy} {hm}", True),
    "ngay_cap_nhat": ("Ngày cập nhật: {dmy} {hm}", True),
    "thoi_gian_dang": ("Thời gian đăng: {dmy} {hm}", True),
    "both_pub_first": ("Ngày đăng: {dmy} {hm} | Cập nhật: {udmy} {uhm}", True),
    "both_upd_first": ("Cập nhật lúc: {uhm} {udmy} - Đăng lúc: {hm} {dmy}", True),
    "both_ngay": ("Ngày cập nhật: {udmy} | Ngày đăng: {dmy} {hm}", True),
    # day only: the truth is the day
    "dang_ngay": ("Đăng ngày {dmy}", False),
    "cap_nhat_paren_day": ("( Cập nhật lúc: {dmy} )", False),
    "ngay_cap_nhat_day": ("Ngày cập nhật: {dmy}", False),
    "words": ("{words}", False),
    "ngay_words": ("Ngày đăng: {words}", False),
    "dmy": ("{dmy}", False),
    "ngay_dmy": ("Ngày {dmy}", False),
    "paren_dmy": ("({dmy})", False),
    "weekday_day": ("{wd}, {dmy}", False),
}
DRUPAL_FORM = "drupal_medium"  # "T4, 08/02/2023 - 16:19" month first: Drupal's default, only on Drupal variants


def date_text(form: str, d: datetime, updated: datetime, pad: bool = True, sep: str = "/") -> tuple[str, bool]:
    if form == DRUPAL_FORM:
        return f"{WEEKDAY_SHORT[d.weekday()]}, {d.month:02d}/{d.day:02d}/{d.year} - {_hm(d)}", True
    template, has_time = DATE_FORMS[form]
    text = template.format(
        dmy=_dmy(d, pad, sep), hm=_hm(d), wd=WEEKDAY_LONG[d.weekday()], wdl=WEEKDAY_LOWER[d.weekday()],
        wds=WEEKDAY_SHORT[d.weekday()], ampm=_h12(d, "AM", "PM"), sach=_h12(d, "SA", "CH"),
        words=f"ngày {d.day} tháng {d.month} năm {d.year}", udmy=_dmy(updated, pad, sep), uhm=_hm(updated))
    return text, has_time


def short_date(form: str, d: datetime) -> str:
    """Dates of related and listing items (other articles' dates: traps for the published date)."""
    dmy = f"{d.day:02d}/{d.month:02d}/{d.year}"
    return {"paren": f"({dmy})", "plain": dmy, "time": f"{dmy} {_hm(d)}", "bracket": f"[{dmy}]",
            "time_first": f"({_hm(d)} {dmy})", "dash": f"- {dmy}"}[form]


RELATED_DATE_FORMS = ("paren", "plain", "time", "bracket", "time_first", "dash")

# --- bylines ---------------------------------------------------------------------------
# how one author with a unit is written
SINGLE_FORMS = ("lines", "comma", "paren", "bracket", "dash")
PREFIXES = ("", "", "", "Tin, ảnh: ", "Bài, ảnh: ", "Tin: ", "Tin và ảnh: ", "Bài và ảnh: ")
EMPHASES = ("strong", "strong", "em", "plain", "upper", "strong_upper", "b")
ALIGNS = ("right", "right", "left", "p_align_right", "div_right")


def byline_lines(authors: tuple[str, ...], unit: str | None, single: str, prefix: str) -> list[str]:
    """The byline's lines of text (before emphasis): co-authors joined by " - "."""
    names = prefix + " - ".join(authors)
    if single == "dash" and len(authors) > 1:  # "A - B - Unit" would read as three names
        single = "bracket"
    if not unit:
        return [names]
    if single == "lines":
        return [names, unit]
    if single == "comma":
        return [f"{names}, {unit}"]
    if single == "paren":
        return [f"{names} ({unit})"]
    if single == "bracket":
        return [f"{names} [{unit}]"]
    return [f"{names} - {unit}"]
