"""govcrawl eval: its metric, the bars of issue 3 on all three sections, and the command.

The ScrapingHub and Vietnamese pages are read from ../shared/eval (never copied here); tests
that need them skip, saying so, when that folder is absent.
"""
from __future__ import annotations

import gzip
import json

import pytest

from evaluation import failed_bars, run_eval
from evaluation.catalogue import leaks
from evaluation.datasets import EvalDataMissing, find_eval_dir, reference_scorer
from evaluation.metrics import body_scores, page_f1
from tests.conftest import run_govcrawl


def _eval_dir():
    try:
        return find_eval_dir()
    except EvalDataMissing as exc:
        pytest.skip(f"evaluation data absent: {exc}")


def test_body_metric_is_the_reference_metric():
    eval_dir = _eval_dir()
    scorer = reference_scorer(eval_dir)
    if scorer is None:
        pytest.skip(f"{eval_dir}/score.py absent")
    truth = json.loads((eval_dir / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8"))
    pairs = []
    for i, (page_id, entry) in enumerate(sorted(truth.items())[:40]):
        body = entry["articleBody"]
        words = body.split()
        # truncated, padded, emptied and exact predictions: every branch of the metric
        prediction = [body, " ".join(words[: len(words) // 2]), body + " menu home login about", "", "x"][i % 5]
        pairs.append((body, prediction))
    ours, reference = body_scores(pairs), scorer.shingle_metrics(pairs)
    for key in ("precision", "recall", "f1"):
        assert ours[key] == pytest.approx(reference[key], abs=1e-12)


def test_page_f1_and_leaks_on_known_cases():
    assert page_f1("a b c d e f", "a b c d e f") == 1.0
    assert page_f1("a b c d e f", "") == 0.0
    page = "Trang chủ Tin khác Lượt xem: 12 Hôm nay là ngày đẹp"
    # "Hôm nay" is in the true body, so it is not a leak; "Lượt xem" reaching the text is
    assert leaks(page, "Hôm nay là ngày đẹp\nLượt xem: 12", "Hôm nay là ngày đẹp") == (1, 2)
    assert leaks(page, "Hôm nay là ngày đẹp", "Hôm nay là ngày đẹp") == (0, 2)


def test_replica_bars_met_on_every_family():
    results = run_eval(["replica"], articles=48, seed=3)
    by_family = results["replica"]["by_extractor"]["govcrawl"]
    assert set(by_family) == {"drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress"}
    assert failed_bars(results) == []
    # trafilatura is scored in the same run: it reads Drupal's m/d/Y dates as d/m
    assert results["replica"]["by_extractor"]["trafilatura"]["drupal"]["published"] < 1.0


def test_vn_pages_with_truth():
    _eval_dir()
    results = run_eval(["vn"])
    if "vn" in results["skipped"]:
        pytest.skip(results["skipped"]["vn"])
    rows = {row["file"][:2]: row["govcrawl"] for row in results["vn"]["pages"]}
    assert rows["01"]["date_ok"]
    assert rows["02"]["date_ok"] and rows["02"]["title_ok"] and rows["02"]["authors_ok"]
    assert rows["02"]["body_f1"] >= 0.95
    assert rows["03"]["refused"] == rows["04"]["refused"] == "not_article"  # home pages


def test_eval_command(tmp_path):
    out = tmp_path / "eval.json"
    done = run_govcrawl("eval", "replica", "--articles", "8", "--check", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert "(a) replica portals" in done.stdout and "bars of issue 3: all met" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["replica"]["by_extractor"]["govcrawl"]["drupal"]["pages"] > 0

    bad = run_govcrawl("eval", "nonsense")
    assert bad.returncode == 2 and "unknown eval section" in bad.stderr

    missing = run_govcrawl("eval", "scrapinghub", "--data", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such directory" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    skipped = run_govcrawl("eval", "scrapinghub", "vn", "--data", str(empty))
    assert skipped.returncode == 0 and "(scrapinghub) skipped: no evaluation data" in skipped.stdout


def test_scrapinghub_not_worse_than_trafilatura_and_predictions_saved(tmp_path):
    """The generic path against the library it builds on, in the same run, by the reference
    metric; the saved bodies are in score.py's --pred format."""
    eval_dir = _eval_dir()
    if reference_scorer(eval_dir) is None:
        pytest.skip(f"{eval_dir}/score.py absent")
    report = tmp_path / "eval.json"
    done = run_govcrawl("eval", "scrapinghub", "--save-predictions", str(tmp_path), "--json", str(report),
                        "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    sh = json.loads(report.read_text(encoding="utf-8"))["scrapinghub"]
    assert sh["pages"] == 181 and sh["metric"] == "score.py (reference)"
    assert sh["govcrawl"]["body_f1"] >= sh["trafilatura"]["body_f1"]
    assert sh["trafilatura"]["body_f1"] == pytest.approx(0.960, abs=0.005)  # the published re-measure
    saved = json.loads((tmp_path / "govcrawl.json").read_text(encoding="utf-8"))
    assert len(saved) == 181
    some_id = next(iter(saved))
    assert gzip.open(eval_dir / "scrapinghub" / "html" / f"{some_id}.html.gz").read()  # ids match the set
    rescored = reference_scorer(eval_dir).shingle_metrics(
        [(e["articleBody"], saved[k]["articleBody"]) for k, e in
         json.loads((eval_dir / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8")).items()])
    assert rescored["f1"] == pytest.approx(sh["govcrawl"]["body_f1"])


def test_eval_check_fails_when_a_section_it_checks_has_no_data(tmp_path):
    """`eval --check` with no evaluation data evaluated nothing: it must not say "all met"."""
    done = run_govcrawl("eval", "scrapinghub", "vn", "--data", str(tmp_path), "--check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "all met" not in done.stdout
    assert "scrapinghub: not evaluated" in done.stdout and "vn: not evaluated" in done.stdout
    assert failed_bars({"skipped": {}}) == []  # nothing asked, nothing skipped: nothing missed
