"""The daemon's jobs: the deadline sweep, the daily duties, the send pass.

Every job is driven by the data (deadlines whose ``next_fire_at`` has come,
messages whose ``next_attempt_at`` has come, a monthly report still pending),
never by in-memory timers, so whatever came due while the daemon was down is
caught up on its first run. Each job run is one short unit of work.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import structlog

from banso.engine.clock import TOKYO, tokyo_date
from banso.engine.deadlines import ACTIVE, MISSED, Deadline
from banso.engine.errors import BansoError, Busy, Refused
from banso.engine.outbox import OutgoingMessage, QueuedMessage
from banso.engine.reminders import Step, sweep
from banso.engine.workflow import SYSTEM
from banso.services import documents
from banso.services.context import Services
from banso.services.mail import Recipient, common, display_name, recipient
from banso.services.ports import UnitOfWork
from banso.workflows import deliverable as dw
from banso.workflows.labels import KIND_LABELS
from banso.workflows.mailing import digest_groups, explain_due, public_message_id, who_hears
from banso.workflows.programme import LEAD, monthly_label
from banso.workflows.roles import CONSULTANT
from banso.workflows.roles import LEAD as LEAD_ROLE
from banso.workflows.validation import one_line

log = structlog.get_logger()
T = TypeVar("T")


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
    set_aside: int = 0

    def line(self) -> str:
        at = self.at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
        drafted = f", drafted {', '.join(self.drafted)}" if self.drafted else ""
        aside = f", set aside {self.set_aside}" if self.set_aside else ""
        return (
            f"{at}: {self.reminders} reminder(s) queued, {self.missed} deadline(s) missed, "
            f"{self.digests} digest(s){drafted}; sent {self.sent}, retried {self.retried}, "
            f"dead {self.dead}{aside}"
        )


class People:
    """Everyone a reminder may go to, loaded once per sweep (a few dozen rows)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.by_email: dict[str, Recipient] = {}
        self.roles: dict[str, list[Recipient]] = {}
        for p in uow.directory.people(active_only=True):
            r = recipient(uow, p)
            self.by_email[p.email] = r
            self.roles.setdefault(p.role, []).append(r)

    def responsible(self, who: str) -> list[Recipient]:
        if who == LEAD or who not in self.by_email:
            return self.roles.get(LEAD_ROLE, [])
        return [self.by_email[who]]


@dataclass(frozen=True)
class Terms:
    """What the reminder rules need of the programme, read once per sweep."""

    contract_end: date
    completion_ids: frozenset[int]
    cap: int


def _terms(services: Services, uow: UnitOfWork) -> Terms:
    contract = uow.settings.get("contract") or {}
    end = date.fromisoformat(contract["end"]) if contract.get("end") else date.max
    completion = uow.records.find("deliverable", where={"kind": "completion_report"})
    return Terms(end, frozenset(r.id for r in completion), services.mail_settings.overdue_cap)


@dataclass(frozen=True)
class SetAside:
    """A message that could not be composed from its record (a control
    character put in a name by hand, an address no mail can go to): the sweep
    goes on without it and the lead is told once."""

    key: str
    title: str
    about: str
    reason: str


def run_sweep(services: Services, now: datetime) -> PassReport:
    """Reminders and escalations that are due, then the daily duties.

    One record that cannot be turned into mail never stops the others: its
    message is set aside (``SetAside``), the deadline moves on, the lead hears
    of it once, and everyone else's reminders are queued as usual.
    """
    report = PassReport(at=now)
    aside: list[SetAside] = []
    with services.uow() as uow:
        people = People(uow)
        shared = common(services, uow)
        terms = _terms(services, uow)

        def compose(deadline: Deadline, step: Step) -> list[OutgoingMessage]:
            try:
                return _reminder(services, people, shared, terms, deadline, step)
            except (BansoError, ValueError, LookupError, TypeError) as exc:
                kind = deadline.about_kind or ""
                about = f"{KIND_LABELS.get(kind, kind)}{deadline.about_id}" if kind else ""
                aside.append(
                    SetAside(f"deadline:{deadline.id}", deadline.title, about, _reason(exc))
                )
                log.warning("reminder.set_aside", deadline=deadline.id, error=_reason(exc))
                return []

        result = sweep(
            uow.deadlines,
            uow.outbox,
            compose,
            now=now,
            calendar=services.calendar,
            policy=services.policy,
        )
        uow.commit()
    report.reminders, report.missed = result.messages, result.missed
    today = tokyo_date(now)
    # Daily duties: on business days from 09:00, idempotent however often they run.
    if services.calendar.is_business_day(today) and now.astimezone(TOKYO).hour >= (
        services.policy.hour
    ):
        report.drafted = draft_monthly_reports(services, now, aside)
        report.digests = digests(services, now, aside)
    if aside:
        report.set_aside = len(aside)
        tell_lead_of_set_aside(services, now, aside)
    log.info("sweep.done", reminders=report.reminders, missed=report.missed)
    return report


