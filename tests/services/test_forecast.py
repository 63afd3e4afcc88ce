"""`banso forecast` on the fakes: the cap's room and the plans' rest to the contract end,
the warnings that name whom to act on and by when, and what-ifs that write nothing."""

from __future__ import annotations

import pytest

from banso.engine.errors import InvalidValue
from banso.services import budget, forecast
from banso.workflows import forecast as rules
from tests.services.world import HANAKO, JIRO, LEAD, PREFECTURE, World


def _in_support(world: World, org: str, theme: str, planned: int, consultant: str = HANAKO) -> int:
    """An engagement in support whose approved plan expects ``planned`` dispatches."""
    eid = world.engagement(org, theme)
    world.hearing(eid, consultant)
    world.fire(consultant, "engagement", eid, "record_hearing", findings="現状と課題")
    world.fire(consultant, "engagement", eid, "draft_plan", goals="規程の策定",
               planned_dispatches=planned)  # fmt: skip
    world.fire(PREFECTURE, "engagement", eid, "approve_plan")
    world.fire(LEAD, "engagement", eid, "start")
    return eid


def test_the_cap_room_and_the_plans_rest_per_theme_and_in_total(world: World) -> None:
    genai = _in_support(world, "331007", "genai", 4)
    std = _in_support(world, "332020", "std-jumin", 7, consultant=JIRO)
    waiting = world.engagement("336238", "standardization")  # requested: no plan yet
    held = world.plan(genai, "2026-06-03T13:30+09:00").record.id
    world.fire(HANAKO, "dispatch", held, "confirm")
    world.at("2026-06-04T09:00+09:00")
    world.fire(HANAKO, "dispatch", held, "record", summary="実施")
    world.plan(std, "2026-12-07T10:00+09:00", user=JIRO)
    world.plan(std, "2026-12-14T10:00+09:00", user=JIRO)  # December's two for 倉敷市
    world.at("2026-12-01T09:00+09:00")

    f = forecast.forecast(world.services)
    # December from the 1st to the 28th (12/29–31 closed), then January to March.
    assert f.months == (("2026-12", 20), ("2027-01", 19), ("2027-02", 18), ("2027-03", 22))
    by_id = {e.id: e for e in f.engagements}
    assert (by_id[genai].counted, by_id[genai].expected, by_id[genai].status) == (1, 3, "on_track")
    assert by_id[genai].latest_start == "2027-02"  # 3 left: February and March at 2 a month
    assert (by_id[std].expected, by_id[std].latest_start) == (5, "2027-01")  # Dec is full
    assert by_id[std].status == rules.AT_RISK
    assert (by_id[waiting].planned, by_id[waiting].expected) == (None, 0)
    assert f.awaiting_plan == 1
    themes = {t.theme: t for t in f.themes}
    assert (themes["genai"].used, themes["genai"].expected, themes["genai"].possible) == (1, 3, 8)
    # 倉敷市 has none left in December (6); 和気町 awaits its plan, with the cap's 8.
    assert (themes["standardization"].used, themes["standardization"].possible) == (2, 6 + 8)
    assert themes["standardization"].standardization and themes["standardization"].engagements == 2
    assert f.total == {"used": 3, "held": 1, "expected": 8, "possible": 22}
    assert f.budget == {
        "limit": 470, "used": 3, "held": 1, "left": 467, "expected": 8,
        "left_after_plans": 459, "possible_within_budget": 22,
    }  # fmt: skip
    assert f.standardization["by_plans"] == 2 + 5 and f.standardization["at_most"] == 2 + 14
    assert [s for _, _, s in f.slots_by_month] == [2, 4, 4, 4]

    (at_risk,) = [w for w in f.warnings if w.kind == rules.ENGAGEMENT_AT_RISK]
    assert at_risk.engagements == (std,) and at_risk.by == "2027-01" and at_risk.need == 5
    assert at_risk.text == (
        f"案件{std}（倉敷市・住民基本台帳）：あと5回の派遣が必要ですが、月2回の上限では"
        "2027年1月までに開始しなければ3月31日までに終わりません"
    )
    (target,) = [w for w in f.warnings if w.kind == rules.TARGET_UNREACHABLE]
    assert (target.short, target.room) == (360 - 16, 14)


