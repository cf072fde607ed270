"""Near-duplicate clusters, the cluster canonical rule and versions, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st
from sqlalchemy import select
from storage_fixtures import T0, db, db_url  # noqa: F401  (fixtures)

from cleaning import Article as Clean
from cleaning import content_hash
from dedup import Fingerprint, compare, fingerprint
from dedup.verify import overlap, overlaps
from storage import Database, iter_export, store_article
from storage.clusters import recluster
from storage.models import Article, ArticleUrl, Cluster
from tests.conftest import run_govcrawl

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

STORY = [
    "Chiều ngày 31/7/2023, tại UBND huyện Đình Lập, Cụm thi đua 5 huyện biên giới đã tổ chức Hội nghị sơ kết "
    "công tác thi đua, khen thưởng 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2023.",
    "Đến dự hội nghị có đại diện Phòng Thi đua, khen thưởng, Sở Nội vụ; đại diện Thường trực Huyện ủy, "
    "thành viên Hội đồng thi đua - khen thưởng huyện Đình Lập và lãnh đạo Phòng Nội vụ các huyện trong cụm.",
    "Qua báo cáo cho thấy, công tác thi đua, khen thưởng đã được các đơn vị quan tâm chỉ đạo thực hiện, "
    "các chỉ tiêu kinh tế, xã hội cơ bản đều đạt và tăng so với cùng kì năm 2022 với 1.250 hộ được hỗ trợ.",
    "Tham dự hội nghị, đồng chí Vũ Thanh Thụy, Phó Trưởng phòng thi đua, khen thưởng, Sở Nội vụ đánh giá "
    "kết quả phong trào thi đua và công tác khen thưởng của cụm trong 6 tháng đầu năm.",
    "Cũng trong buổi chiều cùng ngày, Cụm thi đua 5 huyện biên giới đã đi thăm mô hình trồng chè và sản xuất "
    "chè tại thị trấn Nông Trường Thái Bình.",
]
# the same conference a year later: the same sentences, other dates and figures (seeds 000/001)
NEXT_YEAR = [p.replace("31/7/2023", "28/7/2024").replace("2023", "2024").replace("2022", "2023")
             .replace("1.250", "1.410") for p in STORY]


def _article(paragraphs: list[str], **fields) -> Clean:
    text = "\n".join(paragraphs)
    return Clean(url="http://x", title=fields.pop("title", "Hội nghị sơ kết công tác thi đua"), text=text,
                 content_hash=content_hash(text), **fields)


def _store(database: Database, portal: str, url: str, article: Clean, seen_at=T0):
    with database.session() as s, s.begin():
        return store_article(s, portal_key=portal, url=url, article=article, seen_at=seen_at, run_id=None)


def _clusters(database: Database) -> dict[int, int]:
    with database.session() as s:
        return {row.id: row.cluster_id for row in s.execute(select(Article.id, Article.cluster_id))}


def test_near_duplicates_join_one_cluster_and_near_misses_do_not(db):
    full = _store(db, "so-a", "http://snv.tinh-a.gov.vn/1", _article(STORY, published=T0))
    cut = _store(db, "xa-a", "http://a3.gov.vn/1", _article(STORY[:-1], published=T0 + timedelta(hours=3),
                                                             attribution="Nguồn: Sở Nội vụ tỉnh A"))
    added = _store(db, "huyen-a", "http://a1.gov.vn/1", _article(
        STORY + ["Được biết, thời gian qua, công tác thi đua trên địa bàn huyện luôn được quan tâm."],
        published=T0 + timedelta(hours=5)))
    later = _store(db, "so-a", "http://snv.tinh-a.gov.vn/2", _article(NEXT_YEAR, published=T0 + timedelta(days=360)))
    stock = _store(db, "tinh-a", "http://tinh-a.gov.vn/9", _article([
        "Hội nghị sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm.",
        "Ngày 12/3, UBND tỉnh tổ chức hội nghị trực tuyến về chuyển đổi số với 300 điểm cầu cấp xã."],
        published=T0))
    assert len({full.kind, cut.kind, added.kind, later.kind, stock.kind}) == 1  # all "new": distinct texts
    cluster = _clusters(db)
    assert cluster[full.article_id] == cluster[cut.article_id] == cluster[added.article_id]
    assert cluster[later.article_id] != cluster[full.article_id]
    assert cluster[stock.article_id] not in (cluster[full.article_id], cluster[later.article_id])
    with db.session() as s:
        canonical = s.get(Cluster, cluster[full.article_id]).canonical_article_id
    assert canonical == full.article_id  # earliest published


def test_the_guard_rail_is_what_keeps_the_year_apart():
    a, b = "\n".join(STORY), "\n".join(NEXT_YEAR)
    verdict = compare(a, fingerprint(a), b, fingerprint(b))
    assert verdict.jaccard > 0.8 and not verdict.same  # most sentences shared: only the facts differ
    assert verdict.reason.startswith("different dates or figures") and "31/7/2023" in verdict.reason


_HASH_SETS = st.lists(st.integers(0, 40) | st.integers(2**32 - 40, 2**32 - 1), max_size=60).map(
    lambda values: np.unique(np.array(values, dtype=np.uint32)))


def _overlap_by_sets(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The definition, with Python sets."""
    common = len(set(a.tolist()) & set(b.tolist()))
    return (0.0, 0.0) if not len(a) or not len(b) else (common / (len(a) + len(b) - common),
                                                        common / min(len(a), len(b)))


