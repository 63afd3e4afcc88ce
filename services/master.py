"""Master data: organisations, people, themes, subcontractors (lead or prefecture)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from banso.engine.errors import InvalidValue, Refused
from banso.engine.phrase import Phrase
from banso.engine.workflow import Actor
from banso.services.context import Services
from banso.services.decisions import OnBehalf, decider
from banso.services.engagements import org_named, theme_named
from banso.services.identity import Login, acting, bind, person_named
from banso.services.ports import Org, Person, Subcontractor, Theme, UnitOfWork
from banso.services.programme import new_roster_version
from banso.services.transitions import audit_change
from banso.workflows.email import email_problem
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE

STAFF = (LEAD, PREFECTURE)


def check_email(value: str, where: str = "--email") -> str:
    """The one e-mail rule (workflows.email), as bad input naming where it was given."""
    problem = email_problem(value)
    if problem is not None:
        raise InvalidValue(
            where,
            value,
            Phrase("an e-mail address like tanaka@city.example.jp ({problem})", problem=problem),
        )
    return value


def person_json(uow: UnitOfWork, p: Person) -> dict[str, Any]:
    org = uow.directory.org_by_id(p.org_id) if p.org_id else None
    sub = uow.directory.subcontractor_by_id(p.subcontractor_id) if p.subcontractor_id else None
    return {
        "id": p.id,
        "name": p.name,
        "email": p.email,
        "role": p.role,
        "org": org.code if org else None,
        "fields": list(p.fields),
        "track_record": p.track_record,
        "company": p.company,
        "subcontractor": sub.name if sub else None,
        "subcontractor_approved": bool(sub and sub.approved_at),
        "active": p.active,
        "dept": p.dept,
        "title": p.title,
        "phone": p.phone,
    }


def add_org(services: Services, user: str | None, code: str, name: str, kind: str) -> Org:
    with services.uow() as uow:
        acting(uow, user, "add an organisation", STAFF)
        if uow.directory.org(code) is not None:
            raise InvalidValue("--code", code, "a code not used yet (see `banso org list`)")
        org = uow.directory.add_org(code.strip(), name.strip(), kind)
        uow.commit()
    return org


def add_person(
    services: Services,
    user: str | None,
    *,
    name: str,
    email: str,
    role: str,
    org_code: str | None = None,
    fields: Sequence[str] | None = None,
    record: str | None = None,
    company: str | None = None,
    dept: str | None = None,
    title: str | None = None,
    phone: str | None = None,
    notice_ref: str | None = None,
    login: str | None = None,
    running: Login | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Register a person; the very first (a lead or the prefecture) registers themself
    and is bound to the ``running`` account. ``login`` binds an account (OS account or
    database role) to them. ``dept``, ``title`` and ``phone`` go into the address line
    and signatures of mail. A prefecture person is added by a prefecture person, or by
    the lead with the reference of the prefecture's written notice (``notice_ref``), so
    that nobody but the prefecture decides who decides for it. Returns the person and
    the title of the expert roster a
    consultant opened, if any."""
    check_email(email)
    if login is not None and (not login.strip() or len(login) > 128 or not login.isprintable()):
        raise InvalidValue("--login", login, "an account or role name on one line")
    with services.uow() as uow:
        first = not uow.directory.has_people()
        if first:
            if role not in STAFF:
                raise Refused(
                    "the first person registered must be a lead or prefecture person "
                    "(--role lead|prefecture); they then add everyone else"
                )
            actor = Actor(email, role)  # bootstrapping: the first person registers themself
        else:
            actor = acting(uow, user, "add people", STAFF)
            if role == PREFECTURE and actor.role != PREFECTURE and not (notice_ref or "").strip():
                raise InvalidValue(
                    "--notice-ref", notice_ref or "",
                    "the reference of the prefecture's written notice naming the person "
                    "(a prefecture person may add one without it)",
                )  # fmt: skip
        if uow.directory.person(email) is not None:
            raise InvalidValue("--email", email, "an address not registered yet")
        org_id = org_named(uow, org_code).id if org_code else None
        sub_id = None
        if company:
            sub = uow.directory.subcontractor(company)
            if sub is None:
                raise InvalidValue(
                    "--company", company, "a registered subcontractor (banso subcontractor add)"
                )
            sub_id = sub.id
        p = uow.directory.add_person(
            name=name.strip(),
            email=email,
            role=role,
            org_id=org_id,
            fields=fields,
            track_record=record,
            company=company,
            subcontractor_id=sub_id,
            at=services.clock.now(),
        )
        contact = {
            k: " ".join(v.split())
            for k, v in (("dept", dept), ("title", title), ("phone", phone))
            if v and v.strip()
        }
        if contact:
            p = uow.directory.update_person(p.id, **contact)
        bound = None
        if login is not None:
            if uow.directory.person_by_login(login) is not None:
                raise InvalidValue("--login", login, "an account not bound to anyone yet")
            uow.directory.bind_login(login, p.id)
            bound = login
        elif first and running is not None:
            bound = bind(uow, running, p.id)
        given: dict[str, Any] = {"email": email, "role": role}
        if notice_ref and notice_ref.strip():
            given["notice_ref"] = notice_ref.strip()
        if bound:
            given["login"] = bound
        audit_change(services, uow, actor, "person", p.id, "add", given)
        roster = new_roster_version(services, uow, f"{email} added") if role == CONSULTANT else None
        data = person_json(uow, p)
        if bound:
            data["login"] = bound
        uow.commit()
    return data, roster


