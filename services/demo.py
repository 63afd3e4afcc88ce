"""A scripted year of the programme (`banso demo`): the scenario is data, run by one use case.

A scenario is a list of :class:`Step`: when (ISO 8601 with its offset), who acts
(an e-mail, or None), which use case (a name in :data:`USE_CASES`), its
arguments, whether the rules are expected to refuse it, and a short Japanese
sentence saying what the step is for. :func:`run_demo` runs the steps in order,
each at its own pinned time and strictly forward in time, and says what each
did (or the refusal's message). Files are the caller's business: the survey
arrives as a :class:`SurveyFile`, whose reader the command line supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from banso.engine.audit import AuditEvent, ChainReport
from banso.engine.clock import TOKYO, FixedClock, parse_datetime, show
from banso.engine.errors import BansoError, ChainBroken, InvalidValue, Refused
from banso.engine.runner import Outcome
from banso.services import (
    budget,
    daemon,
    desk,
    dispatches,
    engagements,
    master,
    meetings,
    transitions,
    views,
)
from banso.services.context import Services
from banso.services.decisions import OnBehalf
from banso.services.engagements import SurveyEntry, SurveyVocabulary

# -- the use cases a step may name ------------------------------------------------------


@dataclass(frozen=True)
class UseCase:
    """A services function, called as ``call(services, who, **args)``, and how its
    result reads in one or a few lines."""

    call: Callable[..., Any]
    show: Callable[[Services, Any], str]


@dataclass(frozen=True)
class SurveyFile:
    """The demand survey as a step's argument: its name, and how to read it once the
    vocabulary (checked as the acting person) is known. Reading is the caller's."""

    name: str
    read: Callable[[SurveyVocabulary], Sequence[SurveyEntry]]

    def __str__(self) -> str:
        return self.name


def state_text(services: Services, kind: str, state: str | None) -> str:
    if state is None:
        return "—"
    return f"{state}（{services.runner.definition(kind).label_of(state)}）"


def outcome_text(services: Services, outcome: Outcome) -> str:
    view, kind = outcome.record, outcome.record.kind
    if outcome.from_state is None:
        change = f" created: {state_text(services, kind, view.state)}"
    elif outcome.from_state == outcome.to_state:
        change = (
            f": {outcome.event.trigger} recorded, still {state_text(services, kind, view.state)}"
        )
    else:
        change = (
            f": {state_text(services, kind, outcome.from_state)} → "
            f"{state_text(services, kind, outcome.to_state)}"
        )
    return f"{kind} {view.id}{change} (version {view.version})"


def _person_added(_s: Services, result: tuple[dict[str, Any], str | None]) -> str:
    person, roster = result
    note = f"; {roster} opened" if roster else ""
    return f"{person['role']} {person['name']} <{person['email']}> registered{note}"


def _import_survey(services: Services, who: str | None, survey: SurveyFile) -> Any:
    rows = survey.read(engagements.survey_vocabulary(services, who))
    return engagements.import_survey(services, who, rows)


def _survey_imported(_s: Services, done: engagements.SurveyImport) -> str:
    lines = [
        f"{len(done.created)} engagement(s) created, "
        f"{len(done.duplicates)} duplicate(s) not created"
    ]
    lines += [f"row {d['row']}: {d['org']} × {d['theme']} already has engagement "
              f"{d['engagement']}" for d in done.duplicates]  # fmt: skip
    return "\n".join(lines)


def _engagements(services: Services, _who: str | None, **where: Any) -> Any:
    return views.engagements(services, **where)


def _engagements_text(services: Services, found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{e['id']}  {state_text(services, 'engagement', e['state'])}  "
        f"{e['org_name']} × {e['theme_name']}  {e['consultant'] or '—'}"
        for e in found
    )


def _engagement(services: Services, _who: str | None, engagement_id: int) -> Any:
    return views.engagement(services, engagement_id)


