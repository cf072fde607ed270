"""WARC capture (issue 17 items 1-2, crawler/warc.py, crawler/wacz.py): real crawls of the replica
portals write WARC/1.1 files warcio reads record by record; every response is a response (or
revisit) record with its request; page states and article URLs reference the records whose
payload is what was stored; a second run writes revisits; GOVCRAWL_WARC=0 writes nothing; a
SIGKILL mid-crawl leaves every record of a committed page readable; `govcrawl warc pack` writes a
WACZ whose digests and index entries hold.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from warcio.archiveiterator import ArchiveIterator

from cleaning import extract_article
from crawler import __version__
from crawler.processing import ExtractionHints
from crawler.registry import load_registry
from crawler.warc import (Exchange, WarcFiles, index_path, iter_index, load_record, payload_digest, read_capture,
                          repair, scan, warc_dir, warc_files)
from portalsim import ReplicaServer, build_replica
from storage import Database
from storage.captures import WarcRef, ref_of
from storage.models import Article, ArticleUrl, PageState
from tests.conftest import FAST_CRAWL, ROOT, run_govcrawl

pytestmark = pytest.mark.e2e

STORIES = 90
MAX_SIZE = 150_000  # a few hundred kB per crawl: files rotate
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def _keys() -> list[str]:
    return [p.key for p in load_registry() if p.replica]


@pytest.fixture(scope="module")
def served():
    with ReplicaServer(build_replica(seed=17, articles=STORIES)) as server:
        yield server


def _crawl(db_url: str, *extra: str) -> dict:
    done = run_govcrawl("crawl", *_keys(), "--db", db_url, "--json", *FAST_CRAWL, *extra)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def crawled(served, tmp_path_factory):
    """Two runs of the six replica portals into one SQLite file: a first walk, then (every article
    due for revalidation) an incremental run of 304s and unchanged pages."""
    root = tmp_path_factory.mktemp("warc")
    db_url = f"sqlite:///{root / 'db' / 'govcrawl.sqlite'}"
    first = _crawl(db_url, "-s", f"GOVCRAWL_WARC_MAX_SIZE={MAX_SIZE}")
    directory = root / "db" / "warc"  # beside the database: the default
    run1 = warc_files(directory, 1)
    db = Database(db_url)
    with db.session() as s, s.begin():
        s.execute(update(PageState).where(PageState.kind == "article")
                  .values(next_check=datetime(2000, 1, 1, tzinfo=UTC)))
        states = list(s.scalars(select(PageState)))
        refs_after_first = {row.url: ref_of(row) for row in states}
        hashes_after_first = {row.url: row.body_hash for row in states}
    second = _crawl(db_url)
    yield {"db_url": db_url, "db": db, "dir": directory, "root": root, "first": first, "second": second,
           "run1": run1, "run2": warc_files(directory, 2), "refs_after_first": refs_after_first,
           "hashes_after_first": hashes_after_first}
    db.dispose()


def _records(path: Path) -> list:
    """Every record of a WARC file, digests checked as they are read (warcio raises on a mismatch)."""
    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            record.content_stream().read()
            out.append(record)
    return out


def test_every_response_is_a_record_pair_in_rotated_files_warcio_reads(crawled):
    files = crawled["run1"]
    assert len(files) >= 3, files  # rotated at MAX_SIZE
    assert [int(p.name[-13:-8]) for p in files] == list(range(1, len(files) + 1))  # govcrawl-1-<stamp>-0000N
    uris, responses = set(), 0
    for path in files:
        assert scan(path).tail == 0
        records = _records(path)
        info = records[0]
        assert info.rec_type == "warcinfo" and info.rec_headers.protocol == "WARC/1.1"
        fields = dict(line.split(": ", 1) for line in load_record(path.parent, (path.name, 0, scan(path).members[0][1]))
                      .content_stream().read().decode().splitlines())
        assert fields["software"].startswith(f"govcrawl/{__version__} ")
        assert fields["govcrawl-run"] == "1" and set(fields["govcrawl-portals"].split()) == set(_keys())
        assert fields["format"] == "WARC File Format 1.1"
        assert all(r.rec_type != "warcinfo" for r in records[1:])
        pairs = records[1:]
        assert len(pairs) % 2 == 0 and pairs
        if len(pairs) > 2:  # more than one pair: the file stays within the size bound
            assert path.stat().st_size <= MAX_SIZE
        for response, request in zip(pairs[::2], pairs[1::2], strict=True):
            assert response.rec_type == "response" and request.rec_type == "request"
            record_id = response.rec_headers.get_header("WARC-Record-ID")
            assert request.rec_headers.get_header("WARC-Concurrent-To") == record_id
            uri = response.rec_headers.get_header("WARC-Target-URI")
            assert request.rec_headers.get_header("WARC-Target-URI") == uri
            assert request.rec_headers.get_header("WARC-Date") == response.rec_headers.get_header("WARC-Date")
            assert request.http_headers.get_header("User-Agent").startswith("govcrawl/")
            assert request.http_headers.protocol == "GET"
            uris.add(uri)
            responses += 1
        # the index beside it: every entry is a record of the file, at its offset
        entries = list(iter_index(index_path(path)))
        assert len(entries) == len(pairs) // 2
        for _, _, entry in entries:
            record = load_record(path.parent, (entry["filename"], int(entry["offset"]), int(entry["length"])))
            assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == entry["digest"]
    assert responses == crawled["first"]["warc"]["records"]
    assert crawled["first"]["warc"]["files"] == len(files)
    assert crawled["first"]["warc"]["bytes"] == sum(p.stat().st_size for p in files)
    # robots.txt, listings, sitemaps, feeds and articles alike
    db = crawled["db"]
    with db.session() as s:
        fetched = {url: kind for url, kind in s.execute(select(PageState.url, PageState.kind))}
    hosts = {url.split("/")[2] for url in fetched}
    assert {f"http://{host}/robots.txt" for host in hosts} <= uris
    for kind in ("listing", "sitemap", "rss", "article"):
        pages = {url for url, k in fetched.items() if k == kind}
        # the rest: rel=canonical URLs not fetched themselves
        assert pages and len(pages & uris) >= len(pages) * 0.9, kind
    for path in files:  # warcio's own command line agrees
        _warcio_check(path)


def _warcio_check(path: Path) -> None:
    checked = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_references_resolve_to_records_whose_payload_is_what_was_stored(crawled):
    db, directory = crawled["db"], crawled["dir"]
    registry = {p.key: p for p in load_registry()}
    with db.session() as s:
        states = [(row.url, row.kind, row.body_hash, ref_of(row)) for row in s.scalars(select(PageState))]
        urls = [(row.url, row.article_id, ref_of(row)) for row in s.scalars(select(ArticleUrl))]
        articles = {a.id: (a.content_hash, a.portal.key) for a in s.scalars(select(Article))}
    assert states and urls
    state_refs = {}
    for url, kind, body_hash, ref in states:
        assert ref is not None, url
        capture = read_capture(directory, ref)
        assert capture.record_type == "response" and capture.status == 200
        assert payload_digest(capture.payload) == ref.digest
        assert hashlib.sha256(capture.payload).hexdigest() == ref.sha256
        if kind == "article":  # the bytes the crawl read (listings keep no body hash)
            assert hashlib.sha256(capture.body).hexdigest() == body_hash, url
        state_refs[url] = ref
    extracted = set()
    for url, article_id, ref in urls:
        assert ref is not None, url
        if url in state_refs:
            assert ref == state_refs[url]
        if article_id in extracted:
            continue
        # what govcrawl extracted the article from: extracted again, the same content
        capture = read_capture(directory, ref)
        content_hash, key = articles[article_id]
        portal = registry[key]
        article = extract_article(capture.body, capture.uri, portal=ExtractionHints(portal.family, portal.date_order))
        if article.content_hash == content_hash:
            extracted.add(article_id)
    # every article: its record extracts to its content (an edited copy's canonical copy may be
    # another page's; every article has a URL whose record is its own page)
    assert extracted == set(articles)


def test_second_run_writes_revisits_pointing_at_the_originals(crawled):
    first_refs = crawled["refs_after_first"]
    originals = {}
    for path in crawled["run1"]:
        for record in _records(path):
            if record.rec_type == "response":
                originals[(record.rec_headers.get_header("WARC-Target-URI"),
                           record.rec_headers.get_header("WARC-Date"))] = record.rec_headers.get_header(
                    "WARC-Payload-Digest")
    conditional = []
    for path in crawled["run2"]:
        records = _records(path)
        for record, request in zip(records[1::2], records[2::2], strict=True):
            if record.rec_type != "revisit":
                continue
            headers = record.rec_headers
            assert headers.get_header("WARC-Profile") == REVISIT_PROFILE
            target = (headers.get_header("WARC-Refers-To-Target-URI"), headers.get_header("WARC-Refers-To-Date"))
            assert originals.get(target) == headers.get_header("WARC-Payload-Digest"), target
            # a 304's revisit carries the stored response freshened by it (what replay serves), an
            # identical refetch its own 200: either way a 200 block
            assert record.http_headers.get_statuscode() == "200"
            conditional.append(request.http_headers.get_header("If-None-Match") is not None)
    # drupal and wordpress answer conditional requests with 304, the others send the same bytes again
    assert any(conditional) and not all(conditional)
    assert len(conditional) == crawled["second"]["warc"]["revisits"] and len(conditional) >= 50
    # the page states still name the records that hold their bytes: the run-1 record, unless the
    # page served other bytes (the Liferay replica's session tokens): then the new one
    first_hashes = crawled["hashes_after_first"]
    with crawled["db"].session() as s:
        now = {row.url: (row.body_hash, ref_of(row)) for row in s.scalars(select(PageState)) if row.kind == "article"}
    kept = [url for url, (body_hash, _) in now.items() if body_hash == first_hashes[url]]
    assert len(kept) > len(now) / 2
    for url, (body_hash, ref) in now.items():
        assert (ref == first_refs[url]) == (url in kept), url
        assert ref.file in {p.name for p in (crawled["run1"] if url in kept else crawled["run2"])}


def test_warc_pack_writes_a_wacz_whose_digests_and_index_hold(crawled, tmp_path):
    output = tmp_path / "run2.wacz"
    done = run_govcrawl("warc", "pack", "2", "--db", crawled["db_url"], "-o", str(output))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "of earlier runs" in done.stdout  # the run-1 files holding the originals of run 2's revisits
    with zipfile.ZipFile(output) as wacz:
        names = set(wacz.namelist())
        package = json.loads(wacz.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        assert {r["path"] for r in package["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
        for resource in package["resources"]:
            data = wacz.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), resource["path"]
            assert resource["bytes"] == len(data)
        digest = json.loads(wacz.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(wacz.read("datapackage.json")).hexdigest()
        archives = {name.removeprefix("archive/") for name in names if name.startswith("archive/")}
        assert {p.name for p in crawled["run2"]} <= archives and archives & {p.name for p in crawled["run1"]}
        # every index entry points at a readable record of the archive with its URL and digest
        lines = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode().splitlines()
        assert lines
        blobs = {name: wacz.read(f"archive/{name}") for name in archives}
        for line in lines:
            _, _, fields = line.split(" ", 2)
            entry = json.loads(fields)
            start = int(entry["offset"])
            blob = blobs[entry["filename"]][start:start + int(entry["length"])]
            record = next(iter(ArchiveIterator(io.BytesIO(blob))))
            assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
            if "digest" in entry:
                assert record.rec_headers.get_header("WARC-Payload-Digest") == entry["digest"]
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    with crawled["db"].session() as s:
        titles = {url: title for url, title in s.execute(select(ArticleUrl.url, ArticleUrl.title))}
    assert len(pages) > 50 and all(titles.get(p["url"]) == p["title"] for p in pages[1:])
    from wacz.validate import Validation  # py-wacz's own checks: contents, paths, hashes, package digest

    check = Validation(str(output))
    assert check.version == "1.1.1"
    assert check.check_required_contents() == 0  # (0: nothing missing)
    assert check.check_file_paths() is True and check.check_file_hashes() is True
    assert check.check_data_package_hash_and_sig() is True


def test_warc_list_names_the_files(crawled):
    listed = run_govcrawl("warc", "list", "--db", crawled["db_url"])
    assert listed.returncode == 0, listed.stderr
    for path in crawled["run1"] + crawled["run2"]:
        assert path.name in listed.stdout
    assert f"{len(crawled['run1']) + len(crawled['run2'])} WARC files" in listed.stdout
    missing = run_govcrawl("warc", "pack", "99", "--db", crawled["db_url"])
    assert missing.returncode == 2 and "no run with id 99" in missing.stderr


def test_warc_off_writes_nothing(served, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'off.sqlite'}"
    done = run_govcrawl("crawl", "replica-drupal", "--db", db_url, "--json", *FAST_CRAWL, "-s", "GOVCRAWL_WARC=0")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "warc" not in json.loads(done.stdout)
    assert not (tmp_path / "warc").exists() and not list(tmp_path.rglob("*.warc.gz"))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM page_states")).scalar_one() > 10
        assert conn.execute(text("SELECT count(*) FROM page_states WHERE warc_file IS NOT NULL")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM article_urls WHERE warc_file IS NOT NULL")).scalar_one() == 0
    engine.dispose()


def _committed(engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(PageState.__table__)).scalar_one()
    except SQLAlchemyError:
        return 0


def test_sigkill_mid_crawl_leaves_the_record_of_every_committed_page(served, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    engine = create_engine(db_url)
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", *_keys(), "--db", db_url, *FAST_CRAWL],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline and _committed(engine) < 60:
            time.sleep(0.02)
        assert child.poll() is None, "the crawl ended before it could be killed"
        os.killpg(child.pid, signal.SIGKILL)  # the crawl process and its page workers, as a power loss
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    directory = tmp_path / "warc"
    files = warc_files(directory)
    assert files and not any(index_path(p).exists() for p in files[-1:])  # the last file was never closed
    readable = {}
    for path in files:
        found = scan(path)
        # every complete gzip member is a record warcio reads, digests checked; only the tail after
        # the last one may be a record cut off by the kill
        prefix = path.read_bytes()[:found.complete]
        records = list(ArchiveIterator(io.BytesIO(prefix), check_digests=True))
        assert len(records) == len(found.members) and records[0].rec_type == "warcinfo"
        readable[path.name] = found.complete
    columns = "warc_file, warc_offset, warc_length, warc_digest, warc_sha256"
    with engine.connect() as conn:
        states = conn.execute(text(f"SELECT kind, body_hash, {columns} FROM page_states")).all()
        urls = [WarcRef(*row) for row in conn.execute(text(f"SELECT {columns} FROM article_urls"))]
    engine.dispose()
    assert len(states) >= 60 and urls
    article_hashes = {body_hash for kind, body_hash, *_ in states if kind == "article"}
    # nothing committed without its record, and each record is in the readable part of its file
    for ref, body_hash in [(WarcRef(*row[2:]), row[1]) for row in states] + [(ref, None) for ref in urls]:
        assert ref.file is not None and ref.offset + ref.length <= readable[ref.file]
        capture = read_capture(directory, ref)
        assert hashlib.sha256(capture.payload).hexdigest() == ref.sha256
        if body_hash is not None or ref in urls:  # an article page: the bytes stored are the record's
            assert hashlib.sha256(capture.body).hexdigest() in ({body_hash} if body_hash else article_hashes)
    # the next crawl (here: the repair it starts with) makes the killed run's files whole and indexed
    repair(directory)
    for path in files:
        assert scan(path).tail == 0 and index_path(path).exists()
        _warcio_check(path)


# -- the writer and reader without a crawl ----------------------------------------------------


def _exchange(url: str, body: bytes, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Exchange:
    return Exchange(url=url, method="GET", request_headers=[("User-Agent", "govcrawl/test")], request_body=b"",
                    status=status, protocol="HTTP/1.1", response_headers=headers or [("Content-Type", "text/html")],
                    body=body, date=datetime.now(UTC), ip="127.0.0.1")


def test_a_content_encoded_payload_is_stored_as_sent_and_read_back_decoded(tmp_path):
    page = "<html><p>Tin tức Sở Nội vụ</p></html>".encode() * 50
    files = WarcFiles(tmp_path, run="5", fsync=False)
    (written,) = files.write([_exchange("http://a.gov.vn/x", gzip.compress(page),
                                        headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")])])
    files.close()
    capture = read_capture(tmp_path, written.ref)
    assert gzip.decompress(capture.payload) == page and capture.body == page
    assert written.ref.digest == payload_digest(capture.payload)


def test_revisits_need_a_readable_original_with_that_digest(tmp_path):
    body = b"<html>unchanged</html>"
    first = WarcFiles(tmp_path, run="1", fsync=False)
    (original,) = first.write([_exchange("http://a.gov.vn/x", body)])
    first.close()
    known = {"http://a.gov.vn/x": original.ref}
    second = WarcFiles(tmp_path, run="2", fsync=False, lookup=lambda urls: {u: known[u] for u in urls if u in known})
    same, changed, not_modified = second.write([
        _exchange("http://a.gov.vn/x", body), _exchange("http://a.gov.vn/x", b"<html>edited</html>"),
        _exchange("http://a.gov.vn/x", b"", status=304, headers=[("ETag", '"v2"'), ("Content-Length", "0")])])
    assert (same.record_type, changed.record_type, not_modified.record_type) == ("revisit", "response", "revisit")
    assert same.ref == not_modified.ref == original.ref and changed.ref != original.ref
    block = _records(second.files[0])[5].http_headers  # the 304's revisit: the stored 200, freshened
    assert block.get_statuscode() == "200" and block.get_header("Content-Type") == "text/html"
    assert block.get_header("ETag") == '"v2"' and block.get_header("Content-Length") is None
    # the original's file gone: the payload is written in full again
    (tmp_path / original.ref.file).rename(tmp_path / "moved")
    (again,) = second.write([_exchange("http://a.gov.vn/x", body)])
    second.close()
    assert again.record_type == "response" and read_capture(tmp_path, again.ref).payload == body


def test_repair_sets_a_cut_off_record_aside_and_leaves_open_files_alone(tmp_path):
    files = WarcFiles(tmp_path, run="3", fsync=False, max_size=10**9)
    files.write([_exchange(f"http://a.gov.vn/{i}", os.urandom(2000)) for i in range(3)])
    path = files.files[0]
    assert repair(tmp_path) == []  # being written (flocked): untouched
    files._file.close()  # killed: no index, and a write cut short
    good = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(gzip.compress(b"WARC/1.1\r\n" + os.urandom(3000))[:1500])
    assert scan(path).complete == good and scan(path).tail == 1500
    assert repair(tmp_path) == [path]
    assert path.stat().st_size == good and (tmp_path / (path.name + ".tail")).stat().st_size == 1500
    assert len(_records(path)) == 7 and len(list(iter_index(index_path(path)))) == 3


def test_the_warc_directory_is_beside_the_sqlite_database(tmp_path, monkeypatch):
    monkeypatch.delenv("GOVCRAWL_WARC_DIR", raising=False)
    monkeypatch.delenv("GOVCRAWL_DB", raising=False)
    assert warc_dir(None, f"sqlite:///{tmp_path}/x/g.sqlite") == tmp_path / "x" / "warc"
    assert warc_dir(None, None) == Path("data") / "warc"  # the default database's: ./data/warc
    assert warc_dir(None, "postgresql+psycopg://u@h/db") == Path("data") / "warc"
    assert warc_dir(str(tmp_path / "w"), f"sqlite:///{tmp_path}/g.sqlite") == tmp_path / "w"
    monkeypatch.setenv("GOVCRAWL_WARC_DIR", str(tmp_path / "env"))
    assert warc_dir(None, "postgresql+psycopg://u@h/db") == tmp_path / "env"


def test_records_are_on_disk_when_write_returns(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    files = WarcFiles(tmp_path, run="4", fsync=True)
    for i in range(3):
        before = len(synced)
        (written,) = files.write([_exchange(f"http://a.gov.vn/{i}", f"<p>{i}</p>".encode())])
        # read through a handle of its own: the bytes are the OS's already, and fsynced
        assert read_capture(tmp_path, written.ref).payload == f"<p>{i}</p>".encode()
        assert len(synced) > before
    batch = files.write([_exchange(f"http://a.gov.vn/b{i}", b"x") for i in range(5)])
    assert len(batch) == 5
    files.close()


def test_the_middleware_holds_the_response_until_its_record_is_written(tmp_path):
    import asyncio

    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.warc import WarcCapture

    crawler = get_crawler(settings_dict={"GOVCRAWL_WARC_DIR": str(tmp_path), "GOVCRAWL_WARC_FSYNC": False})
    capture = WarcCapture.from_crawler(crawler)
    capture.spider_opened()
    request = Request("http://a.gov.vn/tin-tuc?page=2", headers={"Authorization": "Basic c2VjcmV0",
                                                                   "User-Agent": "govcrawl/test"})
    response = HtmlResponse("http://a.gov.vn/tin-tuc?page=2", status=404, body=b"<html>not here</html>",
                            headers={"Content-Type": "text/html"}, request=request)

    async def respond():
        passed = await capture.process_response(request, response)
        # the moment it goes on, its record is readable through the reference it carries
        capture_ = read_capture(tmp_path, request.meta["warc"])
        return passed, capture_

    passed, captured = asyncio.run(respond())
    assert passed is response and captured.status == 404 and captured.payload == b"<html>not here</html>"
    capture.spider_closed()
    (path,) = warc_files(tmp_path)
    assert path.name.startswith("govcrawl-norun-")  # no storage pipeline: no run
    request_record = _records(path)[2]
    assert request_record.rec_type == "request"
    assert request_record.http_headers.protocol == "GET" and "/tin-tuc?page=2" in request_record.http_headers.statusline
    assert request_record.http_headers.get_header("Host") == "a.gov.vn"
    assert request_record.http_headers.get_header("Authorization") is None  # credentials are not archived
    assert crawler.stats.get_value("govcrawl/warc/records") == 1


def test_a_failed_write_captures_nothing_and_the_next_write_starts_a_new_file(tmp_path):
    files = WarcFiles(tmp_path, run="6", fsync=False)
    (kept,) = files.write([_exchange("http://a.gov.vn/kept", b"<p>kept</p>")])
    good = files.files[0].stat().st_size

    class FullDisk:
        def __init__(self, handle):
            self.handle, self.left = handle, 100

        def write(self, data):  # the disk fills up part-way through the batch
            if len(data) > self.left:
                self.handle.write(data[:self.left])
                raise OSError(28, "No space left on device")
            self.left -= len(data)
            return self.handle.write(data)

        def __getattr__(self, name):
            return getattr(self.handle, name)

    files._file = FullDisk(files._file)
    with pytest.raises(OSError):
        files.write([_exchange("http://a.gov.vn/lost", os.urandom(5000))])
    assert files.files[0].stat().st_size == good and scan(files.files[0]).tail == 0  # cut back
    (after,) = files.write([_exchange("http://a.gov.vn/after", b"<p>after</p>")])
    files.close()
    assert after.ref.file == files.files[1].name != kept.ref.file
    assert read_capture(tmp_path, kept.ref).payload == b"<p>kept</p>"
    assert read_capture(tmp_path, after.ref).payload == b"<p>after</p>"
    assert files.records == 2
