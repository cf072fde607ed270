"""`govcrawl export` (issue 17 item 5): formats, filters, the incremental rule and the cursor,
provenance; on SQLite and PostgreSQL. The archives are stored through storage's own store
functions (no crawl, no replica server), and every expectation is read from the database rows
or written down from the scenario, never from the exporter itself."""
from __future__ import annotations

import csv
import json
import random
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from storage_fixtures import PORTALS, T0, db, db_url, pg_db  # noqa: F401  (fixtures)

from cleaning import Article as Clean
from cleaning import Attachment, Image, content_hash
from crawler import exports
from crawler.exports import ExportOptions, export
from crawler.feeds import CSV_FIELDS
from storage import Database, PortalRecord, PortalRunStats, finish_run, start_run, store_article, sync_portals
from storage import exports as store
from storage.captures import WARC_COLUMNS
from storage.models import Article, ArticleUrl, Cluster, Portal
from tests.conftest import run_govcrawl

UTC = timezone.utc
REGISTRY = {
    "hungyen.toml": [("hy-tinh", "UBND tỉnh Hưng Yên", "tinh", "Hưng Yên", "Hưng Yên", "hy.gov.vn"),
                     ("hy-thaibinh", "UBND xã Bình Nguyên", "xa", "Hưng Yên", "Thái Bình", "binhnguyen.hy.gov.vn")],
    "langson.toml": [("ls-so", "Sở Nội vụ tỉnh Lạng Sơn", "so", "Lạng Sơn", "Lạng Sơn", "snv.ls.gov.vn")],
}
# what the registry above says of each portal: (after the reform, before it); the fixture's own
# portals (province "A") are in no registry
PROVINCE = {"hy-tinh": ("Hưng Yên", "Hưng Yên"), "hy-thaibinh": ("Hưng Yên", "Thái Bình"),
            "ls-so": ("Lạng Sơn", "Lạng Sơn"), "so-a": ("A", None), "xa-a": ("A", None)}
WORDS = ("công tác thi đua khen thưởng hội nghị tỉnh huyện xã sở nội vụ kinh tế xã hội nhân dân đồng chí phát "
         "triển nông thôn mới chuyển đổi số kế hoạch năm tháng biên giới cụm đơn vị chỉ tiêu").split()


def _paragraphs(seed: int, n: int = 8) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(40)) + "." for _ in range(n)]


def _article(paragraphs: list[str], **fields: Any) -> Clean:
    text = "\n".join(paragraphs)
    return Clean(url="http://x", title=fields.pop("title", f"Tin {content_hash(text)[:6]}"), text=text,
                 content_hash=content_hash(text), **fields)


def _store(database: Database, portal: str, url: str, article: Clean, at: datetime, run_id: int | None = None):
    with database.session() as s, s.begin():
        return store_article(s, portal_key=portal, url=url, article=article, seen_at=at, run_id=run_id)


def _registry(folder: Path) -> Path:
    folder.mkdir()
    for name, portals in REGISTRY.items():
        (folder / name).write_text("".join(
            f'[[portal]]\nkey = "{key}"\nname = "{title}"\nlevel = "{level}"\nprovince = "{after}"\n'
            f'province_before = "{before}"\nhosts = ["{host}"]\n'
            f'start_points = [{{ kind = "listing", url = "https://{host}/" }}]\n\n'
            for key, title, level, after, before, host in portals), encoding="utf-8")
    return folder