def _engagement_text(services: Services, e: dict[str, Any]) -> str:
    hearing = e["hearing_at"]
    lines = [
        f"engagement {e['id']}  {e['org_name']} × {e['theme_name']}",
        f"  state       {state_text(services, 'engagement', e['state'])}  version {e['version']}",
        f"  consultant  {e['consultant'] or '—'}",
        f"  hearing     {show(parse_datetime(hearing)) if hearing else '—'}",
        f"  findings    {e['findings'] or '—'}",
        f"  plan        {e['goals'] or '—'}",
        f"  outcome     {e['outcome'] or '—'}",
        f"  dispatches  {len(e['dispatches'])}",
    ]
    lines += [
        f"    {d['id']}: {show(parse_datetime(d['at']))} {d['mode']} {d['state']}"
        for d in e["dispatches"]
    ]
    return "\n".join(lines)


def _history(services: Services, _who: str | None, kind: str, record_id: int) -> Any:
    return views.history(services, kind, record_id)


def _history_text(services: Services, events: list[AuditEvent]) -> str:
    lines = [f"{events[0].kind} {events[0].record_id}: {len(events)} event(s)"]
    for e in events:
        given = {**e.payload.get("changes", {}), **e.payload}
        why = "; ".join(
            f"{k}={v}"
            for k, v in given.items()
            if k not in ("changes", "at") and not k.endswith(("_at", "_id")) and v is not None
        )
        label = services.runner.definition(e.kind).trigger_label(e.trigger)
        lines.append(
            f"  {show(e.at)}  v{e.version}  {e.actor}  {e.trigger}"
            + (f"（{label}）" if label else "")
            + ": "
            f"{state_text(services, e.kind, e.from_state)} → "
            f"{state_text(services, e.kind, e.to_state)}" + (f"  ({why})" if why else "")
        )
    return "\n".join(lines)


def _budget(services: Services, _who: str | None) -> Any:
    return budget.budget(services)


def _budget_text(_s: Services, b: dict[str, Any]) -> str:
    lines = [budget.budget_text(b)]
    lines += [f"  {t['theme']} {t['name']}: {t['held']} held, {t['committed']} planned/confirmed"
              for t in b["themes"]]  # fmt: skip
    return "\n".join(lines)


def _quotas_text(_s: Services, q: dict[str, int]) -> str:
    return (
        f"quotas: {q['total']} dispatches, {q['standardization']} standardisation, "
        f"{q['monthly_cap']} per engagement a month"
    )


def _once(services: Services, _who: str | None) -> Any:
    return daemon.once(services)


def _verify(services: Services, _who: str | None) -> ChainReport:
    report = views.verify_audit(services)
    if report.broken_seq is not None:
        raise ChainBroken(report.broken_seq, report.reason)
    return report


USE_CASES: dict[str, UseCase] = {
    "master.add_person": UseCase(master.add_person, _person_added),
    "master.add_subcontractor": UseCase(
        master.add_subcontractor,
        lambda _s, sub: f"subcontractor {sub.name} registered (awaiting approval)",
    ),
    "master.approve_subcontractor": UseCase(
        master.approve_subcontractor,
        lambda _s, sub: f"subcontractor {sub.name} approved ({sub.approval_ref})",
    ),
    "engagements.import_survey": UseCase(_import_survey, _survey_imported),
    "engagements.schedule_hearing": UseCase(engagements.schedule_hearing, outcome_text),
    "engagements.propose_expert": UseCase(engagements.propose_expert, outcome_text),
    "transitions.fire": UseCase(transitions.fire, outcome_text),
    "dispatches.plan_dispatch": UseCase(dispatches.plan_dispatch, outcome_text),
    "meetings.schedule_meeting": UseCase(meetings.schedule_meeting, outcome_text),
    "desk.new_consultation": UseCase(desk.new_consultation, outcome_text),
    "desk.assign_consultation": UseCase(desk.assign_consultation, outcome_text),
    "budget.budget": UseCase(_budget, _budget_text),
    "budget.set_quotas": UseCase(budget.set_quotas, _quotas_text),
    "daemon.once": UseCase(_once, lambda _s, report: report.line()),
    "views.engagements": UseCase(_engagements, _engagements_text),
    "views.engagement": UseCase(_engagement, _engagement_text),
    "views.history": UseCase(_history, _history_text),
    "views.verify_audit": UseCase(
        _verify, lambda _s, report: f"audit chain intact: {report.checked} event(s)"
    ),
}

