"""WARC capture: every response the crawl receives, written as WARC/1.1 records before the spider
sees it, and the tools that read them back.

What is written. Each response — article pages, listings, sitemaps, feeds, robots.txt, redirects,
error pages — is a `response` record (the HTTP status line and headers, then the body exactly as
the server sent it, content coding included) followed by its `request` record (the request line
and headers sent, `WARC-Concurrent-To` the response). A 304, or a 200 whose payload digest is the
one of the URL's last stored capture, is a `revisit` record instead (profile
http://netpreserve.org/warc/1.1/revisit/identical-payload-digest; `WARC-Refers-To-Target-URI` and
`WARC-Refers-To-Date` read from the original record; a 304's revisit carries the stored response's
status line and headers freshened by the 304's, RFC 9111 4.3.4, which is what replay tools serve:
a 304 block replays as an empty 304). Records are written with warcio's
WARCWriter, each its own gzip member; files are `govcrawl-<run>-<UTC yyyymmddHHMMSS>-<seq>.warc.gz`
in the WARC directory, each opening with a `warcinfo` record (software and version, run, portals,
format), rotated before a record pair would take one past GOVCRAWL_WARC_MAX_SIZE bytes (a pair
larger than that gets a file of its own). When a file is closed (rotation, end of the crawl) its
CDXJ index — pywb's format, by cdxj-indexer — is written beside it as `<name>.cdxj`.

What Scrapy lets us see. Twisted hands over the body with the transfer coding (chunked) undone
and keeps the connection headers (Transfer-Encoding, Connection, Keep-Alive) to itself; Scrapy
puts a Content-Length first when the length was known. The record has every other header as
received, and the standard reason phrase. Request records leave out Authorization and
Proxy-Authorization (credentials are not archived). A download cancelled past DOWNLOAD_MAXSIZE
is no response: nothing is written for it.

Why a downloader middleware, not an extension on `response_received` / `bytes_received`: the
capture has to (1) hold the response until its record is on disk — `process_response` is a
coroutine the downloader awaits, a signal handler cannot delay anything; (2) see the response as
it came off the wire — at 720 it runs before CookiesMiddleware (700), RedirectScope (650),
RedirectMiddleware (600) and HttpCompressionMiddleware (590) act on it, while `response_received`
fires after the whole chain: redirects already followed, bodies already decompressed, a retried
503 never seen; `bytes_received` gives chunks without the exchange around them; (3) give the
spider the record's reference in the request's meta (`meta["warc"]`, a storage.captures.WarcRef),
so it reaches storage with the page (PageItem.warc -> PageJob.warc -> page state, article URLs).

Crash safety. The records are written on a thread of their own (the reactor never waits for the
disk), each record pair in one write() call; after a batch (responses that arrived while the
previous write was in progress are written together) the file is flushed to the OS — a killed
crawl loses nothing written — and, with GOVCRAWL_WARC_FSYNC (default), fsynced, so a power loss
does not lose it either (new files: their directory too). Only then does the response go on to
the spider, so no page can be committed to the database without its record. A crawl killed
mid-write leaves at most one truncated gzip member at the end of a file; the next crawl (or
`govcrawl warc pack`) moves such a tail to `<name>.tail`, leaving the file valid WARC, and writes
the missing index. A file being written is held under an exclusive flock, so that repair never
touches a file another crawl is writing.
"""
from __future__ import annotations

import asyncio
import base64
import fcntl
import hashlib
import logging
import os
import queue
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler import __version__
from storage.captures import WarcRef, last_captures
from storage.db import resolve_url

logger = logging.getLogger(__name__)

WARC_VERSION = "1.1"
FILE_PATTERN = re.compile(r"^govcrawl-(?P<run>[^-]+)-(?P<stamp>\d{14})-(?P<seq>\d{5})\.warc\.gz$")
DEFAULT_DIR = Path("data") / "warc"
ENV_DIR = "GOVCRAWL_WARC_DIR"
# request headers not archived: credentials
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
# response headers that describe the connection, not the payload as stored (Twisted keeps most to itself)
_CONNECTION_HEADERS = frozenset({"transfer-encoding"})
_READ_CHUNK = 1 << 20


class WarcError(Exception):
    """A WARC record cannot be read where its reference says."""