def _reminder(
    services: Services,
    people: People,
    shared: dict[str, Any],
    terms: Terms,
    d: Deadline,
    step: Step,
) -> list[OutgoingMessage]:
    # Internal targets stay inside the contractor: the responsible person only,
    # never a copy to the prefecture (workflows.mailing.who_hears).
    completion = d.about_kind == "deliverable" and d.about_id in terms.completion_ids
    hearing = who_hears(
        d.obligation,
        completion,
        step.kind,
        step.overdue_number,
        step.day,
        terms.contract_end,
        terms.cap,
    )
    if not hearing.send:
        return []
    to = people.responsible(d.responsible)
    if not to:
        log.warning("reminder.no_recipient", deadline=d.id)
        return []
    cc: tuple[str, ...] = ()
    if step.escalate and step.kind == "overdue":
        # Escalation stays inside too: the lead is copied, never the prefecture.
        seen = {r.email for r in to}
        cc = tuple(
            dict.fromkeys(r.email for r in people.roles.get(LEAD_ROLE, []) if r.email not in seen)
        )
    kind = "deadline_overdue" if step.kind == "overdue" else "deadline_reminder"
    delay = None
    if hearing.ask_delay_notice:
        if d.about_kind == "deliverable":
            delay = f"banso deliverable notify-delay {d.about_id} --until YYYY-MM-DD --reason 理由"
        else:  # a month's regular meeting, filed under 202605 for 2026-05
            month = f"{(d.about_id or 0) // 100}-{(d.about_id or 0) % 100:02d}"
            delay = f"banso meeting notify-delay {month} --until YYYY-MM-DD --reason 理由"
    context = {
        **shared,
        "recipient": to[0].context()
        if len(to) == 1
        else {
            "name": None,
            "org_name": to[0].org_name,
            "dept": None,
            "internal": True,
            "first": False,
        },
        "title": d.title,
        "due": d.due,
        "explanation": explain_due(d.explanation, d.due, d.due_as_written),
        "days": step.business_days,
    }
    if kind == "deadline_overdue":
        context["delay_command"] = delay
        context["last_notice"] = step.overdue_number == terms.cap
    return [
        services.mail.compose(
            key=f"deadline:{d.id}:{step.index}",
            kind=kind,
            to=tuple(r.email for r in to),
            cc=cc,
            context=context,
            about_kind=d.about_kind,
            about_id=d.about_id,
        )
    ]


def draft_monthly_reports(
    services: Services, now: datetime, aside: list[SetAside] | None = None
) -> list[str]:
    """From a month's first day on: every earlier monthly report still pending →
    drafted, oldest first, and the lead is told of each. Catches up after
    downtime across several months; never drafts twice."""
    today = tokyo_date(now)
    current = f"{today:%Y-%m}"
    with services.uow(readonly=True) as uow:
        pending = uow.records.find(
            "deliverable",
            where={"kind": "monthly_report"},
            states=("pending",),
            order_by=("period",),
        )
        contract = uow.settings.get("contract") or {}
    # The last month's report falls due on the contract end (clamped), before the
    # next month begins: it is drafted from the [mail] march_report_from_day on.
    last = contract.get("end", "")[:7]
    early = today.day >= services.mail_settings.march_report_from_day
    periods = [
        p.data["period"]
        for p in pending
        if p.data["period"] < current or (early and p.data["period"] == current == last)
    ]
    drafted: list[str] = []
    for period in periods:
        try:
            if _draft(services, period, now):
                drafted.append(period)
        except (BansoError, ValueError, LookupError, TypeError) as exc:
            # One month's report that cannot be made must not hold up the rest.
            log.warning("monthly_report.set_aside", period=period, error=_reason(exc))
            if aside is not None:
                aside.append(
                    SetAside(f"monthly:{period}", f"月次報告書（{period}）", "", _reason(exc))
                )
    return drafted