# -- running a scenario ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: str  # ISO 8601 with its offset, e.g. 2026-04-06T10:00+09:00
    who: str | None  # the acting person's e-mail; None: nobody registered yet, or the daemon
    use: str  # a name in USE_CASES
    args: Mapping[str, Any] = field(default_factory=dict)
    refused: bool = False  # the rules are expected to refuse it (and change nothing)
    purpose: str = ""  # what the step is for, in a short Japanese sentence
    chapter: str | None = None  # a heading said before this step


@dataclass(frozen=True)
class StepReport:
    number: int
    at: datetime
    who: str | None
    use: str
    refused: bool
    text: str  # what the use case returned, or the refusal's message
    refusal: str | None = None  # the refusal's kind (TransitionRefused, PermissionDenied…)


@dataclass(frozen=True)
class DemoSummary:
    steps: int
    refused: int  # refused as intended (any other refusal stops the demo)
    reports: tuple[StepReport, ...]


class DemoStepFailed(BansoError):
    """A step did not go as the scenario says: refused when it should not be, or not."""


def chapter(title: str, *steps: Step) -> list[Step]:
    """Steps under one heading (said before the first of them)."""
    return [replace(s, chapter=title) if n == 0 else s for n, s in enumerate(steps)]


def pinned(services: Services) -> Callable[[datetime], Services]:
    """``services_for`` for services built once on a settable clock: moves it to each step."""
    clock = services.clock
    if not isinstance(clock, FixedClock):
        raise TypeError("the demo needs services on a FixedClock (settings.now pinned)")

    def at(moment: datetime) -> Services:
        clock.set(moment)
        return services

    return at


def moments(scenario: Sequence[Step]) -> list[datetime]:
    """Every step's time, checked before anything runs: known use case, an offset, and
    strictly later than the step before."""
    found: list[datetime] = []
    for n, step in enumerate(scenario, start=1):
        where = f"demo step {n} ({step.use})"
        if step.use not in USE_CASES:
            raise InvalidValue(where, step.use, "one of " + ", ".join(sorted(USE_CASES)))
        try:
            at = datetime.fromisoformat(step.at)
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise InvalidValue(where, step.at, "ISO 8601 with its offset, 2026-04-06T10:00+09:00")
        if found and at <= found[-1]:
            raise InvalidValue(where, step.at, f"a time after the step before ({show(found[-1])})")
        found.append(at)
    return found


