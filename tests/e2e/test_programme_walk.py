"""One engagement from the demand survey to its reported outcome, through `banso` only.

Every rule that should stop staff on the way is tried where it bites: each
refusal must exit 1 with ONE line on stderr naming the rule, and must change
nothing — every row of every table is the same before and after (a stronger
check than the engagement's version, and cheaper than a `banso` call: each
costs ~0.4 s of interpreter start). The deliverables, the consultation desk,
the monthly meeting and the expert roster get their own walk.

Runs on SQLite and PostgreSQL (``db_url``); the programme's set-up
(`setup_programme`: init --sample okayama and five people) runs once per
backend and is copied for each test. The commands go through `banso`'s entry
point in-process (``InProcessBanso``: the same exit codes and stderr lines);
the installed script's own start-up is tested in test_cli_foundation and
test_cold_start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.programme import (
    HANAKO,
    JIRO,
    LEAD,
    PREFECTURE,
    ROOT,
    START,
    SUB_CONSULTANT,
    SUBCONTRACTOR,
    Banso,
    dump_database,
    programme_templates,
)

SURVEY = ROOT / "tests" / "data" / "survey-okayama.csv"
OKAYAMA, STANDARDIZATION = "331007", "standardization"

ENGAGEMENT_LABELS = {
    "requested": "要望受付",
    "hearing": "ヒアリング",
    "plan_approved": "計画承認済",
    "in_support": "支援中",
    "reported": "報告済",
    "withdrawn": "取下げ",
}
DISPATCH_LABELS = {"planned": "予定", "confirmed": "確定", "held": "実施済", "cancelled": "中止"}
DELIVERABLE_LABELS = {
    "pending": "未着手",
    "drafted": "作成済",
    "submitted": "提出済",
    "approved": "承認済",
    "returned": "差戻し",
}


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    """A programme ready to work: sample master data, five people, acting as the lead."""
    return programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)


def check_shape(item: dict[str, Any], labels: dict[str, str]) -> None:
    """What every workflow record carries in ``--json``."""
    assert isinstance(item["id"], int)
    assert isinstance(item["version"], int) and item["version"] >= 0
    assert item["state_label"] == labels[item["state"]], item


def refused_unchanged(banso: Banso, *args: str, user: str | None = LEAD, now: str = START) -> str:
    """Refused by a rule (exit 1, one line), with every row of every table as it was."""
    before = dump_database(banso.url)
    line = banso.refused(*args, user=user, now=now)
    assert dump_database(banso.url) == before, f"refused `{' '.join(args)}` changed the database"
    return line


class Walk:
    """One engagement; the database is compared before and after every refusal."""

    def __init__(self, banso: Banso, engagement_id: int) -> None:
        self.banso = banso
        self.id = engagement_id
        self.dump: list[Any] | None = None

    def show(self) -> dict[str, Any]:
        data: dict[str, Any] = self.banso.json("engagement", "show", str(self.id))
        check_shape(data, ENGAGEMENT_LABELS)
        return data

    def step(self, *args: str, user: str | None = LEAD, now: str = START) -> dict[str, Any]:
        """A command that must succeed; returns its JSON."""
        self.dump = None  # the database has moved on
        result: dict[str, Any] = self.banso.json(*args, user=user, now=now)
        return result

    def refused(
        self,
        *args: str,
        user: str | None = LEAD,
        now: str = START,
        names: tuple[str, ...] = (),
        code: int = 1,
    ) -> str:
        """A command refused by a rule (exit 1, one line naming it) that changes nothing."""
        before = self.dump if self.dump is not None else dump_database(self.banso.url)
        line = self.banso.refused(*args, user=user, now=now, code=code)
        for part in names:
            assert part in line, f"{part!r} not named in: {line}"
        after = dump_database(self.banso.url)
        assert after == before, f"refused `{' '.join(args)}` changed the database"
        self.dump = after
        return line


def test_one_engagement_from_survey_to_report(banso: Banso) -> None:
    # -- the survey brings the request in --------------------------------
    imported = banso.json("survey", "import", str(SURVEY))
    assert len(imported["created"]) == 5 and imported["duplicates"] == []
    (row,) = [
        r for r in imported["created"] if (r["org"], r["theme"]) == (OKAYAMA, "standardization")
    ]
    walk = Walk(banso, row["engagement"])
    e = str(walk.id)
    shown = walk.show()
    assert (shown["state"], shown["version"], shown["org"]) == ("requested", 0, OKAYAMA)
    assert shown["contact_email"] == "tanaka@city.okayama.example.jp"
    assert shown["preferred_months"] == ["2026-05", "2026-06", "2026-07"]
    # Every supported organisation comes with its support plan (§9 No.4 支援対象ごと).
    plans = banso.json("deliverable", "list", "--kind", "support_plan")
    for p in plans:
        check_shape(p, DELIVERABLE_LABELS)
    orgs = {banso.json("engagement", "show", str(c["engagement"]))["org"]
            for c in imported["created"]}  # fmt: skip
    assert len(plans) == len(orgs)
    assert all(p["engagement_id"] is None for p in plans)
    assert all(p["state"] == "pending" and p["title"].startswith("支援計画書（") for p in plans)
    okayama_plan = next(p for p in plans if p["title"] == "支援計画書（岡山市）")

    # Who is acting must be known, even for a command that would fail anyway.
    for args in (
        ("engagement", "schedule-hearing", e, "--at", "2026-04-10T10:00", "--consultant", HANAKO),
        ("engagement", "approve-plan", "99999"),
    ):
        walk.refused(*args, user=None, names=("--as", "BANSO_USER"))

    # Nothing to approve yet: the hearing is still to be scheduled.
    walk.refused(
        "engagement", "approve-plan", e, user=PREFECTURE,
        names=("approve-plan refused", "requested", "schedule-hearing"),
    )  # fmt: skip
    # The expert is agreed with the prefecture before the hearing (§6(2)①).
    hearing_args = (
        "engagement", "schedule-hearing", e, "--at", "2026-04-10T10:00", "--consultant", HANAKO
    )  # fmt: skip
    walk.refused(*hearing_args, names=("not the consultant agreed", "propose-expert"))
    walk.step("engagement", "propose-expert", e, "--consultant", HANAKO)
    walk.refused(*hearing_args, names=("has not agreed", "agree-expert"))
    walk.step("engagement", "agree-expert", e, user=PREFECTURE)
    hearing = walk.step(*hearing_args)
    assert (hearing["state"], hearing["state_label"], hearing["version"]) == (
        "hearing",
        "ヒアリング",
        3,
    )
    # The hearing is scheduled but neither recorded nor followed by a plan.
    walk.refused(
        "engagement", "approve-plan", e, user=PREFECTURE,
        names=("hearing is not recorded", "record-hearing", "plan is not drafted", "draft-plan"),
    )  # fmt: skip
    # Only the consultant the engagement is assigned to records its work; to anyone
    # else it is as if it did not exist (permissions before rules: nothing leaks).
    walk.refused(
        "engagement", "record-hearing", e, "--findings", "現状", user=JIRO, code=2,
        names=(f"no engagement {e}",),
    )  # fmt: skip
    walk.step("engagement", "record-hearing", e, "--findings", "移行後の運用課題", user=HANAKO)
    walk.step(
        "engagement", "draft-plan", e, "--goals", "運用費の最適化", "--planned-dispatches", "4",
        user=HANAKO,
    )  # fmt: skip
    # Only the prefecture agrees a plan.
    walk.refused(
        "engagement", "approve-plan", e, user=LEAD,
        names=(LEAD, "may not approve-plan", "prefecture"),
    )  # fmt: skip
    def plan_state() -> str:
        found = banso.json("deliverable", "list", "--kind", "support_plan")
        return str(next(p["state"] for p in found if p["id"] == okayama_plan["id"]))

    assert plan_state() == "submitted"
    approved = walk.step("engagement", "approve-plan", e, user=PREFECTURE)
    assert (approved["state"], approved["state_label"]) == ("plan_approved", "計画承認済")
    # One plan record: its 支援計画書 is approved too.
    assert plan_state() == "approved"
    # An approved plan is not yet support: no dispatch before `start`.
    walk.refused(
        "dispatch", "plan", e, "--at", "2026-05-12T10:00", "--mode", "web",
        names=("new dispatch refused", "plan_approved", "in_support"),
    )  # fmt: skip
    started = walk.step("engagement", "start", e)
    assert (started["state"], started["state_label"]) == ("in_support", "支援中")
    # Nothing to report before a dispatch has been held.
    walk.refused(
        "engagement", "report", e, "--outcome", "成果", user=HANAKO,
        names=("report refused", "no dispatch has been held"),
    )  # fmt: skip

    # -- dispatches --------------------------------------------------------
    d1 = walk.step("dispatch", "plan", e, "--at", "2026-05-12T10:00", "--mode", "web", user=HANAKO)
    d2 = walk.step(
        "dispatch", "plan", e, "--at", "2026-05-19T14:00", "--mode", "onsite", user=HANAKO
    )
    for d in (d1, d2):
        check_shape(d, DISPATCH_LABELS)
        assert (d["state"], d["engagement_id"], d["standardization"]) == ("planned", walk.id, True)
    # A third in May breaks the monthly cap.
    walk.refused(
        "dispatch", "plan", e, "--at", "2026-05-26T10:00", "--mode", "web", user=HANAKO,
        names=("monthly cap", "2 of 2", "2026-05", "--override"),
    )  # fmt: skip
    # The subcontractor's consultant may not serve before the prefecture's written approval.
    sub_args = ("dispatch", "plan", e, "--at", "2026-06-02T10:00", "--mode", "onsite")
    walk.refused(
        *sub_args, "--consultant", SUB_CONSULTANT,
        names=(f"subcontractor {SUBCONTRACTOR}", "subcontractor approve"),
    )  # fmt: skip
    approval = walk.step(
        "subcontractor", "approve", SUBCONTRACTOR, "--ref", "デジ第123号", user=PREFECTURE
    )
    assert (approval["name"], approval["approved"], approval["ref"]) == (
        SUBCONTRACTOR,
        True,
        "デジ第123号",
    )
    # Approved now, but this organisation × theme is Hanako's: another consultant
    # needs a reason on record.
    line = walk.refused(
        *sub_args, "--consultant", SUB_CONSULTANT, names=(f"served by {HANAKO}", "--override")
    )
    assert SUBCONTRACTOR not in line
    reason = "佐藤が出張のため、県了承の上で交代"
    d3 = walk.step(*sub_args, "--consultant", SUB_CONSULTANT, "--override", reason)
    assert d3["state"] == "planned"
    (created,) = banso.json("history", "dispatch", str(d3["id"]))
    assert (created["trigger"], created["actor"], created["to"]) == ("create", LEAD, "planned")
    assert created["payload"]["override"] == reason

    # A dispatch is recorded once it has taken place, not before.
    walk.step("dispatch", "confirm", str(d1["id"]), user=HANAKO)
    record_d1 = ("dispatch", "record", str(d1["id"]), "--summary", "運用課題の整理", "--hours", "2")
    walk.refused(*record_d1, user=HANAKO, names=("still to come", "2026-05-12 10:00"))
    held = walk.step(*record_d1, user=HANAKO, now="2026-05-12T15:00+09:00")
    assert (held["state"], held["state_label"], held["hours"]) == ("held", "実施済", 2.0)
    # Open dispatches must be settled before the outcome is reported.
    walk.refused(
        "engagement", "report", e, "--outcome", "成果", user=HANAKO, now="2026-05-20T09:00+09:00",
        names=(f"dispatches {d2['id']}, {d3['id']} are still planned or confirmed",),
    )  # fmt: skip
    walk.step("dispatch", "cancel", str(d3["id"]), "--reason", "佐藤の出張が中止になった")
    walk.step("dispatch", "cancel", str(d2["id"]), "--reason", "団体の都合により中止")
    # While the engagement is open, the same pair cannot be opened again.
    walk.refused(
        "engagement", "new", "--org", OKAYAMA, "--theme", STANDARDIZATION,
        names=(f"engagement {walk.id}", "in_support"),
    )  # fmt: skip

    reported = walk.step(
        "engagement", "report", e, "--outcome", "運用費を年1割削減する計画を策定",
        user=HANAKO, now="2026-05-20T09:00+09:00",
    )  # fmt: skip
    assert (reported["state"], reported["state_label"]) == ("reported", "報告済")
    # propose-expert, agree-expert, schedule-hearing, record-hearing, draft-plan,
    # approve-plan, start, report: nothing else
    assert reported["version"] == 8

    # -- the JSON listings -------------------------------------------------
    dispatches = banso.json("dispatch", "list", "--engagement", e)
    for d in dispatches:
        check_shape(d, DISPATCH_LABELS)
    assert [(d["id"], d["state"], d["consultant"]) for d in dispatches] == [
        (d1["id"], "held", HANAKO),
        (d2["id"], "cancelled", HANAKO),
        (d3["id"], "cancelled", SUB_CONSULTANT),
    ]
    assert [d["version"] for d in dispatches] == [2, 1, 1]
    engagements = banso.json("engagement", "list")
    for item in engagements:
        check_shape(item, ENGAGEMENT_LABELS)
    assert sorted((item["state"], item["id"] == walk.id) for item in engagements) == [
        ("reported", True),
        *[("requested", False)] * 4,
    ]

    history = banso.json("history", "engagement", e)
    assert [h["trigger"] for h in history] == [
        "create",
        "propose_expert",
        "agree_expert",
        "schedule_hearing",
        "record_hearing",
        "draft_plan",
        "approve_plan",
        "start",
        "report",
    ]
    assert [h["version"] for h in history] == list(range(9))
    assert history[2]["actor"] == history[6]["actor"] == PREFECTURE

    # -- a second engagement of the same pair keeps its consultant ---------
    second = walk.step("engagement", "new", "--org", OKAYAMA, "--theme", STANDARDIZATION)
    assert (second["state"], second["version"]) == ("requested", 0)
    again = Walk(banso, second["id"])
    hearing_args = (
        "engagement", "schedule-hearing", str(again.id), "--at", "2026-06-10T10:00",
        "--consultant", JIRO,
    )  # fmt: skip
    propose = ("engagement", "propose-expert", str(again.id), "--consultant", JIRO)
    again.refused(*propose, names=(f"served by {HANAKO}", "--override"))
    why = "佐藤の異動により鈴木が担当（県了承済）"
    again.step(*propose, "--override", why)
    again.step("engagement", "agree-expert", str(again.id), user=PREFECTURE)
    again.refused(*hearing_args, names=(f"served by {HANAKO}", "--override"))
    moved = again.step(*hearing_args, "--override", why)
    assert (moved["state"], moved["version"]) == ("hearing", 3)
    event = banso.json("history", "engagement", str(again.id))[-1]
    assert (event["trigger"], event["payload"]["override"]) == ("schedule_hearing", why)
    assert event["payload"]["consultant"] == JIRO
    verified = banso.ok("audit", "verify")
    assert "audit chain intact" in verified.out


def test_deliverables_consultations_meetings_and_the_roster(banso: Banso) -> None:
    # -- the programme's deliverables exist from `init` --------------------
    items = banso.json("deliverable", "list")
    for item in items:
        check_shape(item, DELIVERABLE_LABELS)
    assert {i["state"] for i in items} == {"pending"}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    assert sorted(by_kind) == [
        "completion_report",
        "expert_roster",
        "implementation_plan",
        "monthly_report",
        "org_chart",
    ]
    assert len(by_kind["org_chart"]) == len(by_kind["implementation_plan"]) == 1
    assert len(by_kind["completion_report"]) == 1
    # Three consultants were registered while the first roster was pending:
    # they simply go into it, no second version.
    (roster,) = by_kind["expert_roster"]
    assert (roster["title"], roster["roster_version"]) == ("専門人材一覧表（第1版）", 1)
    months = [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02", "2027-03"]
    assert [i["period"] for i in by_kind["monthly_report"]] == months
    assert by_kind["monthly_report"][0]["title"] == "月次業務報告書（令和8年4月分）"
    assert by_kind["monthly_report"][-1]["title"] == "月次業務報告書（令和9年3月分）"

    # -- draft → submit → returned → draft → submit → approved ------------
    org_chart = str(by_kind["org_chart"][0]["id"])
    assert banso.json("deliverable", "draft", org_chart)["state"] == "drafted"
    assert banso.json("deliverable", "submit", org_chart)["state"] == "submitted"
    back = banso.json(
        "deliverable", "return", org_chart, "--reason", "連絡先がない", user=PREFECTURE
    )
    assert (back["state"], back["state_label"], back["reason"]) == (
        "returned",
        "差戻し",
        "連絡先がない",
    )
    again = banso.json("deliverable", "draft", org_chart)
    assert (again["state"], again["state_label"], again["version"]) == ("drafted", "作成済", 4)
    banso.ok("deliverable", "submit", org_chart)
    done = banso.json("deliverable", "approve", org_chart, user=PREFECTURE)
    assert (done["state"], done["state_label"], done["version"]) == ("approved", "承認済", 6)

    # -- the roster: a new version once the current one has moved on ------
    roster_id = str(roster["id"])
    banso.ok("deliverable", "draft", roster_id)
    added = banso.ok(
        "person", "add", "--name", "田中 三郎", "--email", "saburo@contractor.example.jp",
        "--role", "consultant",
    )  # fmt: skip
    assert "専門人材一覧表（第2版） opened" in added.out
    rosters = banso.json("deliverable", "list", "--kind", "expert_roster")
    assert [(r["roster_version"], r["state"], r["title"]) for r in rosters] == [
        (1, "drafted", "専門人材一覧表（第1版）"),
        (2, "pending", "専門人材一覧表（第2版）"),
    ]

    # -- the consultation desk --------------------------------------------
    line = refused_unchanged(banso, "consultation", "new", "--org", "332020", "--topic", "生成AI")
    # The lead enters a consultation only on the prefecture's behalf (it reached 県 first).
    assert "may not enter a consultation" in line and "--on-behalf-of" in line
    received = banso.json(
        "consultation", "new", "--org", "332020", "--topic", "生成AIの利用規程",
        "--channel", "mail", user=PREFECTURE,
    )  # fmt: skip
    c = str(received["id"])
    assert (received["state"], received["state_label"]) == ("received", "受付")
    assert banso.json("consultation", "assign", c, "--consultant", HANAKO)["state"] == "assigned"
    answered = banso.json(
        "consultation", "answer", c, "--channel", "web", "--summary", "ガイドライン例を紹介",
        user=HANAKO,
    )  # fmt: skip
    assert (answered["state"], answered["state_label"]) == ("answered", "回答済")
    banso.ok("consultation", "close", c, user=PREFECTURE)
    (listed,) = banso.json("consultation", "list")
    assert (listed["id"], listed["state"], listed["state_label"], listed["version"]) == (
        received["id"],
        "closed",
        "完了",
        3,
    )
    assert (listed["answer_channel"], listed["summary"]) == ("web", "ガイドライン例を紹介")

    # -- the monthly regular meeting --------------------------------------
    first = banso.json("meeting", "schedule", "monthly", "--at", "2026-04-15T14:00")
    assert (first["state"], first["state_label"], first["month"]) == (
        "scheduled",
        "予定",
        "2026-04",
    )
    line = refused_unchanged(banso, "meeting", "schedule", "monthly", "--at", "2026-04-28T14:00")
    assert "monthly regular meeting for 2026-04 already exists" in line
    assert f"meeting {first['id']}" in line
    m = str(first["id"])
    line = refused_unchanged(banso, "meeting", "hold", m, "--minutes", "進捗報告")
    assert "still to come" in line and "2026-04-15 14:00" in line
    held = banso.json("meeting", "hold", m, "--minutes", "進捗報告", now="2026-04-15T16:00+09:00")
    assert (held["state"], held["state_label"]) == ("held", "開催済")
    (meeting,) = banso.json("meeting", "list")
    assert (meeting["id"], meeting["state"], meeting["version"]) == (first["id"], "held", 1)
