"""Banso's one exception tree, and the unmet conditions a refusal carries.

Every error a user can cause or a rule can raise is one of these; adapters
translate backend errors into them with ``raise ... from exc``, and the
``banso`` command maps the three branches to its exit codes::

    BansoError
     ├── Refused                      exit 1: a rule said no; nothing was changed
     │    ├── TransitionRefused       trigger not allowed in this state, or unmet guards
     │    │                           (engine.workflow, WorkflowDefinition.check)
     │    ├── CreationRefused         a new record that a rule (quota, approval...) forbids
     │    │                           (engine.workflow, WorkflowDefinition.check_create)
     │    ├── ConflictError           someone else changed the record first (engine.runner)
     │    ├── PermissionDenied        the acting person's role may not do this, or nobody
     │    │                           said who is acting (engine.workflow, the use cases)
     │    ├── AlreadyRunning          a second daemon on a single-writer database
     │    └── ChainBroken             the audit hash chain does not verify (engine.audit)
     │    (notifications.transport.DeliveryError, raised by a mail transport and
     │     handled by the sender, and services.ports.MissingFont, exit 2, raised by a
     │     document renderer asked for a PDF without a Japanese font, also derive
     │     from BansoError, beside the ports that raise them)
     ├── BadInput                     exit 2: the input is wrong; nothing was changed
     │    ├── NotFound                unknown id, code or e-mail (the repositories)
     │    └── InvalidValue            a value (date, option, cell) is malformed
     └── StorageUnavailable           exit 2: the database URL is malformed, the database
                                      unreachable or not initialised (storage); not the
                                      input's fault, but nothing was changed either

Each error builds its one-line message in ``__init__`` so that every place
raising it says the same thing the same way. The messages are plain English
with the record's kind, state and trigger as data (``approve_plan``): how a
trigger, an input or a remedy is typed is the caller's to say (``admin``
turns :class:`Unmet` fields and remedies into the command line's flags).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Unmet:
    """One condition a rule found unmet: what is wrong, and what would satisfy it.

    ``reason`` says what is wrong in a plain sentence ("the findings are empty").
    ``field`` names the input that would satisfy it ("findings"), ``remedy`` a
    trigger of the same kind of record ("record_hearing") or another action
    ("approve_subcontractor") that would; both are names, never typed commands.
    """

    reason: str
    field: str | None = None
    remedy: str | None = None


class BansoError(Exception):
    """Base of every error Banso raises on purpose."""

    exit_code = 1


class Refused(BansoError):
    """A rule refused the request: a guard, a quota, a permission, a conflict."""

    exit_code = 1


class BadInput(BansoError):
    """The request itself is malformed: bad usage, unknown id, bad file."""

    exit_code = 2


class TransitionRefused(Refused):
    """A trigger that is not allowed now; names everything that is missing."""

    def __init__(
        self,
        *,
        kind: str,
        record_id: int,
        trigger: str,
        state: str,
        state_label: str,
        allowed: Sequence[str],
        unmet: Iterable[Unmet] = (),
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.trigger = trigger
        self.state = state
        self.state_label = state_label
        self.allowed = tuple(allowed)
        self.unmet = tuple(unmet)
        if self.unmet:
            reason = "unmet: " + "; ".join(u.reason for u in self.unmet)
        else:
            reason = f"{trigger} is not allowed from this state"
        super().__init__(
            f"{kind} {record_id} is {state} ({state_label}): {trigger} refused, {reason}"
            f" (allowed now: {', '.join(self.allowed) or 'none'})"
        )


class CreationRefused(Refused):
    """A new record that the rules forbid; names every unmet condition."""

    def __init__(self, *, kind: str, unmet: Iterable[Unmet]) -> None:
        self.kind = kind
        self.unmet = tuple(unmet)
        super().__init__(f"new {kind} refused: " + "; ".join(u.reason for u in self.unmet))


class ConflictError(Refused):
    """The record changed between reading it and writing it."""

    def __init__(
        self,
        *,
        kind: str,
        record_id: int,
        seen_version: int,
        current_version: int | None,
        changed_by: str | None,
        changed_at: str | None,
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.seen_version = seen_version
        self.current_version = current_version
        self.changed_by = changed_by
        who = changed_by or "another process"
        when = f" at {changed_at}" if changed_at else ""
        super().__init__(
            f"{kind} {record_id} was changed by {who}{when} (version {seen_version} → "
            f"{current_version}) while this change was being made; show it again and retry"
        )


class PermissionDenied(Refused):
    """The acting person may not do this, or nobody said who is acting.

    ``action`` says what was asked, in words ("change the budget"). When it was
    a trigger, ``trigger``, ``kind`` and ``record_id`` say which, so that a caller
    can name it its own way; ``note`` adds why this person in particular may not
    ("assigned to hanako@example.jp").
    """

    def __init__(
        self,
        *,
        actor: str | None,
        action: str,
        allowed_roles: Sequence[str],
        trigger: str | None = None,
        kind: str | None = None,
        record_id: int | None = None,
        note: str | None = None,
    ) -> None:
        self.actor = actor
        self.action = action
        self.allowed_roles = tuple(allowed_roles)
        self.trigger = trigger
        self.kind = kind
        self.record_id = record_id
        self.note = note
        roles = " or ".join(self.allowed_roles)
        what = f"{action} ({note})" if note else action
        if actor is None:
            super().__init__(f"{what} needs to know who is acting (a {roles})")
        else:
            super().__init__(f"{actor} may not {what}: only a {roles} may")

    @classmethod
    def to_fire(
        cls,
        *,
        actor: str | None,
        trigger: str,
        kind: str,
        record_id: int,
        allowed_roles: Sequence[str],
        note: str | None = None,
    ) -> PermissionDenied:
        """Denied firing ``trigger`` on one record: "… may not approve_plan engagement 12"."""
        return cls(
            actor=actor,
            action=f"{trigger} {kind} {record_id}",
            allowed_roles=allowed_roles,
            trigger=trigger,
            kind=kind,
            record_id=record_id,
            note=note,
        )


class AlreadyRunning(Refused):
    """Another daemon already holds the single-writer lock."""


class ChainBroken(Refused):
    """The audit trail was tampered with: names the first event that does not hold."""

    def __init__(self, seq: int, reason: str) -> None:
        self.seq = seq
        self.reason = reason  # a Phrase where a person reads it translated
        super().__init__(f"audit chain broken at event {seq}: {reason}")


class NotFound(BadInput):
    """An id, code or e-mail that Banso does not know.

    ``what`` is what was looked for ("organisation with code", "engagement");
    ``hint`` says where to look, in the raiser's words; a caller may add its own.
    """

    def __init__(self, what: str, key: object, hint: str = "") -> None:
        self.what = what
        self.key = key
        self.hint = hint
        suffix = f"; {hint}" if hint else ""
        super().__init__(f"no {what} {key!s}{suffix}")


class InvalidValue(BadInput):
    """A malformed value: says where it was, what it was and what would do."""

    def __init__(self, where: str, value: object, expected: str) -> None:
        self.where = where
        self.value = value
        self.expected = expected
        super().__init__(f"{where}: {value!r} is not valid; expected {expected}")


class StorageUnavailable(BansoError):
    """The database URL is malformed, the database cannot be reached, or it was
    never initialised (``needs_init``: its tables or the programme's settings are
    missing). Not bad input, though the command stops the same way: exit 2."""

    exit_code = 2

    def __init__(self, message: str, *, needs_init: bool = False) -> None:
        self.needs_init = needs_init
        super().__init__(message)


class Busy(Refused):
    """Another writer holds the database longer than Banso waits (SQLite's write
    lock, a PostgreSQL lock timeout). Nothing was changed; running the command
    again later does it. The daemon retries on its own."""

    MESSAGE = "データベースが使用中です。しばらくしてから再実行してください"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(self.MESSAGE)


class InvariantViolated(Refused):
    """A change the database refused because it would break one of the
    programme's invariants (one open engagement per organisation × theme, one
    monthly meeting a month, unique codes and e-mails): another command made
    the same change a moment before."""

    def __init__(self, invariant: str) -> None:
        self.invariant = invariant
        super().__init__(f"refused: {invariant}; nothing was changed")
