"""Master data: organisations, people, themes, subcontractors."""

from __future__ import annotations

import re
from typing import Any

import click
from sqlalchemy import func, select

from banso.admin.cli import State, cli, emit, json_option, pass_state
from banso.admin.common import audit_change, table, when
from banso.admin.programme import ORG_KINDS, new_roster_version
from banso.engine.errors import InvalidValue, Refused
from banso.engine.workflow import Actor
from banso.storage.models import Organisation, Person, Subcontractor, Theme
from banso.storage.queries import org_by_code, person_by_email, theme_by_code
from banso.storage.uow import SqlUnitOfWork
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE, ROLES

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STAFF = (LEAD, PREFECTURE)


def check_email(value: str, where: str = "--email") -> str:
    if not EMAIL.match(value):
        raise InvalidValue(where, value, "an e-mail address like tanaka@city.example.jp")
    return value


def org_json(org: Organisation) -> dict[str, Any]:
    return {"id": org.id, "code": org.code, "name": org.name, "kind": org.kind}


def person_json(uow: SqlUnitOfWork, p: Person) -> dict[str, Any]:
    org = uow.session.get(Organisation, p.org_id) if p.org_id else None
    sub = uow.session.get(Subcontractor, p.subcontractor_id) if p.subcontractor_id else None
    return {
        "id": p.id,
        "name": p.name,
        "email": p.email,
        "role": p.role,
        "org": org.code if org else None,
        "fields": p.fields or [],
        "track_record": p.track_record,
        "company": p.company,
        "subcontractor": sub.name if sub else None,
        "subcontractor_approved": bool(sub and sub.approved_at),
        "active": p.active,
    }


# -- organisations ----------------------------------------------------------


@cli.group()
def org() -> None:
    """Organisations: the prefecture, its departments, the 27 municipalities."""


@org.command("list")
@click.option("--kind", type=click.Choice(ORG_KINDS))
@json_option
@pass_state
def org_list(state: State, kind: str | None) -> None:
    """List organisations.

    \b
    Example:
      banso org list --kind town
    """
    with state.app.uow(readonly=True) as uow:
        stmt = select(Organisation).order_by(Organisation.code)
        if kind:
            stmt = stmt.where(Organisation.kind == kind)
        orgs = [org_json(o) for o in uow.session.scalars(stmt)]
    rows = [[o["code"], o["name"], o["kind"]] for o in orgs]
    emit(state, orgs, table(rows, ["code", "name", "kind"]))


@org.command("show")
@click.argument("code")
@json_option
@pass_state
def org_show(state: State, code: str) -> None:
    """Show one organisation.

    \b
    Example:
      banso org show 331007
    """
    with state.app.uow(readonly=True) as uow:
        data = org_json(org_by_code(uow.session, code))
    emit(state, data, f"{data['code']}  {data['name']}  ({data['kind']})")


@org.command("add")
@click.option(
    "--code", required=True, help="全国地方公共団体コード (6 digits) or a department code."
)
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(ORG_KINDS))
@json_option
@pass_state
def org_add(state: State, code: str, name: str, kind: str) -> None:
    """Add an organisation (lead or prefecture).

    \b
    Example:
      banso --as lead@contractor.example.jp org add --code 331007 --name 岡山市 --kind city
    """
    with state.app.uow() as uow:
        state.app.actor(uow, "add an organisation", STAFF)
        if uow.session.scalars(select(Organisation).where(Organisation.code == code)).first():
            raise InvalidValue("--code", code, "a code not used yet (see `banso org list`)")
        o = Organisation(code=code.strip(), name=name.strip(), kind=kind)
        uow.session.add(o)
        uow.session.flush()
        data = org_json(o)
        uow.commit()
    emit(state, data, f"organisation {code} {name} added")


# -- people -----------------------------------------------------------------


@cli.group()
def person() -> None:
    """People: prefecture staff, the lead, consultants, municipal contacts."""