def test_open_days_bound_a_month_and_a_plan_past_the_cap_cannot_finish(world: World) -> None:
    eid = _in_support(world, "331007", "genai", 9)
    world.at("2026-12-28T09:00+09:00")  # the last open day of December
    f = forecast.forecast(world.services)
    assert f.months[0] == ("2026-12", 1)
    assert [a for _, a, _ in f.slots_by_month] == [1, 2, 2, 2]
    (line,) = f.engagements
    assert (line.expected, line.status, line.latest_start) == (9, rules.CANNOT, None)
    (cannot,) = [w for w in f.warnings if w.kind == rules.ENGAGEMENT_CANNOT]
    assert (cannot.engagements, cannot.need, cannot.room, cannot.short) == ((eid,), 9, 7, 2)
    assert "可能なのは7回です" in cannot.text

    world.at("2026-12-29T09:00+09:00")  # 年末年始: nothing more in December
    assert forecast.forecast(world.services).months[0] == ("2026-12", 0)


def test_a_family_shares_the_cap_of_its_top_level_theme(world: World) -> None:
    a = _in_support(world, "331007", "standardization", 4)
    b = _in_support(world, "331007", "std-jumin", 4)  # the same consultant (§6(2)①)
    world.at("2027-01-04T09:00+09:00")
    f = forecast.forecast(world.services)
    # Together 8 more at 2 a month for the organisation: three months give 6.
    assert {e.id: e.status for e in f.engagements} == {a: rules.CANNOT, b: rules.CANNOT}
    (w,) = [w for w in f.warnings if w.kind == rules.ENGAGEMENT_CANNOT]
    assert w.engagements == (a, b) and (w.need, w.room) == (8, 6)
    assert w.subject == f"案件{a}・{b}（岡山市・情報システム標準化）"


def test_past_the_budget_and_below_the_target_name_whom_to_act_on(world: World) -> None:
    started = _in_support(world, "331007", "genai", 4)
    std = _in_support(world, "332020", "std-jumin", 4, consultant=JIRO)
    waiting = world.engagement("336238", "standardization")
    budget.set_quotas(world.services, PREFECTURE, total=6, standardization=6)
    world.at("2026-10-01T09:00+09:00")

    f = forecast.forecast(world.services)
    over = next(w for w in f.warnings if w.kind == rules.OVER_BUDGET)
    assert (over.short, over.by) == (2, "2026-11")  # 4 in Oct, 4 in Nov: past 6 in November
    assert set(over.engagements) == {started, std}
    assert "予算6回を2回超えます" in over.text and "早ければ2026年11月に" in over.text
    short = next(w for w in f.warnings if w.kind == rules.PLANS_BELOW_TARGET)
    assert short.short == 2 and short.engagements[0] == waiting  # awaiting its plan: first
    assert short.by == "2027-02"  # 4 planned + 2 short, at 2 a month in two organisations
    assert f"案件{waiting}（和気町・情報システム標準化）" in short.text


