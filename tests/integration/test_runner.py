"""The transition runner against real databases, through the toy workflow.

Every test runs on SQLite and on PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from banso.engine.audit import verify_chain
from banso.engine.clock import FixedClock, parse_datetime
from banso.engine.errors import ConflictError, PermissionDenied, TransitionRefused
from banso.engine.runner import Occurrence, TransitionRunner
from banso.storage.uow import SqlUnitOfWork
from tests.support import toy
from tests.support.toy import AUTHOR, LEAD, OTHER, Stamp, ToyStamp


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """A migrated database with the toy tables next to it."""
    toy.create_tables(engine)
    yield engine


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(parse_datetime(toy.START))


@pytest.fixture
def runner(clock: FixedClock) -> TransitionRunner:
    return toy.make_runner(clock)


def _stamps(db: Engine) -> list[tuple[str, str, str, int]]:
    with toy.uow(db, readonly=True) as work:
        rows = work.session.scalars(select(ToyStamp).order_by(ToyStamp.id)).all()
        return [(r.label, r.trigger, r.to_state, r.event_seq) for r in rows]


def test_a_record_walks_through_its_states_one_version_and_one_event_per_step(
    db: Engine, runner: TransitionRunner, clock: FixedClock
) -> None:
    record_id = toy.new_toy(db, runner)
    steps = [
        ("submit", AUTHOR, {"payload": {"title": "DX計画", "reviewer": "r@example.jp"}}, "review"),
        ("reject", AUTHOR, {"payload": {"reason": "目標が曖昧"}}, "draft"),
        ("note", AUTHOR, {"changes": {"note": "目標を具体化"}}, "draft"),
        (
            "submit",
            AUTHOR,
            {
                "payload": {"title": "DX計画 v2", "reviewer": "r@example.jp"},
                "changes": {"title": "DX計画 v2"},
            },
            "review",
        ),
        ("approve", LEAD, {}, "done"),
    ]
    for number, (trigger, actor, kwargs, to_state) in enumerate(steps, start=1):
        clock.set(clock.now() + timedelta(hours=1, microseconds=123_457))
        before = toy.snapshot(db, record_id)
        after = toy.fire(db, runner, record_id, trigger, actor=actor, **kwargs)
        assert after.state == to_state
        assert after.version == before["record"].version + 1 == number
        assert toy.snapshot(db, record_id)["events"] == before["events"] + 1

    with toy.uow(db, readonly=True) as work:
        history = work.audit.history(toy.KIND, record_id)
        report = verify_chain(work.audit.all_events(), work.audit.head_hash())
    assert [(e.trigger, e.from_state, e.to_state, e.version) for e in history] == [
        ("create", None, "draft", 0),
        ("submit", "draft", "review", 1),
        ("reject", "review", "draft", 2),
        ("note", "draft", "draft", 3),
        ("submit", "draft", "review", 4),
        ("approve", "review", "done", 5),
    ]
    assert [e.actor for e in history][-1] == LEAD.email
    assert history[3].payload == {"changes": {"note": "目標を具体化"}}
    assert report.ok and report.checked == 6
    final = toy.read(db, record_id)
    assert final.data["note"] == "目標を具体化"
    assert final.data["title"] == "DX計画 v2"


def test_internal_transition_keeps_the_state_and_changes_the_data(
    db: Engine, runner: TransitionRunner
) -> None:
    record_id = toy.new_toy(db, runner)
    after = toy.fire(db, runner, record_id, "note", changes={"note": "メモ"})
    assert (after.state, after.version, after.data["note"]) == ("draft", 1, "メモ")
    assert toy.read(db, record_id).data["note"] == "メモ"


def test_internal_transition_may_change_a_datetime_column(
    db: Engine, runner: TransitionRunner
) -> None:
    record_id = toy.new_toy(db, runner)
    due = parse_datetime("2026-11-02T10:00")
    after = toy.fire(db, runner, record_id, "note", changes={"due_at": due})
    assert after.data["due_at"] == due
    assert toy.read(db, record_id).data["due_at"] == due
    with toy.uow(db, readonly=True) as work:
        last = work.audit.latest_for(toy.KIND, record_id)
        report = verify_chain(work.audit.all_events(), work.audit.head_hash())
    assert last is not None
    assert last.payload == {"changes": {"due_at": "2026-11-02T01:00:00+00:00"}}
    assert report.ok


def test_unmet_guards_are_all_named_with_the_state_and_what_is_allowed(
    db: Engine, runner: TransitionRunner
) -> None:
    record_id = toy.new_toy(db, runner)
    with pytest.raises(TransitionRefused) as refused:
        toy.fire(db, runner, record_id, "submit")
    message = str(refused.value)
    assert f"toy {record_id} is draft (下書き)" in message
    assert toy.NEEDS_TITLE.reason in message
    assert toy.NEEDS_REVIEWER.reason in message
    assert "allowed now: note, submit" in message
    assert refused.value.unmet == (toy.NEEDS_TITLE, toy.NEEDS_REVIEWER)
    assert refused.value.exit_code == 1


def test_a_guard_names_only_what_is_still_missing(db: Engine, runner: TransitionRunner) -> None:
    record_id = toy.new_toy(db, runner, title="DX計画")
    with pytest.raises(TransitionRefused) as refused:
        toy.fire(db, runner, record_id, "submit")
    assert refused.value.unmet == (toy.NEEDS_REVIEWER,)


def test_a_trigger_not_allowed_in_this_state_names_the_state_and_the_allowed_ones(
    db: Engine, runner: TransitionRunner
) -> None:
    record_id = toy.new_toy(db, runner)
    with pytest.raises(TransitionRefused) as refused:
        toy.fire(db, runner, record_id, "reject")
    message = str(refused.value)
    assert "is draft (下書き)" in message
    assert "reject is not allowed from this state" in message
    assert "allowed now: note, submit" in message


@pytest.mark.parametrize("trigger", ["submit", "approve"], ids=["unmet-guards", "wrong-state"])
def test_a_refusal_writes_nothing(db: Engine, runner: TransitionRunner, trigger: str) -> None:
    record_id = toy.new_toy(db, runner)
    before = toy.snapshot(db, record_id)
    with pytest.raises(TransitionRefused):
        toy.fire(db, runner, record_id, trigger, actor=LEAD, changes={"note": "x"})
    assert toy.snapshot(db, record_id) == before


def test_a_wrong_role_is_denied_and_nothing_is_written(
    db: Engine, runner: TransitionRunner
) -> None:
    record_id = toy.new_toy(db, runner, title="t", reviewer="r@example.jp")
    toy.fire(db, runner, record_id, "submit")
    before = toy.snapshot(db, record_id)
    with pytest.raises(PermissionDenied) as denied:
        toy.fire(db, runner, record_id, "approve", actor=AUTHOR)
    message = str(denied.value)
    assert message.startswith(f"{AUTHOR.email} may not approve")
    assert message.endswith("only a lead may")
    assert denied.value.exit_code == 1
    assert toy.snapshot(db, record_id) == before
    assert toy.fire(db, runner, record_id, "approve", actor=LEAD).state == "done"


def test_a_stale_expected_version_is_a_conflict_naming_who_changed_it(
    db: Engine, runner: TransitionRunner
) -> None:
    record_id = toy.new_toy(db, runner)
    seen = toy.read(db, record_id).version
    toy.fire(db, runner, record_id, "note", actor=OTHER, changes={"note": "先に"})
    before = toy.snapshot(db, record_id)
    with pytest.raises(ConflictError) as conflict:
        toy.fire(db, runner, record_id, "note", expected_version=seen, changes={"note": "後に"})
    message = str(conflict.value)
    assert f"toy {record_id} was changed by {OTHER.email}" in message
    assert f"version {seen} → {seen + 1}" in message
    assert "2026-10-09T00:00:00+00:00" in message
    assert conflict.value.exit_code == 1
    assert toy.snapshot(db, record_id) == before
    assert toy.read(db, record_id).data["note"] == "先に"


def test_the_current_expected_version_goes_through(db: Engine, runner: TransitionRunner) -> None:
    record_id = toy.new_toy(db, runner)
    after = toy.fire(db, runner, record_id, "note", expected_version=0, changes={"note": "x"})
    assert after.version == 1


def test_the_effect_is_committed_with_the_transition(db: Engine, runner: TransitionRunner) -> None:
    record_id = toy.new_toy(db, runner, title="t", reviewer="r@example.jp")
    with toy.uow(db) as work:
        outcome = runner.fire(work, toy.KIND, record_id, "submit", actor=AUTHOR)
        assert outcome.effects == (Stamp("submitted"),)
        work.commit()
    toy.fire(db, runner, record_id, "approve", actor=LEAD)
    assert _stamps(db) == [
        ("submitted", "submit", "review", outcome.event.seq),
        ("approved", "approve", "done", outcome.event.seq + 1),
    ]


def test_an_effect_left_uncommitted_leaves_nothing(db: Engine, runner: TransitionRunner) -> None:
    record_id = toy.new_toy(db, runner, title="t", reviewer="r@example.jp")
    before = toy.snapshot(db, record_id)
    with toy.uow(db) as work:
        runner.fire(work, toy.KIND, record_id, "submit", actor=AUTHOR)
        # no commit: the unit of work rolls back on exit
    assert toy.snapshot(db, record_id) == before


class HandlerFailed(Exception):
    pass


def test_an_effect_handler_that_raises_rolls_back_everything(
    db: Engine, runner: TransitionRunner
) -> None:
    def stamp_then_fail(work: SqlUnitOfWork, effect: Stamp, occurrence: Occurrence) -> None:
        toy.stamp(work, effect, occurrence)  # a write of its own, rolled back too
        raise HandlerFailed("the effect could not be carried out")

    record_id = toy.new_toy(db, runner, title="t", reviewer="r@example.jp")
    before = toy.snapshot(db, record_id)
    with pytest.raises(HandlerFailed), toy.uow(db, handlers={Stamp: stamp_then_fail}) as work:
        runner.fire(work, toy.KIND, record_id, "submit", actor=AUTHOR)
        work.commit()
    assert toy.snapshot(db, record_id) == before
    assert _stamps(db) == []
    # the chain is intact and the next transition continues it
    assert toy.fire(db, runner, record_id, "submit").version == 1
    with toy.uow(db, readonly=True) as work:
        report = verify_chain(work.audit.all_events(), work.audit.head_hash())
    assert report.ok and report.checked == 2
