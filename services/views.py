"""What people look at: listings and single records, as JSON-ready values.

Each read is one read-only unit of work; the command line decides how to show it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from banso.engine.audit import AuditEvent, ChainReport
from banso.engine.clock import tokyo_date
from banso.engine.deadlines import Deadline
from banso.engine.errors import BansoError, NotFound
from banso.engine.outbox import QueuedMessage
from banso.engine.phrase import Phrase
from banso.engine.workflow import RecordView
from banso.services.context import Services
from banso.services.engagements import org_named, theme_named
from banso.services.identity import Viewer, acting, owns, require_own
from banso.services.ports import FileVersion, Org, Subcontractor, Theme, UnitOfWork
from banso.workflows.labels import DEADLINE_STATUS_LABELS, KIND_LABELS
from banso.workflows.mailing import public_message_id
from banso.workflows.roles import LEAD, PREFECTURE


def plain(value: Any) -> Any:
    """A value as JSON can carry it (dates ISO 8601)."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def record_json(services: Services, view: RecordView) -> dict[str, Any]:
    """A record: id, kind, state with its Japanese label, version, data."""
    definition = services.runner.definition(view.kind)
    return {
        "id": view.id,
        "kind": view.kind,
        "state": view.state,
        "state_label": definition.label_of(view.state),
        "version": view.version,
        **{k: plain(v) for k, v in view.data.items()},
    }


def _engagement_json(services: Services, uow: UnitOfWork, view: RecordView) -> dict[str, Any]:
    """An engagement with the names people recognise next to the ids."""
    data = record_json(services, view)
    org = uow.directory.org_by_id(view.data["org_id"])
    theme = uow.directory.theme_by_id(view.data["theme_id"])
    cid = view.data["consultant_id"]
    consultant = uow.directory.person_by_id(cid) if cid else None
    data.update(
        org=org.code if org else None,
        org_name=org.name if org else None,
        theme=theme.code if theme else None,
        theme_name=theme.name if theme else None,
        consultant=consultant.email if consultant else None,
    )
    # The expert agreement with the prefecture (§6(2)①), by e-mail as people know them.
    for key, field in (("proposed_consultant", "proposed_consultant_id"),
                       ("agreed_consultant", "agreed_consultant_id")):  # fmt: skip
        pid = view.data.get(field)
        person = uow.directory.person_by_id(pid) if pid else None
        data[key] = person.email if person else None
    return data


def engagements(
    services: Services,
    state: str | None = None,
    org_code: str | None = None,
    theme_code: str | None = None,
    viewer: Viewer | None = None,
) -> list[dict[str, Any]]:
    """Engagements (a consultant's own only, for a consultant)."""
    with services.uow(readonly=True) as uow:
        where: dict[str, Any] = {}
        if viewer is not None and viewer.own_only:
            where["consultant_id"] = viewer.person_id
        if org_code:
            where["org_id"] = org_named(uow, org_code).id
        if theme_code:
            where["theme_id"] = theme_named(uow, theme_code).id
        found = uow.records.find("engagement", where=where, states=(state,) if state else None)
        return [_engagement_json(services, uow, v) for v in found]


def engagement(
    services: Services, engagement_id: int, viewer: Viewer | None = None
) -> dict[str, Any]:
    """One engagement and its dispatches, as JSON (times ISO 8601)."""
    with services.uow(readonly=True) as uow:
        view = uow.records.get("engagement", engagement_id)
        if not owns(viewer, "engagement", view.data):
            raise NotFound("engagement", engagement_id)
        data = _engagement_json(services, uow, view)
        data["dispatches"] = [
            {"id": d.id, "state": d.state, "at": plain(d.data["at"]), "mode": d.data["mode"]}
            for d in uow.records.find(
                "dispatch", where={"engagement_id": engagement_id}, order_by=("at",)
            )
        ]
    return data


def dispatches(
    services: Services,
    month: str | None = None,
    engagement_id: int | None = None,
    viewer: Viewer | None = None,
) -> list[tuple[RecordView, dict[str, Any]]]:
    with services.uow(readonly=True) as uow:
        where: dict[str, Any] = {}
        if viewer is not None and viewer.own_only:
            where["consultant_id"] = viewer.person_id
        if month:
            where["month"] = month
        if engagement_id is not None:
            where["engagement_id"] = engagement_id
        views = uow.records.find("dispatch", where=where, order_by=("at",))
        emails = {p.id: p.email for p in uow.directory.people()}
    return [
        (v, {**record_json(services, v), "consultant": emails.get(v.data["consultant_id"])})
        for v in views
    ]


