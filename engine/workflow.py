"""Declaring a workflow: states with labels, triggers, guards and effects.

A :class:`WorkflowDefinition` is declared once per kind of record and owns ONE
shared ``transitions.Machine``; a record is attached to it with ``add_model``
only for the moment a trigger fires and detached again, so a million records
never mean a million machines.

Guards are pure functions returning every unmet condition as an
:class:`~engine.errors.Unmet` (nothing means "go"), so a refusal can say all
that is missing at once, and what would satisfy each, as data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from transitions import Machine, MachineError

from banso.engine.errors import (
    CreationRefused,
    PermissionDenied,
    TransitionRefused,
    Unmet,
)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person known to Banso, or the system itself (the daemon)."""

    email: str
    role: str

    @property
    def name(self) -> str:
        return self.email


SYSTEM = Actor(email="system", role="system")


@dataclass(frozen=True)
class RecordView:
    """What guards see of a record: its identity, state, version and data."""

    kind: str
    id: int
    state: str
    version: int
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GuardContext:
    """What else a guard may look at: who acts, when, the trigger's input, and
    facts the use case computed inside the same transaction (quota counts...).

    ``facts`` is whatever typed value the guards of that trigger declare they
    need (a frozen dataclass of the workflow's); None when they need none.
    """

    actor: Actor
    now: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    facts: object = None


# Guards return Unmet; plain text is still read as a bare reason (Unmet(text)).
Guard = Callable[[RecordView, GuardContext], Iterable[Unmet]]


class Effect:
    """Something a transition causes besides the state change (a deadline opened
    or closed, a notification). Subclasses are frozen dataclasses; the unit of
    work routes each to its handler inside the same transaction."""


@dataclass(frozen=True)
class State:
    name: str
    label: str


@dataclass(frozen=True)
class Transition:
    """One trigger from one or more source states.

    ``dest=None`` is an internal transition: data changes inside a state (it
    still bumps the version and writes an audit event). ``roles`` empty means
    any known person may fire it.
    """

    trigger: str
    label: str
    source: tuple[str, ...]
    dest: str | None
    guards: tuple[Guard, ...] = ()
    roles: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


class _Carrier:
    """The short-lived model attached to the shared machine while a trigger fires."""

    state: str

    def __init__(self) -> None:
        self.state = ""