def warc_dir(configured: str | None = None, db_url: str | None = None) -> Path:
    """The WARC directory: `configured` (GOVCRAWL_WARC_DIR), else $GOVCRAWL_WARC_DIR, else `warc/`
    beside the SQLite database file (so the default database's is data/warc/), else data/warc/."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    try:
        url = make_url(resolve_url(db_url))
    except ArgumentError:
        return DEFAULT_DIR
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).expanduser().parent / "warc"
    return DEFAULT_DIR


def index_path(path: Path) -> Path:
    """Where the CDXJ index of a WARC file is: beside it, `<name>.cdxj` (for `x.warc.gz`: `x.cdxj`)."""
    return path.with_name(path.name.removesuffix(".warc.gz") + ".cdxj")


def payload_digest(payload: bytes) -> str:
    """WARC-Payload-Digest as warcio writes it: sha1, base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


# -- writing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the response that answered it, as they went over the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    protocol: str
    response_headers: list[tuple[str, str]]
    body: bytes                # as received: content coding kept
    date: datetime             # when the response came in (UTC)
    ip: str | None = None
    # the URL may have a stored capture (a page state when the run began): only then is the
    # database asked what its last capture was (a first crawl asks nothing)
    known: bool = True


@dataclass(frozen=True, slots=True)
class Written:
    """What writing one exchange did: the reference of the record holding its payload (a revisit:
    the original's; a 304 with no original: None) and the record type written."""

    ref: WarcRef | None
    record_type: str  # "response" | "revisit"


