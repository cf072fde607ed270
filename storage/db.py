"""Engine and session factory; programmatic Alembic migrations (no alembic.ini needed).

    db = Database()            # url None -> $GOVCRAWL_DB -> sqlite:///./data/govcrawl.sqlite
    db.migrate()               # upgrade to head; idempotent, safe at every start
    with db.session() as s, s.begin():
        repository.store_article(s, ...)
    db.close()                 # a writer's end: the WAL folded into the .sqlite file

SQLite runs in WAL mode: commits go to `<file>-wal` first and reach the database file at a
checkpoint. `close()` checkpoints with TRUNCATE, so once the writers are done the `.sqlite` file
alone is the whole archive; `backup()` copies a live database consistently (VACUUM INTO).
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3
from urllib.parse import quote
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///./data/govcrawl.sqlite"
ENV_VAR = "GOVCRAWL_DB"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10
# Serialises concurrent `migrate()` calls on one PostgreSQL database (arbitrary constant).
_PG_MIGRATION_LOCK_ID = 0x60C_0A31
# A database holds govcrawl's schema when it has these (the migration stamp and the archive).
SCHEMA_TABLES = ("alembic_version", "articles")


class StorageError(RuntimeError):
    """The database cannot be used: bad URL, unreachable server, failed migration, unknown key."""


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: the argument, else $GOVCRAWL_DB, else the default SQLite file."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # unparseable (a typo such as "postgresql//user:pw@host"): any user:password@ masked
        return re.sub(r"([^:/@]*:)[^@/]*@", r"\1***@", url)


def _normalise(url: URL) -> URL:
    """`postgresql://` / `postgres://` mean psycopg 3 here (psycopg2 is not a dependency)."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    return url


