"""Engagements and dispatches: hearing → plan → dispatches → outcome."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from sqlalchemy import select

from banso.admin.cli import State, cli, emit, json_option, pass_state
from banso.admin.common import check_own_work, fire, record_json, report, state_text, table, when
from banso.engine.clock import parse_datetime, tokyo_date
from banso.engine.era import fiscal_year
from banso.engine.errors import InvalidValue, Refused
from banso.engine.runner import Outcome
from banso.engine.workflow import Actor, RecordView
from banso.storage.models import Dispatch, Engagement, Organisation, Person, Theme
from banso.storage.queries import (
    OPEN_DISPATCH,
    assign_if_first,
    consultant_facts,
    dispatch_counts,
    dispatches_of,
    is_standardization,
    open_engagement,
    org_by_code,
    person_by_email,
    setting,
    theme_by_code,
)
from banso.storage.uow import SqlUnitOfWork
from banso.workflows import engagement as engagement_wf
from banso.workflows.quotas import Quotas

ENGAGEMENT_STATES = list(engagement_wf.DEFINITION.states)


def engagement_json(state: State, uow: SqlUnitOfWork, view: RecordView) -> dict[str, Any]:
    """An engagement with the names people recognise next to the ids."""
    data = record_json(state, view)
    org = uow.session.get(Organisation, view.data["org_id"])
    theme = uow.session.get(Theme, view.data["theme_id"])
    consultant = (
        uow.session.get(Person, view.data["consultant_id"]) if view.data["consultant_id"] else None
    )
    data.update(
        org=org.code if org else None,
        org_name=org.name if org else None,
        theme=theme.code if theme else None,
        theme_name=theme.name if theme else None,
        consultant=consultant.email if consultant else None,
    )
    return data


def create_engagement(
    state: State, uow: SqlUnitOfWork, actor: Actor, org: Organisation, theme: Theme, **data: Any
) -> Outcome:
    """A new engagement, with its support-plan deliverable (spec §9 No.4)."""
    app = state.app
    outcome = app.runner.create(
        uow, "engagement", actor=actor, data={"org_id": org.id, "theme_id": theme.id, **data}
    )
    app.runner.create(
        uow,
        "deliverable",
        actor=actor,
        data={
            "kind": "support_plan",
            "title": f"支援計画書（{org.name}・{theme.name}）",
            "period": None,
            "roster_version": None,
            "engagement_id": outcome.record.id,
        },
    )
    return outcome


@cli.group()
def engagement() -> None:
    """Engagements: one organisation × one theme, from request to reported outcome."""


@engagement.command("new")
@click.option("--org", "org_code", required=True, metavar="CODE")
@click.option("--theme", "theme_code", required=True, metavar="CODE")
@click.option("--request", metavar="TEXT", help="What the organisation asked for.")
@json_option
@pass_state
def engagement_new(state: State, org_code: str, theme_code: str, request: str | None) -> None:
    """Open an engagement in `requested` (lead or prefecture).

    \b
    Example:
      banso --as lead@contractor.example.jp engagement new --org 331007 --theme genai
    """
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "open an engagement")
        org = org_by_code(uow.session, org_code)
        theme = theme_by_code(uow.session, theme_code)
        existing = open_engagement(uow.session, org.id, theme.id)
        if existing is not None:
            raise Refused(
                f"{org_code} × {theme_code} already has engagement {existing.id} "
                f"({existing.state}); withdraw or report it before opening another"
            )
        outcome = create_engagement(state, uow, actor, org, theme, request=request)
        uow.commit()
    report(state, outcome)


@engagement.command("list")
@click.option("--state", "state_name", type=click.Choice(ENGAGEMENT_STATES))
@click.option("--org", "org_code", metavar="CODE")
@click.option("--theme", "theme_code", metavar="CODE")
@json_option
@pass_state
def engagement_list(
    state: State, state_name: str | None, org_code: str | None, theme_code: str | None
) -> None:
    """List engagements.

    \b
    Example:
      banso engagement list --state in_support --json
    """
    with state.app.uow(readonly=True) as uow:
        stmt = select(Engagement.id).order_by(Engagement.id)
        if state_name:
            stmt = stmt.where(Engagement.state == state_name)
        if org_code:
            stmt = stmt.where(Engagement.org_id == org_by_code(uow.session, org_code).id)
        if theme_code:
            stmt = stmt.where(Engagement.theme_id == theme_by_code(uow.session, theme_code).id)
        items = [
            engagement_json(state, uow, uow.records.get("engagement", i))
            for i in uow.session.scalars(stmt)
        ]
    rows = [
        [
            str(e["id"]),
            f"{e['state']}（{e['state_label']}）",
            e["org_name"],
            e["theme_name"],
            e["consultant"] or "—",
        ]
        for e in items
    ]
    emit(state, items, table(rows, ["id", "state", "organisation", "theme", "consultant"]))


@engagement.command("show")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def engagement_show(state: State, record_id: int) -> None:
    """Show one engagement and its dispatches.

    \b
    Example:
      banso engagement show 12
    """
    with state.app.uow(readonly=True) as uow:
        view = uow.records.get("engagement", record_id)
        view_hearing = view.data["hearing_at"]
        data = engagement_json(state, uow, view)
        data["dispatches"] = [
            {
                "id": d.id,
                "state": d.state,
                "at": d.at.isoformat(),
                "shown": when(d.at),
                "mode": d.mode,
            }
            for d in uow.session.scalars(
                select(Dispatch).where(Dispatch.engagement_id == record_id).order_by(Dispatch.at)
            )
        ]
    lines = [
        f"engagement {data['id']}  {data['org_name']} × {data['theme_name']}",
        f"  state       {data['state']}（{data['state_label']}）  version {data['version']}",
        f"  consultant  {data['consultant'] or '—'}",
        f"  hearing     {when(view_hearing)}",
        f"  findings    {data['findings'] or '—'}",
        f"  plan        {data['goals'] or '—'}",
        f"  outcome     {data['outcome'] or '—'}",
        f"  dispatches  {len(data['dispatches'])}",
    ]
    lines += [
        f"    {d['id']}: {d.pop('shown')} {d['mode']} {d['state']}" for d in data["dispatches"]
    ]
    emit(state, data, "\n".join(lines))


def _consultant_facts(uow: SqlUnitOfWork, consultant: Person, view: RecordView) -> dict[str, Any]:
    return consultant_facts(uow.session, consultant, view.data["org_id"], view.data["theme_id"])


@engagement.command("schedule-hearing")
@click.argument("record_id", metavar="ID", type=int)
@click.option(
    "--at", "at_text", required=True, metavar="DATETIME", help="ISO 8601; Tokyo time if no offset."
)
@click.option("--consultant", required=True, metavar="EMAIL")
@click.option("--override", metavar="REASON", help="Use a consultant other than the assigned one.")
@json_option
@pass_state
def engagement_schedule_hearing(
    state: State, record_id: int, at_text: str, consultant: str, override: str | None
) -> None:
    """Schedule (or move) the online hearing with a consultant (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp engagement schedule-hearing 12 \\
          --at 2026-05-12T10:00 --consultant hanako@contractor.example.jp
    """
    at = parse_datetime(at_text, "--at")
    with state.app.uow(readonly=True) as uow:
        person = person_by_email(uow.session, consultant)
        person_id = person.id

    def facts(uow: SqlUnitOfWork, view: RecordView) -> dict[str, Any]:
        return _consultant_facts(uow, uow.session.get_one(Person, person_id), view)

    def assign(uow: SqlUnitOfWork, outcome: Outcome, _actor: Actor) -> None:
        data = outcome.record.data
        assign_if_first(uow.session, data["org_id"], data["theme_id"], person_id)

    fire(
        state,
        "engagement",
        record_id,
        "schedule_hearing",
        payload={"at": at, "consultant": consultant, "override": override},
        changes={"hearing_at": at, "consultant_id": person_id},
        facts=facts,
        after=assign,
    )


@engagement.command("record-hearing")
@click.argument("record_id", metavar="ID", type=int)
@click.option(
    "--findings", required=True, metavar="TEXT", help="現状・課題 and the agreed support content."
)
@json_option
@pass_state
def engagement_record_hearing(state: State, record_id: int, findings: str) -> None:
    """Record what the hearing found (lead or consultant).

    \b
    Example:
      banso --as hanako@contractor.example.jp engagement record-hearing 12 --findings "窓口業務の…"
    """
    fire(
        state,
        "engagement",
        record_id,
        "record_hearing",
        changes={"findings": findings},
    )


@engagement.command("draft-plan")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--goals", required=True, metavar="TEXT")
@click.option("--planned-dispatches", type=click.IntRange(min=0), metavar="N")
@json_option
@pass_state
def engagement_draft_plan(
    state: State, record_id: int, goals: str, planned_dispatches: int | None
) -> None:
    """Draft the support plan (支援計画書) after the hearing (lead or consultant).

    \b
    Example:
      banso --as hanako@contractor.example.jp engagement draft-plan 12 \\
          --goals "…" --planned-dispatches 6
    """
    fire(
        state,
        "engagement",
        record_id,
        "draft_plan",
        changes={"goals": goals, "planned_dispatches": planned_dispatches},
    )


@engagement.command("approve-plan")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def engagement_approve_plan(state: State, record_id: int) -> None:
    """Approve the support plan and, with it, the consultant (prefecture only, §6(2)①).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp engagement approve-plan 12
    """
    fire(state, "engagement", record_id, "approve_plan")


@engagement.command("start")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def engagement_start(state: State, record_id: int) -> None:
    """Start support on an approved plan (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp engagement start 12
    """
    fire(state, "engagement", record_id, "start")


def _dispatch_facts(uow: SqlUnitOfWork, view: RecordView) -> dict[str, Any]:
    return {
        "held_dispatches": len(dispatches_of(uow.session, view.id, ("held",))),
        "open_dispatches": dispatches_of(uow.session, view.id, OPEN_DISPATCH),
    }


@engagement.command("report")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--outcome", required=True, metavar="TEXT")
@json_option
@pass_state
def engagement_report(state: State, record_id: int, outcome: str) -> None:
    """Report the outcome; needs a held dispatch and none still open (lead or consultant).

    \b
    Example:
      banso --as hanako@contractor.example.jp engagement report 12 --outcome "…"
    """
    fire(
        state,
        "engagement",
        record_id,
        "report",
        changes={"outcome": outcome},
        facts=_dispatch_facts,
    )


@engagement.command("withdraw")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@json_option
@pass_state
def engagement_withdraw(state: State, record_id: int, reason: str) -> None:
    """Withdraw an engagement (lead or prefecture).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp engagement withdraw 12 --reason 団体の事情により
    """
    fire(
        state,
        "engagement",
        record_id,
        "withdraw",
        changes={"reason": reason},
        facts=_dispatch_facts,
    )


# -- dispatches -------------------------------------------------------------


@cli.group()
def dispatch() -> None:
    """Dispatches of consultants, within the monthly cap and the year's quotas."""


@dispatch.command("plan")
@click.argument("engagement_id", metavar="ENGAGEMENT_ID", type=int)
@click.option("--at", "at_text", required=True, metavar="DATETIME")
@click.option("--mode", required=True, type=click.Choice(["onsite", "web"]))
@click.option("--consultant", metavar="EMAIL", help="Default: the engagement's consultant.")
@click.option(
    "--override",
    metavar="REASON",
    help="Past the monthly cap (lead/prefecture) or another consultant.",
)
@json_option
@pass_state
def dispatch_plan(
    state: State,
    engagement_id: int,
    at_text: str,
    mode: str,
    consultant: str | None,
    override: str | None,
) -> None:
    """Plan a dispatch for an engagement in support; quotas are checked as it is planned.

    \b
    Example:
      banso --as hanako@contractor.example.jp dispatch plan 12 --at 2026-06-03T13:30 --mode onsite
    """
    app = state.app
    at = parse_datetime(at_text, "--at")
    day = tokyo_date(at)
    with app.uow() as uow:
        actor = app.actor(uow, "plan a dispatch")
        # Lock the quota row first: whoever holds it counts and inserts alone.
        quota = setting(uow.session, "quota", lock=True)
        eng = uow.records.get("engagement", engagement_id)
        check_own_work(uow, actor, eng, "plan_dispatch")
        if consultant:
            person = person_by_email(uow.session, consultant)
        elif eng.data["consultant_id"]:
            person = uow.session.get_one(Person, eng.data["consultant_id"])
        else:
            raise InvalidValue(
                "--consultant", None, "an e-mail: the engagement has no consultant yet"
            )
        theme = uow.session.get_one(Theme, eng.data["theme_id"])
        month, fy = f"{day:%Y-%m}", fiscal_year(day)
        data = {
            "engagement_id": engagement_id,
            "consultant_id": person.id,
            "at": at,
            "mode": mode,
            "month": month,
            "fiscal_year": fy,
            "standardization": is_standardization(uow.session, theme),
        }
        contract = setting(uow.session, "contract")
        facts = {
            "contract_start": date.fromisoformat(contract["start"]),
            "contract_end": date.fromisoformat(contract["end"]),
            "engagement_state": eng.state,
            "engagement_state_label": app.runner.definition("engagement").label_of(eng.state),
            "quotas": Quotas(**quota),
            **consultant_facts(uow.session, person, eng.data["org_id"], eng.data["theme_id"]),
            **dispatch_counts(
                uow.session,
                engagement_id=engagement_id,
                month=month,
                fiscal_year=fy,
            ),
        }
        outcome = app.runner.create(
            uow, "dispatch", actor=actor, data=data, payload={"override": override}, facts=facts
        )
        assign_if_first(uow.session, eng.data["org_id"], eng.data["theme_id"], person.id)
        uow.commit()
    report(state, outcome)


@dispatch.command("confirm")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def dispatch_confirm(state: State, record_id: int) -> None:
    """Confirm a planned dispatch with the organisation.

    \b
    Example:
      banso --as hanako@contractor.example.jp dispatch confirm 31
    """
    fire(state, "dispatch", record_id, "confirm")


@dispatch.command("record")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--summary", required=True, metavar="TEXT")
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), metavar="H")
@json_option
@pass_state
def dispatch_record(state: State, record_id: int, summary: str, hours: float | None) -> None:
    """Record a dispatch as held, with what was done.

    \b
    Example:
      banso --as hanako@contractor.example.jp dispatch record 31 --summary "…" --hours 2
    """
    fire(
        state,
        "dispatch",
        record_id,
        "record",
        changes={"summary": summary, "hours": hours},
    )


