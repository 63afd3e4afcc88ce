"""What only the in-memory fakes do: refuse what would hang on SQLite or differ by backend.

A fake that quietly did either would let a use case pass its tests and then
wait forever for SQLite's write lock, or order its rows differently on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.contract.backends import NOW, memory, seed
from tests.support.fakes import BackendDependent


def test_one_writer_at_a_time_as_on_sqlite() -> None:
    backend = memory()
    with backend.uow(readonly=True), backend.uow():  # readers never wait
        with pytest.raises(RuntimeError):
            backend.uow().__enter__()  # SQLite: waits for the lock the outer one holds
        with pytest.raises(RuntimeError):
            backend.outbox_store.claim(NOW, 10, timedelta(minutes=5))
    with backend.uow() as uow:  # the lock is given back on exit
        uow.commit()


def test_ordering_by_a_null_is_refused_as_backend_dependent() -> None:
    backend = memory()
    master = seed(backend)
    with backend.uow() as uow:
        data = {"org_id": master.org, "theme_id": master.theme}
        uow.records.add("engagement", "requested", data, NOW)
        uow.records.add("engagement", "requested", {**data, "org_id": master.other_org}, NOW)
        assert len(uow.records.find("engagement", order_by=("org_id",))) == 2
        with pytest.raises(BackendDependent):  # SQLite: NULLs first; PostgreSQL: last
            uow.records.find("engagement", order_by=("hearing_at",))