def _draft(services: Services, period: str, now: datetime) -> bool:
    with services.uow(readonly=True) as uow:
        found = uow.records.find(
            "deliverable",
            where={"kind": "monthly_report", "period": period},
            states=("pending",),
        )
    if not found:
        return False
    report = found[0]
    try:
        # The report is generated from the month's records: pending → drafted.
        made = documents.generate(services, None, report.id, actor=SYSTEM, only_from=(dw.PENDING,))
    except Refused:  # a conflict, or no longer pending: drafted a moment ago by another
        return False
    with services.uow() as uow:
        leads = People(uow).roles.get(LEAD_ROLE, [])
        if leads:
            message = services.mail.compose(
                key=f"monthly-drafted:{period}",
                kind="monthly_report_drafted",
                to=tuple(r.email for r in leads),
                context={
                    **common(services, uow),
                    "recipient": leads[0].context(),
                    "month_label": monthly_label(period),
                    "deliverable_id": report.id,
                    "version": made.version,
                    "files": [f.location for f in made.files],
                },
                about_kind="deliverable",
                about_id=report.id,
            )
            uow.outbox.enqueue([message], now)
        uow.commit()
    log.info("monthly_report.drafted", period=period)
    return True


RECORD_KINDS = ("engagement", "dispatch", "consultation", "deliverable", "meeting")


def _topic(uow: UnitOfWork, d: Deadline) -> str | None:
    """What the item is about, in the words of its record (the request, the topic)."""
    if d.about_kind not in RECORD_KINDS or d.about_id is None:
        return None
    try:
        data = uow.records.get(d.about_kind, d.about_id).data
    except Exception:  # a record gone is no reason to hold up a digest
        return None
    text = data.get("request") or data.get("topic") or data.get("summary")
    if not text:
        return None
    text = " ".join(str(text).split())
    return text if len(text) <= 60 else text[:59] + "…"


