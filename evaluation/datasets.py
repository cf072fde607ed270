"""(b) the ScrapingHub benchmark and (c) the Vietnamese pages, read from ../shared/eval.

The data is not part of this repository: `find_eval_dir` looks for it beside the checkout
(`../shared/eval`) or where GOVCRAWL_EVAL_DATA / --data points, and callers skip, saying why,
when it is absent. Body F1 on ScrapingHub is computed by the reference score.py itself when it
is there (loaded from the data directory, not copied), else by `evaluation.metrics`.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

from evaluation.catalogue import leaks
from evaluation.extractors import EXTRACTORS, Extracted, display
from evaluation.metrics import body_scores, page_f1

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class EvalDataMissing(LookupError):
    """The evaluation data directory (or a part of it) is not there."""


def find_eval_dir(explicit: str | None = None) -> Path:
    if explicit:  # asked for by name: that folder or nothing
        candidates = [Path(explicit)]
    elif os.environ.get("GOVCRAWL_EVAL_DATA"):
        candidates = [Path(os.environ["GOVCRAWL_EVAL_DATA"])]
    else:
        candidates = [PROJECT_ROOT.parent / "shared" / "eval"]
    for path in candidates:
        if (path / "scrapinghub").is_dir() or (path / "vn").is_dir():
            return path
    raise EvalDataMissing("no evaluation data: looked in " + ", ".join(str(p) for p in candidates)
                          + " (set --data or GOVCRAWL_EVAL_DATA to the folder holding scrapinghub/ and vn/)")


def reference_scorer(eval_dir: Path) -> ModuleType | None:
    """../shared/eval/score.py as a module, or None when it is absent."""
    path = eval_dir / "score.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("govcrawl_reference_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate_scrapinghub(eval_dir: Path, extractors: dict[str, Callable[..., Extracted]] | None = None,
                         limit: int | None = None) -> dict:
    root = eval_dir / "scrapinghub"
    if not (root / "ground-truth.json").is_file():
        raise EvalDataMissing(f"{root}/ground-truth.json not found")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    scorer = reference_scorer(eval_dir)
    out: dict = {"pages": len(ids), "metric": "score.py (reference)" if scorer else "evaluation.metrics"}
    for name, extract in (extractors or EXTRACTORS).items():
        predictions, seconds, refused = {}, 0.0, 0
        for page_id in ids:
            with gzip.open(root / "html" / f"{page_id}.html.gz", "rb") as fh:
                page = fh.read()
            got = extract(page, truth[page_id].get("url") or f"https://example.invalid/{page_id}")
            predictions[page_id] = got.text
            seconds += got.seconds
            refused += bool(got.error)
        pairs = [(truth[i].get("articleBody", ""), predictions[i]) for i in ids]
        scores = scorer.shingle_metrics(pairs) if scorer else body_scores(pairs)
        out[name] = {"body_f1": scores["f1"], "precision": scores["precision"], "recall": scores["recall"],
                     "refused": refused, "ms_per_page": 1000 * seconds / len(ids),
                     "predictions": predictions}
    return out


def _vn_index(root: Path) -> list[dict]:
    index = root / "index.json"
    if not index.is_file():
        raise EvalDataMissing(f"{index} not found")
    return json.loads(index.read_text(encoding="utf-8"))


def _expected_02(root: Path, name: str) -> dict | None:
    path = root / name
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    version = next(iter(data.values()))
    body = version.get("body", {})
    paragraphs = [p for section in body.get("sections", []) for p in section.get("paragraphs", [])]
    return {"title": version.get("title"), "authors": version.get("authors", []),
            "published": version.get("publishing_date"), "summary": " ".join(body.get("summary", [])),
            "text": "\n".join(paragraphs)}


def evaluate_vn(eval_dir: Path, extractors: dict[str, Callable[..., Extracted]] | None = None) -> dict:
    """Per page and extractor: what came out, scored where the page has ground truth.

    Articles with truth (01: date; 02: title, authors, date, body); non-articles (homepages)
    should be refused; the legal-document pages are reported with their catalogue leaks.
    """
    from evaluation.replica import visible_text

    root = eval_dir / "vn"
    rows = []
    for entry in _vn_index(root):
        path = root / entry["file"]
        if not path.is_file():
            continue
        page = path.read_bytes()
        url = entry.get("url") or path.as_uri()
        truth = entry.get("ground_truth") or {}
        expected = _expected_02(root, truth["file"]) if "file" in truth else None
        page_text = visible_text(page)
        row: dict = {"file": entry["file"], "kind": entry.get("kind", "")}
        for name, extract in (extractors or EXTRACTORS).items():
            got = extract(page, url)
            result: dict = {"refused": got.error, "title": got.title, "chars": len(got.text)}
            leaked, candidates = leaks(page_text, got.text, (expected or {}).get("text", ""))
            result["leaked"] = f"{leaked}/{candidates}"
            want_day = (truth.get("publish_date") or (expected or {}).get("published") or "")[:10]
            if want_day:
                result["date_ok"] = _iso_day(got.published) == want_day
            if expected:
                result["body_f1"] = page_f1(display(expected["text"]) or "", display(got.text) or "")
                result["title_ok"] = display(got.title) == display(expected["title"])
                result["authors_ok"] = [display(a) for a in got.authors] == [display(a) for a in expected["authors"]]
            row[name] = result
        rows.append(row)
    return {"pages": rows}


def _iso_day(value: datetime | date | None) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else None