@dispatch.command("cancel")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@json_option
@pass_state
def dispatch_cancel(state: State, record_id: int, reason: str) -> None:
    """Cancel a planned or confirmed dispatch; its quota slot is freed.

    \b
    Example:
      banso --as lead@contractor.example.jp dispatch cancel 31 --reason 台風のため延期
    """
    fire(
        state,
        "dispatch",
        record_id,
        "cancel",
        changes={"reason": reason},
    )


@dispatch.command("list")
@click.option("--month", metavar="YYYY-MM")
@click.option("--engagement", "engagement_id", type=int, metavar="ID")
@json_option
@pass_state
def dispatch_list(state: State, month: str | None, engagement_id: int | None) -> None:
    """List dispatches.

    \b
    Example:
      banso dispatch list --month 2026-10
    """
    if month is not None and not (
        len(month) == 7 and month[4] == "-" and month.replace("-", "").isdigit()
    ):
        raise InvalidValue("--month", month, "YYYY-MM, e.g. 2026-10")
    with state.app.uow(readonly=True) as uow:
        stmt = select(Dispatch.id).order_by(Dispatch.at, Dispatch.id)
        if month:
            stmt = stmt.where(Dispatch.month == month)
        if engagement_id is not None:
            stmt = stmt.where(Dispatch.engagement_id == engagement_id)
        views = [uow.records.get("dispatch", i) for i in uow.session.scalars(stmt)]
        emails = {p.id: p.email for p in uow.session.scalars(select(Person))}
    items = [
        {**record_json(state, v), "consultant": emails.get(v.data["consultant_id"])} for v in views
    ]
    rows = [
        [
            str(v.id),
            str(v.data["engagement_id"]),
            when(v.data["at"]),
            v.data["mode"],
            state_text(state, "dispatch", v.state),
            item["consultant"] or "",
        ]
        for v, item in zip(views, items, strict=True)
    ]
    emit(state, items, table(rows, ["id", "engagement", "at", "mode", "state", "consultant"]))