def edit_person(
    services: Services,
    user: str | None,
    email: str,
    *,
    name: str | None = None,
    fields: Sequence[str] | None = None,
    record: str | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Change a person's name, fields or track record (a consultant's opens a new roster)."""
    with services.uow() as uow:
        actor = acting(uow, user, "edit people", STAFF)
        p = person_named(uow, email)
        changes: dict[str, Any] = {}
        if name:
            changes["name"] = name
        if fields is not None:
            changes["fields"] = list(fields)
        if record is not None:
            changes["track_record"] = record
        p = uow.directory.update_person(p.id, **changes)
        given = {"name": name, "fields": ",".join(fields) if fields is not None else None,
                 "record": record}  # fmt: skip
        audit_change(
            services, uow, actor, "person", p.id, "edit",
            {k: v for k, v in given.items() if v is not None},
        )  # fmt: skip
        roster = (
            new_roster_version(services, uow, f"{email} changed") if p.role == CONSULTANT else None
        )
        data = person_json(uow, p)
        uow.commit()
    return data, roster


def remove_person(
    services: Services, user: str | None, email: str
) -> tuple[dict[str, Any], str | None]:
    """Deactivate a person, never delete them: their history stays, their powers go
    (they may no longer act, decide or be assigned); `person reassign` moves their work."""
    with services.uow() as uow:
        actor = acting(uow, user, "remove people", STAFF)
        p = uow.directory.update_person(person_named(uow, email).id, active=False)
        audit_change(services, uow, actor, "person", p.id, "remove", {"email": email})
        roster = (
            new_roster_version(services, uow, f"{email} removed") if p.role == CONSULTANT else None
        )
        data = person_json(uow, p)
        uow.commit()
    return data, roster


def people(services: Services, role: str | None = None) -> list[dict[str, Any]]:
    with services.uow(readonly=True) as uow:
        return [person_json(uow, p) for p in uow.directory.people(role)]


def add_theme(
    services: Services,
    user: str | None,
    code: str,
    name: str,
    standardization: bool,
    parent: str | None,
) -> Theme:
    with services.uow() as uow:
        acting(uow, user, "add a theme", STAFF)
        if uow.directory.theme(code) is not None:
            raise InvalidValue("--code", code, "a theme code not used yet")
        parent_id = theme_named(uow, parent).id if parent else None
        theme = uow.directory.add_theme(code, name, standardization, parent_id)
        uow.commit()
    return theme


def add_subcontractor(
    services: Services, user: str | None, name: str, scope: str | None
) -> Subcontractor:
    with services.uow() as uow:
        acting(uow, user, "add a subcontractor", STAFF)
        if uow.directory.subcontractor(name) is not None:
            raise InvalidValue("--name", name, "a subcontractor not registered yet")
        sub = uow.directory.add_subcontractor(name, scope)
        uow.commit()
    return sub


def approve_subcontractor(
    services: Services, user: str | None, name: str, ref: str, on_behalf: OnBehalf | None = None
) -> Subcontractor:
    """Record the prefecture's written approval of a subcontractor (§10; prefecture only,
    or the lead on its behalf)."""
    with services.uow() as uow:
        actor, decided = decider(services, uow, user, "approve a subcontractor", on_behalf)
        sub = uow.directory.subcontractor(name)
        if sub is None:
            raise InvalidValue(
                "NAME", name, "a registered subcontractor (banso subcontractor list)"
            )
        sub = uow.directory.approve_subcontractor(
            sub.id, at=services.clock.now(), by=actor.email, ref=ref
        )
        audit_change(
            services, uow, actor, "subcontractor", sub.id, "approve",
            {"name": name, "ref": ref, **decided},
        )  # fmt: skip
        uow.commit()
    return sub
