"""A contractual item late: the lead tells the prefecture once, with the new
date and the month's figures so far (`banso deliverable notify-delay` for a §9
deliverable, `banso meeting notify-delay` for a month's §8(3) regular meeting)."""

from __future__ import annotations

from datetime import date

from banso.engine.clock import tokyo_date
from banso.engine.deadlines import MET
from banso.engine.era import format_year
from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase
from banso.services.context import Services
from banso.services.dates import check_within_programme
from banso.services.identity import acting
from banso.services.mail import common, first_time, role_recipients
from banso.services.ports import UnitOfWork
from banso.workflows import deliverable as dw
from banso.workflows.meeting import MEETING_KINDS, MONTHLY
from banso.workflows.programme import monthly_meeting_period
from banso.workflows.roles import LEAD, PREFECTURE


def month_figures(uow: UnitOfWork, month: str) -> list[tuple[str, str]]:
    """What the month has done so far, as the delay notice reports it."""
    held = uow.records.count("dispatch", where={"month": month}, states=("held",))
    planned = uow.records.count("dispatch", where={"month": month}, states=("planned", "confirmed"))
    return [
        ("専門人材派遣（実施済）", f"{held}回"),
        ("専門人材派遣（予定）", f"{planned}回"),
        ("支援案件（支援中）", f"{uow.records.count('engagement', states=('in_support',))}件"),
        ("相談（対応中）", f"{uow.records.count('consultation', states=('assigned',))}件"),
    ]


def notify_delay(
    services: Services, user: str | None, deliverable_id: int, *, until: date, reason: str
) -> str:
    """Queue one 【提出遅延のご連絡】 to the prefecture; returns the mail's key."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidValue("--reason", reason, "why the deliverable is late, in a few words")
    now = services.clock.now()
    today = tokyo_date(now)
    with services.uow() as uow:
        acting(uow, user, "send a delay notice", roles=(LEAD,))
        check_within_programme(uow, "--until", until)
        record = uow.records.get(dw.KIND, deliverable_id)
        if record.state in (dw.SUBMITTED, dw.APPROVED, dw.RECEIVED, dw.INSPECTED):
            raise InvalidValue(
                Phrase("deliverable {id}", id=deliverable_id),
                record.state,
                "a deliverable not yet submitted",
            )
        if until <= today:
            raise InvalidValue(
                "--until", until.isoformat(), Phrase("a date after {day}", day=today.isoformat())
            )
        deadline = uow.deadlines.find(dw.KIND, deliverable_id, "submission")
        due = deadline.due if deadline else today
        month = f"{today:%Y-%m}"
        first = date(today.year, today.month, 1)
        key = f"delay:{deliverable_id}:{until.isoformat()}"
        shared = common(services, uow)
        messages = [
            services.mail.compose(
                key=f"{key}:{r.email}",
                kind="delay_notice",
                to=(r.email,),
                context={
                    **shared,
                    "recipient": first_time(uow, r).context(),
                    "item_title": record.data["title"],
                    "due": due,
                    "until": until,
                    "reason": reason,
                    "today": today,
                    "figures": month_figures(uow, month),
                    "figures_label": f"{format_year(first)}{first.month}月",
                },
                about_kind=dw.KIND,
                about_id=deliverable_id,
            )
            for r in role_recipients(uow, PREFECTURE)
        ]
        if not messages:
            raise InvalidValue("prefecture contact", None, "a prefecture person (banso person add)")
        uow.outbox.enqueue(messages, now)
        uow.commit()
    return key


def notify_meeting_delay(
    services: Services, user: str | None, month: str, *, until: date, reason: str
) -> str:
    """Queue one 【開催遅延のご連絡】 to the prefecture: the regular meeting of ``month``
    ("YYYY-MM", §8(3): once a month) will be held on ``until``; returns the mail's key.
    Refused for a month whose meeting is held, and for a date after the contract end."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidValue("--reason", reason, "why the meeting is late, in a few words")
    now = services.clock.now()
    today = tokyo_date(now)
    period = monthly_meeting_period(month)
    with services.uow() as uow:
        acting(uow, user, "send a delay notice", roles=(LEAD,))
        deadline = uow.deadlines.find("programme", period, "monthly_meeting")
        if deadline is None:
            raise InvalidValue("MONTH", month, "a month of the contract (YYYY-MM)")
        if deadline.status == MET:
            raise InvalidValue("MONTH", month, "a month whose regular meeting is not yet held")
        if until <= today:
            raise InvalidValue("--until", until.isoformat(), f"a date after {today.isoformat()}")
        end = (uow.settings.get("contract") or {}).get("end")
        if end and until > date.fromisoformat(end):
            raise InvalidValue("--until", until.isoformat(), "a date by the contract end")
        first = date(int(month[:4]), int(month[5:7]), 1)
        key = f"delay:meeting:{period}:{until.isoformat()}"
        shared = common(services, uow)
        messages = [
            services.mail.compose(
                key=f"{key}:{r.email}",
                kind="meeting_delay_notice",
                to=(r.email,),
                context={
                    **shared,
                    "recipient": first_time(uow, r).context(),
                    "meeting_label": MEETING_KINDS[MONTHLY],
                    "month_label": f"{format_year(first)}{first.month}月",
                    "due": deadline.due,
                    "until": until,
                    "reason": reason,
                    "today": today,
                    # What the meeting would have reported: its own month's work.
                    "figures": month_figures(uow, month),
                    "figures_label": f"{format_year(first)}{first.month}月",
                },
                about_kind="programme",
                about_id=period,
            )
            for r in role_recipients(uow, PREFECTURE)
        ]
        if not messages:
            raise InvalidValue("prefecture contact", None, "a prefecture person (banso person add)")
        uow.outbox.enqueue(messages, now)
        uow.commit()
    return key
