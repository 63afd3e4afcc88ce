"""What transitions cause besides a new state: deadlines and mail.

The handlers run inside the transition's unit of work, so a deadline opened
or a message queued commits with the change that caused it, or not at all.
Every message concerns one record and goes to one recipient (§11: nothing
about one organisation reaches another).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from banso.engine.calendar import DueDate, HolidayRule
from banso.engine.clock import tokyo_date
from banso.engine.deadlines import CancelDeadline, MeetDeadline, OpenDeadline, ReopenDeadline
from banso.engine.era import format_date
from banso.engine.lazylog import get_logger
from banso.engine.outbox import Attachment, Notify, OutgoingMessage
from banso.engine.reminders import first_step
from banso.engine.runner import Occurrence
from banso.services import mail
from banso.services.context import Services
from banso.services.ports import MEDIA_TYPES, EffectHandler, UnitOfWork
from banso.services.stored import contract
from banso.workflows.programme import LEAD

log = get_logger()


class Effects:
    """The effect handlers, on the services they need (calendar, policy, mail)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def handlers(self) -> dict[type[Any], EffectHandler]:
        return {
            OpenDeadline: self.open_deadline,
            MeetDeadline: self.meet_deadline,
            ReopenDeadline: self.reopen_deadline,
            CancelDeadline: self.cancel_deadline,
            Notify: self.notify,
        }

    # -- deadlines -----------------------------------------------------------
    def due_date(
        self, uow: UnitOfWork, as_written: date, basis: str, rule: str | None = None
    ) -> DueDate:
        terms = contract(uow)
        return self.services.calendar.resolve_due(
            as_written,
            HolidayRule(rule or terms["holiday_rule"]),
            basis=basis,
            latest=date.fromisoformat(terms["end"]),
        )

    def open(
        self,
        uow: UnitOfWork,
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
        step = first_step(self.services.policy, self.services.calendar, due.effective, now)
        return uow.deadlines.open_once(
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

    def open_deadline(self, uow: UnitOfWork, effect: OpenDeadline, occ: Occurrence) -> None:
        days = contract(uow).get("deadline_days", {}).get(effect.obligation, effect.business_days)
        base = occ.at if effect.base == "now" else occ.record.data[effect.base]
        start = tokyo_date(base)
        about = mail.describe(uow, occ.kind, occ.record.data)
        origin = "起算日" if effect.base == "now" else "実施日"
        basis = f"{origin}（{format_date(start)}）から{days}営業日以内"
        as_written = self.services.calendar.add_business_days(start, days)
        # The use case may give the due date itself (a survey row's preferred period).
        given = (occ.payload.get("due_dates") or {}).get(effect.obligation)
        if given:
            as_written, basis = date.fromisoformat(str(given["due"])), str(given["basis"])
        due = self.due_date(uow, as_written, basis)
        # A record of a visit cannot be made before the visit: its reminders start after it.
        opened = (
            max(occ.at, base) if effect.base != "now" and isinstance(base, datetime) else occ.at
        )
        self.open(
            uow,
            obligation=effect.obligation,
            title=f"{effect.title}（{about.label}）",
            about_kind=occ.kind,
            about_id=occ.record.id,
            org_id=about.org_id,
            due=due,
            responsible=responsible(uow, effect.responsible, occ.record.data),
            now=opened,
        )

    def meet_deadline(self, uow: UnitOfWork, effect: MeetDeadline, occ: Occurrence) -> None:
        uow.deadlines.meet(occ.kind, occ.record.id, effect.obligation, occ.at)

    def cancel_deadline(self, uow: UnitOfWork, effect: CancelDeadline, occ: Occurrence) -> None:
        uow.deadlines.cancel(occ.kind, occ.record.id, effect.obligation)

    def reopen_deadline(self, uow: UnitOfWork, effect: ReopenDeadline, occ: Occurrence) -> None:
        existing = uow.deadlines.find(occ.kind, occ.record.id, effect.obligation)
        if existing is None:
            return
        step = first_step(self.services.policy, self.services.calendar, existing.due, occ.at)
        uow.deadlines.reopen(
            occ.kind,
            occ.record.id,
            effect.obligation,
            first_step=step.index if step else 0,
            first_fire_at=step.fire_at if step else None,
        )

    # -- mail ----------------------------------------------------------------
    def notify(self, uow: UnitOfWork, effect: Notify, occ: Occurrence) -> None:
        context = mail.context(uow, effect.template, occ, self.services)
        if context is None:
            return
        if effect.template == "approval_request":
            context, files = self.submitted_files(uow, occ, context)
        else:
            files = ()
        recipients = [
            mail.first_time(uow, r) for role in effect.to for r in mail.recipients(uow, role, occ)
        ]
        cc = tuple(r.email for role in effect.cc for r in mail.recipients(uow, role, occ))
        attachments: tuple[Attachment, ...] = files
        if effect.invitation and recipients:
            attachments = (
                mail.invitation(self.services, uow, effect.invitation, occ, context, recipients),
            )
        common = mail.common(self.services, uow)
        seen: set[str] = set()
        messages: list[OutgoingMessage] = []
        for r in recipients:
            if r.email in seen:
                continue
            seen.add(r.email)
            messages.append(
                self.services.mail.compose(
                    key=f"event:{occ.event.seq}:{r.email}",
                    kind=effect.template,
                    to=(r.email,),
                    cc=cc,
                    context={**context, **common, "recipient": r.context()},
                    attachments=attachments,
                    about_kind=occ.kind,
                    about_id=occ.record.id,
                )
            )
        if not messages:
            if effect.to != ("former_consultant",):  # nobody left behind is the usual case
                log.debug(  # e.g. an engagement opened by hand, with no contact yet
                    "mail.no_recipient", template=effect.template, kind=occ.kind, id=occ.record.id
                )
            return
        uow.outbox.enqueue(messages, occ.at)

    def submitted_files(
        self, uow: UnitOfWork, occ: Occurrence, context: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[Attachment, ...]]:
        """A submitted deliverable's latest files (its cover letter first) go with the
        mail, unless together they are larger than the limit: then they are named only."""
        from banso.services.documents import COVER, latest

        if occ.kind != "deliverable":
            return {**context, "files": []}, ()
        files = sorted(latest(uow, occ.record.id), key=lambda f: f.format != COVER)
        attach = sum(f.size for f in files) <= self.services.attach_limit
        listed = [{"name": f.filename, "size": f.size, "attached": attach} for f in files]
        if not attach:
            return {**context, "files": listed}, ()
        attachments = tuple(
            Attachment(
                f.filename,
                MEDIA_TYPES["docx" if f.format == COVER else f.format],
                self.services.files.load(f.location),
            )
            for f in files
        )
        return {**context, "files": listed}, attachments


def responsible(uow: UnitOfWork, field: str | None, data: Any) -> str:
    """Who answers for a deadline: the person in ``field`` of the record, by e-mail,
    else ``LEAD`` — resolved when reminding, so a new lead inherits the deadlines."""
    if field is not None and data.get(field):
        person = uow.directory.person_by_id(data[field])
        if person is not None:
            return person.email
    return LEAD