class Archive:
    """The scenario, stored: five stories, two runs, copies, a version, a page seen again.

    S1  hy-tinh /1 (run 1), its near-duplicate on ls-so /1 and an exact copy on ls-so /1b (run 1),
        a new version at hy-tinh /1 (run 2)
    S2  hy-thaibinh /2 (run 1), published T0
    S3  ls-so /3 (run 1), undated; seen again unchanged in run 2
    S4  ls-so /4 (run 2), published T0 + 1 day, with images, attachments, authors, a +03:00 date
    S5  so-a /5 (no run), published T0 + 2 days
    """

    def __init__(self, database: Database, registry: Path) -> None:
        self.db, self.registry = database, registry
        with database.session() as s, s.begin():
            sync_portals(s, [PortalRecord(key, title, level, after, hosts=(host,))
                             for portals in REGISTRY.values() for key, title, level, after, _, host in portals])
            self.run1 = start_run(s, "crawl", started_at=T0)
        s1, s2, s3 = _paragraphs(1), _paragraphs(2), _paragraphs(3)
        self.s1 = _store(database, "hy-tinh", "http://hy.gov.vn/1", _article(s1, published=T0 - timedelta(days=1)),
                         T0, self.run1).article_id
        near = _store(database, "ls-so", "http://snv.ls.gov.vn/1", _article(s1[:-1], published=T0), T0 + _m(10),
                      self.run1)
        exact = _store(database, "ls-so", "http://snv.ls.gov.vn/1b", _article(s1, published=T0), T0 + _m(15),
                       self.run1)
        self.s2 = _store(database, "hy-thaibinh", "http://binhnguyen.hy.gov.vn/2", _article(s2, published=T0),
                         T0 + _m(30), self.run1).article_id
        self.s3 = _store(database, "ls-so", "http://snv.ls.gov.vn/3", _article(s3), T0 + _m(40), self.run1).article_id
        assert (near.kind, exact.kind, exact.article_id) == ("new", "duplicate", self.s1)
        with database.session() as s, s.begin():
            finish_run(s, self.run1, "ok", {k: PortalRunStats() for k in ("hy-tinh", "hy-thaibinh", "ls-so")},
                       finished_at=T0 + _m(60))
            self.run2 = start_run(s, "crawl", started_at=T0 + timedelta(days=1))
        day2 = T0 + timedelta(days=1)
        self.s1_v2 = _store(database, "hy-tinh", "http://hy.gov.vn/1",
                            _article(s1[:-2] + _paragraphs(11, 2), published=T0 - timedelta(days=1)), day2, self.run2)
        assert self.s1_v2.kind == "version"
        plus3 = timezone(timedelta(hours=3))
        self.s4 = _store(database, "ls-so", "http://snv.ls.gov.vn/4", _article(
            _paragraphs(4), published=datetime(2025, 3, 2, 6, 0, tzinfo=plus3), published_offset=180,
            offsets_recorded=True, authors=["Trần Thị B", "N. Dương"], unit="Văn phòng",
            images=[Image("http://snv.ls.gov.vn/a.jpg", "Hội nghị")],
            attachments=[Attachment("http://snv.ls.gov.vn/qd.pdf", "Quyết định")], category=["Tin tức"]),
            day2 + _m(10), self.run2).article_id
        seen = _store(database, "ls-so", "http://snv.ls.gov.vn/3", _article(s3), day2 + _m(20), self.run2)
        assert seen.kind == "seen"
        with database.session() as s, s.begin():
            finish_run(s, self.run2, "ok", {k: PortalRunStats() for k in ("hy-tinh", "ls-so")},
                       finished_at=day2 + _m(60))
        self.s5 = _store(database, "so-a", "http://snv.tinh-a.gov.vn/5",
                         _article(_paragraphs(5), published=T0 + timedelta(days=2)), T0 + timedelta(days=2)).article_id
        self.stories = {"S1": self.s1, "S2": self.s2, "S3": self.s3, "S4": self.s4, "S5": self.s5}

    def names(self, story_ids) -> set[str]:
        by_id = {v: k for k, v in self.stories.items()}
        return {by_id.get(i, f"?{i}") for i in story_ids}


