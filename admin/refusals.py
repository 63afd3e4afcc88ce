"""The one line `banso` prints when Banso refuses or cannot do a command.

The engine and the rules say what is wrong in plain sentences and name, as
data, the trigger, the input (``Unmet.field``) and the remedy (``Unmet.remedy``)
that would put it right. Here those names become what a person types: the
command (``send_back`` is ``return``), its flags (``findings`` is
``--findings TEXT``), the command that fixes the master data, and where to look
up an unknown id or e-mail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from banso.admin.i18n import _, japanese
from banso.admin.trigger_table import typed_commands
from banso.engine.errors import (
    BansoError,
    CreationRefused,
    InvalidValue,
    NotFound,
    PermissionDenied,
    StorageUnavailable,
    TransitionRefused,
    Unmet,
)
from banso.workflows.consultation import CHANNELS
from banso.workflows.dispatch import MODES

if TYPE_CHECKING:
    from banso.services.context import Services

PROG = "banso"

# The input a rule names → the flag that gives it.
FLAGS: dict[str, str] = {
    "at": "--at DATETIME",
    "channel": f"--channel {'|'.join(CHANNELS)}",
    "consultant": "--consultant EMAIL",
    "consultant_id": "--consultant EMAIL",
    "findings": "--findings TEXT",
    "goals": "--goals TEXT",
    "hours": "--hours H",
    "minutes": "--minutes TEXT",
    "mode": f"--mode {'|'.join(MODES)}",
    "outcome": "--outcome TEXT",
    "override": "--override REASON",
    "planned_dispatches": "--planned-dispatches N",
    "reason": "--reason TEXT",
    "standardization": "--standardization N",
    "summary": "--summary TEXT",
    "total": "--total N",
}

# Remedies that are not a trigger of the refused record → the command that does it.
ACTIONS: dict[str, str] = {
    "add_consultant": "person add --role consultant",
    "approve_subcontractor": "subcontractor approve NAME --ref TEXT",
    "record_dispatch": "dispatch record ID --summary TEXT",
    "settle_dispatches": "dispatch record ID --summary TEXT, dispatch cancel ID --reason TEXT",
    "set_budget": "budget set",
    "revise_plan": "engagement revise-plan ID --planned-dispatches N --reason TEXT",
}

# (kind, trigger) → the command that fires it and the options it cannot do without.
COMMANDS = typed_commands()

# What was not found → where to look it up (when the raiser gave no hint).
LOOK_UP: dict[str, str] = {
    "person with e-mail": "person list",
    "person": "person list",
    "organisation with code": "org list",
    "theme with code": "theme list",
    "subcontractor": "subcontractor list",
    "engagement": "engagement list",
    "dispatch": "dispatch list",
    "consultation": "consultation list",
    "deliverable": "deliverable list",
    "meeting": "meeting list",
    "deadline": "calendar",
    "outbox message": "outbox list",
}

# A value the use case names by its input → the option that gave it.
OPTIONS: dict[str, str] = {"consultant": "--consultant"}

WHO_IS_ACTING = "pass --as EMAIL or set BANSO_USER"

def name_record(services: Services, exc: BansoError) -> None:
    """Put on ``exc`` how people know the record it refuses (``record_name``:
    岡山市・生成AI for 案件1), read while the command's services are still open."""
    kind, record_id = getattr(exc, "kind", None), getattr(exc, "record_id", None)
    if not isinstance(kind, str) or not isinstance(record_id, int):
        return
    if getattr(exc, "record_name", None) is None:
        from banso.services.views import record_name

        exc.record_name = record_name(services, kind, record_id)  # type: ignore[attr-defined]


def refusal_line(exc: BansoError) -> str:
    """``banso: …`` (``エラー：…``), the one line a failed command prints on stderr."""
    return _("banso: {message}").format(message=describe(exc))


def describe(exc: BansoError) -> str:
    """What went wrong and what would put it right, in the command line's words."""
    if japanese():
        from banso.admin.refusals_ja import Words, describe_ja

        words = Words(PROG, command, unmet_hint, LOOK_UP, OPTIONS)
        worded = describe_ja(exc, words)
        if worded is not None:
            return worded
    if isinstance(exc, TransitionRefused):
        return _transition(exc)
    if isinstance(exc, CreationRefused):
        return f"new {exc.kind} refused: " + "; ".join(unmet_text(u, exc.kind) for u in exc.unmet)
    if isinstance(exc, PermissionDenied):
        return _denied(exc)
    if isinstance(exc, NotFound) and not exc.hint and exc.what in LOOK_UP:
        return f"{exc}; see `{PROG} {LOOK_UP[exc.what]}`"
    if isinstance(exc, InvalidValue) and exc.where in OPTIONS:
        where = OPTIONS[exc.where]
        return f"{where}: {exc.value!r} is not valid; expected {exc.expected}"
    if isinstance(exc, StorageUnavailable) and exc.needs_init and f"{PROG} init" not in str(exc):
        return f"{exc}; run `{PROG} init`"
    return str(exc)


def unmet_text(unmet: Unmet, kind: str) -> str:
    """The condition, with the flag or command that would meet it in brackets."""
    hint = unmet_hint(unmet, kind)
    return f"{unmet.reason} ({hint})" if hint else unmet.reason


def unmet_hint(unmet: Unmet, kind: str) -> str | None:
    """``record-hearing --findings TEXT``, ``--override REASON``… or None."""
    parts: list[str] = []
    if unmet.remedy is not None:
        parts.append(ACTIONS.get(unmet.remedy) or _with_options(kind, unmet.remedy))
    flag = FLAGS.get(unmet.field) if unmet.field is not None else None
    if flag is not None and not any(flag in part for part in parts):
        parts.append(flag)
    return " ".join(parts) or None


def command(kind: str, trigger: str) -> str:
    """How a trigger is typed: ``approve-plan``; ``return`` for ``send_back``."""
    return _command(kind, trigger)[0]


def _with_options(kind: str, trigger: str) -> str:
    """The command of ``trigger`` with the options it cannot do without."""
    name, options = _command(kind, trigger)
    return f"{name} {options}" if options else name


def _command(kind: str, trigger: str) -> tuple[str, str]:
    # A trigger of a workflow that is not the programme's (a test's): its name, hyphenated.
    return COMMANDS.get((kind, trigger), (trigger.replace("_", "-"), ""))


def _transition(exc: TransitionRefused) -> str:
    typed = command(exc.kind, exc.trigger)
    if exc.unmet:
        reason = "unmet: " + "; ".join(unmet_text(u, exc.kind) for u in exc.unmet)
    else:
        reason = f"{typed} is not allowed from this state"
    allowed = ", ".join(command(exc.kind, t) for t in exc.allowed) or "none"
    return (
        f"{exc.kind} {exc.record_id} is {exc.state} ({exc.state_label}): {typed} refused, "
        f"{reason} (allowed now: {allowed})"
    )


def _denied(exc: PermissionDenied) -> str:
    action = exc.action
    if exc.trigger is not None and exc.kind is not None and exc.record_id is not None:
        action = f"{command(exc.kind, exc.trigger)} {exc.kind} {exc.record_id}"
    what = f"{action} ({exc.note})" if exc.note else action
    roles = " or ".join(exc.allowed_roles)
    if exc.actor is None:
        return f"{what} needs to know who is acting: {WHO_IS_ACTING} (a {roles})"
    return f"{exc.actor} may not {what}: only a {roles} may"
