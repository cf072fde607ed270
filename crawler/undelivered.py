"""The undelivered file: what the database could not take, kept whole for `govcrawl redeliver`.

When storage fails (the database went away, the disk is full, a file turned read-only), a page
goes to `undelivered-run<N>.jsonl` beside the database, one JSON object per line:

* a page: `{"page": {every PageJob field; "body_b64": the bytes fetched}, "portal", "url",
  "run_id", "error", "at"}`: with it the page is stored later exactly as the crawl would have;
* a failure record: `{"failure": {"kind", "reason"}, "portal", "url", "run_id", "error", "at"}`;
* the run's closing record, when the run itself could not be closed: `{"run": {"status",
  "finished_at", "portals": {key: PortalRunStats fields}, "thresholds", "assess_health"},
  "run_id", "error", "at"}` — redelivered last, it closes the run as the crawl would have.

The run that wrote such a file exits with status 6 and names it; `govcrawl redeliver FILE`
stores its records and leaves in the file only those that failed again.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SET_FIELDS = ("hosts",)
_DATE_FIELDS = ("fetched_at",)


def page_record(job: Any, run_id: int, error: str) -> dict[str, Any]:
    """The record of a page (a PageJob) the database did not take."""
    fields = {}
    for field in dataclasses.fields(job):
        value = getattr(job, field.name)
        if field.name == "body":
            fields["body_b64"] = base64.b64encode(value).decode("ascii")
        elif isinstance(value, (frozenset, set, tuple)):
            fields[field.name] = sorted(value) if field.name in _SET_FIELDS else list(value)
        elif isinstance(value, datetime):
            fields[field.name] = value.isoformat()
        else:
            fields[field.name] = value
    return {"portal": job.portal_key, "url": job.final_url, "run_id": run_id, "error": error, "page": fields}


def failure_record(portal_key: str, url: str, kind: str, reason: str, run_id: int, error: str) -> dict[str, Any]:
    """The record of a failure row the database did not take."""
    return {"portal": portal_key, "url": url, "run_id": run_id, "error": error,
            "failure": {"kind": kind, "reason": reason}}


def run_record(run_id: int, status: str, portals: dict[str, Any], thresholds: Any, assess_health: bool,
               error: str) -> dict[str, Any]:
    """The record of a run the database could not close: its status and per-portal counters
    (PortalRunStats), and the health thresholds it is judged by."""
    return {"run_id": run_id, "portal": None, "url": None, "error": error,
            "run": {"status": status, "finished_at": datetime.now(UTC).isoformat(),
                    "portals": {key: _plain(dataclasses.asdict(stats)) for key, stats in portals.items()},
                    "thresholds": dataclasses.asdict(thresholds), "assess_health": assess_health}}


def run_fields(record: dict[str, Any], stats_type: type) -> dict[str, Any]:
    """{portal key: `stats_type`} of a run record, datetimes read back."""
    portals = {}
    for key, fields in record["run"]["portals"].items():
        fields = dict(fields)
        for name in ("started_at", "finished_at"):
            if fields.get(name):
                fields[name] = datetime.fromisoformat(fields[name])
        portals[key] = stats_type(**fields)
    return portals


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}


def job_fields(record: dict[str, Any], job_type: type) -> dict[str, Any]:
    """The PageJob fields of a page record, typed as the dataclass wants them."""
    fields = dict(record["page"])
    fields["body"] = base64.b64decode(fields.pop("body_b64"))
    for name in _SET_FIELDS:
        fields[name] = frozenset(fields[name])
    for name in _DATE_FIELDS:
        fields[name] = datetime.fromisoformat(fields[name])
    for field in dataclasses.fields(job_type):
        if isinstance(fields.get(field.name), list):
            fields[field.name] = tuple(fields[field.name])
    return fields


def write_dead_letter(path: Path, record: dict[str, Any]) -> None:
    """Append one record, flushed to disk: the file is what is left when the database is not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {**record, "at": datetime.now(UTC).isoformat()}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, record or None when the line is not one, the line) of an undelivered file."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                yield number, None, line
                continue
            yield number, record if isinstance(record, dict) else None, line


def rewrite(path: Path, lines: list[str]) -> None:
    """Replace the file with `lines` (what is still undelivered), atomically; remove it when none."""
    if not lines:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(line if line.endswith("\n") else line + "\n" for line in lines)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
