"""`engagement withdraw` and `dispatch plan` on one engagement at the same moment.

Withdrawing is refused while a dispatch is open, and planning is refused on a
withdrawn engagement; each judges what the other writes. Both lock the
engagement's row before they judge (SELECT … FOR UPDATE on PostgreSQL; SQLite's
writers are one at a time), so whichever comes second sees what the first
did: exactly one wins each round, the other is refused with one line (exit 1),
and no withdrawn engagement is left with a planned dispatch. Without the lock,
PostgreSQL let both through in 2 of 5 bursts (issue 13). On SQLite and
PostgreSQL; the two processes are the real entry point, started after a file
barrier (``quota_race_worker``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from banso.storage.db import READONLY, make_engine
from banso.storage.models import Dispatch, Engagement
from tests.support import tally
from tests.support.programme import (
    LEAD,
    PREFECTURE,
    ROOT,
    START,
    Banso,
    programme_templates,
    seed_engagements,
)
from tests.support.racing import release

pytestmark = pytest.mark.slow

ORGS = ("331007", "332020", "332038", "332046", "332054", "332071")
TIMEOUT = 60.0
# A business day in support: nothing but the race can refuse the plan.
AT = "2026-06-03T10:00"


def _start(banso: Banso, barrier: Path, name: str, user: str, args: list[str]) -> Any:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.quota_race_worker", str(barrier), name,
         "--db", banso.url, *args],
        cwd=ROOT,
        env=banso.env(user, START),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _race(banso: Banso, barrier: Path, racers: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    barrier.mkdir()
    procs = {name: _start(banso, barrier, name, user, args) for name, user, args in racers}
    return release(barrier, procs, TIMEOUT)


def _states(url: str, engagement_id: int) -> tuple[str, list[str]]:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            state = conn.scalar(select(Engagement.state).where(Engagement.id == engagement_id))
            planned = conn.scalars(
                select(Dispatch.state).where(Dispatch.engagement_id == engagement_id)
            ).all()
            return str(state), list(planned)
    finally:
        engine.dispose()


def test_withdraw_and_plan_racing_on_one_engagement_never_both_win(
    db_url: str, tmp_path: Path
) -> None:
    banso = programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)
    engagements = seed_engagements(banso.url, "genai", list(ORGS))
    wins = {"withdraw": 0, "plan": 0}
    for n, engagement_id in enumerate(engagements):
        racers = [
            ("withdraw", PREFECTURE,
             ["engagement", "withdraw", str(engagement_id), "--reason", "団体の事情により"]),
            ("plan", LEAD, ["dispatch", "plan", str(engagement_id), "--at", AT, "--mode", "web"]),
        ]  # fmt: skip
        if n % 2:
            racers.reverse()  # neither always starts first
        results = _race(banso, tmp_path / f"round-{n:02d}", racers)
        won = [name for name, (code, _, _) in results.items() if code == 0]
        assert len(won) == 1, f"round {n}: exactly one racer must win: {results}"
        (lost,) = set(results) - set(won)
        code, out, err = results[lost]
        assert (code, out) == (1, ""), f"round {n}: {results}"
        assert err.count("\n") == 1 and err.startswith("banso: "), err
        state, dispatches = _states(banso.url, engagement_id)
        if won == ["withdraw"]:
            assert (state, dispatches) == ("withdrawn", []), f"round {n}: {results}"
            assert "withdrawn" in err
        else:
            assert (state, dispatches) == ("in_support", ["planned"]), f"round {n}: {results}"
            assert "withdraw refused" in err and "still planned" in err, err
        wins[won[0]] += 1
        tally.count("races")
    assert sum(wins.values()) == len(ORGS)
