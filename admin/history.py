"""`banso history` and `banso audit verify`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from banso.admin.cli import emit
from banso.engine.audit import verify_chain
from banso.engine.clock import show
from banso.engine.errors import ChainBroken, NotFound

if TYPE_CHECKING:
    from banso.admin.cli import State


def _label(state: State, kind: str, name: str | None) -> str:
    if name is None:
        return "—"
    definition = state.app.runner.definitions.get(kind)
    if definition is None or name not in definition.states:
        return name
    return f"{name}（{definition.label_of(name)}）"


def show_history(state: State, kind: str, record_id: int) -> None:
    with state.app.uow(readonly=True) as uow:
        events = uow.audit.history(kind, record_id)
    if not events:
        raise NotFound(f"history for {kind}", record_id, "check the kind and the id")
    rows = [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "trigger": e.trigger,
            "from": e.from_state,
            "to": e.to_state,
            "version": e.version,
            "payload": dict(e.payload),
        }
        for e in events
    ]
    lines = [f"{kind} {record_id}: {len(events)} event(s)"]
    for e in events:
        # What people wrote (reasons, findings, outcomes) and chose; ids and
        # timestamps stay in --json.
        changes = {
            k: v for k, v in e.payload.get("changes", {}).items() if not k.endswith(("_at", "_id"))
        }
        given = {**changes, **e.payload}
        why = "; ".join(
            f"{k}={v}" for k, v in given.items() if k not in ("changes", "at") and v is not None
        )
        definition = state.app.runner.definitions.get(kind)
        label = definition.trigger_label(e.trigger) if definition else None
        trigger = e.trigger.replace("_", "-") + (f"（{label}）" if label else "")
        lines.append(
            f"  {show(e.at)}  v{e.version}  {e.actor}  {trigger}: "
            f"{_label(state, kind, e.from_state)} → {_label(state, kind, e.to_state)}"
            + (f"  ({why})" if why else "")
        )
    emit(state, rows, "\n".join(lines))


def verify_audit(state: State) -> None:
    with state.app.uow(readonly=True) as uow:
        report = verify_chain(uow.audit.all_events(), uow.audit.head_hash())
    if not report.ok:
        assert report.broken_seq is not None
        if state.json:
            click.echo(
                f'{{"ok": false, "checked": {report.checked}, "broken_seq": {report.broken_seq}}}'
            )
        raise ChainBroken(report.broken_seq, report.reason)
    emit(
        state,
        {"ok": True, "checked": report.checked},
        f"audit chain intact: {report.checked} event(s)",
    )
