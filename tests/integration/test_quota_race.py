"""Two OS processes race for the last dispatch slot of the fiscal year.

Each round the prefecture sets the total so that exactly one slot is left;
two `banso dispatch plan` processes (``quota_race_worker``: the real entry
point, started together after a file barrier) plan on two engagements at the
same moment. Planning locks the quota row before counting, so exactly one
wins and the other is refused by the quota (exit 1, one line); afterwards the
counted dispatches equal the limit. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from banso.engine.calendar import BusinessCalendar
from tests.support import tally
from tests.support.programme import (
    HANAKO,
    LEAD,
    PREFECTURE,
    ROOT,
    START,
    Banso,
    dispatch_count,
    programme_templates,
    seed_dispatches,
    seed_engagements,
)
from tests.support.racing import release

pytestmark = pytest.mark.slow

ROUNDS = 10
SEEDED_HELD, SEEDED_PLANNED = 200, 260
SEEDED = SEEDED_HELD + SEEDED_PLANNED  # the year's use before: the last round takes it to 470
TIMEOUT = 60.0


def _start(
    banso: Banso, barrier: Path, name: str, user: str, engagement_id: int, at: str
) -> subprocess.Popen[str]:
    env = banso.env(user, START)  # trust mode, the mail folder and the audit key
    args = ["--db", banso.url, "dispatch", "plan", str(engagement_id), "--at", at, "--mode", "web"]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.quota_race_worker", str(barrier), name, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _race(banso: Banso, barrier: Path, racers: list[tuple[str, str, int, str]]) -> dict[str, Any]:
    barrier.mkdir()
    procs = {
        name: _start(banso, barrier, name, user, engagement_id, at)
        for name, user, engagement_id, at in racers
    }
    return release(barrier, procs, TIMEOUT)


def test_two_processes_racing_for_the_last_slot_one_wins(db_url: str, tmp_path: Path) -> None:
    banso = programme_templates().fresh(db_url, tmp_path, user=PREFECTURE, in_process=True)
    url = banso.url
    first, second = seed_engagements(url, "genai", ["331007", "332020"])
    base = seed_engagements(url, "bpr", ["332038", "332046", "332054"])
    seed_dispatches(
        url, base, ["held"] * SEEDED_HELD + ["planned"] * SEEDED_PLANNED, standardization=False
    )
    assert dispatch_count(url) == SEEDED

    winners = []
    for n in range(ROUNDS):
        limit = SEEDED + n + 1
        banso.ok("budget", "set", "--total", str(limit))
        assert banso.json("budget")["total"]["left"] == 1
        month = date(2026 + (4 + n) // 12, (4 + n) % 12 + 1, 9)  # 2026-05, 2026-06, …
        # An open day: a dispatch on a closed day would be refused for that instead.
        day = BusinessCalendar().next_business_day(month).isoformat()
        racers = [
            ("a", LEAD, first, f"{day}T10:00"),
            ("b", HANAKO, second, f"{day}T10:00"),
        ]
        if n % 2:
            racers.reverse()  # neither always starts first
        results = _race(banso, tmp_path / f"round-{n:02d}", racers)
        won = [name for name, (code, _, _) in results.items() if code == 0]
        assert len(won) == 1, f"round {n}: exactly one racer must win: {results}"
        (lost,) = set(results) - set(won)
        code, out, err = results[lost]
        assert (code, out) == (1, ""), f"round {n}: {results}"
        assert err.count("\n") == 1 and err.startswith("banso: new dispatch refused: "), err
        assert f"fiscal-year quota: {limit} of {limit} dispatches used" in err
        assert "monthly cap" not in err
        assert results[won[0]][2] == "" and "dispatch" in results[won[0]][1]
        assert dispatch_count(url) == limit, f"round {n}"
        winners.append(won[0])

    assert dispatch_count(url) == SEEDED + ROUNDS == banso.json("budget")["total"]["limit"]
    assert banso.json("budget")["total"]["left"] == 0
    # The seeded dispatches were written by hand, without audit events: `audit verify`
    # says so (tampering, by its lights). The chain of what the racers wrote is intact.
    verified = banso("audit", "verify", "--json")
    assert "has no audit event" in verified.err and "chain says" not in verified.err
    assert len(winners) == ROUNDS
    tally.count("races", ROUNDS)
