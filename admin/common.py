"""What the command groups share: firing a trigger, showing a record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from banso.engine.clock import show
from banso.engine.errors import PermissionDenied
from banso.engine.runner import Outcome
from banso.engine.workflow import Actor, RecordView

if TYPE_CHECKING:
    from banso.admin.cli import State
    from banso.storage.uow import SqlUnitOfWork

FactsFn = Callable[["SqlUnitOfWork", RecordView], Mapping[str, Any]]


def plain(value: Any) -> Any:
    """A value as JSON can carry it (dates ISO 8601)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record_json(state: State, view: RecordView) -> dict[str, Any]:
    """A record for ``--json``: id, kind, state with its Japanese label, version, data."""
    definition = state.app.runner.definition(view.kind)
    return {
        "id": view.id,
        "kind": view.kind,
        "state": view.state,
        "state_label": definition.label_of(view.state),
        "version": view.version,
        **{k: plain(v) for k, v in view.data.items()},
    }


def state_text(state: State, kind: str, name: str | None) -> str:
    if name is None:
        return "—"
    return f"{name}（{state.app.runner.definition(kind).label_of(name)}）"


def outcome_line(state: State, outcome: Outcome) -> str:
    view = outcome.record
    trigger = outcome.event.trigger
    if outcome.from_state is None:
        return (
            f"{view.kind} {view.id} created: {state_text(state, view.kind, view.state)} "
            f"(version {view.version})"
        )
    if outcome.from_state == outcome.to_state:
        return (
            f"{view.kind} {view.id}: {trigger} recorded, still "
            f"{state_text(state, view.kind, view.state)} (version {view.version})"
        )
    return (
        f"{view.kind} {view.id}: {state_text(state, view.kind, outcome.from_state)} → "
        f"{state_text(state, view.kind, outcome.to_state)} (version {view.version})"
    )


def report(state: State, outcome: Outcome) -> None:
    if state.json:
        import json

        click.echo(json.dumps(record_json(state, outcome.record), ensure_ascii=False, indent=2))
    else:
        click.echo(outcome_line(state, outcome))


def fire(
    state: State,
    kind: str,
    record_id: int,
    trigger: str,
    *,
    payload: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    facts: FactsFn | None = None,
    after: Callable[[SqlUnitOfWork, Outcome, Actor], None] | None = None,
) -> Outcome:
    """One use case: fire ``trigger`` as the acting person, in one unit of work."""
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, f"{trigger.replace('_', '-')} a {kind}")
        view = uow.records.get(kind, record_id)
        check_own_work(uow, actor, view, trigger)
        outcome = app.runner.fire(
            uow,
            kind,
            record_id,
            trigger,
            actor=actor,
            payload=payload,
            changes=changes,
            facts=facts(uow, view) if facts else None,
        )
        if after is not None:
            after(uow, outcome, actor)
        uow.commit()
    report(state, outcome)
    return outcome


def check_own_work(uow: SqlUnitOfWork, actor: Actor, view: RecordView, trigger: str) -> None:
    """A consultant acts only on the work assigned to them (DOMAIN.md: roles)."""
    if actor.role != "consultant":
        return
    from banso.storage.models import Engagement, Person

    consultant_id = view.data.get("consultant_id")
    if consultant_id is None and view.data.get("engagement_id"):
        engagement = uow.session.get(Engagement, view.data["engagement_id"])
        consultant_id = engagement.consultant_id if engagement else None
    person = uow.session.get(Person, consultant_id) if consultant_id else None
    if person is not None and person.email != actor.email:
        raise PermissionDenied(
            actor=actor.email,
            action=f"{trigger.replace('_', '-')} {view.kind} {view.id} "
            f"(assigned to {person.email})",
            allowed_roles=("lead", "assigned consultant"),
        )


def audit_change(
    state: State,
    uow: SqlUnitOfWork,
    actor: Actor,
    kind: str,
    record_id: int,
    change: str,
    payload: Mapping[str, Any],
) -> None:
    """Put a master-data change (an approval, a quota, a person) in the audit chain."""
    from banso.engine.audit import NewAuditEvent, jsonable

    uow.audit.append(
        NewAuditEvent(
            at=state.app.clock.now(),
            actor=actor.email,
            kind=kind,
            record_id=record_id,
            trigger=change,
            from_state=None,
            to_state=None,
            version=0,
            payload=jsonable(payload),
        )
    )


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain text table; widths count East Asian wide characters as two."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    cols = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c + " " * (w - width(c)) for c, w in zip(cells, cols, strict=True)
        ).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def when(value: datetime | None) -> str:
    return show(value) if value else "—"