def _m(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


@pytest.fixture
def archive(db: Database, tmp_path: Path) -> Archive:  # noqa: F811
    return Archive(db, _registry(tmp_path / "registry"))


def _run(archive: Archive, tmp_path: Path, **options: Any) -> tuple[int, list[dict[str, Any]], str]:
    """Export to a file; (exit status, the JSONL records or pages, stderr)."""
    import io

    fmt = options.pop("format", "jsonl")
    out = tmp_path / f"out-{random.random():.9f}.{fmt}"
    err = io.StringIO()
    code = export(archive.db, ExportOptions(format=fmt, output=str(out), registry=str(archive.registry), **options),
                  err=err)
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() and fmt != "parquet" else []
    return code, [json.loads(line) for line in lines], err.getvalue()


def _ids(archive: Archive, tmp_path: Path, **options: Any) -> set[str]:
    code, records, err = _run(archive, tmp_path, **options)
    assert code == 0, err
    assert len(records) == len({r["story_id"] for r in records})  # one record per story
    return archive.names(r["story_id"] for r in records)


# --------------------------------------------------------------------------- the record and its ids


def _truth(database: Database) -> dict[int, dict[str, Any]]:
    """Per story, from the rows: canonical id, members, URLs (by story_id = lowest member id)."""
    with database.session() as s:
        portals = dict(s.execute(select(Portal.id, Portal.key)).all())
        canonical = dict(s.execute(select(Cluster.id, Cluster.canonical_article_id)).all())
        members: dict[int, list[Article]] = {}
        for row in s.scalars(select(Article).order_by(Article.id)):
            members.setdefault(row.cluster_id, []).append(row)
        urls: dict[int, list[ArticleUrl]] = {}
        for link in s.scalars(select(ArticleUrl)):
            urls.setdefault(link.article_id, []).append(link)
        truth = {}
        for cluster_id, rows in members.items():
            ids = [r.id for r in rows]
            head = next(r for r in rows if r.id == canonical[cluster_id])
            superseded = {r.previous_version_id for r in rows if r.previous_version_id}
            truth[min(ids)] = {
                "canonical": head, "members": ids,
                "roles": {r.id: "canonical" if r.id == head.id else "version" if r.id in superseded else "copy"
                          for r in rows},
                "urls": {(u.url, u.article_id, portals[u.portal_id], u.first_seen, u.last_seen, u.first_run_id)
                         for i in ids for u in urls.get(i, [])},
                "portal": portals[head.portal_id],
            }
    return truth


def test_story_id_is_the_lowest_member_and_stays_when_the_canonical_changes(archive, tmp_path):
    code, records, _ = _run(archive, tmp_path)
    by_story = {r["story_id"]: r for r in records}
    s1 = by_story[archive.s1]
    # the version became the canonical article (id), the story keeps the first article's id
    assert s1["id"] == archive.s1_v2.article_id != archive.s1
    assert [v["article_id"] for v in s1["versions"]] == [archive.s1]
    roles = {m["article_id"]: m["role"] for m in s1["provenance"]["members"]}
    assert roles[archive.s1] == "version" and roles[archive.s1_v2.article_id] == "canonical"
    assert sorted(roles.values()) == ["canonical", "copy", "version"]
    assert set(by_story) == set(archive.stories.values())


def test_parquet_round_trips_to_the_database_rows(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PARQUET_BATCH", 2)  # three row groups for five stories: batches are written
    out = tmp_path / "stories.parquet"
    assert export(archive.db, ExportOptions(format="parquet", output=str(out), registry=str(archive.registry))) == 0
    parquet = pq.ParquetFile(out)
    assert parquet.metadata.num_row_groups == 3 and parquet.metadata.num_rows == 5
    assert parquet.schema_arrow == exports.parquet_schema()
    rows = parquet.read().to_pylist()
    truth = _truth(archive.db)
    assert {r["story_id"] for r in rows} == set(truth) == set(archive.stories.values())
    for row in rows:
        expected = truth[row["story_id"]]
        head: Article = expected["canonical"]
        assert row["id"] == head.id and row["cluster_id"] == head.cluster_id
        assert (row["title"], row["text"], row["content_hash"]) == (head.title, head.text, head.content_hash)
        assert row["published"] == head.published and row["first_seen"] == head.first_seen
        assert row["authors"] == head.authors and row["images"] == head.images
        assert row["attachments"] == head.attachments and row["portal"]["key"] == expected["portal"]
        provenance = row["provenance"]
        assert {(u["url"], u["article_id"], u["portal"], u["first_seen"], u["last_seen"], u["first_run_id"])
                for u in provenance["urls"]} == expected["urls"]
        assert {m["article_id"]: m["role"] for m in provenance["members"]} == expected["roles"]
        assert (provenance["province"], provenance["province_before"]) == PROVINCE[expected["portal"]]
        assert provenance["warc"] is None  # none recorded: stored without WARC capture
    s4 = next(r for r in rows if r["story_id"] == archive.s4)
    assert s4["published"] == datetime(2025, 3, 2, 3, 0, tzinfo=UTC) and s4["published_offset"] == 180
    assert s4["images"] == [{"src": "http://snv.ls.gov.vn/a.jpg", "caption": "Hội nghị"}]
    assert next(r for r in rows if r["story_id"] == archive.s3)["published"] is None


def test_parquet_holds_what_jsonl_holds(archive, tmp_path):
    """Every field of every record, the JSONL's ISO times as the Parquet's timestamps."""
    out = tmp_path / "stories.parquet"
    assert export(archive.db, ExportOptions(format="parquet", output=str(out), registry=str(archive.registry))) == 0
    _, records, _ = _run(archive, tmp_path)
    schema = exports.parquet_schema()
    assert [f.name for f in schema] == list(records[0])  # no field left out, none the record lacks
    converted = [{f.name: exports.arrow_value(r[f.name], f.type) for f in schema} for r in records]
    assert pq.read_table(out).to_pylist() == converted


def test_parquet_schema_names_every_nested_key(archive, tmp_path):
    _, records, _ = _run(archive, tmp_path)
    schema = exports.parquet_schema()
    record = next(r for r in records if r["story_id"] == archive.s1)

    def keys(kind):
        return [f.name for f in kind]

    assert keys(schema.field("provenance").type) == list(record["provenance"])
    for name in ("urls", "members", "portals"):
        assert keys(schema.field("provenance").type.field(name).type.value_type) == list(record["provenance"][name][0])
    assert keys(schema.field("copies").type.value_type) == list(record["copies"][0])
    assert keys(schema.field("versions").type.value_type) == list(record["versions"][0])


def test_provenance_runs_provinces_and_urls(archive, tmp_path):
    _, records, _ = _run(archive, tmp_path)
    by_story = {r["story_id"]: r["provenance"] for r in records}
    s1 = by_story[archive.s1]
    assert s1["runs"] == [archive.run1, archive.run2]  # stored in run 1, its new version in run 2
    assert {m["article_id"]: m["run_id"] for m in s1["members"]}[archive.s1_v2.article_id] == archive.run2
    assert [(p["key"], p["province"], p["province_before"]) for p in s1["portals"]] == [
        ("hy-tinh", "Hưng Yên", "Hưng Yên"), ("ls-so", "Lạng Sơn", "Lạng Sơn")]
    urls = {u["url"]: u for u in s1["urls"]}
    assert urls["http://hy.gov.vn/1"]["canonical"] and not urls["http://snv.ls.gov.vn/1b"]["canonical"]
    assert urls["http://hy.gov.vn/1"]["last_seen"] == (T0 + timedelta(days=1)).isoformat()
    assert by_story[archive.s2]["province_before"] == "Thái Bình"
    assert by_story[archive.s3]["runs"] == [archive.run1]  # seen again in run 2: nothing stored
    assert by_story[archive.s5]["runs"] == [] and by_story[archive.s5]["province_before"] is None


# --------------------------------------------------------------------------- filters


FILTERS = [
    ({"portals": ("ls-so",)}, {"S1", "S3", "S4"}),
    ({"portals": ("hy-thaibinh",)}, {"S2"}),
    ({"portals": ("ls-so", "so-a")}, {"S1", "S3", "S4", "S5"}),
    ({"province": "Hưng Yên"}, {"S1", "S2"}),      # after the reform: all of it, ex-Thái Bình too
    ({"province": "Thái Bình"}, {"S2"}),           # before it: the portals that were in it
    ({"province": "hung yen"}, {"S1", "S2"}),      # without diacritics
    ({"province": "LẠNG SƠN"}, {"S1", "S3", "S4"}),
    ({"province": "A"}, {"S5"}),
    ({"province": "Lạng Sơn", "portals": ("hy-tinh",)}, set()),
    ({"province": "Hưng Yên", "portals": ("hy-tinh", "ls-so")}, {"S1"}),
    ({"since": "2025-03-02"}, {"S1", "S4", "S5"}),  # stored: S1's version, S4, S5; S3 was only seen again
    ({"since": "2025-03-01T08:30:00+07:00"}, {"S1", "S2", "S3", "S4", "S5"}),
    ({"since": "2025-03-01T08:35:00"}, {"S1", "S3", "S4", "S5"}),  # naive: Vietnam time
    ({"since": "2025-03-01", "since_field": "published"}, {"S2", "S4", "S5"}),  # S1 is of the day before
    ({"since": "2025-03-02T10:00:00+03:00", "since_field": "published"}, {"S5"}),
    ({"run": 1}, {"S1", "S2", "S3"}),
    ({"run": 2}, {"S1", "S4"}),  # S1's version; S3 seen again is no store
    ({"run": 2, "portals": ("ls-so",)}, {"S1", "S4"}),  # S1 has a copy on ls-so, and a store in run 2
    ({"after_id": "S3"}, {"S1", "S4", "S5"}),  # S1's version, S4, S5 were stored after S3
    ({"after_id": 0}, {"S1", "S2", "S3", "S4", "S5"}),
    ({"after_id": "S5"}, set()),
]


@pytest.mark.parametrize(("given", "expected"), FILTERS, ids=[json.dumps(f[0], ensure_ascii=False) for f in FILTERS])
def test_filters_select_exactly_the_expected_stories(archive, tmp_path, given, expected):
    options = dict(given)
    if "since" in options:
        options["since_text"] = options["since"]
        options["since"] = exports.parse_since(options["since"])
    if "run" in options:
        options["run"] = {1: archive.run1, 2: archive.run2}[options["run"]]
    if isinstance(options.get("after_id"), str):
        options["after_id"] = archive.stories[options["after_id"]]
    assert _ids(archive, tmp_path, **options) == expected


@pytest.mark.parametrize(("options", "message"), [
    ({"portals": ("ls-sp",)}, "--portal ls-sp: no such portal in this database (did you mean: ls-so?)"),
    ({"province": "Hung Yan"}, "--province Hung Yan: no such province (did you mean: Hưng Yên?)"),
    ({"run": 99}, "--run 99: no such run"),
])
def test_unknown_names_are_usage_errors(archive, tmp_path, options, message):
    code, records, err = _run(archive, tmp_path, **options)
    assert code == 2 and message in err and records == []
    assert not list(tmp_path.glob("out-*"))  # no output file at all


def test_options_that_do_not_go_together_exit_2_before_reading(tmp_path):
    missing = f"sqlite:///{tmp_path / 'none.sqlite'}"
    for argv, message in [
        (["--format", "parquet"], "--format parquet needs -o PATH"),
        (["--after-id", "3", "--cursor", str(tmp_path / "c.json")], "--after-id and --cursor"),
        (["--since", "2025-13-01"], "--since 2025-13-01: not a date"),
        (["--since-field", "published"], "give --since DATE too"),
        (["--bom"], "--bom is for --format csv"),
    ]:
        done = run_govcrawl("export", "--db", missing, *argv)
        assert done.returncode == 2 and message in done.stderr, (argv, done.stderr)
    assert not (tmp_path / "none.sqlite").exists()


# --------------------------------------------------------------------------- incremental


def test_cursor_exports_everything_then_nothing_then_exactly_what_changed(archive, tmp_path):
    cursor = tmp_path / "nightly.cursor"
    assert _ids(archive, tmp_path, cursor=cursor) == {"S1", "S2", "S3", "S4", "S5"}
    assert _ids(archive, tmp_path, cursor=cursor) == set()
    later = T0 + timedelta(days=3)
    s6 = _store(archive.db, "hy-tinh", "http://hy.gov.vn/6", _article(_paragraphs(6), published=later), later)
    archive.stories["S6"] = s6.article_id
    # an exact copy of S2 under a new URL: a URL row, no article row
    copy = _store(archive.db, "ls-so", "http://snv.ls.gov.vn/2", _article(_paragraphs(2), published=T0), later)
    assert (copy.kind, copy.article_id) == ("duplicate", archive.s2)
    # a near-duplicate copy of S5 on another portal: an article row in S5's cluster
    near = _store(archive.db, "xa-a", "http://a3.gov.vn/5", _article(_paragraphs(5)[:-1]), later)
    assert near.kind == "new"
    # seen again unchanged, S4 and S3: not new (the same text is the same content)
    assert _store(archive.db, "ls-so", "http://snv.ls.gov.vn/4", _article(_paragraphs(4)), later).kind == "seen"
    assert _store(archive.db, "ls-so", "http://snv.ls.gov.vn/3", _article(_paragraphs(3)), later).kind == "seen"
    code, records, _ = _run(archive, tmp_path, cursor=cursor)
    assert archive.names(r["story_id"] for r in records) == {"S6", "S2", "S5"}
    s2 = next(r for r in records if r["story_id"] == archive.s2)
    assert "http://snv.ls.gov.vn/2" in s2["urls"]  # the whole story again, with its new URL
    s5 = next(r for r in records if r["story_id"] == archive.s5)
    assert near.article_id in {m["article_id"] for m in s5["provenance"]["members"]}
    assert _ids(archive, tmp_path, cursor=cursor) == set()
    # a new version of a page is new too
    _store(archive.db, "hy-thaibinh", "http://binhnguyen.hy.gov.vn/2",
           _article(_paragraphs(2)[:-2] + _paragraphs(12, 2), published=T0), later + _m(5))
    assert _ids(archive, tmp_path, cursor=cursor) == {"S2"}
    saved = json.loads(cursor.read_text(encoding="utf-8"))
    with archive.db.session() as s:
        assert saved["articles"]["after"] == max(s.scalars(select(Article.id)))
        assert saved["urls"]["after"] == max(s.scalars(select(ArticleUrl.id)))
    assert saved["articles"]["pending"] == saved["urls"]["pending"] == []


def test_a_cursor_keeps_its_filters(archive, tmp_path):
    cursor = tmp_path / "ls.cursor"
    assert _ids(archive, tmp_path, cursor=cursor, portals=("ls-so",)) == {"S1", "S3", "S4"}
    later = T0 + timedelta(days=3)
    _store(archive.db, "hy-tinh", "http://hy.gov.vn/7", _article(_paragraphs(7)), later)  # another portal
    s8 = _store(archive.db, "ls-so", "http://snv.ls.gov.vn/8", _article(_paragraphs(8)), later)
    archive.stories["S8"] = s8.article_id
    assert _ids(archive, tmp_path, cursor=cursor, portals=("ls-so",)) == {"S8"}
    code, records, err = _run(archive, tmp_path, cursor=cursor, portals=("hy-tinh",))
    assert code == 2 and "was made with other filters" in err and records == []
    assert _ids(archive, tmp_path, cursor=cursor, portals=("ls-so",)) == set()  # it did not move


def test_a_failed_export_leaves_no_file_and_does_not_move_the_cursor(archive, tmp_path, monkeypatch):
    cursor = tmp_path / "c.cursor"
    assert _ids(archive, tmp_path, cursor=cursor) == {"S1", "S2", "S3", "S4", "S5"}
    before = cursor.read_bytes()
    _store(archive.db, "ls-so", "http://snv.ls.gov.vn/9", _article(_paragraphs(9)), T0 + timedelta(days=3))
    calls = []

    def full_disk(self, story):
        calls.append(story.story_id)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports.JsonlSink, "write", full_disk)
    files = set(tmp_path.iterdir())
    code, records, err = _run(archive, tmp_path, cursor=cursor)
    assert code == 1 and "No space left on device" in err and "cursor did not move" in err
    assert calls and records == [] and set(tmp_path.iterdir()) == files  # no output, no temporary file left
    assert cursor.read_bytes() == before
    monkeypatch.undo()
    assert len(_run(archive, tmp_path, cursor=cursor)[1]) == 1  # the next export writes it


def test_an_insert_committed_late_with_a_lower_id_is_exported_next_time(pg_db, tmp_path):  # noqa: F811
    """PostgreSQL allocates ids at insert, not at commit: a page worker may commit article 2 after
    article 3 was exported. The cursor remembers 2 as pending and the next export takes it."""
    registry = _registry(tmp_path / "registry")
    cursor = tmp_path / "c.cursor"
    opts = dict(registry=str(registry), cursor=cursor)

    def stories() -> set[int]:
        out = tmp_path / f"o{random.random():.9f}.jsonl"
        assert export(pg_db, ExportOptions(output=str(out), **opts)) == 0
        return {json.loads(line)["story_id"] for line in out.read_text(encoding="utf-8").splitlines()}

    first = _store(pg_db, "so-a", "http://so/1", _article(_paragraphs(21)), T0).article_id
    assert stories() == {first}
    slow = pg_db.session()
    slow.begin()
    held = store_article(slow, portal_key="so-a", url="http://so/2", article=_article(_paragraphs(22)),
                         seen_at=T0, run_id=None)  # inserted, not committed
    outcome = {}

    def quick() -> None:  # another page worker, committing meanwhile
        outcome["fast"] = _store(pg_db, "xa-a", "http://xa/3", _article(_paragraphs(23)), T0)

    thread = threading.Thread(target=quick)
    thread.start()
    thread.join(30)
    fast = outcome["fast"].article_id
    assert fast > held.article_id
    assert stories() == {fast}
    assert [i for i, _ in json.loads(cursor.read_text())["articles"]["pending"]] == [held.article_id]
    slow.commit()
    slow.close()
    assert stories() == {held.article_id}
    assert stories() == set()
    assert json.loads(cursor.read_text())["articles"]["pending"] == []


# --------------------------------------------------------------------------- other formats


def test_pages_jsonl_as_browsertrix_writes_it(archive, tmp_path):
    code, lines, _ = _run(archive, tmp_path, format="pages", title="Hưng Yên và Lạng Sơn")
    assert code == 0
    assert lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "Hưng Yên và Lạng Sơn", "hasText": True}
    pages = lines[1:]
    with archive.db.session() as s:
        truth = {u.url: (u, s.get(Article, u.article_id)) for u in s.scalars(select(ArticleUrl))}
    assert sorted(p["url"] for p in pages) == sorted(truth)  # every URL once
    assert len({p["id"] for p in pages}) == len(pages)
    for page in pages:
        link, article = truth[page["url"]]
        assert {"id", "url", "title", "ts", "text"} <= set(page)
        assert page["text"] == article.text and page["article_id"] == article.id
        assert page["title"] == (link.title or article.title)
        assert page["ts"].endswith("Z")
        assert datetime.fromisoformat(page["ts"].replace("Z", "+00:00")) == max(link.first_seen, article.first_seen)
    # the URL whose page changed: its text is the new version's, first served at the version's time
    changed = next(p for p in pages if p["url"] == "http://hy.gov.vn/1")
    assert changed["article_id"] == archive.s1_v2.article_id
    assert changed["ts"] == "2025-03-02T01:00:00.000Z"  # T0 + 1 day: 2025-03-02 08:00 +07:00
    code, filtered, _ = _run(archive, tmp_path, format="pages", portals=("hy-thaibinh",))
    assert [p["url"] for p in filtered[1:]] == ["http://binhnguyen.hy.gov.vn/2"]


