"""`banso daemon`: enforces deadlines and delivers the outbox.

Every job is driven by the data (deadlines whose ``next_fire_at`` has come,
messages whose ``next_attempt_at`` has come, a monthly report still pending),
never by in-memory timers, so whatever came due while the daemon was down is
caught up on its first run. Each job run is one short unit of work.
"""

from __future__ import annotations

import fcntl
import os
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import structlog
from sqlalchemy import select

from banso.admin.effects import LEAD, PROGRAMME_TITLE, Recipient, lead_context, monthly_label
from banso.engine.clock import TOKYO, tokyo_date
from banso.engine.deadlines import ACTIVE, Deadline
from banso.engine.errors import AlreadyRunning, ConflictError, TransitionRefused
from banso.engine.outbox import OutgoingMessage
from banso.engine.reminders import Step, sweep
from banso.engine.workflow import SYSTEM
from banso.storage.db import sqlite_path
from banso.storage.deadlines import SqlDeadlineStore
from banso.storage.models import DeadlineRow, Deliverable, Organisation, OutboxRow, Person
from banso.storage.outbox import SqlOutbox, SqlOutboxStore
from banso.storage.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from banso.admin.app import App
    from banso.notifications.render import MailRenderer

log = structlog.get_logger()


@dataclass
class PassReport:
    """What one sweep and one send pass did."""

    at: datetime
    reminders: int = 0
    missed: int = 0
    drafted: list[str] = field(default_factory=list)
    digests: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def line(self) -> str:
        at = self.at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
        drafted = f", drafted {', '.join(self.drafted)}" if self.drafted else ""
        return (
            f"{at}: {self.reminders} reminder(s) queued, {self.missed} deadline(s) missed, "
            f"{self.digests} digest(s){drafted}; sent {self.sent}, retried {self.retried}, "
            f"dead {self.dead}"
        )


