"""A year of the programme, lived day by day (`banso demo`).

:class:`DemoYear` walks FY2026 in Okayama from 2026-04-01 to 2027-03-31 on a
pinned clock, strictly forward in time. Every change goes through the use cases
the commands call (``services.*``), as the person who would make it, and each
day begins with the daemon's own jobs (the sweep, the daily duties, the send
pass), so reminders, monthly drafts and mail happen as they would in a real
year. Nothing is a hand-written list of steps: each business day a planner
looks at the records and decides what is due — the survey's engagements go
through proposal, agreement, hearing, plan, approval, dispatches and report;
consultations arrive and are answered; monthly reports are drafted by the
daemon, submitted and decided — with the choices that make a year look like
one (which day, which consultant, how many dispatches) drawn from a seeded
``random.Random``, so two runs give the same year.

Files are the caller's business: the survey arrives as rows (the command line
reads the .xlsx), and the mail and documents go wherever the services' adapters
put them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from banso.engine.clock import TOKYO, FixedClock, tokyo_date
from banso.engine.deadlines import MET, MISSED, OPEN
from banso.engine.errors import BansoError, Refused
from banso.services import (
    daemon,
    delays,
    desk,
    dispatches,
    documents,
    engagements,
    master,
    meetings,
    transitions,
    views,
    work,
)
from banso.services.context import Services
from banso.services.decisions import OnBehalf
from banso.services.engagements import SurveyEntry, SurveyVocabulary
from banso.workflows.programme import is_standardization

# -- the cast -------------------------------------------------------------------------

PREF = "taro.kenmin@pref.okayama.example.jp"
LEAD = "ichiro.bansou@contractor.example.jp"
PARTNER = "株式会社パートナーDX"
JIRO = "jiro.gaichu@partner.example.jp"

# What `banso init` is given before the first step: the sample and the programme's dates.
INIT_AT = "2026-04-01T09:00+09:00"
SAMPLE = "okayama"
SURVEY_FILE = "demand-survey.xlsx"
PROGRAMME = {"kickoff": "2026-04-15", "contractor": "株式会社伴走デジタル"}
FIRST_DAY = date(2026, 4, 1)
LAST_DAY = date(2027, 3, 31)


@dataclass(frozen=True)
class Consultant:
    name: str
    email: str
    fields: tuple[str, ...]
    record: str
    standardization: bool  # takes standardisation engagements
    themes: tuple[str, ...] = ()  # the other themes (codes) they take
    company: str | None = None


CONSULTANTS: tuple[Consultant, ...] = (
    Consultant(
        "佐藤 花子",
        "hanako.sato@contractor.example.jp",
        ("情報システム標準化", "ガバメントクラウド"),
        "中核市の標準化移行支援 3件",
        True,
    ),
    Consultant(
        "鈴木 美穂",
        "miho.suzuki@contractor.example.jp",
        ("情報システム標準化", "住民記録・税務"),
        "税務システム移行支援 5件",
        True,
    ),
    Consultant(
        "高橋 誠",
        "makoto.takahashi@contractor.example.jp",
        ("情報システム標準化", "福祉・介護"),
        "福祉システム標準化 4件",
        True,
    ),
    Consultant(
        "伊藤 翔",
        "sho.ito@contractor.example.jp",
        ("情報システム標準化", "データ移行"),
        "データ移行計画の策定 6件",
        True,
    ),
    Consultant(
        "中村 大輔",
        "daisuke.nakamura@contractor.example.jp",
        ("ガバメントクラウド", "情報セキュリティ"),
        "クラウド接続設計 3件",
        True,
        ("security",),
    ),
    Consultant(
        "小林 彩",
        "aya.kobayashi@contractor.example.jp",
        ("情報システム標準化", "子育て・教育"),
        "町村の標準化支援 4件",
        True,
    ),
    Consultant(
        "山田 健二",
        "kenji.yamada@contractor.example.jp",
        ("生成AI", "BPR", "情報セキュリティ"),
        "生成AI導入支援 4件",
        False,
        ("genai", "bpr", "security"),
    ),
    Consultant(
        "田中 由紀",
        "yuki.tanaka@contractor.example.jp",
        ("フロントヤード改革", "マイナンバーカード"),
        "書かない窓口の導入 3件",
        False,
        ("frontyard", "mynumber"),
    ),
    Consultant(
        "渡辺 千尋",
        "chihiro.watanabe@contractor.example.jp",
        ("デジタル人材育成", "BPR"),
        "職員研修の企画 8件",
        False,
        ("talent", "bpr"),
    ),
    Consultant(
        "外注 次郎",
        JIRO,
        ("ノーコード・ローコード",),
        "業務アプリ内製化 5件",
        False,
        ("nocode",),
        PARTNER,
    ),
)

# -- what the year says, in Japanese ----------------------------------------------------

MAIL_KIND_LABELS: dict[str, str] = {
    "approval_request": "承認のお願い",
    "consultation_assigned": "相談の割当",
    "daily_digest": "本日の対応事項",
    "dead_letter": "送信不能の通知",
    "deadline_overdue": "期限超過の通知",
    "deadline_reminder": "期限のお知らせ",
    "decision_recorded": "決定の記録",
    "delay_notice": "提出遅延のご連絡",
    "dispatch_cancelled": "派遣中止のご連絡",
    "dispatch_invitation": "派遣のご案内",
    "dispatch_reassigned": "派遣の担当変更",
    "dispatch_released": "派遣の担当交代",
    "expert_agreed": "担当専門人材のお知らせ",
    "expert_proposal": "専門人材のご協議",
    "hearing_invitation": "ヒアリングのご案内",
    "hearing_reassigned": "ヒアリング担当変更",
    "meeting_cancelled": "会議中止のご連絡",
    "meeting_delay_notice": "開催遅延のご連絡",
    "meeting_invitation": "会議のご案内",
    "monthly_report_drafted": "月次報告書の作成",
    "plan_approved": "支援計画の承認",
    "set_aside": "送信保留の通知",
    "visit_record": "派遣実施の記録",
}
GROUP_LABELS = {
    "prefecture": "県",
    "lead": "プロジェクト責任者",
    "consultant": "専門人材",
    "contact": "団体の担当者",
}
STATE_ORDER = ("requested", "hearing", "plan_approved", "in_support", "reported", "withdrawn")

TOPICS = (
    "生成AIの議事録作成への利用可否",
    "標準準拠システムの帳票レイアウトの確認",
    "ガバメントクラウドの利用料の見積方法",
    "マイナンバーカードの交付窓口の混雑対策",
    "RPAとノーコードの使い分け",
    "情報セキュリティ研修の教材",
    "電子申請の手数料決済",
    "データ移行時の文字コードの扱い",
    "テレワーク端末のセキュリティ設定",
    "オープンデータの公開形式",
    "庁内チャットツールの選定",
    "窓口のキャッシュレス決済",
    "BPRの業務量調査の進め方",
    "クラウド移行後のバックアップ方針",
)
FINDINGS = (
    "移行後の運用手順が未整備で、担当者の異動時に引継ぎができていない",
    "現行業務フローが文書化されておらず、標準仕様との差異が把握されていない",
    "ベンダーとの役割分担が曖昧で、移行スケジュールに遅れの懸念がある",
    "職員のITリテラシーに差があり、新しい仕組みの定着に不安がある",
    "予算と人員が限られ、優先順位の整理が必要",
)
GOALS = (
    "運用手順書の整備と移行スケジュールの確定",
    "標準仕様とのFit&Gap分析と業務見直し案の作成",
    "ベンダーとの役割分担表の作成と定例会の運営支援",
    "職員研修の実施と利用ガイドラインの策定",
)
OUTCOMES = (
    "運用手順書を整備し、移行後の問い合わせ件数を3割削減する見通しを得た",
    "Fit&Gap分析を完了し、業務見直し案を庁内で合意した",
    "移行計画を確定し、ベンダーとの定例会で進捗を管理できるようになった",
    "職員研修を実施し、利用ガイドラインを策定した",
)
DISPATCH_NOTES = (
    "現行業務の聞き取りと課題の整理",
    "移行計画の進捗確認と課題の洗い出し",
    "運用手順書の素案のレビュー",
    "ベンダーとの調整会議への同席",
    "職員向け説明会の実施",
    "検証結果の確認と次回までの宿題の整理",
)
WORK_NOTES = (
    "先行団体の事例調査",
    "標準仕様書と現行帳票の比較表の作成",
    "説明資料の作成",
    "ベンダー見積の妥当性の確認",
    "研修教材の作成",
)

# -- the plan of one engagement ------------------------------------------------------------


@dataclass
class Engagement:
    """What the planner decided for one engagement (its record says how far it got)."""

    id: int
    label: str
    standardization: bool
    consultant: str
    begin: date  # the lead proposes the consultant this day
    target: int  # the dispatches the plan will ask for
    behalf: bool  # the prefecture's decisions arrive by reply (the lead records them)
    withdraw_on: date | None = None
    agree_on: date | None = None
    hearing_at: datetime | None = None
    plan_on: date | None = None
    approve_on: date | None = None
    start_on: date | None = None
    report_on: date | None = None
    worked: set[str] = field(default_factory=set)  # months with research hours recorded


@dataclass
class Consultation:
    id: int
    consultant: str
    assign_on: date
    answer_on: date
    close_on: date


class DemoStepFailed(BansoError):
    """A use case the planner called went otherwise than planned (refused when it should
    not be, or done when a refusal was meant to be shown): the planner is wrong."""


def months_of_year() -> list[str]:
    out, d = [], FIRST_DAY
    while d <= LAST_DAY:
        out.append(f"{d:%Y-%m}")
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TOKYO)


def _month_first(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


def _months_between(first: str, last: str) -> int:
    a, b = _month_first(first), _month_first(last)
    return (b.year - a.year) * 12 + b.month - a.month + 1


# The last month dispatches are planned in: support is reported before the
# report meeting in March (spec §6(3)).
LAST_DISPATCH_MONTH = "2027-02"
REPORT_MEETING = _at(date(2027, 3, 10), 14)
TOTAL_TARGET, STD_TARGET = 468, 360


class DemoYear:
    """The Okayama year. ``survey(vocabulary)`` reads the demand survey; ``say`` hears
    the narrative (Japanese), ``words`` turns a refusal into the interface's sentence."""

    def __init__(
        self,
        services: Services,
        survey: Callable[[SurveyVocabulary], Sequence[SurveyEntry]],
        say: Callable[[str], None],
        words: Callable[[BansoError], str] = str,
        seed: int = 2026,
    ) -> None:
        if not isinstance(services.clock, FixedClock):
            raise TypeError("the demo needs services on a FixedClock (settings.now pinned)")
        self.services = services
        self.clock: FixedClock = services.clock
        self.survey = survey
        self.say = say
        self.words = words
        self.rng = random.Random(seed)
        self.cal = services.calendar
        self.now = self.clock.now()
        self.day = FIRST_DAY
        self.plans: dict[int, Engagement] = {}
        self.consultations: list[Consultation] = []
        self.consultation_days: set[date] = set()
        self.refusals = 0
        self.calls = 0
        self.monthly: dict[str, int] = {}  # period → monthly-report deliverable id
        self.singles: dict[str, int] = {}  # kind → deliverable id (org chart, plan …)
        self.meetings: dict[str, int] = {}  # month (or "report") → meeting id
        self.slides: str | None = None
        self.delay_sent = False
        self.shown: set[str] = set()  # the refusals shown once
        self.decided: set[str] = set()  # monthly reports received (受領)
        self.meeting_days: dict[int, date] = {}

    # -- the clock and the calls -----------------------------------------------------
    def at(self, moment: datetime) -> None:
        """Move the clock to ``moment`` or, if the last call was later, just after it:
        strictly forward, always."""
        moment = max(moment, self.now + timedelta(seconds=20))
        self.clock.set(moment)
        self.now = self.clock.now()

    def call(self, who: str | None, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """One use case as ``who``, at the clock's next moment."""
        self.at(self.now)
        self.calls += 1
        try:
            return fn(self.services, who, *args, **kw)
        except BansoError as exc:
            raise DemoStepFailed(
                f"{tokyo_date(self.now)}: {getattr(fn, '__name__', fn)}{args} ({who}) failed: {exc}"
            ) from exc

    def refused(
        self, purpose: str, who: str, fn: Callable[..., Any], *args: Any, **kw: Any
    ) -> None:
        """A step meant to be refused: said, with the refusal; anything else stops."""
        self.at(self.now)
        self.calls += 1
        try:
            fn(self.services, who, *args, **kw)
        except Refused as exc:
            self.refusals += 1
            self.tell(f"{purpose} → 拒否（想定どおり）: {self.words(exc)}")
            return
        raise DemoStepFailed(f"{tokyo_date(self.now)}: {purpose}: done, but meant to be refused")

    def fire(self, who: str, kind: str, rid: int, trigger: str, **kw: Any) -> Any:
        return self.call(who, transitions.fire, kind, rid, trigger, **kw)

    def tell(self, text: str) -> None:
        self.say(f"[{self.now.astimezone(TOKYO):%Y-%m-%d %H:%M}] {text}")

    def behalf(self, ref: int) -> OnBehalf:
        """The prefecture's reply, recorded by the lead (its date: the day it came)."""
        return OnBehalf(PREF, self.day, f"デジ第{ref}号")

    # -- the year ------------------------------------------------------------------------
    def days(self, until: date) -> Iterator[date]:
        d = FIRST_DAY
        while d <= min(until, LAST_DAY):
            yield d
            d += timedelta(days=1)

    def run(self, until: date = LAST_DAY, month_done: Callable[[str], None] | None = None) -> None:
        """Live every day from 2026-04-01 to ``until`` (at most 2027-03-31); the last
        day ends with the daemon's send pass, so its mail is out and nothing waits."""
        for day in self.days(until):
            self.day = day
            if day.day == 1:
                self.say(f"\n# {day.year}年{day.month}月")
            self.live(day)
            nxt = day + timedelta(days=1)
            if nxt.day == 1 or day == until:
                self.month_line(f"{day:%Y-%m}")
                if month_done is not None:
                    month_done(f"{day:%Y-%m}")
        self.at(_at(self.day, 20, 30))
        report = daemon.once(self.services)
        self.tell(f"一日の終わりにデーモンが送信: {report.sent}通")

    def month_line(self, month: str) -> None:
        """The month in one line, counted from the records."""
        with self.services.uow(readonly=True) as uow:
            held = uow.records.count("dispatch", where={"month": month}, states=("held",))
            year = uow.records.count("dispatch", states=("held",))
            states = Counter(r.state for r in uow.records.find("engagement"))
            asked = uow.records.count("consultation")
            met = uow.records.count("meeting", where={"month": month}, states=("held",))
        label = self.services.runner.definition("engagement").label_of
        going = "、".join(f"{label(s)} {states[s]}" for s in STATE_ORDER if states[s])
        self.say(
            f"  → {int(month[5:])}月: 派遣 {held}回実施（年度累計 {year}回）、会議 {met}回、"
            f"相談 累計{asked}件。"
            f"支援案件: {going}"
        )

    def live(self, day: date) -> None:
        # The daemon first: yesterday's mail goes out, reminders, monthly drafts.
        self.at(_at(day, 9))
        report = daemon.once(self.services)
        if report.drafted:
            for period in report.drafted:
                self.tell(
                    f"デーモンが{period[:4]}年{int(period[5:])}月分の月次業務報告書を作成した"
                )
        if not self.cal.is_business_day(day):
            return
        self.at(_at(day, 9, 10))
        if day == FIRST_DAY:
            self.contract_start()
        self.programme_documents(day)
        if day == date(2026, 4, 8):
            self.import_survey()
        self.meetings_of(day)
        self.engagements_morning(day)
        self.plan_dispatches(day)
        self.confirm_dispatches(day)
        self.consultations_of(day)
        self.monthly_reports(day)
        self.at(_at(day, 17, 30))
        self.record_dispatches(day)
        self.engagements_evening(day)
        self.record_work(day)
        self.hold_meetings(day)
        self.completion(day)

    # -- April 1st: people and the subcontractor ----------------------------------------
    def contract_start(self) -> None:
        self.tell("契約開始: 県の担当者、プロジェクト責任者、専門人材10名、再委託先を登録する")
        self.call(
            None,
            master.add_person,
            name="県民 太郎",
            email=PREF,
            role="prefecture",
            org_code="330001-01",
            dept="デジタル推進課",
        )
        self.call(PREF, master.add_person, name="伴走 一郎", email=LEAD, role="lead")
        self.call(LEAD, master.add_subcontractor, name=PARTNER, scope="ノーコード支援")
        for c in CONSULTANTS:
            self.call(
                LEAD,
                master.add_person,
                name=c.name,
                email=c.email,
                role="consultant",
                fields=list(c.fields),
                record=c.record,
                company=c.company,
            )
        self.say(
            f"  専門人材: {'、'.join(c.name for c in CONSULTANTS)}（{CONSULTANTS[-1].name}"
            f"さんは再委託先の{PARTNER}）"
        )

    # -- the programme's own deliverables -------------------------------------------------
    def deliverable(self, kind: str, period: str | None = None) -> int:
        key = period or kind
        found = self.monthly if period else self.singles
        if key not in found:
            with self.services.uow(readonly=True) as uow:
                where: dict[str, Any] = {"kind": kind}
                if period:
                    where["period"] = period
                found[key] = uow.records.find("deliverable", where=where)[0].id
        return found[key]

    def state(self, kind: str, rid: int) -> str:
        with self.services.uow(readonly=True) as uow:
            return uow.records.get(kind, rid).state

    def programme_documents(self, day: date) -> None:
        if day == date(2026, 4, 2):
            org_chart = self.deliverable("org_chart")
            self.call(LEAD, documents.submit, org_chart)
            self.tell("業務実施体制図を作成し、県に提出した")
        if day == date(2026, 4, 3):
            self.fire(PREF, "deliverable", self.deliverable("org_chart"), "approve")
            self.tell("県が業務実施体制図を承認した")
        if day == date(2026, 4, 9):
            self.refused(
                "承認前の再委託先の専門人材を充てようとする",
                LEAD,
                engagements.propose_expert,
                self.first_of("nocode"),
                consultant=JIRO,
            )
            self.call(PREF, master.approve_subcontractor, name=PARTNER, ref="デジ第512号")
            self.tell(f"県が{PARTNER}への再委託を書面で承認した（デジ第512号）")
        if day == date(2026, 4, 14):
            for kind in ("implementation_plan", "expert_roster"):
                self.call(LEAD, documents.submit, self.deliverable(kind))
            self.tell("業務実施計画書と専門人材一覧表を作成し、キックオフ会議に向けて提出した")

    def first_of(self, theme: str) -> int:
        with self.services.uow(readonly=True) as uow:
            t = uow.directory.theme(theme)
            assert t is not None
            found = uow.records.find("engagement", where={"theme_id": t.id}, order_by=("id",))
        return found[0].id

    # -- the survey and each engagement's plan --------------------------------------------
    def import_survey(self) -> None:
        rows = self.survey(engagements.survey_vocabulary(self.services, LEAD))
        done = self.call(LEAD, engagements.import_survey, rows)
        self.tell(
            f"支援要望調査（{SURVEY_FILE}）を取り込み、支援案件を{len(done.created)}件作成した"
        )
        with self.services.uow(readonly=True) as uow:
            records = uow.records.find("engagement", order_by=("id",))
            themes = {t.id: t for t in uow.directory.themes()}
            orgs = {o.id: o for o in uow.directory.orgs()}
        std_people = [c.email for c in CONSULTANTS if c.standardization]
        by_theme = {
            t: [c.email for c in CONSULTANTS if t in c.themes]
            for c in CONSULTANTS
            for t in c.themes
        }
        taken: Counter[str] = Counter()
        chosen: dict[tuple[int, int], str] = {}
        drafts: list[tuple[int, str, bool, str, date, int]] = []
        for rec in records:
            theme = themes[rec.data["theme_id"]]
            parent = themes.get(theme.parent_id) if theme.parent_id else None
            std = is_standardization(
                theme.standardization, parent.standardization if parent else None
            )
            top = parent.id if parent else theme.id
            key = (rec.data["org_id"], top)
            if key not in chosen:
                pool = std_people if std else by_theme[theme.code]
                chosen[key] = min(pool, key=lambda e: (taken[e], pool.index(e)))
            taken[chosen[key]] += 1
            months = rec.data.get("preferred_months") or []
            first = months[0] if months else "2026-06"
            # The lead proposes the consultant about three weeks before the preferred start.
            begin = max(
                self.cal.add_business_days(_month_first(first), -15),
                self.cal.add_business_days(date(2026, 4, 8), 1),
            )
            begin = self.cal.add_business_days(begin, self.rng.randint(0, 3))
            label = f"{orgs[rec.data['org_id']].name}×{theme.name}"
            drafts.append((rec.id, label, std, chosen[key], begin, self.capacity(begin)))
        # One engagement is withdrawn before its hearing: the organisation's plans changed.
        gone = next(
            d[0]
            for d in drafts
            if d[1].endswith("ノーコード・ローコード") and d[4] > date(2026, 5, 1)
        )
        # The dispatches the plans will ask for: the year's numbers, shared by what
        # each engagement can still hold (two a month until February).
        std_cap = sum(d[5] for d in drafts if d[2] and d[0] != gone)
        other_cap = sum(d[5] for d in drafts if not d[2] and d[0] != gone)
        other_target = TOTAL_TARGET - STD_TARGET
        for eid, label, std, who, begin, cap in drafts:
            share = STD_TARGET * cap / std_cap if std else other_target * cap / other_cap
            self.plans[eid] = Engagement(
                eid, label, std, who, begin, max(2, round(share)), behalf=self.rng.random() < 0.3
            )
        withdrawn = self.plans.pop(gone)
        self.fix_totals()
        withdrawn.withdraw_on = self.cal.add_business_days(withdrawn.begin, 1)
        withdrawn.begin, withdrawn.target = date.max, 0
        self.plans[gone] = withdrawn
        self.schedule_consultations()

    def capacity(self, begin: date) -> int:
        """Two dispatches a month from the month after the plan is approved to February."""
        start = self.cal.add_business_days(begin, 25)
        return 2 * max(1, _months_between(f"{start:%Y-%m}", LAST_DISPATCH_MONTH))

    def fix_totals(self) -> None:
        """Round the shares so that they add up to the year's numbers exactly."""
        for std, total in ((True, STD_TARGET), (False, TOTAL_TARGET - STD_TARGET)):
            group = sorted(
                (p for p in self.plans.values() if p.standardization == std), key=lambda p: p.id
            )
            n = 0
            while sum(p.target for p in group) != total and n < 1000:
                p = group[n % len(group)]
                p.target += 1 if sum(q.target for q in group) < total else -1
                p.target = min(max(p.target, 2), self.capacity(p.begin))
                n += 1

    def schedule_consultations(self) -> None:
        """About fifty consultations through the year, a business day apart at least."""
        d = date(2026, 4, 20)
        while d < date(2027, 3, 10):
            d = self.cal.add_business_days(d, self.rng.randint(3, 6))
            self.consultation_days.add(d)

    # -- engagements, morning: proposals, agreements, hearings, plans, approvals ---------
    def records(self, kind: str, states: tuple[str, ...] | None = None) -> list[Any]:
        with self.services.uow(readonly=True) as uow:
            return uow.records.find(kind, states=states, order_by=("id",))

    def engagements_morning(self, day: date) -> None:
        if not self.plans:
            return
        for rec in self.records("engagement"):
            p = self.plans[rec.id]
            if p.withdraw_on == day and rec.state == "requested":
                self.fire(
                    LEAD,
                    "engagement",
                    rec.id,
                    "withdraw",
                    changes={"reason": "庁内体制の見直しにより今年度の支援を見送りたいとの申出"},
                )
                self.tell(f"{p.label}: 団体からの申出により支援案件を取り下げた")
            elif p.begin == day and rec.state == "requested":
                self.call(LEAD, engagements.propose_expert, rec.id, consultant=p.consultant)
                p.agree_on = self.cal.add_business_days(day, self.rng.randint(1, 2))
            elif p.agree_on == day and rec.data.get("agreed_consultant_id") is None:
                self.agree(p)
            elif rec.state == "hearing" and p.approve_on == day:
                self.approve(p)
            elif rec.state == "plan_approved" and p.start_on == day:
                self.fire(LEAD, "engagement", rec.id, "start")
            elif rec.state == "in_support" and p.report_on == day:
                self.report(p)

    def agree(self, p: Engagement) -> None:
        if p.behalf:
            self.fire(LEAD, "engagement", p.id, "agree_expert", on_behalf=self.behalf(600 + p.id))
        else:
            self.fire(PREF, "engagement", p.id, "agree_expert")
        hearing_day = self.cal.add_business_days(self.day, self.rng.randint(3, 6))
        p.hearing_at = _at(hearing_day, self.rng.choice((10, 13, 15)))
        self.call(
            LEAD,
            engagements.schedule_hearing,
            p.id,
            at=p.hearing_at,
            consultant=p.consultant,
            invite={
                "url": f"https://meet.example.jp/hearing-{p.id}",
                "purpose": "現状と課題の聞き取り",
            },
        )

    def approve(self, p: Engagement) -> None:
        if p.id == min(self.plans):
            self.refused(
                "支援計画をプロジェクト責任者が自分で承認しようとする",
                LEAD,
                transitions.fire,
                "engagement",
                p.id,
                "approve_plan",
            )
        if p.behalf:
            self.fire(LEAD, "engagement", p.id, "approve_plan", on_behalf=self.behalf(700 + p.id))
            self.tell(f"{p.label}: 県の回答メールにより、支援計画の承認を県に代わって記録した")
        else:
            self.fire(PREF, "engagement", p.id, "approve_plan")
        p.start_on = self.cal.add_business_days(self.day, 1)

    def report(self, p: Engagement) -> None:
        for d in self.records("dispatch", ("planned", "confirmed")):
            if d.data["engagement_id"] == p.id:
                self.fire(
                    LEAD, "dispatch", d.id, "cancel", changes={"reason": "支援の完了により不要"}
                )
        self.fire(
            p.consultant,
            "engagement",
            p.id,
            "report",
            changes={"outcome": self.rng.choice(OUTCOMES)},
        )

    # -- engagements, evening: hearings held and plans drafted ---------------------------
    def engagements_evening(self, day: date) -> None:
        for rec in self.records("engagement", ("hearing",)):
            p = self.plans[rec.id]
            if (
                p.hearing_at is not None
                and tokyo_date(p.hearing_at) == day
                and not rec.data.get("findings")
            ):
                self.fire(
                    p.consultant,
                    "engagement",
                    rec.id,
                    "record_hearing",
                    changes={"findings": self.rng.choice(FINDINGS)},
                )
                p.plan_on = self.cal.add_business_days(day, self.rng.randint(2, 4))
            elif p.plan_on == day:
                planned = min(p.target, self.capacity_from(self.cal.add_business_days(day, 3)))
                p.target = planned
                self.fire(
                    p.consultant,
                    "engagement",
                    rec.id,
                    "draft_plan",
                    changes={"goals": self.rng.choice(GOALS), "planned_dispatches": planned},
                )
                p.approve_on = self.cal.add_business_days(day, self.rng.randint(1, 3))

    def capacity_from(self, start: date) -> int:
        return 2 * max(1, _months_between(f"{start:%Y-%m}", LAST_DISPATCH_MONTH))

    # -- dispatches -------------------------------------------------------------------------
    def counted(self) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        for d in self.records("dispatch", ("planned", "confirmed", "held")):
            out.setdefault(d.data["engagement_id"], []).append(d)
        return out

    def plan_dispatches(self, day: date) -> None:
        """Each engagement in support plans its month's visits on the month's first
        business day (or the day support starts): its plan's number spread evenly to
        February, two a month at most."""
        month = f"{day:%Y-%m}"
        if month > LAST_DISPATCH_MONTH:
            return
        first_bd = self.first_business_day(month)
        if day != first_bd and all(p.start_on != day for p in self.plans.values()):
            return
        going = self.records("engagement", ("in_support",))
        if not going:
            return
        have = self.counted()
        business = [
            d
            for d in (day + timedelta(days=n) for n in range(3, 40))
            if f"{d:%Y-%m}" == month and self.cal.is_business_day(d)
        ]
        months_left = _months_between(month, LAST_DISPATCH_MONTH)
        for rec in going:
            p = self.plans[rec.id]
            if day != first_bd and p.start_on != day:
                continue
            mine = have.get(rec.id, [])
            in_month = sum(1 for d in mine if d.data["month"] == month)
            left = p.target - len(mine)
            want = min(2 - in_month, left, -(-left // months_left), len(business))
            if want <= 0:
                continue
            for n, d in enumerate(sorted(self.rng.sample(business, want))):
                at = _at(d, self.rng.choice((10, 13, 15)), 30 if n else 0)
                self.call(
                    p.consultant,
                    dispatches.plan_dispatch,
                    rec.id,
                    at=at,
                    mode=self.rng.choice(("onsite", "web", "web")),
                    invite={"purpose": self.rng.choice(DISPATCH_NOTES)},
                )
        if month == "2026-07" and day == first_bd and "cap" not in self.shown:
            self.show_cap(month, business)

    def first_business_day(self, month: str) -> date:
        d = _month_first(month)
        return d if self.cal.is_business_day(d) else self.cal.next_business_day(d)

    def show_cap(self, month: str, business: list[date]) -> None:
        """The monthly cap at work: a third visit is refused, then lifted with a reason."""
        have = self.counted()
        for rec in self.records("engagement", ("in_support",)):
            p, mine = self.plans[rec.id], have.get(rec.id, [])
            if sum(1 for d in mine if d.data["month"] == month) == 2 and p.target - len(mine) >= 3:
                break
        else:
            return
        self.shown.add("cap")
        at = _at(business[-1], 16)
        self.refused(
            f"{p.label}: 同じ月に3回目の派遣を入れようとする（月2回まで）",
            p.consultant,
            dispatches.plan_dispatch,
            rec.id,
            at=at,
            mode="web",
        )
        self.call(
            LEAD,
            dispatches.plan_dispatch,
            rec.id,
            at=at,
            mode="web",
            override="県の依頼による臨時の打合せ",
        )
        self.tell(f"{p.label}: プロジェクト責任者が理由を添えて月3回目の派遣を入れた")

    def confirm_dispatches(self, day: date) -> None:
        """Three business days ahead the visit is confirmed; one in forty is called off."""
        soon = self.cal.add_business_days(day, 3)
        for d in self.records("dispatch", ("planned",)):
            when = tokyo_date(d.data["at"])
            if when > soon:
                continue
            p = self.plans[d.data["engagement_id"]]
            if self.rng.random() < 0.025:
                self.fire(
                    p.consultant,
                    "dispatch",
                    d.id,
                    "cancel",
                    changes={"reason": "先方の都合により中止"},
                )
                self.tell(
                    f"{p.label}: {when.month}月{when.day}日の派遣を先方の都合で中止した"
                    "（派遣枠は戻る）"
                )
            else:
                self.fire(p.consultant, "dispatch", d.id, "confirm")

    def record_dispatches(self, day: date) -> None:
        held: set[int] = set()
        for d in self.records("dispatch", ("confirmed",)):
            if tokyo_date(d.data["at"]) != day:
                continue
            p = self.plans[d.data["engagement_id"]]
            held.add(p.id)
            self.fire(
                p.consultant,
                "dispatch",
                d.id,
                "record",
                changes={
                    "summary": self.rng.choice(DISPATCH_NOTES),
                    "hours": self.rng.choice((1.5, 2.0, 2.5, 3.0)),
                },
            )
        # Once every planned visit is held, the outcome is reported the next business day.
        late = day >= date(2027, 3, 2)
        if not held and not late:
            return
        have = self.counted()
        for rec in self.records("engagement", ("in_support",)):
            p = self.plans[rec.id]
            mine = have.get(rec.id, [])
            done = len(mine) >= p.target and all(x.state == "held" for x in mine)
            if p.report_on is None and (done or late):
                p.report_on = self.cal.add_business_days(day, 1)

    def record_work(self, day: date) -> None:
        """Research hours between visits: once a month per engagement, mid-month."""
        if day.day < 12 or day.day > 20:
            return
        month = f"{day:%Y-%m}"
        for rec in self.records("engagement", ("plan_approved", "in_support")):
            p = self.plans[rec.id]
            if month in p.worked or (rec.id + day.day) % 5:
                continue
            p.worked.add(month)
            self.call(
                p.consultant,
                work.record_work,
                rec.id,
                day=day,
                hours=self.rng.choice((1.0, 1.5, 2.0, 3.0)),
                summary=self.rng.choice(WORK_NOTES),
            )

    # -- the consultation desk ----------------------------------------------------------------
    def consultations_of(self, day: date) -> None:
        if day in self.consultation_days and self.plans:
            org = self.rng.choice(sorted({p.label.split("×")[0] for p in self.plans.values()}))
            with self.services.uow(readonly=True) as uow:
                code = next(o.code for o in uow.directory.orgs() if o.name == org)
            out = self.call(
                PREF,
                desk.new_consultation,
                code,
                self.rng.choice(TOPICS),
                self.rng.choice(("mail", "phone", "web")),
            )
            who = self.rng.choice([c.email for c in CONSULTANTS])
            assign = self.cal.add_business_days(day, self.rng.randint(0, 1))
            answer = self.cal.add_business_days(assign, self.rng.choice((1, 2, 2, 3, 5)))
            self.consultations.append(
                Consultation(
                    out.record.id, who, assign, answer, self.cal.add_business_days(answer, 1)
                )
            )
        for c in self.consultations:
            if c.assign_on == day:
                self.call(LEAD, desk.assign_consultation, c.id, c.consultant)
            if c.answer_on == day:
                channel = self.rng.choice(("mail", "web", "phone"))
                self.fire(
                    c.consultant,
                    "consultation",
                    c.id,
                    "answer",
                    changes={
                        "answer_channel": channel,
                        "summary": "関連する国の資料と先行事例を示して回答",
                    },
                    payload={"channel": channel},
                )
            if c.close_on == day:
                self.fire(LEAD, "consultation", c.id, "close")

    # -- meetings ------------------------------------------------------------------------------
    def meetings_of(self, day: date) -> None:
        month = f"{day:%Y-%m}"
        if day == date(2026, 4, 6):
            out = self.call(
                LEAD,
                meetings.schedule_meeting,
                "kickoff",
                at=_at(date(2026, 4, 15), 14),
                url="https://meet.example.jp/banso-kickoff",
                invite={"purpose": "業務実施計画書と専門人材一覧表の説明"},
            )
            self.meetings["2026-04"] = out.record.id
            self.meeting_days[out.record.id] = date(2026, 4, 15)
            self.tell("キックオフ会議を4月15日に設定した（県、プロジェクト責任者、専門人材を招待）")
        first_bd = _month_first(month)
        while not self.cal.is_business_day(first_bd):
            first_bd += timedelta(days=1)
        if month != "2026-04" and day == first_bd and month not in self.meetings:
            target = first_bd + timedelta(days=14 + self.rng.randint(0, 6))
            while not self.cal.is_business_day(target):
                target += timedelta(days=1)
            out = self.call(
                LEAD,
                meetings.schedule_meeting,
                "monthly",
                at=_at(target, 14),
                url="https://meet.example.jp/banso-monthly",
            )
            self.meetings[month] = out.record.id
            self.meeting_days[out.record.id] = target
            if month == "2026-05":
                again = _at(self.cal.add_business_days(target, 5), 14)
                self.refused(
                    "同じ月に2回目の定例報告会を設定しようとする",
                    LEAD,
                    meetings.schedule_meeting,
                    "monthly",
                    at=again,
                )
        if day == date(2027, 2, 1):
            out = self.call(
                LEAD,
                meetings.schedule_meeting,
                "report",
                at=REPORT_MEETING,
                place="岡山県庁 分庁舎 大会議室",
                url="https://meet.example.jp/banso-report",
                invite={
                    "purpose": "今年度の支援成果の報告と次年度に向けた意見交換",
                    "reply_by": "2027-03-03",
                },
            )
            self.meetings["report"] = out.record.id
            self.meeting_days[out.record.id] = tokyo_date(REPORT_MEETING)
            self.tell("事業報告会を3月10日に設定し、県と全市町村・各部局の担当者を招待した")

    def hold_meetings(self, day: date) -> None:
        for key, mid in self.meetings.items():
            if self.meeting_days[mid] != day:
                continue
            with self.services.uow(readonly=True) as uow:
                m = uow.records.get("meeting", mid)
            minutes = {
                "kickoff": "業務実施計画書と専門人材一覧表を説明し、了承を得た",
                "report": "各団体の支援成果を報告し、次年度の進め方について意見交換した",
            }.get(
                m.data["kind"],
                f"{key[5:]}月の進捗（派遣・相談・期限）を報告し、翌月の予定を確認した",
            )
            self.fire(LEAD, "meeting", mid, "hold", changes={"minutes": minutes})
            if m.data["kind"] != "monthly":
                self.tell(
                    f"{'キックオフ会議' if m.data['kind'] == 'kickoff' else '事業報告会'}を開催した"
                )

    # -- monthly reports -------------------------------------------------------------------------
    RETURNED_PERIOD, LATE_PERIOD = "2026-07", "2026-09"

    def monthly_reports(self, day: date) -> None:
        """Drafted by the daemon on the month's first business day; submitted two
        business days later, decided two after that. July's comes back once;
        September's is late, the prefecture told beforehand. March's is drafted
        from the 20th (the contract ends on the 31st)."""
        month = f"{day:%Y-%m}"
        for period in months_of_year():
            if period in self.decided:
                continue
            last = period == months_of_year()[-1]
            if period >= month and not (last and day.day >= 20):
                break
            rid = self.deliverable("monthly_report", period)
            state = self.state("deliverable", rid)
            if state == "drafted":
                if period == self.LATE_PERIOD and not self.late_report(rid, day):
                    continue
                if not last and day < self.cal.add_business_days(self.first_business_day(month), 2):
                    continue
                if last and day < date(2027, 3, 24):
                    continue
                self.call(LEAD, documents.submit, rid)
            elif state == "submitted":
                submitted = self.submitted_on(rid)
                if submitted is None or day < self.cal.add_business_days(submitted, 2):
                    continue
                if period == self.RETURNED_PERIOD and not self.was_returned(rid):
                    self.fire(
                        PREF,
                        "deliverable",
                        rid,
                        "send_back",
                        changes={"reason": "相談対応件数の内訳（団体別）を追記してください"},
                    )
                    self.tell(
                        f"県が{int(period[5:])}月分の月次業務報告書を差し戻した（相談の内訳の追記）"
                    )
                else:
                    # A monthly report is received (受領), not approved.
                    self.fire(PREF, "deliverable", rid, "receive")
                    self.decided.add(period)
            elif state == "returned":
                self.call(LEAD, documents.generate, rid)
                self.call(LEAD, documents.submit, rid)
                self.tell(
                    f"指摘を反映して{int(period[5:])}月分の月次業務報告書を作り直し、再提出した"
                )

    def late_report(self, rid: int, day: date) -> bool:
        """September's report: two business days before it is due the lead tells the
        prefecture it will come three business days late, and it does. True: submit now."""
        due = self.due(rid)
        if due is None:
            return True
        until = self.cal.add_business_days(due, 3)
        if not self.delay_sent and day >= self.cal.add_business_days(due, -2):
            self.delay_sent = True
            self.call(
                LEAD,
                delays.notify_delay,
                rid,
                until=until,
                reason="相談対応件数の集計に時間を要しているため",
            )
            self.tell(
                f"9月分の月次業務報告書が期限（{due.month}月{due.day}日）に間に合わないため、"
                f"県に提出遅延を連絡した（{until.month}月{until.day}日までに提出）"
            )
        return day >= until

    def due(self, rid: int) -> date | None:
        with self.services.uow(readonly=True) as uow:
            d = uow.deadlines.find("deliverable", rid, "submission")
        return d.due if d else None

    def submitted_on(self, rid: int) -> date | None:
        with self.services.uow(readonly=True) as uow:
            events = uow.audit.history("deliverable", rid)
        at = [e.at for e in events if e.to_state == "submitted"]
        return tokyo_date(at[-1]) if at else None

    def was_returned(self, rid: int) -> bool:
        with self.services.uow(readonly=True) as uow:
            return any(e.to_state == "returned" for e in uow.audit.history("deliverable", rid))

    # -- the year's end: slides and the completion report ----------------------------------------
    def completion(self, day: date) -> None:
        if day == date(2027, 3, 5):
            self.slides = self.call(LEAD, documents.report_slides)
            self.tell("事業報告会の資料（スライド）を作成した")
        rid = self.deliverable("completion_report") if day >= date(2027, 3, 15) else None
        if rid is None:
            return
        state = self.state("deliverable", rid)
        if day == date(2027, 3, 15) and state == "pending":
            self.call(LEAD, documents.submit, rid)
            self.tell("業務完了報告書を作成し、県に提出した")
        elif state == "submitted" and day == date(2027, 3, 18):
            self.fire(PREF, "deliverable", rid, "inspect")
            self.tell("県が業務完了報告書の完了検査を行い、合格とした")


# -- the summary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    """What the year left in the records, counted from the database."""

    until: date
    engagements: dict[str, int]  # state label → count
    themes: list[tuple[str, int, int]]  # theme name, dispatches held or coming, planned
    dispatches: dict[str, int]  # held, coming, cancelled, total/standardisation quotas
    deadlines: dict[str, int]  # met on time, met late, missed (still open past due), open
    mail: dict[str, Counter[str]]  # kind label → recipient group → messages
    documents: dict[str, int]  # deliverable title → files written
    meetings: int
    consultations: int
    work_hours: float
    audit_events: int
    chain_ok: bool
    refusals: int
    calls: int = 0  # use cases the planner called (the daemon's passes not counted)

    def lines(self) -> list[str]:
        y = self.until
        out = [f"\n# {y.year}年{y.month}月{y.day}日までの一年のまとめ"]
        out.append("支援案件: " + "、".join(f"{k} {v}件" for k, v in self.engagements.items()))
        d = self.dispatches
        out.append(
            f"専門人材派遣: 実施 {d['held']}回、予定・確定 {d['coming']}回、中止 {d['cancelled']}回"
            f"（年間 {d['used']}/{d['total']}回 使用・残り{d['total'] - d['used']}回、"
            f"うち標準化 {d['std']}/{d['std_target']}回）"
        )
        for name, used, planned in self.themes:
            out.append(
                f"  {name}: {used}回（支援計画 {planned}回、残り {max(planned - used, 0)}回）"
            )
        dl = self.deadlines
        out.append(
            f"期限: 期限内に完了 {dl['on_time']}件、期限後に完了 {dl['late']}件、"
            f"期限超過のまま {dl['missed']}件、対応待ち {dl['open']}件"
        )
        out.append(
            f"会議 {self.meetings}回、相談 {self.consultations}件、"
            f"調査・資料作成 {self.work_hours:g}時間"
        )
        total = sum(sum(c.values()) for c in self.mail.values())
        out.append(f"送信したメール: {total}通")
        for kind, groups in sorted(self.mail.items(), key=lambda kv: -sum(kv[1].values())):
            parts = "、".join(f"{g} {n}" for g, n in groups.most_common())
            out.append(f"  {kind}: {sum(groups.values())}通（{parts}）")
        out.append(f"作成した文書: {sum(self.documents.values())}ファイル")
        for title, n in self.documents.items():
            out.append(f"  {title}: {n}")
        chain = "改ざんなし" if self.chain_ok else "連鎖が壊れている"
        out.append(
            f"監査証跡: {self.audit_events}件（{chain}）。ユースケースの呼び出し {self.calls}回"
            f"（うち想定どおりの拒否 {self.refusals}件）と、毎朝のデーモンの巡回"
        )
        return out


def summarise(
    services: Services, until: date, refusals: int, calls: int = 0, slides: str | None = None
) -> YearSummary:
    """Count the year from the records (never from what the planner meant to do)."""
    with services.uow(readonly=True) as uow:
        labels = services.runner.definition("engagement")
        states = Counter(r.state for r in uow.records.find("engagement"))
        eng = {labels.label_of(s): states[s] for s in STATE_ORDER if states[s]}
        themes = {t.id: t for t in uow.directory.themes()}
        plans = uow.records.find("engagement")
        all_dispatches = uow.records.find("dispatch")
        by_state = Counter(d.state for d in all_dispatches)
        top: dict[int, str] = {}
        for e in plans:
            t = themes[e.data["theme_id"]]
            top[e.id] = themes[t.parent_id].name if t.parent_id else t.name
        used: Counter[str] = Counter()
        planned: Counter[str] = Counter()
        for d in all_dispatches:
            if d.state != "cancelled":
                used[top[d.data["engagement_id"]]] += 1
        for e in plans:
            planned[top[e.id]] += e.data.get("planned_dispatches") or 0
        quota = uow.settings.get("quota") or {}
        std = sum(1 for d in all_dispatches if d.state != "cancelled" and d.data["standardization"])
        deadlines = uow.deadlines.list(date(2026, 1, 1), date(2028, 12, 31))
        roles = {p.email: p.role for p in uow.directory.people()}
        sent = services.outbox_store().list(state="sent", limit=1_000_000)
        # A deadline that was ever overdue got an overdue notice (key deadline:ID:STEP).
        overdue = {
            q.message.key.split(":")[1] for q in sent if q.message.kind == "deadline_overdue"
        }
        on_time = late = missed = still = 0
        for dl in deadlines:
            if dl.status == MET:
                if str(dl.id) in overdue:
                    late += 1
                else:
                    on_time += 1
            elif dl.status == MISSED:
                missed += 1
            elif dl.status == OPEN:
                still += 1
        mail: dict[str, Counter[str]] = {}
        for q in sent:
            kind = MAIL_KIND_LABELS.get(q.message.kind, q.message.kind)
            for to in (*q.message.to, *q.message.cc):
                group = GROUP_LABELS.get(roles.get(to, "contact"), GROUP_LABELS["contact"])
                mail.setdefault(kind, Counter())[group] += 1
        docs: Counter[str] = Counter()
        for dv in uow.records.find("deliverable", order_by=("id",)):
            n = len(uow.files.versions(dv.id))
            if n:
                docs[dv.data["title"]] += n
        if slides:  # the report meeting's slides are a file, not a deliverable's version
            docs["事業報告会資料"] += 1
        meetings_held = uow.records.count("meeting", states=("held",))
        consultations = uow.records.count("consultation")
        hours = sum(float(w.data["hours"]) for w in uow.records.find("work"))
    report = views.verify_audit(services)
    return YearSummary(
        until=until,
        engagements=eng,
        themes=sorted(((n, used[n], planned[n]) for n in planned), key=lambda t: -t[2]),
        dispatches={
            "held": by_state["held"],
            "coming": by_state["planned"] + by_state["confirmed"],
            "cancelled": by_state["cancelled"],
            "used": sum(used.values()),
            "total": int(quota.get("total", 0)),
            "std": std,
            "std_target": int(quota.get("standardization", 0)),
        },
        deadlines={"on_time": on_time, "late": late, "missed": missed, "open": still},
        mail=mail,
        documents=dict(docs),
        meetings=meetings_held,
        consultations=consultations,
        work_hours=hours,
        audit_events=report.checked,
        chain_ok=report.broken_seq is None,
        refusals=refusals,
        calls=calls,
    )
