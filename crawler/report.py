"""The run report: the table `govcrawl crawl` ends with (and `govcrawl runs ID` shows), the list of
runs, their JSON forms, and the exit status a run earns."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from crawler.cli import EXIT_FAILED, EXIT_OK, EXIT_UNHEALTHY
from storage.runs import COUNTERS, RunPortalSummary, RunRecord


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 copy", "2 copies": a count with its noun in the number it takes."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {plural or (noun[:-1] + 'ies' if noun.endswith('y') and noun[-2:-1] not in 'aeiou' else noun + 's')}"


def exit_code(rows: Sequence[RunPortalSummary]) -> int:
    """1 when a portal failed entirely (nothing fetched) — it wins, being the louder news —;
    else 5 when a health check flagged a portal; else 0."""
    if any(r.status == "failed" for r in rows):
        return EXIT_FAILED
    if any(r.health for r in rows):
        return EXIT_UNHEALTHY
    return EXIT_OK


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def _per_article(r: Any) -> float | None:
    """Requests (pages, 304s, errors) per article stored (new or version)."""
    stored = r.articles_new + r.articles_version
    return (r.pages_fetched + r.not_modified + r.errors) / stored if stored else None


def _not_article_share(r: Any) -> float | None:
    """Share of the pages fetched that were not articles."""
    return r.pages_not_article / r.pages_fetched if r.pages_fetched else None


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _local(value: datetime) -> str:
    """The machine's local time, with its UTC offset: a table read elsewhere stays unambiguous."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M %z")


# column title, width, value of a portal row
_COLUMNS: tuple[tuple[str, int, Any], ...] = (
    ("status", -11, lambda r: r.status),
    ("pages", 6, lambda r: r.pages_fetched),
    ("304", 6, lambda r: r.not_modified),
    ("new", 6, lambda r: r.articles_new),
    ("ver", 5, lambda r: r.articles_version),
    ("dup", 6, lambda r: r.articles_duplicate),
    ("seen", 6, lambda r: r.articles_seen),
    ("failed", 6, lambda r: r.articles_failed),
    ("undated", 7, lambda r: r.articles_undated),
    ("errors", 6, lambda r: r.errors),
    # requests (pages, 304s, errors) per article stored, and the share of pages fetched that were
    # not articles (listings, sitemaps, feeds, refused candidates)
    ("req/art", 7, lambda r: _ratio(_per_article(r))),
    ("non-art", 7, lambda r: _ratio(_not_article_share(r))),
    ("duration", 8, lambda r: _duration(r.duration)),
    # an interrupted run is not judged (crawler/pipelines.py)
    ("health", -12, lambda r: r.health or ("-" if r.status == "interrupted" else "ok")),
)


def _cells(values: Sequence[Any]) -> str:
    return " ".join(f"{v:<{-w}}" if w < 0 else f"{v:>{w}}" for v, (_, w, _) in zip(values, _COLUMNS))


def print_run(run: RunRecord, rows: Sequence[RunPortalSummary], db_display: str, out: IO[str]) -> None:
    """The per-portal table of one run, then its summary lines."""
    width = max((len(r.portal_key) for r in rows), default=6)
    print(f"{'portal':<{width}}  {_cells([title for title, _, _ in _COLUMNS])}  errors by kind", file=out)
    for r in rows:
        print(f"{r.portal_key:<{width}}  {_cells([value(r) for _, _, value in _COLUMNS])}  {r.note or ''}", file=out)
    t = run.totals
    print(f"run {run.id} ({run.status}): {t['pages_fetched']} pages fetched ({t['not_modified']} not modified) "
          f"in {_duration(run.duration)}; articles {t['articles_new']} new / {t['articles_version']} versions / "
          f"{t['articles_duplicate']} duplicate / {t['articles_failed']} failed; database {db_display}", file=out)
    if run.failed:
        print(f"portals that failed entirely: {', '.join(run.failed)}", file=out)
    if run.flagged:
        print("portals flagged: " + ", ".join(f"{key} ({flags})" for key, flags in run.flagged.items()), file=out)


def print_runs(runs: Sequence[RunRecord], out: IO[str]) -> None:
    """One line per run, newest first."""
    print(f"{'run':>5}  {'started':<22}  {'status':<11} {'duration':>8} {'portals':>7} {'pages':>7} {'new':>6} "
          f"{'errors':>6}  flagged", file=out)
    for run in runs:
        flagged = ", ".join(f"{key} ({flags})" for key, flags in run.flagged.items())
        failed = ", ".join(f"{key} (failed)" for key in run.failed if key not in run.flagged)
        print(f"{run.id:>5}  {_local(run.started_at):<22}  {run.status:<11} {_duration(run.duration):>8} "
              f"{run.portals:>7} {run.totals['pages_fetched']:>7} {run.totals['articles_new']:>6} "
              f"{run.totals['errors']:>6}  {', '.join(filter(None, (flagged, failed)))}", file=out)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id, "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
        "duration_s": run.duration, "status": run.status, "args": run.args, "portals": run.portals,
        "totals": run.totals, "failed": run.failed, "workers": getattr(run, "workers", 1),
        "flagged": {key: flags.split("; ") for key, flags in run.flagged.items()},
    }


def portal_json(r: RunPortalSummary) -> dict[str, Any]:
    return {
        "portal": r.portal_key, "name": r.portal_name, "status": r.status,
        **{name: getattr(r, name) for name in COUNTERS},
        "requests_per_article": _per_article(r), "not_article_share": _not_article_share(r),
        "errors_by_kind": r.errors_by_kind, "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
        "duration_s": r.duration, "health": r.flags,
    }


def report_json(run: RunRecord, rows: Sequence[RunPortalSummary]) -> dict[str, Any]:
    """The whole report of one run, as `govcrawl crawl --json` and `govcrawl runs ID --json` print it."""
    return {"run": run_json(run), "portals": [portal_json(r) for r in rows], "exit_code": exit_code(rows)}
