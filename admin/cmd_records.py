"""Consultations, deliverables, meetings and the budget."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from banso.admin.cli import State, pass_state
from banso.admin.decisions import on_behalf_from, on_behalf_options
from banso.admin.i18n import _
from banso.admin.invite_options import invite_details_options, pop_invite
from banso.admin.output import emit, json_option, report, state_text, table, when, width
from banso.admin.triggers import register
from banso.admin.types import CHANNEL, CHANNEL_METAVAR
from banso.engine.era import format_fiscal_year
from banso.services import budget as budget_uc
from banso.services import desk, meetings, views
from banso.services.context import Services
from banso.workflows import DELIVERABLE_KINDS, MEETING_KINDS
from banso.workflows import deliverable as deliverable_wf
from banso.workflows.parse import parse_date, parse_datetime


@click.group()
def consultation() -> None:
    """The consultation desk: the prefecture receives, a consultant answers."""


@consultation.command("new")
@click.option("--org", "org_code", required=True, metavar="CODE")
@click.option("--topic", required=True, metavar="TEXT")
@click.option(
    "--channel", type=CHANNEL, metavar=CHANNEL_METAVAR, help="How it reached the prefecture."
)
@click.option("--contact-name", metavar="TEXT", help="The organisation's contact person.")
@click.option("--contact-email", metavar="EMAIL", help="The contact's e-mail.")
@click.option("--contact-phone", metavar="TEXT", help="The contact's phone number.")
@on_behalf_options
@json_option
@pass_state
def consultation_new(
    state: State,
    /,
    org_code: str,
    topic: str,
    channel: str | None,
    contact_name: str | None,
    contact_email: str | None,
    contact_phone: str | None,
    **behalf: Any,
) -> None:
    """Enter a consultation the prefecture received: a prefecture person, or the lead
    on its behalf (--on-behalf-of the person who received it, --date the day it came
    in; --ref and --evidence, the forwarded mail, if there are any).

    \b
    Example:
      banso consultation new --org 332020 --topic 生成AIの利用規程 --channel 電話 \\
        --contact-name '佐藤 花子' --on-behalf-of taro@pref.okayama.example.jp --date 2026/5/8
    """
    contact = {"contact_name": contact_name, "contact_email": contact_email,
               "contact_phone": contact_phone}  # fmt: skip
    on_behalf = on_behalf_from(behalf, ref_required=False)
    report(
        state,
        desk.new_consultation(
            state.services, state.user, org_code, topic, channel, contact, on_behalf
        ),
    )


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
    report(state, desk.assign_consultation(state.services, state.user, record_id, consultant))


register(consultation, "consultation")


@consultation.command("list")
@json_option
@pass_state
def consultation_list(state: State) -> None:
    """List consultations.

    \b
    Example:
      banso consultation list --json
    """
    items = [
        views.record_json(state.services, v)
        for v in views.records(state.services, "consultation", viewer=state.viewer)
    ]
    orgs = views.org_names(state.services)
    rows = [
        [str(c["id"]), state_text(state, "consultation", c["state"]), orgs.get(c["org_id"], ""),
         c["topic"]]
        for c in items
    ]  # fmt: skip
    emit(state, items, table(rows, [_("id"), _("state"), _("organisation"), _("topic")]))


@click.group()
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
    found = views.records(
        state.services, "deliverable", viewer=state.viewer, kind=kind, state=state_name
    )
    items = [views.record_json(state.services, v) for v in found]
    rows = [
        [str(d["id"]), d["kind"], d["title"], state_text(state, "deliverable", d["state"])]
        for d in items
    ]
    emit(state, items, table(rows, [_("id"), _("kind"), _("title"), _("state")]))


@deliverable.command("show")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def deliverable_show(state: State, record_id: int) -> None:
    """Show one deliverable: its state, due date, latest files and the prefecture's last
    decision (approved, received 受領, inspected 完了検査 or returned: who, when, reference).

    \b
    Example:
      banso deliverable show 7
    """
    from datetime import date

    from banso.admin.i18n import japanese
    from banso.engine.era import format_date

    data = views.deliverable(state.services, record_id, state.viewer)
    decision = data["decision"]
    due = data["due"]
    files = "、".join(f["name"] for f in data["files"]) or "—"
    if japanese():
        from banso.admin.refusals_ja import kind_label

        decided = "—"
        if decision is not None:
            who = decision["by_name"] or decision["by"]
            day = format_date(date.fromisoformat(decision["on"]))
            decided = f"{decision['label']}（{day}、{who}"
            if decision["ref"]:
                decided += f"、{decision['ref']}"
            if decision["recorded_by"]:
                decided += f"、{decision['recorded_by']}が県に代わって記録"
            decided += "）"
        fields = [
            ("状態", state_text(state, "deliverable", data["state"])),
            ("種類", DELIVERABLE_KINDS[data["kind"]][0]),
            ("提出期限", format_date(date.fromisoformat(due)) if due else "—"),
            ("最新の版", files),
            ("県の判断", decided),
        ]
        lines = [f"{kind_label('deliverable')}{data['id']}  {data['title']}"]
        lines += [f"  {label}{' ' * (12 - width(label))}{value}" for label, value in fields]
        emit(state, data, "\n".join(lines))
        return
    decided = "—"
    if decision is not None:
        decided = f"{decision['trigger'].replace('_', '-')} on {decision['on']} by {decision['by']}"
        if decision["ref"]:
            decided += f", ref {decision['ref']}"
        if decision["recorded_by"]:
            decided += f", recorded on the prefecture's behalf by {decision['recorded_by']}"
    lines = [
        f"deliverable {data['id']}  {data['title']}",
        f"  state     {data['state']}（{data['state_label']}）  version {data['version']}",
        f"  kind      {data['kind']}",
        f"  due       {due or '—'}",
        f"  files     {files}",
        f"  decision  {decided}",
    ]
    emit(state, data, "\n".join(lines))


register(deliverable, "deliverable")

FORMATS = ("docx", "xlsx", "pptx", "pdf")


@deliverable.command("generate")
@click.argument("record_id", metavar="ID", type=int)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Only these formats (repeatable); default: every format the deliverable comes in.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this folder (default: documents_dir, var/documents).",
)
@json_option
@pass_state
def deliverable_generate(
    state: State, record_id: int, formats: tuple[str, ...], out: Path | None
) -> None:
    """Generate a new version of a deliverable's files from the data (lead); a pending or
    returned deliverable becomes drafted. A version never replaces another.

    \b
    Example:
      banso --as lead@contractor.example.jp deliverable generate 4 --out ./提出物
    """
    from banso.services import documents

    done = documents.generate(_with_folder(state, out), state.user, record_id, formats or None)
    lines = [
        _("deliverable {id}: version {version} written").format(id=record_id, version=done.version)
    ]
    lines += [
        _("  {file}  ({size} bytes, sha256 {sha}…)").format(
            file=f.location, size=f"{f.size:,}", sha=f.sha256[:12]
        )
        for f in done.files
    ]
    if done.drafted:
        lines.append(_("  pending → drafted"))
    lines += [
        _(
            "  no {format} written: no Japanese font is installed (apt-get install fonts-noto-cjk)"
        ).format(format=fmt)
        for fmt in done.skipped
    ]
    emit(
        state,
        {
            "id": record_id,
            "version": done.version,
            "drafted": done.drafted,
            "files": [views.file_json(f) for f in done.files],
            "skipped": list(done.skipped),
        },
        "\n".join(lines),
    )


@deliverable.command("files")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def deliverable_files(state: State, record_id: int) -> None:
    """The generated versions of a deliverable: file, SHA-256, size, who, when, submitted.

    \b
    Example:
      banso deliverable files 4
    """
    from banso.services import documents

    found = documents.versions(state.services, record_id)
    rows = [
        [f"第{f.version}版", f.format, f.filename, f"{f.size:,}", f.sha256[:12], f.created_by,
         when(f.created_at), when(f.submitted_at)]
        for f in found
    ]  # fmt: skip
    emit(
        state,
        [views.file_json(f) for f in found],
        table(
            rows,
            [
                _("version"),
                _("format"),
                _("file"),
                _("bytes"),
                _("sha256"),
                _("by"),
                _("at"),
                _("submitted"),
            ],
        ),
    )


@deliverable.command("submit")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def deliverable_submit(state: State, record_id: int) -> None:
    """Submit the latest version to the prefecture with its cover letter (lead); one is
    generated first if there is none.

    \b
    Example:
      banso --as lead@contractor.example.jp deliverable submit 3
    """
    from banso.services import documents

    outcome, _files = documents.submit(state.services, state.user, record_id)
    report(state, outcome)


@deliverable.command("notify-delay")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--until", "until_text", required=True, metavar="DATE", help="The new date.")
@click.option("--reason", required=True, metavar="TEXT", help="Why it is late.")
@pass_state
def deliverable_notify_delay(state: State, record_id: int, until_text: str, reason: str) -> None:
    """Tell the prefecture that a deliverable will be late (lead): one 【提出遅延のご連絡】
    with the new date and the month's figures so far.

    \b
    Example:
      banso --as lead@contractor.example.jp deliverable notify-delay 7 --until 2026-10-16 \\
        --reason 集計の確認に時間を要しているため
    """
    from banso.services.delays import notify_delay

    until = parse_date(until_text, "--until")
    key = notify_delay(state.services, state.user, record_id, until=until, reason=reason)
    emit(
        state,
        {"queued": key},
        _("Delay notice for deliverable {id} queued ({key}).").format(id=record_id, key=key),
    )


@click.group()
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
@invite_details_options
@click.option(
    "--override", metavar="REASON", help="On a closed day or outside 08:00-20:00, and why."
)
@json_option
@pass_state
def meeting_schedule(
    state: State,
    /,
    kind: str,
    at_text: str,
    place: str | None,
    url: str | None,
    engagement_id: int | None,
    override: str | None,
    **invite: Any,
) -> None:
    """Schedule a meeting (lead or prefecture); one monthly regular meeting a month.

    \b
    Example:
      banso --as lead@contractor.example.jp meeting schedule monthly --at 2026-10-15T14:00 --url https://meet.example.jp/x
    """
    at = parse_datetime(at_text, "--at")
    outcome = meetings.schedule_meeting(
        state.services,
        state.user,
        kind,
        at=at,
        place=place,
        url=url,
        engagement_id=engagement_id,
        invite=pop_invite(invite, at),
        override=override,
    )
    report(state, outcome)


register(meeting, "meeting")


@meeting.command("slides")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this folder (default: documents_dir, var/documents).",
)
@json_option
@pass_state
def meeting_slides(state: State, out: Path | None) -> None:
    """Make the report meeting's slides (事業報告会資料, .pptx) from the year's records (lead).

    \b
    Example:
      banso --as lead@contractor.example.jp meeting slides --out ./事業報告会
    """
    from banso.services import documents

    location = documents.report_slides(_with_folder(state, out), state.user)
    emit(state, {"file": location}, _("slides written: {file}").format(file=location))


def _with_folder(state: State, out: Path | None) -> Services:
    """The services, writing documents into ``out`` when it is given."""
    if out is None:
        return state.services
    from banso.documents.folder import FolderStore

    folder = out
    return replace(state.services, file_store_factory=lambda: FolderStore(folder))


@meeting.command("list")
@json_option
@pass_state
def meeting_list(state: State) -> None:
    """List meetings.

    \b
    Example:
      banso meeting list
    """
    found = views.records(state.services, "meeting", order_by=("at",), viewer=state.viewer)
    items = [views.record_json(state.services, v) for v in found]
    rows = [
        [str(v.id), MEETING_KINDS[v.data["kind"]], when(v.data["at"]),
         state_text(state, "meeting", v.state)]
        for v in found
    ]  # fmt: skip
    emit(state, items, table(rows, [_("id"), _("kind"), _("at"), _("state")]))


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def budget(ctx: click.Context) -> None:
    """Dispatches used / committed / left, per theme and in total, and the months left.

    \b
    Example:
      banso budget
    """
    if ctx.invoked_subcommand is not None:
        return
    state = ctx.find_object(State)
    assert state is not None
    data = budget_uc.budget(state.services)
    total, std, plans = data["total"], data["standardization"], data["plans"]
    lines = [
        _("{year} dispatches: {held} held, {committed} planned/confirmed, {left} left of the "
          "budget {limit}")
        .format(year=format_fiscal_year(data["fiscal_year"]), held=total["held"],
                committed=total["committed"], left=total["left"], limit=total["limit"]),
        _("  approved plans: {planned} dispatches, {to_plan} of them not planned yet; "
          "{left} left after them")
        .format(planned=plans["planned"], to_plan=plans["to_plan"],
                left=plans["left_after_plans"]),
        _("  標準化支援: {held} held, {committed} planned/confirmed, target {target}")
        .format(held=std["held"], committed=std["committed"], target=std["target"]),
        _("  monthly cap per organisation and theme: {cap}; months left in the contract: "
          "{months}")
        .format(cap=data["monthly_cap"], months=data["months_left"]),
        _("consultations: {count} of about {expected} expected").format(
            count=data["consultations"]["count"], expected=data["consultations"]["expected"]),
    ]  # fmt: skip
    if std["warning"]:
        lines.append(_("warning: {text}").format(text=std["warning"]))
    if data["themes"]:
        lines.append(
            table(
                [[e["theme"], e["name"], str(e["held"]), str(e["committed"])]
                 for e in data["themes"]],
                [_("theme"), _("name"), _("held"), _("planned/confirmed")],
            )
        )  # fmt: skip
    emit(state, data, "\n".join(lines))


@budget.command("set")
@click.option(
    "--total",
    type=click.IntRange(min=0),
    metavar="N",
    help="The budget agreed with the prefecture: the year's dispatches, a hard limit.",
)
@click.option(
    "--standardization",
    type=click.IntRange(min=0),
    metavar="N",
    help="Of which standardisation: a target that warns, not a limit.",
)
@click.option(
    "--monthly-cap",
    type=click.IntRange(min=0),
    metavar="N",
    help="Per organisation and top-level theme a month.",
)
@on_behalf_options
@json_option
@pass_state
def budget_set(
    state: State,
    /,
    total: int | None,
    standardization: int | None,
    monthly_cap: int | None,
    **behalf: Any,
) -> None:
    """Change the budget and quotas (prefecture only, or the lead on its behalf); the budget
    is a hard limit, never below what is already used. Audited before and after.

    \b
    Examples:
      banso --as taro@pref.okayama.example.jp budget set --total 480 --standardization 365
      banso --as lead@contractor.example.jp budget set --total 480 \\
          --on-behalf-of taro@pref.okayama.example.jp --date 2026-09-01 --ref デジ第300号
    """
    new = budget_uc.set_quotas(
        state.services,
        state.user,
        total=total,
        standardization=standardization,
        monthly_cap=monthly_cap,
        on_behalf=on_behalf_from(behalf),
    )
    emit(
        state,
        new,
        _(
            "quotas: {total} dispatches, {standardization} standardisation, "
            "{cap} per engagement a month"
        ).format(
            total=new["total"], standardization=new["standardization"], cap=new["monthly_cap"]
        ),
    )


@meeting.command("notify-delay")
@click.argument("month_text", metavar="MONTH")
@click.option("--until", "until_text", required=True, metavar="DATE", help="The new date.")
@click.option("--reason", required=True, metavar="TEXT", help="Why it is late.")
@pass_state
def meeting_notify_delay(state: State, month_text: str, until_text: str, reason: str) -> None:
    """Tell the prefecture that a month's regular meeting (定例報告会, §8(3)) will be late
    (lead): one 【開催遅延のご連絡】 with the new date and the month's figures so far.

    \b
    Example:
      banso --as lead@contractor.example.jp meeting notify-delay 2026-05 --until 2026-06-03 \\
        --reason 県との日程調整がつかなかったため
    """
    from banso.services.delays import notify_meeting_delay
    from banso.workflows.parse import parse_month

    month = parse_month(month_text, "MONTH")
    until = parse_date(until_text, "--until")
    key = notify_meeting_delay(state.services, state.user, month, until=until, reason=reason)
    emit(
        state,
        {"queued": key},
        _("Delay notice for the regular meeting of {month} queued ({key}).").format(
            month=month, key=key
        ),
    )
