"""What transitions cause besides a new state: deadlines and mail.

The handlers run inside the transition's unit of work, so a deadline opened
or a message queued commits with the change that caused it, or not at all.
Every message concerns one record and goes to one recipient (§11: nothing
about one organisation reaches another).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select

from banso.engine.calendar import BusinessCalendar, DueDate, HolidayRule
from banso.engine.clock import tokyo_date
from banso.engine.deadlines import CancelDeadline, MeetDeadline, OpenDeadline, ReopenDeadline
from banso.engine.era import format_year
from banso.engine.errors import InvalidValue
from banso.engine.outbox import Attachment, Notify, OutgoingMessage
from banso.engine.reminders import ReminderPolicy, first_step
from banso.engine.runner import Occurrence
from banso.engine.workflow import Effect
from banso.storage.deadlines import SqlDeadlines
from banso.storage.models import Engagement, Organisation, Person, Theme
from banso.storage.outbox import SqlOutbox
from banso.storage.queries import setting
from banso.storage.uow import EffectHandler, SqlUnitOfWork
from banso.workflows import DELIVERABLE_KINDS, MEETING_KINDS

if TYPE_CHECKING:
    from banso.admin.settings import Settings
    from banso.notifications.render import MailRenderer

log = structlog.get_logger()

LEAD = "lead"  # a deadline's responsible: whoever is the project lead when it fires
PROGRAMME_TITLE = "令和8年度 県・市町村 DX 推進伴走支援事業"
EVENT_HOURS = {"engagement": 1, "dispatch": 2, "meeting": 1}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None
    org_name: str | None
    dept: str | None = None

    def context(self) -> dict[str, str | None]:
        return {"name": self.name, "org_name": self.org_name, "dept": self.dept}


def _person(session: Any, p: Person) -> Recipient:
    org = session.get(Organisation, p.org_id) if p.org_id else None
    return Recipient(p.email, p.name, org.name if org else p.company, None)


class Effects:
    """The effect handlers, configured once per command from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar()

    @cached_property
    def policy(self) -> ReminderPolicy:
        return reminder_policy(self.settings)

    @cached_property
    def renderer(self) -> MailRenderer:
        from banso.notifications.render import MailRenderer

        templates = self.settings.templates_dir
        return MailRenderer(templates)

    def handlers(self) -> dict[type[Effect], EffectHandler]:
        return {
            OpenDeadline: self.open_deadline,
            MeetDeadline: self.meet_deadline,
            ReopenDeadline: self.reopen_deadline,
            CancelDeadline: self.cancel_deadline,
            Notify: self.notify,
        }

    # -- deadlines -----------------------------------------------------------
    def due_date(
        self, uow: SqlUnitOfWork, as_written: date, basis: str, rule: str | None = None
    ) -> DueDate:
        contract = setting(uow.session, "contract")
        return self.calendar.resolve_due(
            as_written,
            HolidayRule(rule or contract["holiday_rule"]),
            basis=basis,
            latest=date.fromisoformat(contract["end"]),
        )

    def open(
        self,
        uow: SqlUnitOfWork,
        *,
        obligation: str,
        title: str,
        about_kind: str | None,
        about_id: int | None,
        org_id: int | None,
        due: DueDate,
        responsible: str,
        now: datetime,
    ) -> int | None:
        """Open a deadline unless this record already has one for ``obligation``."""
        deadlines = SqlDeadlines(uow.session)
        if deadlines.exists(about_kind, about_id, obligation):
            return None
        step = first_step(self.policy, self.calendar, due.effective, now)
        return deadlines.open(
            obligation=obligation,
            title=title,
            about_kind=about_kind,
            about_id=about_id,
            org_id=org_id,
            due=due,
            responsible=responsible,
            first_step=step.index if step else 0,
            first_fire_at=step.fire_at if step else None,
            now=now,
        )

    def open_deadline(self, uow: SqlUnitOfWork, effect: OpenDeadline, occ: Occurrence) -> None:
        contract = setting(uow.session, "contract")
        days = contract.get("deadline_days", {}).get(effect.obligation, effect.business_days)
        base = occ.at if effect.base == "now" else occ.record.data[effect.base]
        start = tokyo_date(base)
        about = describe(uow, occ.kind, occ.record.data)
        origin = "起算日" if effect.base == "now" else "実施日"
        basis = f"{origin}{start.isoformat()}から{days}営業日以内"
        due = self.due_date(uow, self.calendar.add_business_days(start, days), basis)
        self.open(
            uow,
            obligation=effect.obligation,
            title=f"{effect.title}（{about.label}）",
            about_kind=occ.kind,
            about_id=occ.record.id,
            org_id=about.org_id,
            due=due,
            responsible=self.responsible(uow, effect.responsible, occ.record.data),
            now=occ.at,
        )

    def meet_deadline(self, uow: SqlUnitOfWork, effect: MeetDeadline, occ: Occurrence) -> None:
        SqlDeadlines(uow.session).meet(occ.kind, occ.record.id, effect.obligation, occ.at)

    def cancel_deadline(self, uow: SqlUnitOfWork, effect: CancelDeadline, occ: Occurrence) -> None:
        SqlDeadlines(uow.session).cancel(occ.kind, occ.record.id, effect.obligation)

    def reopen_deadline(self, uow: SqlUnitOfWork, effect: ReopenDeadline, occ: Occurrence) -> None:
        deadlines = SqlDeadlines(uow.session)
        existing = deadlines.find(occ.kind, occ.record.id, effect.obligation)
        if existing is None:
            return
        step = first_step(self.policy, self.calendar, existing.due, occ.at)
        deadlines.reopen(
            occ.kind,
            occ.record.id,
            effect.obligation,
            first_step=step.index if step else 0,
            first_fire_at=step.fire_at if step else None,
        )

    def responsible(self, uow: SqlUnitOfWork, field: str, data: Any) -> str:
        """Who answers for a deadline: a person on the record by e-mail, else
        ``LEAD`` — resolved when reminding, so a new lead inherits the deadlines."""
        if field != LEAD and data.get(field):
            person = uow.session.get(Person, data[field])
            if person is not None:
                return person.email
        return LEAD

    # -- mail ----------------------------------------------------------------
    def notify(self, uow: SqlUnitOfWork, effect: Notify, occ: Occurrence) -> None:
        context = self.context(uow, effect.template, occ)
        if context is None:
            return
        recipients = [r for role in effect.to for r in self.recipients(uow, role, occ)]
        cc = tuple(r.email for role in effect.cc for r in self.recipients(uow, role, occ))
        attachments: tuple[Attachment, ...] = ()
        if effect.invitation:
            attachments = (self.invitation(uow, effect.invitation, occ, context, recipients),)
        lead = lead_context(uow)
        seen: set[str] = set()
        messages: list[OutgoingMessage] = []
        for r in recipients:
            if r.email in seen:
                continue
            seen.add(r.email)
            messages.append(
                self.renderer.compose(
                    key=f"event:{occ.event.seq}:{r.email}",
                    kind=effect.template,
                    to=(r.email,),
                    cc=cc,
                    context={
                        **context,
                        "recipient": r.context(),
                        "lead": lead,
                        "programme": {"title": PROGRAMME_TITLE},
                    },
                    attachments=attachments,
                    about_kind=occ.kind,
                    about_id=occ.record.id,
                )
            )
        if not messages:
            log.warning(
                "mail.no_recipient", template=effect.template, kind=occ.kind, id=occ.record.id
            )
            return
        SqlOutbox(uow.session).enqueue(messages, occ.at)

    def recipients(self, uow: SqlUnitOfWork, role: str, occ: Occurrence) -> list[Recipient]:
        session = uow.session
        data = occ.record.data
        if role in ("prefecture", "lead"):
            people = session.scalars(
                select(Person).where(Person.role == role, Person.active.is_(True))
            )
            return [_person(session, p) for p in people]
        engagement = engagement_of(uow, occ.kind, data)
        if role == "contact":
            if engagement is None or not engagement.contact_email:
                return []
            org = session.get_one(Organisation, engagement.org_id)
            return [Recipient(engagement.contact_email, engagement.contact_name, org.name)]
        if role == "consultant":
            pid = data.get("consultant_id") or (engagement.consultant_id if engagement else None)
            person = session.get(Person, pid) if pid else None
            return [_person(session, person)] if person else []
        if role == "attendees":
            kind = data["kind"]
            if kind == "hearing" and engagement is not None:
                return self.recipients(uow, "contact", occ) + self.recipients(
                    uow, "consultant", occ
                )
            found = self.recipients(uow, "prefecture", occ) + self.recipients(uow, "lead", occ)
            if kind in ("kickoff", "report"):
                consultants = session.scalars(
                    select(Person).where(Person.role == "consultant", Person.active.is_(True))
                )
                found += [_person(session, p) for p in consultants]
            return found
        raise ValueError(f"unknown recipient role {role!r}")

    def context(self, uow: SqlUnitOfWork, template: str, occ: Occurrence) -> dict[str, Any] | None:
        """What the template needs about this one record (None: nothing to send)."""
        data = occ.record.data
        about = describe(uow, occ.kind, data)
        consultant = (
            uow.session.get(Person, data["consultant_id"]) if data.get("consultant_id") else None
        )
        base: dict[str, Any] = {"org_name": about.org_name, "theme_name": about.theme_name}
        if template == "hearing_invitation":
            return {
                **base,
                "at": data["hearing_at"],
                "consultant_name": consultant.name if consultant else "",
                "url": None,
                "rescheduled": occ.from_state == occ.to_state,
            }
        if template == "dispatch_invitation":
            return {
                **base,
                "at": data["at"],
                "mode": data["mode"],
                "place": None,
                "url": None,
                "consultant_name": consultant.name if consultant else "",
                "confirmed": occ.trigger == "confirm",
            }
        if template == "dispatch_cancelled":
            return {**base, "at": data["at"], "reason": data.get("reason") or ""}
        if template == "meeting_invitation":
            return {
                "meeting_label": MEETING_KINDS[data["kind"]],
                "at": data["at"],
                "place": data.get("place"),
                "url": data.get("url"),
            }
        if template == "meeting_cancelled":
            return {
                "meeting_label": MEETING_KINDS[data["kind"]],
                "at": data["at"],
                "reason": data.get("reason") or "",
            }
        if template == "approval_request":
            if occ.kind == "engagement":
                return {
                    "item_title": f"支援計画書（{about.label}）",
                    "org_name": about.org_name,
                    "summary": data.get("goals") or "",
                    "command": f"banso engagement approve-plan {occ.record.id}",
                }
            if not DELIVERABLE_KINDS[data["kind"]][1]:
                return None  # submitted for information; no approval to ask for
            return {
                "item_title": data["title"],
                "org_name": about.org_name if about.org_id else None,
                "summary": f"{data['title']}を提出しました。"
                "内容をご確認のうえ、承認をお願いいたします。",
                "command": f"banso deliverable approve {occ.record.id}",
            }
        raise ValueError(f"no mail context for template {template!r}")

    def invitation(
        self,
        uow: SqlUnitOfWork,
        method: str,
        occ: Occurrence,
        context: dict[str, Any],
        to: list[Recipient],
    ) -> Attachment:
        from banso.notifications.ics import invitation

        start: datetime = context["at"]
        lead = first_lead(uow)
        data = occ.record.data
        if occ.kind == "meeting":
            summary = context["meeting_label"]
            location, url = data.get("place"), data.get("url")
        else:
            what = "ヒアリング" if occ.kind == "engagement" else "専門人材派遣"
            summary = f"{what}（{context['org_name']}・{context['theme_name']}）"
            web = occ.kind == "engagement" or data.get("mode") == "web"
            location, url = (None, None) if web else (context["org_name"], None)
        return invitation(
            uid=f"{occ.kind}-{occ.record.id}@banso",
            sequence=occ.record.version,
            method=method.upper(),
            start=start,
            end=start + timedelta(hours=EVENT_HOURS[occ.kind]),
            summary=summary,
            description=f"{PROGRAMME_TITLE}\n{summary}",
            location=location,
            url=url,
            organizer=lead.email if lead else "banso@banso.invalid",
            attendees=[r.email for r in to],
            stamp=occ.at,
        )