class People:
    """Everyone a reminder may go to, loaded once per sweep (a few dozen rows)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        session = uow.session
        orgs = {o.id: o.name for o in session.scalars(select(Organisation))}
        self.by_email: dict[str, Recipient] = {}
        self.roles: dict[str, list[Recipient]] = {}
        for p in session.scalars(select(Person).where(Person.active.is_(True))):
            r = Recipient(p.email, p.name, orgs.get(p.org_id) if p.org_id else p.company)
            self.by_email[p.email] = r
            self.roles.setdefault(p.role, []).append(r)

    def responsible(self, who: str) -> list[Recipient]:
        if who == LEAD or who not in self.by_email:
            return self.roles.get("lead", [])
        return [self.by_email[who]]


class Daemon:
    def __init__(self, app: App) -> None:
        self.app = app
        self.effects = app.effects

    @property
    def renderer(self) -> MailRenderer:
        return self.effects.renderer

    # -- the sweep -------------------------------------------------------------
    def sweep(self, now: datetime) -> PassReport:
        report = PassReport(at=now)
        calendar = self.effects.calendar
        with self.app.uow() as uow:
            people = People(uow)
            lead = lead_context(uow)

            def compose(deadline: Deadline, step: Step) -> list[OutgoingMessage]:
                return self._reminder(people, lead, deadline, step)

            result = sweep(
                SqlDeadlineStore(uow.session),
                SqlOutbox(uow.session),
                compose,
                now=now,
                calendar=calendar,
                policy=self.effects.policy,
            )
            uow.commit()
        report.reminders, report.missed = result.messages, result.missed
        today = tokyo_date(now)
        # Daily duties: on business days from 09:00, idempotent however often they run.
        if (
            calendar.is_business_day(today)
            and now.astimezone(TOKYO).hour >= self.effects.policy.hour
        ):
            report.drafted = self.draft_monthly_report(now)
            report.digests = self.digests(now)
        log.info("sweep.done", reminders=report.reminders, missed=report.missed)
        return report

    def _reminder(
        self, people: People, lead: dict[str, str], d: Deadline, step: Step
    ) -> list[OutgoingMessage]:
        to = people.responsible(d.responsible)
        if not to:
            log.warning("reminder.no_recipient", deadline=d.id)
            return []
        cc: tuple[str, ...] = ()
        if step.escalate:
            # Escalation: copy the prefecture and the lead (once each, never the addressee).
            seen = {r.email for r in to}
            cc = tuple(
                dict.fromkeys(
                    r.email
                    for r in people.roles.get("prefecture", []) + people.roles.get("lead", [])
                    if r.email not in seen
                )
            )
        kind = "deadline_overdue" if step.kind == "overdue" else "deadline_reminder"
        context = {
            "recipient": to[0].context()
            if len(to) == 1
            else {"name": None, "org_name": to[0].org_name, "dept": None},
            "lead": lead,
            "programme": {"title": PROGRAMME_TITLE},
            "title": d.title,
            "due": d.due,
            "due_as_written": d.due_as_written,
            "explanation": d.explanation,
            "days": step.business_days,
            "escalated": step.escalate,
        }
        return [
            self.renderer.compose(
                key=f"deadline:{d.id}:{step.index}",
                kind=kind,
                to=tuple(r.email for r in to),
                cc=cc,
                context=context,
                about_kind=d.about_kind,
                about_id=d.about_id,
            )
        ]

    def draft_monthly_report(self, now: datetime) -> list[str]:
        """From a month's first day on: every earlier monthly report still pending →
        drafted, oldest first, and the lead is told of each. Catches up after
        downtime across several months; never drafts twice."""
        current = f"{tokyo_date(now):%Y-%m}"
        with self.app.uow(readonly=True) as uow:
            periods = list(
                uow.session.scalars(
                    select(Deliverable.period)
                    .where(
                        Deliverable.kind == "monthly_report",
                        Deliverable.state == "pending",
                        Deliverable.period < current,
                    )
                    .order_by(Deliverable.period)
                )
            )
        return [p for p in periods if p and self._draft(p, now)]

    def _draft(self, period: str, now: datetime) -> bool:
        app = self.app
        with app.uow() as uow:
            row = uow.session.scalars(
                select(Deliverable).where(
                    Deliverable.kind == "monthly_report",
                    Deliverable.period == period,
                    Deliverable.state == "pending",
                )
            ).first()
            if row is None:
                return False
            try:
                app.runner.fire(uow, "deliverable", row.id, "draft", actor=SYSTEM)
            except (ConflictError, TransitionRefused):
                return False  # another daemon drafted it a moment ago
            leads = People(uow).roles.get("lead", [])
            if leads:
                message = self.renderer.compose(
                    key=f"monthly-drafted:{period}",
                    kind="monthly_report_drafted",
                    to=tuple(r.email for r in leads),
                    context={
                        "recipient": leads[0].context(),
                        "lead": lead_context(uow),
                        "programme": {"title": PROGRAMME_TITLE},
                        "month_label": monthly_label(period),
                        "deliverable_id": row.id,
                    },
                    about_kind="deliverable",
                    about_id=row.id,
                )
                SqlOutbox(uow.session).enqueue([message], now)
            uow.commit()
        log.info("monthly_report.drafted", period=period)
        return True

    def digests(self, now: datetime) -> int:
        """One mail a day per consultant and lead listing their open deadlines of the week."""
        today = tokyo_date(now)
        horizon = today + timedelta(days=7)
        sent = 0
        with self.app.uow() as uow:
            people = People(uow)
            lead = lead_context(uow)
            messages: list[OutgoingMessage] = []
            # Only the first sweep of the day builds digests: later ones skip
            # everyone whose digest is already queued, without querying or rendering.
            done = set(
                uow.session.scalars(
                    select(OutboxRow.key).where(OutboxRow.key.like(f"digest:%:{today.isoformat()}"))
                )
            )
            for role in ("consultant", "lead"):
                for r in people.roles.get(role, []):
                    if f"digest:{r.email}:{today.isoformat()}" in done:
                        continue
                    owners = [r.email, LEAD] if role == "lead" else [r.email]
                    rows = list(
                        uow.session.scalars(
                            select(DeadlineRow)
                            .where(
                                DeadlineRow.responsible.in_(owners),
                                DeadlineRow.status.in_(ACTIVE),
                                DeadlineRow.due <= horizon,
                            )
                            .order_by(DeadlineRow.due, DeadlineRow.id)
                        )
                    )
                    if not rows:
                        continue
                    messages.append(
                        self.renderer.compose(
                            key=f"digest:{r.email}:{today.isoformat()}",
                            kind="daily_digest",
                            to=(r.email,),
                            context={
                                "recipient": r.context(),
                                "lead": lead,
                                "programme": {"title": PROGRAMME_TITLE},
                                "today": today,
                                "items": [
                                    {
                                        "title": d.title,
                                        "due": d.due,
                                        "status": d.status,
                                        "explanation": d.explanation,
                                    }
                                    for d in rows
                                ],
                            },
                        )
                    )
            if messages:
                sent = SqlOutbox(uow.session).enqueue(messages, now)
                uow.commit()
        return sent

    # -- sending ---------------------------------------------------------------
    def send(self, now: datetime, report: PassReport) -> None:
        from banso.notifications.sender import deliver
        from banso.notifications.transport import open_transport

        settings = self.app.settings
        store = SqlOutboxStore(self.app.engine)
        with self.app.uow(readonly=True) as uow:
            lead = lead_context(uow)
        sender = settings.mail_from or lead["email"] or "banso@localhost"

        def transport() -> Any:
            return open_transport(
                settings.mail_url, user=settings.smtp_user, password=settings.smtp_password
            )

        result = deliver(
            store, transport, now=now, sender=sender, max_attempts=settings.mail_max_attempts
        )
        report.sent, report.retried, report.dead = result.sent, result.retried, len(result.dead)
        if result.dead:
            self._tell_lead_of_dead(now, result.dead)

    def _tell_lead_of_dead(self, now: datetime, dead: list[Any]) -> None:
        with self.app.uow() as uow:
            people = People(uow)
            leads = people.roles.get("lead", [])
            if not leads:
                return
            lead = lead_context(uow)
            messages = [
                self.renderer.compose(
                    key=f"dead:{q.id}",
                    kind="dead_letter",
                    to=tuple(r.email for r in leads),
                    context={
                        "recipient": leads[0].context(),
                        "lead": lead,
                        "programme": {"title": PROGRAMME_TITLE},
                        "failed_subject": q.message.subject,
                        "failed_to": list(q.message.to),
                        "attempts": q.attempts,
                        "last_error": q.last_error or "",
                    },
                )
                for q in dead
                # A notice about a notice that died would loop; the lead sees it in `outbox list`.
                if q.message.kind != "dead_letter"
            ]
            SqlOutbox(uow.session).enqueue(messages, now)
            uow.commit()

    def once(self) -> PassReport:
        now = self.app.clock.now()
        report = self.sweep(now)
        self.send(now, report)
        return report

    # -- running ---------------------------------------------------------------
    def run(self, *, sweep_every: float, send_every: float) -> None:
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler = BlockingScheduler(timezone=TOKYO)

        def sweep_job() -> None:
            self.sweep(self.app.clock.now())

        def send_job() -> None:
            now = self.app.clock.now()
            self.send(now, PassReport(at=now))

        start = datetime.now(TOKYO)
        # max_instances=1 and coalesce: a slow run is never overlapped or queued twice.
        for job, every in ((sweep_job, sweep_every), (send_job, send_every)):
            scheduler.add_job(
                job, "interval", seconds=every, next_run_time=start, max_instances=1, coalesce=True
            )

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("daemon.stopping", signal=signal.Signals(signum).name)
            # Let the running job finish before start() returns and the lock is released.
            scheduler.shutdown(wait=True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("daemon.started", sweep_every=sweep_every, send_every=send_every)
        scheduler.start()
        log.info("daemon.stopped")


def single_daemon_lock(app: App) -> IO[str] | None:
    """On SQLite only one daemon may run: hold an exclusive lock beside the database.

    The lock dies with the process (kill -9 included), so a crash never leaves
    a stale lock behind. PostgreSQL needs none: SKIP LOCKED and the idempotency
    keys let several daemons share the work.
    """
    path = sqlite_path(app.engine.url)
    if path is None:
        return None
    lock_path = Path(f"{path}.daemon.lock")
    handle = lock_path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(
            f"another banso daemon is already running on {path} (lock {lock_path}); "
            "stop it first, or use PostgreSQL to run several daemons"
        ) from None
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
