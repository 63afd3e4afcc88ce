"""Fixtures shared by every suite: one contract, run on SQLite and PostgreSQL.

PostgreSQL tests read the server from ``BANSO_TEST_POSTGRES_URL`` and get a
fresh database each, dropped afterwards; without the variable they skip and
say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from banso.storage.db import make_engine, parse_url
from banso.storage.migrate import upgrade

PG_ENV = "BANSO_TEST_POSTGRES_URL"


def _postgres_server() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests need a server (CI sets it)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test."""
    server = parse_url(_postgres_server())
    name = f"banso_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'banso.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both backends: an empty database URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'banso.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An initialised database (migrations applied) on each backend."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line across the slow suites (``make test-slow``): what they tried, from
    ``tests/support/tally.py``. Printed only when a suite counted something (a run
    with ``-n`` counts in its workers, so it prints nothing here)."""
    from tests.support import tally

    line = tally.summary()
    if line is not None:
        terminalreporter.write_sep("=", "slow suites")
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A command run in process sets the process's language (admin.i18n); the next
    test starts with the language the process had before, whatever ran on this worker."""
    from banso.admin import i18n

    before = i18n.language()
    yield
    if i18n.language() != before:
        i18n.set_language(before)