@dataclass(slots=True)
class WarcFiles:
    """The WARC files of one run: written on one thread (not the reactor's), rotated by size.

    `lookup(urls)` gives the last stored capture of each URL (storage.captures.last_captures):
    what a 304 or an identical payload is a revisit of. Counters for the run report: files,
    bytes, records (responses and revisits; requests and warcinfo not counted), revisits."""

    directory: Path
    run: str
    portals: Sequence[str] = ()
    max_size: int = 1_000_000_000
    fsync: bool = True
    lookup: Callable[[list[str]], dict[str, WarcRef]] | None = None
    user_agent: str = ""
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    files: list[Path] = field(default_factory=list)
    bytes: int = 0
    records: int = 0
    revisits: int = 0
    _file: Any = None
    _size: int = 0
    _pairs: int = 0  # record pairs in the current file
    _synced: int = 0  # bytes of the current file flushed (and fsynced) so far
    _on_close: Callable[[Path], None] | None = None

    def write(self, exchanges: Sequence[Exchange]) -> list[Written]:
        """Write the exchanges, then flush (and fsync) once: on disk when this returns. If the
        disk fails (full, gone), the file is cut back to its last flushed record and closed (the
        next write starts a new one) and the error raised: none of these exchanges is captured."""
        wanted = [e.url for e in exchanges if e.known and e.status in (200, 304)]
        previous = self.lookup(wanted) if self.lookup and wanted else {}
        written, nbytes = [], 0
        try:
            for exchange in exchanges:
                blob, record_type, at, length, ref = self._encode(exchange, previous.get(exchange.url))
                self._make_room(len(blob))
                offset = self._size
                self._file.write(blob)
                self._size += len(blob)
                self._pairs += 1
                nbytes += len(blob)
                if record_type == "response" and exchange.status != 304:
                    ref = WarcRef(self._path.name, offset + at, length, *ref)  # (digest, sha256) so far
                written.append(Written(ref, record_type))
            self._sync()
        except OSError:
            self._abandon()
            raise
        self.bytes += nbytes
        self.records += len(written)
        self.revisits += sum(w.record_type == "revisit" for w in written)
        return written

    def _sync(self) -> None:
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())
        self._synced = self._size

    def _abandon(self) -> None:
        """After a failed write: the current file cut back to what was last flushed, closed."""
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            handle.truncate(self._synced)
            handle.close()
        except OSError:
            pass
        (self._on_close or _index_logged)(self._path)

    @property
    def _path(self) -> Path:
        return self.files[-1]

    def _make_room(self, nbytes: int) -> None:
        if self._file is not None and self._pairs and self._size + nbytes > self.max_size:
            self.close_file()
        if self._file is None:
            self._open()

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        seq = len(self.files) + 1
        while True:  # another database's run of the same number may share the directory
            path = self.directory / f"govcrawl-{self.run}-{self.stamp}-{seq:05d}.warc.gz"
            try:
                handle = open(path, "xb")
                break
            except FileExistsError:
                seq += 1
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # "being written" (see `repair`)
        self._file, self._size, self._pairs = handle, 0, 0
        self.files.append(path)
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
        writer.write_record(writer.create_warcinfo_record(path.name, self._warcinfo()))
        handle.write(buffer.getvalue())
        self._size = len(buffer.getvalue())
        self.bytes += self._size
        self._sync()
        if self.fsync:
            _fsync_dir(self.directory)
        logger.info("writing WARC records to %s", path)

    def _warcinfo(self) -> dict[str, str]:
        from importlib.metadata import version

        return {
            "software": f"govcrawl/{__version__} (warcio/{version('warcio')}; Scrapy/{version('scrapy')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": f"govcrawl-run-{self.run}",
            "govcrawl-run": self.run,
            "govcrawl-portals": " ".join(self.portals),
            "http-header-user-agent": self.user_agent,
            "description": "news of Vietnamese government portals, archived by govcrawl",
        }

    def _encode(self, e: Exchange, previous: WarcRef | None) -> tuple[bytes, str, int, int, Any]:
        """The gzip members of the exchange's record pair: (bytes, type of the first record, its
        offset and length in those bytes, its reference or (digest, sha256) of a new payload)."""
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
        date = datetime_to_iso_date(e.date.astimezone(UTC).replace(tzinfo=None), use_micros=True)
        common = {"WARC-Date": date, **({"WARC-IP-Address": e.ip} if e.ip else {})}
        http = StatusAndHeaders(f"{e.status} {_phrase(e.status)}", e.response_headers, protocol=e.protocol)
        digest = payload_digest(e.body)
        original = None
        if previous is not None and (e.status == 304 or (e.status == 200 and previous.digest == digest)):
            original = self._original(previous)
        if original is not None:
            uri, when, stored = original
            if e.status == 304:  # the stored response, freshened by the 304: what replay serves
                http = _freshened(stored, e.response_headers)
            record = writer.create_revisit_record(e.url, previous.digest, uri, when, http_headers=http,
                                                  warc_headers_dict=dict(common))
            record_type, ref = "revisit", previous
        else:
            record = writer.create_warc_record(
                e.url, "response", payload=BytesIO(e.body), length=len(e.body), http_headers=http,
                warc_headers_dict={**common, "WARC-Payload-Digest": digest})
            record_type, ref = "response", (None if e.status == 304 else (digest, hashlib.sha256(e.body).hexdigest()))
        split = urlsplit(e.url)
        target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        request = writer.create_warc_record(
            e.url, "request", payload=BytesIO(e.request_body), length=len(e.request_body),
            http_headers=StatusAndHeaders(f"{e.method} {target} HTTP/1.1", e.request_headers, is_http_request=True),
            warc_headers_dict={**common, "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")})
        writer.write_record(record)
        length = buffer.tell()
        writer.write_record(request)
        return buffer.getvalue(), record_type, 0, length, ref

    def _original(self, ref: WarcRef) -> tuple[str, str, StatusAndHeaders] | None:
        """(target URI, date, HTTP headers) of the record a revisit refers to; None when it cannot
        be read or holds another payload (then the payload is written again in full)."""
        try:
            record = load_record(self.directory, ref)
        except (OSError, WarcError) as exc:
            logger.debug("original capture %s unreadable (%s): written in full", ref, exc)
            return None
        headers = record.rec_headers
        if headers.get_header("WARC-Payload-Digest") != ref.digest or record.http_headers is None:
            return None
        return headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"), record.http_headers

    def close_file(self) -> None:
        """Close the current file and have it indexed."""
        if self._file is None:
            return
        self._sync()  # records of a batch written before it rotated: on disk before their responses go on
        self._file.close()  # the flock goes with it
        self._file = None
        path = self._path
        (self._on_close or write_index)(path)

    def close(self) -> None:
        self.close_file()


