"""Opening the database: SQLite (the embedded default) or PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from banso.engine.errors import StorageUnavailable
from banso.engine.phrase import Phrase
from banso.storage.faults import first_line, hide_passwords

# Bumped with every migration; a test checks it against the Alembic head so
# that ordinary commands can check the schema without importing Alembic.
SCHEMA_REVISION = "0012_speed"

READONLY = {"banso_readonly": True}


def _url_help() -> Phrase:
    return Phrase("expected sqlite:///PATH or postgresql://USER@HOST:PORT/DB")


def parse_url(url: str) -> URL:
    """A database URL, with ``postgresql://`` meaning the psycopg 3 driver we ship."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        shown = hide_passwords(url)
        raise StorageUnavailable(
            Phrase("--db: {url!r} is not a database URL; {help}", url=shown, help=_url_help())
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageUnavailable(
            Phrase(
                "--db: {backend} is not supported; {help}",
                backend=parsed.get_backend_name(),
                help=_url_help(),
            )
        )
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL (None for in-memory or other backends)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(url: str, *, must_exist: bool = False) -> Engine:
    """An engine for ``url``, checked to be reachable; one clear line if not.

    ``must_exist`` refuses a SQLite file that is not there yet, so that a typo
    in ``--db`` does not silently create an empty database.
    """
    parsed = parse_url(url)
    kwargs: dict[str, Any] = {}
    path = sqlite_path(parsed)
    if path is not None:
        if must_exist and not path.exists():
            raise StorageUnavailable(
                Phrase(
                    "--db: no database at {path}; run `banso init` first or check the path",
                    path=str(path),
                )
            )
        if not path.parent.exists():
            raise StorageUnavailable(
                Phrase(
                    "--db: folder {path} does not exist; create it or choose another path",
                    path=str(path.parent),
                )
            )
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:
        shown = hide_passwords(url)
        raise StorageUnavailable(
            Phrase(
                "--db: cannot use {url!r}: {reason}; {help}",
                url=shown,
                reason=hide_passwords(str(exc)),
                help=_url_help(),
            )
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        reason = first_line(exc)
        shown = parsed.render_as_string(hide_password=True)
        raise StorageUnavailable(
            Phrase("--db: cannot open {url}: {reason}", url=shown, reason=reason)
        ) from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take SQLite's write lock up front: a transaction that read
        # first and upgraded later could fail half-way with SQLITE_BUSY instead
        # of waiting its turn. Readers stay deferred and never block writers.
        readonly = conn.get_execution_options().get("banso_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None: never initialised)."""
    with engine.connect().execution_options(**READONLY) as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except DBAPIError:
            return None
    return str(row[0]) if row else None


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database `banso init` has not brought up to date."""
    current = schema_revision(engine)
    if current is None:
        raise StorageUnavailable("the database is not initialised; run `banso init` first")
    if current != SCHEMA_REVISION:
        raise StorageUnavailable(
            Phrase(
                "the database schema is at {current}, this Banso needs {needed}; "
                "run `banso init` to upgrade it",
                current=current,
                needed=SCHEMA_REVISION,
            )
        )


def rowcount(result: Result[Any]) -> int:
    """Rows a DML statement changed (Session.execute is typed as returning a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount)
