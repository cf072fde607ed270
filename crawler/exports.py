"""`govcrawl export`: the formats (jsonl, csv, parquet, pages), the filters and the cursor file.

The stories and their records come from `storage.exports`; this module turns the command's
options into a `Selection` (portal keys and province names through the registry, dates, runs,
change windows), writes the records, and keeps the cursor of incremental exports.

A cursor file (`--cursor FILE`) records how far the last export read: the highest article id and
article URL id of its snapshot, the ids below them not yet committed then (`pending`, PostgreSQL),
and the filters it was made with. The next export with the same file writes exactly the stories
that changed since (a new article row: new story, version or near-duplicate copy; a new URL row:
an exact copy), and moves the cursor on only once the output is complete. A missing file means
"from the start". See storage/exports.py for the rule.
"""
from __future__ import annotations

import csv
import difflib
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from sqlalchemy.exc import SQLAlchemyError

from crawler.cli import EXIT_DATABASE, EXIT_FAILED, EXIT_OK, EXIT_REGISTRY, EXIT_USAGE
from crawler.feeds import CSV_FIELDS, csv_cell
from crawler.registry import RegistryError
from storage import Database, StorageError
from storage import exports as store
from storage.repository import VN_TZ

FORMATS = ("jsonl", "csv", "parquet", "pages")
CURSOR_FORMAT = "govcrawl-export-cursor/1"
PENDING_DAYS = 7  # an id missing this long was rolled back, not in flight: it is forgotten
PARQUET_BATCH = 1000  # stories per Parquet row group (and the most held in memory at once)
PAGES_TITLE = "govcrawl pages"
# CSV: the feed's columns (crawler/feeds.py), then the export's provenance columns
CSV_EXTRA = ("story_id", "cluster_id", "province", "province_before", "first_seen", "last_seen",
             "extractor_version", "runs", "warc", "copies", "versions")
EXPORT_CSV_FIELDS = (*CSV_FIELDS, *CSV_EXTRA)


class UsageError(ValueError):
    """An option the export cannot use: the message says which and what would do."""


# --------------------------------------------------------------------------- options


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: str = "jsonl"
    output: str | None = None
    bom: bool = False
    portals: tuple[str, ...] = ()
    province: str | None = None
    since: datetime | None = None
    since_text: str | None = None
    since_field: str = "stored"
    run: int | None = None
    after_id: int | None = None
    cursor: Path | None = None
    registry: str | None = None
    title: str = PAGES_TITLE


