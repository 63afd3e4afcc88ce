"""Two OS processes fire conflicting transitions on one record at the same moment.

Each round both racers read the record's version, meet at a file barrier, then
fire with ``expected_version=`` what they read: optimistic locking must let
exactly one through and refuse the other with a conflict (exit 1), on SQLite
and on PostgreSQL alike, and the audit chain must still verify afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from banso.engine.audit import verify_chain
from banso.storage.models import AuditEventRow
from tests.support import tally, toy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 50
RACERS = ("racer-a@example.jp", "racer-b@example.jp")
TIMEOUT = 30.0


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    toy.create_tables(engine)
    yield engine


def _start(url: str, record_id: int, actor: str, barrier: Path) -> subprocess.Popen[str]:
    args = [url, str(record_id), actor, str(barrier)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.race_worker", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(barrier: Path, procs: list[subprocess.Popen[str]]) -> None:
    """Both racers have read the record (bounded poll: they are other processes)."""
    deadline = time.monotonic() + TIMEOUT
    while not all((barrier / f"ready-{actor}").exists() for actor in RACERS):
        for proc in procs:
            if proc.poll() is not None:
                _, err = proc.communicate()
                pytest.fail(f"a racer ended before the barrier (exit {proc.returncode}): {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"racers not ready after {TIMEOUT} s")
        time.sleep(0.001)


def _result(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out, err


def _round(url: str, record_id: int, barrier: Path, version: int) -> str:
    """One race from ``version``; returns the winner after checking the loser's refusal."""
    barrier.mkdir()
    order = RACERS if version % 2 == 0 else RACERS[::-1]  # neither always starts first
    procs = [_start(url, record_id, actor, barrier) for actor in order]
    try:
        _wait_ready(barrier, procs)
        seen = {(barrier / f"ready-{actor}").read_text(encoding="utf-8") for actor in RACERS}
        assert seen == {str(version)}, "both racers must have read the same version"
        (barrier / "go").touch()
        results = {actor: _result(proc) for actor, proc in zip(order, procs, strict=True)}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    winners = [actor for actor, (code, _, _) in results.items() if code == 0]
    assert len(winners) == 1, f"exactly one racer must win: {results}"
    winner = winners[0]
    (loser,) = set(RACERS) - {winner}
    code, out, err = results[loser]
    assert (code, out) == (1, ""), results
    assert err.count("\n") == 1 and err.startswith(
        f"banso: toy {record_id} was changed by {winner}"
    ), err
    assert "retry" in err
    assert results[winner][1:] == ("", "")
    return winner


def test_exactly_one_of_two_racing_processes_wins_each_round(db: Engine, tmp_path: Path) -> None:
    url = db.url.render_as_string(hide_password=False)
    record_id = toy.new_toy(db, toy.make_runner())

    winners = [_round(url, record_id, tmp_path / f"round-{n:02d}", n) for n in range(ROUNDS)]

    record = toy.read(db, record_id)
    assert record.version == ROUNDS == len(winners)
    assert record.data["note"] == winners[-1]
    with toy.uow(db, readonly=True) as work:
        history = work.audit.history(toy.KIND, record_id)
        events = work.session.scalar(select(func.count()).select_from(AuditEventRow))
        report = verify_chain(work.audit.all_events(), work.audit.head_hash())
    assert [e.actor for e in history[1:]] == winners
    assert [e.version for e in history] == list(range(ROUNDS + 1))
    assert events == ROUNDS + 1
    assert report.ok and report.checked == ROUNDS + 1
    tally.count("races", ROUNDS)
