"""The audit log: a hash chain sealed by engine.audit.seal, read per record and whole."""

from __future__ import annotations

from datetime import timedelta

from banso.engine.audit import GENESIS, NewAuditEvent, event_hash, verify_chain
from tests.contract.backends import NOW, Backend


def event(record_id: int, trigger: str, minutes: int = 0, **payload: object) -> NewAuditEvent:
    return NewAuditEvent(
        at=NOW + timedelta(minutes=minutes),
        actor="lead@example.jp",
        kind="engagement",
        record_id=record_id,
        trigger=trigger,
        from_state=None if trigger == "create" else "requested",
        to_state="requested" if trigger == "create" else "hearing",
        version=0 if trigger == "create" else 1,
        payload=payload,
    )


def test_events_chain_each_to_the_one_before(backend: Backend) -> None:
    with backend.uow() as uow:
        assert uow.audit.head_hash() == GENESIS
        one = uow.audit.append(event(1, "create"))
        two = uow.audit.append(event(2, "create", 1))
        three = uow.audit.append(
            event(1, "schedule_hearing", 2, at="2026-06-03T04:30:00+00:00", consultant=["a"])
        )
        uow.commit()
    assert [e.seq for e in (one, two, three)] == [1, 2, 3]
    assert (one.prev_hash, two.prev_hash, three.prev_hash) == (GENESIS, one.hash, two.hash)
    assert three.hash == event_hash(three, 3, two.hash)
    with backend.uow(readonly=True) as uow:
        audit = uow.audit
        assert audit.head_hash() == three.hash
        assert audit.history("engagement", 1) == [one, three]
        assert audit.latest_for("engagement", 1) == three
        assert audit.latest_for("engagement", 2) == two
        assert audit.latest_for("engagement", 3) is None and audit.history("dispatch", 1) == []
        events = list(audit.all_events())
        assert events == [one, two, three]
        assert events[2].payload == {"at": "2026-06-03T04:30:00+00:00", "consultant": ["a"]}
        assert verify_chain(audit.all_events(), audit.head_hash()).ok


def test_the_chain_goes_on_across_units_of_work(backend: Backend) -> None:
    with backend.uow() as uow:
        first = uow.audit.append(event(1, "create"))
        uow.commit()
    with backend.uow() as uow:
        uow.audit.append(event(2, "create"))  # rolled back: leaves no link behind
    with backend.uow() as uow:
        second = uow.audit.append(event(3, "create"))
        uow.commit()
    assert (second.seq, second.prev_hash) == (2, first.hash)
    with backend.uow(readonly=True) as uow:
        report = verify_chain(uow.audit.all_events(), uow.audit.head_hash())
    assert report.ok and report.checked == 2