def _freshened(stored: StatusAndHeaders, fresh: Sequence[tuple[str, str]]) -> StatusAndHeaders:
    """The stored response's status line and headers, each header the 304 sends replacing the
    stored one of its name (RFC 9111 4.3.4, "Freshening Stored Responses upon Validation"; not
    Content-Length, which a 304 does not describe). A revisit of a 304 carries this block, so that
    replay (pywb, ReplayWeb.page take the revisit's headers) serves the page, not an empty 304;
    the request record's If-None-Match / If-Modified-Since tell the exchange was conditional."""
    sent = {name.lower() for name, _ in fresh if name.lower() != "content-length"}
    headers = [(name, value) for name, value in stored.headers if name.lower() not in sent]
    headers += [(name, value) for name, value in fresh if name.lower() in sent]
    return StatusAndHeaders(stored.statusline, headers, protocol=stored.protocol)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WriterThread:
    """Runs a WarcFiles on a thread of its own: `submit` returns a Future of the exchange's
    Written. Exchanges that arrive while a write is in progress are written in one batch with
    one flush and fsync (group commit); closing files and indexing them happen there too, and
    indexes are written on a second thread, so writing never waits for one."""

    def __init__(self, files: WarcFiles, *, repair_first: bool = True) -> None:
        self.files = files
        self.repair_first = repair_first
        self._jobs: queue.SimpleQueue[tuple[Exchange, Future[Written]] | None] = queue.SimpleQueue()
        self._indexing: list[threading.Thread] = []
        files._on_close = self._index_later
        self._thread = threading.Thread(target=self._run, name="govcrawl-warc", daemon=True)
        self._thread.start()

    def submit(self, exchange: Exchange) -> Future[Written]:
        future: Future[Written] = Future()
        self._jobs.put((exchange, future))
        return future

    def _run(self) -> None:
        if self.repair_first:  # before this run's first file exists: nothing of its own to mistake
            _repair_logged(self.files.directory)
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while True:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            try:
                results = self.files.write([exchange for exchange, _ in batch])
            except BaseException as exc:  # disk full, directory gone: every response of the batch is told
                for _, future in batch:
                    future.set_exception(exc)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    future.set_result(result)
            if stop:
                return

    def _index_later(self, path: Path) -> None:
        thread = threading.Thread(target=_index_logged, args=(path,), name="govcrawl-warc-index", daemon=True)
        thread.start()
        self._indexing.append(thread)

    def close(self) -> None:
        """Write what is queued, close the file, wait for every index."""
        self._jobs.put(None)
        self._thread.join()
        self.files.close()
        for thread in self._indexing:
            thread.join()


def _index_logged(path: Path) -> None:
    try:
        write_index(path)
    except OSError as exc:  # a full disk: one line (an index can be written again: `govcrawl warc pack`)
        logger.error("cannot index %s: %s (`govcrawl warc pack` indexes it again)", path, exc)
    except Exception:  # an index can be written again (`govcrawl warc pack` does): said, not fatal
        logger.exception("cannot index %s", path)


# -- the Scrapy side --------------------------------------------------------------------------


