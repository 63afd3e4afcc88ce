"""The click commands built from the trigger table (`admin.trigger_table`).

Facts and follow-ups a trigger needs are the use case's business
(`services.transitions`), not the command's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from banso.admin.decisions import HELP, on_behalf_from, on_behalf_options
from banso.admin.output import json_option, report
from banso.admin.trigger_table import TRIGGERS, Opt, TriggerCommand
from banso.workflows import DEFINITIONS
from banso.workflows.decisions import is_prefecture_decision

DEFINED = {d.kind: d for d in DEFINITIONS}


def is_decision(spec: TriggerCommand) -> bool:
    """A prefecture-only trigger, which the lead may record on the prefecture's behalf."""
    definition = DEFINED.get(spec.kind)
    return definition is not None and is_prefecture_decision(definition, spec.trigger)


def _command(spec: TriggerCommand) -> click.Command:
    def run(record_id: int, **values: Any) -> None:
        from banso.admin.cli import State
        from banso.services.transitions import fire

        state = click.get_current_context().find_object(State)
        assert state is not None
        on_behalf = on_behalf_from(values)
        changes: dict[str, Any] = {}
        payload: dict[str, Any] = {}
        for opt in spec.options:
            value = values[_param(opt)]
            if opt.field is not None:
                changes[opt.field] = value
            if opt.payload is not None:
                payload[opt.payload] = value
        outcome = fire(
            state.services,
            state.user,
            spec.kind,
            record_id,
            spec.trigger,
            payload=payload or None,
            changes=changes or None,
            on_behalf=on_behalf,
        )
        report(state, outcome)

    func: Callable[..., None] = run
    for opt in reversed(spec.options):
        func = click.option(
            opt.flag,
            _param(opt),
            required=opt.required,
            metavar=opt.metavar,
            type=opt.type,
            help=opt.help,
        )(func)
    decision = is_decision(spec)
    if decision:
        func = on_behalf_options(func)
    func = json_option(click.argument("record_id", metavar="ID", type=int)(func))
    text = spec.help + (HELP if decision else "")
    return click.command(spec.name, help=f"{text}\n\n\b\nExample:\n  {spec.example}")(func)


def _param(opt: Opt) -> str:
    return opt.flag.lstrip("-").replace("-", "_")


def register(group: click.Group, name: str) -> None:
    """Add the trigger-only commands of ``name`` to its click group."""
    for spec in TRIGGERS[name]:
        group.add_command(_command(spec))
