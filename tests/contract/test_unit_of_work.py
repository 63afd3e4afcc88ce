"""The unit of work: committed data is seen by the next one; anything else leaves no trace."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.audit import GENESIS, NewAuditEvent
from banso.engine.calendar import DueDate
from banso.engine.outbox import OutgoingMessage
from banso.services.ports import UnitOfWork
from tests.contract.backends import NOW, Backend, Seed, add_person


def write_everything(uow: UnitOfWork, seed: Seed) -> None:
    """One row of every kind the unit of work reaches."""
    org = uow.directory.add_org("336238", "和気町", "town")
    theme = uow.directory.add_theme("security", "情報セキュリティ", False, None)
    add_person(uow.directory, "new@example.jp")
    uow.directory.add_subcontractor("株式会社サンプル", None)
    uow.directory.update_person(seed.consultant, active=False)
    uow.directory.assign_if_first(org.id, theme.id, seed.consultant)
    uow.settings.put("quota", {"total": 1})
    rid = uow.records.add("engagement", "requested", {"org_id": org.id, "theme_id": theme.id}, NOW)
    uow.audit.append(
        NewAuditEvent(NOW, "lead@example.jp", "engagement", rid, "create", None, "requested", 0)
    )
    uow.deadlines.open(
        obligation="hearing", title="ヒアリング", about_kind="engagement", about_id=rid,
        org_id=org.id, due=DueDate(date(2026, 6, 15), date(2026, 6, 15), "—"),
        responsible="lead", first_fire_at=NOW, now=NOW,
    )  # fmt: skip
    uow.outbox.enqueue([OutgoingMessage("k:1", "dead_letter", ("a@example.jp",), "s", "t")], NOW)


def assert_nothing_written(backend: Backend, seed: Seed) -> None:
    with backend.uow(readonly=True) as uow:
        d = uow.directory
        assert d.org("336238") is None and d.theme("security") is None
        assert d.person("new@example.jp") is None and d.subcontractors() == []
        assert d.person_by_id(seed.consultant).active  # type: ignore[union-attr]
        assert uow.settings.get("quota") is None
        assert uow.records.count("engagement") == 0
        assert list(uow.audit.all_events()) == [] and uow.audit.head_hash() == GENESIS
        assert uow.deadlines.list(date(2026, 1, 1), date(2027, 12, 31)) == []
        assert uow.outbox.queued_keys("") == set()
    assert backend.outbox_store.list() == []


def test_without_commit_nothing_is_kept(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        write_everything(uow, master)
        assert uow.records.count("engagement") == 1  # seen inside the unit of work
    assert_nothing_written(backend, master)


def test_an_exception_rolls_everything_back(backend: Backend, master: Seed) -> None:
    with pytest.raises(RuntimeError, match="half-way"), backend.uow() as uow:
        write_everything(uow, master)
        raise RuntimeError("half-way")
    assert_nothing_written(backend, master)


def test_a_commit_keeps_everything_and_later_work_needs_its_own(
    backend: Backend, master: Seed
) -> None:
    with backend.uow() as uow:
        write_everything(uow, master)
        uow.commit()
        uow.settings.put("contract", {"start": "2026-04-01"})  # after the commit: not kept
    with backend.uow(readonly=True) as uow:
        assert uow.records.count("engagement") == 1
        assert uow.directory.org("336238") is not None
        assert not uow.directory.person_by_id(master.consultant).active  # type: ignore[union-attr]
        assert uow.settings.get("quota") == {"total": 1}
        assert uow.settings.get("contract") is None
        assert len(list(uow.audit.all_events())) == 1
        assert uow.outbox.queued_keys("k:") == {"k:1"}
    assert [q.message.key for q in backend.outbox_store.list()] == ["k:1"]


def test_a_read_only_unit_of_work_cannot_commit(backend: Backend) -> None:
    with backend.uow(readonly=True) as uow, pytest.raises(RuntimeError):
        uow.commit()
