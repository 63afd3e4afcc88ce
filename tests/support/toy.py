"""A toy workflow and its tables, shared by the integration and e2e tests.

It exercises every feature of the engine without depending on the programme's
real workflows: Japanese labels, a reject loop, an internal transition that
changes data, a guard with two conditions, a role-restricted trigger and an
effect whose handler writes to a second table in the same transaction.

The tables live on their own declarative base so that ``storage.models.Base``
stays exactly what the migrations create.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from banso.engine.clock import FixedClock, parse_datetime
from banso.engine.errors import Unmet
from banso.engine.runner import Occurrence, TransitionRunner
from banso.engine.workflow import (
    Actor,
    Effect,
    GuardContext,
    RecordView,
    State,
    Transition,
    WorkflowDefinition,
)
from banso.storage.models import AuditEventRow, Base, WorkflowRecord
from banso.storage.uow import EffectHandler, SqlUnitOfWork

KIND = "toy"
START = "2026-10-09T09:00+09:00"

AUTHOR = Actor(email="author@example.jp", role="consultant")
OTHER = Actor(email="other@example.jp", role="consultant")
LEAD = Actor(email="lead@example.jp", role="lead")


class ToyBase(DeclarativeBase):
    # the same column types as the real tables (aware UTC datetimes, JSON)
    type_annotation_map = Base.type_annotation_map


class ToyRecord(WorkflowRecord, ToyBase):
    __tablename__ = "toy_records"

    title: Mapped[str | None] = mapped_column(String(200))
    reviewer: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]


class ToyStamp(ToyBase):
    """The row the toy effect handler writes: one per effect carried out."""

    __tablename__ = "toy_stamps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("toy_records.id"))
    label: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(32))
    event_seq: Mapped[int]


@dataclass(frozen=True)
class Stamp(Effect):
    """The toy's effect: leave a stamp in ``toy_stamps``."""

    label: str


def stamp(uow: SqlUnitOfWork, effect: Stamp, occurrence: Occurrence) -> None:
    uow.session.add(
        ToyStamp(
            record_id=occurrence.record.id,
            label=effect.label,
            trigger=occurrence.trigger,
            to_state=occurrence.to_state,
            event_seq=occurrence.event.seq,
        )
    )
    uow.session.flush()


HANDLERS: Mapping[type[Effect], EffectHandler] = {Stamp: stamp}

NEEDS_TITLE = Unmet("a title is missing", field="title")
NEEDS_REVIEWER = Unmet("a reviewer is missing", field="reviewer")


def needs_title_and_reviewer(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """Both may be missing at once; the refusal must say both."""
    unmet = []
    if not (ctx.payload.get("title") or record.data.get("title")):
        unmet.append(NEEDS_TITLE)
    if not (ctx.payload.get("reviewer") or record.data.get("reviewer")):
        unmet.append(NEEDS_REVIEWER)
    return unmet


TOY = WorkflowDefinition(
    kind=KIND,
    label="おもちゃ",
    states=[
        State("draft", "下書き"),
        State("review", "確認中"),
        State("done", "完了"),
    ],
    initial="draft",
    transitions=[
        Transition(
            "submit",
            "提出",
            ("draft",),
            "review",
            guards=(needs_title_and_reviewer,),
            effects=(Stamp("submitted"),),
        ),
        Transition("reject", "差戻し", ("review",), "draft"),
        Transition(
            "approve", "承認", ("review",), "done", roles=("lead",), effects=(Stamp("approved"),)
        ),
        Transition("note", "メモ", ("draft", "review"), None),
    ],
)


def create_tables(engine: Engine) -> None:
    """The toy tables, next to the migrated schema."""
    ToyBase.metadata.create_all(engine)


def make_runner(clock: FixedClock | None = None) -> TransitionRunner:
    return TransitionRunner([TOY], clock or FixedClock(parse_datetime(START)))


def uow(
    engine: Engine,
    *,
    handlers: Mapping[type[Effect], EffectHandler] | None = None,
    readonly: bool = False,
) -> SqlUnitOfWork:
    return SqlUnitOfWork(
        engine,
        record_classes={KIND: ToyRecord},
        effect_handlers=HANDLERS if handlers is None else handlers,
        readonly=readonly,
    )


def new_toy(engine: Engine, runner: TransitionRunner, **data: Any) -> int:
    """A committed toy record in ``draft``; returns its id."""
    with uow(engine) as work:
        outcome = runner.create(work, KIND, actor=AUTHOR, data=data)
        work.commit()
    return outcome.record.id


def fire(
    engine: Engine,
    runner: TransitionRunner,
    record_id: int,
    trigger: str,
    *,
    actor: Actor = AUTHOR,
    **kwargs: Any,
) -> RecordView:
    """Fire one trigger in its own unit of work and commit; returns the record after."""
    with uow(engine) as work:
        outcome = runner.fire(work, KIND, record_id, trigger, actor=actor, **kwargs)
        work.commit()
    return outcome.record


def read(engine: Engine, record_id: int) -> RecordView:
    with uow(engine, readonly=True) as work:
        return work.records.get(KIND, record_id)


def snapshot(engine: Engine, record_id: int) -> dict[str, Any]:
    """Everything a transition may touch, to compare before and after a refusal."""
    with uow(engine, readonly=True) as work:
        record = work.records.get(KIND, record_id)
        events = work.session.scalar(select(func.count()).select_from(AuditEventRow))
        stamps = work.session.scalar(select(func.count()).select_from(ToyStamp))
        head = work.audit.head_hash()
    return {"record": record, "events": events, "stamps": stamps, "head": head}
