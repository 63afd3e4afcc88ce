"""`banso forecast`: the rest of the fiscal year, per theme and in total.

From today (the engine clock) to the contract's end: the dispatches the monthly cap
still allows the engagements going (requested, in hearing, plan approved, in
support), the dispatches their approved plans still expect, against the budget left
and the standardisation target; warnings naming the engagements to act on and by
when. ``WhatIf`` adds engagements or changes the budget or the cap for one forecast:
a forecast only reads (one read-only unit of work) and never writes.

The rules are workflows.forecast; the monthly report shows the same forecast
(services.documents).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.era import fiscal_year
from banso.engine.errors import InvalidValue
from banso.services.context import Services
from banso.services.ports import Theme, UnitOfWork
from banso.services.stored import setting
from banso.workflows import dispatch, engagement
from banso.workflows import forecast as rules
from banso.workflows.programme import COUNTED, is_standardization, top_level_theme

# The engagements a forecast counts on: still going, before the report.
GOING = (engagement.REQUESTED, engagement.HEARING, engagement.PLAN_APPROVED, engagement.IN_SUPPORT)
# Of those, the ones whose approved plan states what they still expect.
PLANNED = (engagement.PLAN_APPROVED, engagement.IN_SUPPORT)
# How many engagements a programme-level warning names at most.
NAMED = 5


@dataclass(frozen=True)
class WhatIfEngagement:
    """One more engagement, from today: ``dispatches`` None means the approved plans'
    mean number (workflows.forecast.mean_plan)."""

    org_code: str
    theme_code: str
    dispatches: int | None = None


@dataclass(frozen=True)
class WhatIf:
    engagements: tuple[WhatIfEngagement, ...] = ()
    budget: int | None = None
    monthly_cap: int | None = None

    def __bool__(self) -> bool:
        return bool(self.engagements) or self.budget is not None or self.monthly_cap is not None


def parse_what_if_engagement(text: str, where: str = "--what-if-engagement") -> WhatIfEngagement:
    """``ORGCODE:THEME`` or ``ORGCODE:THEME:DISPATCHES`` (e.g. ``332038:genai:4``)."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise InvalidValue(
            where, text, "ORGCODE:THEME or ORGCODE:THEME:DISPATCHES, e.g. 332038:genai:4"
        )
    dispatches = None
    if len(parts) == 3:
        if not parts[2].isdigit() or int(parts[2]) < 1:
            raise InvalidValue(
                where, text, "ORGCODE:THEME:DISPATCHES with DISPATCHES ≥ 1, e.g. 332038:genai:4"
            )
        dispatches = int(parts[2])
    return WhatIfEngagement(parts[0], parts[1], dispatches)


@dataclass(frozen=True)
class EngagementForecast:
    id: int | None  # None: a what-if engagement
    org_code: str
    org_name: str
    theme_code: str
    theme_name: str
    top_theme: str  # the code of the top-level theme the cap counts on
    state: str  # "what_if" for a what-if engagement
    standardization: bool
    planned: int | None  # the approved plan's number
    held: int
    counted: int  # held, planned or confirmed this fiscal year
    expected: int  # what the plan still expects
    latest_start: str | None  # "2027-01": the family's last month to start in
    status: str  # workflows.forecast DONE … CANNOT

    def label(self) -> str:
        """案件12（津山市・生成AI）, 想定案件（…） for a what-if one."""
        name = f"案件{self.id}" if self.id is not None else "想定案件"
        return f"{name}（{self.org_name}・{self.theme_name}）"


@dataclass(frozen=True)
class ThemeForecast:
    theme: str  # top-level theme code
    name: str
    standardization: bool
    engagements: int  # going
    used: int  # held, planned or confirmed this fiscal year
    held: int
    expected: int
    possible: int  # free slots under the cap to the end


@dataclass(frozen=True)
class Warning:
    kind: str  # workflows.forecast ENGAGEMENT_AT_RISK …
    text: str  # in Japanese, as the monthly report prints it
    engagements: tuple[int, ...] = ()  # the ones to act on (what-if ones are not named)
    by: str | None = None  # "2027-01": act by that month at the latest
    need: int = 0  # dispatches still needed
    room: int = 0  # dispatches still possible
    short: int = 0  # missing to the target, or past the budget
    labels: tuple[str, ...] = ()  # 案件12（津山市・生成AI）…
    subject: str = ""  # whom the text names: 案件12（津山市・生成AI）, or a list of them


