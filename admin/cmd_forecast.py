"""`banso forecast`: the rest of the fiscal year against the budget and the target."""

from __future__ import annotations

from datetime import date

import click

from banso.admin.cli import State, pass_state
from banso.admin.i18n import _, japanese
from banso.admin.output import emit, json_option, state_text, table
from banso.services import forecast as forecast_uc
from banso.workflows import forecast as rules


def _month(month: str | None) -> str:
    """2027年1月 in Japanese, 2027-01 otherwise."""
    if month is None:
        return "—"
    return rules.short_month(month) if japanese() else month


def _day(day: date) -> str:
    return rules.contract_end_label(day) if japanese() else day.isoformat()


def _status(name: str) -> str:
    return {
        rules.DONE: _("nothing left"),
        rules.ON_TRACK: _("on track"),
        rules.AT_RISK: _("start soon"),
        rules.CANNOT: _("cannot finish"),
    }[name]


def _warning(w: forecast_uc.Warning, data: forecast_uc.Forecast) -> str:
    """One warning line, in the reader's language (the .po words it as the report does)."""
    end = _day(data.end)
    std = data.standardization
    if w.kind == rules.ENGAGEMENT_AT_RISK:
        text = _(
            "{who}: {need} more dispatch(es) needed; at the cap of {cap} a month they must "
            "start by {by} to finish by {end}"
        ).format(who=w.subject, need=w.need, cap=data.monthly_cap, by=_month(w.by), end=end)
    elif w.kind == rules.ENGAGEMENT_CANNOT:
        text = _(
            "{who}: {need} more dispatch(es) needed, but the cap of {cap} a month allows only "
            "{room} by {end}; revise the plan or approve dispatches past the cap with a reason"
        ).format(who=w.subject, need=w.need, cap=data.monthly_cap, room=w.room, end=end)
    elif w.kind == rules.TARGET_UNREACHABLE:
        text = _(
            "standardisation: at most {at_most} by {end} against the target {target} "
            "({used} used + {room} within the cap and the budget), {short} short; add "
            "standardisation engagements or agree a new target with the prefecture"
        ).format(at_most=std["at_most"], end=end, target=std["target"], used=std["used"],
                 room=w.room, short=w.short)  # fmt: skip
    elif w.kind == rules.PLANS_BELOW_TARGET:
        values = {"by_plans": std["by_plans"], "short": w.short, "target": std["target"],
                  "who": w.subject or _("new standardisation engagements"), "by": _month(w.by),
                  "end": end}  # fmt: skip
        text = (
            _("standardisation: the approved plans reach {by_plans}, {short} short of the "
              "target {target}; approve or enlarge the plans of {who} by {by} to reach it by "
              "{end}")
            if w.by
            else _("standardisation: the approved plans reach {by_plans}, {short} short of the "
                   "target {target}; approve or enlarge the plans of {who} to reach it by {end}")
        ).format(**values)  # fmt: skip
    else:
        runs_out = (
            _(" (the budget may run out in {month})").format(month=_month(w.by)) if w.by else ""
        )
        text = _(
            "budget: the approved plans pass the budget {limit} by {over}{runs_out} ({used} used "
            "+ {expected} still expected); revise the plans of {who} or agree a new budget "
            "with the prefecture"
        ).format(limit=data.budget["limit"], over=w.short, runs_out=runs_out,
                 used=data.budget["used"], expected=data.budget["expected"],
                 who=w.subject)  # fmt: skip
    return _("warning: {text}").format(text=text)


@click.command()
@click.option(
    "--what-if-engagement",
    "what_if_engagements",
    multiple=True,
    metavar="ORGCODE:THEME[:N]",
    help="One more engagement from today (repeatable); N dispatches, by default the "
    "approved plans' mean.",
)
@click.option(
    "--what-if-budget",
    type=click.IntRange(min=0),
    metavar="N",
    help="Forecast against this budget instead of the agreed one.",
)
@click.option(
    "--what-if-monthly-cap",
    type=click.IntRange(min=0),
    metavar="N",
    help="Forecast with this monthly cap instead of the agreed one.",
)
@json_option
@pass_state
def forecast(
    state: State,
    what_if_engagements: tuple[str, ...],
    what_if_budget: int | None,
    what_if_monthly_cap: int | None,
) -> None:
    """The rest of the fiscal year: dispatches still possible under the monthly cap and
    still expected by the approved plans, per theme and in total, against the budget
    and the standardisation target; warnings name the engagements to act on and by when.
    A what-if changes only the forecast: nothing is written.

    \b
    Examples:
      banso forecast
      banso forecast --what-if-engagement 332038:genai:4 --what-if-budget 480
    """
    what_if = forecast_uc.WhatIf(
        engagements=tuple(
            forecast_uc.parse_what_if_engagement(text) for text in what_if_engagements
        ),
        budget=what_if_budget,
        monthly_cap=what_if_monthly_cap,
    )
    data = forecast_uc.forecast(state.services, what_if)
    budget, std, total = data.budget, data.standardization, data.total
    lines = []
    if what_if:
        lines.append(_("what-if: nothing is written; the figures below include it"))
    lines += [
        _("forecast from {today} to {end}: {months} month(s), monthly cap {cap} per "
          "organisation and theme")
        .format(today=data.as_of.isoformat(), end=data.end.isoformat(), months=len(data.months),
                cap=data.monthly_cap),
        _("budget: {used} used of {limit}, {left} left; the approved plans still expect "
          "{expected}, {after} left after them")
        .format(used=budget["used"], limit=budget["limit"], left=budget["left"],
                expected=budget["expected"], after=budget["left_after_plans"]),
        _("standardisation: {used} used, target {target}; {by_plans} with the approved plans, "
          "at most {at_most} within the cap and the budget")
        .format(used=std["used"], target=std["target"], by_plans=std["by_plans"],
                at_most=std["at_most"]),
        _("in total: {expected} still expected by the plans, {possible} possible under the cap "
          "for the {count} engagement(s) going ({waiting} awaiting a plan)")
        .format(expected=total["expected"], possible=total["possible"],
                count=len(data.engagements), waiting=data.awaiting_plan),
    ]  # fmt: skip
    if data.themes:
        lines.append(
            table(
                [[t.theme, t.name, str(t.engagements), str(t.used), str(t.expected),
                  str(t.possible)] for t in data.themes],
                [_("theme"), _("name"), _("engagements"), _("used"), _("expected"),
                 _("possible")],
            )
        )  # fmt: skip
    pending = [e for e in data.engagements if e.expected]
    if pending:
        lines.append(
            table(
                [[str(e.id) if e.id is not None else _("what-if"), e.org_name, e.theme_name,
                  state_text(state, "engagement", e.state) if e.id is not None else "—",
                  str(e.planned), str(e.counted), str(e.expected), _month(e.latest_start),
                  _status(e.status)] for e in pending],
                [_("id"), _("organisation"), _("theme"), _("state"), _("planned"), _("counted"),
                 _("expected"), _("latest start"), _("status")],
            )
        )  # fmt: skip
    lines += [_warning(w, data) for w in data.warnings]
    emit(state, data.json(), "\n".join(lines))
