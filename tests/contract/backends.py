"""The backends under contract and what their tests share (the fixtures are in conftest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import DataError, IntegrityError, StatementError

from banso.engine.audit import GENESIS
from banso.services import ports
from banso.storage.models import RECORD_CLASSES, AuditHead, Base
from banso.storage.outbox import SqlOutboxStore
from banso.storage.uow import SqlUnitOfWork
from tests.support.fakes import (
    MemoryOutboxStore,
    MemoryStore,
    MemoryUnitOfWorkFactory,
    StorageViolation,
)

NAMES = ("memory", "sqlite", "postgresql")
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo

# What each backend raises for a write its schema refuses.
VIOLATION = (IntegrityError, DataError, StorageViolation)
# ... and for a naive datetime given to a UTC column (SQL wraps the ValueError).
NAIVE = (ValueError, StatementError)
# ... and for a value a JSON column cannot hold.
NOT_JSON = (TypeError, StatementError)


@dataclass(frozen=True)
class Backend:
    """One store under contract: units of work and the outbox store on the same data."""

    name: str
    uow: Callable[..., ports.UnitOfWork]  # (*, readonly: bool = False)
    outbox_store: ports.OutboxStore


def memory() -> Backend:
    store = MemoryStore()
    return Backend("memory", MemoryUnitOfWorkFactory(store), MemoryOutboxStore(store))


def sql(name: str, engine: Engine) -> Backend:
    def unit_of_work(*, readonly: bool = False) -> ports.UnitOfWork:
        return SqlUnitOfWork(
            engine, record_classes=RECORD_CLASSES, effect_handlers={}, readonly=readonly
        )

    return Backend(name, unit_of_work, SqlOutboxStore(engine))


def empty(engine: Engine) -> None:
    """Every row gone, the audit chain back at its genesis (as after `banso init`)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != AuditHead.__tablename__:
                conn.execute(table.delete())
        conn.execute(update(AuditHead).values(seq=0, hash=GENESIS))


@dataclass(frozen=True)
class Seed:
    """Master data that records point at (their foreign keys)."""

    org: int
    other_org: int
    theme: int
    consultant: int
    other_consultant: int


def add_person(
    directory: ports.Directory, email: str, role: str = "consultant", **extra: object
) -> ports.Person:
    values: dict[str, object] = {
        "name": email.split("@")[0],
        "email": email,
        "role": role,
        "org_id": None,
        "fields": None,
        "track_record": None,
        "company": None,
        "subcontractor_id": None,
        "at": NOW,
        **extra,
    }
    return directory.add_person(**values)  # type: ignore[arg-type]  # the port's keywords


def seed(backend: Backend) -> Seed:
    with backend.uow() as uow:
        d = uow.directory
        org = d.add_org("331007", "岡山市", "city")
        other = d.add_org("332020", "倉敷市", "city")
        theme = d.add_theme("genai", "生成AI", False, None)
        hanako = add_person(d, "hanako@example.jp")
        jiro = add_person(d, "jiro@example.jp")
        uow.commit()
    return Seed(org.id, other.id, theme.id, hanako.id, jiro.id)


def known_mismatch(
    request: pytest.FixtureRequest,
    backend: Backend,
    names: tuple[str, ...],
    reason: str,
    raises: type[BaseException] | tuple[type[BaseException], ...],
) -> None:
    """``backend`` breaks the port's contract here (a reported bug): expected to fail with
    ``raises``, strictly, so that the fix turns the test red until the marker goes."""
    if backend.name in names:
        request.applymarker(pytest.mark.xfail(reason=reason, raises=raises, strict=True))
