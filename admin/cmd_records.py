"""Consultations, deliverables, meetings, the budget and the demand survey."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from banso.admin.cli import State, cli, emit, json_option, pass_state
from banso.admin.cmd_work import create_engagement
from banso.admin.common import audit_change, fire, record_json, report, state_text, table, when
from banso.admin.effects import describe
from banso.engine.clock import parse_datetime, tokyo_date
from banso.engine.era import fiscal_year, format_fiscal_year
from banso.engine.errors import InvalidValue, Refused
from banso.engine.runner import Outcome
from banso.engine.workflow import Actor, RecordView
from banso.storage.deadlines import SqlDeadlines
from banso.storage.models import (
    Consultation,
    Deliverable,
    Dispatch,
    Engagement,
    Meeting,
    Organisation,
    Person,
    Theme,
)
from banso.storage.queries import (
    COUNTED,
    consultant_facts,
    monthly_meetings,
    open_engagement,
    org_by_code,
    person_by_email,
    put_setting,
    setting,
)
from banso.storage.uow import SqlUnitOfWork
from banso.workflows import DELIVERABLE_KINDS, MEETING_KINDS
from banso.workflows import deliverable as deliverable_wf
from banso.workflows.roles import PREFECTURE

CHANNELS = ("mail", "web", "phone")

# -- consultations (spec §6(1)) --------------------------------------------


@cli.group()
def consultation() -> None:
    """The consultation desk: the prefecture receives, a consultant answers."""


@consultation.command("new")
@click.option("--org", "org_code", required=True, metavar="CODE")
@click.option("--topic", required=True, metavar="TEXT")
@click.option("--channel", type=click.Choice(CHANNELS), help="How it reached the prefecture.")
@json_option
@pass_state
def consultation_new(state: State, org_code: str, topic: str, channel: str | None) -> None:
    """Enter a consultation the prefecture received (prefecture only).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp consultation new --org 332020 --topic 生成AIの利用規程
    """
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "enter a consultation")
        org = org_by_code(uow.session, org_code)
        data = {
            "org_id": org.id,
            "topic": topic,
            "channel": channel,
            "fiscal_year": fiscal_year(tokyo_date(app.clock.now())),
        }
        outcome = app.runner.create(uow, "consultation", actor=actor, data=data)
        uow.commit()
    report(state, outcome)


@consultation.command("assign")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--consultant", required=True, metavar="EMAIL")
@json_option
@pass_state
def consultation_assign(state: State, record_id: int, consultant: str) -> None:
    """Hand a consultation to a consultant (lead or prefecture).

    \b
    Example:
      banso --as lead@contractor.example.jp consultation assign 4 \\
          --consultant hanako@contractor.example.jp
    """
    with state.app.uow(readonly=True) as uow:
        person_id = person_by_email(uow.session, consultant).id

    def facts(uow: SqlUnitOfWork, view: RecordView) -> dict[str, Any]:
        return consultant_facts(uow.session, uow.session.get_one(Person, person_id), None, None)

    fire(
        state,
        "consultation",
        record_id,
        "assign",
        payload={"consultant": consultant},
        changes={"consultant_id": person_id},
        facts=facts,
    )


@consultation.command("answer")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--channel", required=True, type=click.Choice(CHANNELS))
@click.option("--summary", required=True, metavar="TEXT")
@json_option
@pass_state
def consultation_answer(state: State, record_id: int, channel: str, summary: str) -> None:
    """Record the answer given to the organisation (consultant or lead).

    \b
    Example:
      banso --as hanako@contractor.example.jp consultation answer 4 --channel web --summary "…"
    """
    fire(
        state,
        "consultation",
        record_id,
        "answer",
        payload={"channel": channel},
        changes={"answer_channel": channel, "summary": summary},
    )


@consultation.command("close")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def consultation_close(state: State, record_id: int) -> None:
    """Close an answered consultation (lead or prefecture).

    \b
    Example:
      banso --as lead@contractor.example.jp consultation close 4
    """
    fire(state, "consultation", record_id, "close")


@consultation.command("list")
@json_option
@pass_state
def consultation_list(state: State) -> None:
    """List consultations.

    \b
    Example:
      banso consultation list --json
    """
    with state.app.uow(readonly=True) as uow:
        ids = uow.session.scalars(select(Consultation.id).order_by(Consultation.id))
        items = [record_json(state, uow.records.get("consultation", i)) for i in ids]
        orgs = {o.id: o.name for o in uow.session.scalars(select(Organisation))}
    rows = [
        [
            str(c["id"]),
            state_text(state, "consultation", c["state"]),
            orgs.get(c["org_id"], ""),
            c["topic"],
        ]
        for c in items
    ]
    emit(state, items, table(rows, ["id", "state", "organisation", "topic"]))


# -- deliverables (spec §9) -------------------------------------------------


@cli.group()
def deliverable() -> None:
    """Deliverables: org chart, plan, roster, support plans, monthly and completion reports."""


@deliverable.command("list")
@click.option("--kind", type=click.Choice(list(DELIVERABLE_KINDS)))
@click.option("--state", "state_name", type=click.Choice(list(deliverable_wf.DEFINITION.states)))
@json_option
@pass_state
def deliverable_list(state: State, kind: str | None, state_name: str | None) -> None:
    """List deliverables.

    \b
    Example:
      banso deliverable list --kind monthly_report
    """
    with state.app.uow(readonly=True) as uow:
        stmt = select(Deliverable.id).order_by(Deliverable.id)
        if kind:
            stmt = stmt.where(Deliverable.kind == kind)
        if state_name:
            stmt = stmt.where(Deliverable.state == state_name)
        items = [
            record_json(state, uow.records.get("deliverable", i)) for i in uow.session.scalars(stmt)
        ]
    rows = [
        [str(d["id"]), d["kind"], d["title"], state_text(state, "deliverable", d["state"])]
        for d in items
    ]
    emit(state, items, table(rows, ["id", "kind", "title", "state"]))


@deliverable.command("draft")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def deliverable_draft(state: State, record_id: int) -> None:
    """Mark a deliverable drafted (or redrafted after being returned) (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp deliverable draft 3
    """
    fire(state, "deliverable", record_id, "draft")


@deliverable.command("submit")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def deliverable_submit(state: State, record_id: int) -> None:
    """Submit a drafted deliverable to the prefecture (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp deliverable submit 3
    """
    fire(state, "deliverable", record_id, "submit")


@deliverable.command("approve")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def deliverable_approve(state: State, record_id: int) -> None:
    """Approve a submitted deliverable (prefecture only).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp deliverable approve 3
    """
    fire(state, "deliverable", record_id, "approve")


@deliverable.command("return")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@json_option
@pass_state
def deliverable_return(state: State, record_id: int, reason: str) -> None:
    """Send a submitted deliverable back for changes (prefecture only).

    \b
    Example:
      banso --as taro@pref.okayama.example.jp deliverable return 3 --reason 体制図に連絡先がない
    """
    fire(
        state,
        "deliverable",
        record_id,
        "send_back",
        changes={"reason": reason},
    )


# -- meetings ---------------------------------------------------------------


@cli.group()
def meeting() -> None:
    """Meetings: kickoff, the monthly regular meeting, hearings, the report meeting."""


@meeting.command("schedule")
@click.argument("kind", type=click.Choice(list(MEETING_KINDS)))
@click.option("--at", "at_text", required=True, metavar="DATETIME")
@click.option("--place", metavar="TEXT", help="On-site: where.")
@click.option("--url", metavar="URL", help="Web meeting: the link.")
@click.option(
    "--engagement", "engagement_id", type=int, metavar="ID", help="Hearings: the engagement."
)
@json_option
@pass_state
def meeting_schedule(
    state: State,
    kind: str,
    at_text: str,
    place: str | None,
    url: str | None,
    engagement_id: int | None,
) -> None:
    """Schedule a meeting (lead or prefecture); one monthly regular meeting a month.

    \b
    Example:
      banso --as lead@contractor.example.jp meeting schedule monthly --at 2026-10-15T14:00 --url https://meet.example.jp/x
    """
    app = state.app
    at = parse_datetime(at_text, "--at")
    month = f"{tokyo_date(at):%Y-%m}"
    with app.uow() as uow:
        actor = app.actor(uow, "schedule a meeting")
        if engagement_id is not None:
            uow.records.get("engagement", engagement_id)
        data = {
            "kind": kind,
            "at": at,
            "month": month,
            "place": place,
            "url": url,
            "engagement_id": engagement_id,
        }
        facts = {"monthly_meetings_in_month": monthly_meetings(uow.session, month)}
        outcome = app.runner.create(uow, "meeting", actor=actor, data=data, facts=facts)
        if kind == "report":
            _engagements_due_before(state, uow, at)
        uow.commit()
    report(state, outcome)


def _engagements_due_before(state: State, uow: SqlUnitOfWork, at: datetime) -> None:
    """Every engagement still going must be reported before the report meeting (§6(3))."""
    effects = state.app.effects
    eve = tokyo_date(at) - timedelta(days=1)
    going = uow.session.scalars(
        select(Engagement).where(Engagement.state.not_in(("reported", "withdrawn")))
    )
    for e in going:
        about = describe(uow, "engagement", {"org_id": e.org_id, "theme_id": e.theme_id})
        effects.open(
            uow,
            obligation="report_before_meeting",
            title=f"支援成果の報告（{about.label}）",
            about_kind="engagement",
            about_id=e.id,
            org_id=e.org_id,
            due=effects.due_date(
                uow,
                eve,
                f"事業報告会（{tokyo_date(at).isoformat()}）の前日まで",
                "previous_business_day",
            ),
            responsible=effects.responsible(
                uow, "consultant_id", {"consultant_id": e.consultant_id}
            ),
            now=state.app.clock.now(),
        )


@meeting.command("hold")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--minutes", required=True, metavar="TEXT")
@json_option
@pass_state
def meeting_hold(state: State, record_id: int, minutes: str) -> None:
    """Record a meeting as held, with its minutes (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp meeting hold 7 --minutes "進捗報告…"
    """

    def monthly_met(uow: SqlUnitOfWork, outcome: Outcome, _actor: Actor) -> None:
        # Holding the month's regular meeting fulfils that month's programme deadline.
        data = outcome.record.data
        if data["kind"] == "monthly":
            year, month = (int(x) for x in data["month"].split("-"))
            period = year * 100 + month
            SqlDeadlines(uow.session).meet("programme", period, "monthly_meeting", outcome.event.at)

    fire(
        state,
        "meeting",
        record_id,
        "hold",
        changes={"minutes": minutes},
        after=monthly_met,
    )


@meeting.command("cancel")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@json_option
@pass_state
def meeting_cancel(state: State, record_id: int, reason: str) -> None:
    """Cancel a scheduled meeting (lead or prefecture).

    \b
    Example:
      banso --as lead@contractor.example.jp meeting cancel 7 --reason 日程再調整
    """
    fire(
        state,
        "meeting",
        record_id,
        "cancel",
        changes={"reason": reason},
    )


@meeting.command("list")
@json_option
@pass_state
def meeting_list(state: State) -> None:
    """List meetings.

    \b
    Example:
      banso meeting list
    """
    with state.app.uow(readonly=True) as uow:
        ids = uow.session.scalars(select(Meeting.id).order_by(Meeting.at))
        views = [uow.records.get("meeting", i) for i in ids]
    items = [record_json(state, v) for v in views]
    rows = [
        [
            str(v.id),
            MEETING_KINDS[v.data["kind"]],
            when(v.data["at"]),
            state_text(state, "meeting", v.state),
        ]
        for v in views
    ]
    emit(state, items, table(rows, ["id", "kind", "at", "state"]))


# -- budget -----------------------------------------------------------------


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def budget(ctx: click.Context) -> None:
    """Dispatches used / committed / left, per theme and in total, and the months left.

    \b
    Example:
      banso budget
    """
    if ctx.invoked_subcommand is None:
        show_budget(ctx.find_object(State))


def show_budget(state: State | None) -> None:
    assert state is not None
    app = state.app
    today = tokyo_date(app.clock.now())
    fy = fiscal_year(today)
    with app.uow(readonly=True) as uow:
        quota = setting(uow.session, "quota")
        contract = setting(uow.session, "contract")
        rows = _budget_rows(uow, fy)
        consultations = (
            uow.session.scalar(
                select(func.count()).select_from(Consultation).where(Consultation.fiscal_year == fy)
            )
            or 0
        )
    per_theme: dict[str, dict[str, Any]] = {}
    total = {"held": 0, "committed": 0}
    std = {"held": 0, "committed": 0}
    for code, name, state_name, is_std, n in rows:
        entry = per_theme.setdefault(code, {"theme": code, "name": name, "held": 0, "committed": 0})
        key = "held" if state_name == "held" else "committed"
        entry[key] += n
        total[key] += n
        if is_std:
            std[key] += n
    end = date.fromisoformat(contract["end"])
    months_left = (
        max(0, (end.year - today.year) * 12 + end.month - today.month + 1) if today <= end else 0
    )
    data = {
        "fiscal_year": fy,
        "total": {
            **total,
            "limit": quota["total"],
            "left": quota["total"] - total["held"] - total["committed"],
        },
        "standardization": {
            **std,
            "limit": quota["standardization"],
            "left": quota["standardization"] - std["held"] - std["committed"],
        },
        "monthly_cap": quota["monthly_cap"],
        "themes": sorted(per_theme.values(), key=lambda e: e["theme"]),
        "months_left": months_left,
        "consultations": {
            "count": consultations,
            "expected": contract.get("consultations_expected", 50),
        },
    }
    lines = [
        f"{format_fiscal_year(fy)} dispatches: {total['held']} held, "
        f"{total['committed']} planned/confirmed, "
        f"{data['total']['left']} left of {quota['total']}",
        f"  標準化支援: {std['held']} held, {std['committed']} planned/confirmed, "
        f"{data['standardization']['left']} left of {quota['standardization']}",
        f"  monthly cap per engagement: {quota['monthly_cap']}; "
        f"months left in the contract: {months_left}",
        f"consultations: {consultations} of about {data['consultations']['expected']} expected",
    ]
    if per_theme:
        lines.append(
            table(
                [
                    [e["theme"], e["name"], str(e["held"]), str(e["committed"])]
                    for e in data["themes"]
                ],
                ["theme", "name", "held", "planned/confirmed"],
            )
        )
    emit(state, data, "\n".join(lines))


def _budget_rows(uow: SqlUnitOfWork, fy: int) -> list[Any]:
    return list(
        uow.session.execute(
            select(Theme.code, Theme.name, Dispatch.state, Dispatch.standardization, func.count())
            .select_from(Dispatch)
            .join(Engagement, Engagement.id == Dispatch.engagement_id)
            .join(Theme, Theme.id == Engagement.theme_id)
            .where(Dispatch.fiscal_year == fy, Dispatch.state.in_(COUNTED))
            .group_by(Theme.code, Theme.name, Dispatch.state, Dispatch.standardization)
        ).all()
    )


@budget.command("set")
@click.option(
    "--total", type=click.IntRange(min=0), metavar="N", help="Dispatches in the fiscal year."
)
@click.option(
    "--standardization", type=click.IntRange(min=0), metavar="N", help="Of which standardisation."
)
@click.option(
    "--monthly-cap", type=click.IntRange(min=0), metavar="N", help="Per engagement per month."
)
@json_option
@pass_state
def budget_set(
    state: State, total: int | None, standardization: int | None, monthly_cap: int | None
) -> None:
    """Change the dispatch quotas (prefecture only); never below what is already used.

    \b
    Example:
      banso --as taro@pref.okayama.example.jp budget set --total 480 --standardization 365
    """
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "change the budget", (PREFECTURE,))
        quota = setting(uow.session, "quota", lock=True)
        fy = fiscal_year(tokyo_date(app.clock.now()))
        counted = Dispatch.state.in_(COUNTED)
        used = (
            uow.session.scalar(
                select(func.count())
                .select_from(Dispatch)
                .where(Dispatch.fiscal_year == fy, counted)
            )
            or 0
        )
        std_used = (
            uow.session.scalar(
                select(func.count())
                .select_from(Dispatch)
                .where(Dispatch.fiscal_year == fy, counted, Dispatch.standardization.is_(True))
            )
            or 0
        )
        for option, value, floor in (
            ("--total", total, used),
            ("--standardization", standardization, std_used),
        ):
            if value is not None and value < floor:
                raise Refused(
                    f"{option} {value} is below the {floor} dispatches already planned or held "
                    "this fiscal year; cancel dispatches first or choose a larger number"
                )
        new = {
            "total": quota["total"] if total is None else total,
            "standardization": quota["standardization"]
            if standardization is None
            else standardization,
            "monthly_cap": quota["monthly_cap"] if monthly_cap is None else monthly_cap,
        }
        if new["standardization"] > new["total"]:
            raise InvalidValue(
                "--standardization", new["standardization"], f"at most the total {new['total']}"
            )
        put_setting(uow.session, "quota", new)
        audit_change(state, uow, actor, "budget", fy, "set", {"before": quota, "after": new})
        uow.commit()
    emit(
        state,
        new,
        f"quotas: {new['total']} dispatches, {new['standardization']} standardisation, "
        f"{new['monthly_cap']} per engagement a month",
    )


# -- the demand survey ------------------------------------------------------


@cli.group()
def survey() -> None:
    """The prefecture's demand survey (支援要望調査)."""


@survey.command("import")
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
@json_option
@pass_state
def survey_import(state: State, path: Path) -> None:
    """Import the survey (.xlsx or .csv): every row is checked first, then each becomes an
    engagement in `requested`; one bad row and nothing is imported.

    \b
    Example:
      banso --as lead@contractor.example.jp survey import 支援要望調査.xlsx
    """
    from banso.documents.survey import read_survey

    if not path.is_file():
        raise InvalidValue("FILE", str(path), "an existing .xlsx or .csv file")
    app = state.app
    with app.uow() as uow:
        actor = app.actor(uow, "import the survey")
        orgs = list(uow.session.scalars(select(Organisation)))
        themes = list(uow.session.scalars(select(Theme)))
        org_keys = {o.code: o.code for o in orgs} | {o.name: o.code for o in orgs}
        theme_keys = {t.code: t.code for t in themes} | {t.name: t.code for t in themes}
        contract = setting(uow.session, "contract")
        span = (contract["start"][:7], contract["end"][:7])
        rows = read_survey(path, orgs=org_keys, themes=theme_keys, contract_months=span)
        by_code = {o.code: o for o in orgs}
        theme_by = {t.code: t for t in themes}
        created, duplicates = [], []
        for row in rows:
            org, theme = by_code[row.org_code], theme_by[row.theme_code]
            existing = open_engagement(uow.session, org.id, theme.id)
            if existing is not None:
                duplicates.append(
                    {
                        "row": row.row,
                        "org": org.code,
                        "theme": theme.code,
                        "engagement": existing.id,
                    }
                )
                continue
            outcome = create_engagement(
                state,
                uow,
                actor,
                org,
                theme,
                request=row.request,
                contact_name=row.contact_name,
                contact_email=row.contact_email,
                preferred_months=list(row.preferred_months),
            )
            created.append(
                {
                    "row": row.row,
                    "engagement": outcome.record.id,
                    "org": org.code,
                    "theme": theme.code,
                }
            )
        uow.commit()
    lines = [
        f"{path.name}: {len(created)} engagement(s) created, "
        f"{len(duplicates)} duplicate(s) not created"
    ]
    lines += [
        f"  row {d['row']}: {d['org']} × {d['theme']} already has engagement {d['engagement']}"
        for d in duplicates
    ]
    emit(state, {"created": created, "duplicates": duplicates}, "\n".join(lines))