def _fingerprint(rows: list[Deadline]) -> str:
    raw = "|".join(
        f"{d.id}:{d.status}:{d.due.isoformat()}" for d in sorted(rows, key=lambda x: x.id)
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def _last_fingerprint(keys: set[str], prefix: str) -> str | None:
    """The fingerprint of the latest digest among ``keys`` (digest:EMAIL:DATE:FP)."""
    latest: tuple[str, str] | None = None
    for key in keys:
        parts = key[len(prefix) :].split(":")
        if len(parts) == 2 and (latest is None or parts[0] > latest[0]):
            latest = (parts[0], parts[1])
    return latest[1] if latest else None


def digests(services: Services, now: datetime, aside: list[SetAside] | None = None) -> int:
    """A mail per consultant and lead listing their open deadlines of the week,
    only on a day the list changed; the lead's also carries every overdue item
    of the consultants (whose own notices stop after the cap)."""
    today = tokyo_date(now)
    horizon = today + timedelta(days=7)
    with services.uow() as uow:
        people = People(uow)
        shared = common(services, uow)
        terms = _terms(services, uow)
        messages: list[OutgoingMessage] = []
        # A removed person's deadlines are reminded to the lead (People.responsible),
        # so the lead's digest lists them too.
        orphaned = [p.email for p in uow.directory.people() if not p.active]
        consultants = [r.email for r in people.roles.get(CONSULTANT, [])]
        for role in (CONSULTANT, LEAD_ROLE):
            for r in people.roles.get(role, []):
                prefix = f"digest:{r.email}:"
                earlier = uow.outbox.queued_keys(prefix)
                if any(k.startswith(f"{prefix}{today.isoformat()}") for k in earlier):
                    continue  # today's is queued already
                owners = [r.email, LEAD, *orphaned] if role == LEAD_ROLE else [r.email]
                rows = uow.deadlines.owned_by(owners, ACTIVE, horizon)
                if role == LEAD_ROLE and consultants:
                    known = {d.id for d in rows}
                    rows += [
                        d
                        for d in uow.deadlines.owned_by(consultants, (MISSED,), horizon)
                        if d.id not in known
                    ]
                if today > terms.contract_end:
                    # After the contract end only the completion report is followed up.
                    rows = [d for d in rows if d.about_id in terms.completion_ids
                            and d.about_kind == "deliverable"]  # fmt: skip
                if not rows:
                    continue
                fingerprint = _fingerprint(rows)
                if _last_fingerprint(earlier, prefix) == fingerprint:
                    continue  # nothing changed since the last digest
                items = [
                    {
                        "title": d.title,
                        "due": d.due,
                        "status": d.status,
                        "topic": _topic(uow, d),
                    }
                    for d in sorted(rows, key=lambda x: (x.due, x.id))
                ]
                key = f"{prefix}{today.isoformat()}:{fingerprint}"
                try:
                    message = services.mail.compose(
                        key=key,
                        kind="daily_digest",
                        to=(r.email,),
                        context={
                            **shared,
                            "recipient": r.context(),
                            "today": today,
                            "groups": digest_groups(items, today),
                        },
                    )
                except (BansoError, ValueError, LookupError, TypeError) as exc:
                    log.warning("digest.set_aside", to=r.email, error=_reason(exc))
                    if aside is not None:
                        aside.append(SetAside(key, "日次ダイジェスト", "", _reason(exc)))
                    continue
                messages.append(message)
        sent = 0
        if messages:
            sent = uow.outbox.enqueue(messages, now)
            uow.commit()
    return sent


def send_pass(services: Services, now: datetime, report: PassReport | None = None) -> PassReport:
    """Deliver what is due in the outbox; tell the lead of messages given up on."""
    report = report or PassReport(at=now)
    with services.uow(readonly=True) as uow:
        lead_email = common(services, uow)["lead"]["email"]
        name = display_name(services, uow)
    sender = services.mail_from or lead_email or "banso@localhost"
    result = services.delivery(now=now, sender=sender, display_name=name)
    report.sent, report.retried, report.dead = result.sent, result.retried, len(result.dead)
    if result.dead:
        tell_lead_of_dead(services, now, result.dead)
    return report


def tell_lead_of_dead(services: Services, now: datetime, dead: list[QueuedMessage]) -> None:
    with services.uow() as uow:
        leads = People(uow).roles.get(LEAD_ROLE, [])
        if not leads:
            return
        shared = common(services, uow)
        messages = [
            services.mail.compose(
                key=f"dead:{q.id}",
                kind="dead_letter",
                to=tuple(r.email for r in leads),
                context={
                    **shared,
                    "recipient": leads[0].context(),
                    "failed_subject": q.message.subject,
                    "failed_to": list(q.message.to),
                    "attempts": q.attempts,
                    "last_error": q.last_error or "",
                    "what_happened": what_happened(q.last_error or ""),
                    "message_id": public_message_id(
                        q.message_id, services.mail_settings.message_id_domain
                    ),
                    "outbox_id": q.id,
                },
            )
            for q in dead
            # A notice about a notice that died would loop; the lead sees it in `outbox list`.
            if q.message.kind != "dead_letter"
        ]
        uow.outbox.enqueue(messages, now)
        uow.commit()


def what_happened(error: str) -> str:
    """The last error of a dead message, said in Japanese for the lead."""
    text = error.lower()
    if any(
        w in text
        for w in (
            "user unknown",
            "no such user",
            "mailbox unavailable",
            "550",
            "551",
            "553",
            "recipient",
        )
    ):
        return "宛先が存在しません"
    if any(
        w in text for w in ("connect", "refused", "timed out", "timeout", "unreachable", "network")
    ):
        return "メールサーバーに接続できませんでした"
    if any(w in text for w in ("auth", "535", "534")):
        return "メールサーバーの認証に失敗しました"
    return "送信できませんでした"


def _reason(exc: BaseException) -> str:
    """Why a message was set aside, on one line and short."""
    return one_line(f"{type(exc).__name__}: {exc}")[:300]


def tell_lead_of_set_aside(services: Services, now: datetime, aside: list[SetAside]) -> None:
    """One notice per set-aside message to the lead, once (keyed by the item),
    itself set aside in the log if even that cannot be composed."""
    with services.uow() as uow:
        leads = People(uow).roles.get(LEAD_ROLE, [])
        if not leads:
            log.error("set_aside.no_lead", count=len(aside))
            return
        shared = common(services, uow)
        messages: list[OutgoingMessage] = []
        for item in aside:
            try:
                messages.append(
                    services.mail.compose(
                        key=f"set-aside:{item.key}",
                        kind="set_aside",
                        to=tuple(r.email for r in leads),
                        context={
                            **shared,
                            "recipient": leads[0].context(),
                            # The poison itself is quoted escaped: the notice must be sendable.
                            "item_title": one_line(item.title)[:120],
                            "about": item.about or "—",
                            "reason": item.reason,
                        },
                    )
                )
            except (BansoError, ValueError, LookupError, TypeError) as exc:
                log.error("set_aside.notice_failed", item=item.key, error=_reason(exc))
        uow.outbox.enqueue(messages, now)
        uow.commit()


def retrying(job: Callable[[], T], *, attempts: int = 4, pause: float = 0.5) -> T:
    """``job()``, run again after a pause while the database is busy (another
    writer holds it): the daemon waits its turn instead of dying. Each job is
    idempotent (keys, versions), so a retry never doubles anything."""
    for attempt in range(1, attempts + 1):
        try:
            return job()
        except Busy:
            if attempt == attempts:
                raise
            log.warning("daemon.busy", attempt=attempt)
            time.sleep(pause * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def once(services: Services) -> PassReport:
    """One sweep and one send pass at the clock's now (`banso daemon --once`)."""
    now = services.clock.now()
    report = retrying(lambda: run_sweep(services, now))
    return retrying(lambda: send_pass(services, now, report))