@given(_HASH_SETS, st.lists(_HASH_SETS, max_size=6))
def test_overlaps_at_once_equal_the_overlap_of_each_pair(mine, theirs):
    # small sets over a small range share hashes often; the range's ends test the padding
    a = Fingerprint(mine, np.zeros(4, dtype=np.uint32))
    expected = [_overlap_by_sets(mine, other) for other in theirs]
    assert overlaps(a, theirs) == expected
    assert [overlap(a, Fingerprint(other, a.signature)) for other in theirs] == expected


def test_overlaps_counts_shared_shingles_of_real_texts():
    a, b, c = (fingerprint("\n".join(t)) for t in (STORY, NEXT_YEAR, STORY[:3]))
    assert overlaps(a, [b.hashes, c.hashes, a.hashes]) == [
        _overlap_by_sets(a.hashes, b.hashes), _overlap_by_sets(a.hashes, c.hashes), (1.0, 1.0)]
    assert overlaps(a, [c.hashes])[0][1] == 1.0  # the trimmed copy is contained whole

def test_seed_pages_000_and_001_never_merge():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} absent")
    texts = [next(SEEDS.glob(f"{n}_*.txt")).read_text(encoding="utf-8") for n in ("000", "001")]
    assert not compare(texts[0], fingerprint(texts[0]), texts[1], fingerprint(texts[1])).same


def test_origin_named_by_attribution_wins_a_tie(db):
    same_time = T0 + timedelta(hours=1)
    commune = _store(db, "xa-a", "http://a3.gov.vn/5", _article(STORY, published=same_time))
    province = _store(db, "tinh-a", "http://tinh-a.gov.vn/5", _article(
        STORY[:-1], published=same_time, attribution="Theo UBND xã A3"))
    cluster = _clusters(db)
    assert cluster[commune.article_id] == cluster[province.article_id]
    with db.session() as s:
        chosen = s.get(Cluster, cluster[commune.article_id]).canonical_article_id
    # the province is the higher level, but its own copy names the commune as the source
    assert chosen == commune.article_id


def test_a_changed_page_becomes_a_new_version(db):
    url = "http://snv.tinh-a.gov.vn/7"
    first = _store(db, "so-a", url, _article(STORY, published=T0))
    edited = STORY[:2] + ["Qua báo cáo cho thấy, công tác thi đua đã được các đơn vị quan tâm chỉ đạo thực hiện "
                          "nghiêm túc, các chỉ tiêu cơ bản đều đạt so với cùng kì năm 2022 với 1.250 hộ."] + STORY[3:]
    second = _store(db, "so-a", url, _article(edited, published=T0, title="Hội nghị sơ kết (cập nhật)"),
                    seen_at=T0 + timedelta(days=1))
    assert second.kind == "version" and second.article_id != first.article_id
    with db.session() as s:
        old, new = s.get(Article, first.article_id), s.get(Article, second.article_id)
        assert old.text == "\n".join(STORY)  # nothing overwritten
        assert new.previous_version_id == old.id and new.cluster_id == old.cluster_id
        assert new.version_note == "+1 -1 paragraphs; title changed"
        assert s.get(Cluster, new.cluster_id).canonical_article_id == new.id  # the latest version shows
        records = list(iter_export(s))
    record = next(r for r in records if r["cluster_id"] == new.cluster_id)
    assert record["id"] == new.id and record["versions"][0]["article_id"] == old.id
    assert [c["article_id"] for c in record["copies"]] == [new.id]
    assert record["urls"] == [url]


def _groups(cluster_of: dict[int, int]) -> list[list[int]]:
    return sorted(sorted(a for a in cluster_of if cluster_of[a] == c) for c in set(cluster_of.values()))


def test_recluster_rebuilds_the_same_clusters(db):
    _store(db, "so-a", "http://snv.tinh-a.gov.vn/1", _article(STORY, published=T0))
    _store(db, "xa-a", "http://a3.gov.vn/1", _article(STORY[:-1], published=T0 + timedelta(hours=3)))
    _store(db, "so-a", "http://snv.tinh-a.gov.vn/2", _article(NEXT_YEAR, published=T0))
    before = _clusters(db)
    report = recluster(db.session)
    after = _clusters(db)
    assert report.articles == 3 and report.clusters == 2 and report.multi_copy_clusters == 1 and report.moved == 0
    assert _groups(before) == _groups(after)


