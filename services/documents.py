"""The deliverables as documents: what each says, gathered from the records, and the
use cases that generate a new version of its files and list the versions.

Gathering is here (one read of the records per document); laying out is the
renderer's (`documents/`), reached through the DocumentRenderer port.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.era import fiscal_year
from banso.engine.errors import InvalidValue, Refused
from banso.engine.lazylog import get_logger
from banso.engine.phrase import Phrase
from banso.engine.workflow import SYSTEM, Actor, RecordView
from banso.services import content as c
from banso.services import forecast as forecast_uc
from banso.services.context import Services
from banso.services.dispatches import year_use
from banso.services.identity import acting
from banso.services.ports import DocumentFile, FileVersion, MissingFont, Person, UnitOfWork
from banso.services.stored import contract
from banso.services.transitions import fire_in
from banso.services.work import month_hours
from banso.workflows import MEETING_KINDS
from banso.workflows import deliverable as dw
from banso.workflows.labels import CHANNEL_LABELS, DEADLINE_STATUS_LABELS, MODE_LABELS
from banso.workflows.programme import COUNTED, month_end
from banso.workflows.roles import CONSULTANT, LEAD, role_label

log = get_logger()

PURPOSE = (
    "県及び県内市町村のDX推進に向け、相談窓口の運営と専門人材の派遣による伴走支援を行い、"
    "各団体の課題解決と取組の横展開を図る。"
)
SCOPE = (
    "相談窓口の設置・運営（県が受け付けた相談への対応）",
    "専門人材の派遣（ヒアリング、支援計画書の作成、訪問又はWEB会議による支援）",
    "事業報告会の開催（県職員と市町村職員の合同参加）",
    "定例報告会（毎月1回）及び成果物の作成・提出",
)
CONFIDENTIALITY = (
    "業務上知り得た各団体の情報は当該団体の支援にのみ用い、他の団体その他の第三者に開示しない。"
    "連絡は団体ごとに個別に行い、資料・記録は団体ごとに管理する。"
)
SUBCONTRACTING = (
    "業務の一部を再委託する場合は、あらかじめ県の書面による承認を得る。"
    "承認前の再委託先の専門人材は派遣しない。"
)


class Gather:
    """Reads what the documents say, inside one read-only unit of work."""

    def __init__(self, services: Services, uow: UnitOfWork) -> None:
        self.services = services
        self.uow = uow
        self.contract = contract(uow)
        self.start = date.fromisoformat(self.contract["start"])
        self.end = date.fromisoformat(self.contract["end"])
        self.fy = fiscal_year(self.start)
        self.today = tokyo_date(services.clock.now())

    # -- shared pieces -------------------------------------------------------------
    def head(self, title: str, version: int) -> c.Head:
        return c.Head(
            programme=self.services.title,
            fiscal_year=self.fy,
            contractor=self.contract.get("contractor", "受託者"),
            addressee=self.services.addressee,
            issued=self.today,
            title=title,
            version=version,
            contract=(self.start, self.end),
        )

    def member(self, p: Person) -> c.Member:
        sub = (
            self.uow.directory.subcontractor_by_id(p.subcontractor_id)
            if p.subcontractor_id
            else None
        )
        return c.Member(
            name=p.name,
            role=role_label(p.role),
            company=sub.name if sub else (p.company or self.contract.get("contractor", "受託者")),
            email=p.email,
            fields=p.fields,
            track_record=p.track_record,
            subcontractor=sub is not None,
            approval_ref=sub.approval_ref if sub else None,
        )

    def team(self) -> tuple[c.Member, ...]:
        people = self.uow.directory.people(LEAD, active_only=True)
        people += self.uow.directory.people(CONSULTANT, active_only=True)
        return tuple(self.member(p) for p in people)

    def names(self, view: RecordView) -> tuple[str, str]:
        """(organisation, theme) of an engagement's record."""
        org = self.uow.directory.org_by_id(view.data["org_id"])
        theme = self.uow.directory.theme_by_id(view.data["theme_id"])
        return (org.name if org else "", theme.name if theme else "")

    def engagement(self, engagement_id: int) -> RecordView:
        return self.uow.records.get("engagement", engagement_id)

    def person_name(self, person_id: int | None) -> str | None:
        p = self.uow.directory.person_by_id(person_id) if person_id else None
        return p.name if p else None

    def dispatches(self, **where: Any) -> list[RecordView]:
        return self.uow.records.find("dispatch", where=where, states=COUNTED, order_by=("at",))

    def quota(self, until: str | None = None) -> c.QuotaUse:
        """Use against the quotas; ``until`` ("2026-10"): as it stood at that month's end."""
        quota = self.uow.settings.get("quota") or {}
        if until is None:
            used, std_used = year_use(self.uow, self.fy)
        else:
            counted = [
                d
                for d in self.uow.records.find(
                    "dispatch", where={"fiscal_year": self.fy}, states=COUNTED
                )
                if d.data["month"] <= until
            ]
            used, std_used = len(counted), sum(bool(d.data["standardization"]) for d in counted)
        held = [
            d
            for d in self.uow.records.find(
                "dispatch", where={"fiscal_year": self.fy}, states=("held",)
            )
            if until is None or d.data["month"] <= until
        ]
        by_month = Counter(d.data["month"] for d in held)
        months = sorted(by_month)
        return c.QuotaUse(
            used=used,
            held=len(held),
            total=quota.get("total", 0),
            standardization_used=std_used,
            standardization=quota.get("standardization", 0),
            by_month=tuple((m, by_month[m]) for m in months),
        )

    def engagement_lines(self) -> tuple[c.EngagementLine, ...]:
        lines = []
        for e in self.uow.records.find("engagement", not_states=("withdrawn",)):
            org, theme = self.names(e)
            held = self.uow.records.count(
                "dispatch", where={"engagement_id": e.id}, states=("held",)
            )
            lines.append(
                c.EngagementLine(
                    org_name=org,
                    theme_name=theme,
                    state=self.services.runner.definition("engagement").label_of(e.state),
                    consultant=self.person_name(e.data["consultant_id"]),
                    held=held,
                    outcome=e.data.get("outcome"),
                    findings=e.data.get("findings"),
                )
            )
        return tuple(lines)

    def dispatch_lines(self, dispatches: Iterable[RecordView]) -> tuple[c.DispatchLine, ...]:
        groups: dict[tuple[str, str], list[RecordView]] = defaultdict(list)
        for d in dispatches:
            groups[self.names(self.engagement(d.data["engagement_id"]))].append(d)
        return tuple(
            c.DispatchLine(
                org_name=org,
                theme_name=theme,
                count=len(ds),
                hours=float(sum(d.data.get("hours") or 0 for d in ds)),
                onsite=sum(d.data["mode"] == "onsite" for d in ds),
                web=sum(d.data["mode"] == "web" for d in ds),
            )
            for (org, theme), ds in sorted(groups.items())
        )

    def consultations(self, month: str | None = None) -> tuple[c.ConsultationLine, ...]:
        lines = []
        definition = self.services.runner.definition("consultation")
        for v in self.uow.records.find("consultation", where={"fiscal_year": self.fy}):
            if month is not None:
                created = self.uow.audit.history("consultation", v.id)[0].at
                if f"{tokyo_date(created):%Y-%m}" != month:
                    continue
            org = self.uow.directory.org_by_id(v.data["org_id"])
            channel = v.data.get("channel")
            lines.append(
                c.ConsultationLine(
                    topic=v.data["topic"],
                    org_name=org.name if org else "",
                    channel=CHANNEL_LABELS.get(channel, channel) if channel else None,
                    state=definition.label_of(v.state),
                )
            )
        return tuple(lines)

    def meetings(self, **where: Any) -> tuple[c.MeetingLine, ...]:
        definition = self.services.runner.definition("meeting")
        return tuple(
            c.MeetingLine(
                kind=MEETING_KINDS.get(m.data["kind"], m.data["kind"]),
                on=tokyo_date(m.data["at"]),
                state=definition.label_of(m.state),
                minutes=m.data.get("minutes"),
            )
            for m in self.uow.records.find(
                "meeting", where=where, not_states=("cancelled",), order_by=("at",)
            )
        )

    def deadlines(self, start: date, end: date) -> tuple[c.DeadlineLine, ...]:
        return tuple(
            c.DeadlineLine(
                title=d.title,
                due=d.due,
                status=DEADLINE_STATUS_LABELS.get(d.status, d.status),
            )
            for d in self.uow.deadlines.list(start, end)
            if d.status != "cancelled"
        )

    def approval(self, kind: str, record_id: int, trigger: str) -> c.Approval | None:
        for e in reversed(self.uow.audit.history(kind, record_id)):
            if e.trigger == trigger:
                p = self.uow.directory.person(e.actor)
                return c.Approval(by=p.name if p else e.actor, on=tokyo_date(e.at))
        return None

    # -- the documents ----------------------------------------------------------------
    def org_chart(self, version: int) -> c.OrgChart:
        leads = self.uow.directory.people(LEAD, active_only=True)
        consultants = self.uow.directory.people(CONSULTANT, active_only=True)
        return c.OrgChart(
            head=self.head(dw.DELIVERABLE_KINDS["org_chart"][0], version),
            lead=self.member(leads[0]) if leads else None,
            members=tuple(self.member(p) for p in leads[1:] + consultants),
            subcontractors=tuple(
                c.SubcontractorLine(
                    s.name,
                    s.scope,
                    tokyo_date(s.approved_at) if s.approved_at else None,
                    s.approval_ref,
                )
                for s in self.uow.directory.subcontractors()
            ),
        )

    def implementation_plan(self, version: int) -> c.ImplementationPlan:
        quota = self.uow.settings.get("quota") or {}
        kickoff = date.fromisoformat(self.contract.get("kickoff") or self.contract["start"])
        schedule = [c.ScheduleItem(kickoff, "キックオフ会議")]
        for d in self.uow.deadlines.list(self.start, self.end):
            if d.obligation in ("submission", "monthly_meeting"):
                schedule.append(c.ScheduleItem(d.due, d.title))
        for m in self.meetings(kind="report"):
            schedule.append(c.ScheduleItem(m.on, m.kind))
        return c.ImplementationPlan(
            head=self.head(dw.DELIVERABLE_KINDS["implementation_plan"][0], version),
            purpose=PURPOSE,
            period=(self.start, self.end),
            scope=SCOPE,
            team=self.team(),
            schedule=tuple(sorted(schedule, key=lambda s: s.on)),
            quotas=c.Quotas(
                total=quota.get("total", 0),
                standardization=quota.get("standardization", 0),
                monthly_cap=quota.get("monthly_cap", 0),
            ),
            confidentiality=CONFIDENTIALITY,
            subcontracting=SUBCONTRACTING,
        )

    def roster(self, title: str, version: int) -> c.Roster:
        themes = [t for t in self.uow.directory.themes() if t.parent_id is None]
        rows = []
        for p in self.uow.directory.people(CONSULTANT, active_only=True):
            served = {
                self.names(e)[0]
                for e in self.uow.records.find("engagement", where={"consultant_id": p.id})
            }
            rows.append(
                c.RosterRow(
                    member=self.member(p),
                    themes=tuple(any(t.name in f or f in t.name for f in p.fields) for t in themes),
                    organisations=tuple(sorted(served)),
                )
            )
        return c.Roster(
            head=self.head(title, version),
            as_of=self.today,
            themes=tuple(t.name for t in themes),
            rows=tuple(rows),
        )

    def support_plan(self, deliverable: RecordView, version: int) -> c.SupportPlan:
        e = self.engagement(deliverable.data["engagement_id"])
        org, theme = self.names(e)
        planned = self.dispatches(engagement_id=e.id)
        months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for d in planned:
            months[d.data["month"]][0 if d.data["mode"] == "onsite" else 1] += 1
        consultant = (
            self.uow.directory.person_by_id(e.data["consultant_id"])
            if e.data["consultant_id"]
            else None
        )
        first = tokyo_date(planned[0].data["at"]) if planned else self.start
        last = tokyo_date(planned[-1].data["at"]) if planned else self.end
        return c.SupportPlan(
            head=self.head(deliverable.data["title"], version),
            org_name=org,
            department=None,
            theme_name=theme,
            hearing_on=tokyo_date(e.data["hearing_at"]) if e.data.get("hearing_at") else None,
            findings=e.data.get("findings") or "",
            goals=e.data.get("goals") or "",
            planned_dispatches=e.data.get("planned_dispatches"),
            by_month=tuple(c.MonthPlan(m, n[0], n[1]) for m, n in sorted(months.items())),
            consultant=self.member(consultant) if consultant else None,
            period=(first, last),
            approval=self.approval("engagement", e.id, "approve_plan"),
        )

    def monthly_report(self, deliverable: RecordView, version: int) -> c.MonthlyReport:
        period: str = deliverable.data["period"]
        first = date.fromisoformat(f"{period}-01")
        last = month_end(first)
        following = last + timedelta(days=1)
        monthly = self.meetings(kind="monthly", month=period)
        next_month = [
            c.PlannedDispatch(
                on=tokyo_date(d.data["at"]),
                org_name=self.names(self.engagement(d.data["engagement_id"]))[0],
                theme_name=self.names(self.engagement(d.data["engagement_id"]))[1],
                mode=MODE_LABELS.get(d.data["mode"], d.data["mode"]),
            )
            for d in self.dispatches(month=f"{following:%Y-%m}")
            if d.state != "held"
        ]
        return c.MonthlyReport(
            head=self.head(deliverable.data["title"], version),
            period=period,
            dispatches=self.dispatch_lines(
                d for d in self.dispatches(month=period) if d.state == "held"
            ),
            consultations=self.consultations(period),
            engagements=self.engagement_lines(),
            quota=self.quota(until=period),
            deadlines=self.deadlines(first, last),
            meeting=monthly[0] if monthly else None,
            next_month=tuple(next_month),
            contract_ends=f"{self.end:%Y-%m}" == period,
            work=self.work_lines(period),
            forecast=self.forecast(),
        )

    def forecast(self) -> c.Forecast | None:
        """年度末までの見通し as of today (services.forecast); None once the contract ended."""
        f = forecast_uc.gather(self.services, self.uow, forecast_uc.WhatIf())
        if not f.months:
            return None
        std = f.standardization
        return c.Forecast(
            as_of=f.as_of,
            end=f.end,
            monthly_cap=f.monthly_cap,
            budget=f.budget["limit"],
            used=f.total["used"],
            expected=f.total["expected"],
            possible=f.total["possible"],
            standardization_target=std["target"],
            standardization_used=std["used"],
            standardization_expected=std["expected"],
            standardization_at_most=std["at_most"],
            themes=tuple(
                c.ForecastTheme(t.name, t.standardization, t.engagements, t.used, t.expected,
                                t.possible)
                for t in f.themes
            ),
            warnings=tuple(w.text for w in f.warnings),
        )  # fmt: skip

    def work_lines(self, month: str) -> tuple[c.WorkLine, ...]:
        """The month's hours of research and materials, per engagement (§6(2)③)."""
        lines = []
        for row in month_hours(self.uow, month):
            org_name, theme_name = self.names(self.engagement(row.engagement_id))
            lines.append(c.WorkLine(org_name, theme_name, row.hours, row.entries))
        return tuple(sorted(lines, key=lambda line: (line.org_name, line.theme_name)))

    def completion_report(self, deliverable: RecordView, version: int) -> c.CompletionReport:
        held = self.uow.records.find("dispatch", where={"fiscal_year": self.fy}, states=("held",))
        themes: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for d in held:
            theme = self.names(self.engagement(d.data["engagement_id"]))[1]
            themes[theme][0] += 1
            themes[theme][1] += d.data.get("hours") or 0
        definition = self.services.runner.definition("deliverable")
        deliverables = []
        for v in self.uow.records.find("deliverable", not_states=()):
            due = self.uow.deadlines.find("deliverable", v.id, "submission")
            submitted = self.approval("deliverable", v.id, dw.SUBMIT)
            approved = self.approval("deliverable", v.id, dw.APPROVE)
            deliverables.append(
                c.DeliverableLine(
                    title=v.data["title"],
                    due=due.due if due else None,
                    state=definition.label_of(v.state),
                    submitted_on=submitted.on if submitted else None,
                    approved_on=approved.on if approved else None,
                )
            )
        return c.CompletionReport(
            head=self.head(deliverable.data["title"], version),
            engagements=self.engagement_lines(),
            themes=tuple(
                c.ThemeTotal(name, int(n), float(h)) for name, (n, h) in sorted(themes.items())
            ),
            quota=self.quota(),
            consultations=self.consultations(),
            meetings=self.meetings(),
            deliverables=tuple(deliverables),
        )

    def slides(self, version: int) -> c.ReportSlides:
        completion = self.completion_report(
            RecordView("deliverable", 0, "pending", 0, {"title": "事業報告会資料"}), version
        )
        quota = completion.quota
        return c.ReportSlides(
            head=self.head("事業報告会資料", version),
            summary=(
                f"{self.services.title}の実施状況と成果を報告します。",
                f"専門人材の派遣 {quota.held}回（予算{quota.total}回）",
                f"相談対応 {len(completion.consultations)}件",
            ),
            quota=quota,
            themes=completion.themes,
            outcomes=tuple(e for e in completion.engagements if e.outcome),
        )

    def content(self, deliverable: RecordView, version: int) -> c.Content:
        kind = deliverable.data["kind"]
        if kind == "org_chart":
            return self.org_chart(version)
        if kind == "implementation_plan":
            return self.implementation_plan(version)
        if kind == "expert_roster":
            # The roster's own 版 (a new one whenever the consultants change).
            return self.roster(deliverable.data["title"], deliverable.data["roster_version"] or 1)
        if kind == "support_plan":
            return self.support_plan(deliverable, version)
        if kind == "monthly_report":
            return self.monthly_report(deliverable, version)
        if kind == "completion_report":
            return self.completion_report(deliverable, version)
        raise ValueError(f"no document for deliverable kind {kind!r}")

    def cover_letter(self, title: str, enclosed: tuple[str, ...], number: int) -> c.CoverLetter:
        pattern = self.services.document_number
        return c.CoverLetter(
            head=self.head(f"送付状（{title}）", 1),
            number=pattern.format(n=number),
            enclosed=enclosed,
        )


