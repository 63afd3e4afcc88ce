"""8 processes × 200 random commands against one database, then every invariant.

The processes (``chaos_worker``: the real entry point, in-process, seeded) start
together after a file barrier and collide on a few organisations, themes,
engagements, months and e-mail addresses: opening and withdrawing engagements,
walking them towards support, planning and cancelling dispatches against a
small fiscal-year quota, scheduling monthly meetings, adding people, entering
consultations. Afterwards, on SQLite and on PostgreSQL:

* every command ended with 0, 1 or 2, and every failure is one ``banso:`` line
  and nothing on stdout, never a traceback;
* one open engagement per organisation × theme; no planned or confirmed
  dispatch on a withdrawn or reported engagement; at most one monthly meeting a
  month; the fiscal-year quota, the monthly cap per organisation × theme and
  each plan's number of dispatches are not exceeded; e-mail addresses are unique
  case-folded;
* every record's version equals the audit events written for it, less the one
  that created it, and `banso audit verify` finds the chain intact.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from banso.storage.db import READONLY, make_engine
from banso.storage.models import (
    AuditEventRow,
    Consultation,
    Dispatch,
    Engagement,
    Meeting,
    Person,
)
from banso.workflows.programme import CLOSED_ENGAGEMENT, COUNTED, OPEN_DISPATCH
from tests.support import tally
from tests.support.programme import (
    HANAKO,
    LEAD,
    PREFECTURE,
    ROOT,
    Banso,
    programme_templates,
    untrusted,
)

pytestmark = pytest.mark.slow

PROCESSES = 8
COMMANDS = 200
NOW = "2026-05-01T09:00+09:00"
TOTAL = 12  # the fiscal year's dispatches: small, so that the processes run into it
MONTHLY_CAP = 2
PLANNED = 4
SET_UP = (("331007", "genai"), ("332020", "genai"), ("332038", "bpr"), ("332046", "security"))
TIMEOUT = 600.0


def _in_support(banso: Banso, org: str, theme: str) -> int:
    """An engagement walked to support through the commands (so the chain holds it)."""
    eid = str(banso.json("engagement", "new", "--org", org, "--theme", theme)["id"])
    banso.ok("engagement", "propose-expert", eid, "--consultant", HANAKO)
    banso.ok("engagement", "agree-expert", eid, user=PREFECTURE)
    banso.ok("engagement", "schedule-hearing", eid, "--at", "2026-05-12T10:00",
             "--consultant", HANAKO)  # fmt: skip
    banso.ok("engagement", "record-hearing", eid, "--findings", "窓口の課題", user=HANAKO)
    banso.ok("engagement", "draft-plan", eid, "--goals", "目標", "--planned-dispatches",
             str(PLANNED), user=HANAKO)  # fmt: skip
    banso.ok("engagement", "approve-plan", eid, user=PREFECTURE)
    banso.ok("engagement", "start", eid)
    return int(eid)


def _burst(banso: Banso, tmp_path: Path) -> list[dict[str, Any]]:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = banso.env(None, NOW)
    procs = []
    for n in range(PROCESSES):
        args = [str(1000 + n), str(COMMANDS), str(barrier), f"p{n}",
                str(tmp_path / f"p{n}.jsonl"), banso.url]  # fmt: skip
        worker = [sys.executable, "-m", "tests.integration.chaos_worker", *args]
        procs.append(
            subprocess.Popen(
                worker, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    try:
        deadline = time.monotonic() + 120
        while not all((barrier / f"ready-p{n}").exists() for n in range(PROCESSES)):
            for proc in procs:
                if proc.poll() is not None:
                    pytest.fail(f"a process ended before the barrier: {proc.communicate()}")
            if time.monotonic() > deadline:
                pytest.fail("processes not ready after 120 s")
            time.sleep(0.01)
        (barrier / "go").touch()
        for proc in procs:
            out, err = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0, (out, err)
            assert out == "" and err == "", (out, err)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    runs = []
    for n in range(PROCESSES):
        lines = (tmp_path / f"p{n}.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == COMMANDS, f"p{n} ran {len(lines)} commands"
        runs += [json.loads(line) for line in lines]
    return runs


def _check_lines(runs: list[dict[str, Any]]) -> Counter[str]:
    codes: Counter[str] = Counter()
    for r in runs:
        shown = f"banso {' '.join(r['argv'])} as {r['user']} → {r['code']}: {r['err']!r}"
        err = untrusted(r["err"])
        assert "Traceback" not in err, shown
        assert r["code"] in (0, 1, 2), shown
        if r["code"] == 0:
            assert err == "", shown
        else:
            assert r["out"] == "", shown
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("banso: "), shown
        codes[f"{r['argv'][0]} {r['argv'][1] if len(r['argv']) > 1 else ''} {r['code']}"] += 1
    return codes


def _check_invariants(url: str) -> int:
    """Every invariant over the records; returns how many records were checked."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            engagements = conn.execute(
                select(Engagement.id, Engagement.org_id, Engagement.theme_id, Engagement.state,
                       Engagement.version, Engagement.planned_dispatches)
            ).all()  # fmt: skip
            dispatches = conn.execute(
                select(Dispatch.id, Dispatch.engagement_id, Dispatch.state, Dispatch.month,
                       Dispatch.fiscal_year, Dispatch.version)
            ).all()  # fmt: skip
            meetings = conn.execute(
                select(Meeting.id, Meeting.kind, Meeting.month, Meeting.state, Meeting.version)
            ).all()
            consultations = conn.execute(select(Consultation.id, Consultation.version)).all()
            emails = conn.scalars(select(Person.email)).all()
            events = Counter(
                (kind, record_id)
                for kind, record_id in conn.execute(
                    select(AuditEventRow.kind, AuditEventRow.record_id)
                )
            )
    finally:
        engine.dispose()
    by_id = {e.id: e for e in engagements}
    open_pairs = Counter((e.org_id, e.theme_id) for e in engagements
                         if e.state not in CLOSED_ENGAGEMENT)  # fmt: skip
    assert max(open_pairs.values()) == 1, open_pairs
    for d in dispatches:
        if d.state in OPEN_DISPATCH:
            assert by_id[d.engagement_id].state not in CLOSED_ENGAGEMENT, d
    counted = [d for d in dispatches if d.state in COUNTED]
    assert len({d.fiscal_year for d in counted}) <= 1
    assert len(counted) <= TOTAL, len(counted)
    # The set-up's themes have no sub-themes: a family is one organisation × theme.
    per_month = Counter(
        (by_id[d.engagement_id].org_id, by_id[d.engagement_id].theme_id, d.month) for d in counted
    )
    assert not per_month or max(per_month.values()) <= MONTHLY_CAP, per_month
    per_engagement = Counter(d.engagement_id for d in counted)
    for eid, n in per_engagement.items():
        assert n <= (by_id[eid].planned_dispatches or 0), (eid, n)
    monthly = Counter(m.month for m in meetings if m.kind == "monthly" and m.state != "cancelled")
    assert not monthly or max(monthly.values()) == 1, monthly
    folded = Counter(e.casefold() for e in emails)
    assert max(folded.values()) == 1, folded
    # Every version is one transition after the other, each with its event.
    records = [("engagement", e.id, e.version) for e in engagements]
    records += [("dispatch", d.id, d.version) for d in dispatches]
    records += [("meeting", m.id, m.version) for m in meetings]
    records += [("consultation", c.id, c.version) for c in consultations]
    for kind, record_id, version in records:
        assert events[(kind, record_id)] == version + 1, (kind, record_id, version)
    return len(records)


