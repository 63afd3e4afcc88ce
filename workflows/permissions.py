"""Who may run which command, and over which records: the one table of permissions.

Checked before any rule and before any read (§11: nothing learnt about one
organisation may reach a third party). The workflow definitions still judge
each transition's role; this table decides first whether the person may use
the command at all, and whether they see every record (``ALL``) or only the
records assigned to them (``OWN``: a consultant's engagements, their
dispatches, consultations and deadlines). Municipal contacts have no commands:
for them Banso is its mail and documents.

A command missing from the table is the lead's and the prefecture's only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from banso.workflows.roles import CONSULTANT, LEAD, MUNICIPAL, PREFECTURE

ALL = "all"
OWN = "own"

SCOPE_LABELS = {ALL: "すべて", OWN: "担当分のみ"}

# Roles a person can have on the programme, in the order the matrix shows them.
PEOPLE_ROLES: tuple[str, ...] = (PREFECTURE, LEAD, CONSULTANT, MUNICIPAL)


@dataclass(frozen=True)
class Permission:
    """Who may run a command: role → scope. ``open`` commands need no person."""

    roles: Mapping[str, str]
    open: bool = False

    def scope(self, role: str) -> str | None:
        return self.roles.get(role)


_STAFF = Permission({PREFECTURE: ALL, LEAD: ALL})
_STAFF_AND_OWN = Permission({PREFECTURE: ALL, LEAD: ALL, CONSULTANT: OWN})
_STAFF_AND_READERS = Permission({PREFECTURE: ALL, LEAD: ALL, CONSULTANT: ALL})
_OPEN = Permission({}, open=True)

# The command's words (`engagement show`; a trigger's underscores are the command's
# hyphens) → who may run it.
COMMANDS: dict[str, Permission] = {
    # Setting up needs nobody yet; the demo creates its own database; the
    # daemon acts as the system (run under the operator's account).
    "init": _OPEN,
    "demo": _OPEN,
    "permissions": _OPEN,
    "daemon": _OPEN,
    # Copies of the whole database: whoever may read (backup) or write (restore,
    # into an empty one only) the database file may; its file permissions are
    # the boundary (docs/operations.md), as for init.
    "backup": _OPEN,
    "restore": _OPEN,
    # People and master data: the staff; everyone working may look up names.
    "person add": _STAFF,  # the very first person registers themself (services.master)
    "person edit": _STAFF,
    "person remove": _STAFF,
    "person list": _STAFF,
    "org list": _STAFF_AND_READERS,
    "org show": _STAFF_AND_READERS,
    "org add": _STAFF,
    "theme list": _STAFF_AND_READERS,
    "theme add": _STAFF,
    "subcontractor add": _STAFF,
    "subcontractor approve": _STAFF,
    "subcontractor list": _STAFF,
    "survey import": _STAFF,
    # Engagements and dispatches: a consultant works on their own.
    "engagement new": _STAFF,
    "engagement list": _STAFF_AND_OWN,
    "engagement show": _STAFF_AND_OWN,
    "engagement schedule_hearing": _STAFF,
    "engagement record_hearing": _STAFF_AND_OWN,
    "engagement draft_plan": _STAFF_AND_OWN,
    "engagement approve_plan": _STAFF,
    "engagement start": _STAFF_AND_OWN,
    "engagement report": _STAFF_AND_OWN,
    "engagement withdraw": _STAFF,
    "dispatch plan": _STAFF_AND_OWN,
    "dispatch confirm": _STAFF_AND_OWN,
    "dispatch record": _STAFF_AND_OWN,
    "dispatch cancel": _STAFF_AND_OWN,
    "dispatch reassign": Permission({LEAD: ALL}),
    "dispatch list": _STAFF_AND_OWN,
    # Research and materials between visits: the engagement's consultant and the lead
    # record; the prefecture reads them (they are in its monthly report).
    "work record": Permission({LEAD: ALL, CONSULTANT: OWN}),
    "work list": _STAFF_AND_OWN,
    # Exports: a consultant's file holds only their own records (services.exports).
    "export": _STAFF_AND_OWN,
    # The prefecture receives every consultation (§6(1)); the lead enters it on the
    # prefecture's behalf (services.desk), as a decision: never a consultant.
    "consultation new": _STAFF,
    "consultation assign": _STAFF,
    "consultation answer": _STAFF_AND_OWN,
    "consultation close": _STAFF_AND_OWN,
    "consultation list": _STAFF_AND_OWN,
    # The contract's deliverables, meetings and budget: the staff.
    "deliverable list": _STAFF,
    "deliverable draft": _STAFF,
    "deliverable show": _STAFF,
    "deliverable approve": _STAFF,
    # The prefecture's acceptance of a report: 受領 (monthly), 完了検査 (completion).
    "deliverable receive": _STAFF,
    "deliverable inspect": _STAFF,
    "deliverable return": _STAFF,
    "deliverable generate": _STAFF,
    "deliverable files": _STAFF,
    "deliverable submit": _STAFF,
    # A contractual item late: the lead writes to the prefecture (services.delays).
    "deliverable notify_delay": Permission({LEAD: ALL}),
    "meeting schedule": _STAFF,
    "meeting hold": _STAFF,
    "meeting cancel": _STAFF,
    "meeting slides": _STAFF,
    "meeting list": _STAFF,
    "meeting notify_delay": Permission({LEAD: ALL}),
    "budget": _STAFF,
    "budget set": _STAFF,
    # The forecast names every organisation's engagements against the budget: the staff
    # (a consultant's own share of it would hide what the cap shares with others').
    "forecast": _STAFF,
    # Operations: a consultant sees the deadlines and history of their own records.
    "calendar": _STAFF_AND_OWN,
    "history": _STAFF_AND_OWN,
    # Checking the chain shows counts and hashes, nothing of anyone's work: whoever
    # can open the database may check it (an auditor's account, the daemon's).
    "audit verify": _OPEN,
    "audit anchor": _OPEN,
    "outbox list": _STAFF,
    "outbox retry": _STAFF,
}


def permission(command: str) -> Permission:
    """Who may run ``command`` (the lead and the prefecture, if it is not listed)."""
    return COMMANDS.get(command.replace("-", "_"), _STAFF)
