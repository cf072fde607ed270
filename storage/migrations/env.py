"""Alembic environment for govcrawl's storage package.

`storage.Database.migrate()` passes its open connection in `config.attributes["connection"]`.
When run from the alembic command line instead (developers only:
`alembic -c storage/alembic.ini revision --autogenerate -m "..."`), the URL comes from
$GOVCRAWL_DB or the default SQLite file, exactly as `storage.Database` resolves it.
"""
from __future__ import annotations

from alembic import context

from storage.db import Database
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    db = Database(config.get_main_option("sqlalchemy.url") or None)
    try:
        with db.engine.begin() as conn:
            _run(conn)
    finally:
        db.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
