"""Master data: organisations, people, themes, subcontractors."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from banso.admin.cli import State, pass_state
from banso.admin.decisions import on_behalf_from
from banso.admin.i18n import _
from banso.admin.output import emit, json_option, role_text, table, when
from banso.services import master, views
from banso.workflows.programme import ORG_KINDS
from banso.workflows.roles import ROLES

PERSON_ROLES = ROLES[:4]  # the system is nobody's role


def _fields(text: str | None) -> list[str] | None:
    """``標準化, BPR`` → ["標準化", "BPR"]."""
    return None if text is None else [f.strip() for f in text.split(",") if f.strip()]


@click.group()
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
    orgs = [asdict(o) for o in views.orgs(state.services, kind)]
    emit(
        state,
        orgs,
        table(
            [[o["code"], o["name"], o["kind"]] for o in orgs], [_("code"), _("name"), _("kind")]
        ),
    )


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
    data = asdict(views.org(state.services, code))
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
    added = master.add_org(state.services, state.user, code, name, kind)
    emit(state, asdict(added), _("organisation {code} {name} added").format(code=code, name=name))


@click.group()
def person() -> None:
    """People: prefecture staff, the lead, consultants, municipal contacts."""


@person.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(PERSON_ROLES))
@click.option(
    "--org", "org_code", metavar="CODE", help="Organisation (municipal contacts, prefecture)."
)
@click.option("--fields", metavar="F,F", help="Consultants: fields of expertise, comma-separated.")
@click.option("--record", metavar="TEXT", help="Consultants: track record.")
@click.option("--company", metavar="NAME", help="Consultants: a subcontractor's name (else ours).")
@click.option("--dept", metavar="TEXT", help="Department (部署), shown in the mail's address line.")
@click.option("--title", metavar="TEXT", help="Title (役職).")
@click.option("--phone", metavar="TEXT", help="Phone number.")
@click.option(
    "--notice-ref", metavar="TEXT",
    help="Prefecture persons added by the lead: the prefecture's written notice (文書番号).",
)  # fmt: skip
@click.option(
    "--login",
    metavar="ACCOUNT",
    help="The operating-system account (SQLite) or database role (PostgreSQL) they run "
    "banso as; the first person is bound to the account running this.",
)
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
    dept: str | None,
    title: str | None,
    phone: str | None,
    notice_ref: str | None,
    login: str | None,
) -> None:
    """Register a person. The very first person (a lead or the prefecture) needs no --as,
    and is bound to the account running the command (identity modes os and database).

    A prefecture person is added by a prefecture person, or by the lead with
    --notice-ref naming the prefecture's written notice.

    \b
    Examples:
      banso person add --name '県 太郎' --email taro@pref.okayama.example.jp \\
          --role prefecture --org 330001
      banso --as lead@contractor.example.jp person add --name '佐藤 花子' \\
          --email hanako@contractor.example.jp --role consultant --fields 標準化,BPR
      banso --as lead@contractor.example.jp person add --name '県 次郎' \\
          --email jiro@pref.okayama.example.jp --role prefecture --notice-ref デジ第77号
      banso --as lead@contractor.example.jp person add --name '佐藤 一郎' \\
          --email ichiro@contractor.example.jp --role consultant --login ichiro
    """
    data, roster = master.add_person(
        state.services,
        state.user,
        name=name,
        email=email,
        role=role,
        org_code=org_code,
        fields=_fields(fields),
        record=record,
        company=company,
        dept=dept,
        title=title,
        phone=phone,
        notice_ref=notice_ref,
        login=login,
        running=state.login,
    )
    note = _("; {roster} opened").format(roster=roster) if roster else ""
    if data.get("login"):
        note += _("; bound to the account {login}").format(login=data["login"])
    emit(
        state,
        data,
        _("{role} {name} <{email}> registered{note}").format(
            role=role_text(role), name=name, email=email, note=note
        ),
    )


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
    data, roster = master.edit_person(
        state.services, state.user, email, name=name, fields=_fields(fields), record=record
    )
    note = _("; {roster} opened").format(roster=roster) if roster else ""
    emit(state, data, _("{email} updated{note}").format(email=email, note=note))


@person.command("remove")
@click.argument("email")
@json_option
@pass_state
def person_remove(state: State, email: str) -> None:
    """Deactivate a person: never deleted, their history kept, their powers gone.

    Their open work is listed and moved by `banso person reassign`.

    \b
    Example:
      banso --as lead@contractor.example.jp person remove hanako@contractor.example.jp
    """
    data, roster = master.remove_person(state.services, state.user, email)
    note = _("; {roster} opened").format(roster=roster) if roster else ""
    emit(state, data, _("{email} removed{note}").format(email=email, note=note))


@person.command("reassign")
@click.argument("email")
@click.option("--to", "to", metavar="EMAIL", help="The consultant who takes the work over.")
@json_option
@pass_state
def person_reassign(state: State, email: str, to: str | None) -> None:
    """List a person's open work; with --to, move it to another consultant (lead or prefecture).

    Planned visits and unanswered consultations move at once (audited). Engagements
    are proposed to the prefecture for the successor and move when it agrees
    (`engagement agree-expert`). Deadlines the person answers for are listed.

    \b
    Examples:
      banso --as lead@contractor.example.jp person reassign hanako@contractor.example.jp
      banso --as lead@contractor.example.jp person reassign hanako@contractor.example.jp \\
          --to jiro@contractor.example.jp
    """
    from banso.services.people import reassign

    work = reassign(state.services, state.user, email, to)
    lines = [
        _(
            "{email}: engagements {engagements}; dispatches {dispatches}; "
            "consultations {consultations}; {deadlines} open deadline(s)"
        ).format(
            email=email,
            engagements=_ids(work.engagements),
            dispatches=_ids(work.dispatches),
            consultations=_ids(work.consultations),
            deadlines=len(work.deadlines),
        )
    ]
    lines += [
        _("  deadline {due} {title}").format(due=d["due"], title=d["title"]) for d in work.deadlines
    ]
    if to is not None:
        lines.append(
            _("moved to {to}: {moved}").format(to=to, moved=", ".join(work.moved) or _("nothing"))
        )
        if work.awaiting_agreement:
            lines.append(
                _(
                    "proposed to the prefecture for {to} "
                    "(awaiting `engagement agree-expert`): {ids}"
                ).format(to=to, ids=_ids(work.awaiting_agreement))
            )
    emit(state, work.json(), "\n".join(lines))


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids) or _("none")


@person.command("list")
@click.option("--role", type=click.Choice(PERSON_ROLES))
@json_option
@pass_state
def person_list(state: State, role: str | None) -> None:
    """List people.

    \b
    Example:
      banso person list --role consultant
    """
    people = master.people(state.services, role)
    rows = [
        [p["email"], p["name"], p["role"], p["org"] or "", p["company"] or "",
         "" if p["active"] else _("removed")]
        for p in people
    ]  # fmt: skip
    headers = [_("email"), _("name"), _("role"), _("org"), _("company"), ""]
    emit(state, people, table(rows, headers))


@click.group()
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
    data = views.themes_json(state.services)
    rows = [
        [("  " if d["parent"] else "") + str(d["code"]), str(d["name"]),
         "標準化" if d["standardization"] else ""]
        for d in data
    ]  # fmt: skip
    emit(state, data, table(rows, [_("code"), _("name"), ""]))


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
    master.add_theme(state.services, state.user, code, name, standardization, parent)
    emit(
        state,
        {"code": code, "name": name, "standardization": standardization},
        _("theme {code} {name} added").format(code=code, name=name),
    )


@click.group()
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
    master.add_subcontractor(state.services, state.user, name, scope)
    emit(
        state,
        {"name": name, "approved": False},
        _("subcontractor {name} registered (awaiting approval)").format(name=name),
    )


@subcontractor.command("approve")
@click.argument("name")
@click.option("--ref", required=True, metavar="TEXT", help="The approval document (e.g. 文書番号).")
@click.option("--on-behalf-of", "on_behalf_of", metavar="EMAIL",
              help="Lead only: the prefecture person whose approval this is.")
@click.option("--date", "decided_on", metavar="D",
              help="With --on-behalf-of: the day the prefecture approved.")
@click.option("--evidence", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="With --on-behalf-of: the approval notice; its SHA-256 goes in the audit.")
@json_option
@pass_state
def subcontractor_approve(
    state: State, name: str, ref: str, on_behalf_of: str | None, decided_on: str | None,
    evidence: Path | None,
) -> None:
    """Record the prefecture's written approval of a subcontractor (prefecture only, or the
    lead on its behalf with --on-behalf-of and --date; --ref is the approval's 文書番号).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp subcontractor approve 株式会社サンプル \\
          --ref デジ第123号
    """
    behalf = on_behalf_from({"on_behalf_of": on_behalf_of, "decided_on": decided_on,
                             "ref": ref if on_behalf_of else None, "evidence": evidence})
    master.approve_subcontractor(state.services, state.user, name, ref, behalf)
    emit(
        state,
        {"name": name, "approved": True, "ref": ref},
        _("subcontractor {name} approved ({ref})").format(name=name, ref=ref),
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
    data = [
        {"name": s.name, "scope": s.scope,
         "approved_at": when(s.approved_at) if s.approved_at else None,
         "approved_by": s.approved_by, "ref": s.approval_ref}
        for s in views.subcontractors(state.services)
    ]  # fmt: skip
    rows = [[str(d["name"]), d["approved_at"] or "未承認", d["ref"] or ""] for d in data]
    emit(state, data, table(rows, [_("name"), _("approved"), _("ref")]))