def test_two_writers_storing_one_story_at_once_make_one_cluster(db):
    """Concurrent near-duplicates serialise on their LSH band keys (PostgreSQL advisory locks,
    SQLite's single writer): the second sees the first and joins its cluster."""
    barrier = threading.Barrier(2)
    outcomes = {}

    def write(name: str, portal: str, url: str, article: Clean) -> None:
        barrier.wait()
        outcomes[name] = _store(db, portal, url, article)

    for round_no in range(3):
        text = [p.replace("Đình Lập", f"Đình Lập {round_no}") for p in STORY]
        threads = [threading.Thread(target=write, args=("a", "so-a", f"http://snv.tinh-a.gov.vn/r{round_no}",
                                                        _article(text, published=T0))),
                   threading.Thread(target=write, args=("b", "xa-a", f"http://a3.gov.vn/r{round_no}",
                                                        _article(text[:-1], published=T0)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cluster = _clusters(db)
        assert cluster[outcomes["a"].article_id] == cluster[outcomes["b"].article_id], round_no


def test_show_command(db, db_url):  # noqa: F811
    first = _store(db, "so-a", "http://snv.tinh-a.gov.vn/1", _article(STORY, published=T0))
    _store(db, "xa-a", "http://a3.gov.vn/1", _article(STORY[:-1], published=T0 + timedelta(hours=3)))
    shown = run_govcrawl("show", str(first.article_id), "--db", db_url)
    assert shown.returncode == 0, shown.stderr
    assert "canonical copy of cluster" in shown.stdout and "2 copies" in shown.stdout
    assert "http://a3.gov.vn/1" in shown.stdout
    missing = run_govcrawl("show", "999999", "--db", db_url)
    assert missing.returncode == 2 and "no article with id 999999" in missing.stderr
    deduped = run_govcrawl("dedup", "--db", db_url)
    assert deduped.returncode == 0 and "2 articles in 1 cluster " in deduped.stdout


def test_exact_copies_keep_their_own_metadata(db):
    first = _article(STORY, published=T0, authors=["Đường Thị Nhã"], unit="Phòng Thi đua - Khen thưởng",
                     source_tag="(LSO) -")
    second = _article(STORY, published=T0 + timedelta(hours=2), authors=["N. Dương"],
                      attribution="Nguồn: Sở Nội vụ tỉnh A", title="Cụm thi đua biên giới sơ kết 6 tháng")
    a = _store(db, "so-a", "http://snv.tinh-a.gov.vn/11", first)
    b = _store(db, "xa-a", "http://a3.gov.vn/11", second)
    assert (a.kind, b.kind) == ("new", "duplicate") and a.article_id == b.article_id
    with db.session() as s:
        record = next(r for r in iter_export(s) if r["id"] == a.article_id)
    assert [(c["portal"], c["authors"], c["source_tag"], c["attribution"]) for c in record["copies"]] == [
        ("so-a", ["Đường Thị Nhã"], "(LSO) -", None), ("xa-a", ["N. Dương"], None, "Nguồn: Sở Nội vụ tỉnh A")]
    assert record["copies"][1]["title"] == "Cụm thi đua biên giới sơ kết 6 tháng"
    assert record["copies"][1]["published"] == (T0 + timedelta(hours=2)).isoformat()


def test_sqlite_and_postgresql_build_identical_clusters(tmp_path):
    """The same copies stored in the same order cluster the same way on both backends (the
    replica's syndicated stories, edited copies and near-miss siblings, by their true bodies)."""
    from portalsim import build_replica
    from storage import PortalRecord, sync_portals
    from storage_fixtures import fresh_postgres_database

    replica = build_replica(seed=5, articles=160)
    copies = [(c.portal_key, c.urls[0], _article(c.text.split("\n"), title=c.title, published=c.published,
                                                  attribution=c.attribution, source_tag=c.source_tag))
              for story in replica.truth for c in story.copies]
    portals = [PortalRecord(p.key, p.name, p.level, hosts=(p.host,)) for p in replica.portals]

    def partition(url: str) -> list[list[str]]:
        database = Database(url)
        database.migrate()
        with database.session() as s, s.begin():
            sync_portals(s, portals)
        for portal, page_url, article in copies:
            _store(database, portal, page_url, article)
        with database.session() as s:
            groups: dict[int, list[str]] = {}
            for link_url, cluster_id in s.execute(select(ArticleUrl.url, Article.cluster_id)
                                                  .join(Article, ArticleUrl.article_id == Article.id)):
                groups.setdefault(cluster_id, []).append(link_url)
        database.dispose()
        return sorted(sorted(g) for g in groups.values())

    on_sqlite = partition(f"sqlite:///{tmp_path}/a.sqlite")
    with fresh_postgres_database() as pg_url:
        on_postgres = partition(pg_url)
    assert on_sqlite == on_postgres
    assert len(on_sqlite) == len(replica.truth)  # and they are the stories
