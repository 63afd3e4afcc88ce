"""What a mail about a record says and whom it goes to: the one place that builds
mail contexts (effects, reminders, the daemon's notices all come here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from banso.engine.outbox import Attachment
from banso.engine.runner import Occurrence
from banso.services.context import Services
from banso.services.ports import Person, UnitOfWork
from banso.workflows import DELIVERABLE_KINDS, MEETING_KINDS
from banso.workflows.programme import EVENT_HOURS, meeting_attendees
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None
    org_name: str | None
    dept: str | None = None

    def context(self) -> dict[str, str | None]:
        return {"name": self.name, "org_name": self.org_name, "dept": self.dept}


def recipient(uow: UnitOfWork, p: Person) -> Recipient:
    org = uow.directory.org_by_id(p.org_id) if p.org_id else None
    return Recipient(p.email, p.name, org.name if org else p.company, None)


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


def lead_context(uow: UnitOfWork) -> dict[str, str]:
    """The signature: the project lead of the contractor (all mail comes from the lead)."""
    lead = first_lead(uow)
    contractor = (uow.settings.get("contract") or {}).get("contractor", "受託者")
    if lead is None:
        return {"name": "プロジェクト責任者", "email": "", "company": contractor}
    return {"name": lead.name, "email": lead.email, "company": contractor}


def common(services: Services, uow: UnitOfWork) -> dict[str, Any]:
    """What every template gets besides its own keys and the recipient."""
    return {"lead": lead_context(uow), "programme": {"title": services.title}}


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
            Recipient(engagement.contact_email, engagement.contact_name, org.name if org else None)
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
    if role == "attendees":
        roles = meeting_attendees(data["kind"], engagement is not None)
        return [r for each in roles for r in recipients(uow, each, occ)]
    raise ValueError(f"unknown recipient role {role!r}")


def context(uow: UnitOfWork, template: str, occ: Occurrence) -> dict[str, Any] | None:
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
            "at": data["hearing_at"],
            "consultant_name": consultant.name if consultant else "",
            "url": None,
            "rescheduled": occ.from_state == occ.to_state,
        }
    if template == "hearing_reassigned":
        return {**base, "at": occ.before.data["hearing_at"] if occ.before else data["hearing_at"]}
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
    services: Services,
    uow: UnitOfWork,
    method: str,
    occ: Occurrence,
    context: dict[str, Any],
    to: list[Recipient],
) -> Attachment:
    """The iCalendar REQUEST or CANCEL for the record's event."""
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
    return services.mail.invitation(
        uid=f"{occ.kind}-{occ.record.id}@banso",
        sequence=occ.record.version,
        method=method.upper(),
        start=start,
        end=start + timedelta(hours=EVENT_HOURS[occ.kind]),
        summary=summary,
        description=f"{services.title}\n{summary}",
        location=location,
        url=url,
        organizer=lead.email if lead else "banso@banso.invalid",
        attendees=[r.email for r in to],
        stamp=occ.at,
    )
