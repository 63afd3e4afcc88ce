"""Operations: the deadline calendar, history and the audit chain, the outbox, the daemon."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from banso.admin.cli import State, pass_state
from banso.admin.history_ja import daemon_line, history_ja, responsible_text
from banso.admin.i18n import _, japanese
from banso.admin.output import day, emit, json_option, state_text, table, when
from banso.engine.clock import show, tokyo_date
from banso.engine.deadlines import STATUSES
from banso.engine.era import format_date
from banso.engine.errors import ChainBroken
from banso.engine.outbox import STATES
from banso.services import views
from banso.workflows.labels import DEADLINE_STATUS_LABELS
from banso.workflows.parse import parse_date


def as_written(due: date) -> str:
    """The date the specification names, beside the effective one."""
    return day(due) if japanese() else f"{due:%m-%d}"


@click.command("calendar")
@click.option("--from", "from_text", metavar="D", help="First due date (default: contract start).")
@click.option("--to", "to_text", metavar="D", help="Last due date (default: no limit).")
@click.option("--status", type=click.Choice(STATUSES))
@json_option
@pass_state
def calendar(state: State, from_text: str | None, to_text: str | None, status: str | None) -> None:
    """Every deadline: as written, effective, why, who answers for it, status.

    \b
    Example:
      banso calendar --from 2026-10-01 --to 2026-12-31
    """
    start = parse_date(from_text, "--from") if from_text else None
    end = parse_date(to_text, "--to") if to_text else None
    first, rows = views.calendar(state.services, start, end, status, state.viewer)
    if end and end < first:
        raise click.BadParameter(
            _("{end} is before --from {first}").format(end=end, first=first), param_hint="--to"
        )
    data = [views.deadline_json(d) for d in rows]
    lines = [
        [
            str(d.id),
            day(d.due)
            + ("" if d.due == d.due_as_written else f" ({as_written(d.due_as_written)})"),
            DEADLINE_STATUS_LABELS[d.status]
            if japanese()
            else f"{d.status}（{DEADLINE_STATUS_LABELS[d.status]}）",
            responsible_text(d.responsible),
            d.title,
        ]
        for d in rows
    ]
    headers = [_("id"), _("due (as written)"), _("status"), _("responsible"), _("what")]
    text = table(lines, headers)
    text += "".join(
        f"\n  {d.id}: {format_date(d.due)} — {d.explanation}"
        for d in rows
        if d.due != d.due_as_written
    )
    emit(state, data, text)


def on_behalf_text(behalf: dict[str, Any], *, created: bool = False) -> str:
    """A decision recorded on the prefecture's behalf: both people, the day, the reference
    and the evidence's hash (services.decisions); ``created``: a record the prefecture
    received (a consultation), which may have no reference."""
    ref = f", ref {behalf['ref']}" if behalf.get("ref") else ""
    text = (
        f"{'received' if created else 'decided'} by {behalf['decided_by']} on "
        f"{behalf['date']}{ref}, recorded on the prefecture's behalf by {behalf['recorded_by']}"
    )
    evidence = behalf.get("evidence")
    if evidence:
        text += f", evidence {evidence['name']} sha256 {evidence['sha256']}"
    return text


@click.command()
@click.argument("kind")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def history(state: State, kind: str, record_id: int) -> None:
    """Every transition of one record: when, who, from, to, why.

    \b
    Example:
      banso history engagement 12
    """
    events = views.history(state.services, kind, record_id, state.viewer)
    rows = [views.event_json(e) for e in events]
    definition = state.services.runner.definitions.get(kind)
    if japanese():
        emit(state, rows, history_ja(state, kind, record_id, events))
        return
    lines = [f"{kind} {record_id}: {len(events)} event(s)"]
    for e in events:
        # What people wrote (reasons, findings, outcomes) and chose; ids and
        # timestamps stay in --json.
        changes = {
            k: v for k, v in e.payload.get("changes", {}).items() if not k.endswith(("_at", "_id"))
        }
        given = {**changes, **e.payload}
        why = "; ".join(
            [f"{k}={v}" for k, v in given.items()
             if k not in ("changes", "at", "on_behalf") and v is not None]
            + ([on_behalf_text(given["on_behalf"], created=e.from_state is None)]
               if given.get("on_behalf") else [])
        )  # fmt: skip
        label = definition.trigger_label(e.trigger) if definition else None
        trigger = e.trigger.replace("_", "-") + (f"（{label}）" if label else "")
        lines.append(
            f"  {show(e.at)}  v{e.version}  {e.actor}  {trigger}: "
            f"{state_text(state, kind, e.from_state)} → {state_text(state, kind, e.to_state)}"
            + (f"  ({why})" if why else "")
        )
    emit(state, rows, "\n".join(lines))


@click.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
@click.option(
    "--anchor",
    "anchor_text",
    metavar="COUNT:HASH",
    help="An anchor `banso audit anchor` printed earlier: the chain must still hold it.",
)
@json_option
@pass_state
def audit_verify(state: State, anchor_text: str | None) -> None:
    """Check the audit chain (HMAC-keyed), the anchor if given, and that every record's
    state and version and the quota settings are what the chain says; exit 1 names the
    first thing that does not hold.

    \b
    Examples:
      banso audit verify
      banso audit verify --anchor 1284:5f0c…
    """
    from banso.services import audit as trail

    anchored = trail.parse_anchor(anchor_text) if anchor_text else None
    report = trail.verify(state.services, anchored)
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
        _("audit chain intact: {checked} event(s)").format(checked=report.checked),
    )


@audit.command("anchor")
@json_option
@pass_state
def audit_anchor(state: State) -> None:
    """Print the chain's head (event count and hash) to keep outside Banso — in the
    monthly report or a mail to the prefecture; `audit verify --anchor` checks it later.

    \b
    Example:
      banso audit anchor
    """
    from banso.services import audit as trail

    head = trail.anchor(state.services)
    emit(
        state,
        {"count": head.count, "head": head.head, "anchor": head.text()},
        _("audit anchor: {count} event(s), head {head}").format(count=head.count, head=head.head)
        + "\n"
        + _("  check later with: {command}").format(
            command=f"banso audit verify --anchor {head.text()}"
        ),
    )


@click.command("permissions")
@json_option
@pass_state
def permissions(state: State) -> None:
    """Who may run which command, and over which records (from workflows/permissions.py).

    \b
    Example:
      banso permissions
    """
    from banso.workflows.permissions import COMMANDS, PEOPLE_ROLES, SCOPE_LABELS
    from banso.workflows.roles import role_label

    data = [
        {
            "command": name.replace("_", "-"),
            "open": rule.open,
            "roles": {role: rule.scope(role) for role in PEOPLE_ROLES if rule.scope(role)},
        }
        for name, rule in COMMANDS.items()
    ]
    rows = [
        [name.replace("_", "-")]
        + [
            "（誰でも）" if rule.open else SCOPE_LABELS.get(rule.scope(role) or "", "—")
            for role in PEOPLE_ROLES
        ]
        for name, rule in COMMANDS.items()
    ]
    emit(state, data, table(rows, [_("command"), *(role_label(r) for r in PEOPLE_ROLES)]))


@click.group()
def outbox() -> None:
    """Messages waiting to be sent, sent, or given up on."""


@outbox.command("list")
@click.option("--state", "state_name", type=click.Choice(STATES))
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@json_option
@pass_state
def outbox_list(state: State, state_name: str | None, limit: int) -> None:
    """List outbox messages, newest first.

    \b
    Example:
      banso outbox list --state dead
    """
    items = views.outbox(state.services, state_name, limit)
    domain = state.services.mail_settings.message_id_domain
    data = [views.message_json(q, domain) for q in items]
    rows = [
        [str(q.id), q.state, str(q.attempts), when(q.sent_at or q.next_attempt_at),
         ", ".join(q.message.to), q.message.subject]
        for q in items
    ]  # fmt: skip
    headers = [_("id"), _("state"), _("tries"), _("at"), _("to"), _("subject")]
    emit(state, data, table(rows, headers))


@outbox.command("retry")
@click.argument("message_id", metavar="ID", type=int)
@json_option
@pass_state
def outbox_retry(state: State, message_id: int) -> None:
    """Put a dead (or failed) message back in the queue (lead or prefecture).

    \b
    Example:
      banso --as lead@contractor.example.jp outbox retry 42
    """
    who = views.retry_message(state.services, state.user, message_id)
    emit(
        state,
        {"id": message_id, "state": "queued", "by": who},
        _("message {id} queued again").format(id=message_id),
    )


@click.command()
@click.option(
    "--once", is_flag=True, help="One sweep and one send pass at now (BANSO_NOW), then exit."
)
@click.option(
    "--sweep-every", type=click.FloatRange(min=1), default=60, show_default=True, metavar="SECONDS"
)
@click.option(
    "--send-every", type=click.FloatRange(min=1), default=15, show_default=True, metavar="SECONDS"
)
@json_option
@pass_state
def daemon(state: State, once: bool, sweep_every: float, send_every: float) -> None:
    """Enforce deadlines and deliver mail: reminders, escalations, the monthly report draft,
    the morning digest, and the outbox. Runs in the foreground; SIGTERM/SIGINT stop it
    after the current job. On SQLite only one daemon may run.

    \b
    Examples:
      banso daemon
      BANSO_NOW=2026-05-11T09:00+09:00 banso daemon --once
    """
    from banso.admin.scheduler import run_daemon, single_daemon_lock
    from banso.services.daemon import once as run_once

    boot = state.boot
    boot.check_mail_url()
    lock = single_daemon_lock(boot.engine)
    try:
        if once:
            report = run_once(state.services)
            emit(
                state,
                {
                    "at": report.at.isoformat(),
                    "today": tokyo_date(report.at).isoformat(),
                    "reminders": report.reminders,
                    "missed": report.missed,
                    "drafted": report.drafted,
                    "digests": report.digests,
                    "sent": report.sent,
                    "retried": report.retried,
                    "dead": report.dead,
                    "set_aside": report.set_aside,
                },
                daemon_line(report),
            )
        else:
            run_daemon(state.services, sweep_every=sweep_every, send_every=send_every)
    finally:
        if lock is not None:
            lock.close()
