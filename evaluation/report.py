"""The bars of issue 3 and the text tables `govcrawl eval` prints."""
from __future__ import annotations

from typing import IO

# (field, minimum) for govcrawl on every replica family; leak and wrong dates must be 0.
REPLICA_BARS = (("body_f1", 0.98), ("title", 0.98), ("published", 0.98), ("authors", 0.95),
                ("captions", 0.95))
REPLICA_ZERO = ("leak", "clock_dates", "other_wrong_dates")
# issue 14's bars for layouts never seen while developing, on the row of all layouts together
LAYOUT_BARS = (("body_f1", 0.98), ("title", 0.98), ("published", 0.98), ("authors", 0.95))
LAYOUT_ZERO = ("leak",)
LAYOUT_ROW = "all layouts"
REPLICA_COLUMNS = ("pages", "refused", "body_f1", "leak", "title", "published", "clock_dates",
                   "other_wrong_dates", "authors", "unit", "captions", "summary", "source_tag",
                   "attribution", "ms_per_page")
HEADERS = {"clock_dates": "clock", "other_wrong_dates": "event", "source_tag": "lead_tag",
           "attribution": "attrib", "ms_per_page": "ms/page"}


def failed_bars(results: dict) -> list[str]:
    """Every bar of issue 3 the results miss, as readable lines (empty: all met). A section that
    was asked for and could not run (its data absent) misses its bars: nothing was checked."""
    misses = [f"{section}: not evaluated ({reason})" for section, reason in results.get("skipped", {}).items()]
    replica = results.get("replica", {})
    if replica.get("layouts"):
        row = (replica.get("by_extractor", {}).get("govcrawl") or {}).get(LAYOUT_ROW)
        if row is not None:
            for name, minimum in LAYOUT_BARS:
                if row[name] < minimum:
                    misses.append(f"replica {LAYOUT_ROW}: {name} {row[name]:.3f} < {minimum}")
            for name in LAYOUT_ZERO:
                if row[name]:
                    misses.append(f"replica {LAYOUT_ROW}: {name} = {row[name]:.4f} (must be 0)")
        replica = {}
    for family, row in (replica.get("by_extractor", {}).get("govcrawl") or {}).items():
        for name, minimum in REPLICA_BARS:
            if row[name] < minimum:
                misses.append(f"replica {family}: {name} {row[name]:.3f} < {minimum}")
        for name in REPLICA_ZERO:
            if row[name]:
                misses.append(f"replica {family}: {name} = {row[name]} (must be 0)")
    fo = results.get("foreign")
    if fo and fo.get("govcrawl") and fo.get("trafilatura") and fo["govcrawl"]["authors"] < fo["trafilatura"]["authors"]:
        misses.append(f"foreign: authors {fo['govcrawl']['authors']:.3f} < trafilatura {fo['trafilatura']['authors']:.3f}")
    sh = results.get("scrapinghub")
    if sh and "govcrawl" in sh and "trafilatura" in sh and sh["govcrawl"]["body_f1"] < sh["trafilatura"]["body_f1"]:
        misses.append(f"scrapinghub: body F1 {sh['govcrawl']['body_f1']:.3f} < trafilatura "
                      f"{sh['trafilatura']['body_f1']:.3f}")
    return misses


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def print_report(results: dict, out: IO[str]) -> None:
    if "replica" in results:
        rep = results["replica"]
        if rep.get("layouts"):
            n, s = rep["layouts"], rep["seed"]
            held = "held out" if s >= 1000 else ("development" if s + n <= 1000 else "development and held out")
            out.write(f"(a) layout portals: {n} layouts (seeds {s}..{s + n - 1}, {held}), {rep['articles']} stories, "
                      "each copy once, on its canonical page\n")
            order = list(next(iter(rep["by_extractor"].values())))
        else:
            out.write(f"(a) replica portals: {rep['articles']} stories, seed {rep['seed']}, every URL of every copy\n")
            order = sorted(next(iter(rep["by_extractor"].values())))
        heads = ["family", "extractor"] + [HEADERS.get(c, c) for c in REPLICA_COLUMNS]
        rows = [[family, name] + [_cell(row[c]) for c in REPLICA_COLUMNS]
                for family in order
                for name, by_family in rep["by_extractor"].items() for row in [by_family[family]]]
        _table(heads, rows, out)
    if "scrapinghub" in results:
        sh = results["scrapinghub"]
        out.write(f"\n(b) ScrapingHub benchmark: {sh['pages']} pages, body F1 by {sh['metric']}\n")
        _table(["extractor", "body_f1", "precision", "recall", "refused", "ms/page"],
               [[name, *(_cell(sh[name][k]) for k in ("body_f1", "precision", "recall", "refused", "ms_per_page"))]
                for name in sh if isinstance(sh[name], dict)], out)
    if "vn" in results:
        out.write("\n(c) Vietnamese pages (../shared/eval/vn)\n")
        rows = []
        for page in results["vn"]["pages"]:
            for name in ("govcrawl", "trafilatura"):
                r = page.get(name)
                if r is None:
                    continue
                rows.append([page["file"][:34], name, r["refused"] or "-", str(r["chars"]), r["leaked"],
                             _ok(r.get("date_ok")), _ok(r.get("title_ok")), _ok(r.get("authors_ok")),
                             _cell(r["body_f1"]) if "body_f1" in r else "-"])
        _table(["page", "extractor", "refused", "chars", "leaked", "date", "title", "authors", "body_f1"], rows, out)
    if "foreign" in results:
        fo = results["foreign"]
        out.write(f"\n(d) foreign pages: {fo['pages']} pages built in English, German and French (published: the "
                  "instant; offset: also the page's own offset)\n")
        cols = ("body_f1", "title", "published", "offset", "authors")
        _table(["extractor", *cols], [[name, *(_cell(fo[name][c]) for c in cols)] for name in fo if isinstance(fo[name], dict)], out)
    for section, reason in results.get("skipped", {}).items():
        out.write(f"\n({section}) skipped: {reason}\n")


def _ok(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def _table(heads: list[str], rows: list[list[str]], out: IO[str]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(heads)]
    out.write("  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
