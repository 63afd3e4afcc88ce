"""The commands that only fire a trigger, declared as data (no click commands here).

Each row names the command, the record kind and trigger, and the options that
become the trigger's input. `admin.triggers` builds the click commands from the
rows; `admin.refusals` names a trigger the way it is typed from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from banso.admin.types import CHANNEL, CHANNEL_METAVAR
from banso.workflows.mailing import CANCEL_REASONS


@dataclass(frozen=True)
class Opt:
    """An option: ``--flag VALUE`` stored as ``field`` in the record (and/or ``payload``)."""

    flag: str
    field: str | None
    metavar: str
    help: str | None = None
    type: Any = None  # a click parameter type
    required: bool = True
    payload: str | None = None  # also (or only) passed to the guards under this key


@dataclass(frozen=True)
class TriggerCommand:
    name: str
    kind: str
    trigger: str
    help: str
    example: str
    options: tuple[Opt, ...] = ()


REASON = Opt("--reason", "reason", "TEXT")
# The wording the organisation reads; the --reason text stays inside the contractor.
REASON_CODE = Opt(
    "--reason-code", "reason_code", "CODE",
    "What the cancellation mail outside says (default other: 諸般の事情により).",
    type=click.Choice(list(CANCEL_REASONS)), required=False,
)  # fmt: skip
CHANNELS = CHANNEL

TRIGGERS: dict[str, tuple[TriggerCommand, ...]] = {
    "engagement": (
        TriggerCommand(
            "agree-expert", "engagement", "agree_expert",
            "Agree to the proposed consultant for an engagement (prefecture only, §6(2)①); "
            "needed before the hearing and whenever the consultant changes.",
            "banso --as lead@contractor.example.jp engagement agree-expert 12 "
            "--on-behalf-of taro@pref.okayama.example.jp --date 2026-05-08 --ref デジ第45号",
        ),
        TriggerCommand(
            "record-hearing", "engagement", "record_hearing",
            "Record what the hearing found (lead or consultant).",
            "banso --as hanako@contractor.example.jp engagement record-hearing 12 "
            '--findings "窓口業務の…"',
            (Opt("--findings", "findings", "TEXT", "現状・課題 and the agreed support content."),),
        ),
        TriggerCommand(
            "draft-plan", "engagement", "draft_plan",
            "Draft the support plan (支援計画書) after the hearing (lead or consultant).",
            'banso --as hanako@contractor.example.jp engagement draft-plan 12 --goals "…" '
            "--planned-dispatches 6",
            (
                Opt("--goals", "goals", "TEXT"),
                Opt("--planned-dispatches", "planned_dispatches", "N",
                    type=click.IntRange(min=0), required=False),
            ),
        ),
        TriggerCommand(
            "approve-plan", "engagement", "approve_plan",
            "Approve the support plan, and with it its 支援計画書 (prefecture only).",
            "banso --as taro@pref.okayama.example.jp engagement approve-plan 12",
        ),
        TriggerCommand(
            "revise-plan", "engagement", "revise_plan",
            "Agree a revised plan: the number of dispatches it now plans (prefecture only).",
            "banso --as taro@pref.okayama.example.jp engagement revise-plan 12 "
            "--planned-dispatches 8 --reason 追加の研修会を実施するため",
            (
                Opt("--planned-dispatches", "planned_dispatches", "N",
                    type=click.IntRange(min=0)),
                REASON,
            ),
        ),
        TriggerCommand(
            "start", "engagement", "start", "Start support on an approved plan (lead).",
            "banso --as lead@contractor.example.jp engagement start 12",
        ),
        TriggerCommand(
            "report", "engagement", "report",
            "Report the outcome; needs a held dispatch and none still open (lead or consultant).",
            'banso --as hanako@contractor.example.jp engagement report 12 --outcome "…"',
            (Opt("--outcome", "outcome", "TEXT"),),
        ),
        TriggerCommand(
            "withdraw", "engagement", "withdraw", "Withdraw an engagement (lead or prefecture).",
            "banso --as taro@pref.okayama.example.jp engagement withdraw 12 "
            "--reason 団体の事情により",
            (REASON,),
        ),
    ),
    "dispatch": (
        TriggerCommand(
            "confirm", "dispatch", "confirm", "Confirm a planned dispatch with the organisation.",
            "banso --as hanako@contractor.example.jp dispatch confirm 31",
        ),
        TriggerCommand(
            "record", "dispatch", "record", "Record a dispatch as held, with what was done.",
            'banso --as hanako@contractor.example.jp dispatch record 31 --summary "…" --hours 2',
            (
                Opt("--summary", "summary", "TEXT"),
                Opt("--hours", "hours", "H", type=click.FloatRange(min=0, min_open=True),
                    required=False),
            ),
        ),
        TriggerCommand(
            "cancel", "dispatch", "cancel",
            "Cancel a planned or confirmed dispatch; its quota slot is freed.",
            "banso --as lead@contractor.example.jp dispatch cancel 31 --reason 台風のため延期 "
            "--reason-code weather",
            (REASON, REASON_CODE),
        ),
    ),
    "consultation": (
        TriggerCommand(
            "answer", "consultation", "answer",
            "Record the answer given to the organisation (consultant or lead).",
            'banso --as hanako@contractor.example.jp consultation answer 4 --channel web '
            '--summary "…"',
            (
                Opt(
                    "--channel", "answer_channel", CHANNEL_METAVAR, type=CHANNELS, payload="channel"
                ),
                Opt("--summary", "summary", "TEXT"),
            ),
        ),
        TriggerCommand(
            "close", "consultation", "close",
            "Close an answered consultation (lead or prefecture).",
            "banso --as lead@contractor.example.jp consultation close 4",
        ),
    ),
    "deliverable": (
        TriggerCommand(
            "draft", "deliverable", "draft",
            "Mark a deliverable drafted (or redrafted after being returned) (lead).",
            "banso --as lead@contractor.example.jp deliverable draft 3",
        ),
        TriggerCommand(
            "approve", "deliverable", "approve",
            "Approve a submitted deliverable (prefecture only); a monthly report is "
            "received (receive), the completion report inspected (inspect).",
            "banso --as taro@pref.okayama.example.jp deliverable approve 3",
        ),
        TriggerCommand(
            "receive", "deliverable", "receive",
            "Record that the prefecture received a submitted monthly report (受領; "
            "prefecture only).",
            "banso --as lead@contractor.example.jp deliverable receive 7 "
            "--on-behalf-of taro@pref.okayama.example.jp --date 2026-05-12 --ref 受領確認メール",
        ),
        TriggerCommand(
            "inspect", "deliverable", "inspect",
            "Record that the completion report passed the prefecture's inspection (完了検査; "
            "prefecture only).",
            "banso --as lead@contractor.example.jp deliverable inspect 9 "
            "--on-behalf-of taro@pref.okayama.example.jp --date 2027-03-31 --ref デジ第120号",
        ),
        TriggerCommand(
            "return", "deliverable", "send_back",
            "Send a submitted deliverable back for changes (prefecture only).",
            "banso --as taro@pref.okayama.example.jp deliverable return 3 "
            "--reason 体制図に連絡先がない",
            (REASON,),
        ),
    ),
    "meeting": (
        TriggerCommand(
            "hold", "meeting", "hold", "Record a meeting as held, with its minutes (lead).",
            'banso --as lead@contractor.example.jp meeting hold 7 --minutes "進捗報告…"',
            (Opt("--minutes", "minutes", "TEXT"),),
        ),
        TriggerCommand(
            "cancel", "meeting", "cancel", "Cancel a scheduled meeting (lead or prefecture).",
            "banso --as lead@contractor.example.jp meeting cancel 7 --reason 日程再調整 "
            "--reason-code schedule",
            (REASON, REASON_CODE),
        ),
    ),
}  # fmt: skip


# Triggers fired by commands of their own (they take more than the trigger's input).
OTHER_COMMANDS: dict[tuple[str, str], tuple[str, str]] = {
    ("engagement", "schedule_hearing"): ("schedule-hearing", "--at DATETIME --consultant EMAIL"),
    ("engagement", "propose_expert"): ("propose-expert", "--consultant EMAIL"),
    ("consultation", "assign"): ("assign", "--consultant EMAIL"),
    ("dispatch", "reassign"): ("reassign", "--consultant EMAIL --reason TEXT"),
    ("deliverable", "submit"): ("submit", ""),
}


def typed_commands() -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, trigger) → the command that fires it and the options it cannot do without."""
    found = dict(OTHER_COMMANDS)
    for specs in TRIGGERS.values():
        for spec in specs:
            needed = " ".join(f"{o.flag} {o.metavar}" for o in spec.options if o.required)
            found[(spec.kind, spec.trigger)] = (spec.name, needed)
    return found