def test_csv_keeps_the_feed_columns_first_and_its_bom(archive, tmp_path):
    plain = tmp_path / "plain.csv"
    marked = tmp_path / "bom.csv"
    for path, bom in ((plain, False), (marked, True)):
        assert export(archive.db, ExportOptions(format="csv", output=str(path), bom=bom,
                                                registry=str(archive.registry))) == 0
    assert marked.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    rows = list(csv.DictReader(marked.open(encoding="utf-8-sig", newline="")))
    assert list(rows[0])[:len(CSV_FIELDS)] == list(CSV_FIELDS) and list(rows[0]) == list(exports.EXPORT_CSV_FIELDS)
    s2 = next(r for r in rows if int(r["story_id"]) == archive.s2)
    assert (s2["portal"], s2["province"], s2["province_before"]) == ("hy-thaibinh", "Hưng Yên", "Thái Bình")
    assert json.loads(s2["runs"]) == [archive.run1]


def test_the_command_line_writes_parquet_with_filters(archive, tmp_path, db_url):  # noqa: F811
    out = tmp_path / "ls.parquet"
    done = run_govcrawl("export", "--db", db_url, "--format", "parquet", "-o", str(out), "--registry",
                        str(archive.registry), "--province", "Lạng Sơn", "--since", "2025-03-02")
    assert done.returncode == 0, done.stderr
    assert "exported 2 stories (parquet)" in done.stderr
    assert archive.names(pq.read_table(out, columns=["story_id"]).column(0).to_pylist()) == {"S1", "S4"}
    stdout = run_govcrawl("export", "--db", db_url, "--registry", str(archive.registry), "--portal", "so-a")
    assert stdout.returncode == 0 and stdout.stderr == ""
    assert [json.loads(line)["story_id"] for line in stdout.stdout.splitlines()] == [archive.s5]