@dataclass(frozen=True)
class About:
    label: str
    org_id: int | None
    org_name: str | None
    theme_name: str | None


def engagement_of(uow: SqlUnitOfWork, kind: str, data: Any) -> Engagement | None:
    if kind == "engagement":
        return None if data.get("org_id") is None else _engagement_from_data(uow, data)
    eid = data.get("engagement_id")
    return uow.session.get(Engagement, eid) if eid else None


def _engagement_from_data(uow: SqlUnitOfWork, data: Any) -> Engagement:
    # The record itself: build a light stand-in from its data (it may not be flushed as an object).
    e = Engagement()
    for key in ("org_id", "theme_id", "consultant_id", "contact_name", "contact_email"):
        setattr(e, key, data.get(key))
    return e


def describe(uow: SqlUnitOfWork, kind: str, data: Any) -> About:
    """The organisation and theme a record is about, as people name them."""
    session = uow.session
    org_id = data.get("org_id")
    theme_id = None
    engagement = engagement_of(uow, kind, data)
    if engagement is not None:
        org_id, theme_id = engagement.org_id, engagement.theme_id
    org = session.get(Organisation, org_id) if org_id else None
    theme = session.get(Theme, theme_id) if theme_id else None
    if kind == "deliverable" and engagement is None:
        return About(data.get("title") or "", None, None, None)
    if kind == "meeting" and engagement is None:
        return About(MEETING_KINDS.get(data.get("kind", ""), "会議"), None, None, None)
    parts = [x for x in (org.name if org else None, theme.name if theme else None) if x]
    return About(
        "・".join(parts),
        org.id if org else None,
        org.name if org else None,
        theme.name if theme else None,
    )


def first_lead(uow: SqlUnitOfWork) -> Person | None:
    return uow.session.scalars(
        select(Person).where(Person.role == "lead", Person.active.is_(True)).order_by(Person.id)
    ).first()


def lead_context(uow: SqlUnitOfWork) -> dict[str, str]:
    """The signature: the project lead of the contractor (all mail comes from the lead)."""
    lead = first_lead(uow)
    contractor = setting(uow.session, "contract").get("contractor", "受託者")
    if lead is None:
        return {"name": "プロジェクト責任者", "email": "", "company": contractor}
    return {"name": lead.name, "email": lead.email, "company": contractor}


def reminder_policy(settings: Settings) -> ReminderPolicy:
    """The [reminders] table as a policy; a bad value is one clear line, not a traceback."""
    table = dict(settings.reminders)
    try:
        if "before" in table:
            table["before"] = tuple(table["before"])
        return ReminderPolicy(**table)
    except (TypeError, ValueError) as exc:
        raise InvalidValue("[reminders]", table, f"valid reminder settings ({exc})") from exc


def monthly_label(period: str) -> str:
    """令和8年4月分 for "2026-04"."""
    first = date.fromisoformat(f"{period}-01")
    return f"{format_year(first)}{first.month}月分"
