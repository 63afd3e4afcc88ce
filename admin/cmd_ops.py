"""Operations: the deadline calendar, the outbox, the daemon."""

from __future__ import annotations

from datetime import date

import click

from banso.admin.cli import State, cli, emit, json_option, pass_state
from banso.admin.common import table, when
from banso.engine.clock import parse_date, tokyo_date
from banso.engine.deadlines import STATUSES
from banso.engine.era import format_date
from banso.engine.outbox import STATES
from banso.engine.workflow import Actor

STATUS_LABELS = {"open": "未了", "met": "完了", "missed": "期限超過", "cancelled": "取消"}


@cli.command("calendar")
@click.option("--from", "from_text", metavar="D", help="First due date (default: contract start).")
@click.option("--to", "to_text", metavar="D", help="Last due date (default: no limit).")
@click.option("--status", type=click.Choice(STATUSES))
@json_option
@pass_state
def calendar_cmd(
    state: State, from_text: str | None, to_text: str | None, status: str | None
) -> None:
    """Every deadline: as written, effective, why, who answers for it, status.

    \b
    Example:
      banso calendar --from 2026-10-01 --to 2026-12-31
    """
    from banso.storage.deadlines import SqlDeadlines
    from banso.storage.queries import setting

    with state.app.uow(readonly=True) as uow:
        contract = setting(uow.session, "contract")
        start = (
            parse_date(from_text, "--from") if from_text else date.fromisoformat(contract["start"])
        )
        end = parse_date(to_text, "--to") if to_text else date(9999, 12, 31)
        if end < start:
            raise click.BadParameter(f"{end} is before --from {start}", param_hint="--to")
        rows = SqlDeadlines(uow.session).list(start, end, status)
    data = [
        {
            "id": d.id,
            "title": d.title,
            "obligation": d.obligation,
            "about": f"{d.about_kind} {d.about_id}" if d.about_kind else None,
            "due_as_written": d.due_as_written.isoformat(),
            "due": d.due.isoformat(),
            "explanation": d.explanation,
            "responsible": d.responsible,
            "status": d.status,
            "status_label": STATUS_LABELS[d.status],
            "next_reminder": d.next_fire_at.isoformat() if d.next_fire_at else None,
        }
        for d in rows
    ]
    lines = [
        [
            str(d.id),
            d.due.isoformat()
            + ("" if d.due == d.due_as_written else f" ({d.due_as_written:%m-%d})"),
            f"{d.status}（{STATUS_LABELS[d.status]}）",
            d.responsible,
            d.title,
        ]
        for d in rows
    ]
    text = table(lines, ["id", "due (as written)", "status", "responsible", "what"])
    text += "".join(
        f"\n  {d.id}: {format_date(d.due)} — {d.explanation}"
        for d in rows
        if d.due != d.due_as_written
    )
    emit(state, data, text)


@cli.group()
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
    from banso.storage.outbox import SqlOutboxStore

    items = SqlOutboxStore(state.app.engine).list(state_name, limit)
    data = [
        {
            "id": q.id,
            "state": q.state,
            "kind": q.message.kind,
            "to": list(q.message.to),
            "cc": list(q.message.cc),
            "subject": q.message.subject,
            "attempts": q.attempts,
            "next_attempt_at": q.next_attempt_at.isoformat() if q.next_attempt_at else None,
            "last_error": q.last_error,
            "sent_at": q.sent_at.isoformat() if q.sent_at else None,
            "message_id": q.message_id,
        }
        for q in items
    ]
    rows = [
        [
            str(q.id),
            q.state,
            str(q.attempts),
            when(q.sent_at or q.next_attempt_at),
            ", ".join(q.message.to),
            q.message.subject,
        ]
        for q in items
    ]
    emit(state, data, table(rows, ["id", "state", "tries", "at", "to", "subject"]))


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
    from banso.storage.outbox import SqlOutboxStore

    app = state.app
    with app.uow(readonly=True) as uow:
        actor: Actor = app.actor(uow, "retry a message", ("lead", "prefecture"))
    SqlOutboxStore(app.engine).retry(message_id, app.clock.now())
    emit(
        state,
        {"id": message_id, "state": "queued", "by": actor.email},
        f"message {message_id} queued again",
    )


@cli.command()
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
    from banso.admin.daemon import Daemon, single_daemon_lock
    from banso.admin.effects import reminder_policy
    from banso.notifications.transport import open_transport

    app = state.app
    settings = app.settings
    # A malformed BANSO_MAIL_URL is bad input: refuse before the sweep changes anything.
    open_transport(settings.mail_url, user=settings.smtp_user, password=settings.smtp_password)
    reminder_policy(settings)  # likewise a bad [reminders] table
    lock = single_daemon_lock(app)
    try:
        runner = Daemon(app)
        if once:
            report = runner.once()
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
                },
                report.line(),
            )
        else:
            runner.run(sweep_every=sweep_every, send_every=send_every)
    finally:
        if lock is not None:
            lock.close()
