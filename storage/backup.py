"""Backups of the embedded database and their restore into an empty one.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a
consistent snapshot page by page while other commands and the daemon go on
writing; the copy is checked (``PRAGMA integrity_check`` and the schema
revision) before it is called a backup. PostgreSQL has its own tools,
``pg_dump`` and ``pg_restore`` (docs/operations.md), which Banso does not
wrap: this module says so in one line.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from banso.engine.errors import InvalidValue, Refused
from banso.engine.phrase import Phrase
from banso.storage.db import parse_url, sqlite_path

PG_DUMP = (
    "on PostgreSQL, back up with `pg_dump --format=custom --file=FILE DB` and restore with "
    "`pg_restore --dbname=DB FILE` into an empty database (docs/operations.md)"
)


@dataclass(frozen=True)
class Copied:
    source: Path
    target: Path
    schema: str
    pages: int


def _database_file(url: str) -> Path:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "postgresql":
        raise Refused(PG_DUMP)
    path = sqlite_path(parsed)
    if path is None:
        raise InvalidValue("--db", url, "a SQLite file (sqlite:///PATH) to back up or restore")
    return path


def _check(path: Path, what: str) -> tuple[str, int]:
    """The schema revision and page count of a Banso SQLite file, or one line why not."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InvalidValue(
            what, str(path), Phrase("a Banso SQLite database ({reason})", reason=str(exc))
        ) from None
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()
        if not ok or ok[0] != "ok":
            raise InvalidValue(what, str(path), "an intact SQLite database (integrity_check)")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise InvalidValue(
            what, str(path), Phrase("a Banso database ({reason})", reason=str(exc))
        ) from None
    finally:
        conn.close()
    if row is None:
        raise InvalidValue(what, str(path), "a Banso database that `banso init` set up")
    return str(row[0]), pages


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        # A few hundred pages a step: writers are held up for a moment at a time only.
        src.backup(dst, pages=256)
    finally:
        dst.close()
        src.close()


def backup(url: str, target: Path) -> Copied:
    """A consistent copy of the database at ``url`` in ``target`` (a new file)."""
    source = _database_file(url)
    if not source.is_file():
        raise InvalidValue("--db", str(source), "an existing database file; run `banso init` first")
    _check(source, "--db")
    if target.exists():
        raise Refused(
            Phrase(
                "{target} already exists; give a new file name, a backup never overwrites",
                target=str(target),
            )
        )
    if not target.parent.is_dir():
        raise InvalidValue("FILE", str(target), "a path in an existing folder")
    if target.resolve() == source.resolve():
        raise InvalidValue("FILE", str(target), "a file other than the database itself")
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(source, partial)
        schema, pages = _check(partial, "the backup")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(source, target, schema, pages)


def restore(url: str, source: Path) -> Copied:
    """``source`` (a backup) copied into the empty database at ``url``."""
    target = _database_file(url)
    if not source.is_file():
        raise InvalidValue("FILE", str(source), "an existing backup file")
    schema, pages = _check(source, "FILE")
    if target.exists() and target.stat().st_size > 0:
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
        if tables:
            raise Refused(
                Phrase(
                    "{target} is not empty; a backup is restored into an empty database only "
                    "(give a new --db path, or move the old file away first)",
                    target=str(target),
                )
            )
    if not target.parent.is_dir():
        raise InvalidValue("--db", url, "a path in an existing folder")
    partial = target.with_name(target.name + ".restoring")
    try:
        _copy(source, partial)
        _check(partial, "the restored database")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return Copied(source, target, schema, pages)