def test_run_spans_tell_which_run_stored_an_article():
    t = datetime(2025, 1, 1, tzinfo=UTC)
    spans = [store.RunSpan(1, t, t + _m(60), frozenset({1})), store.RunSpan(2, t + _m(30), t + _m(90), frozenset({2})),
             store.RunSpan(3, t + _m(120), t + _m(300), frozenset())]  # 3: never closed, no portal rows
    index = store.RunIndex(spans, [s.start for s in spans])
    assert index.run_of(t + _m(40), {1}) == 1 and index.run_of(t + _m(40), {2}) == 2
    assert index.run_of(t + _m(100), {1, 2}) is None and index.run_of(t + _m(200), {5}) == 3
    assert index.run_of(t - _m(1), {1}) is None


def test_the_canonical_copys_warc_record_is_in_the_provenance(archive, tmp_path):
    ref = {"file": "govcrawl-1-20250302-00001.warc.gz", "offset": 1234, "length": 567,
           "digest": "sha1:AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH", "sha256": "ab" * 32}
    assert WARC_COLUMNS == tuple(f"warc_{name}" for name in ref)  # the references as storage keeps them
    with archive.db.session() as s, s.begin():
        link = s.scalars(select(ArticleUrl).where(ArticleUrl.url == "http://snv.ls.gov.vn/4")).one()
        for name, value in ref.items():
            setattr(link, f"warc_{name}", value)
    _, records, _ = _run(archive, tmp_path)
    s4 = next(r for r in records if r["story_id"] == archive.s4)["provenance"]
    assert s4["warc"] == ref and s4["urls"][0]["warc"] == ref
    assert all(r["provenance"]["warc"] is None for r in records if r["story_id"] != archive.s4)
    out = tmp_path / "w.parquet"
    assert export(archive.db, ExportOptions(format="parquet", output=str(out), registry=str(archive.registry))) == 0
    rows = pq.read_table(out).to_pylist()
    assert next(r for r in rows if r["story_id"] == archive.s4)["provenance"]["warc"] == ref
    assert all(r["provenance"]["warc"] is None for r in rows if r["story_id"] != archive.s4)
