"""The directory (organisations, people, themes, subcontractors, who serves whom) and settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from banso.engine.errors import NotFound
from tests.contract.backends import NOW, VIOLATION, Backend, Seed, add_person


def test_organisations_by_code_and_kind(backend: Backend) -> None:
    with backend.uow() as uow:
        d = uow.directory
        city = d.add_org("332020", "倉敷市", "city")
        d.add_org("330001", "岡山県", "prefecture")
        d.add_org("331007", "岡山市", "city")
        uow.commit()
    with backend.uow(readonly=True) as uow:
        d = uow.directory
        assert [o.code for o in d.orgs()] == ["330001", "331007", "332020"]
        assert [o.code for o in d.orgs("city")] == ["331007", "332020"]
        assert d.org("332020") == d.org_by_id(city.id) == city
        assert (city.name, city.kind) == ("倉敷市", "city")
        assert d.org("999999") is None and d.org_by_id(999) is None
    with backend.uow() as uow, pytest.raises(VIOLATION):
        uow.directory.add_org("332020", "別の倉敷市", "city")


def test_people_by_email_id_role_and_activity(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        d = uow.directory
        assert d.has_people()
        lead = add_person(d, "lead@example.jp", "lead", org_id=master.org, fields=("標準化", "BPR"))
        uow.commit()
    with backend.uow() as uow:
        d = uow.directory
        assert d.person("lead@example.jp") == d.person_by_id(lead.id) == lead
        assert (lead.role, lead.org_id, lead.fields, lead.active) == (
            "lead", master.org, ("標準化", "BPR"), True,
        )  # fmt: skip
        assert d.person_by_id(master.consultant) is not None
        assert d.person_by_id(master.consultant).fields == ()  # type: ignore[union-attr]
        assert [p.id for p in d.people()] == [master.consultant, master.other_consultant, lead.id]
        assert [p.email for p in d.people("lead")] == ["lead@example.jp"]
        changed = d.update_person(
            master.consultant,
            name="佐藤 花子",
            fields=["生成AI"],
            track_record="10年",
            active=False,
        )
        assert (changed.name, changed.fields, changed.track_record, changed.active) == (
            "佐藤 花子", ("生成AI",), "10年", False,
        )  # fmt: skip
        with pytest.raises(TypeError):
            d.update_person(lead.id, role="prefecture")
        uow.commit()
    with backend.uow(readonly=True) as uow:
        active = uow.directory.people("consultant", active_only=True)
        assert [p.id for p in active] == [master.other_consultant]
        assert uow.directory.person("nobody@example.jp") is None
    with backend.uow() as uow, pytest.raises(VIOLATION):
        add_person(uow.directory, "lead@example.jp")
    with backend.uow() as uow, pytest.raises(VIOLATION):
        add_person(uow.directory, "new@example.jp", org_id=999)


def test_changing_an_unknown_person_is_not_found(
    request: pytest.FixtureRequest, backend: Backend
) -> None:
    with backend.uow() as uow, pytest.raises(NotFound):
        uow.directory.update_person(999, name="誰か")


def test_themes_and_subcontractors(backend: Backend) -> None:
    with backend.uow() as uow:
        d = uow.directory
        parent = d.add_theme("standardization", "情報システム標準化", True, None)
        child = d.add_theme("std-jumin", "住民基本台帳", False, parent.id)
        sub = d.add_subcontractor("株式会社サンプル", "標準化支援")
        ken = add_person(d, "ken@sample.example.jp", company=sub.name, subcontractor_id=sub.id)
        uow.commit()
    with backend.uow() as uow:
        d = uow.directory
        assert d.themes() == [parent, child]
        assert d.theme("std-jumin") == d.theme_by_id(child.id) == child
        assert (child.parent_id, child.standardization, parent.standardization) == (
            parent.id, False, True,
        )  # fmt: skip
        assert d.theme("nope") is None
        assert d.subcontractor("株式会社サンプル") == d.subcontractor_by_id(sub.id) == sub
        assert sub.approved_at is None
        approved = d.approve_subcontractor(sub.id, at=NOW, by="pref@example.jp", ref="デジ第1号")
        uow.commit()
    assert approved.approved_at == NOW and approved.approval_ref == "デジ第1号"
    with backend.uow(readonly=True) as uow:
        assert uow.directory.subcontractors() == [approved]
        assert uow.directory.person_by_id(ken.id).subcontractor_id == sub.id  # type: ignore[union-attr]
        assert uow.directory.subcontractor("nope") is None
    with backend.uow() as uow, pytest.raises(VIOLATION):
        uow.directory.add_theme("std-jumin", "重複", False, None)


def test_the_first_consultant_assigned_stays(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        d = uow.directory
        assert d.assigned_consultant(master.org, master.theme) is None
        d.assign_if_first(master.org, master.theme, master.consultant)
        d.assign_if_first(master.org, master.theme, master.other_consultant)
        d.assign_if_first(master.other_org, master.theme, master.other_consultant)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        assert uow.directory.assigned_consultant(master.org, master.theme) == master.consultant
        assert uow.directory.assigned_consultant(master.other_org, master.theme) == (
            master.other_consultant
        )


def test_settings_are_json_objects_read_as_copies(backend: Backend) -> None:
    quota = {"total": 470, "standardization": 360, "monthly_cap": 2}
    contract = {"start": "2026-04-01", "deadline_days": {"hearing": 10}, "kickoff": None}
    with backend.uow() as uow:
        assert uow.settings.get("quota") is None
        uow.settings.put("quota", quota)
        uow.settings.put("contract", contract)
        uow.commit()
    with backend.uow() as uow:
        got = uow.settings.get("quota", lock=True)
        assert got == quota
        assert got is not None
        got["total"] = 1  # a copy: the stored value does not change
        assert uow.settings.get("quota") == quota
        assert uow.settings.get("contract") == contract
        uow.settings.put("quota", {**quota, "total": 480})
        uow.commit()
    with backend.uow(readonly=True) as uow:
        assert uow.settings.get("quota") == {**quota, "total": 480}


def test_a_person_registered_later_comes_later(backend: Backend) -> None:
    with backend.uow() as uow:
        first = add_person(uow.directory, "b@example.jp", at=NOW + timedelta(days=1))
        second = add_person(uow.directory, "a@example.jp", at=NOW)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        assert [p.id for p in uow.directory.people()] == [first.id, second.id]
        assert first.id < second.id


def test_a_value_longer_than_its_column_is_refused(backend: Backend) -> None:
    if backend.name == "sqlite":
        pytest.skip("SQLite does not enforce VARCHAR lengths (the fake follows PostgreSQL)")
    with backend.uow() as uow, pytest.raises(VIOLATION):
        uow.directory.add_org("3310070000000000X", "岡山市", "city")  # code is String(16)


def test_assign_hands_the_work_over(backend: Backend, master: Seed) -> None:
    m = master
    with backend.uow() as uow:
        uow.directory.assign_if_first(m.org, m.theme, m.consultant)
        uow.directory.assign_if_first(m.org, m.theme, m.other_consultant)
        assert uow.directory.assigned_consultant(m.org, m.theme) == m.consultant
        uow.directory.assign(m.org, m.theme, m.other_consultant)
        uow.directory.assign(m.other_org, m.theme, m.consultant)  # none yet: the first
        uow.commit()
    with backend.uow(readonly=True) as uow:
        assert uow.directory.assigned_consultant(m.org, m.theme) == m.other_consultant
        assert uow.directory.assigned_consultant(m.other_org, m.theme) == m.consultant