@person.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES[:4]))
@click.option(
    "--org", "org_code", metavar="CODE", help="Organisation (municipal contacts, prefecture)."
)
@click.option("--fields", metavar="F,F", help="Consultants: fields of expertise, comma-separated.")
@click.option("--record", metavar="TEXT", help="Consultants: track record.")
@click.option("--company", metavar="NAME", help="Consultants: a subcontractor's name (else ours).")
@json_option
@pass_state
def person_add(
    state: State,
    name: str,
    email: str,
    role: str,
    org_code: str | None,
    fields: str | None,
    record: str | None,
    company: str | None,
) -> None:
    """Register a person. The very first person (a lead or the prefecture) needs no --as.

    \b
    Examples:
      banso person add --name '県 太郎' --email taro@pref.okayama.example.jp \\
          --role prefecture --org 330001
      banso --as lead@contractor.example.jp person add --name '佐藤 花子' \\
          --email hanako@contractor.example.jp --role consultant --fields 標準化,BPR
    """
    app = state.app
    check_email(email)
    with app.uow() as uow:
        nobody = not uow.session.scalar(select(func.count()).select_from(Person))
        if nobody:
            if role not in STAFF:
                raise Refused(
                    "the first person registered must be a lead or prefecture person "
                    "(--role lead|prefecture); they then add everyone else"
                )
            actor = Actor(email, role)  # bootstrapping: the first person registers themself
        else:
            actor = app.actor(uow, "add people", STAFF)
        if uow.session.scalars(select(Person).where(Person.email == email)).first():
            raise InvalidValue("--email", email, "an address not registered yet")
        org_id = org_by_code(uow.session, org_code).id if org_code else None
        sub_id = None
        if company:
            sub = uow.session.scalars(
                select(Subcontractor).where(Subcontractor.name == company)
            ).first()
            if sub is None:
                raise InvalidValue(
                    "--company", company, "a registered subcontractor (banso subcontractor add)"
                )
            sub_id = sub.id
        p = Person(
            name=name.strip(),
            email=email,
            role=role,
            org_id=org_id,
            fields=[f.strip() for f in fields.split(",") if f.strip()] if fields else None,
            track_record=record,
            company=company,
            subcontractor_id=sub_id,
            active=True,
            created_at=app.clock.now(),
        )
        uow.session.add(p)
        uow.session.flush()
        audit_change(state, uow, actor, "person", p.id, "add", {"email": email, "role": role})
        roster = (
            new_roster_version(uow, app.runner, app.effects, f"{email} added")
            if role == CONSULTANT
            else None
        )
        data = person_json(uow, p)
        uow.commit()
    note = f"; {roster} opened" if roster else ""
    emit(state, data, f"{role} {name} <{email}> registered{note}")


@person.command("edit")
@click.argument("email")
@click.option("--name")
@click.option("--fields", metavar="F,F")
@click.option("--record", metavar="TEXT")
@json_option
@pass_state
def person_edit(
    state: State, email: str, name: str | None, fields: str | None, record: str | None
) -> None:
    """Change a person's name, fields or track record (a consultant's change opens a new roster).

    \b
    Example:
      banso --as lead@contractor.example.jp person edit hanako@contractor.example.jp --fields 生成AI
    """
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "edit people", STAFF)
        p = person_by_email(uow.session, email)
        if name:
            p.name = name
        if fields is not None:
            p.fields = [f.strip() for f in fields.split(",") if f.strip()]
        if record is not None:
            p.track_record = record
        changes = {"name": name, "fields": fields, "record": record}
        audit_change(
            state,
            uow,
            actor,
            "person",
            p.id,
            "edit",
            {k: v for k, v in changes.items() if v is not None},
        )
        roster = (
            new_roster_version(uow, app.runner, app.effects, f"{email} changed")
            if p.role == CONSULTANT
            else None
        )
        data = person_json(uow, p)
        uow.commit()
    emit(state, data, f"{email} updated" + (f"; {roster} opened" if roster else ""))


@person.command("remove")
@click.argument("email")
@json_option
@pass_state
def person_remove(state: State, email: str) -> None:
    """Take a person off the programme (kept for the record, no longer assignable).

    \b
    Example:
      banso --as lead@contractor.example.jp person remove hanako@contractor.example.jp
    """
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "remove people", STAFF)
        p = person_by_email(uow.session, email)
        p.active = False
        audit_change(state, uow, actor, "person", p.id, "remove", {"email": email})
        roster = (
            new_roster_version(uow, app.runner, app.effects, f"{email} removed")
            if p.role == CONSULTANT
            else None
        )
        data = person_json(uow, p)
        uow.commit()
    emit(state, data, f"{email} removed" + (f"; {roster} opened" if roster else ""))


@person.command("list")
@click.option("--role", type=click.Choice(ROLES[:4]))
@json_option
@pass_state
def person_list(state: State, role: str | None) -> None:
    """List people.

    \b
    Example:
      banso person list --role consultant
    """
    with state.app.uow(readonly=True) as uow:
        stmt = select(Person).order_by(Person.id)
        if role:
            stmt = stmt.where(Person.role == role)
        people = [person_json(uow, p) for p in uow.session.scalars(stmt)]
    rows = [
        [
            p["email"],
            p["name"],
            p["role"],
            p["org"] or "",
            p["company"] or "",
            "" if p["active"] else "removed",
        ]
        for p in people
    ]
    emit(state, people, table(rows, ["email", "name", "role", "org", "company", ""]))


# -- themes -----------------------------------------------------------------


@cli.group()
def theme() -> None:
    """Support themes (master data the prefecture extends)."""