def records(
    services: Services,
    record_kind: str,
    order_by: tuple[str, ...] = ("id",),
    viewer: Viewer | None = None,
    **where: Any,
) -> list[RecordView]:
    """Records of one kind whose fields equal ``where`` (None values are left out);
    for a consultant, only their own."""
    given = {k: v for k, v in where.items() if v is not None}
    state = given.pop("state", None)
    with services.uow(readonly=True) as uow:
        found = uow.records.find(
            record_kind, where=given, states=(state,) if state else None, order_by=order_by
        )
    return [v for v in found if owns(viewer, record_kind, v.data)]


def org_names(services: Services) -> dict[int, str]:
    with services.uow(readonly=True) as uow:
        return {o.id: o.name for o in uow.directory.orgs()}


def orgs(services: Services, kind: str | None = None) -> list[Org]:
    with services.uow(readonly=True) as uow:
        return uow.directory.orgs(kind)


def org(services: Services, code: str) -> Org:
    with services.uow(readonly=True) as uow:
        return org_named(uow, code)


def themes(services: Services) -> list[Theme]:
    with services.uow(readonly=True) as uow:
        return uow.directory.themes()


def subcontractors(services: Services) -> list[Subcontractor]:
    with services.uow(readonly=True) as uow:
        return uow.directory.subcontractors()


def calendar(
    services: Services,
    start: date | None,
    end: date | None,
    status: str | None,
    viewer: Viewer | None = None,
) -> tuple[date, list[Deadline]]:
    """Deadlines due from ``start`` (default: the contract start) to ``end``; for a
    consultant, those they answer for."""
    with services.uow(readonly=True) as uow:
        contract = uow.settings.get("contract") or {}
        first = start or date.fromisoformat(contract["start"])
        rows = uow.deadlines.list(first, end or date(9999, 12, 31), status)
    if viewer is not None and viewer.own_only:
        rows = [d for d in rows if d.responsible.casefold() == viewer.email.casefold()]
    return first, rows


def history(
    services: Services, kind: str, record_id: int, viewer: Viewer | None = None
) -> list[AuditEvent]:
    with services.uow(readonly=True) as uow:
        if viewer is not None and viewer.own_only:
            try:
                require_own(uow, viewer, kind, record_id)
            except NotFound:
                raise NotFound(_history_of(kind), record_id, "check the kind and the id") from None
        events = uow.audit.history(kind, record_id)
    if not events:
        raise NotFound(_history_of(kind), record_id, "check the kind and the id")
    return events


def verify_audit(services: Services) -> ChainReport:
    from banso.services.audit import verify

    return verify(services)


def outbox(services: Services, state: str | None, limit: int) -> list[QueuedMessage]:
    return services.outbox_store().list(state, limit)


def retry_message(services: Services, user: str | None, message_id: int) -> str:
    """Put a dead (or failed) message back in the queue (lead or prefecture); returns who."""
    with services.uow(readonly=True) as uow:
        actor = acting(uow, user, "retry a message", (LEAD, PREFECTURE))
    services.outbox_store().retry(message_id, services.clock.now())
    return actor.email


# -- as JSON (`--json` and the exports read these) ---------------------------------------


def deadline_json(d: Deadline) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "obligation": d.obligation,
        "about": f"{d.about_kind} {d.about_id}" if d.about_kind else None,
        "due_as_written": d.due_as_written.isoformat(),
        "due": d.due.isoformat(),
        "explanation": d.explanation,
        "responsible": d.responsible,
        "status": d.status,
        "status_label": DEADLINE_STATUS_LABELS[d.status],
        "next_reminder": plain(d.next_fire_at),
    }


def message_json(q: QueuedMessage, message_id_domain: str | None = None) -> dict[str, Any]:
    """One queued message; its Message-ID as the mail carries it (the [mail] domain)."""
    return {
        "id": q.id,
        "state": q.state,
        "kind": q.message.kind,
        "to": list(q.message.to),
        "cc": list(q.message.cc),
        "subject": q.message.subject,
        "attempts": q.attempts,
        "next_attempt_at": plain(q.next_attempt_at),
        "last_error": q.last_error,
        "sent_at": plain(q.sent_at),
        "message_id": public_message_id(q.message_id, message_id_domain)
        if message_id_domain
        else q.message_id,
    }


def event_json(e: AuditEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "trigger": e.trigger,
        "from": e.from_state,
        "to": e.to_state,
        "version": e.version,
        "payload": dict(e.payload),
    }


