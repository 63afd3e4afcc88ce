"""Banso's one exception tree.

Every error a user can cause or a rule can raise is one of these; adapters
translate backend errors into them with ``raise ... from exc``, and the
``banso`` command maps the two branches to its exit codes::

    BansoError
     ├── Refused                      exit 1: a rule said no; nothing was changed
     │    ├── TransitionRefused       trigger not allowed in this state, or unmet guards
     │    ├── CreationRefused         a new record that a rule (quota, approval...) forbids
     │    ├── ConflictError           someone else changed the record first (optimistic lock)
     │    ├── PermissionDenied        the acting person's role may not do this
     │    ├── AlreadyRunning          a second daemon on a single-writer database
     │    └── ChainBroken             the audit hash chain does not verify
     │    (notifications.transport.DeliveryError, raised by a mail transport and
     │     handled by the sender, also derives from BansoError)
     └── BadInput                     exit 2: the input is wrong; nothing was changed
          ├── NotFound                unknown id, code or e-mail
          ├── InvalidValue            a value (date, option, cell) is malformed
          └── StorageUnavailable      the database URL is malformed or unreachable

Each error builds its one-line message in ``__init__`` so that every place
raising it says the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Sequence


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
        unmet: Sequence[str] = (),
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.trigger = trigger
        self.state = state
        self.allowed = tuple(allowed)
        self.unmet = tuple(unmet)
        # Shown as people type them on the command line: approve-plan, not approve_plan.
        typed = trigger.replace("_", "-")
        allowed_text = ", ".join(a.replace("_", "-") for a in self.allowed) or "none"
        if self.unmet:
            reason = "unmet: " + "; ".join(self.unmet)
        else:
            reason = f"{typed} is not allowed from this state"
        super().__init__(
            f"{kind} {record_id} is {state} ({state_label}): {typed} refused, {reason}"
            f" (allowed now: {allowed_text})"
        )


class CreationRefused(Refused):
    """A new record that the rules forbid; names every unmet condition."""

    def __init__(self, *, kind: str, unmet: Sequence[str]) -> None:
        self.kind = kind
        self.unmet = tuple(unmet)
        super().__init__(f"new {kind} refused: " + "; ".join(self.unmet))


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
    """The acting person may not do this."""

    def __init__(self, *, actor: str | None, action: str, allowed_roles: Sequence[str]) -> None:
        self.actor = actor
        self.action = action
        roles = " or ".join(allowed_roles)
        if actor is None:
            super().__init__(
                f"{action} needs to know who is acting: pass --as EMAIL or set BANSO_USER "
                f"(a {roles})"
            )
        else:
            super().__init__(f"{actor} may not {action}: only a {roles} may")


class AlreadyRunning(Refused):
    """Another daemon already holds the single-writer lock."""


class ChainBroken(Refused):
    """The audit trail was tampered with: names the first event that does not hold."""

    def __init__(self, seq: int, reason: str) -> None:
        self.seq = seq
        super().__init__(f"audit chain broken at event {seq}: {reason}")


class NotFound(BadInput):
    """An id, code or e-mail that Banso does not know."""

    def __init__(self, what: str, key: object, hint: str = "") -> None:
        self.what = what
        self.key = key
        suffix = f"; {hint}" if hint else ""
        super().__init__(f"no {what} {key!s}{suffix}")


class InvalidValue(BadInput):
    """A malformed value: says where it was, what it was and what would do."""

    def __init__(self, where: str, value: object, expected: str) -> None:
        self.where = where
        self.value = value
        self.expected = expected
        super().__init__(f"{where}: {value!r} is not valid; expected {expected}")


class StorageUnavailable(BadInput):
    """The database URL is malformed or the database cannot be reached."""
