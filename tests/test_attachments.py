"""Attachments (issue 17 item 4): a real crawl of the replica portals fetches the files their
articles link (portalsim/attachments.py), stores each distinct file once with the SHA-256 of the
bytes served, links it to every article that links it, captures it in WARC, reads the text of
PDFs and DOCX (TCVN3 repaired) for `govcrawl attachments --search`; an off-portal link is never
requested, a file over the cap is a `too_large` failure, and a second run fetches nothing stored.
Then the text layer (cleaning/attachments.py) on built, corrupt and empty files.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from cleaning.attachments import search_key, text_layer
from crawler.registry import load_registry
from crawler.warc import read_capture
from portalsim import ReplicaServer, build_replica
from portalsim.attachments import BIG_SIZE
from portalsim.documents import docx_bytes, pdf_bytes
from storage import Database
from storage.captures import ref_of
from storage.models import ArticleAttachment, ArticleUrl, Attachment, Failure, PageState
from tests.conftest import FAST_CRAWL, run_govcrawl
from tests.storage_fixtures import fresh_postgres_database

pytestmark = pytest.mark.e2e

CAP = 1_000_000  # under the replica's big file


def _keys() -> list[str]:
    return [p.key for p in load_registry() if p.replica]


@pytest.fixture(scope="module")
def served():
    with ReplicaServer(build_replica(seed=3, articles=36)) as server:
        yield server


def _crawl(db_url: str, *extra: str, keys: list[str] | None = None) -> dict:
    done = run_govcrawl("crawl", *(keys or _keys()), "--db", db_url, "--json", *FAST_CRAWL,
                        "-s", f"GOVCRAWL_ATTACHMENT_MAX_BYTES={CAP}", *extra)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crawled(request, served, tmp_path_factory):
    """Two runs into one database: a first walk, then every article page fetched and extracted
    again (its stored validators and body hash forgotten), which links the same files."""
    root = tmp_path_factory.mktemp("attachments")
    if request.param == "sqlite":
        yield from _crawled(served, f"sqlite:///{root / 'govcrawl.sqlite'}", root / "warc")
        return
    with fresh_postgres_database() as url:
        yield from _crawled(served, url, root / "warc")


def _crawled(served, db_url, warc):
    requests_before = dict(served.requests)
    first = _crawl(db_url, "-s", f"GOVCRAWL_WARC_DIR={warc}")
    after_first = dict(served.requests)
    db = Database(db_url)
    with db.session() as s, s.begin():
        s.execute(update(PageState).where(PageState.kind == "article")
                  .values(next_check=datetime(2000, 1, 1, tzinfo=UTC), body_hash=None, etag=None,
                          last_modified=None))
    second = _crawl(db_url, "-s", f"GOVCRAWL_WARC_DIR={warc}")
    yield {"db_url": db_url, "db": db, "warc": warc, "first": first, "second": second,
           "before": requests_before, "after_first": after_first, "after_second": dict(served.requests)}
    db.dispose()


def _rows(db):
    with db.session() as s:
        attachments = list(s.scalars(select(Attachment)))
        links = [(link.article_id, link.attachment_id, link.url, link.title)
                 for link in s.scalars(select(ArticleAttachment))]
        article_of = {row.url: row.article_id for row in s.scalars(select(ArticleUrl))}
        failures = [(f.url, f.kind, f.reason) for f in s.scalars(select(Failure))]
        for row in attachments:
            s.expunge(row)
    return attachments, links, article_of, failures


def _served_files(served):
    return {url: a for url, a in served.replica.attachments.items()}


def test_every_attachment_is_stored_once_with_the_sha256_of_the_bytes_served(served, crawled):
    attachments, links, article_of, _ = _rows(crawled["db"])
    files = _served_files(served)
    stored = [a for a in files.values() if not a.offsite and not a.big]
    assert len(stored) >= 10 and {a.kind for a in stored} == {"pdf", "docx"}
    by_sha = {row.sha256: row for row in attachments}
    assert len(by_sha) == len(attachments) == len({a.sha256 for a in stored})  # one row per distinct file
    linked = {(article_id, url): attachment_id for article_id, attachment_id, url, _ in links}
    for a in stored:
        assert a.sha256 == hashlib.sha256(a.data).hexdigest()
        row = by_sha[a.sha256]
        assert row.size == len(a.data) and row.kind == a.kind and row.media_type == a.media_type
        for article_url in a.linked_from:  # every article linking it, under the URL it gave
            assert linked.get((article_of[article_url], a.url)) == row.id, (a.url, article_url)
    assert {url for _, url in linked} == {a.url for a in stored}
    assert crawled["first"]["attachments"]["fetched"] == len(stored)
    assert crawled["first"]["attachments"]["new"] == len(by_sha)


def test_shared_bytes_are_one_row_with_two_article_links(served, crawled):
    attachments, links, article_of, _ = _rows(crawled["db"])
    files = _served_files(served)
    same_bytes = [a for a in files.values() if a.same_as]
    assert len(same_bytes) == 2 and same_bytes[0].sha256 == same_bytes[1].sha256
    row = next(r for r in attachments if r.sha256 == same_bytes[0].sha256)
    found = {(article_id, url) for article_id, attachment_id, url, _ in links if attachment_id == row.id}
    assert found == {(article_of[a.linked_from[0]], a.url) for a in same_bytes}
    assert len({article_id for article_id, _ in found}) == 2
    # one URL linked by two articles: one row, two links
    shared_url = next(a for a in files.values() if len(a.linked_from) == 2)
    found = {article_id for article_id, _, url, _ in links if url == shared_url.url}
    assert found == {article_of[u] for u in shared_url.linked_from} and len(found) == 2


def test_the_file_over_the_cap_is_a_too_large_failure_and_no_row(served, crawled):
    attachments, links, _, failures = _rows(crawled["db"])
    big = next(a for a in _served_files(served).values() if a.big)
    assert abs(len(big.data) - BIG_SIZE) < 100 and len(big.data) > CAP
    assert big.sha256 not in {row.sha256 for row in attachments}
    assert big.url not in {url for _, _, url, _ in links}
    assert [kind for url, kind, _ in failures if url == big.url][:1] == ["too_large"]


def test_a_link_off_the_portal_is_never_requested(served, crawled):
    _, links, _, failures = _rows(crawled["db"])
    offsite = next(a for a in _served_files(served).values() if a.offsite)
    assert served.requests.get(offsite.url, 0) == 0
    assert offsite.url not in {url for _, _, url, _ in links}
    refused = [reason for url, kind, reason in failures if url == offsite.url and kind == "offsite"]
    assert len(refused) == 2  # once per run
    # the same host's files for the portal that declares it were fetched
    asset = [a for a in _served_files(served).values() if "127.0.10.14" in a.url and not a.offsite]
    assert asset and all(crawled["after_first"].get(a.url, 0) > crawled["before"].get(a.url, 0) for a in asset)


def test_a_second_run_fetches_no_stored_file_again(served, crawled):
    files = [a for a in _served_files(served).values() if not a.offsite and not a.big]
    for a in files:  # each fetched once in the first run (two articles linking it: one request)
        assert crawled["after_first"].get(a.url, 0) - crawled["before"].get(a.url, 0) == 1, a.url
        assert crawled["after_second"].get(a.url, 0) == crawled["after_first"].get(a.url, 0), a.url
    second = crawled["second"]
    assert second["attachments"]["fetched"] == 0 and second["attachments"]["new"] == 0
    # the articles were read again (not "unchanged") and linked to what was stored
    assert sum(p["articles_seen"] for p in second["portals"]) > 20


def test_attachments_are_captured_in_warc(crawled):
    attachments, _, _, _ = _rows(crawled["db"])
    for row in attachments:
        ref = ref_of(row)
        assert ref is not None, row.first_url
        capture = read_capture(crawled["warc"], ref)
        assert capture.record_type == "response" and capture.status == 200 and capture.uri == row.first_url
        assert hashlib.sha256(capture.payload).hexdigest() == row.sha256 == ref.sha256


def _attachments_command(capsys, *args: str) -> tuple[int, str]:
    """`govcrawl attachments ...` in this process (no crawl: no reactor to keep apart)."""
    from crawler.cli import main

    capsys.readouterr()
    code = main(["attachments", *args])
    return code, capsys.readouterr().out


def test_texts_are_searchable_and_the_tcvn3_text_is_repaired(served, crawled, capsys):
    files = _served_files(served)
    attachments, _, _, _ = _rows(crawled["db"])
    texts = {row.sha256: row.text for row in attachments}
    for a in files.values():
        if not a.offsite and not a.big:
            assert texts[a.sha256] == "\n".join(a.lines), a.url  # legacy files read as Unicode
    legacy = [a for a in files.values() if a.legacy]
    assert {a.kind for a in legacy} == {"pdf", "docx"}
    for a, words in ((legacy[0], "QUYET DINH khen thuong"), (legacy[1], "lịch tiếp công dân"),
                     (next(a for a in files.values() if a.kind == "docx" and "quy-che" in a.url), "phạm vi điều chỉnh"),
                     (next(a for a in files.values() if a.kind == "pdf" and a.same_as), "Hướng dẫn thi đua")):
        code, out = _attachments_command(capsys, "--db", crawled["db_url"], "--search", words, "--json")
        assert code == 0
        records = [json.loads(line) for line in out.splitlines()]
        assert [r["sha256"] for r in records] == [a.sha256], words
        assert {link["url"] for link in records[0]["articles"]} >= {a.url}
    code, out = _attachments_command(capsys, "--db", crawled["db_url"], "--portal", "replica-vnportal")
    assert code == 0 and "bieu-mau-dang-ky.pdf" in out and "drupal" not in out
    assert _attachments_command(capsys, "--db", crawled["db_url"], "--search", "không có từ này xyzzy") == (0, "")
    # the command line itself (a child process, as users run it)
    found = run_govcrawl("attachments", "--db", crawled["db_url"], "--search", "quyet dinh", "--json")
    assert found.returncode == 0 and legacy[0].sha256 in found.stdout, found.stderr


def test_attachments_off_fetches_none(served, tmp_path):
    before = dict(served.requests)
    report = _crawl(f"sqlite:///{tmp_path / 'off.sqlite'}", "-s", "GOVCRAWL_ATTACHMENTS=0", "-s", "GOVCRAWL_WARC=0",
                    keys=["replica-vnportal", "replica-sharepoint"])
    assert "attachments" not in report and report["portals"][0]["articles_new"] > 0
    assert Database(f"sqlite:///{tmp_path / 'off.sqlite'}").session().scalar(select(Attachment.id)) is None
    assert all(served.requests[url] == before.get(url, 0) for url in served.replica.attachments)


# ------------------------------------------------------------------ the text layer, no crawl


def test_pdf_and_docx_text_layers():
    lines = ["Quyết định số 12/QĐ-UBND", "về việc khen thưởng thi đua năm 2026"]
    for data in (pdf_bytes(lines), docx_bytes(lines)):
        read = text_layer(data, "application/octet-stream")
        assert read.text == "\n".join(lines) and read.error is None and not read.legacy
    assert text_layer(pdf_bytes(lines)).kind == "pdf" and text_layer(docx_bytes(lines)).kind == "docx"


def test_legacy_font_text_is_repaired_and_other_text_left_alone():
    from portalsim.attachments import _tcvn3

    words = "thông báo lịch tiếp công dân định kỳ của lãnh đạo tỉnh"
    mojibake = _tcvn3(words)
    assert mojibake != words
    for data in (pdf_bytes([mojibake], legacy=True), docx_bytes([mojibake], font=".VnTime")):
        read = text_layer(data)
        assert read.text == words and read.legacy
    foreign = ["Café déjà vu: où est la bibliothèque?", "Größe und Übung, på så vis"]
    assert text_layer(pdf_bytes(foreign)).text == "\n".join(foreign)
    assert not text_layer(pdf_bytes(foreign)).legacy


def test_corrupt_empty_and_other_files_give_no_text_and_no_exception():
    corrupt = pdf_bytes(["Kế hoạch"])[:60]
    read = text_layer(corrupt)
    assert read.kind == "pdf" and read.text is None and read.error
    assert text_layer(b"", "application/pdf").error == "empty file"
    broken_docx = docx_bytes(["x"])[:200]
    assert text_layer(broken_docx, url="a.docx").text is None
    assert text_layer(b"\xd0\xcf\x11\xe0rest", url="http://x/a.xls").kind == "xls"
    assert text_layer(b"%PDF-1.4\n%%EOF\n").text is None  # no pages: no text, said why
    zipped = text_layer(b"PK\x03\x04garbage")
    assert zipped.text is None and zipped.error is None  # a ZIP: stored, no text layer


def test_text_is_bounded():
    lines = [f"Dòng {i}: nội dung kế hoạch thi đua khen thưởng" for i in range(200)]
    read = text_layer(docx_bytes(lines), max_chars=1000)
    assert read.truncated and len(read.text) <= 1000
    assert text_layer(pdf_bytes(lines), max_pages=0).truncated


def test_search_key_folds_case_and_diacritics():
    assert search_key("Quyết  ĐỊNH\nthủy") == search_key("quyet dinh thuy") == "quyet dinh thuy"


def test_the_export_record_carries_the_stored_files(served, crawled):
    attachments, links, _, _ = _rows(crawled["db"])
    sha = {row.id: row.sha256 for row in attachments}
    exported = run_govcrawl("export", "--db", crawled["db_url"])
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    files = [f for r in records for f in r["provenance"]["attachment_files"]]
    assert {(f["article_id"], f["url"], f["sha256"]) for f in files} == \
        {(article_id, url, sha[attachment_id]) for article_id, attachment_id, url, _ in links}
    by_url = _served_files(served)
    for f in files:
        assert f["size"] == len(by_url[f["url"]].data) and f["warc"]["sha256"] == f["sha256"]


def test_the_scheduler_asks_once_per_url_and_keeps_who_waits():
    from crawler.attachments import Attachments, summary

    portal = load_registry().get("replica-vnportal")
    asset, own, elsewhere = (f"http://{portal.asset_hosts[0]}/f/a.pdf", f"http://{portal.hosts[0]}/f/b.docx",
                             "http://example.gov.vn/f/c.pdf")
    plan = Attachments(max_bytes=1234)
    requests, refused, stored = plan.found(portal, 1, [(asset, "A"), (own, "B"), (elsewhere, "C")], print, print)
    assert [r.url for r in requests] == [asset, own] and [u for u, _ in refused] == [elsewhere] and not stored
    assert all(r.meta["download_maxsize"] == 1234 and r.meta["kind"] == "attachment" for r in requests)
    # a second article: nothing asked again, it waits for the same responses; the refusal is not repeated
    assert plan.found(portal, 2, [(asset, "A2"), (elsewhere, "C2")], print, print) == ([], [], [])
    assert plan.take(asset, ok=True) == ((1, "A"), (2, "A2"))
    assert plan.take(own, ok=False) == ((1, "B"),)
    # later: a file stored in this run is linked, not fetched; a failed one is not asked again
    assert plan.found(portal, 3, [(asset, "A3"), (own, "B3")], print, print) == ([], [], [(asset, "A3")])
    assert Attachments(enabled=False).found(portal, 1, [(asset, "A")], print, print) == ([], [], [])
    assert summary({"govcrawl/a/attachments_new": 2, "govcrawl/b/attachments_new": 1, "govcrawl/a/pages": 9}) == \
        {"fetched": 0, "new": 3, "known": 0, "linked": 0, "failed": 0}
    assert summary({"govcrawl/a/pages_fetched": 3}) is None
