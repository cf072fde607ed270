"""Page processing: extraction in worker processes, storage of every URL a page answers to."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import signal
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from sqlalchemy import event, select

from crawler.processing import PageJob, PagePool, PageStore, Target
from storage import Database
from storage.models import Article, ArticleUrl, Failure
from tests.storage_fixtures import page_target

FIXTURE = Path(__file__).parent / "fixtures" / "cleaning" / "drupal" / "seed000_d7_views.html"
HOST = "sonoivu.langson.gov.vn"


def _job(url: str, body: bytes, final_url: str | None = None) -> PageJob:
    return PageJob(portal_key="p", family="drupal", date_order="mdy", scheme="https",
                   host_map={f"www.{HOST}": HOST}, hosts=frozenset({HOST}), url=url,
                   final_url=final_url or url, body=body, encoding="utf-8",
                   fetched_at=datetime.now(UTC))


def _prepare(db_url: str) -> Target:
    return page_target(db_url, HOST)


async def _run(pool: PagePool, jobs: list[PageJob]) -> list[str]:
    return [(await pool.process(job)).outcome for job in jobs]


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_pages_are_extracted_and_stored_with_every_url(db_url, workers):
    target = _prepare(db_url)
    page = FIXTURE.read_bytes()
    jobs = [
        # a redirect: requested at the www twin's old path, served at /node/1
        _job(f"https://www.{HOST}/old/1", page, final_url=f"https://{HOST}/node/1"),
        _job(f"https://{HOST}/node/1", page),                 # the same URL again
        _job(f"https://{HOST}/tin-tuc/ban-in-1", page),       # the same page at another path
        _job(f"https://{HOST}/node/2", b"<html><body></body></html>"),  # not an article
    ]
    pool = PagePool(workers, target)
    try:
        outcomes = asyncio.run(_run(pool, jobs))
    finally:
        pool.close()
    assert outcomes == ["new", "seen", "duplicate", "failed"]

    db = Database(db_url)
    with db.session() as s:
        article = s.scalars(select(Article)).one()
        urls = set(s.scalars(select(ArticleUrl.url)))
        failure = s.scalars(select(Failure)).one()
    db.dispose()
    declared = re.search(rb'<link rel="canonical" href="([^"]+)"', page)  # the page's rel=canonical
    assert declared is not None
    assert urls == {f"https://{HOST}/old/1", f"https://{HOST}/node/1", f"https://{HOST}/tin-tuc/ban-in-1",
                    urljoin(f"https://{HOST}/node/1", declared.group(1).decode())}
    assert article.published is not None and article.published.month == 8  # Drupal m/d/Y
    assert failure.kind == "extraction" and failure.url == f"https://{HOST}/node/2"


def test_two_workers_storing_copies_at_once_store_the_content_once(db_url):
    """Both workers write at the same time (on SQLite they take turns on the pool's lock): one
    copy is new, every other one a duplicate, and every URL is recorded."""
    target = _prepare(db_url)
    page = FIXTURE.read_bytes()
    jobs = [_job(f"https://{HOST}/tin-tuc/ban-{i}", page) for i in range(24)]
    pool = PagePool(2, target)

    async def at_once() -> list[str]:
        return [r.outcome for r in await asyncio.gather(*(pool.process(job) for job in jobs))]

    try:
        outcomes = asyncio.run(at_once())
    finally:
        pool.close()
    assert sorted(outcomes) == ["duplicate"] * 23 + ["new"]
    db = Database(db_url)
    with db.session() as s:
        assert len(s.scalars(select(Article)).all()) == 1
        assert {job.url for job in jobs} <= set(s.scalars(select(ArticleUrl.url)))
    db.dispose()


def test_a_worker_that_dies_is_replaced_and_its_page_recorded_as_failed(db_url):
    target = _prepare(db_url)
    page = FIXTURE.read_bytes()
    pool = PagePool(1, target)

    async def scenario() -> list[str]:
        first = await pool.process(_job(f"https://{HOST}/node/1", page))
        assert pool.pool is not None
        for pid in list(pool.pool._processes):  # the live workers
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)  # the executor notices the dead worker and breaks the pool
        crashed = await pool.process(_job(f"https://{HOST}/node/2", page))
        after = await pool.process(_job(f"https://{HOST}/node/3", page))
        return [first.outcome, crashed.outcome, after.outcome]

    try:
        outcomes = asyncio.run(scenario())
    finally:
        pool.close()
    assert outcomes == ["new", "failed", "duplicate"]
    db = Database(db_url)
    with db.session() as s:
        failure = s.scalars(select(Failure)).one()
    db.dispose()
    assert failure.url == f"https://{HOST}/node/2" and "worker_crashed" in failure.reason


def test_a_batch_is_stored_together_and_a_database_error_loses_only_its_page(db_url):
    """A worker stores a batch of pages in one transaction (SQLite). One page the database
    rejects (here: its portal is unknown to the archive) rolls that transaction back; every
    page is then stored alone, so the others are kept and only that page is dead-lettered."""
    target = _prepare(db_url)
    pages = [(FIXTURE.parent / name).read_bytes()
             for name in ("seed000_d7_views.html", "seed001_d8_submitted.html", "variant_d10_olivero.html")]
    def job(path: str, page: bytes, **changes) -> PageJob:  # a first fetch, no template learning
        return dataclasses.replace(_job(f"https://{HOST}{path}", page), known=False, learn_templates=False,
                                   **changes)

    store = PageStore(target)
    commits: list[str] = []
    event.listen(store.session, "after_commit", lambda session: commits.append("commit"))
    try:
        together = store.process_batch([job("/node/1", pages[0]), job("/node/3", pages[2])])
        committed_together = len(commits)
        orphan = job("/node/2", pages[1], portal_key="not-in-the-archive")
        outcomes = [r.outcome for r in store.process_batch([job("/node/1", pages[0]), orphan,
                                                            job("/node/4", pages[2])])]
    finally:
        store.close()
    assert [r.outcome for r in together] == ["new", "new"]
    if db_url.startswith("sqlite"):
        assert committed_together == 1
    assert outcomes == ["seen", "storage_error", "duplicate"]
    dead = [json.loads(line) for line in
            (Path(target.dead_letter_dir) / f"undelivered-run{target.run_id}.jsonl").read_text().splitlines()]
    assert [(d["url"], d["portal"]) for d in dead] == [(orphan.url, "not-in-the-archive")]
    db = Database(db_url)
    with db.session() as s:
        assert len(s.scalars(select(Article)).all()) == 2
        assert f"https://{HOST}/node/4" in set(s.scalars(select(ArticleUrl.url)))
    db.dispose()
