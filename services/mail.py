"""What a mail about a record says and whom it goes to: the one place that builds
mail contexts (effects, reminders, the daemon's notices all come here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from banso.engine.clock import TOKYO, tokyo_date
from banso.engine.era import format_date
from banso.engine.outbox import Attachment
from banso.engine.runner import Occurrence
from banso.services.context import Services
from banso.services.ports import Person, UnitOfWork
from banso.workflows import DELIVERABLE_KINDS, MEETING_KINDS
from banso.workflows.mailing import CANCEL_REASONS, DEFAULT_CANCEL_REASON, MailSettings
from banso.workflows.programme import meeting_attendees
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None
    org_name: str | None
    dept: str | None = None
    internal: bool = False  # the contractor's own people (lead, consultants)
    first: bool = False  # the first mail to this address: introduce the contractor
    title: str | None = None  # 主任, 課長補佐 …: between the department and the name
    client: bool = False  # the prefecture commissioned us: never introduced to it as new

    def context(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "org_name": self.org_name,
            "dept": self.dept,
            "internal": self.internal,
            "first": self.first,
            "title": self.title,
        }


def recipient(uow: UnitOfWork, p: Person) -> Recipient:
    org = uow.directory.org_by_id(p.org_id) if p.org_id else None
    dept = p.dept
    return Recipient(
        p.email,
        p.name,
        org.name if org else p.company,
        dept,
        p.role in (LEAD, CONSULTANT),
        title=p.title,
        client=p.role == PREFECTURE,
    )


@dataclass(frozen=True)
class About:
    label: str
    org_id: int | None
    org_name: str | None
    theme_name: str | None


@dataclass(frozen=True)
class EngagementFacts:
    """What mail needs of the engagement a record belongs to."""

    org_id: int
    theme_id: int
    consultant_id: int | None
    contact_name: str | None
    contact_email: str | None
    contact_dept: str | None = None


def engagement_of(uow: UnitOfWork, kind: str, data: Any) -> EngagementFacts | None:
    if kind == "engagement":
        source = data if data.get("org_id") is not None else None
    else:
        eid = data.get("engagement_id")
        source = uow.records.get("engagement", eid).data if eid else None
    if source is None:
        return None
    return EngagementFacts(
        source["org_id"],
        source["theme_id"],
        source.get("consultant_id"),
        source.get("contact_name"),
        source.get("contact_email"),
        source.get("contact_dept"),
    )


def describe(uow: UnitOfWork, kind: str, data: Any) -> About:
    """The organisation and theme a record is about, as people name them."""
    org_id = data.get("org_id")
    theme_id = None
    engagement = engagement_of(uow, kind, data)
    if engagement is not None:
        org_id, theme_id = engagement.org_id, engagement.theme_id
    if kind == "deliverable" and engagement is None:
        return About(data.get("title") or "", None, None, None)
    if kind == "meeting" and engagement is None:
        return About(MEETING_KINDS.get(data.get("kind", ""), "会議"), None, None, None)
    org = uow.directory.org_by_id(org_id) if org_id else None
    theme = uow.directory.theme_by_id(theme_id) if theme_id else None
    parts = [x for x in (org.name if org else None, theme.name if theme else None) if x]
    return About(
        "・".join(parts),
        org.id if org else None,
        org.name if org else None,
        theme.name if theme else None,
    )


def first_lead(uow: UnitOfWork) -> Person | None:
    leads = uow.directory.people(LEAD, active_only=True)
    return leads[0] if leads else None


def lead_context(uow: UnitOfWork, settings: MailSettings | None = None) -> dict[str, str]:
    """The signature: the project lead of the contractor (all mail comes from the lead),
    with the company, role, address and phone of the ``[mail]`` settings."""
    settings = settings or MailSettings()
    lead = first_lead(uow)
    contractor = settings.company or (uow.settings.get("contract") or {}).get(
        "contractor", "受託者"
    )
    return {
        "name": lead.name if lead else settings.role,
        "email": lead.email if lead else "",
        "company": contractor,
        "role": settings.role,
        "address": settings.address,
        # The office's number from the settings, else the lead's own (person add --phone).
        "phone": settings.phone or (lead.phone if lead and lead.phone else ""),
    }


def display_name(services: Services, uow: UnitOfWork) -> str:
    """The From: display name: the setting, else 「会社名 責任者名」."""
    settings = services.mail_settings
    if settings.display_name:
        return settings.display_name
    lead = lead_context(uow, settings)
    return " ".join(x for x in (lead["company"], lead["name"]) if x)


def common(services: Services, uow: UnitOfWork) -> dict[str, Any]:
    """What every template gets besides its own keys and the recipient."""
    settings = services.mail_settings
    return {
        "lead": lead_context(uow, settings),
        "programme": {
            "title": services.title,
            "tag": settings.subject_tag,
            "commissioner": settings.commissioner,
        },
    }


def first_time(uow: UnitOfWork, r: Recipient) -> Recipient:
    """``r`` marked as never written to before (no event mail queued to the address)."""
    if r.internal or r.client or uow.outbox.written_to(r.email):
        return r
    return replace(r, first=True)


def role_recipients(uow: UnitOfWork, role: str) -> list[Recipient]:
    return [recipient(uow, p) for p in uow.directory.people(role, active_only=True)]


def recipients(uow: UnitOfWork, role: str, occ: Occurrence) -> list[Recipient]:
    """The people ``role`` names for this record (DOMAIN.md: who gets what)."""
    data = occ.record.data
    if role in (PREFECTURE, LEAD):
        return role_recipients(uow, role)
    engagement = engagement_of(uow, occ.kind, data)
    if role == "contact":
        if engagement is None or not engagement.contact_email:
            return []
        org = uow.directory.org_by_id(engagement.org_id)
        return [
            Recipient(
                engagement.contact_email,
                engagement.contact_name,
                org.name if org else None,
                engagement.contact_dept,
            )
        ]
    if role == CONSULTANT:
        pid = data.get("consultant_id") or (engagement.consultant_id if engagement else None)
        person = uow.directory.person_by_id(pid) if pid else None
        return [recipient(uow, person)] if person else []
    if role == "former_consultant":
        # The consultant a change took the record away from, if it did.
        before = occ.before.data.get("consultant_id") if occ.before else None
        if before is None or before == data.get("consultant_id"):
            return []
        person = uow.directory.person_by_id(before)
        return [recipient(uow, person)] if person else []
    if role == "all_consultants":
        return role_recipients(uow, CONSULTANT)
    if role == "all_contacts":
        found: dict[str, Recipient] = {}
        for e in uow.records.find("engagement"):
            email = e.data.get("contact_email")
            if email and email not in found:
                org = uow.directory.org_by_id(e.data["org_id"])
                found[email] = Recipient(
                    email,
                    e.data.get("contact_name"),
                    org.name if org else None,
                    e.data.get("contact_dept"),
                )
        return list(found.values())
    if role == "attendees":
        roles = meeting_attendees(data["kind"], engagement is not None)
        return [r for each in roles for r in recipients(uow, each, occ)]
    raise ValueError(f"unknown recipient role {role!r}")


def invite_of(kind: str, data: Any) -> dict[str, Any]:
    """The invitation details stored with a record (``--url``, ``--place`` …)."""
    if kind == "engagement":
        return dict(data.get("hearing_invite") or {})
    return dict(data.get("invite") or {})


def event_end(
    settings: MailSettings, kind: str, start: datetime, invite: Mapping[str, Any]
) -> datetime:
    """When the event ends: as given, else the ``[mail]`` default length of its kind."""
    end = invite.get("end")
    if isinstance(end, datetime) and end > start:
        return end
    if isinstance(end, str):
        parsed = datetime.fromisoformat(end)
        if parsed > start:
            return parsed
    return start + timedelta(minutes=settings.minutes(kind))


def _reply_by(services: Services | None, invite: Mapping[str, Any], start: datetime) -> date | None:
    given = invite.get("reply_by")
    if isinstance(given, date):
        return given
    if isinstance(given, str) and given:
        return date.fromisoformat(given)
    if services is None or services.mail_settings.reply_days == 0:
        return None
    day = tokyo_date(start)
    reply = services.calendar.add_business_days(day, -services.mail_settings.reply_days)
    return reply if reply > tokyo_date(services.clock.now()) else None


def _person_line(person: Person | None) -> str | None:
    return (
        f"{person.name}（{person.company}）"
        if person and person.company
        else (person.name if person else None)
    )


def event_context(
    services: Services | None,
    uow: UnitOfWork,
    kind: str,
    data: Any,
    start: datetime,
    consultant: Person | None,
    about: About,
) -> dict[str, Any]:
    """What every invitation names: time with end, place or URL, purpose,
    preparation, who attends from each side, a reply-by date."""
    settings = services.mail_settings if services else MailSettings()
    invite = invite_of(kind, data)
    engagement = engagement_of(uow, kind, data)
    lead = first_lead(uow)
    ours = [x for x in (_person_line(consultant), lead.name if lead else None) if x]
    theirs: list[str] = []
    if engagement is not None and engagement.contact_name:
        theirs.append(engagement.contact_name)
    sub = None
    if consultant is not None and consultant.subcontractor_id is not None:
        sub = settings.subcontractor_note
    contact = None
    if engagement is not None and engagement.contact_name:
        contact = " ".join(x for x in (engagement.contact_name, engagement.contact_email) if x)
    return {
        "at": start,
        "end": event_end(settings, kind, start, invite),
        "place": invite.get("place") or data.get("place"),
        "url": invite.get("url") or data.get("url"),
        "purpose": invite.get("purpose"),
        "prepare": invite.get("prepare"),
        "attendees_ours": ours,
        "attendees_theirs": theirs,
        "theirs_label": f"{about.org_name}様" if about.org_name else "貴団体",
        "reply_by": _reply_by(services, invite, start),
        "consultant_name": consultant.name if consultant else "",
        "consultant_company": consultant.company if consultant else None,
        "subcontracted": sub,
        "contact": contact,
    }


def external_reason(data: Any) -> str:
    """The cancellation's wording for outside (``--reason-code``); never the free text."""
    code = data.get("reason_code") or DEFAULT_CANCEL_REASON
    return CANCEL_REASONS.get(code, CANCEL_REASONS[DEFAULT_CANCEL_REASON])


