"""The outbox: queueing in the unit of work (keys unique forever) and the sender's store
(claim, mark sent or failed, retry, list)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from banso.engine.errors import InvalidValue, NotFound
from banso.engine.outbox import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    Attachment,
    OutgoingMessage,
    message_id_for,
)
from tests.contract.backends import NOW, Backend

LEASE = timedelta(minutes=5)


def message(key: str, **fields: object) -> OutgoingMessage:
    values: dict[str, object] = {
        "key": key,
        "kind": "deadline_reminder",
        "to": ("tanaka@city.example.jp",),
        "subject": f"【リマインド】{key}",
        "text": "本文",
        **fields,
    }
    return OutgoingMessage(**values)  # type: ignore[arg-type]  # the dataclass's fields


def enqueue(backend: Backend, *keys: str, at: timedelta = timedelta(0)) -> list[int]:
    with backend.uow() as uow:
        uow.outbox.enqueue([message(k) for k in keys], NOW + at)
        uow.commit()
    by_key = {q.message.key: q.id for q in backend.outbox_store.list(limit=1000)}
    return [by_key[k] for k in keys]


def test_a_key_is_queued_once_ever(backend: Backend) -> None:
    ics = Attachment("invite.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR\r\n")
    first = message(
        "event:1:a@example.jp", cc=("b@example.jp",), attachments=(ics,),
        about_kind="engagement", about_id=3,
    )  # fmt: skip
    with backend.uow() as uow:
        assert uow.outbox.enqueue([first], NOW) == 1
        assert uow.outbox.enqueue([], NOW) == 0
        uow.commit()
    with backend.uow() as uow:
        # A repeat, and a repeat within one batch, are skipped; the transaction goes on.
        repeat = [message("event:1:a@example.jp", subject="別"), message("event:2:a@example.jp")]
        assert uow.outbox.enqueue([*repeat, message("event:2:a@example.jp")], NOW) == 1
        uow.commit()
    listed = backend.outbox_store.list()
    assert [q.message.key for q in listed] == ["event:2:a@example.jp", "event:1:a@example.jp"]
    q = backend.outbox_store.get(listed[1].id)
    assert q.message == first  # attachments, cc and about survive the round trip
    assert (q.state, q.attempts, q.message_id) == (QUEUED, 0, message_id_for(first.key))
    assert q.next_attempt_at == q.created_at == NOW
    assert (q.sent_at, q.last_error) == (None, None)


def test_queued_keys_match_a_literal_prefix_and_suffix(backend: Backend) -> None:
    enqueue(
        backend,
        "digest:a_b@example.jp:2026-06-01",
        "digest:axb@example.jp:2026-06-01",
        "digest:a_b@example.jp:2026-06-02",
        "digest%:x:2026-06-01",
        "deadline:1:0",
        "aba",
    )
    with backend.uow(readonly=True) as uow:
        keys = uow.outbox.queued_keys
        assert keys("digest:", ":2026-06-01") == {
            "digest:a_b@example.jp:2026-06-01",
            "digest:axb@example.jp:2026-06-01",
        }
        # `_` and `%` are characters here, not LIKE wildcards.
        assert keys("digest:a_b") == {
            "digest:a_b@example.jp:2026-06-01",
            "digest:a_b@example.jp:2026-06-02",
        }
        assert keys("digest%") == {"digest%:x:2026-06-01"}
        assert keys("deadline:", "_0") == set()
        assert keys("deadline:") == {"deadline:1:0"}
        # Prefix and suffix may not overlap inside the key.
        assert keys("ab", "ba") == set()
        assert keys("a", "ba") == {"aba"}
        assert keys("nothing:") == set()


def test_queued_keys_are_case_sensitive(request: pytest.FixtureRequest, backend: Backend) -> None:
    enqueue(backend, "DIGEST:a@example.jp:2026-06-01")
    with backend.uow(readonly=True) as uow:
        assert uow.outbox.queued_keys("digest:") == set()


def test_a_claim_takes_due_messages_oldest_first_for_the_lease(backend: Backend) -> None:
    first = enqueue(backend, "first")[0]
    second = enqueue(backend, "second", at=timedelta(seconds=1))[0]
    third = enqueue(backend, "third", at=timedelta(seconds=2))[0]
    enqueue(backend, "future", at=timedelta(hours=1))
    store = backend.outbox_store
    later = NOW + timedelta(minutes=1)
    claimed = store.claim(later, 2, LEASE)
    assert [q.id for q in claimed] == [first, second]
    assert {(q.state, q.next_attempt_at) for q in claimed} == {(SENDING, later + LEASE)}
    assert store.get(first).state == SENDING
    assert [q.id for q in store.claim(later, 10, LEASE)] == [third]
    assert store.claim(later, 10, LEASE) == []  # all held by their leases, the last not due
    # Once a lease runs out, a vanished sender's message is claimed again.
    again = store.claim(later + LEASE, 10, LEASE)
    assert {q.id for q in again} == {first, second, third}


def test_sent_failed_and_dead(backend: Backend) -> None:
    sent, failed, dead = enqueue(backend, "sent", "failed", "dead")
    store = backend.outbox_store
    store.claim(NOW, 10, LEASE)
    store.mark_sent(sent, NOW)
    retry_at = NOW + timedelta(seconds=30)
    store.mark_failed(failed, "451 try later", NOW, retry_at)
    store.mark_failed(dead, "x" * 2000, NOW, None)
    store.mark_failed(sent, "a late failure report", NOW, retry_at)  # sent stays sent
    s, f, d = store.get(sent), store.get(failed), store.get(dead)
    assert (s.state, s.sent_at, s.next_attempt_at, s.attempts) == (SENT, NOW, None, 0)
    assert (f.state, f.attempts, f.last_error, f.next_attempt_at) == (
        FAILED, 1, "451 try later", retry_at,
    )  # fmt: skip
    assert (d.state, d.attempts, d.next_attempt_at) == (DEAD, 1, None)
    assert d.last_error is not None and len(d.last_error) == 1000 and d.last_error[-1] == "…"
    assert store.claim(retry_at - timedelta(seconds=1), 10, LEASE) == []
    assert [q.id for q in store.claim(retry_at, 10, LEASE)] == [failed]
    with pytest.raises(NotFound):
        store.mark_sent(999, NOW)
    with pytest.raises(NotFound):
        store.mark_failed(999, "x", NOW, None)


def test_retry_requeues_dead_and_failed_messages_only(backend: Backend) -> None:
    dead, sent, sending = enqueue(backend, "dead", "sent", "sending")
    store = backend.outbox_store
    store.claim(NOW, 10, LEASE)
    store.mark_failed(dead, "550 no such user", NOW, None)
    store.mark_sent(sent, NOW)
    later = NOW + timedelta(minutes=1)  # "sending" is still within its lease
    again = store.retry(dead, later)
    assert (again.state, again.attempts, again.next_attempt_at) == (QUEUED, 0, later)
    assert store.get(dead) == again
    assert [q.id for q in store.claim(later, 10, LEASE)] == [dead]
    for refused in (sent, sending):
        with pytest.raises(InvalidValue):
            store.retry(refused, later)
    with pytest.raises(NotFound):
        store.retry(999, later)


def test_list_newest_first_by_state_with_a_limit(backend: Backend) -> None:
    a, b, c = enqueue(backend, "a", "b", "c")
    store = backend.outbox_store
    store.claim(NOW, 1, LEASE)
    store.mark_sent(a, NOW)
    assert [q.id for q in store.list()] == [c, b, a]
    assert [q.id for q in store.list(limit=2)] == [c, b]
    assert [q.id for q in store.list(QUEUED)] == [c, b]
    assert [q.id for q in store.list(SENT)] == [a]
    assert store.list(DEAD) == []
    with pytest.raises(InvalidValue):
        store.list("lost")
    with pytest.raises(NotFound):
        store.get(999)
