"""The SQL outbox against real databases: queueing inside a unit of work, and
the sender's claim / mark cycle, on SQLite and PostgreSQL (``engine`` fixture).

The concurrency tests need PostgreSQL (``FOR UPDATE SKIP LOCKED``); on SQLite
claims are serialised by the database's single write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from banso.engine.errors import InvalidValue, NotFound
from banso.engine.outbox import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    Attachment,
    OutgoingMessage,
    QueuedMessage,
    message_id_for,
)
from banso.storage.db import make_engine
from banso.storage.migrate import upgrade
from banso.storage.models import OutboxRow
from banso.storage.outbox import SqlOutbox, SqlOutboxStore
from banso.storage.uow import SqlUnitOfWork

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
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
    return OutgoingMessage(**values)  # type: ignore[arg-type]


def uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine, record_classes={})


def enqueue(engine: Engine, messages: list[OutgoingMessage], now: datetime = NOW) -> int:
    with uow(engine) as work:
        added = SqlOutbox(work.session).enqueue(messages, now)
        work.commit()
    return added


def row_count(engine: Engine) -> int:
    with uow(engine) as work:
        return int(work.session.scalar(select(func.count()).select_from(OutboxRow)) or 0)


@pytest.fixture
def store(engine: Engine) -> SqlOutboxStore:
    return SqlOutboxStore(engine)


# -- queueing ---------------------------------------------------------------------


def test_a_known_key_is_skipped_and_the_transaction_stays_usable(engine: Engine) -> None:
    assert enqueue(engine, [message("deadline:1:0")]) == 1
    with uow(engine) as work:
        outbox = SqlOutbox(work.session)
        # The repeat, and a repeat within one batch, are skipped without an error...
        assert outbox.enqueue([message("deadline:1:0"), message("deadline:2:0")], NOW) == 1
        assert outbox.enqueue([message("deadline:3:0"), message("deadline:3:0")], NOW) == 1
        # ...and the transaction goes on (a failed INSERT would poison it on PostgreSQL).
        assert outbox.enqueue([message("deadline:4:0")], NOW) == 1
        work.commit()
    assert row_count(engine) == 4
    assert enqueue(engine, []) == 0


def test_an_address_is_written_to_once_an_event_mail_to_it_is_queued(engine: Engine) -> None:
    enqueue(engine, [message("event:7:Tanaka@city.example.jp"), message("digest:a@x.jp:2026")])
    with uow(engine) as work:
        outbox = SqlOutbox(work.session)
        assert outbox.written_to("Tanaka@city.example.jp")
        # The exact address: not another case, not a digest's, not a longer one.
        assert not outbox.written_to("tanaka@city.example.jp")
        assert not outbox.written_to("a@x.jp")
        assert not outbox.written_to("city.example.jp")


def test_messages_queued_in_a_unit_of_work_that_rolls_back_are_gone(engine: Engine) -> None:
    with uow(engine) as work:
        assert SqlOutbox(work.session).enqueue([message("a"), message("b")], NOW) == 2
        # no commit: leaving the unit of work rolls back
    assert row_count(engine) == 0
    with pytest.raises(RuntimeError), uow(engine) as work:
        SqlOutbox(work.session).enqueue([message("a")], NOW)
        raise RuntimeError("the use case failed after queueing")
    assert row_count(engine) == 0


def test_a_queued_message_has_its_initial_state(engine: Engine, store: SqlOutboxStore) -> None:
    enqueue(engine, [message("k1", about_kind="dispatch", about_id=7)])
    (queued,) = store.list()
    assert queued.state == QUEUED
    assert queued.attempts == 0
    assert queued.next_attempt_at == NOW
    assert queued.created_at == NOW
    assert queued.message_id == message_id_for("k1")
    assert (queued.message.about_kind, queued.message.about_id) == ("dispatch", 7)
    assert queued.last_error is None and queued.sent_at is None


def test_japanese_text_and_attachments_round_trip(engine: Engine, store: SqlOutboxStore) -> None:
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:ヒアリング（岡山市 情報政策課）\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    sent = message(
        "event:12:yamada@pref.example.jp",
        kind="hearing_invitation",
        to=("yamada@pref.example.jp", "sato@city.example.jp"),
        cc=("lead@contractor.example.jp",),
        subject="【ご案内】ヒアリング日程のお知らせ（令和8年6月3日）",
        text="岡山市 情報政策課\n山田 太郎 様\n\nいつもお世話になっております。①②③ ～ 髙橋",
        html="<p>山田 太郎 様</p><p>ご確認ください。</p>",
        attachments=(
            Attachment("invite.ics", "text/calendar; method=REQUEST", ics),
            Attachment("資料.pdf", "application/pdf", bytes(range(256)) * 4),
        ),
    )
    enqueue(engine, [sent])
    (claimed,) = store.claim(NOW, 10, LEASE)
    assert claimed.message == sent
    assert store.get(claimed.id).message == sent


# -- the sender's cycle -------------------------------------------------------------


def test_claim_send_fail_dead_and_retry(engine: Engine, store: SqlOutboxStore) -> None:
    enqueue(engine, [message("ok"), message("flaky")])
    claimed = {q.message.key: q for q in store.claim(NOW, 10, LEASE)}
    assert set(claimed) == {"ok", "flaky"}
    assert all(q.state == SENDING and q.next_attempt_at == NOW + LEASE for q in claimed.values())
    assert store.claim(NOW, 10, LEASE) == [], "claimed rows are not claimed twice"

    store.mark_sent(claimed["ok"].id, NOW + timedelta(seconds=1))
    ok = store.get(claimed["ok"].id)
    assert (ok.state, ok.sent_at, ok.next_attempt_at, ok.attempts) == (
        SENT,
        NOW + timedelta(seconds=1),
        None,
        0,
    )

    flaky = claimed["flaky"].id
    retry_at = NOW + timedelta(minutes=1)
    store.mark_failed(flaky, "421 4.7.0 try again later", NOW, retry_at)
    failed = store.get(flaky)
    assert (failed.state, failed.attempts, failed.next_attempt_at) == (FAILED, 1, retry_at)
    assert failed.last_error == "421 4.7.0 try again later"
    assert store.claim(NOW + timedelta(seconds=59), 10, LEASE) == [], "not before retry_at"

    (again,) = store.claim(retry_at, 10, LEASE)
    assert again.id == flaky and again.attempts == 1
    store.mark_failed(flaky, "550 5.1.1 user unknown", retry_at, None)
    dead = store.get(flaky)
    assert (dead.state, dead.attempts, dead.next_attempt_at) == (DEAD, 2, None)
    assert store.claim(NOW + timedelta(days=365), 10, LEASE) == [], "the dead are not claimed"
    assert store.counts() == {QUEUED: 0, SENDING: 0, SENT: 1, FAILED: 0, DEAD: 1}

    later = NOW + timedelta(hours=2)
    requeued = store.retry(flaky, later)
    assert (requeued.state, requeued.attempts, requeued.next_attempt_at) == (QUEUED, 0, later)
    assert requeued.last_error == "550 5.1.1 user unknown", "kept for the record"
    assert [q.id for q in store.claim(later, 10, LEASE)] == [flaky]


def test_an_expired_lease_is_claimed_again_with_the_same_message_id(
    engine: Engine, store: SqlOutboxStore
) -> None:
    enqueue(engine, [message("deadline:9:2")])
    (first,) = store.claim(NOW, 10, LEASE)
    # The sender sent it and died before mark_sent: the row stays `sending`.
    assert store.claim(NOW + LEASE - timedelta(seconds=1), 10, LEASE) == [], "lease still runs"
    (second,) = store.claim(NOW + LEASE, 10, LEASE)
    assert second.id == first.id
    assert second.message_id == first.message_id == message_id_for("deadline:9:2")
    assert second.attempts == 0, "a claim that crashed is not a failed attempt"
    assert second.next_attempt_at == NOW + 2 * LEASE


def test_claim_takes_the_oldest_due_first_up_to_the_limit(
    engine: Engine, store: SqlOutboxStore
) -> None:
    for minutes in (3, 1, 2, 10):
        enqueue(engine, [message(f"m{minutes}")], NOW + timedelta(minutes=minutes))
    at = NOW + timedelta(minutes=5)
    assert [q.message.key for q in store.claim(at, 2, LEASE)] == ["m1", "m2"]
    assert [q.message.key for q in store.claim(at, 10, LEASE)] == ["m3"]


def test_retry_refuses_sent_and_in_flight_messages(engine: Engine, store: SqlOutboxStore) -> None:
    enqueue(engine, [message("a"), message("b")])
    a, b = sorted(store.claim(NOW, 10, LEASE), key=lambda q: q.message.key)
    store.mark_sent(a.id, NOW)
    with pytest.raises(InvalidValue, match="sent"):
        store.retry(a.id, NOW)
    with pytest.raises(InvalidValue, match="sending"):
        store.retry(b.id, NOW)
    with pytest.raises(NotFound):
        store.retry(999_999, NOW)
    with pytest.raises(NotFound):
        store.get(999_999)
    with pytest.raises(NotFound):
        store.mark_sent(999_999, NOW)
    with pytest.raises(NotFound):
        store.mark_failed(999_999, "x", NOW, None)


def test_a_late_failure_does_not_undo_a_send(engine: Engine, store: SqlOutboxStore) -> None:
    """Two senders after a lease expiry: the one that delivered wins."""
    enqueue(engine, [message("a")])
    (q,) = store.claim(NOW, 10, LEASE)
    store.mark_sent(q.id, NOW)
    store.mark_failed(q.id, "timeout", NOW, NOW + timedelta(minutes=1))
    assert store.get(q.id).state == SENT


def test_long_errors_are_truncated(engine: Engine, store: SqlOutboxStore) -> None:
    enqueue(engine, [message("a")])
    (q,) = store.claim(NOW, 10, LEASE)
    store.mark_failed(q.id, "エラー" * 2000, NOW, NOW)
    error = store.get(q.id).last_error
    assert error is not None and len(error) <= 1000 and error.startswith("エラー")


def test_list_filters_by_state_newest_first(engine: Engine, store: SqlOutboxStore) -> None:
    enqueue(engine, [message(f"m{i}") for i in range(5)])
    (first,) = store.claim(NOW, 1, LEASE)
    store.mark_sent(first.id, NOW)
    assert [q.message.key for q in store.list()] == ["m4", "m3", "m2", "m1", "m0"]
    assert [q.message.key for q in store.list(QUEUED, 2)] == ["m4", "m3"]
    assert [q.message.key for q in store.list(SENT)] == ["m0"]
    with pytest.raises(InvalidValue):
        store.list("lost")


# -- several senders (PostgreSQL) ----------------------------------------------------


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    eng = make_engine(postgres_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.mark.postgres
def test_a_claim_skips_rows_another_transaction_holds(pg_engine: Engine) -> None:
    enqueue(pg_engine, [message(f"m{i}") for i in range(6)], NOW)
    store = SqlOutboxStore(pg_engine)
    with pg_engine.connect() as other:
        held = other.execute(text("SELECT id FROM outbox ORDER BY id LIMIT 3 FOR UPDATE")).scalars()
        held_ids = set(held)
        claimed = store.claim(NOW, 10, LEASE)  # does not wait for `other`
        assert {q.id for q in claimed}.isdisjoint(held_ids)
        assert len(claimed) == 3
        other.rollback()
    assert {q.id for q in store.claim(NOW, 10, LEASE)} == held_ids


@pytest.mark.postgres
def test_three_concurrent_claimers_take_every_row_exactly_once(pg_engine: Engine) -> None:
    total = 2000
    enqueue(pg_engine, [message(f"event:{i}:x@example.jp") for i in range(total)], NOW)
    barrier = threading.Barrier(3)
    taken: list[list[QueuedMessage]] = [[], [], []]
    errors: list[BaseException] = []

    def claimer(slot: int) -> None:
        store = SqlOutboxStore(pg_engine)
        try:
            barrier.wait(timeout=10)
            while batch := store.claim(NOW, 25, LEASE):  # each claim its own transaction
                taken[slot].extend(batch)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    ids = [q.id for batch in taken for q in batch]
    assert len(ids) == total, "every row claimed"
    assert len(set(ids)) == total, "no row claimed twice"
    assert sum(1 for batch in taken if batch) >= 2, "the claims really ran concurrently"
    assert SqlOutboxStore(pg_engine).counts()[SENDING] == total