def parse_since(text: str) -> datetime:
    """`--since`: a day (YYYY-MM-DD, from its start in Vietnam time) or an ISO date-time (without
    an offset: Vietnam time)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        if len(text) == 10:
            return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since {text}: not a date (write YYYY-MM-DD, read as Vietnam time, or an ISO "
                         "date-time such as 2025-07-01T08:00+07:00)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VN_TZ)


def options_from(args: Any) -> ExportOptions:
    """The export options of the parsed command line (attributes absent from `args` take their
    defaults, so callers may pass a namespace of the older export options); UsageError."""
    get = lambda name, default=None: getattr(args, name, default)  # noqa: E731
    fmt = get("format") or "jsonl"
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: choose one of {', '.join(FORMATS)}")
    if fmt == "parquet" and not get("output"):
        raise UsageError("--format parquet needs -o PATH (Parquet is binary, and its footer is written last)")
    if get("bom") and fmt != "csv":
        raise UsageError("--bom is for --format csv (a byte order mark for Excel)")
    since_field = get("since_field") or "stored"
    if since_field not in store.SINCE_FIELDS:
        raise UsageError(f"--since-field {since_field}: choose one of {', '.join(store.SINCE_FIELDS)}")
    if get("since_field") and not get("since"):
        raise UsageError("--since-field says which date --since compares: give --since DATE too")
    after_id, run = get("after_id"), get("run")
    if after_id is not None and after_id < 0:
        raise UsageError(f"--after-id {after_id}: an article id, 0 or more")
    if after_id is not None and get("cursor"):
        raise UsageError("--after-id and --cursor both say where to start: give one (the cursor file records "
                         "the article and URL positions itself)")
    if run is not None and run < 1:
        raise UsageError(f"--run {run}: a run id (govcrawl runs lists them)")
    since_text = get("since")
    return ExportOptions(
        format=fmt, output=get("output"), bom=bool(get("bom")), portals=tuple(dict.fromkeys(get("portal") or ())),
        province=get("province"), since=parse_since(since_text) if since_text else None, since_text=since_text,
        since_field=since_field, run=run, after_id=after_id,
        cursor=Path(get("cursor")) if get("cursor") else None, registry=get("registry"),
        title=get("title") or PAGES_TITLE)


# --------------------------------------------------------------------------- registry: provinces


def province_before_of(infos: Mapping[int, store.PortalInfo], registry_dir: str | None) -> dict[str, str | None]:
    """Each stored portal's province before the 2025 reform: the registry's `province_before`;
    for a portal the registry does not hold, the province itself when it was not merged (or is
    "unknown"), else None (not known)."""
    from crawler.registry import MERGED_INTO, UNKNOWN_PROVINCE, load_registry

    registry = load_registry(Path(registry_dir) if registry_dir else None)
    before: dict[str, str | None] = {}
    for info in infos.values():
        if info.key in registry:
            before[info.key] = registry.get(info.key).province_before
        elif info.province == UNKNOWN_PROVINCE or len(MERGED_INTO.get(info.province or "", ())) == 1:
            before[info.key] = info.province
        else:
            before[info.key] = None
    return before


def _folded(text: str) -> str:
    """Without any diacritics, lower case: "Hưng Yên" and "hung yen" alike."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def province_portals(name: str, infos: Mapping[int, store.PortalInfo]) -> tuple[str, frozenset[int]]:
    """(the province's own spelling, its portals' ids) for `--province NAME`: a province after the
    2025 reform selects every portal in it now (those of the provinces merged into it too); a
    pre-2025 province merged into another selects the portals that were in it. Tone-mark
    placement and case do not matter; a name written without diacritics ("thai binh") does when
    it names one province only. UsageError for a name that is none."""
    from cleaning.normalize import tone_key
    from crawler.registry import PRE_2025_PROVINCES, PROVINCES, UNKNOWN_PROVINCE

    def key(text: str | None) -> str | None:
        return tone_key(" ".join(text.casefold().split())) if text else None

    after = {key(p): p for p in (*PROVINCES, UNKNOWN_PROVINCE, *(i.province for i in infos.values() if i.province))}
    recorded = (i.province_before for i in infos.values() if i.province_before)
    before = {key(p): p for p in (*PRE_2025_PROVINCES, *recorded)}
    wanted = key(name)
    if wanted not in after and wanted not in before:  # written without diacritics?
        folded = _folded(name)
        spellings = {p for p in (*after.values(), *before.values()) if _folded(p) == folded}
        if len(spellings) == 1:
            wanted = key(spellings.pop())
    if wanted in after:
        return after[wanted], frozenset(i.id for i in infos.values() if key(i.province) == wanted)
    if wanted in before:
        return before[wanted], frozenset(i.id for i in infos.values() if key(i.province_before) == wanted)
    names = sorted(set(after.values()) | set(before.values()))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise UsageError(f"--province {name}: no such province{hint}; give a province after the 2025 reform "
                     "(e.g. Hưng Yên: all of it) or one before it (e.g. Thái Bình: the portals that were in it)")


# --------------------------------------------------------------------------- cursor


@dataclass(slots=True)
class Position:
    """How far one id sequence was read: `after`, and ids at or below it missing then."""

    after: int = 0
    pending: dict[int, str] = field(default_factory=dict)  # id -> when first noted missing (ISO)


