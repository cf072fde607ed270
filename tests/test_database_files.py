"""The SQLite file on disk (issue 16 items 1 and 2): after a writing command the `.sqlite` file alone
is the archive (the WAL is checkpointed), `govcrawl backup` copies a live database, and commands
that only read never create a database on a mistyped path."""
from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from portalsim import ReplicaServer, build_replica
from storage import Database
from tests.conftest import run_govcrawl

SMALL_CRAWL = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "--max-pages", "30")


def _articles(path: Path) -> int:
    """Articles in a SQLite file, read as a copy would be: read-only, without its -wal."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_replica(seed=3, articles=20)) as server:  # on this run's own port
        yield server


@pytest.fixture(scope="module")
def crawled(served: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database after a small crawl of replica-drupal, and the crawl's stderr."""
    path = tmp_path_factory.mktemp("crawl") / "archive.sqlite"
    done = run_govcrawl("crawl", "replica-drupal", "--db", f"sqlite:///{path}", *SMALL_CRAWL)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return path, done.stderr


def test_after_a_crawl_the_sqlite_file_alone_is_the_archive(crawled: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = crawled
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, f"{wal.name}: {wal.stat().st_size} bytes left"
    copy = tmp_path / "copied.sqlite"
    shutil.copyfile(path, copy)  # the .sqlite file only, as a naive backup does
    assert _articles(copy) > 0
    assert _articles(copy) == _articles(path)


def test_a_crawl_on_a_new_path_says_it_created_the_database_once(crawled: tuple[Path, str]) -> None:
    path, stderr = crawled
    assert stderr.count("created new database") == 1, stderr[-3000:]
    assert f"created new database {path}" in stderr


def test_backup_copies_a_live_database(crawled: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = crawled
    stored = _articles(path)
    # a writer still connected, its last commit only in the WAL (no checkpoint yet)
    writer = sqlite3.connect(path)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("CREATE TABLE live_note (note TEXT)")
        writer.execute("INSERT INTO live_note VALUES ('committed while the database is open')")
        writer.commit()
        assert path.with_name(path.name + "-wal").stat().st_size > 0
        target = tmp_path / "backup.sqlite"
        done = run_govcrawl("backup", str(target), "--db", f"sqlite:///{path}")
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{stored} articles" in done.stdout
        assert _articles(target) == stored
        copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        assert copy.execute("SELECT note FROM live_note").fetchall() == [("committed while the database is open",)]
        copy.close()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite"]  # one self-contained file
        again = run_govcrawl("backup", str(target), "--db", f"sqlite:///{path}")
        assert again.returncode == 2 and "already exists" in again.stderr
    finally:
        writer.execute("DROP TABLE live_note")
        writer.commit()
        writer.close()


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    target = tmp_path / "dump"
    done = run_govcrawl("backup", str(target), "--db", "postgresql+psycopg://postgres:secret@127.0.0.1:5432/gc")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pg_dump" in lines[0], done.stderr
    assert "'postgresql://postgres:***@127.0.0.1:5432/gc'" in lines[0]  # libpq's URL, password hidden
    assert "secret" not in done.stderr
    assert not target.exists()


READERS = [("export",), ("export", "--format", "csv"), ("show", "1"), ("runs",), ("runs", "1")]


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_reading_commands_never_create_a_database(command: tuple[str, ...], tmp_path: Path) -> None:
    typo = tmp_path / "dta" / "govcrawl.sqlite"
    done = run_govcrawl(*command, "--db", f"sqlite:///{typo}")
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(typo) in lines[0] and "does not exist" in lines[0]
    assert "--db" in lines[0] and "GOVCRAWL_DB" in lines[0]
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no file, no directory


@pytest.mark.parametrize("command", [("export",), ("runs",), ("backup", "copy.sqlite")], ids=" ".join)
def test_a_mistyped_govcrawl_db_is_named(command: tuple[str, ...], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    typo = tmp_path / "govcrawl.sqlte"
    monkeypatch.setenv("GOVCRAWL_DB", f"sqlite:///{typo}")
    done = run_govcrawl(*command, cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"{typo} does not exist (given by GOVCRAWL_DB)" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_reading_commands_refuse_a_database_without_the_schema(command: tuple[str, ...], tmp_path: Path) -> None:
    empty = tmp_path / "other.sqlite"
    empty.touch()
    done = run_govcrawl(*command, "--db", f"sqlite:///{empty}")
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(empty) in lines[0] and "has no govcrawl tables" in lines[0], done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["other.sqlite"] and empty.stat().st_size == 0


def test_a_writing_command_creates_the_database_and_says_so_once(tmp_path: Path) -> None:
    path = tmp_path / "new" / "govcrawl.sqlite"
    first = run_govcrawl("dedup", "--db", f"sqlite:///{path}")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stderr.count("created new database") == 1 and str(path) in first.stderr, first.stderr
    assert _articles(path) == 0
    second = run_govcrawl("dedup", "--db", f"sqlite:///{path}")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "created" not in second.stderr
    listed = run_govcrawl("runs", "--db", f"sqlite:///{path}")
    assert listed.returncode == 0, listed.stderr


def test_close_checkpoints_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    keep = db.engine.connect()  # a pooled connection still open: SQLite would not fold the WAL itself
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    db.close()
    keep.close()
    assert not wal.exists() or wal.stat().st_size == 0
    assert _articles(path) == 0