def plan_details(uow: UnitOfWork, data: Any, about: About) -> list[tuple[str, str]]:
    """A support plan in full, as the prefecture approves it (and with it the expert)."""
    org = uow.directory.org_by_id(about.org_id) if about.org_id else None
    dept = data.get("contact_dept")
    consultant = (
        uow.directory.person_by_id(data["consultant_id"]) if data.get("consultant_id") else None
    )
    hearing = data.get("hearing_at")
    expert = "（未定）"
    if consultant is not None:
        expert = consultant.name + (f"（{consultant.company}）" if consultant.company else "")
        if consultant.track_record:
            expert += f"\n実績：{consultant.track_record}"
        if consultant.subcontractor_id is not None:
            expert += "\n※県の承認を得た再委託先の専門人材です。"
    planned = data.get("planned_dispatches")
    months = data.get("planned_months")
    plan_line = f"{planned}回" if planned is not None else "（記載なし）"
    if months:
        plan_line += f"（{'・'.join(str(m) for m in months)}）"
    quota = uow.settings.get("quota") or {}
    quota_line = (
        f"年間{quota.get('total', 0)}回（うち標準化{quota.get('standardization', 0)}回）、"
        f"1団体あたり月{quota.get('monthly_cap', 0)}回まで"
    )
    return [
        ("団体・部署", " ".join(x for x in (org.name if org else about.org_name, dept) if x)),
        ("テーマ", about.theme_name or ""),
        ("ヒアリング実施日", _wareki_moment(hearing) if hearing else "（未実施）"),
        ("現状・課題", data.get("findings") or ""),
        ("支援の目標", data.get("goals") or ""),
        ("派遣予定", plan_line),
        ("担当専門人材", expert),
        ("派遣回数の枠", quota_line),
    ]