class Database:
    """One database: engine, session factory, migrations. Opens nothing until first used."""

    def __init__(self, url: str | None = None, *, echo: bool = False, create: bool = True) -> None:
        """`create=False` for commands that only read: a SQLite file's directory is not made
        (check `exists()` and `has_schema()` before connecting, which would create the file)."""
        raw = resolve_url(url)
        try:
            parsed = _normalise(make_url(raw))
        except ArgumentError as exc:
            if "://" not in raw and "@" not in raw:  # a file path given where a URL goes
                raise StorageError(
                    f"database {raw!r} is a path, not a URL: for a SQLite file write sqlite:///{raw}") from exc
            raise StorageError(
                f"database URL {mask_url(raw)!r} is not valid ({exc}); expected e.g. "
                f"{DEFAULT_URL} or postgresql+psycopg://user:password@host:5432/dbname"
            ) from exc
        self.url: URL = parsed
        self.display_url = mask_url(parsed)
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StorageError(
                f"database URL {self.display_url!r}: unsupported backend {backend!r} "
                "(use sqlite:///path/to/file.sqlite or postgresql+psycopg://...)"
            )
        # an error names the statement, never its values: a failed write otherwise logs a whole
        # article (and the undelivered file keeps the page anyway)
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if backend == "sqlite":
            if parsed.database and Path(parsed.database).expanduser().is_dir():
                raise StorageError(f"database URL {self.display_url!r}: {parsed.database} is a directory, "
                                   "not a database file")
            if create:
                self._prepare_sqlite_path(parsed)
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        else:
            kwargs["pool_pre_ping"] = True
            if "connect_timeout" not in parsed.query:
                kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        try:
            self.engine: Engine = create_engine(parsed, **kwargs)
        except (NoSuchModuleError, ArgumentError, ImportError) as exc:
            raise StorageError(
                f"database URL {self.display_url!r}: cannot load its driver ({exc})"
            ) from exc
        if backend == "sqlite":
            _configure_sqlite(self.engine)
        self._sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._readonly_sessionmaker = sessionmaker(
            self.engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
        )

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"

    @staticmethod
    def _prepare_sqlite_path(url: URL) -> None:
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return
        parent = Path(database).expanduser().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"database URL {mask_url(url)!r}: cannot create directory {str(parent)!r} ({exc})"
            ) from exc

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file (None for PostgreSQL, :memory: and file: URIs)."""
        database = self.url.database
        if self.url.get_backend_name() != "sqlite" or not database or database == ":memory:" \
                or database.startswith("file:"):
            return None
        return Path(database).expanduser()

    def exists(self) -> bool:
        """False when the SQLite file is missing (connecting would create it); True otherwise."""
        path = self.sqlite_path
        return path is None or path.exists()

    def has_schema(self) -> bool:
        """Whether the database holds govcrawl's tables. Creates and changes nothing: a SQLite
        file is opened read-only (call only when `exists()`)."""
        path = self.sqlite_path
        try:
            if path is not None:
                uri = f"file:{quote(str(path.resolve()))}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
                try:
                    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                finally:
                    conn.close()
            else:
                with self.engine.connect() as connection:
                    names = set(inspect(connection).get_table_names())
        except sqlite3.Error as exc:
            raise StorageError(f"database {self.display_url!r}: cannot read it: {exc}") from exc
        except SQLAlchemyError as exc:
            raise self._error("cannot connect", exc) from exc
        return all(name in names for name in SCHEMA_TABLES)

    def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and empty it (TRUNCATE), so the `.sqlite`
        file alone holds every commit. Call when the writers are done; a no-op on PostgreSQL."""
        if self.url.get_backend_name() != "sqlite":
            return
        try:
            raw = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise self._error("cannot connect", exc) from exc
        try:  # the DBAPI connection is in autocommit (isolation_level None): no BEGIN around the pragma
            busy, frames, done = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as exc:
            logger.warning("database %s: WAL checkpoint failed: %s", self.display_url, exc)
            return
        finally:
            raw.close()
        if busy:
            logger.warning("database %s: WAL checkpoint incomplete (another connection is using it): "
                           "%s of %s frames copied", self.display_url, done, frames)

    def close(self) -> None:
        """The end of a command that wrote: `checkpoint()`, then `dispose()`."""
        try:
            self.checkpoint()
        finally:
            self.dispose()

    def backup(self, target: Path) -> None:
        """Write a consistent copy of this SQLite database to `target` (which must not exist)
        with VACUUM INTO: one self-contained file, safe while a crawl is writing."""
        if self.sqlite_path is None:
            raise StorageError(f"database {self.display_url!r}: backup copies SQLite database files only")
        try:
            raw = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise self._error("cannot connect", exc) from exc
        try:
            raw.cursor().execute("VACUUM INTO ?", (str(target),))
        except sqlite3.Error as exc:
            raise StorageError(f"database {self.display_url!r}: backup to {str(target)!r} failed: {exc}") from exc
        finally:
            raw.close()

    def session(self, *, readonly: bool = False) -> Session:
        """A new Session (expire_on_commit=False). The caller owns the transaction.

        `readonly=True` is for long reads such as exports: on SQLite it takes no write lock.
        """
        return (self._readonly_sessionmaker if readonly else self._sessionmaker)()

    def check(self) -> None:
        """Connect once; raise StorageError naming the URL if the database is unreachable."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise self._error("cannot connect", exc) from exc

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to `revision` (default head). Idempotent; safe at every start."""
        from alembic import command

        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    lock = text("SELECT pg_advisory_xact_lock(:k)")
                    conn.execute(lock, {"k": _PG_MIGRATION_LOCK_ID})
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        except SQLAlchemyError as exc:
            raise self._error("migration failed", exc) from exc

    def current_revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration)."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise self._error("cannot connect", exc) from exc

    def dispose(self) -> None:
        """Close pooled connections (end of process, or before dropping a test database)."""
        self.engine.dispose()

    def _error(self, what: str, exc: SQLAlchemyError) -> StorageError:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = detail[0] if detail else type(exc).__name__
        hint = (
            "check that the server is running and the URL (host, port, user, database) is right"
            if self.url.get_backend_name() == "postgresql"
            else "check that the file path is writable"
        )
        return StorageError(f"database {self.display_url!r}: {what}: {first} ({hint})")


def dialect_insert(session: Session) -> Any:
    """The `insert` of the session's dialect, which has ON CONFLICT (upserts); both backends."""
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def alembic_config() -> Any:
    """An Alembic Config built in code: script_location is this package's migrations dir."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys; and let SQLAlchemy emit BEGIN so SAVEPOINTs work.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; the documented
    workaround is to switch it off (isolation_level=None) and emit BEGIN on the "begin" event.
    Write transactions use BEGIN IMMEDIATE: concurrent writers (threads or processes) then
    queue on the busy timeout instead of failing with "database is locked" when a deferred
    read lock cannot be upgraded. Read-only sessions (`Database.session(readonly=True)`) use
    a deferred BEGIN, so a long export never blocks the crawler's writes (WAL).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # 16 MB of page cache (the default is 2 MB): the LSH band and URL lookups of a large
            # archive otherwise re-read their B-tree pages from the OS on every page stored
            cursor.execute("PRAGMA cache_size = -16384")
            # Checkpoint the WAL into the database every 8,192 pages (32 MB) instead of 1,000: a
            # page worker's commits took 14.4% of its time, 8.4% with this (py-spy, 20,000-story
            # crawl): fewer checkpoints, each syncing once and writing a page changed many times
            # over once.
            cursor.execute("PRAGMA wal_autocheckpoint = 8192")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")