@dataclass(slots=True)
class Cursor:
    filters: dict[str, Any]
    articles: Position = field(default_factory=Position)
    urls: Position = field(default_factory=Position)

    @classmethod
    def read(cls, path: Path, filters: dict[str, Any]) -> Cursor:
        """The cursor in `path` (a fresh one when the file does not exist); UsageError for a file
        that is no cursor or was made with other filters (it would skip what they now select)."""
        if not path.exists():
            return cls(filters)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != CURSOR_FORMAT:
                raise ValueError(f"format {data.get('format')!r}, not {CURSOR_FORMAT!r}")
            positions = [Position(int(data[name]["after"]), {int(i): str(t) for i, t in data[name]["pending"]})
                         for name in ("articles", "urls")]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"--cursor {path}: not a govcrawl export cursor ({exc}); remove it to export "
                             "everything again") from None
        if data.get("filters") != filters:
            raise UsageError(f"--cursor {path} was made with other filters ({json.dumps(data.get('filters'))}, "
                             f"now {json.dumps(filters)}): give the same filters, or another cursor file")
        return cls(filters, *positions)

    def write(self, path: Path, *, stories: int, now: datetime, database: str = "") -> None:
        """Atomically: the whole new file or the old one, never half of it. `stories` (how many
        the export wrote) and `database` are for people reading it."""
        data = {"format": CURSOR_FORMAT, "written": now.isoformat(), "database": database, "stories": stories,
                "filters": self.filters,
                **{name: {"after": pos.after, "pending": sorted([i, t] for i, t in pos.pending.items())}
                   for name, pos in (("articles", self.articles), ("urls", self.urls))}}
        _replace_atomically(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _replace_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _window(position: Position, upto: int) -> store.IdWindow:
    return store.IdWindow(position.after, max(upto, position.after), tuple(sorted(position.pending)))


def _advance(session: Any, table: str, position: Position, upto: int, now: datetime) -> Position:
    """The position after reading up to `upto`: ids still missing stay pending (until PENDING_DAYS
    old), and the ids missing below `upto` in this snapshot join them."""
    if upto <= position.after:  # nothing above the watermark (e.g. an emptied database)
        upto = position.after
    appeared = store.present_ids(session, table, sorted(position.pending))
    horizon = now - timedelta(days=PENDING_DAYS)
    pending = {i: t for i, t in position.pending.items()
               if i not in appeared and datetime.fromisoformat(t) > horizon}
    for i in store.missing_ids(session, table, position.after, upto):
        pending.setdefault(i, now.isoformat())
    return Position(upto, pending)


# --------------------------------------------------------------------------- writers


def _instant(value: Any) -> datetime | None:
    """An exported time (ISO text) as the aware datetime stored: a wall clock without offset (a
    foreign page that gave none) is stored labelled UTC, and comes back so."""
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


class JsonlSink:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, story: store.Story) -> None:
        self.out.write(json.dumps(story.record(), ensure_ascii=False) + "\n")

    def close(self) -> None:
        pass


class CsvSink:
    def __init__(self, out: IO[str], bom: bool) -> None:
        if bom:
            out.write("\ufeff")
        self.writer = csv.DictWriter(out, fieldnames=EXPORT_CSV_FIELDS, extrasaction="ignore")
        self.writer.writeheader()

    def write(self, story: store.Story) -> None:
        record = story.record()
        provenance = record["provenance"]
        row = {**record, **{k: provenance[k] for k in ("province", "province_before", "extractor_version",
                                                        "runs", "warc")}}
        self.writer.writerow({k: csv_cell(row.get(k)) for k in EXPORT_CSV_FIELDS})

    def close(self) -> None:
        pass


class PagesSink:
    """WACZ `pages/pages.jsonl` as Browsertrix writes it with text: a header line
    {"format": "json-pages-1.0", "id": "pages", "title": …, "hasText": true}, then one page per
    line, {"id", "url", "title", "ts", "text"} (ts RFC 3339, UTC) and govcrawl's own
    "story_id", "article_id", "portal" (the format allows additional properties)."""

    def __init__(self, out: IO[str], title: str) -> None:
        self.out = out
        out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title, "hasText": True},
                             ensure_ascii=False) + "\n")
        self.pages = 0

    def write(self, story: store.Story) -> None:
        story_id = story.story_id
        for page in story.pages():
            self.out.write(json.dumps({
                "id": f"url-{page['url_id']}", "url": page["url"], "title": page["title"],
                "ts": rfc3339(page["ts"]), "text": page["text"],
                "story_id": story_id, "article_id": page["article_id"], "portal": page["portal"]},
                ensure_ascii=False) + "\n")
            self.pages += 1

    def close(self) -> None:
        pass


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parquet_schema() -> Any:
    """The Parquet file's schema: the JSONL record's fields, nested lists as Arrow lists of
    structs, times as timestamp[us, UTC] (README: "Parquet schema")."""
    import pyarrow as pa

    s, i64, ts = pa.string(), pa.int64(), pa.timestamp("us", tz="UTC")
    strings = pa.list_(s)
    warc = pa.struct([("file", s), ("offset", i64), ("length", i64), ("digest", s), ("sha256", s)])
    return pa.schema([
        pa.field("story_id", i64, nullable=False), ("id", i64), ("content_hash", s),
        ("title", s), ("text", s), ("summary", s),
        ("published", ts), ("date_source", s), ("updated", ts),
        ("published_offset", pa.int16()), ("updated_offset", pa.int16()), ("offsets_recorded", pa.bool_()),
        ("authors", strings), ("unit", s), ("captions", strings),
        ("images", pa.list_(pa.struct([("src", s), ("caption", s)]))),
        ("attachments", pa.list_(pa.struct([("url", s), ("title", s)]))),
        ("category", strings), ("source_tag", s), ("attribution", s), ("cms_user", s), ("view_count", i64),
        ("language", s), ("family", s), ("template_lines", strings), ("extractor_version", s),
        ("canonical_url", s), ("portal", pa.struct([("key", s), ("name", s)])), ("urls", strings),
        ("first_seen", ts), ("last_seen", ts), ("cluster_id", i64), ("version_note", s),
        ("copies", pa.list_(pa.struct([
            ("article_id", i64), ("portal", s), ("published", ts), ("title", s), ("authors", strings),
            ("unit", s), ("source_tag", s), ("attribution", s), ("urls", strings)]))),
        ("versions", pa.list_(pa.struct([("article_id", i64), ("first_seen", ts), ("title", s),
                                         ("content_hash", s)]))),
        ("provenance", pa.struct([
            ("portal", s), ("province", s), ("province_before", s), ("extractor_version", s), ("warc", warc),
            ("runs", pa.list_(i64)),
            ("portals", pa.list_(pa.struct([("key", s), ("name", s), ("level", s), ("province", s),
                                            ("province_before", s)]))),
            ("urls", pa.list_(pa.struct([
                ("url", s), ("article_id", i64), ("portal", s), ("canonical", pa.bool_()), ("first_seen", ts),
                ("last_seen", ts), ("first_run_id", i64), ("warc", warc)]))),
            ("members", pa.list_(pa.struct([
                ("article_id", i64), ("content_hash", s), ("role", s), ("previous_version_id", i64),
                ("portal", s), ("first_seen", ts), ("last_seen", ts), ("run_id", i64),
                ("extractor_version", s)]))),
            ("attachment_files", pa.list_(pa.struct([
                ("url", s), ("title", s), ("article_id", i64), ("sha256", s), ("size", i64), ("media_type", s),
                ("kind", s), ("text_chars", i64), ("warc", warc)]))),
        ])),
    ])