def test_eight_processes_of_random_commands_keep_every_invariant(
    db_url: str, tmp_path: Path
) -> None:
    banso = programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)
    banso.now = NOW
    for org, theme in SET_UP:
        _in_support(banso, org, theme)
    banso.ok("budget", "set", "--total", str(TOTAL), "--standardization", "0",
             "--monthly-cap", str(MONTHLY_CAP),
             user=PREFECTURE)  # fmt: skip

    started = time.monotonic()
    runs = _burst(banso, tmp_path)
    took = time.monotonic() - started
    codes = _check_lines(runs)
    checked = _check_invariants(banso.url)
    verified = banso("audit", "verify")
    assert verified.code == 0 and "intact" in verified.out, verified

    done = sum(1 for r in runs if r["code"] == 0)
    # The mix must have done something on each side: writes that landed and refusals.
    assert done >= 100 and sum(1 for r in runs if r["code"] == 1) >= 100, codes
    assert codes["dispatch plan 0"] >= 1 and codes["engagement new 0"] >= 1, codes
    tally.count("concurrency", len(runs))
    tally.count("records", checked)
    print(
        f"\nconcurrency ({banso.url.split(':')[0]}): {len(runs)} commands by {PROCESSES} "
        f"processes in {took:.0f} s, {done} done, {checked} records checked; "
        + ", ".join(f"{k.strip()}: {v}" for k, v in sorted(codes.items()))
    )