class WorkflowDefinition:
    """A kind of record and the state machine it moves through."""

    def __init__(
        self,
        *,
        kind: str,
        label: str,
        states: Sequence[State],
        initial: str,
        transitions: Sequence[Transition],
        create_roles: tuple[str, ...] = (),
        create_guards: tuple[Guard, ...] = (),
        create_effects: tuple[Effect, ...] = (),
    ) -> None:
        self.kind = kind
        self.create_roles = create_roles
        self.create_guards = create_guards
        self.create_effects = create_effects
        self.label = label
        self.states: dict[str, State] = {}
        for s in states:
            if s.name in self.states:
                raise ValueError(f"{kind}: state {s.name} declared twice")
            self.states[s.name] = s
        if initial not in self.states:
            raise ValueError(f"{kind}: initial state {initial} is not declared")
        self.initial = initial
        self._by_trigger_source: dict[tuple[str, str], Transition] = {}
        self.transitions = tuple(transitions)
        for t in self.transitions:
            for src in t.source:
                if src not in self.states:
                    raise ValueError(f"{kind}.{t.trigger}: unknown source state {src}")
                if (t.trigger, src) in self._by_trigger_source:
                    raise ValueError(f"{kind}.{t.trigger}: declared twice from {src}")
                self._by_trigger_source[(t.trigger, src)] = t
            if t.dest is not None and t.dest not in self.states:
                raise ValueError(f"{kind}.{t.trigger}: unknown destination {t.dest}")
        self._lock = threading.Lock()
        self._machine = Machine(
            model=None,
            states=list(self.states),
            initial=initial,
            transitions=[
                {"trigger": t.trigger, "source": list(t.source), "dest": t.dest}
                for t in self.transitions
            ],
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        # Asked of the machine once per (trigger, source) here rather than on every
        # transition: attaching a model to it costs more than the rest of a step's rules.
        self._next = {key: self._run_machine(key[1], key[0]) for key in self._by_trigger_source}

    # -- reading ---------------------------------------------------------
    def label_of(self, state: str) -> str:
        return self.states[state].label

    def trigger_label(self, trigger: str) -> str | None:
        """The Japanese label of a trigger (None for one this definition lacks)."""
        return next((t.label for t in self.transitions if t.trigger == trigger), None)

    def triggers(self) -> list[str]:
        return sorted({t.trigger for t in self.transitions})

    def allowed(self, state: str) -> list[str]:
        """Triggers declared from ``state`` (guards not yet evaluated)."""
        return sorted({trig for (trig, src) in self._by_trigger_source if src == state})

    def transition_for(self, trigger: str, state: str) -> Transition | None:
        return self._by_trigger_source.get((trigger, state))

    # -- deciding --------------------------------------------------------
    def check(self, record: RecordView, trigger: str, ctx: GuardContext) -> Transition:
        """The transition ``trigger`` would take, or an error saying all that is missing."""
        transition = self.transition_for(trigger, record.state)

        def refused(unmet: Sequence[Unmet] = ()) -> TransitionRefused:
            return TransitionRefused(
                kind=self.kind,
                record_id=record.id,
                trigger=trigger,
                state=record.state,
                state_label=self.label_of(record.state),
                allowed=self.allowed(record.state),
                unmet=unmet,
            )

        if transition is None:
            if trigger not in self.triggers():
                raise ValueError(f"{self.kind} has no trigger {trigger!r}")
            raise refused()
        if transition.roles and ctx.actor.role not in transition.roles:
            raise PermissionDenied.to_fire(
                actor=ctx.actor.email,
                trigger=transition.trigger,
                kind=self.kind,
                record_id=record.id,
                allowed_roles=transition.roles,
            )
        unmet = self.unmet(transition.guards, record, ctx)
        if unmet:
            raise refused(unmet)
        return transition

    def check_create(self, data: Mapping[str, Any], ctx: GuardContext) -> None:
        """Refuse creating a record (role, every unmet creation guard), or return."""
        if self.create_roles and ctx.actor.role not in self.create_roles:
            raise PermissionDenied(
                actor=ctx.actor.email,
                action=f"create a {self.kind}",
                allowed_roles=self.create_roles,
            )
        draft = RecordView(kind=self.kind, id=0, state=self.initial, version=0, data=data)
        unmet = self.unmet(self.create_guards, draft, ctx)
        if unmet:
            raise CreationRefused(kind=self.kind, unmet=unmet)

    @staticmethod
    def unmet(guards: Iterable[Guard], record: RecordView, ctx: GuardContext) -> tuple[Unmet, ...]:
        """Every condition ``guards`` find unmet, in the order they are declared."""
        return tuple(condition for guard in guards for condition in guard(record, ctx))

    def next_state(self, record: RecordView, trigger: str) -> str:
        """The state ``trigger`` takes ``record`` to, as the machine said for its state."""
        found = self._next.get((trigger, record.state))
        if found is None:
            return self._run_machine(record.state, trigger)  # says what is wrong
        return found

    def _run_machine(self, state: str, trigger: str) -> str:
        """Run ``trigger`` on the shared machine from ``state``; returns the new state."""
        carrier = _Carrier()
        # The machine is shared by every record of this kind; attaching and
        # detaching must not interleave between threads (the daemon's jobs).
        with self._lock:
            self._machine.add_model(carrier, initial=state)
            try:
                carrier.trigger(trigger)  # type: ignore[attr-defined]  # added by transitions
            except MachineError as exc:  # check() ran first; this is a definition bug
                raise RuntimeError(f"{self.kind}: machine refused {trigger}: {exc}") from exc
            finally:
                self._machine.remove_model(carrier)
        return carrier.state
