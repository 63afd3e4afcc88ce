"""The ``backend`` fixture: every contract test on memory, SQLite and PostgreSQL.

SQL databases are created and migrated once per test process and emptied
before each test (far cheaper than a database per test). PostgreSQL reads the
server from ``BANSO_TEST_POSTGRES_URL`` and skips without it, as tests/conftest.py does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from banso.storage.db import make_engine, parse_url
from banso.storage.migrate import upgrade
from tests.contract.backends import NAMES, Backend, Seed, empty, memory, seed, sql

PG_ENV = "BANSO_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('contract') / 'banso.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[Engine]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests need a server (CI sets it)")
    server = parse_url(url)
    name = f"banso_c_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
        upgrade(engine)
        yield engine
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=NAMES)
def backend(request: pytest.FixtureRequest) -> Backend:
    """An initialised, empty store."""
    if request.param == "memory":
        return memory()
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    empty(engine)
    return sql(request.param, engine)


@pytest.fixture
def master(backend: Backend) -> Seed:
    """Two organisations, a theme and two consultants, committed."""
    return seed(backend)
