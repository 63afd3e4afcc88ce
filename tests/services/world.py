"""A programme on the in-memory fakes, and the steps the service tests take through it.

``World.set_up`` does what every programme starts with: `init` with the default
contract (FY2026, 2026-04-01 to 2027-03-31), a few organisations and themes, the
prefecture person (the first person), the lead, two consultants of ours and one
of a subcontractor not yet approved. The clock is pinned at 2026-04-01 09:00 in
Tokyo and moved with :meth:`World.at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from banso.engine.clock import FixedClock, parse_datetime
from banso.engine.deadlines import Deadline
from banso.engine.outbox import QueuedMessage
from banso.engine.runner import Outcome
from banso.engine.workflow import RecordView
from banso.services import dispatches, engagements, master, programme, transitions
from banso.services.context import Services
from banso.services.programme import OrgRow, ThemeRow
from tests.support.fakes import (
    FakeDelivery,
    FakeMail,
    MemoryOutboxStore,
    MemoryStore,
    memory_services,
)

START = "2026-04-01T09:00+09:00"  # the first morning of the contract (a Wednesday)

PREFECTURE = "taro@pref.okayama.example.jp"
LEAD = "lead@contractor.example.jp"
HANAKO = "hanako@contractor.example.jp"  # consultant of ours
JIRO = "jiro@contractor.example.jp"  # consultant of ours
KEN = "ken@sample-sub.example.jp"  # a subcontractor's consultant
SUBCONTRACTOR = "株式会社サンプル"
CONTACT = "tanaka@city.okayama.example.jp"  # 岡山市's contact in the survey

ORGS = (
    OrgRow("330001", "岡山県", "prefecture"),
    OrgRow("331007", "岡山市", "city"),
    OrgRow("332020", "倉敷市", "city"),
    OrgRow("336238", "和気町", "town"),
)
THEMES = (
    ThemeRow("standardization", "情報システム標準化", True, None),
    ThemeRow("std-jumin", "住民基本台帳", False, "standardization"),  # counts through its parent
    ThemeRow("genai", "生成AI", False, None),
    ThemeRow("security", "情報セキュリティ", False, None),
)


@dataclass(frozen=True)
class SurveyRow:
    """One row of the demand survey (engagements.SurveyEntry)."""

    row: int
    org_code: str
    theme_code: str
    request: str = "生成AIの庁内利用ガイドライン策定"
    contact_name: str = "田中 一郎"
    contact_email: str = CONTACT
    preferred_months: tuple[str, ...] = ("2026-05", "2026-06")
    contact_dept: str = "情報政策課"


class World:
    """The services on fakes, plus what the tests look at and the steps they repeat."""

    def __init__(self, mail: FakeMail | None = None) -> None:
        self.store = MemoryStore()
        self.mail = mail or FakeMail()
        self.delivery = FakeDelivery(MemoryOutboxStore(self.store))
        self.services: Services = memory_services(
            parse_datetime(START), store=self.store, mail=self.mail, delivery=self.delivery
        )
        assert isinstance(self.services.clock, FixedClock)
        self.clock: FixedClock = self.services.clock

    def set_up(self) -> None:
        s = self.services
        programme.configure(s, {}, "test")
        programme.load_master_data(s, ORGS, THEMES)
        master.add_person(s, None, name="県 太郎", email=PREFECTURE, role="prefecture",
                          org_code="330001")  # fmt: skip
        master.add_person(s, PREFECTURE, name="責任 者", email=LEAD, role="lead")
        for name, email in (("佐藤 花子", HANAKO), ("山田 次郎", JIRO)):
            master.add_person(s, LEAD, name=name, email=email, role="consultant")
        master.add_subcontractor(s, LEAD, SUBCONTRACTOR, "標準化支援")
        master.add_person(s, LEAD, name="鈴木 健", email=KEN, role="consultant",
                          company=SUBCONTRACTOR)  # fmt: skip

    # -- time ------------------------------------------------------------------
    def at(self, when: str) -> datetime:
        """Move the clock (ISO 8601; no offset means Tokyo)."""
        moment = parse_datetime(when)
        self.clock.set(moment)
        return moment

    @property
    def now(self) -> datetime:
        return self.clock.now()

    # -- looking -----------------------------------------------------------------
    def record(self, kind: str, record_id: int) -> RecordView:
        with self.services.uow(readonly=True) as uow:
            return uow.records.get(kind, record_id)

    def find(self, record_kind: str, /, **where: Any) -> list[RecordView]:
        with self.services.uow(readonly=True) as uow:
            return uow.records.find(record_kind, where=where)

    def deadline(self, about_kind: str | None, about_id: int | None, obligation: str) -> Deadline:
        with self.services.uow(readonly=True) as uow:
            found = uow.deadlines.find(about_kind, about_id, obligation)
        assert found is not None, f"no {obligation} deadline for {about_kind} {about_id}"
        return found

    def has_deadline(self, about_kind: str | None, about_id: int | None, obligation: str) -> bool:
        with self.services.uow(readonly=True) as uow:
            return uow.deadlines.exists(about_kind, about_id, obligation)

    def person_id(self, email: str) -> int:
        with self.services.uow(readonly=True) as uow:
            person = uow.directory.person(email)
        assert person is not None
        return person.id

    def queued(self, kind: str | None = None) -> list[QueuedMessage]:
        """Messages in the outbox, oldest first (optionally of one kind)."""
        found = reversed(self.services.outbox_store().list(limit=10_000))
        return [q for q in found if kind is None or q.message.kind == kind]

    def sent_to(self, kind: str) -> list[tuple[str, ...]]:
        """The ``to`` of every queued message of ``kind``, oldest first."""
        return [q.message.to for q in self.queued(kind)]

    # -- doing -------------------------------------------------------------------
    def fire(self, user: str | None, kind: str, record_id: int, trigger: str,
             **changes: Any) -> Outcome:  # fmt: skip
        return transitions.fire(
            self.services, user, kind, record_id, trigger, changes=changes or None
        )

    def engagement(self, org: str = "331007", theme: str = "genai") -> int:
        """A requested engagement from the survey (so it has a contact); its hearing is
        due the setting's business days after the import, as the steps here expect."""
        done = engagements.import_survey(
            self.services, LEAD, [SurveyRow(2, org, theme)], hearing_by="days"
        )
        assert done.created, done
        return int(done.created[0]["engagement"])

    def agreed(
        self, engagement_id: int, consultant: str = HANAKO, override: str | None = None
    ) -> None:
        """The lead proposes ``consultant`` and the prefecture agrees (§6(2)①), unless
        the prefecture has agreed to them for this engagement already."""
        view = self.record("engagement", engagement_id)
        with self.services.uow(readonly=True) as uow:
            person = uow.directory.person(consultant)
        if person is not None and view.data.get("agreed_consultant_id") == person.id:
            return
        engagements.propose_expert(
            self.services, LEAD, engagement_id, consultant=consultant, override=override
        )
        self.fire(PREFECTURE, "engagement", engagement_id, "agree_expert")

    def hearing(
        self, engagement_id: int, consultant: str = HANAKO, at: str = "2026-04-10T10:00+09:00",
        override: str | None = None,
    ) -> Outcome:  # fmt: skip
        """The hearing, with the consultant agreed with the prefecture first."""
        self.agreed(engagement_id, consultant, override)
        return engagements.schedule_hearing(
            self.services, LEAD, engagement_id, at=parse_datetime(at), consultant=consultant,
            override=override,
        )  # fmt: skip

    def in_support(
        self, org: str = "331007", theme: str = "genai", consultant: str = HANAKO
    ) -> int:
        """An engagement taken through hearing, plan and approval to in_support."""
        eid = self.engagement(org, theme)
        self.hearing(eid, consultant)
        self.fire(consultant, "engagement", eid, "record_hearing", findings="窓口業務の現状と課題")
        self.fire(consultant, "engagement", eid, "draft_plan", goals="規程の策定",
                  planned_dispatches=4)  # fmt: skip
        self.fire(PREFECTURE, "engagement", eid, "approve_plan")
        self.fire(LEAD, "engagement", eid, "start")
        return eid

    def plan(
        self, engagement_id: int, at: str, *, user: str = LEAD, mode: str = "onsite",
        consultant: str | None = None, override: str | None = None,
    ) -> Outcome:  # fmt: skip
        return dispatches.plan_dispatch(
            self.services, user, engagement_id, at=parse_datetime(at), mode=mode,
            consultant=consultant, override=override,
        )  # fmt: skip

    def dispatch_count(self, **where: Any) -> int:
        with self.services.uow(readonly=True) as uow:
            return uow.records.count("dispatch", where=where)

    def settings(self, key: str) -> Mapping[str, Any] | None:
        with self.services.uow(readonly=True) as uow:
            return uow.settings.get(key)
