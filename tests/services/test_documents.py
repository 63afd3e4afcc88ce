"""Deliverables as documents, on the fakes: what each says (gathered from the records),
versions that never replace each other, the PDF without a font, submission, the daemon."""

from __future__ import annotations

from typing import Any

import pytest

from banso.engine.errors import PermissionDenied, Refused, TransitionRefused
from banso.services import content as c
from banso.services import daemon, documents
from banso.services.ports import MissingFont
from tests.services.world import HANAKO, LEAD, PREFECTURE, World
from tests.support.fakes import FakeRenderer


def deliverable(world: World, kind: str, **where: Any) -> int:
    (found,) = world.find("deliverable", kind=kind, **where)
    return found.id


def renderer(world: World) -> FakeRenderer:
    made = world.services.renderer
    assert isinstance(made, FakeRenderer)
    return made


def last_content(world: World) -> object:
    return renderer(world).rendered[-1][0]


def test_generating_writes_a_version_and_drafts_the_deliverable(world: World) -> None:
    org_chart = deliverable(world, "org_chart")
    done = documents.generate(world.services, LEAD, org_chart)
    assert (done.version, done.drafted, [f.format for f in done.files]) == (1, True, ["docx"])
    (file,) = done.files
    assert file.created_by == LEAD and file.size == len(world.services.files.load(file.location))
    assert world.record("deliverable", org_chart).state == "drafted"
    again = documents.generate(world.services, LEAD, org_chart)
    assert (again.version, again.drafted) == (2, False)
    found = documents.versions(world.services, org_chart)
    assert [(f.version, f.format) for f in found] == [(1, "docx"), (2, "docx")]
    assert found[0].location != found[1].location  # a version never replaces another


def test_only_the_lead_generates(world: World) -> None:
    with pytest.raises(PermissionDenied):
        documents.generate(world.services, HANAKO, deliverable(world, "org_chart"))


def test_the_org_chart_names_the_lead_and_the_team(world: World) -> None:
    documents.generate(world.services, LEAD, deliverable(world, "org_chart"))
    chart = last_content(world)
    assert isinstance(chart, c.OrgChart)
    assert chart.lead is not None and chart.lead.email == LEAD
    assert {m.email for m in chart.members} >= {HANAKO}
    assert [s.name for s in chart.subcontractors] == ["株式会社サンプル"]
    assert chart.head.addressee == "岡山県 総務部 デジタル推進課"


def test_the_monthly_report_holds_the_months_dispatches(world: World) -> None:
    eid = world.in_support()
    first = world.plan(eid, "2026-05-12T10:00+09:00").record.id
    world.plan(eid, "2026-05-19T14:00+09:00", mode="web")
    world.fire(HANAKO, "dispatch", first, "confirm")
    world.at("2026-05-12T15:00+09:00")
    world.fire(HANAKO, "dispatch", first, "record", summary="運用課題の整理", hours=2.5)
    world.at("2026-06-01T09:00+09:00")
    may = deliverable(world, "monthly_report", period="2026-05")
    documents.generate(world.services, LEAD, may)
    rendered = [(type(cn).__name__, fmt) for cn, fmt in renderer(world).rendered]
    assert rendered == [("MonthlyReport", "docx"), ("MonthlyReport", "pdf")]
    report = last_content(world)
    assert isinstance(report, c.MonthlyReport)
    (line,) = report.dispatches  # the held one; the planned one is not done work
    assert (line.org_name, line.count, line.hours, line.onsite, line.web) == (
        "岡山市",
        1,
        2.5,
        1,
        0,
    )
    assert (report.quota.used, report.quota.held, report.quota.total) == (2, 1, 470)
    assert not report.contract_ends
    # Next month's plan comes from the dispatches planned in June (none yet).
    assert report.next_month == ()


def test_the_monthly_report_carries_the_forecast_as_of_the_day_it_is_made(world: World) -> None:
    eid = world.in_support()  # 4 planned
    world.plan(eid, "2026-05-12T10:00+09:00")
    world.at("2027-02-01T09:00+09:00")
    january = deliverable(world, "monthly_report", period="2027-01")
    documents.generate(world.services, LEAD, january)
    report = last_content(world)
    assert isinstance(report, c.MonthlyReport) and report.forecast is not None
    f = report.forecast
    # February and March at 2 a month: 4 possible for the 3 the plan still expects.
    assert (f.as_of.isoformat(), f.used, f.expected, f.possible, f.budget) == (
        "2027-02-01", 1, 3, 4, 470,
    )  # fmt: skip
    assert [(t.theme_name, t.engagements, t.expected, t.possible) for t in f.themes] == [
        ("生成AI", 1, 3, 4)
    ]
    assert any(w.startswith(f"案件{eid}（岡山市・生成AI）：あと3回") for w in f.warnings)

    world.at("2027-04-05T09:00+09:00")  # after the contract: nothing to forecast
    documents.generate(world.services, LEAD, january)
    after = last_content(world)
    assert isinstance(after, c.MonthlyReport) and after.forecast is None


