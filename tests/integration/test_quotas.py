"""The fiscal-year quotas (470 dispatches, of which 360 standardisation) and `budget`.

The year's use is seeded with SQL (hundreds of rows, spread over engagements
in support, so that the monthly cap is never what refuses); the dispatches at
the limit go through the real `banso` entry point, run in this process to
stay fast. Cancelling a dispatch frees its slot; `budget --json` adds up to
the rows; only the prefecture moves the limits, and never below what is used.

Runs on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.programme import (
    LEAD,
    PREFECTURE,
    Banso,
    Run,
    dispatch_count,
    dump_database,
    programme_templates,
    seed_dispatches,
    seed_engagements,
)

SEED_ORGS = ("332046", "332054", "332071", "332089", "332097", "332101")


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    """The set-up programme (in-process `banso`), acting as the lead."""
    return programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)


def plan(banso: Banso, engagement_id: int, at: str) -> Run:
    return banso("dispatch", "plan", str(engagement_id), "--at", at, "--mode", "web", "--json")


def accepted(banso: Banso, engagement_id: int, at: str) -> dict[str, Any]:
    done = plan(banso, engagement_id, at)
    assert (done.code, done.err) == (0, ""), done
    result: dict[str, Any] = done.json()
    assert result["state"] == "planned"
    return result


def refused(banso: Banso, engagement_id: int, at: str) -> str:
    before = dump_database(banso.url)
    done = plan(banso, engagement_id, at)
    assert (done.code, done.out) == (1, ""), done
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("banso: new dispatch refused: "), done.err
    assert "monthly cap" not in lines[0]
    assert dump_database(banso.url) == before
    return lines[0]


def budget(banso: Banso) -> dict[str, Any]:
    data: dict[str, Any] = banso.json("budget")
    return data


def check_budget(banso: Banso) -> dict[str, Any]:
    """`budget --json` agrees with the rows: used (held), committed, left, per theme."""
    data = budget(banso)
    url = banso.url
    for key, std in (("total", None), ("standardization", True)):
        entry = data[key]
        held = dispatch_count(url, states=("held",), standardization=std)
        committed = dispatch_count(url, states=("planned", "confirmed"), standardization=std)
        assert (entry["held"], entry["committed"]) == (held, committed), (key, entry)
        assert entry["left"] == entry.get("limit", entry.get("target")) - held - committed
    themes = data["themes"]
    assert sum(t["held"] + t["committed"] for t in themes) == dispatch_count(url)
    assert data["fiscal_year"] == 2026
    return data


def test_the_470th_dispatch_is_the_last_and_a_cancellation_frees_a_slot(banso: Banso) -> None:
    url = banso.url
    seeded = seed_engagements(url, "genai", SEED_ORGS)
    (target,) = seed_engagements(url, "bpr", ["331007"])
    states = ["held"] * 150 + ["confirmed"] * 19 + ["planned"] * 300 + ["cancelled"] * 30
    ids = seed_dispatches(url, seeded, states, standardization=False)
    # Last fiscal year's dispatches do not count against this year's quota.
    seed_dispatches(url, seeded, ["held"] * 5, standardization=False, months=["2026-03"])
    assert dispatch_count(url) == 469
    assert dispatch_count(url, fy=2025) == 5

    last = accepted(banso, target, "2026-06-10T10:00")
    assert (last["standardization"], last["fiscal_year"]) == (False, 2026)
    assert dispatch_count(url) == 470
    line = refused(banso, target, "2026-07-10T10:00")
    assert "fiscal-year quota: 470 of 470 dispatches used" in line
    assert "budget set --total" in line
    data = check_budget(banso)
    assert (data["total"]["limit"], data["total"]["left"]) == (470, 0)
    assert {t["theme"]: (t["held"], t["committed"]) for t in data["themes"]} == {
        "genai": (150, 319),
        "bpr": (0, 1),
    }

    # A cancelled dispatch frees its slot (seeded rows go through `banso` as any other).
    first_planned = ids[states.index("planned")]
    cancelled = banso.json("dispatch", "cancel", str(first_planned), "--reason", "延期")
    assert (cancelled["state"], cancelled["state_label"]) == ("cancelled", "中止")
    assert budget(banso)["total"]["left"] == 1
    accepted(banso, target, "2026-07-10T10:00")
    assert "470 of 470" in refused(banso, target, "2026-08-10T10:00")
    data = check_budget(banso)
    assert (data["total"]["held"], data["total"]["committed"], data["total"]["left"]) == (
        150,
        320,
        0,
    )
    assert dispatch_count(url) == 470


def test_the_361st_standardisation_dispatch_warns_sub_themes_included(banso: Banso) -> None:
    url = banso.url
    # A sub-theme without the flag of its own counts through its parent.
    banso.ok(
        "theme", "add", "--code", "std-extra2", "--name", "標準化（追加）",
        "--parent", "standardization",
    )  # fmt: skip
    std = seed_engagements(url, "standardization", SEED_ORGS[:3])
    std += seed_engagements(url, "std-jumin", SEED_ORGS[3:])
    other = seed_engagements(url, "genai", SEED_ORGS[:2])
    seed_dispatches(
        url, std, ["held"] * 100 + ["planned"] * 259 + ["cancelled"] * 10, standardization=True
    )
    seed_dispatches(url, other, ["held"] * 20 + ["planned"] * 20, standardization=False)
    (sub_target,) = seed_engagements(url, "std-extra2", ["331007"])
    assert dispatch_count(url, standardization=True) == 359

    last = accepted(banso, sub_target, "2026-06-10T10:00")
    assert last["standardization"] is True
    # The 361st: 360 is a target (を見込む), so it is accepted with a warning.
    done = plan(banso, sub_target, "2026-07-10T10:00")
    assert done.code == 0 and done.json()["state"] == "planned", done
    assert done.err.startswith("banso: note: standardisation target passed: 361"), done.err
    data = check_budget(banso)
    assert (data["standardization"]["target"], data["standardization"]["left"]) == (360, -1)
    assert "361 standardisation dispatches" in data["standardization"]["warning"]
    assert data["total"]["left"] == 470 - 361 - 40
    assert "warning: standardisation target passed" in banso.ok("budget").out


def test_only_the_prefecture_sets_the_budget_and_never_below_use(banso: Banso) -> None:
    url = banso.url
    engagements = seed_engagements(url, "standardization", SEED_ORGS)
    seed_dispatches(url, engagements, ["held"] * 60 + ["planned"] * 40, standardization=True)
    seed_dispatches(url, engagements, ["planned"] * 50, standardization=False)
    data = check_budget(banso)
    assert (data["total"]["left"], data["standardization"]["left"]) == (320, 260)

    changed = banso.json(
        "budget", "set", "--total", "480", "--standardization", "365", user=PREFECTURE
    )
    assert (changed["total"], changed["standardization"], changed["monthly_cap"]) == (480, 365, 2)
    data = check_budget(banso)
    assert (data["total"]["limit"], data["total"]["left"]) == (480, 330)
    assert (data["standardization"]["target"], data["standardization"]["left"]) == (365, 265)

    before = dump_database(url)
    lead = banso("budget", "set", "--total", "500")
    assert (lead.code, lead.out) == (1, "")
    assert lead.err == f"banso: {LEAD} may not change the budget: only a prefecture may\n"
    # A budget below the use is refused by a rule: exit 1 (docs/cli.md, "Exit codes").
    line = banso.refused("budget", "set", "--total", "149", user=PREFECTURE)
    assert all(n in line for n in ("--total", "149", "150")), line
    assert dump_database(url) == before

    # Exactly the use is allowed (the standardisation limit may not exceed the total).
    line = banso.refused("budget", "set", "--total", "150", code=2, user=PREFECTURE)
    assert "--standardization" in line and "at most the total 150" in line
    banso.ok("budget", "set", "--total", "150", "--standardization", "100", user=PREFECTURE)
    (target,) = seed_engagements(url, "genai", ["331007"])
    assert "150 of 150" in refused(banso, target, "2026-06-10T10:00")
    assert check_budget(banso)["total"]["left"] == 0


def test_a_dispatch_outside_the_contract_cannot_escape_the_quota(banso: Banso) -> None:
    url = banso.url
    seeded = seed_engagements(url, "genai", SEED_ORGS)
    (target,) = seed_engagements(url, "bpr", ["331007"])
    seed_dispatches(url, seeded, ["planned"] * 470, standardization=False)
    for at in ("2027-04-12T10:00", "2025-06-02T10:00"):
        line = refused(banso, target, at)
        assert "contract" in line or "470 of 470" in line
    assert dispatch_count(url) == 470
    assert sum(dispatch_count(url, fy=fy) for fy in (2025, 2027)) == 0
