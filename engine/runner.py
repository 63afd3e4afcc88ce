"""The transition runner and the ports it needs from storage.

One transition is one unit of work: the new state and ``version + 1`` written
with optimistic locking, one audit event chained to the last, and every effect
the transition declares — all committed together by the caller, or not at all.
The runner never commits; the use case owns the unit of work::

    with uow_factory() as uow:
        runner.fire(uow, "engagement", 12, "approve_plan", actor=actor)
        uow.commit()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from banso.engine.audit import AuditEvent, NewAuditEvent, jsonable
from banso.engine.clock import Clock
from banso.engine.errors import ConflictError, NotFound
from banso.engine.phrase import Phrase
from banso.engine.workflow import Actor, Effect, GuardContext, RecordView, WorkflowDefinition


class RecordRepository(Protocol):
    """Workflow records of every kind, as storage keeps them."""

    def get(self, kind: str, record_id: int) -> RecordView:
        """The record, or :class:`NotFound`."""
        ...

    def add(self, kind: str, state: str, data: Mapping[str, Any], at: datetime) -> int:
        """Insert a new record at version 0; returns its id."""
        ...

    def write(
        self,
        kind: str,
        record_id: int,
        *,
        seen_version: int,
        state: str,
        changes: Mapping[str, Any],
        at: datetime,
    ) -> bool:
        """``UPDATE … SET version = seen + 1 WHERE id = :id AND version = :seen``;
        False when no row matched (someone else got there first)."""
        ...


class AuditLog(Protocol):
    def append(self, event: NewAuditEvent) -> AuditEvent: ...

    def latest_for(self, kind: str, record_id: int) -> AuditEvent | None: ...


@dataclass(frozen=True)
class Occurrence:
    """A transition that has happened (inside the still-open unit of work)."""

    kind: str
    record: RecordView
    trigger: str
    from_state: str | None
    to_state: str
    actor: Actor
    at: datetime
    payload: Mapping[str, Any]
    event: AuditEvent
    before: RecordView | None = None  # the record as it was (None for a new one)


class UnitOfWork(Protocol):
    # Read-only here so that adapters may narrow them to their own classes.
    @property
    def records(self) -> RecordRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    def apply(self, effect: Effect, occurrence: Occurrence) -> None:
        """Carry out one declared effect in this same transaction."""
        ...

    def commit(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@dataclass(frozen=True)
class Outcome:
    record: RecordView
    from_state: str | None
    to_state: str
    event: AuditEvent
    effects: tuple[Effect, ...] = field(default=())
    # What the person should know although nothing was refused (a target passed).
    notes: tuple[str, ...] = field(default=())


class TransitionRunner:
    """Fires triggers of registered workflow definitions inside a unit of work."""

    def __init__(self, definitions: Iterable[WorkflowDefinition], clock: Clock) -> None:
        self.definitions = {d.kind: d for d in definitions}
        self.clock = clock

    def definition(self, kind: str) -> WorkflowDefinition:
        try:
            return self.definitions[kind]
        except KeyError:
            known = ", ".join(sorted(self.definitions))
            raise NotFound(
                "kind of record", kind, Phrase("known kinds: {known}", known=known)
            ) from None

    def create(
        self,
        uow: UnitOfWork,
        kind: str,
        *,
        actor: Actor,
        data: Mapping[str, Any],
        payload: Mapping[str, Any] | None = None,
        facts: object = None,
    ) -> Outcome:
        """A new record in the initial state, at version 0, with its audit event;
        refused if the definition's creation roles or guards say no. ``facts``
        are what the creation guards need (see :class:`GuardContext`)."""
        definition = self.definition(kind)
        now = self.clock.now()
        definition.check_create(
            data,
            GuardContext(actor=actor, now=now, payload=dict(payload or {}), facts=facts),
        )
        record_id = uow.records.add(kind, definition.initial, data, now)
        event = uow.audit.append(
            NewAuditEvent(
                at=now,
                actor=actor.email,
                kind=kind,
                record_id=record_id,
                trigger="create",
                from_state=None,
                to_state=definition.initial,
                version=0,
                payload=jsonable(payload or {}),
            )
        )
        record = uow.records.get(kind, record_id)
        occurrence = Occurrence(
            kind, record, "create", None, definition.initial, actor, now, event.payload, event
        )
        for effect in definition.create_effects:
            uow.apply(effect, occurrence)
        return Outcome(record, None, definition.initial, event, definition.create_effects)

    def fire(
        self,
        uow: UnitOfWork,
        kind: str,
        record_id: int,
        trigger: str,
        *,
        actor: Actor,
        payload: Mapping[str, Any] | None = None,
        changes: Mapping[str, Any] | None = None,
        facts: object = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Fire ``trigger`` on a record.

        ``expected_version`` is the version the caller saw before deciding; if
        the record has moved on since, the change is refused as a conflict
        rather than applied to a state the caller never looked at.
        """
        definition = self.definition(kind)
        now = self.clock.now()
        record = uow.records.get(kind, record_id)
        if expected_version is not None and record.version != expected_version:
            raise self._conflict(uow, kind, record_id, expected_version, record.version)
        payload = dict(payload or {})
        changes = dict(changes or {})
        # Guards judge what the record would become: the changes are part of the input.
        ctx = GuardContext(actor=actor, now=now, payload={**changes, **payload}, facts=facts)
        transition = definition.check(record, trigger, ctx)
        to_state = definition.next_state(record, trigger)
        if not uow.records.write(
            kind, record_id, seen_version=record.version, state=to_state, changes=changes, at=now
        ):
            current = uow.records.get(kind, record_id).version
            raise self._conflict(uow, kind, record_id, record.version, current)
        audit_payload = jsonable({**payload, "changes": changes} if changes else payload)
        event = uow.audit.append(
            NewAuditEvent(
                at=now,
                actor=actor.email,
                kind=kind,
                record_id=record_id,
                trigger=trigger,
                from_state=record.state,
                to_state=to_state,
                version=record.version + 1,
                payload=audit_payload,
            )
        )
        after = uow.records.get(kind, record_id)
        occurrence = Occurrence(
            kind, after, trigger, record.state, to_state, actor, now, audit_payload, event, record
        )
        for effect in transition.effects:
            uow.apply(effect, occurrence)
        return Outcome(after, record.state, to_state, event, transition.effects)

    @staticmethod
    def _conflict(
        uow: UnitOfWork, kind: str, record_id: int, seen: int, current: int | None
    ) -> ConflictError:
        last = uow.audit.latest_for(kind, record_id)
        return ConflictError(
            kind=kind,
            record_id=record_id,
            seen_version=seen,
            current_version=current,
            changed_by=last.actor if last else None,
            changed_at=last.at.isoformat(timespec="seconds") if last else None,
        )