COVER = "cover"  # the format under which a version's cover letter (送付状) is kept


@dataclass(frozen=True)
class Generated:
    deliverable_id: int
    version: int
    files: tuple[FileVersion, ...]
    drafted: bool  # the deliverable moved to drafted with this version
    skipped: tuple[str, ...] = ()  # formats not written (a PDF without a Japanese font)


def next_version(uow: UnitOfWork, deliverable_id: int) -> int:
    return max((f.version for f in uow.files.versions(deliverable_id)), default=0) + 1


# A deliverable under review or approved keeps the version the prefecture has.
GENERATES_FROM = (dw.PENDING, dw.DRAFTED, dw.RETURNED)


def _store(
    services: Services,
    uow: UnitOfWork,
    made: DocumentFile,
    *,
    deliverable_id: int,
    version: int,
    fmt: str,
    who: Actor,
) -> FileVersion:
    """Keep one rendered file (called once nothing can refuse the change any more)."""
    file = FileVersion(
        deliverable_id=deliverable_id,
        version=version,
        format=fmt,
        filename=made.filename,
        sha256=hashlib.sha256(made.data).hexdigest(),
        size=len(made.data),
        location=services.files.save(made.filename, made.data),
        created_by=who.email,
        created_at=services.clock.now(),
    )
    uow.files.add(file)
    return file


