"""Setting the programme up: `init` (configure) and the master data."""

from __future__ import annotations

import pytest

from banso.engine.deadlines import OPEN
from banso.engine.errors import InvalidValue
from banso.services import programme, views
from banso.services.programme import OrgRow, ThemeRow
from tests.services.world import ORGS, THEMES, World


def test_configure_stores_the_settings_and_what_the_programme_owes(bare: World) -> None:
    changes = programme.configure(bare.services, {}, "test")
    assert "contract settings" in changes and "quota settings" in changes
    assert bare.settings("quota") == {"total": 470, "standardization": 360, "monthly_cap": 2}
    contract = bare.settings("contract")
    assert contract is not None and (contract["start"], contract["end"]) == (
        "2026-04-01", "2027-03-31",
    )  # fmt: skip
    kinds = [d.data["kind"] for d in bare.find("deliverable")]
    assert kinds.count("monthly_report") == 12
    assert {"org_chart", "implementation_plan", "expert_roster", "completion_report"} <= set(kinds)
    periods = sorted(d.data["period"] for d in bare.find("deliverable", kind="monthly_report"))
    assert (periods[0], periods[-1]) == ("2026-04", "2027-03")
    # Every deliverable has its submission deadline; every month its regular meeting.
    for d in bare.find("deliverable"):
        assert bare.deadline("deliverable", d.id, "submission").status == OPEN
    april = bare.deadline("programme", 202604, "monthly_meeting")
    assert (april.due.isoformat(), april.responsible) == ("2026-04-30", "lead")
    assert bare.has_deadline("programme", 202703, "monthly_meeting")


def test_configure_again_changes_nothing_and_a_new_end_only_the_contract(bare: World) -> None:
    programme.configure(bare.services, {}, "test")
    before = bare.store.snapshot()
    assert programme.configure(bare.services, {}, "test") == []
    assert bare.store.snapshot() == before
    changes = programme.configure(bare.services, {"contract_end": "2027-02-26"}, "test")
    # The open deadlines follow the new end (issue 12); nothing else is created.
    assert changes[0] == "contract settings"
    assert all(c.startswith("moved: ") for c in changes[1:])
    assert "moved: 業務完了報告書の提出: 2027-03-31 → 2027-02-26" in changes
    contract = bare.settings("contract")
    assert contract is not None and contract["end"] == "2027-02-26"
    assert bare.settings("quota") == {"total": 470, "standardization": 360, "monthly_cap": 2}


def test_a_bad_programme_table_changes_nothing(bare: World) -> None:
    before = bare.store.snapshot()
    for table in ({"colour": "blue"}, {"total": -1}, {"contract_end": "2026-03-01"}):
        with pytest.raises(InvalidValue):
            programme.configure(bare.services, table, "[programme]")
    assert bare.store.snapshot() == before


def test_master_data_is_added_once(bare: World) -> None:
    added = programme.load_master_data(bare.services, ORGS, THEMES)
    assert added == [o.code for o in ORGS] + [t.code for t in THEMES]
    assert programme.load_master_data(bare.services, ORGS, THEMES) == []
    child = next(t for t in views.themes(bare.services) if t.code == "std-jumin")
    parent = next(t for t in views.themes(bare.services) if t.code == "standardization")
    assert child.parent_id == parent.id
    assert [o.code for o in views.orgs(bare.services, "city")] == ["331007", "332020"]


def test_bad_master_data_is_all_or_nothing(bare: World) -> None:
    before = bare.store.snapshot()
    with pytest.raises(InvalidValue):
        programme.load_master_data(
            bare.services, ORGS, [*THEMES, ThemeRow("x", "X", False, "nope")]
        )
    with pytest.raises(InvalidValue):
        programme.load_master_data(bare.services, [*ORGS, OrgRow("339999", "某所", "planet")], [])
    assert bare.store.snapshot() == before