def file_json(f: FileVersion) -> dict[str, Any]:
    return {k: plain(v) for k, v in asdict(f).items()}


def themes_json(services: Services) -> list[dict[str, Any]]:
    found = themes(services)
    codes = {t.id: t.code for t in found}
    return [
        {
            "code": t.code,
            "name": t.name,
            "standardization": t.standardization,
            "parent": codes.get(t.parent_id) if t.parent_id else None,
        }
        for t in found
    ]


# The prefecture's answers to a submitted deliverable (workflows.deliverable).
DECISION_TRIGGERS = ("approve", "receive", "inspect", "send_back")


def last_decision(services: Services, uow: UnitOfWork, events: list[AuditEvent]) -> (
    dict[str, Any] | None
):  # fmt: skip
    """The latest approval, receipt (受領), inspection (完了検査) or return among a
    deliverable's events: who decided (the prefecture person), on which day (the reply's
    when the lead recorded it on their behalf), under which reference, and who typed it."""
    decided = [e for e in events if e.trigger in DECISION_TRIGGERS]
    if not decided:
        return None
    e = decided[-1]
    behalf = dict(e.payload.get("on_behalf") or {})
    person = uow.directory.person(e.actor)
    definition = services.runner.definition("deliverable")
    evidence = behalf.get("evidence") or {}
    return {
        "trigger": e.trigger,
        "label": definition.trigger_label(e.trigger),
        "by": e.actor,
        "by_name": person.name if person else None,
        "on": behalf.get("date") or tokyo_date(e.at).isoformat(),
        "at": plain(e.at),
        "ref": behalf.get("ref"),
        "recorded_by": behalf.get("recorded_by"),
        "evidence_sha256": evidence.get("sha256"),
    }


def deliverable(
    services: Services, deliverable_id: int, viewer: Viewer | None = None
) -> dict[str, Any]:
    """One deliverable: its record, submission deadline, latest files, and the prefecture's
    last decision on it (approved, 受領, 完了検査 or returned, with who and when)."""
    with services.uow(readonly=True) as uow:
        view = uow.records.get("deliverable", deliverable_id)
        if not owns(viewer, "deliverable", view.data):
            raise NotFound("deliverable", deliverable_id)
        data = record_json(services, view)
        deadline = uow.deadlines.find("deliverable", deliverable_id, "submission")
        data["due"] = plain(deadline.due) if deadline else None
        # The newest version's files, read here (services.documents.latest does the same)
        # because services.documents imports this module through services.work.
        versions = uow.files.versions(deliverable_id)
        data["files"] = [
            {"name": f.filename, "version": f.version, "sha256": f.sha256}
            for f in versions
            if f.version == versions[-1].version
        ]
        events = uow.audit.history("deliverable", deliverable_id)
        data["decision"] = last_decision(services, uow, events)
    return data
def _history_of(kind: str) -> Phrase:
    """What `history` looked for, in words a person reads (案件の履歴)."""
    return Phrase("history for {kind}", kind=kind, kind_label=KIND_LABELS.get(kind, kind))


def record_name(services: Services, kind: str, record_id: int) -> str | None:
    """How people know a record, for a refusal to name it: 岡山市・生成AI for an
    engagement, its organisation and topic for a consultation, the engagement's
    and the day for a dispatch, the title for a deliverable; None if unknown."""
    try:
        with services.uow(readonly=True) as uow:
            view = uow.records.get(kind, record_id)
            return _name_of(uow, view)
    except BansoError:
        return None  # the refusal still names the record by its id


def _name_of(uow: UnitOfWork, view: RecordView) -> str | None:
    data = view.data
    if view.kind == "engagement":
        org = uow.directory.org_by_id(data["org_id"])
        theme = uow.directory.theme_by_id(data["theme_id"])
        if org is None or theme is None:
            return None
        return f"{org.name}・{theme.name}"
    if view.kind == "dispatch":
        engagement = uow.records.get("engagement", data["engagement_id"])
        base = _name_of(uow, engagement)
        on = tokyo_date(data["at"])
        day = f"{on.month}月{on.day}日"
        return f"{base}・{day}" if base else day
    if view.kind == "consultation":
        org = uow.directory.org_by_id(data["org_id"])
        topic = str(data.get("topic") or "")
        topic = topic if len(topic) <= 20 else topic[:20] + "…"
        return "・".join(part for part in (org.name if org else "", topic) if part) or None
    if view.kind == "deliverable":
        title = str(data.get("title") or "")
        period = data.get("period")
        return f"{title}・{period}" if title and period else title or None
    return None