@dataclass(frozen=True)
class Forecast:
    as_of: date
    fiscal_year: int
    end: date
    monthly_cap: int
    months: tuple[tuple[str, int], ...]  # (month, open days left)
    budget: dict[str, int]
    standardization: dict[str, int]
    total: dict[str, int]
    themes: tuple[ThemeForecast, ...]
    engagements: tuple[EngagementForecast, ...]
    awaiting_plan: int  # going engagements without an approved plan
    warnings: tuple[Warning, ...]
    what_if: dict[str, Any] = field(default_factory=dict)
    # Free slots of every going family each month, all and standardisation (the chart).
    slots_by_month: tuple[tuple[str, int, int], ...] = ()

    def json(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["end"] = self.end.isoformat()
        data["months"] = [{"month": m, "open_days": d} for m, d in self.months]
        data["slots_by_month"] = [
            {"month": m, "possible": a, "standardization": s} for m, a, s in self.slots_by_month
        ]
        return data


@dataclass
class _Family:
    org_id: int
    top: Theme
    used: dict[str, int] = field(default_factory=dict)  # month → counted dispatches
    members: list[int] = field(default_factory=list)  # indexes in the engagement list


def forecast(services: Services, what_if: WhatIf | None = None) -> Forecast:
    """The forecast from the engine clock's today to the contract's end; reads only."""
    with services.uow(readonly=True) as uow:
        return gather(services, uow, what_if or WhatIf())


def gather(services: Services, uow: UnitOfWork, what_if: WhatIf) -> Forecast:
    """The forecast inside ``uow`` (the monthly report gathers it with its own)."""
    for option, value in (
        ("--what-if-budget", what_if.budget),
        ("--what-if-monthly-cap", what_if.monthly_cap),
    ):
        if value is not None and value < 0:
            raise InvalidValue(option, value, "a whole number ≥ 0")
    today = tokyo_date(services.clock.now())
    fy = fiscal_year(today)
    quota, contract = setting(uow, "quota"), setting(uow, "contract")
    end = date.fromisoformat(contract["end"])
    cap = quota["monthly_cap"] if what_if.monthly_cap is None else what_if.monthly_cap
    limit = quota["total"] if what_if.budget is None else what_if.budget
    target = quota["standardization"]
    months = rules.months_ahead(today, end, services.calendar)

    themes = {t.id: t for t in uow.directory.themes()}
    parent_of = {t.id: t.parent_id for t in themes.values()}

    def top(theme_id: int) -> Theme:
        return themes[top_level_theme(theme_id, parent_of)]

    def counts_as_std(theme_id: int) -> bool:
        theme = themes[theme_id]
        parent = themes.get(theme.parent_id) if theme.parent_id else None
        return is_standardization(theme.standardization, parent.standardization if parent else None)

    all_engagements = {e.id: e for e in uow.records.find(engagement.KIND)}
    dispatches = uow.records.find(dispatch.KIND, where={"fiscal_year": fy}, states=COUNTED)
    families: dict[tuple[int, int], _Family] = {}

    def family(org_id: int, theme_id: int) -> _Family:
        key = (org_id, top(theme_id).id)
        if key not in families:
            families[key] = _Family(org_id, top(theme_id))
        return families[key]

    counted_by: dict[int, int] = defaultdict(int)
    held_by: dict[int, int] = defaultdict(int)
    used_by_top: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    used = held = std_used = 0
    for d in dispatches:
        e = all_engagements[d.data["engagement_id"]]
        fam = family(e.data["org_id"], e.data["theme_id"])
        fam.used[d.data["month"]] = fam.used.get(d.data["month"], 0) + 1
        counted_by[e.id] += 1
        used += 1
        used_by_top[fam.top.id][0] += 1
        if d.state == dispatch.HELD:
            held_by[e.id] += 1
            held += 1
            used_by_top[fam.top.id][1] += 1
        std_used += bool(d.data["standardization"])

    # The engagements going, then the what-if ones (each from today, in its family).
    rows: list[dict[str, Any]] = []
    going = [e for e in all_engagements.values() if e.state in GOING]
    for e in sorted(going, key=lambda v: v.id):
        org = uow.directory.org_by_id(e.data["org_id"])
        theme = themes[e.data["theme_id"]]
        planned = e.data.get("planned_dispatches") if e.state in PLANNED else None
        rows.append({
            "id": e.id, "org_id": e.data["org_id"], "org_code": org.code if org else "",
            "org_name": org.name if org else "", "theme": theme, "state": e.state,
            "planned": planned, "held": held_by[e.id], "counted": counted_by[e.id],
        })  # fmt: skip
    assumed = rules.mean_plan(r["planned"] for r in rows if r["planned"] is not None)
    for extra in what_if.engagements:
        org = uow.directory.org(extra.org_code)
        if org is None:
            raise InvalidValue(
                "--what-if-engagement", extra.org_code, "an organisation code (`banso org list`)"
            )
        found = uow.directory.theme(extra.theme_code)
        if found is None:
            raise InvalidValue(
                "--what-if-engagement", extra.theme_code, "a theme code (`banso theme list`)"
            )
        theme = found
        number = extra.dispatches if extra.dispatches is not None else assumed
        if number is None:
            raise InvalidValue(
                "--what-if-engagement",
                f"{extra.org_code}:{extra.theme_code}",
                "ORGCODE:THEME:DISPATCHES: no plan is approved yet to assume a number from",
            )
        rows.append({
            "id": None, "org_id": org.id, "org_code": org.code, "org_name": org.name,
            "theme": theme, "state": "what_if", "planned": number, "held": 0, "counted": 0,
        })  # fmt: skip

    for index, row in enumerate(rows):
        family(row["org_id"], row["theme"].id).members.append(index)

    # Each family with an engagement going: its free slots, its need, when to start.
    slots_of: dict[tuple[int, int], list[tuple[str, int]]] = {}
    lines: list[EngagementForecast | None] = [None] * len(rows)
    for key, fam in sorted(families.items()):
        if not fam.members:
            continue
        slots = rules.free_slots(months, fam.used, cap)
        slots_of[key] = slots
        need = sum(
            rules.still_expected(rows[i]["planned"], rows[i]["counted"]) for i in fam.members
        )
        start = rules.latest_start(slots, need)
        family_status = rules.status(slots, need)
        for i in fam.members:
            row = rows[i]
            theme = row["theme"]
            expected = rules.still_expected(row["planned"], row["counted"])
            lines[i] = EngagementForecast(
                id=row["id"], org_code=row["org_code"], org_name=row["org_name"],
                theme_code=theme.code, theme_name=theme.name, top_theme=fam.top.code,
                state=row["state"], standardization=counts_as_std(theme.id),
                planned=row["planned"], held=row["held"], counted=row["counted"],
                expected=expected, latest_start=start if expected else None,
                status=family_status if expected else rules.DONE,
            )  # fmt: skip
    engagement_lines = tuple(line for line in lines if line is not None)

    # Per top-level theme: used (every dispatch of the year), expected, possible.
    theme_rows: list[ThemeForecast] = []
    top_ids = {families[k].top.id for k in slots_of} | set(used_by_top)
    for top_id in sorted(top_ids, key=lambda t: themes[t].code):
        t = themes[top_id]
        members = [e for e in engagement_lines if e.top_theme == t.code]
        theme_rows.append(
            ThemeForecast(
                theme=t.code,
                name=t.name,
                standardization=counts_as_std(t.id),
                engagements=len(members),
                used=used_by_top[top_id][0] if top_id in used_by_top else 0,
                held=used_by_top[top_id][1] if top_id in used_by_top else 0,
                expected=sum(e.expected for e in members),
                possible=sum(sum(n for _, n in s) for k, s in slots_of.items() if k[1] == top_id),
            )
        )

    # Free slots each month over the going families, all and standardisation.
    std_families = {
        k
        for k in slots_of
        if any(line is not None and line.standardization
               for line in (lines[i] for i in families[k].members))
    }  # fmt: skip
    slots_by_month = tuple(
        (
            m.month,
            sum(dict(s)[m.month] for s in slots_of.values()),
            sum(dict(slots_of[k])[m.month] for k in std_families),
        )
        for m in months
    )
    possible = sum(a for _, a, _ in slots_by_month)
    std_possible = sum(s for _, _, s in slots_by_month)
    expected = sum(e.expected for e in engagement_lines)
    std_expected = sum(e.expected for e in engagement_lines if e.standardization)
    left = limit - used
    budget = {
        "limit": limit, "used": used, "held": held, "left": left, "expected": expected,
        "left_after_plans": left - expected,
        # The cap allows more than the budget may pay for: what it leaves room for.
        "possible_within_budget": max(0, min(possible, left)),
    }  # fmt: skip
    at_most = std_used + max(0, min(std_possible, left))
    standardization = {
        "target": target, "used": std_used, "expected": std_expected, "possible": std_possible,
        "by_plans": std_used + std_expected, "at_most": at_most,
        "short_by_plans": max(0, target - std_used - std_expected),
        "short_at_most": max(0, target - at_most),
    }  # fmt: skip
    total = {"used": used, "held": held, "expected": expected, "possible": possible}

    warnings = _family_warnings(families, slots_of, lines, cap, end)
    warnings += _programme_warnings(
        engagement_lines, families, slots_of, lines, end, budget, standardization, std_families
    )
    awaiting = sum(1 for e in engagement_lines if e.id is not None and e.state not in PLANNED)
    return Forecast(
        as_of=today,
        fiscal_year=fy,
        end=end,
        monthly_cap=cap,
        months=tuple((m.month, m.open_days) for m in months),
        budget=budget,
        standardization=standardization,
        total=total,
        themes=tuple(theme_rows),
        engagements=engagement_lines,
        awaiting_plan=awaiting,
        warnings=tuple(warnings),
        what_if={
            "engagements": [
                {**asdict(e), "dispatches": line.planned, "assumed": e.dispatches is None}
                for e, line in zip(
                    what_if.engagements,
                    [line for line in engagement_lines if line.id is None],
                    strict=True,
                )
            ],
            "budget": what_if.budget,
            "monthly_cap": what_if.monthly_cap,
        },
        slots_by_month=slots_by_month,
    )


def _label(members: Sequence[EngagementForecast], top_name: str) -> str:
    """案件12（津山市・生成AI）; 案件12・13（津山市・情報システム標準化） for a family."""
    if len(members) == 1:
        return members[0].label()
    ids = [str(m.id) for m in members if m.id is not None]
    name = "案件" + "・".join(ids) if ids else "想定案件"
    if len(ids) < len(members) and ids:
        name += "と想定案件"
    return f"{name}（{members[0].org_name}・{top_name}）"


def _family_warnings(
    families: dict[tuple[int, int], _Family],
    slots_of: dict[tuple[int, int], list[tuple[str, int]]],
    lines: Sequence[EngagementForecast | None],
    cap: int,
    end: date,
) -> list[Warning]:
    """An engagement (a family sharing the cap) that must start soon, or cannot finish."""
    found: list[Warning] = []
    by_end = rules.contract_end_label(end)
    for key, slots in slots_of.items():
        fam = families[key]
        members = [m for m in (lines[i] for i in fam.members) if m is not None and m.expected]
        if not members or members[0].status not in (rules.AT_RISK, rules.CANNOT):
            continue
        need = sum(m.expected for m in members)
        room = sum(n for _, n in slots)
        label = _label(members, fam.top.name)
        ids = tuple(m.id for m in members if m.id is not None)
        labels = tuple(m.label() for m in members)
        start = members[0].latest_start
        if members[0].status == rules.AT_RISK and start is not None:
            text = (
                f"{label}：あと{need}回の派遣が必要ですが、月{cap}回の上限では"
                f"{rules.short_month(start)}までに開始しなければ{by_end}までに終わりません"
            )
            found.append(
                Warning(rules.ENGAGEMENT_AT_RISK, text, ids, start, need, room, 0, labels, label)
            )
        else:
            text = (
                f"{label}：あと{need}回の派遣が必要ですが、月{cap}回の上限では{by_end}までに"
                f"可能なのは{room}回です。計画の見直しか、理由を付けた上限超過の承認が必要です"
            )
            found.append(
                Warning(
                    rules.ENGAGEMENT_CANNOT, text, ids, None, need, room, need - room, labels, label
                )
            )
    return found


def _named(engagements: Sequence[EngagementForecast]) -> tuple[tuple[int, ...], str]:
    named = [e for e in engagements if e.id is not None][:NAMED]
    ids = tuple(e.id for e in named if e.id is not None)
    text = "、".join(e.label() for e in named)
    more = len([e for e in engagements if e.id is not None]) - len(named)
    return ids, text + (f"ほか{more}件" if more > 0 else "")


def _programme_warnings(
    engagement_lines: Sequence[EngagementForecast],
    families: dict[tuple[int, int], _Family],
    slots_of: dict[tuple[int, int], list[tuple[str, int]]],
    lines: Sequence[EngagementForecast | None],
    end: date,
    budget: dict[str, int],
    std: dict[str, int],
    std_families: set[tuple[int, int]],
) -> list[Warning]:
    """The standardisation target out of reach or short on the plans; the budget passed."""
    found: list[Warning] = []
    by_end = rules.contract_end_label(end)
    target = std["target"]
    if std["short_at_most"] > 0:
        room = std["at_most"] - std["used"]
        text = (
            f"標準化支援：目標{target}回に対し、{by_end}までに可能なのは最大{std['at_most']}回です"
            f"（実施・予定済み{std['used']}回＋月の上限と予算の範囲で{room}回）。"
            f"{std['short_at_most']}回足りません。標準化の支援案件を増やすか、"
            f"目標の見直しを県と協議してください"
        )
        found.append(
            Warning(rules.TARGET_UNREACHABLE, text, (), None, target - std["used"], room,
                    std["short_at_most"])
        )  # fmt: skip
    elif std["short_by_plans"] > 0:
        short = std["short_by_plans"]
        # Awaiting a plan first (their plans add dispatches), then the plans to enlarge.
        candidates = sorted(
            (e for e in engagement_lines if e.standardization),
            key=lambda e: (e.state in PLANNED, -(e.planned or 0), e.id or 0),
        )
        ids, names = _named(candidates)
        std_slots = [
            (month, sum(dict(slots_of[k])[month] for k in std_families))
            for month, _ in next(iter(slots_of.values()), [])
        ]
        by = rules.latest_start(std_slots, std["expected"] + short)
        who = f"{names}の計画の承認か回数の見直し" if names else "標準化の支援案件の追加"
        when = f"を{rules.short_month(by)}までに行わなければ" if by else "がなければ"
        text = (
            f"標準化支援：承認済みの計画どおりでは{std['by_plans']}回で、目標{target}回に"
            f"{short}回足りません。{who}{when}{by_end}までに届きません"
        )
        found.append(
            Warning(rules.PLANS_BELOW_TARGET, text, ids, by, target - std["used"],
                    std["possible"], short, tuple(e.label() for e in candidates[:NAMED]), names)
        )  # fmt: skip
    if budget["left_after_plans"] < 0:
        over = -budget["left_after_plans"]
        # The plans not started yet are the easiest to revise, then the largest rests.
        candidates = sorted(
            (e for e in engagement_lines if e.expected),
            key=lambda e: (e.state != engagement.PLAN_APPROVED, -e.expected, e.id or 0),
        )
        ids, names = _named(candidates)
        paced: dict[str, int] = defaultdict(int)
        for key, slots in slots_of.items():
            need = sum(m.expected for m in (lines[i] for i in families[key].members) if m)
            for month, count in rules.earliest_pace(slots, need):
                paced[month] += count
        by = rules.runs_out(sorted(paced.items()), budget["left"])
        when = f"早ければ{rules.short_month(by)}に予算を使い切ります。" if by else ""
        text = (
            f"予算：承認済みの計画どおりに派遣すると予算{budget['limit']}回を{over}回超えます"
            f"（実施・予定済み{budget['used']}回＋計画の残り{budget['expected']}回）。{when}"
            f"{names}の計画の見直しか、予算の変更を県と協議してください"
        )
        found.append(
            Warning(rules.OVER_BUDGET, text, ids, by, budget["expected"], budget["left"], over,
                    tuple(e.label() for e in candidates[:NAMED]), names)
        )  # fmt: skip
    return found