def describe(step: Step) -> str:
    """The use case and its arguments, as one line."""

    def value(v: Any) -> str:
        if isinstance(v, Mapping):
            return "{" + ", ".join(f"{k}={value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list | tuple):
            return ",".join(map(str, v))
        return str(v)

    return f"{step.use}({', '.join(f'{k}={value(v)}' for k, v in step.args.items())})"


def run_demo(
    services_for: Callable[[datetime], Services],
    scenario: Sequence[Step],
    say: Callable[[str], None],
    words: Callable[[BansoError], str] = str,
) -> DemoSummary:
    """Run every step at its own time, as its person; say what it was for, what ran and
    what came of it (a refusal in ``words``, as the caller's interface puts it). A step
    that does not go as scripted stops the run."""
    reports: list[StepReport] = []
    for n, (step, at) in enumerate(zip(scenario, moments(scenario), strict=True), start=1):
        services = services_for(at)
        if services.clock.now() != at:
            raise TypeError(f"services_for({at.isoformat()}) did not pin the clock at that time")
        use = USE_CASES[step.use]
        args = {
            k: parse_datetime(v, f"demo step {n}: {k}") if k == "at" and isinstance(v, str) else v
            for k, v in step.args.items()
        }
        if step.chapter:
            say(f"\n# {step.chapter}")
        say(f"[{at.astimezone(TOKYO):%Y-%m-%d %H:%M}] {step.purpose}")
        say(f"  {step.who or '—'}: {describe(step)}")
        refusal = None
        try:
            result = use.call(services, step.who, **args)
        except BansoError as exc:
            if not (step.refused and isinstance(exc, Refused)):
                how = "was refused" if isinstance(exc, Refused) else "failed"
                raise DemoStepFailed(f"demo step {n} ({describe(step)}) {how}: {exc}") from exc
            text, refusal = words(exc), type(exc).__name__
            say(f"  拒否（想定どおり）: {text}")
        else:
            if step.refused:
                raise DemoStepFailed(
                    f"demo step {n} ({describe(step)}) should have been refused, but it was done"
                )
            text = use.show(services, result)
            say("  → " + text.replace("\n", "\n    "))
        reports.append(StepReport(n, at, step.who, step.use, step.refused, text, refusal))
    return DemoSummary(
        steps=len(reports), refused=sum(r.refused for r in reports), reports=tuple(reports)
    )


# -- the Okayama year --------------------------------------------------------------------

PREF = "taro.kenmin@pref.okayama.example.jp"
LEAD = "ichiro.bansou@contractor.example.jp"
HANAKO = "hanako.sato@contractor.example.jp"
KENJI = "kenji.yamada@contractor.example.jp"
JIRO = "jiro.gaichu@partner.example.jp"
PARTNER = "株式会社パートナーDX"

# What `banso init` is given before the first step: the sample and the programme's dates.
INIT_AT = "2026-04-01T09:00+09:00"
INIT_TITLE = "契約開始: データベースを作り、岡山県の団体とテーマを読み込む"
SAMPLE = "okayama"
PROGRAMME = {"kickoff": "2026-04-15", "contractor": "株式会社伴走デジタル"}


def _fire(kind: str, record_id: int, trigger: str, **changes: Any) -> dict[str, Any]:
    return {"kind": kind, "record_id": record_id, "trigger": trigger,
            **({"changes": changes} if changes else {})}  # fmt: skip


def okayama_year(survey: SurveyFile) -> list[Step]:
    """April to June 2026 in Okayama: people, the org chart, the survey, one engagement
    from hearing to reported outcome, the subcontractor rule, the monthly meeting and
    report, the consultation desk, dispatches within the cap, the budget and the audit."""
    return [
        *chapter(
            "契約開始: 県の担当者、プロジェクト責任者、専門人材、再委託先を登録する",
            Step("2026-04-01T09:01+09:00", None, "master.add_person",
                 {"name": "県民 太郎", "email": PREF, "role": "prefecture",
                  "org_code": "330001-01"},
                 purpose="最初の一人（県の担当者）は、名乗らずに自分自身を登録する"),
            Step("2026-04-01T09:02+09:00", PREF, "master.add_person",
                 {"name": "伴走 一郎", "email": LEAD, "role": "lead"},
                 purpose="県がプロジェクト責任者を登録する"),
            Step("2026-04-01T09:03+09:00", LEAD, "master.add_person",
                 {"name": "佐藤 花子", "email": HANAKO, "role": "consultant",
                  "fields": ["情報システム標準化", "ガバメントクラウド"],
                  "record": "中核市の標準化移行支援 3件"},
                 purpose="標準化に強い専門人材を登録する（専門人材一覧表が改まる）"),
            Step("2026-04-01T09:04+09:00", LEAD, "master.add_person",
                 {"name": "山田 健二", "email": KENJI, "role": "consultant",
                  "fields": ["生成AI", "BPR", "情報セキュリティ"]},
                 purpose="生成AI・BPRの専門人材を登録する"),
            Step("2026-04-01T09:05+09:00", LEAD, "master.add_subcontractor",
                 {"name": PARTNER, "scope": "ノーコード支援"},
                 purpose="再委託先を登録する（県の書面承認はまだ）"),
            Step("2026-04-01T09:06+09:00", LEAD, "master.add_person",
                 {"name": "外注 次郎", "email": JIRO, "role": "consultant", "company": PARTNER,
                  "fields": ["ノーコード・ローコード"]},
                 purpose="再委託先の専門人材を登録する"),
        ),
        *chapter(
            "体制図を作成・提出し、県が承認する",
            Step("2026-04-06T10:00+09:00", LEAD, "transitions.fire",
                 _fire("deliverable", 1, "draft"), purpose="体制図を作成する"),
            Step("2026-04-06T10:05+09:00", LEAD, "transitions.fire",
                 _fire("deliverable", 1, "submit"), purpose="体制図を県に提出する"),
            Step("2026-04-07T15:00+09:00", PREF, "transitions.fire",
                 _fire("deliverable", 1, "approve"), purpose="県が体制図を承認する"),
        ),
        *chapter(
            "支援要望調査を取り込む（5団体）",
            Step("2026-04-10T09:00+09:00", LEAD, "engagements.import_survey", {"survey": survey},
                 purpose="県の支援要望調査を取り込み、団体×テーマごとに支援案件を作る"),
            Step("2026-04-10T09:01+09:00", LEAD, "views.engagements", {},
                 purpose="取り込んだ支援案件を一覧する"),
        ),
        *chapter(
            "キックオフ会議",
            Step("2026-04-10T09:05+09:00", LEAD, "meetings.schedule_meeting",
                 {"kind": "kickoff", "at": "2026-04-15T14:00+09:00",
                  "url": "https://meet.example.jp/banso-kickoff"},
                 purpose="キックオフ会議を4月15日に設定する"),
            Step("2026-04-15T16:00+09:00", LEAD, "transitions.fire",
                 _fire("meeting", 1, "hold",
                       minutes="業務実施計画書と専門人材一覧表を説明し、了承を得た"),
                 purpose="キックオフ会議を開催し、議事を記録する"),
        ),
        *chapter(
            "岡山市・標準化: ヒアリング → 支援計画 → 県の承認 → 支援開始",
            Step("2026-04-16T09:00+09:00", PREF, "transitions.fire",
                 _fire("engagement", 1, "approve_plan"), refused=True,
                 purpose="ヒアリングも計画もないうちに県が承認しようとすると、拒否される"),
            Step("2026-04-16T09:02+09:00", LEAD, "engagements.schedule_hearing",
                 {"engagement_id": 1, "at": "2026-04-21T10:00+09:00", "consultant": HANAKO},
                 refused=True,
                 purpose="専門人材を県と協議する前にヒアリングを設定しようとすると、拒否される"),
            Step("2026-04-16T09:03+09:00", LEAD, "engagements.propose_expert",
                 {"engagement_id": 1, "consultant": HANAKO},
                 purpose="岡山市の支援に佐藤さんを充てることを県に協議する"),
            Step("2026-04-16T09:04+09:00", PREF, "transitions.fire",
                 _fire("engagement", 1, "agree_expert"),
                 purpose="県が専門人材（佐藤さん）に合意する"),
            Step("2026-04-16T09:05+09:00", LEAD, "engagements.schedule_hearing",
                 {"engagement_id": 1, "at": "2026-04-21T10:00+09:00", "consultant": HANAKO},
                 purpose="岡山市とのヒアリングを設定し、合意された佐藤さんを充てる"),
            Step("2026-04-21T12:00+09:00", HANAKO, "transitions.fire",
                 _fire("engagement", 1, "record_hearing",
                       findings="移行後の運用手順が未整備。ガバメントクラウド利用料が想定を超過"),
                 purpose="ヒアリングで分かった現状と課題を記録する"),
            Step("2026-04-24T17:00+09:00", HANAKO, "transitions.fire",
                 _fire("engagement", 1, "draft_plan",
                       goals="運用手順書の整備とクラウド利用料の見直し", planned_dispatches=6),
                 purpose="支援計画（目標と派遣予定回数）を作成する"),
            Step("2026-04-27T10:00+09:00", LEAD, "transitions.fire",
                 _fire("engagement", 1, "approve_plan"), refused=True,
                 purpose="支援計画を承認できるのは県だけ: プロジェクト責任者では拒否される"),
            Step("2026-04-27T10:05+09:00", PREF, "transitions.fire",
                 _fire("engagement", 1, "approve_plan"),
                 purpose="県が支援計画（支援計画書）を承認する"),
            Step("2026-04-28T09:00+09:00", LEAD, "transitions.fire",
                 _fire("engagement", 1, "start"), purpose="承認された計画で支援を始める"),
        ),
        *chapter(
            "派遣: 月2回まで。3回目は県かプロジェクト責任者の override（理由）が要る",
            Step("2026-04-28T09:10+09:00", HANAKO, "dispatches.plan_dispatch",
                 {"engagement_id": 1, "at": "2026-05-12T13:30+09:00", "mode": "onsite"},
                 purpose="5月1回目の派遣（訪問）を予定する"),
            Step("2026-04-28T09:11+09:00", HANAKO, "dispatches.plan_dispatch",
                 {"engagement_id": 1, "at": "2026-05-26T13:30+09:00", "mode": "web"},
                 purpose="5月2回目の派遣（Web）を予定する"),
            Step("2026-04-28T09:12+09:00", HANAKO, "dispatches.plan_dispatch",
                 {"engagement_id": 1, "at": "2026-05-28T13:30+09:00", "mode": "web"},
                 refused=True, purpose="5月3回目は月の上限を超えるので、拒否される"),
            Step("2026-04-28T09:13+09:00", LEAD, "dispatches.plan_dispatch",
                 {"engagement_id": 1, "at": "2026-05-28T13:30+09:00", "mode": "web",
                  "override": "県の依頼による臨時の打合せ"},
                 purpose="プロジェクト責任者が理由を添えて上限を超える3回目を入れる"),
        ),
        *chapter(
            "新庄村・ノーコード: 再委託先の専門人材は、県の書面承認までは充てられない",
            Step("2026-05-01T09:00+09:00", LEAD, "engagements.propose_expert",
                 {"engagement_id": 5, "consultant": JIRO},
                 refused=True,
                 purpose="承認前の再委託先の専門人材を県に協議しようとすると、拒否される"),
            Step("2026-05-01T11:00+09:00", PREF, "master.approve_subcontractor",
                 {"name": PARTNER, "ref": "デジ第512号"},
                 purpose="県が再委託を書面で承認する"),
            Step("2026-05-01T11:10+09:00", LEAD, "engagements.propose_expert",
                 {"engagement_id": 5, "consultant": JIRO},
                 purpose="承認後は、外注さんを県に協議できる"),
            Step("2026-05-01T11:20+09:00", LEAD, "transitions.fire",
                 {**_fire("engagement", 5, "agree_expert"),
                  "on_behalf": OnBehalf(PREF, date(2026, 5, 1), "デジ第515号")},
                 purpose="県の回答（デジ第515号）を、プロジェクト責任者が県に代わって記録する"),
            Step("2026-05-01T11:30+09:00", LEAD, "engagements.schedule_hearing",
                 {"engagement_id": 5, "at": "2026-05-13T10:00+09:00", "consultant": JIRO},
                 purpose="承認後は、外注さんを充ててヒアリングを設定できる"),
        ),
        *chapter(
            "定例報告会: 月1回。同じ月の2回目は入れられない",
            Step("2026-05-01T13:00+09:00", LEAD, "meetings.schedule_meeting",
                 {"kind": "monthly", "at": "2026-05-20T14:00+09:00",
                  "url": "https://meet.example.jp/banso-monthly"},
                 purpose="5月の定例報告会を20日に設定する"),
            Step("2026-05-01T13:01+09:00", LEAD, "meetings.schedule_meeting",
                 {"kind": "monthly", "at": "2026-05-27T14:00+09:00"}, refused=True,
                 purpose="同じ月にもう1回設定しようとすると、拒否される"),
        ),
        *chapter(
            "5月前半: 月次業務報告書（4月分）は県が差し戻し、再提出して承認。"
            "並行して相談窓口が動き、派遣を確定する",
            Step("2026-05-07T09:00+09:00", LEAD, "transitions.fire",
                 _fire("deliverable", 4, "draft"), purpose="4月分の月次業務報告書を作成する"),
            Step("2026-05-07T09:30+09:00", LEAD, "transitions.fire",
                 _fire("deliverable", 4, "submit"), purpose="月次業務報告書を県に提出する"),
            Step("2026-05-07T10:00+09:00", PREF, "desk.new_consultation",
                 {"org_code": "332089", "topic": "生成AIの議事録作成への利用可否",
                  "channel": "mail"},
                 purpose="県が団体からの相談をメールで受け付ける"),
            Step("2026-05-07T11:00+09:00", LEAD, "desk.assign_consultation",
                 {"consultation_id": 1, "consultant": KENJI},
                 purpose="生成AIに詳しい山田さんに相談を割り当てる"),
            Step("2026-05-08T09:00+09:00", HANAKO, "transitions.fire",
                 _fire("dispatch", 1, "confirm"), purpose="5月12日の訪問を先方と確定する"),
            Step("2026-05-08T13:00+09:00", PREF, "transitions.fire",
                 _fire("deliverable", 4, "send_back",
                       reason="相談対応件数の内訳を追記してください"),
                 purpose="県が月次業務報告書を差し戻す"),
            Step("2026-05-08T15:00+09:00", KENJI, "transitions.fire",
                 {**_fire("consultation", 1, "answer", answer_channel="web",
                          summary="個人情報を含まない範囲での試行手順を説明"),
                  "payload": {"channel": "web"}},
                 purpose="専門人材がWebで回答する"),
            Step("2026-05-08T16:00+09:00", LEAD, "transitions.fire",
                 _fire("deliverable", 4, "draft"), purpose="指摘を反映して作り直す"),
            Step("2026-05-08T16:10+09:00", LEAD, "transitions.fire",
                 _fire("deliverable", 4, "submit"), purpose="月次業務報告書を再提出する"),
            Step("2026-05-09T09:00+09:00", LEAD, "transitions.fire",
                 _fire("consultation", 1, "close"), purpose="回答済の相談を完了にする"),
            Step("2026-05-11T10:00+09:00", PREF, "transitions.fire",
                 _fire("deliverable", 4, "receive"), purpose="県が月次業務報告書を受領する"),
        ),
        *chapter(
            "5月後半: 派遣を実施し、記録する（1件は先方の都合で中止）。定例報告会を開く",
            Step("2026-05-12T17:00+09:00", HANAKO, "transitions.fire",
                 _fire("dispatch", 1, "record", summary="運用手順書の骨子を作成", hours=3.0),
                 purpose="訪問の実施内容と時間を記録する"),
            Step("2026-05-20T09:00+09:00", LEAD, "transitions.fire",
                 _fire("dispatch", 2, "cancel", reason="先方の都合により中止"),
                 purpose="先方の都合で26日の派遣を中止する（派遣枠は戻る）"),
            Step("2026-05-20T16:00+09:00", LEAD, "transitions.fire",
                 _fire("meeting", 2, "hold", minutes="4月の進捗と5月の予定を報告"),
                 purpose="定例報告会を開催し、議事を記録する"),
            Step("2026-05-25T09:00+09:00", HANAKO, "transitions.fire",
                 _fire("dispatch", 3, "confirm"), purpose="28日の派遣を確定する"),
            Step("2026-05-28T17:00+09:00", HANAKO, "transitions.fire",
                 _fire("dispatch", 3, "record", summary="クラウド利用料の内訳を確認", hours=2.0),
                 purpose="Web派遣の実施内容と時間を記録する"),
        ),
        *chapter(
            "支援の成果を報告する",
            Step("2026-06-01T09:00+09:00", HANAKO, "transitions.fire",
                 _fire("engagement", 1, "report",
                       outcome="運用手順書を整備し、クラウド利用料を月額15%削減する見直し案を合意"),
                 purpose="岡山市の支援の成果を報告する"),
            Step("2026-06-01T09:05+09:00", LEAD, "views.engagement", {"engagement_id": 1},
                 purpose="支援案件と派遣の記録を確かめる"),
            Step("2026-06-01T09:10+09:00", LEAD, "views.history",
                 {"kind": "engagement", "record_id": 1},
                 purpose="支援案件の履歴（いつ、誰が、何をしたか）をたどる"),
        ),
        *chapter(
            "予算（派遣回数）と監査証跡",
            Step("2026-06-01T09:15+09:00", LEAD, "budget.budget", {},
                 purpose="今年度の派遣回数の使用状況と残りを見る"),
            Step("2026-06-01T09:16+09:00", LEAD, "views.verify_audit", {},
                 purpose="監査証跡のハッシュの連鎖が改ざんされていないことを確かめる"),
        ),
    ]  # fmt: skip