def arrow_value(value: Any, kind: Any) -> Any:
    """`value` of the JSONL record as Arrow's `kind` takes it: ISO times as datetimes, structs by
    field name (the record's other keys left out)."""
    return converter(kind)(value)


def converter(kind: Any) -> Any:
    """A function from a JSONL value to Arrow's `kind`, built once per type (the checks of the type
    are then not made per value: a third of the Parquet export's time otherwise)."""
    import pyarrow as pa

    if pa.types.is_timestamp(kind):
        return _instant
    if pa.types.is_struct(kind):
        fields = [(f.name, converter(f.type)) for f in kind]
        return lambda value: None if value is None else {name: convert(value.get(name)) for name, convert in fields}
    if pa.types.is_list(kind):
        inner = kind.value_type
        if pa.types.is_string(inner) or pa.types.is_integer(inner):
            return _same
        convert_item = converter(inner)
        return lambda value: None if value is None else [convert_item(v) for v in value]
    return _same


def _same(value: Any) -> Any:
    return value


class ParquetSink:
    """Row groups of PARQUET_BATCH stories written as they fill (pyarrow.parquet.ParquetWriter):
    memory holds one batch, whatever the export's size."""

    def __init__(self, path: str, batch: int | None = None) -> None:
        import pyarrow.parquet as pq

        self.schema = parquet_schema()
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.batch = batch or PARQUET_BATCH
        self.columns = [(f.name, converter(f.type)) for f in self.schema]
        self.rows: list[dict[str, Any]] = []

    def write(self, story: store.Story) -> None:
        record = story.record()
        self.rows.append({name: convert(record.get(name)) for name, convert in self.columns})
        if len(self.rows) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_batch(pa.RecordBatch.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


# --------------------------------------------------------------------------- the command


def _filters(options: ExportOptions, province: str | None) -> dict[str, Any]:
    """The filters as a cursor records them (what a later run with the cursor must repeat)."""
    return {"portal": sorted(options.portals), "province": province, "since": options.since_text,
            "since_field": options.since_field if options.since_text else None, "run": options.run}


def _known_portal_keys(infos: Mapping[int, store.PortalInfo], keys: Sequence[str]) -> frozenset[int]:
    by_key = {info.key: info.id for info in infos.values()}
    for key in keys:
        if key not in by_key:
            close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            raise UsageError(f"--portal {key}: no such portal in this database{hint}")
    return frozenset(by_key[key] for key in keys)


def export(db: Database, options: ExportOptions, *, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Write the export `options` asks for from `db`; the exit status."""
    err = err or sys.stderr
    now = datetime.now(timezone.utc)
    try:
        with db.session(readonly=True) as session:
            store.begin_snapshot(session)
            top_article, top_url = store.high_water(session)
            infos = store.portal_table(session)
            before = province_before_of(infos, options.registry)
            infos = store.portal_table(session, before)
            portal_ids: frozenset[int] | None = _known_portal_keys(infos, options.portals) if options.portals else None
            province = None
            if options.province is not None:
                province, in_province = province_portals(options.province, infos)
                portal_ids = in_province if portal_ids is None else portal_ids & in_province
                if not portal_ids:
                    print(f"govcrawl: no portal in this database is in {province}"
                          + (f" and among --portal {' '.join(options.portals)}" if options.portals else "")
                          + ": nothing to export", file=err)
            run = None
            if options.run is not None:
                run = store.RunIndex.load(session).get(options.run)
                if run is None:
                    raise UsageError(f"--run {options.run}: no such run (govcrawl runs lists them)")
            filters = _filters(options, province)
            cursor = Cursor.read(options.cursor, filters) if options.cursor else None
            changed = None
            if cursor is not None and (top_article < cursor.articles.after or top_url < cursor.urls.after):
                print(f"govcrawl: warning: cursor {options.cursor} has read up to article {cursor.articles.after} "
                      f"and URL {cursor.urls.after}, past this database's last ({top_article}, {top_url}): "
                      "was it made for another database?", file=err)
            if cursor is not None:
                changed = store.ChangeWindow(_window(cursor.articles, top_article), _window(cursor.urls, top_url))
            elif options.after_id is not None:
                changed = store.ChangeWindow(articles=store.IdWindow(options.after_id, top_article))
            selection = store.Selection(portal_ids=portal_ids, since=options.since, since_field=options.since_field,
                                        run=run, changed=changed)
            stories, pages = _write(session, selection, before, options, out)
            if cursor is not None:
                assert options.cursor is not None
                cursor.articles = _advance(session, "articles", cursor.articles, top_article, now)
                cursor.urls = _advance(session, "article_urls", cursor.urls, top_url, now)
                cursor.write(options.cursor, stories=stories, now=now, database=db.display_url)
    except UsageError as exc:
        print(f"govcrawl: {exc}", file=err)
        return EXIT_USAGE
    except RegistryError as exc:
        print(f"govcrawl: invalid registry: {exc}", file=err)
        return EXIT_REGISTRY
    except (SQLAlchemyError, StorageError) as exc:
        kept = f"nothing was written to {options.output}" if options.output else "the output is incomplete"
        print(f"govcrawl: the database failed during the export ({db.display_url}): {exc}; {kept}, and the "
              "cursor did not move", file=err)
        return EXIT_DATABASE
    except BrokenPipeError:
        raise  # `govcrawl export | head`: the reader left (cli.main); the cursor did not move
    except OSError as exc:
        print(f"govcrawl: cannot write the export: {exc}; the cursor did not move", file=err)
        return EXIT_FAILED
    if options.output or options.cursor or options.after_id is not None:
        where = options.output or "stdout"
        what = f"{stories} stories" + (f" ({pages} pages)" if options.format == "pages" else "")
        print(f"govcrawl: exported {what} ({options.format}) to {where}; the archive's last article id "
              f"is {top_article}, last URL id {top_url}"
              + (f"; cursor {options.cursor} moved on" if options.cursor else ""), file=err)
    return EXIT_OK


def _write(session: Any, selection: store.Selection, before: Mapping[str, str | None], options: ExportOptions,
           out: IO[str] | None) -> tuple[int, int]:
    """Write every selected story; with -o, into a temporary file renamed over PATH once
    complete (a failed export never leaves half a file under the name). (stories, pages)."""
    target = Path(options.output) if options.output else None
    tmp: Path | None = None
    handle: IO[str] | None = None
    try:
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            tmp = Path(name)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
            if options.format == "parquet":
                os.close(fd)
            else:
                handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        stream = handle or out or sys.stdout
        sink: Any
        if options.format == "parquet":
            sink = ParquetSink(str(tmp))
        elif options.format == "csv":
            sink = CsvSink(stream, options.bom)
        elif options.format == "pages":
            sink = PagesSink(stream, options.title)
        else:
            sink = JsonlSink(stream)
        count = 0
        for story in store.iter_stories(session, selection, province_before=before):
            sink.write(story)
            count += 1
        sink.close()
        if handle is not None:
            handle.close()
            handle = None
        if tmp is not None and target is not None:
            os.replace(tmp, target)
            tmp = None
        else:
            stream.flush()
        return count, getattr(sink, "pages", 0)
    finally:
        if handle is not None:
            handle.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