def test_what_ifs_change_the_forecast_and_write_nothing(world: World) -> None:
    _in_support(world, "331007", "genai", 4)
    world.at("2027-01-04T09:00+09:00")
    before = world.store.snapshot()
    quota = world.settings("quota")

    base = forecast.forecast(world.services)
    what_if = forecast.WhatIf(
        engagements=(
            forecast.parse_what_if_engagement("336238:security:7"),
            forecast.parse_what_if_engagement("332020:genai"),  # the plans' mean: 4
        ),
        budget=8,
    )
    f = forecast.forecast(world.services, what_if)
    assert f.budget["limit"] == 8 and base.budget["limit"] == 470
    assert f.total["expected"] == base.total["expected"] + 7 + 4
    added = [e for e in f.engagements if e.id is None]
    assert [(e.org_name, e.theme_code, e.planned) for e in added] == [
        ("和気町", "security", 7), ("倉敷市", "genai", 4),
    ]  # fmt: skip
    assert [(e["dispatches"], e["assumed"]) for e in f.what_if["engagements"]] == [
        (7, False), (4, True),
    ]  # fmt: skip
    cannot = next(w for w in f.warnings if w.kind == rules.ENGAGEMENT_CANNOT)
    assert cannot.subject == "想定案件（和気町・情報セキュリティ）" and cannot.engagements == ()
    assert any(w.kind == rules.OVER_BUDGET for w in f.warnings)
    assert forecast.forecast(world.services, forecast.WhatIf(monthly_cap=1)).total["possible"] == 3
    assert world.settings("quota") == quota
    assert world.store.snapshot() == before


@pytest.mark.parametrize("text", ["336238", "336238:", ":genai", "336238:genai:0", "a:b:c:d",
                                  "336238:genai:x"])  # fmt: skip
def test_a_malformed_what_if_engagement_says_how_to_write_it(text: str) -> None:
    with pytest.raises(InvalidValue) as bad:
        forecast.parse_what_if_engagement(text)
    assert "ORGCODE:THEME" in str(bad.value)


def test_a_what_if_needs_a_known_organisation_and_theme_and_a_number(world: World) -> None:
    with pytest.raises(InvalidValue, match="organisation code"):
        forecast.forecast(
            world.services, forecast.WhatIf((forecast.WhatIfEngagement("9", "genai"),))
        )
    with pytest.raises(InvalidValue, match="theme code"):
        forecast.forecast(
            world.services, forecast.WhatIf((forecast.WhatIfEngagement("331007", "x"),))
        )
    with pytest.raises(InvalidValue, match="--what-if-budget"):
        forecast.forecast(world.services, forecast.WhatIf(budget=-1))
    with pytest.raises(InvalidValue, match="no plan is approved"):
        forecast.forecast(
            world.services, forecast.WhatIf((forecast.WhatIfEngagement("331007", "genai"),))
        )


def test_after_the_contract_end_nothing_is_possible(world: World) -> None:
    _in_support(world, "331007", "genai", 4)
    world.at("2027-04-02T09:00+09:00")
    f = forecast.forecast(world.services)
    assert f.months == () and f.total["possible"] == 0
    assert [w.kind for w in f.warnings if w.engagements] == [rules.ENGAGEMENT_CANNOT]


def test_the_cli_words_every_warning_as_the_report_does_in_japanese(world: World) -> None:
    from banso.admin import i18n
    from banso.admin.cmd_forecast import _warning

    _in_support(world, "331007", "genai", 4)
    _in_support(world, "332020", "std-jumin", 4, consultant=JIRO)
    world.engagement("336238", "standardization")
    budget.set_quotas(world.services, PREFECTURE, total=6, standardization=6)
    world.at("2027-02-01T09:00+09:00")
    f = forecast.forecast(world.services)
    squeezed = forecast.forecast(world.services, forecast.WhatIf(monthly_cap=1))
    unreachable = forecast.forecast(world.services, forecast.WhatIf(monthly_cap=0))
    found = {w.kind: (w, fc) for fc in (f, squeezed, unreachable) for w in fc.warnings}
    assert set(found) == {rules.ENGAGEMENT_AT_RISK, rules.ENGAGEMENT_CANNOT,
                          rules.TARGET_UNREACHABLE, rules.PLANS_BELOW_TARGET,
                          rules.OVER_BUDGET}  # fmt: skip
    before = i18n.language()
    try:
        for kind, (w, fc) in found.items():
            i18n.set_language("ja")
            assert _warning(w, fc) == f"注意：{w.text}", kind
            i18n.set_language("en")
            assert _warning(w, fc).startswith("warning: "), kind
    finally:
        i18n.set_language(before)