class _CaptureLookup:
    """The last stored capture of URLs, read on the WARC thread through a session of its own."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.session: Any = None

    def __call__(self, urls: list[str]) -> dict[str, WarcRef]:
        if self.session is None:
            self.session = self.db.session(readonly=True)
        try:
            with self.session.begin():
                return last_captures(self.session, urls)
        except SQLAlchemyError as exc:
            self.session.rollback()
            logger.warning("cannot read earlier captures (%s): responses written in full", exc)
            return {}

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class WarcCapture:
    """Downloader middleware: every response written as WARC records, on disk before it goes on;
    its record's reference in `request.meta["warc"]` (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("GOVCRAWL_WARC", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = warc_dir(settings.get("GOVCRAWL_WARC_DIR"), settings.get("GOVCRAWL_DB"))
        self.max_size = settings.getint("GOVCRAWL_WARC_MAX_SIZE", 1_000_000_000)
        self.fsync = settings.getbool("GOVCRAWL_WARC_FSYNC", True)
        self.user_agent = settings.get("USER_AGENT", "")
        self.thread: WriterThread | None = None
        self.lookup: _CaptureLookup | None = None
        self.failed = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        capture = cls(crawler)
        crawler.signals.connect(capture.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(capture.spider_closed, signal=signals.spider_closed)
        return capture

    def spider_opened(self, spider: Any = None) -> None:
        """The WARC thread starts: first it repairs and indexes the files a killed run left, then
        it writes (the run id is known: the storage pipeline opened before this signal)."""
        self.stats.set_value("govcrawl/warc/dir", str(self.directory.resolve()))
        self._writer()

    def _writer(self) -> WriterThread:
        if self.thread is None:
            spider = self.crawler.spider
            run = self.stats.get_value("govcrawl/run_id")
            state = getattr(spider, "state", None)  # the crawl state: None without the storage pipeline
            self.lookup = _CaptureLookup(state.db) if state is not None else None
            self.thread = WriterThread(WarcFiles(
                self.directory, run=str(run) if run is not None else "norun",
                portals=sorted(getattr(spider, "portals", {}) or ()), max_size=self.max_size, fsync=self.fsync,
                lookup=self.lookup, user_agent=self.user_agent))
        return self.thread

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        exchange = _exchange(request, response, self._known(request.meta.get("portal"), response.url))
        try:
            written = await asyncio.wrap_future(self._writer().submit(exchange))
        except Exception as exc:  # the page goes on uncaptured: counted, said once, in the run report
            self.failed += 1
            self.stats.inc_value("govcrawl/warc/errors")
            if self.failed == 1:
                logger.error("cannot write WARC records to %s (%s: %s); responses go on uncaptured",
                             self.directory, type(exc).__name__, exc)
            request.meta["warc"] = None
            return response
        request.meta["warc"] = written.ref
        self.stats.inc_value("govcrawl/warc/records")
        if written.record_type == "revisit":
            self.stats.inc_value("govcrawl/warc/revisits")
        self._count()
        return response

    def _known(self, portal: str | None, url: str) -> bool:
        """Whether `url` had a page state when the run began (the crawl state loaded them all)."""
        state = getattr(self.crawler.spider, "state", None)
        start = state.portals.get(portal) if state is not None and portal else None
        return start is not None and (url in start.known or url in start.pages)

    def _count(self) -> None:
        files = self.thread.files if self.thread is not None else None
        if files is not None:
            self.stats.set_value("govcrawl/warc/files", len(files.files))
            self.stats.set_value("govcrawl/warc/bytes", files.bytes)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.thread is not None:
            self.thread.close()
            self._count()
        if self.lookup is not None:
            self.lookup.close()


def _exchange(request: Request, response: Response, known: bool = True) -> Exchange:
    split = urlsplit(response.url)
    request_headers = [(name.decode("latin-1"), value.decode("latin-1"))
                       for name, values in request.headers.items() for value in values
                       if name.decode("latin-1").lower() not in _SECRET_HEADERS]
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", split.netloc))
    response_headers = [(name.decode("latin-1"), value.decode("latin-1"))
                        for name, values in response.headers.items() for value in values
                        if name.decode("latin-1").lower() not in _CONNECTION_HEADERS]
    return Exchange(
        url=response.url, method=request.method, request_headers=request_headers, request_body=request.body or b"",
        status=response.status, protocol=response.protocol or "HTTP/1.1", response_headers=response_headers,
        body=response.body, date=datetime.now(UTC),
        ip=str(response.ip_address) if response.ip_address is not None else None, known=known)


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Capture:
    """A record read back through its reference."""

    record_type: str
    uri: str
    date: str
    status: int | None
    headers: list[tuple[str, str]]
    payload: bytes   # as stored (what WARC-Payload-Digest is over)
    body: bytes      # content coding undone: what the crawl read (what page_states.body_hash is of)


def _record_bytes(directory: Path | str, ref: Sequence[Any]) -> bytes:
    file, offset, length = ref[0], int(ref[1]), int(ref[2])
    with open(Path(directory) / file, "rb") as fh:
        fh.seek(offset)
        blob = fh.read(length)
    if len(blob) != length:
        raise WarcError(f"{file} ends before the record at {offset} (+{length}) does")
    return blob


def load_record(directory: Path | str, ref: Sequence[Any]) -> Any:
    """The warcio record at `ref` (file, offset, length, ...), its stream in memory."""
    blob = _record_bytes(directory, ref)
    try:
        return next(iter(ArchiveIterator(BytesIO(blob))))
    except StopIteration:
        raise WarcError(f"no WARC record in {ref[0]} at {ref[1]}") from None
    except Exception as exc:  # warcio's ArchiveLoadFailed, zlib.error: not a record there
        raise WarcError(f"{ref[0]} at {ref[1]}: {type(exc).__name__}: {exc}") from exc


def read_capture(directory: Path | str, ref: Sequence[Any]) -> Capture:
    """Resolve a reference (storage.captures.WarcRef or any (file, offset, length, ...)): open the
    file, seek, read the record; its payload as stored and as the crawl read it."""
    record = load_record(directory, ref)
    payload = record.raw_stream.read()
    body = load_record(directory, ref).content_stream().read()
    http = record.http_headers
    return Capture(
        record_type=record.rec_type, uri=record.rec_headers.get_header("WARC-Target-URI"),
        date=record.rec_headers.get_header("WARC-Date"),
        status=int(http.get_statuscode()) if http is not None and http.get_statuscode() else None,
        headers=list(http.headers) if http is not None else [], payload=payload, body=body)


@dataclass(frozen=True, slots=True)
class Scan:
    """A WARC file read member by member: the complete gzip members (one record each) and
    where the last one ends; `tail` bytes after it are a truncated record (a killed write)."""

    members: list[tuple[int, int]]  # (offset, length)
    complete: int
    size: int

    @property
    def tail(self) -> int:
        return self.size - self.complete


def scan(path: Path) -> Scan:
    """The gzip members of a WARC file, up to the last complete one. (A member inflates to one
    record, at most DOWNLOAD_MAXSIZE and its headers: the inflated bytes are dropped as they come.)"""
    members: list[tuple[int, int]] = []
    size = path.stat().st_size
    start = 0  # where the member being read began: the end of the last complete one
    with open(path, "rb") as fh:
        read = 0  # bytes read from the file so far
        data = b""  # read and not yet fed to the inflater
        inflater = zlib.decompressobj(31)
        while True:
            if not data:
                data = fh.read(_READ_CHUNK)
                read += len(data)
                if not data:
                    break
            try:
                inflater.decompress(data)
            except zlib.error:
                break  # not gzip: the tail starts where the last good member ended
            if inflater.eof:
                data = inflater.unused_data
                end = read - len(data)
                members.append((start, end - start))
                start = end
                inflater = zlib.decompressobj(31)
            else:
                data = b""
    return Scan(members, start, size)


def write_index(path: Path) -> Path:
    """Write `<name>.cdxj` beside a closed WARC file: pywb's CDXJ (SURT key, timestamp, JSON with
    url, mime, status, digest, length, offset, filename), sorted, by cdxj-indexer; responses,
    revisits, resources and metadata records, each request joined to its response."""
    from cdxj_indexer.main import CDXJIndexer

    target = index_path(path)
    partial = target.with_name(target.name + ".tmp")
    CDXJIndexer(str(partial), [str(path)], sort=True, post_append=True,
                records="response,revisit,resource,metadata").process_all()
    os.replace(partial, target)
    return target


def repair(directory: Path) -> list[Path]:
    """Files of runs that ended without closing them (killed): the truncated record at the end, if
    any, moved to `<name>.tail` (the file is valid WARC again) and the index written. Files
    another crawl is writing (flocked) are left alone. Returns the files repaired or indexed."""
    done = []
    for path in warc_files(directory):
        if index_path(path).exists() or path.stat().st_size == 0:
            continue  # indexed (closed); or just created by a crawl that is about to lock it
        try:
            handle = open(path, "r+b")
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being written
            found = scan(path)
            if found.tail:
                handle.seek(found.complete)
                tail = handle.read()
                tail_path = path.with_name(path.name + ".tail")
                tail_path.write_bytes(tail)
                handle.truncate(found.complete)
                handle.flush()
                os.fsync(handle.fileno())
                logger.warning("%s: a record cut off by a killed write (%d bytes) moved to %s",
                               path, len(tail), tail_path)
            write_index(path)
        done.append(path)
    return done


def _repair_logged(directory: Path) -> None:
    try:
        repaired = repair(directory) if directory.is_dir() else []
    except Exception:
        logger.exception("cannot repair the WARC files in %s", directory)
        return
    if repaired:
        logger.info("indexed %d WARC files an earlier crawl left unclosed", len(repaired))


def warc_files(directory: Path, run: int | str | None = None) -> list[Path]:
    """govcrawl's WARC files in `directory` (of one run), in the order they were written."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = FILE_PATTERN.match(path.name)
        if match and (run is None or match["run"] == str(run)):
            found.append((match["stamp"], match["run"], int(match["seq"]), path))
    return [path for *_, path in sorted(found)]


def iter_index(path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(urlkey, timestamp, fields) of each line of a CDXJ index."""
    import json

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, ts, fields = line.rstrip("\n").split(" ", 2)
            yield key, ts, json.loads(fields)