def _wareki_moment(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    local = moment.astimezone(TOKYO)
    return f"{format_date(local.date())}（{'月火水木金土日'[local.weekday()]}）"


def context(
    uow: UnitOfWork, template: str, occ: Occurrence, services: Services | None = None
) -> dict[str, Any] | None:
    """What the template needs about this one record (None: nothing to send)."""
    data = occ.record.data
    about = describe(uow, occ.kind, data)
    consultant = (
        uow.directory.person_by_id(data["consultant_id"]) if data.get("consultant_id") else None
    )
    base: dict[str, Any] = {"org_name": about.org_name, "theme_name": about.theme_name}
    if template == "hearing_invitation":
        return {
            **base,
            **event_context(services, uow, occ.kind, data, data["hearing_at"], consultant, about),
            "rescheduled": occ.from_state == occ.to_state,
        }
    if template == "hearing_reassigned":
        return {**base, "at": occ.before.data["hearing_at"] if occ.before else data["hearing_at"]}
    if template == "dispatch_invitation":
        return {
            **base,
            **event_context(services, uow, occ.kind, data, data["at"], consultant, about),
            "mode": data["mode"],
            "confirmed": occ.trigger == "confirm",
        }
    if template == "dispatch_cancelled":
        return {
            **base,
            "at": data["at"],
            "reason": data.get("reason") or "",
            "reason_external": external_reason(data),
        }
    if template == "visit_record":
        if services is None or not services.mail_settings.visit_record_to_contact:
            return None
        return {**base, "at": data["at"], "summary": data.get("summary") or ""}
    if template == "meeting_invitation":
        event = event_context(services, uow, occ.kind, data, data["at"], None, about)
        event["attendees_ours"], event["attendees_theirs"] = [], []
        return {"meeting_label": MEETING_KINDS[data["kind"]], **event}
    if template == "meeting_cancelled":
        return {
            "meeting_label": MEETING_KINDS[data["kind"]],
            "at": data["at"],
            "reason": data.get("reason") or "",
            "reason_external": external_reason(data),
        }
    if template == "plan_approved":
        planned = data.get("planned_dispatches")
        return {
            **base,
            "consultant_name": consultant.name if consultant else "",
            "consultant_company": consultant.company if consultant else None,
            "planned": f"{planned}回" if planned is not None else None,
        }
    if template == "expert_proposal":
        return expert_proposal_context(services, uow, occ, about)
    if template == "expert_agreed":
        agreed = _person(uow, data.get("agreed_consultant_id"))
        if agreed is None:
            return None
        earlier = occ.before.data if occ.before else {}
        former = _person(uow, earlier.get("agreed_consultant_id") or earlier.get("consultant_id"))
        return {
            **base,
            **_expert_lines(services, uow, agreed),
            "former_name": former.name if former and former.id != agreed.id else None,
            "in_support": occ.record.state in ("plan_approved", "in_support"),
        }
    if template == "dispatch_reassigned":
        former = _person(uow, occ.before.data.get("consultant_id") if occ.before else None)
        return {
            **base,
            **event_context(services, uow, occ.kind, data, data["at"], consultant, about),
            "mode": data["mode"],
            "confirmed": occ.record.state == "confirmed",
            "former_name": former.name if former else None,
        }
    if template == "dispatch_released":
        return {
            **base,
            "at": data["at"],
            "successor_name": consultant.name if consultant else "",
        }
    if template == "consultation_assigned":
        deadline = uow.deadlines.find(occ.kind, occ.record.id, "first_contact")
        return {
            "org_name": about.org_name,
            "topic": data.get("topic") or data.get("summary") or "",
            "due": deadline.due if deadline else tokyo_date(occ.at),
            "contact_name": data.get("contact_name"),
            "contact_email": data.get("contact_email"),
            "contact_phone": data.get("contact_phone"),
        }
    if template == "decision_recorded":
        if occ.kind == "deliverable" and data.get("kind") == "support_plan" and (
            occ.trigger == "approve"
        ):
            return None  # approved with its engagement, whose approve-plan mail says so
        return decision_context(uow, occ, about)
    if template == "approval_request":
        ask = {
            "ask_label": "承認依頼",
            "reply_line": "ご承認いただける場合は、その旨を本メールへのご返信でお知らせください。",
        }
        if occ.kind == "engagement":
            return {
                "item_title": f"支援計画書（{about.label}）",
                "org_name": about.org_name,
                "details": plan_details(uow, {**data, "id": occ.record.id}, about),
                **ask,
            }
        kind = data["kind"]
        if kind == "monthly_report":
            ask = {
                "ask_label": "ご確認依頼",
                "reply_line": "ご確認のうえ、受領の旨を本メールへのご返信でお知らせください。",
            }
        elif kind == "completion_report":
            ask = {
                "ask_label": "完了検査のお願い",
                "reply_line": "完了検査の結果（合格の旨、または修正点）を"
                "本メールへのご返信でお知らせください。",
            }
        elif not DELIVERABLE_KINDS[kind][1]:
            return None  # submitted for information; no approval to ask for
        return {
            "item_title": data["title"],
            "org_name": about.org_name if about.org_id else None,
            "details": [("内容", f"{data['title']}を提出いたします。")],
            **ask,
        }
    raise ValueError(f"no mail context for template {template!r}")


def _person(uow: UnitOfWork, person_id: Any) -> Person | None:
    return uow.directory.person_by_id(person_id) if person_id else None


def _expert_lines(services: Services | None, uow: UnitOfWork, person: Person) -> dict[str, Any]:
    """How a consultant is named to someone outside: name, company, and for a
    subcontractor's expert that the prefecture approved the subcontracting (§10)."""
    note = (services.mail_settings if services else MailSettings()).subcontractor_note
    sub = (
        uow.directory.subcontractor_by_id(person.subcontractor_id)
        if person.subcontractor_id is not None
        else None
    )
    return {
        "consultant_name": person.name,
        "consultant_company": person.company or (sub.name if sub else None),
        # Only what is true: the rules refuse an unapproved one, but the words must not lie.
        "subcontracted": (note if sub.approved_at else "再委託先（県の承認前）") if sub else None,
    }


def expert_proposal_context(
    services: Services | None, uow: UnitOfWork, occ: Occurrence, about: About
) -> dict[str, Any] | None:
    """The prefecture asked to agree to a consultant (§6(2)① 県と協議の上): who, from which
    company, their fields and record, why, and whom they would replace."""
    data = occ.record.data
    proposed = _person(uow, data.get("proposed_consultant_id"))
    if proposed is None:
        return None
    current = _person(uow, data.get("agreed_consultant_id") or data.get("consultant_id"))
    reason = occ.payload.get("reason") or occ.payload.get("override")
    return {
        "org_name": about.org_name,
        "theme_name": about.theme_name,
        "dept": data.get("contact_dept"),
        **_expert_lines(services, uow, proposed),
        "fields": "、".join(proposed.fields),
        "track_record": proposed.track_record,
        "reason": reason,
        "current_name": current.name if current and current.id != proposed.id else None,
    }


def decision_context(uow: UnitOfWork, occ: Occurrence, about: About) -> dict[str, Any]:
    """The lead told what the prefecture decided (approved, returned, inspected, received)."""
    data = occ.record.data
    returned = occ.trigger in ("send_back", "return_plan")
    if occ.kind == "engagement":
        title = f"支援計画書（{about.label}）"
        label = "差戻し" if returned else "承認"
        nxt = None if returned else "支援を開始してください（banso engagement start）。"
    else:
        title = data["title"]
        kind = data.get("kind")
        if returned:
            label = "差戻し"
        elif kind == "completion_report":
            label = "完了検査合格"
        elif kind == "monthly_report":
            label = "受領"
        else:
            label = "承認"
        nxt = "修正のうえ再提出してください。" if returned else None
        if occ.trigger == "inspect":
            nxt = "委託料の請求手続きに進んでください。"
    # Who decided and on which day: the prefecture person, and the day of their reply
    # when the lead recorded it on their behalf (services.decisions).
    behalf = occ.payload.get("on_behalf") or {}
    person = uow.directory.person(occ.actor.email)
    day = behalf.get("date")
    return {
        "item_title": title,
        "decision_label": label,
        "reason": data.get("reason") if returned else None,
        "next_step": nxt,
        "decided_by": person.name if person else occ.actor.email,
        "decided_on": date.fromisoformat(day) if day else tokyo_date(occ.at),
        "ref": behalf.get("ref"),
    }


def invitation(
    services: Services,
    uow: UnitOfWork,
    method: str,
    occ: Occurrence,
    context: dict[str, Any],
    to: list[Recipient],
) -> Attachment:
    """The iCalendar REQUEST or CANCEL for the record's event; TENTATIVE until confirmed."""
    start: datetime = context["at"]
    lead = first_lead(uow)
    data = occ.record.data
    invite = invite_of(occ.kind, data)
    if occ.kind == "meeting":
        summary = context["meeting_label"]
    else:
        what = "ヒアリング" if occ.kind == "engagement" else "専門人材派遣"
        summary = f"{what}（{context['org_name']}・{context['theme_name']}）"
    location = invite.get("place") or data.get("place")
    url = invite.get("url") or data.get("url")
    if not location and not url and occ.kind == "dispatch" and data.get("mode") == "onsite":
        location = context["org_name"]
    tentative = occ.kind == "dispatch" and occ.record.state == "planned"
    return services.mail.invitation(
        uid=f"{occ.kind}-{occ.record.id}@banso",
        sequence=occ.record.version,
        method=method.upper(),
        start=start,
        end=context.get("end") or event_end(services.mail_settings, occ.kind, start, invite),
        summary=summary,
        description=f"{services.title}\n{summary}",
        location=location,
        url=url,
        organizer=lead.email if lead else f"banso@{services.mail_settings.message_id_domain}",
        attendees=[r.email for r in to],
        stamp=occ.at,
        tentative=tentative,
    )
