"""Engagements, dispatches and the demand survey: hearing → plan → dispatches → outcome."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from banso.admin.cli import State, pass_state
from banso.admin.i18n import _, japanese
from banso.admin.invite_options import invite_options, pop_invite
from banso.admin.output import emit, json_option, mode_text, report, state_text, table, when, width
from banso.admin.triggers import register
from banso.admin.types import MODE, MODE_METAVAR
from banso.engine.errors import InvalidValue
from banso.services import dispatches, engagements, views
from banso.workflows import engagement as engagement_wf
from banso.workflows.parse import parse_date, parse_datetime, parse_month


@click.group()
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
    report(
        state, engagements.new_engagement(state.services, state.user, org_code, theme_code, request)
    )


@engagement.command("list")
@click.option("--state", "state_name", type=click.Choice(list(engagement_wf.DEFINITION.states)))
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
    items = views.engagements(state.services, state_name, org_code, theme_code, viewer=state.viewer)
    rows = [
        [str(e["id"]), state_text(state, "engagement", e["state"]), e["org_name"],
         e["theme_name"], e["consultant"] or "—"]
        for e in items
    ]  # fmt: skip
    headers = [_("id"), _("state"), _("organisation"), _("theme"), _("consultant")]
    emit(state, items, table(rows, headers))


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
    data = views.engagement(state.services, record_id, state.viewer)
    hearing = data["hearing_at"]
    if japanese():
        from banso.admin.refusals_ja import kind_label
        from banso.workflows.labels import MODE_LABELS

        fields = [
            ("状態", state_text(state, "engagement", data["state"])),
            ("担当専門人材", data["consultant"] or "—"),
            ("ヒアリング", when(parse_datetime(hearing) if hearing else None)),
            ("現状・課題", data["findings"] or "—"),
            ("支援計画", data["goals"] or "—"),
            ("成果", data["outcome"] or "—"),
            ("派遣", f"{len(data['dispatches'])}件"),
        ]
        lines = [
            f"{kind_label('engagement')}{data['id']}  {data['org_name']} × {data['theme_name']}"
        ]
        lines += [f"  {label}{' ' * (14 - width(label))}{value}" for label, value in fields]
        lines += [
            f"    {d['id']}：{when(parse_datetime(d['at']))} "
            f"{MODE_LABELS.get(d['mode'], d['mode'])} {state_text(state, 'dispatch', d['state'])}"
            for d in data["dispatches"]
        ]
        emit(state, data, "\n".join(lines))
        return
    lines = [
        f"engagement {data['id']}  {data['org_name']} × {data['theme_name']}",
        f"  state       {data['state']}（{data['state_label']}）  version {data['version']}",
        f"  consultant  {data['consultant'] or '—'}",
        f"  hearing     {when(parse_datetime(hearing) if hearing else None)}",
        f"  findings    {data['findings'] or '—'}",
        f"  plan        {data['goals'] or '—'}",
        f"  outcome     {data['outcome'] or '—'}",
        f"  dispatches  {len(data['dispatches'])}",
    ]
    lines += [
        f"    {d['id']}: {when(parse_datetime(d['at']))} {d['mode']} {d['state']}"
        for d in data["dispatches"]
    ]
    emit(state, data, "\n".join(lines))


@engagement.command("schedule-hearing")
@click.argument("record_id", metavar="ID", type=int)
@click.option(
    "--at", "at_text", required=True, metavar="DATETIME", help="ISO 8601; Tokyo time if no offset."
)
@click.option("--consultant", required=True, metavar="EMAIL")
@click.option(
    "--override",
    metavar="REASON",
    help="Another consultant than the assigned one, or a closed day or hour.",
)
@invite_options
@json_option
@pass_state
def engagement_schedule_hearing(
    state: State,
    /,
    record_id: int,
    at_text: str,
    consultant: str,
    override: str | None,
    **invite: Any,
) -> None:
    """Schedule (or move) the online hearing with a consultant (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp engagement schedule-hearing 12 \\
          --at 2026-05-12T10:00 --consultant hanako@contractor.example.jp
    """
    at = parse_datetime(at_text, "--at")
    details = pop_invite(invite, at)
    outcome = engagements.schedule_hearing(
        state.services,
        state.user,
        record_id,
        at=at,
        consultant=consultant,
        override=override,
        invite=details,
    )
    report(state, outcome)


@engagement.command("propose-expert")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--consultant", required=True, metavar="EMAIL")
@click.option(
    "--override", metavar="REASON", help="Propose a consultant other than the assigned one."
)
@click.option(
    "--reason", metavar="TEXT", help="Why this consultant: the mail to the prefecture says it."
)
@json_option
@pass_state
def engagement_propose_expert(
    state: State, record_id: int, consultant: str, override: str | None, reason: str | None
) -> None:
    """Propose the consultant for an engagement to the prefecture (lead, §6(2)① 県と協議の上).

    The prefecture is asked by mail (the consultant's company, fields, record and
    --reason); the hearing needs its agreement (`engagement agree-expert`); so does
    another consultant later.

    \b
    Example:
      banso --as lead@contractor.example.jp engagement propose-expert 12 \\
          --consultant hanako@contractor.example.jp
    """
    outcome = engagements.propose_expert(
        state.services, state.user, record_id, consultant=consultant, override=override,
        reason=reason,
    )  # fmt: skip
    report(state, outcome)


register(engagement, "engagement")


@click.group()
def dispatch() -> None:
    """Dispatches of consultants, within the monthly cap and the year's quotas."""


@dispatch.command("plan")
@click.argument("engagement_id", metavar="ENGAGEMENT_ID", type=int)
@click.option("--at", "at_text", required=True, metavar="DATETIME")
@click.option("--mode", required=True, type=MODE, metavar=MODE_METAVAR)
@click.option("--consultant", metavar="EMAIL", help="Default: the engagement's consultant.")
@click.option(
    "--override",
    metavar="REASON",
    help="Past the monthly cap or the plan's number (lead/prefecture), another "
    "consultant, or a closed day or hour; the reason is recorded.",
)
@invite_options
@json_option
@pass_state
def dispatch_plan(
    state: State,
    /,
    engagement_id: int,
    at_text: str,
    mode: str,
    consultant: str | None,
    override: str | None,
    **invite: Any,
) -> None:
    """Plan a dispatch for an engagement in support; quotas are checked as it is planned.

    \b
    Example:
      banso --as hanako@contractor.example.jp dispatch plan 12 --at 2026-06-03T13:30 --mode onsite
    """
    at = parse_datetime(at_text, "--at")
    details = pop_invite(invite, at)
    outcome = dispatches.plan_dispatch(
        state.services,
        state.user,
        engagement_id,
        at=at,
        mode=mode,
        consultant=consultant,
        override=override,
        invite=details,
    )
    report(state, outcome)


@dispatch.command("reassign")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--consultant", required=True, metavar="EMAIL", help="Who takes the visit over.")
@click.option("--reason", required=True, metavar="TEXT", help="Why (kept inside the contractor).")
@json_option
@pass_state
def dispatch_reassign(state: State, record_id: int, consultant: str, reason: str) -> None:
    """Hand a planned or confirmed dispatch to another consultant (lead): the organisation
    and the new consultant are mailed with an updated .ics, the former one a CANCEL.

    \b
    Example:
      banso --as lead@contractor.example.jp dispatch reassign 31 \\
          --consultant jiro@contractor.example.jp --reason 担当者の体調不良のため
    """
    outcome = dispatches.reassign_dispatch(
        state.services, state.user, record_id, consultant=consultant, reason=reason
    )
    report(state, outcome)


register(dispatch, "dispatch")


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
    if month is not None:
        month = parse_month(month, "--month")
    found = views.dispatches(state.services, month, engagement_id, state.viewer)
    rows = [
        [str(v.id), str(v.data["engagement_id"]), when(v.data["at"]), mode_text(v.data["mode"]),
         state_text(state, "dispatch", v.state), item["consultant"] or ""]
        for v, item in found
    ]  # fmt: skip
    headers = [_("id"), _("engagement"), _("at"), _("mode"), _("state"), _("consultant")]
    emit(state, [item for item in (pair[1] for pair in found)], table(rows, headers))


@click.group()
def survey() -> None:
    """The prefecture's demand survey (支援要望調査)."""


@survey.command("import")
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
@click.option(
    "--hearing-by",
    "hearing_by_text",
    default="preferred",
    show_default=True,
    metavar="preferred|days|DATE",
    help="When each hearing is due: the start of the row's 希望時期 (rows without one: "
    "the business days of the setting), the setting's business days, or one date.",
)
@json_option
@pass_state
def survey_import(state: State, path: Path, hearing_by_text: str) -> None:
    """Import the survey (.xlsx or .csv): every row is checked first, then each becomes an
    engagement in `requested`; one bad row and nothing is imported.

    \b
    Example:
      banso --as lead@contractor.example.jp survey import 支援要望調査.xlsx
      banso --as lead@contractor.example.jp survey import 支援要望調査.xlsx --hearing-by 2026-06-30
    """
    hearing_by: str | date = hearing_by_text
    if hearing_by_text not in ("preferred", "days"):
        hearing_by = parse_date(hearing_by_text, "--hearing-by")
    from banso.documents.survey import SurveyLimits, read_survey

    if not path.is_file():
        raise InvalidValue("FILE", str(path), "an existing .xlsx or .csv file")
    known = engagements.survey_vocabulary(state.services, state.user)
    limits = SurveyLimits(
        max_bytes=state.settings.survey_max_bytes, max_rows=state.settings.survey_max_rows
    )
    rows = read_survey(
        path,
        orgs=known.orgs,
        themes=known.themes,
        contract_months=known.contract_months,
        limits=limits,
    )
    from banso.admin.progress import progress_bar

    # On stderr, and only when a person watches a terminal (admin.progress).
    with progress_bar(len(rows), _("Importing {file}").format(file=path.name)) as step:
        done = engagements.import_survey(
            state.services, state.user, rows, hearing_by, progress=step
        )
    lines = [
        _("{file}: {created} engagement(s) created, {duplicates} duplicate(s) not created").format(
            file=path.name, created=len(done.created), duplicates=len(done.duplicates)
        )
    ]
    lines += [
        _("  row {row}: {org} × {theme} already has engagement {engagement}").format(**d)
        for d in done.duplicates
    ]
    emit(state, {"created": done.created, "duplicates": done.duplicates}, "\n".join(lines))