def generate(
    services: Services,
    user: str | None,
    deliverable_id: int,
    formats: tuple[str, ...] | None = None,
    *,
    actor: Actor | None = None,
    only_from: tuple[str, ...] = GENERATES_FROM,
) -> Generated:
    """Write a new version of the deliverable's files and record it (SHA-256, size, who,
    when); a pending or returned deliverable becomes drafted. A version never replaces
    another. Without a Japanese font the PDF is skipped (and said so): the editable
    files are the deliverable."""
    with services.uow() as uow:
        who = actor or acting(uow, user, "generate a deliverable", (LEAD,))
        deliverable = uow.records.get("deliverable", deliverable_id)
        if deliverable.state not in only_from:
            label = services.runner.definition("deliverable").label_of(deliverable.state)
            raise Refused(
                Phrase(
                    "deliverable {id} is {state} ({label}): a new version is made only while "
                    "it is {allowed}",
                    id=deliverable_id,
                    state=deliverable.state,
                    label=label,
                    allowed=" or ".join(only_from),
                    allowed_labels="・".join(
                        services.runner.definition("deliverable").label_of(s) for s in only_from
                    ),
                )
            )
        version = next_version(uow, deliverable_id)
        content = Gather(services, uow).content(deliverable, version)
        renderer = services.renderer
        wanted = formats or renderer.formats(content)
        unknown = [f for f in wanted if f not in renderer.formats(content)]
        if unknown:
            allowed = ", ".join(renderer.formats(content))
            raise InvalidValue(
                "--format",
                unknown[0],
                Phrase("one of {allowed} for this deliverable", allowed=allowed),
            )
        made: list[tuple[str, DocumentFile]] = []
        skipped: list[str] = []
        for fmt in wanted:
            try:
                made.append((fmt, renderer.render(content, fmt)))
            except MissingFont:
                if formats:  # asked for by name: refused, and nothing of this version kept
                    raise
                skipped.append(fmt)
                log.warning("document.no_japanese_font", deliverable=deliverable_id, format=fmt)
        drafted = deliverable.state in (dw.PENDING, dw.RETURNED)
        if drafted:
            fire_in(services, uow, who, "deliverable", deliverable_id, dw.DRAFT)
        written = [
            _store(services, uow, file, deliverable_id=deliverable_id, version=version,
                   fmt=fmt, who=who)
            for fmt, file in made
        ]  # fmt: skip
        uow.commit()
    return Generated(deliverable_id, version, tuple(written), drafted, tuple(skipped))


