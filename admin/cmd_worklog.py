"""Research and materials work between visits (spec §6(2)③): `banso work record|list`."""

from __future__ import annotations

import click

from banso.admin.cli import State, pass_state
from banso.admin.i18n import _
from banso.admin.output import emit, json_option, table
from banso.services import work as work_service
from banso.services.views import record_json
from banso.workflows.parse import parse_date, parse_month


@click.group()
def work() -> None:
    """Research and materials between visits: hours in the monthly report, never a dispatch."""


@work.command("record")
@click.argument("engagement_id", metavar="ENGAGEMENT", type=int)
@click.option("--date", "date_text", required=True, metavar="DATE", help="The day of the work.")
@click.option("--hours", required=True, type=float, metavar="H", help="More than 0, at most 24.")
@click.option(
    "--summary", required=True, metavar="TEXT", help="What was researched or drafted (a few lines)."
)
@json_option
@pass_state
def work_record(
    state: State, engagement_id: int, date_text: str, hours: float, summary: str
) -> None:
    """Record research or materials for an engagement with an approved plan or in support
    (its consultant, or the lead).

    \b
    Example:
      banso --as hanako@contractor.example.jp work record 12 --date 2026-06-10 --hours 2.5 \\
        --summary "標準化の移行計画の比較資料を作成"
    """
    day = parse_date(date_text, "--date")
    outcome = work_service.record_work(
        state.services, state.user, engagement_id, day=day, hours=hours, summary=summary
    )
    view = outcome.record
    line = _("work {id} recorded: {hours:g} h on engagement {engagement} ({day})").format(
        id=view.id, hours=view.data["hours"], engagement=engagement_id, day=day.isoformat()
    )
    emit(state, record_json(state.services, view), line)


@work.command("list")
@click.option("--engagement", "engagement_id", type=int, metavar="ID")
@click.option("--month", metavar="YYYY-MM")
@json_option
@pass_state
def work_list(state: State, engagement_id: int | None, month: str | None) -> None:
    """List the work recorded between visits (a consultant sees their own).

    \b
    Example:
      banso work list --month 2026-06
    """
    if month is not None:
        month = parse_month(month, "--month")
    found = work_service.work_entries(state.services, engagement_id, month, state.viewer)
    rows = [
        [str(item["id"]), str(item["engagement_id"]), item["engagement"], str(item["day"]),
         f"{item['hours']:g}", item["consultant"] or "", item["summary"].splitlines()[0]]
        for item in found
    ]  # fmt: skip
    headers = [_("id"), _("engagement"), _("about"), _("date"), _("hours"), _("consultant"),
               _("summary")]  # fmt: skip
    total = sum(float(item["hours"]) for item in found)
    text = (
        table(rows, headers)
        + "\n"
        + _("{count} entr(ies), {hours:g} h").format(count=len(found), hours=total)
    )
    emit(state, found, text)
