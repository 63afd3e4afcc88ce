"""Sample deliverable content (services.content) for the renderer tests: a small,
plausible Okayama programme whose figures the tests look for in the files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from banso.services import content as c

PROGRAMME = "令和8年度 県・市町村DX推進伴走支援事業"
CONTRACTOR = "株式会社伴走デジタル"


def head(title: str, issued: date = date(2026, 11, 6), version: int = 1) -> c.Head:
    return c.Head(
        programme=PROGRAMME,
        fiscal_year=2026,
        contractor=CONTRACTOR,
        addressee="岡山県 総務部 デジタル推進課",
        issued=issued,
        title=title,
        version=version,
    )


LEAD = c.Member(
    name="伴走 一郎",
    role="プロジェクト責任者",
    company=CONTRACTOR,
    email="ichiro.bansou@contractor.example.jp",
    phone="086-000-0000",
)
HANAKO = c.Member(
    name="佐藤 花子",
    role="専門人材",
    company=CONTRACTOR,
    email="hanako.sato@contractor.example.jp",
    fields=("情報システム標準化", "ガバメントクラウド"),
    track_record="中核市の標準化移行支援 3件",
)
JIRO = c.Member(
    name="外注 次郎",
    role="専門人材",
    company="株式会社パートナーDX",
    email="jiro.gaichu@partner.example.jp",
    fields=("ノーコード/ローコード",),
    track_record="町村のkintone導入 5件",
    subcontractor=True,
    approval_ref="デジ第123号",
)
THEMES = ("情報システム標準化", "生成AI", "ノーコード/ローコード")


def org_chart() -> c.OrgChart:
    return c.OrgChart(
        head=head("業務実施体制図", date(2026, 4, 7)),
        lead=LEAD,
        members=(HANAKO, JIRO),
        subcontractors=(
            c.SubcontractorLine(
                "株式会社パートナーDX", "ノーコード支援", date(2026, 4, 20), "デジ第123号"
            ),
        ),
    )


def quota() -> c.QuotaUse:
    return c.QuotaUse(
        used=212,
        held=187,
        total=470,
        standardization_used=160,
        standardization=360,
        by_month=(("2026-04", 8), ("2026-05", 31), ("2026-06", 38), ("2026-07", 40),
                  ("2026-08", 30), ("2026-09", 40)),
    )  # fmt: skip


def forecast() -> c.Forecast:
    """年度末までの見通し as a November report gives it (services.forecast)."""
    return c.Forecast(
        as_of=date(2026, 11, 6), end=date(2027, 3, 31), monthly_cap=2, budget=470, used=212,
        expected=120, possible=180, standardization_target=360, standardization_used=160,
        standardization_expected=90, standardization_at_most=300,
        themes=(c.ForecastTheme("情報システム標準化", True, 20, 160, 90, 140),
                c.ForecastTheme("生成AI", False, 8, 52, 30, 20)),
        warnings=("案件12（津山市・生成AI）：あと4回の派遣が必要ですが、月2回の上限では"
                  "2027年1月までに開始しなければ3月31日までに終わりません",),
    )  # fmt: skip


def implementation_plan() -> c.ImplementationPlan:
    return c.ImplementationPlan(
        head=head("業務実施計画書", date(2026, 4, 15)),
        purpose="県内市町村及び県の各部局のDX推進を、専門人材の伴走により支援する。",
        period=(date(2026, 4, 1), date(2027, 3, 31)),
        scope=("相談窓口の運営", "専門人材の派遣", "事業報告会の開催"),
        team=(LEAD, HANAKO, JIRO),
        schedule=(
            c.ScheduleItem(date(2026, 4, 15), "キックオフ会議"),
            c.ScheduleItem(date(2026, 5, 11), "月次業務報告書（令和8年4月分）の提出"),
            c.ScheduleItem(date(2027, 2, 18), "事業報告会"),
            c.ScheduleItem(date(2027, 3, 31), "業務完了報告書の提出"),
        ),
        quotas=c.Quotas(total=470, standardization=360, monthly_cap=2),
        confidentiality="各団体から得た情報は当該団体の支援にのみ用い、第三者に開示しない。",
        subcontracting="再委託は県の書面による事前承認を得た範囲に限る。",
    )


def roster() -> c.Roster:
    return c.Roster(
        head=head("専門人材一覧表（第2版）", date(2026, 6, 1), version=2),
        as_of=date(2026, 6, 1),
        themes=THEMES,
        rows=(
            c.RosterRow(HANAKO, (True, False, False), ("岡山市", "倉敷市")),
            c.RosterRow(JIRO, (False, False, True), ("新庄村",)),
        ),
    )


def support_plan() -> c.SupportPlan:
    return c.SupportPlan(
        head=head("支援計画書（岡山市・情報システム標準化）", date(2026, 4, 24)),
        org_name="岡山市",
        department="情報政策課",
        theme_name="情報システム標準化",
        hearing_on=date(2026, 4, 16),
        findings="標準準拠システムへの移行後、運用経費が増加している。",
        goals="ガバメントクラウドの利用料を月額15%削減する見直し案を合意する。",
        planned_dispatches=4,
        by_month=(c.MonthPlan("2026-05", 1, 1), c.MonthPlan("2026-06", 1, 1)),
        consultant=HANAKO,
        period=(date(2026, 5, 1), date(2026, 6, 30)),
        approval=c.Approval("備前 太郎", date(2026, 4, 27)),
    )


def monthly_report(period: str = "2026-10", dispatches: int = 3) -> c.MonthlyReport:
    lines = tuple(
        c.DispatchLine(
            org_name=f"{name}", theme_name=theme, count=count, hours=count * 2.0,
            onsite=count - 1, web=1,
        )
        for name, theme, count in (
            ("岡山市", "情報システム標準化", 2),
            ("倉敷市", "生成AI", 2),
            ("新庄村", "ノーコード/ローコード", 1),
        )[:dispatches]
    )  # fmt: skip
    return c.MonthlyReport(
        head=head("月次業務報告書（令和8年10月分）"),
        period=period,
        dispatches=lines,
        consultations=(
            c.ConsultationLine("生成AIの利用規程", "倉敷市", "メール", "回答済"),
            c.ConsultationLine("庁内ネットワークの分離", "津山市", "電話", "受付"),
        ),
        engagements=(
            c.EngagementLine("岡山市", "情報システム標準化", "支援中", "佐藤 花子", 6),
            c.EngagementLine("倉敷市", "生成AI", "支援中", "山田 健二", 4),
        ),
        quota=quota(),
        deadlines=(
            c.DeadlineLine(
                "月次業務報告書（令和8年9月分）の提出",
                date(2026, 10, 13),
                "完了",
                date(2026, 10, 9),
            ),
            c.DeadlineLine(
                "支援計画書の作成（新庄村・ノーコード/ローコード）", date(2026, 10, 20), "期限超過"
            ),
        ),
        meeting=c.MeetingLine("定例報告会", date(2026, 10, 15), "開催済", "進捗と課題を報告"),
        next_month=(
            c.PlannedDispatch(date(2026, 11, 4), "岡山市", "情報システム標準化", "訪問"),
            c.PlannedDispatch(date(2026, 11, 12), "倉敷市", "生成AI", "WEB会議"),
        ),
        issues="町村部での専門人材の移動時間が課題。",
    )


def completion_report() -> c.CompletionReport:
    monthly = monthly_report()
    return c.CompletionReport(
        head=head("業務完了報告書", date(2027, 3, 31)),
        engagements=tuple(
            replace(e, state="報告済", outcome="運用経費を年1割削減する計画を策定")
            for e in monthly.engagements
        ),
        themes=(c.ThemeTotal("情報システム標準化", 160, 320.0), c.ThemeTotal("生成AI", 27, 54.0)),
        quota=quota(),
        consultations=monthly.consultations,
        meetings=(
            c.MeetingLine("キックオフ会議", date(2026, 4, 15), "開催済"),
            c.MeetingLine("事業報告会", date(2027, 2, 18), "開催済"),
        ),
        deliverables=(
            c.DeliverableLine(
                "業務実施体制図", date(2026, 4, 8), "承認済", date(2026, 4, 7), date(2026, 4, 9)
            ),
        ),
        issues="移行後の運用最適化の支援需要が大きい。",
        proposals="次年度はガバメントクラウドの共同利用を重点テーマとする。",
    )


def report_slides() -> c.ReportSlides:
    completion = completion_report()
    return c.ReportSlides(
        head=head("事業報告会資料", date(2027, 2, 18)),
        summary=("27市町村と県の各部局を対象に専門人材を派遣", "相談窓口で50件程度の相談に対応"),
        quota=quota(),
        themes=completion.themes,
        outcomes=tuple(
            replace(e, findings="移行後の運用経費が増加") for e in completion.engagements
        ),
        lessons=("標準化後の運用見直しは他団体でも効果が見込める",),
    )


def cover_letter() -> c.CoverLetter:
    return c.CoverLetter(
        head=head("送付状"),
        number="伴走第12号",
        enclosed=(
            "月次業務報告書_令和8年10月分_第1版.docx",
            "月次業務報告書_令和8年10月分_第1版.pdf",
        ),
    )


SAMPLES = {
    "org_chart": org_chart,
    "implementation_plan": implementation_plan,
    "roster": roster,
    "support_plan": support_plan,
    "monthly_report": monthly_report,
    "completion_report": completion_report,
    "report_slides": report_slides,
    "cover_letter": cover_letter,
}