def versions(services: Services, deliverable_id: int) -> list[FileVersion]:
    with services.uow(readonly=True) as uow:
        uow.records.get("deliverable", deliverable_id)  # an unknown id is NotFound
        return uow.files.versions(deliverable_id)


def latest(uow: UnitOfWork, deliverable_id: int) -> list[FileVersion]:
    """The files of the newest version (empty if none was generated)."""
    found = uow.files.versions(deliverable_id)
    if not found:
        return []
    newest = found[-1].version
    return [f for f in found if f.version == newest]


def draft_by_generating(services: Services, deliverable_id: int) -> Generated:
    """The daemon's monthly drafting: generate the report as the system."""
    return generate(services, None, deliverable_id, actor=SYSTEM)


def submit(services: Services, user: str | None, deliverable_id: int) -> tuple[Any, Generated]:
    """Submit the latest version to the prefecture with its cover letter (送付状). A
    deliverable with no version yet, or whose latest version was submitted before (it
    came back), gets a new one first; the submission mail carries the files."""
    with services.uow(readonly=True) as uow:
        actor = acting(uow, user, "submit a deliverable", (LEAD,))
        deliverable = uow.records.get("deliverable", deliverable_id)
        if deliverable.state not in GENERATES_FROM:
            # Refused as the trigger refuses it, before anything is made.
            fire_in(services, uow, actor, "deliverable", deliverable_id, dw.SUBMIT)
        files = latest(uow, deliverable_id)
        fresh = not files or any(f.submitted_at for f in files)
    generated = generate(services, user, deliverable_id) if fresh else None
    with services.uow() as uow:
        actor = acting(uow, user, "submit a deliverable", (LEAD,))
        deliverable = uow.records.get("deliverable", deliverable_id)
        files = [f for f in latest(uow, deliverable_id) if f.format != COVER]
        version = files[0].version if files else next_version(uow, deliverable_id)
        # The contractor's outgoing numbers: one counter, held while it is used.
        sent = (uow.settings.get("documents_sent", lock=True) or {}).get("count", 0) + 1
        letter = Gather(services, uow).cover_letter(
            deliverable.data["title"], tuple(f.filename for f in files), sent
        )
        cover = services.renderer.render(letter, "docx")
        uow.settings.put("documents_sent", {"count": sent})
        # Kept before the transition: the submission mail it causes carries the letter.
        _store(services, uow, cover, deliverable_id=deliverable_id, version=version,
               fmt=COVER, who=actor)  # fmt: skip
        outcome = fire_in(services, uow, actor, "deliverable", deliverable_id, dw.SUBMIT)
        uow.files.mark_submitted(deliverable_id, version, services.clock.now())
        uow.commit()
    return outcome, generated or Generated(deliverable_id, version, tuple(files), False)


def report_slides(services: Services, user: str | None) -> str:
    """事業報告会資料: the year so far as slides (lead); returns where the file is."""
    with services.uow(readonly=True) as uow:
        acting(uow, user, "make the report-meeting slides", (LEAD,))
        content = Gather(services, uow).slides(1)
    made = services.renderer.render(content, "pptx")
    return services.files.save(made.filename, made.data)