@theme.command("list")
@json_option
@pass_state
def theme_list(state: State) -> None:
    """List themes and sub-themes.

    \b
    Example:
      banso theme list
    """
    with state.app.uow(readonly=True) as uow:
        themes = list(uow.session.scalars(select(Theme).order_by(Theme.id)))
        codes = {t.id: t.code for t in themes}
        data = [
            {
                "code": t.code,
                "name": t.name,
                "standardization": t.standardization,
                "parent": codes.get(t.parent_id) if t.parent_id else None,
            }
            for t in themes
        ]
    rows = [
        [
            ("  " if d["parent"] else "") + str(d["code"]),
            str(d["name"]),
            "標準化" if d["standardization"] else "",
        ]
        for d in data
    ]
    emit(state, data, table(rows, ["code", "name", ""]))


@theme.command("add")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--standardization", is_flag=True, help="Counts against the standardisation quota.")
@click.option("--parent", metavar="CODE", help="Make it a sub-theme of CODE.")
@json_option
@pass_state
def theme_add(
    state: State, code: str, name: str, standardization: bool, parent: str | None
) -> None:
    """Add a theme (lead or prefecture).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp theme add --code dx-kids --name 子育てDX
    """
    with state.app.uow() as uow:
        state.app.actor(uow, "add a theme", STAFF)
        if uow.session.scalars(select(Theme).where(Theme.code == code)).first():
            raise InvalidValue("--code", code, "a theme code not used yet")
        parent_id = theme_by_code(uow.session, parent).id if parent else None
        t = Theme(code=code, name=name, standardization=standardization, parent_id=parent_id)
        uow.session.add(t)
        uow.commit()
    emit(
        state,
        {"code": code, "name": name, "standardization": standardization},
        f"theme {code} {name} added",
    )


# -- subcontractors (spec §10) ----------------------------------------------


@cli.group()
def subcontractor() -> None:
    """Subcontractors: their consultants work only after the prefecture's written approval."""


@subcontractor.command("add")
@click.option("--name", required=True, help="The company's name, as consultants' --company.")
@click.option("--scope", metavar="TEXT", help="What part of the work is subcontracted.")
@json_option
@pass_state
def subcontractor_add(state: State, name: str, scope: str | None) -> None:
    """Register a subcontractor (not yet approved).

    \b
    Example:
      banso --as lead@contractor.example.jp subcontractor add \\
          --name 株式会社サンプル --scope 標準化支援
    """
    with state.app.uow() as uow:
        state.app.actor(uow, "add a subcontractor", STAFF)
        if uow.session.scalars(select(Subcontractor).where(Subcontractor.name == name)).first():
            raise InvalidValue("--name", name, "a subcontractor not registered yet")
        uow.session.add(Subcontractor(name=name, scope=scope))
        uow.commit()
    emit(
        state,
        {"name": name, "approved": False},
        f"subcontractor {name} registered (awaiting approval)",
    )


@subcontractor.command("approve")
@click.argument("name")
@click.option("--ref", required=True, metavar="TEXT", help="The approval document (e.g. 文書番号).")
@json_option
@pass_state
def subcontractor_approve(state: State, name: str, ref: str) -> None:
    """Record the prefecture's written approval of a subcontractor (prefecture only).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp subcontractor approve 株式会社サンプル \\
          --ref デジ第123号
    """
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "approve a subcontractor", (PREFECTURE,))
        sub = uow.session.scalars(select(Subcontractor).where(Subcontractor.name == name)).first()
        if sub is None:
            raise InvalidValue(
                "NAME", name, "a registered subcontractor (banso subcontractor list)"
            )
        sub.approved_at = app.clock.now()
        sub.approved_by = actor.email
        sub.approval_ref = ref
        audit_change(
            state, uow, actor, "subcontractor", sub.id, "approve", {"name": name, "ref": ref}
        )
        uow.commit()
    emit(
        state,
        {"name": name, "approved": True, "ref": ref},
        f"subcontractor {name} approved ({ref})",
    )


@subcontractor.command("list")
@json_option
@pass_state
def subcontractor_list(state: State) -> None:
    """List subcontractors and their approval.

    \b
    Example:
      banso subcontractor list
    """
    with state.app.uow(readonly=True) as uow:
        subs = list(uow.session.scalars(select(Subcontractor).order_by(Subcontractor.id)))
        data = [
            {
                "name": s.name,
                "scope": s.scope,
                "approved_at": when(s.approved_at) if s.approved_at else None,
                "approved_by": s.approved_by,
                "ref": s.approval_ref,
            }
            for s in subs
        ]
    rows = [[str(d["name"]), d["approved_at"] or "未承認", d["ref"] or ""] for d in data]
    emit(state, data, table(rows, ["name", "approved", "ref"]))
