"""The models and the migrations describe the same schema, on both backends."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, table, text

from banso.engine.audit import GENESIS
from banso.storage.db import READONLY, SCHEMA_REVISION, make_engine, schema_revision, sqlite_path
from banso.storage.migrate import head_revision, upgrade
from banso.storage.models import Base


@pytest.fixture
def empty(db_url: str) -> Iterator[Engine]:
    """A reachable database on which `banso init` never ran."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def dump(engine: Engine) -> dict[str, Any]:
    """Schema and contents, comparable between two moments.

    One read-only connection: on SQLite any other connection takes the write
    lock up front (BEGIN IMMEDIATE) and a second one would wait for it.
    """
    out: dict[str, Any] = {}
    with engine.connect().execution_options(**READONLY) as conn:
        insp = inspect(conn)
        for name in sorted(insp.get_table_names()):
            out[name] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(name)
                ],
                "pk": insp.get_pk_constraint(name)["constrained_columns"],
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"])) for i in insp.get_indexes(name)
                ),
                "uniques": sorted(
                    tuple(u["column_names"]) for u in insp.get_unique_constraints(name)
                ),
                "rows": conn.scalar(select(func.count()).select_from(table(name))),
                "content": sorted(
                    map(tuple, conn.execute(select(text("*")).select_from(table(name))))
                ),
            }
    return out


def sqlite_dump(engine: Engine) -> list[str]:
    path = sqlite_path(engine.url)
    assert path is not None
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_schema_revision_is_the_migration_head() -> None:
    assert head_revision() == SCHEMA_REVISION


def test_models_and_migrations_agree(empty: Engine) -> None:
    upgrade(empty)
    with empty.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_brings_an_empty_database_to_the_head(empty: Engine) -> None:
    head = head_revision()
    assert schema_revision(empty) is None
    assert upgrade(empty) == (None, head)
    assert schema_revision(empty) == head
    with empty.connect().execution_options(**READONLY) as conn:
        rows = conn.execute(text("SELECT id, seq, hash FROM audit_head")).all()
    assert [tuple(row) for row in rows] == [(1, 0, GENESIS)]


def test_a_second_upgrade_returns_head_twice_and_changes_nothing(empty: Engine) -> None:
    head = head_revision()
    upgrade(empty)
    before = dump(empty)
    before_sql = sqlite_dump(empty) if empty.dialect.name == "sqlite" else []
    assert upgrade(empty) == (head, head)
    assert dump(empty) == before
    if empty.dialect.name == "sqlite":
        assert sqlite_dump(empty) == before_sql
