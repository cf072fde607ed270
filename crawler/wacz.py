"""`govcrawl warc list` and `govcrawl warc pack RUN`: the WARC files of the archive, and one run's
captures as a WACZ (py-wacz: Webrecorder's WACZ 1.1.1 writer) that ReplayWeb.page and pywb open.

A run's WACZ holds its WARC files and, so that it replays on its own, the earlier files holding
the originals its revisit records refer to (an incremental run is mostly revisits: 304s and pages
that did not change). `pages/pages.jsonl` lists the run's article pages with their titles (from
the database); `indexes/` holds the CDXJ index py-wacz builds over all of them, and
`datapackage.json` the SHA-256 of every file.
"""
from __future__ import annotations

import contextlib
import fcntl
import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp, timestamp_to_iso_date

from crawler.warc import FILE_PATTERN, index_path, iter_index, repair, warc_files
from storage import Database
from storage.models import ArticleUrl


class PackError(Exception):
    """The run cannot be packed, and why (a usage error: no such files, still being written)."""


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: Path
    run: str
    size: int
    state: str  # "indexed" | "open" (a crawl is writing it) | "unindexed" (left by a killed crawl)
    records: int | None  # index lines (responses and revisits), when indexed


def file_infos(directory: Path) -> list[FileInfo]:
    infos = []
    for path in warc_files(directory):
        match = FILE_PATTERN.match(path.name)
        assert match is not None
        index = index_path(path)
        if index.exists():
            state, records = "indexed", sum(1 for _ in index.open(encoding="utf-8"))
        else:
            state, records = ("open" if _being_written(path) else "unindexed"), None
        infos.append(FileInfo(path, match["run"], path.stat().st_size, state, records))
    return infos


def _being_written(path: Path) -> bool:
    with open(path, "rb") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def print_files(directory: Path, out: io.TextIOBase | None = None) -> int:
    """The `govcrawl warc list` table; returns the number of files."""
    infos = file_infos(directory)
    print(f"{'file':<48} {'run':>6} {'MB':>9} {'records':>8}  state", file=out)
    for info in infos:
        records = "-" if info.records is None else str(info.records)
        print(f"{info.path.name:<48} {info.run:>6} {info.size / 1e6:>9.2f} {records:>8}  {info.state}", file=out)
    total = sum(info.size for info in infos)
    print(f"{len(infos)} WARC files, {total / 1e6:.1f} MB, in {directory}", file=out)
    return len(infos)


@dataclass(frozen=True, slots=True)
class Packed:
    output: Path
    files: list[Path]      # WARC files in the WACZ
    earlier: list[Path]    # of those, the earlier runs' files holding revisits' originals
    pages: int
    missing_originals: int  # revisit records whose original is in no file of the directory

    def describe(self) -> str:
        earlier = f" ({len(self.earlier)} of earlier runs: the originals of its revisits)" if self.earlier else ""
        missing = (f"; {self.missing_originals} revisit records refer to captures in no file of the WARC "
                   "directory (they will not replay)") if self.missing_originals else ""
        return (f"wrote {self.output}: {len(self.files)} WARC files{earlier}, {self.pages} pages, "
                f"{self.output.stat().st_size / 1e6:.1f} MB{missing}")


def pack_run(directory: Path, run_id: int, output: Path, db: Database) -> Packed:
    """Write the WACZ of run `run_id` (see the module docstring)."""
    files = warc_files(directory, run_id)
    if not files:
        raise PackError(f"no WARC files of run {run_id} in {directory} (was it crawled with GOVCRAWL_WARC=0, "
                        "or are its files elsewhere? --dir DIR)")
    repair(directory)  # files of a killed run: valid again, and indexed
    open_files = [path for path in files if not index_path(path).exists()]
    if open_files:
        raise PackError(f"run {run_id} is still being written ({open_files[0].name}); pack it once it has ended")
    wanted = _revisited(files)
    earlier, found = _originals(directory, set(files), wanted)
    entries = [(fields["url"], ts) for path in files for _, ts, fields in iter_index(index_path(path))
               if fields.get("mime") in ("text/html", "warc/revisit") and fields.get("status") in ("200", "304")]
    titles = _titles(db, {url for url, _ in entries})
    pages = {}
    for url, ts in entries:  # a page once: its first capture in the run
        if url in titles and url not in pages:
            pages[url] = {"url": url, "ts": timestamp_to_iso_date(ts), "title": titles[url] or url}
    inputs = [*earlier, *files]
    with tempfile.TemporaryDirectory(prefix="govcrawl-wacz-") as tmp:
        pages_path = Path(tmp) / "pages.jsonl"
        with pages_path.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": f"govcrawl run {run_id}"}) + "\n")
            for page in pages.values():
                fh.write(json.dumps(page, ensure_ascii=False) + "\n")
        _create_wacz(output, pages_path, inputs, run_id)
    return Packed(output, inputs, earlier, len(pages), len(wanted) - found)


def _revisited(files: Iterable[Path]) -> set[tuple[str, str]]:
    """(original URL, 14-digit timestamp) of every revisit record in `files`."""
    wanted = set()
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "revisit":
                    headers = record.rec_headers
                    wanted.add((headers.get_header("WARC-Refers-To-Target-URI"),
                                iso_date_to_timestamp(headers.get_header("WARC-Refers-To-Date"))))
    return wanted


def _originals(directory: Path, exclude: set[Path], wanted: set[tuple[str, str]]) -> tuple[list[Path], int]:
    """The other files of the directory that hold some of the `wanted` captures (their CDXJ
    indexes say), and how many of them were found."""
    if not wanted:
        return [], 0
    chosen, found = [], set()
    for path in warc_files(directory):
        index = index_path(path)
        if path in exclude or not index.exists():
            continue
        hits = {(fields["url"], ts) for _, ts, fields in iter_index(index)} & wanted
        if hits - found:
            chosen.append(path)
            found |= hits
    return chosen, len(found)


def _titles(db: Database, urls: set[str]) -> dict[str, str | None]:
    """Titles of the URLs that are stored article URLs."""
    titles: dict[str, str | None] = {}
    ordered = sorted(urls)
    with db.session(readonly=True) as session:
        for at in range(0, len(ordered), 500):
            rows = session.execute(select(ArticleUrl.url, ArticleUrl.title).where(ArticleUrl.url.in_(ordered[at:at + 500])))
            titles.update((url, title) for url, title in rows)
    return titles


def _create_wacz(output: Path, pages: Path, inputs: Sequence[Path], run_id: int) -> None:
    """py-wacz's `wacz create`, its chatter kept unless it fails."""
    from wacz.main import main as wacz_main

    args = ["create", "-o", str(output), "-p", str(pages), "--hash-type", "sha256",
            "--title", f"govcrawl run {run_id}",
            "--desc", f"WARC captures of govcrawl run {run_id} (news of Vietnamese government portals)",
            *map(str, inputs)]
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        code = wacz_main(args)
    if code != 0:
        raise PackError(f"py-wacz could not write {output}: {chatter.getvalue().strip()[-2000:]}")