def test_without_a_japanese_font_the_pdf_is_skipped_and_said_so(world: World) -> None:
    world.services.renderer_factory = lambda: FakeRenderer(font=False)
    april = deliverable(world, "monthly_report", period="2026-04")
    done = documents.generate(world.services, LEAD, april)
    assert [f.format for f in done.files] == ["docx"] and done.skipped == ("pdf",)


def test_a_pdf_asked_for_without_a_font_is_refused_and_nothing_recorded(world: World) -> None:
    world.services.renderer_factory = lambda: FakeRenderer(font=False)
    april = deliverable(world, "monthly_report", period="2026-04")
    with pytest.raises(MissingFont):
        documents.generate(world.services, LEAD, april, ("pdf",))
    assert documents.versions(world.services, april) == []
    assert world.record("deliverable", april).state == "pending"


def test_submitting_sends_the_latest_version_with_a_cover_letter(world: World) -> None:
    org_chart = deliverable(world, "org_chart")
    documents.generate(world.services, LEAD, org_chart)
    documents.generate(world.services, LEAD, org_chart)
    outcome, _ = documents.submit(world.services, LEAD, org_chart)
    assert outcome.to_state == "submitted"
    found = documents.versions(world.services, org_chart)
    assert [(f.version, f.format, f.submitted_at is not None) for f in found] == [
        (1, "docx", False),
        (2, "cover", True),
        (2, "docx", True),
    ]
    letter = last_content(world)
    assert isinstance(letter, c.CoverLetter)
    assert letter.number == "伴走第1号"
    assert letter.enclosed == (found[2].filename,)


def test_submitting_with_no_version_generates_one_first(world: World) -> None:
    plan = deliverable(world, "implementation_plan")
    documents.submit(world.services, LEAD, plan)
    assert [f.format for f in documents.versions(world.services, plan)] == ["cover", "docx"]
    assert world.record("deliverable", plan).state == "submitted"


def test_the_daemon_drafts_the_monthly_report_by_generating_it(world: World) -> None:
    daemon.run_sweep(world.services, world.at("2026-05-01T09:00+09:00"))
    april = deliverable(world, "monthly_report", period="2026-04")
    assert world.record("deliverable", april).state == "drafted"
    (file, pdf) = documents.versions(world.services, april)
    assert (file.format, pdf.format, file.created_by) == ("docx", "pdf", "system")
    (told,) = [m for m in world.mail.composed if m.kind == "monthly_report_drafted"]
    assert told.context["files"] == [file.location, pdf.location]
    assert told.to == (LEAD,) and PREFECTURE not in told.to


def test_the_report_slides_hold_the_outcomes(world: World) -> None:
    eid = world.in_support()
    dispatch = world.plan(eid, "2026-05-12T10:00+09:00").record.id
    world.fire(HANAKO, "dispatch", dispatch, "confirm")
    world.at("2026-05-12T15:00+09:00")
    world.fire(HANAKO, "dispatch", dispatch, "record", summary="整理", hours=2)
    world.fire(HANAKO, "engagement", eid, "report", outcome="規程を策定した")
    location = documents.report_slides(world.services, LEAD)
    assert location in world.services.files.files  # type: ignore[attr-defined]  # memory store
    slides = last_content(world)
    assert isinstance(slides, c.ReportSlides)
    assert [(o.org_name, o.outcome, o.held) for o in slides.outcomes] == [
        ("岡山市", "規程を策定した", 1)
    ]
    assert slides.quota.held == 1


def test_a_refused_submission_makes_no_version(world: World) -> None:
    plan = deliverable(world, "implementation_plan")
    documents.submit(world.services, LEAD, plan)
    before = documents.versions(world.services, plan)
    with pytest.raises(TransitionRefused):
        documents.submit(world.services, LEAD, plan)  # already submitted
    assert documents.versions(world.services, plan) == before
    with pytest.raises(Refused):
        documents.generate(world.services, LEAD, plan)  # the prefecture has this version
    assert documents.versions(world.services, plan) == before


def test_a_returned_deliverable_goes_back_as_a_new_version_with_a_new_number(
    world: World,
) -> None:
    org_chart = deliverable(world, "org_chart")
    documents.submit(world.services, LEAD, org_chart)
    world.fire(PREFECTURE, "deliverable", org_chart, "send_back", reason="連絡先がない")
    world.fire(LEAD, "deliverable", org_chart, "draft")
    documents.submit(world.services, LEAD, deliverable(world, "implementation_plan"))
    documents.submit(world.services, LEAD, org_chart)
    found = documents.versions(world.services, org_chart)
    assert [(f.version, f.format) for f in found] == [
        (1, "cover"), (1, "docx"), (2, "cover"), (2, "docx")
    ]  # fmt: skip
    numbers = [
        content.number
        for content, _ in renderer(world).rendered
        if isinstance(content, c.CoverLetter)
    ]
    assert numbers == ["伴走第1号", "伴走第2号", "伴走第3号"]  # never one twice


def test_the_roster_carries_its_own_edition(world: World) -> None:
    roster = world.find("deliverable", kind="expert_roster")
    assert sorted(r.data["roster_version"] for r in roster) == [1]
    documents.generate(world.services, LEAD, roster[0].id)
    content = last_content(world)
    assert isinstance(content, c.Roster) and content.head.version == 1
