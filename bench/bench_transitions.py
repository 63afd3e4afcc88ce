"""How many lifecycle steps a second Banso commits: ``python -m bench.bench_transitions``.

    python -m bench.bench_transitions                 # SQLite, PostgreSQL, the peers
    python -m bench.bench_transitions --quick         # a short run (seconds)
    python -m bench.bench_transitions --cases 300 --rounds 3

Engagements are driven through their life in this process through the use cases
in ``services/`` (what the commands call): a survey row arrives (the engagement,
with its contact), propose-expert, agree-expert, schedule-hearing,
record-hearing, draft-plan, approve-plan, start, dispatch plan, dispatch
confirm, dispatch record, report — twelve steps, each its own committed unit
of work with the permission check, the guards, the optimistic lock, the audit
event with its keyed chain and every effect (deadlines opened and met, outbox
rows with their rendered mail and invitations).

On SQLite (a temporary file, WAL) and on PostgreSQL (``BANSO_TEST_POSTGRES_URL``
or ``--pg URL``; "skipped" without one). In the same run, interleaved, the
peers of ``../shared/peers`` (see its README): SpiffWorkflow persisting the
same lifecycle as JSON to SQLite (in its own virtual environment, created
under ``.bench/spiff-venv`` when absent) and the physical floor, raw
``sqlite3`` doing one step's writes. Printed: steps/s (median of the rounds),
the ratio to SpiffWorkflow (target ≥ 2× on SQLite, ≥ 1× on PostgreSQL), the
share of the floor, SQL statements per step (SQLAlchemy's
``before_cursor_execute``), milliseconds per kind of step, where the time goes
(cProfile), and memory: the process's peak resident set (the table's figure; an
upper bound when other benchmarks ran before in the same process) and the peak
of Python allocations during an instrumented run (tracemalloc).

The driver (:class:`Driver`) is also what ``tests/services/test_bench_honesty.py``
runs, to check that every step still leaves its audit event, deadlines and mail.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from banso.admin.bootstrap import Bootstrap
from banso.admin.logs import configure_logging
from banso.admin.settings import load_settings
from banso.engine.clock import TOKYO, FixedClock
from banso.services import dispatches, engagements, transitions
from banso.services.context import Services
from bench.common import Place

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT.parent / "shared" / "peers"
SPIFF = PEERS / "spiff" / "bench_spiff.py"
FLOOR = PEERS / "floor" / "lifecycle_floor.py"
SPIFF_VENV = ROOT / ".bench" / "spiff-venv"
SPIFF_VERSION = "SpiffWorkflow==3.2.0"

SET_UP_NOW = "2026-04-01T09:00+09:00"  # the programme's set-up, at the fiscal year's start
PREFECTURE = "taro@pref.okayama.example.jp"
LEAD = "lead@contractor.example.jp"
CONSULTANTS = [f"consultant{i:02d}@contractor.example.jp" for i in range(10)]
# The sample's municipalities (engagements are theirs) and its top-level themes.
ORGS = (
    "331007", "332020", "332038", "332046", "332054", "332071", "332089", "332097", "332101",
    "332119", "332127", "332135", "332143", "332151", "332160", "333468", "334235", "334456",
    "334618", "336068", "336220", "336238", "336637", "336661", "336815", "335860", "336432",
)
THEMES = ("genai", "frontyard", "nocode", "security", "talent", "bpr", "mynumber",
          "standardization")  # fmt: skip
STEPS = (
    "survey", "propose_expert", "agree_expert", "schedule_hearing", "record_hearing",
    "draft_plan", "approve_plan", "start", "plan_dispatch", "confirm", "record", "report",
)  # fmt: skip
STEPS_PER_CASE = len(STEPS)
# The dispatch quota of the sample contract is 470 a year: one dispatch per case.
MAX_CASES = 450
SPIFF_TARGET, PG_TARGET = 2.0, 1.0


# -- the programme ----------------------------------------------------------------------


def banso(url: str, place: Place, *args: str, user: str | None = None) -> None:
    """``banso --db URL ARGS`` in this process (output dropped); exit 0 or an error."""
    from banso.admin.cli import main

    environ = {
        "BANSO_NOW": SET_UP_NOW,
        "BANSO_MAIL_URL": place.mail_url,
        "BANSO_IDENTITY": "trust",
        "BANSO_AUDIT_KEY_FILE": str(place.folder / "key"),
    }
    argv = ["--db", url, "--config", str(place.config), *(["--as", user] if user else []), *args]
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(out):
        try:
            main(argv, environ=environ)
        except SystemExit as exc:
            if exc.code:
                said = out.getvalue()
                raise RuntimeError(f"banso {' '.join(args)} → {exc.code}: {said}") from exc


def set_up(url: str, place: Place, consultants: list[str] = CONSULTANTS) -> None:
    """``init --sample okayama``, the prefecture, the lead and the consultants."""
    banso(url, place, "init", "--sample", "okayama")
    add = ("person", "add", "--name")
    banso(url, place, *add, "県 太郎", "--email", PREFECTURE, "--role", "prefecture",
          "--org", "330001")  # fmt: skip
    banso(url, place, *add, "責任 者", "--email", LEAD, "--role", "lead", user=PREFECTURE)
    for n, email in enumerate(consultants):
        banso(url, place, *add, f"専門 人材{n}", "--email", email, "--role", "consultant",
              user=LEAD)  # fmt: skip


def open_services(url: str, place: Place, audit_key: Path | None = None) -> Bootstrap:
    """The services the commands use (``admin.bootstrap``), on a clock the driver moves;
    the audit chain sealed with ``audit_key`` (default: the one the set-up made)."""
    configure_logging("json", stream=io.StringIO())  # the set-up configured a terminal
    settings = load_settings(
        config=str(place.config), environ={}, database_url=url, now=SET_UP_NOW,
        mail_url=place.mail_url, identity_mode="trust",
        audit_key_file=audit_key or place.folder / "key",
    )  # fmt: skip
    return Bootstrap(settings)


# -- the driver -------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    """One row of the demand survey (``services.engagements.SurveyEntry``)."""

    row: int
    org_code: str
    theme_code: str
    preferred_months: tuple[str, ...]
    request: str = "生成AIの庁内利用ガイドライン策定と職員研修の企画"
    contact_name: str = "田中 一郎"
    contact_email: str = "tanaka@city.example.jp"  # each organisation its own (see case)
    contact_dept: str = "情報政策課"


@dataclass
class Taken:
    """What a run did: each step as (step, kind, record id, trigger), and time per step."""

    steps: list[tuple[str, str, int, str]] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def count(self) -> int:
        return len(self.steps)


def business_days(services: Services, start: date) -> Iterator[date]:
    day = start
    while True:
        if services.calendar.is_business_day(day):
            yield day
        day += timedelta(days=1)


class Driver:
    """Drives engagements through their life, one committed unit of work a step.

    Case ``i`` is organisation × theme ``i mod 216`` (its own consultant, so the
    organisation × theme keeps one), in round ``i // 216``: its hearing and its
    dispatch fall in month May + round, so no monthly cap is reached.
    """

    def __init__(
        self, services: Services, clock: FixedClock, consultants: list[str] = CONSULTANTS
    ) -> None:
        self.services = services
        self.clock = clock
        self.consultants = consultants
        self.pairs = [(org, theme) for theme in THEMES for org in ORGS]
        self.done = 0  # cases driven so far (the next case's number)

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)

    def run(self, cases: int, taken: Taken | None = None) -> Taken:
        taken = taken if taken is not None else Taken()
        for _ in range(cases):
            self.case(self.done, taken)
            self.done += 1
        return taken

    def case(self, i: int, taken: Taken) -> None:
        s, clock = self.services, self.clock
        round_, pair = divmod(i, len(self.pairs))
        org, theme = self.pairs[pair]
        consultant = self.consultants[pair % len(self.consultants)]
        month = date(2026, 5 + round_, 1)
        days = business_days(s, month)
        first, hearing_day, dispatch_day = next(days), next(days), next(days)

        def step(name: str, kind: str, call: Callable[[], Any], trigger: str | None = None) -> Any:
            t0 = time.perf_counter()
            outcome = call()
            taken.seconds[name].append(time.perf_counter() - t0)
            if name == "survey":
                record_id = int(outcome.created[0]["engagement"])
            else:
                record_id = outcome.record.id
            taken.steps.append((name, kind, record_id, trigger or name))
            return record_id

        clock.set(self._at(first, 9, 30))
        # Each organisation its own contact: the first mail to an address reads differently.
        row = SurveyRow(i + 2, org, theme, (f"{month:%Y-%m}",),
                        contact_email=f"dx-{org}@city.example.jp")  # fmt: skip
        eid = step("survey", "engagement",
                   lambda: engagements.import_survey(s, LEAD, [row]), "create")  # fmt: skip
        step("propose_expert", "engagement",
             lambda: engagements.propose_expert(s, LEAD, eid, consultant=consultant))  # fmt: skip
        step("agree_expert", "engagement",
             lambda: transitions.fire(s, PREFECTURE, "engagement", eid, "agree_expert"),
             )  # fmt: skip
        hearing = self._at(hearing_day, 10)
        step("schedule_hearing", "engagement",
             lambda: engagements.schedule_hearing(s, LEAD, eid, at=hearing,
                                                  consultant=consultant))  # fmt: skip
        clock.set(self._at(hearing_day, 12))

        def fire(who: str, kind: str, rid: int, trigger: str, **changes: Any) -> Any:
            return step(trigger, kind, lambda: transitions.fire(
                s, who, kind, rid, trigger, changes=changes or None))  # fmt: skip

        fire(consultant, "engagement", eid, "record_hearing", findings="窓口業務の現状と課題")
        fire(consultant, "engagement", eid, "draft_plan", goals="ガイドラインの策定と研修",
             planned_dispatches=2)  # fmt: skip
        fire(PREFECTURE, "engagement", eid, "approve_plan")
        fire(LEAD, "engagement", eid, "start")
        visit = self._at(dispatch_day, 10)
        did = step("plan_dispatch", "dispatch",
                   lambda: dispatches.plan_dispatch(s, LEAD, eid, at=visit, mode="onsite"),
                   "create")  # fmt: skip
        fire(LEAD, "dispatch", did, "confirm")
        clock.set(self._at(dispatch_day, 15))
        fire(consultant, "dispatch", did, "record", summary="ガイドライン案の説明と意見交換",
             hours=2.0)  # fmt: skip
        fire(LEAD, "engagement", eid, "report", outcome="ガイドラインを策定し研修を実施")


# -- one measured run ----------------------------------------------------------------------


class StatementCounter:
    """SQL statements sent to the database (``before_cursor_execute``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.kinds: Counter[str] = Counter()

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        self.count += 1
        self.kinds[statement.split(None, 1)[0].upper()] += 1


@dataclass
class Backend:
    """One database, set up, and the driver on it."""

    name: str
    url: str
    boot: Bootstrap
    driver: Driver

    def close(self) -> None:
        self.boot.close()


def sqlite_backend(folder: Path, consultants: list[str] = CONSULTANTS) -> Backend:
    place = Place.make(folder)
    url = f"sqlite:///{folder / 'banso.db'}"
    return backend("SQLite", url, place, consultants)


def backend(name: str, url: str, place: Place, consultants: list[str] = CONSULTANTS) -> Backend:
    set_up(url, place, consultants)
    boot = open_services(url, place)
    clock = boot.services.clock
    assert isinstance(clock, FixedClock)
    return Backend(name, url, boot, Driver(boot.services, clock, consultants))


@contextlib.contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A fresh database beside ``base_url``'s, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from banso.storage.db import parse_url

    admin_url = parse_url(base_url)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def timed(b: Backend, cases: int) -> tuple[float, Taken]:
    t0 = time.perf_counter()
    taken = b.driver.run(cases)
    return taken.count / (time.perf_counter() - t0), taken


def instrumented(b: Backend, cases: int) -> tuple[float, Counter[str], float]:
    """Statements per step and the peak of Python allocations (MB) over ``cases``."""
    tracemalloc.start()
    try:
        with StatementCounter(b.boot.engine) as counter:
            taken = b.driver.run(cases)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return counter.count / taken.count, counter.kinds, peak / 1e6


# Where a function's time is charged in the summary.
AREAS = (
    ("sqlalchemy/orm", "SQLAlchemy ORM"),
    ("sqlalchemy/sql", "SQLAlchemy SQL compilation, cache keys"),
    ("sqlalchemy", "SQLAlchemy engine, other"),
    ("jinja2", "Jinja2 templates"),
    ("icalendar", "icalendar"),
    ("email", "e-mail (stdlib)"),
    ("psycopg", "psycopg"),
    ("/banso/", "Banso"),
    ("/wt-", "Banso"),
)


def area_of(filename: str, name: str) -> str:
    if filename == "~":
        if "sqlite3" in name or "execute" in name or "commit" in name:
            return "database driver (C)"
        return "Python built-ins"
    for needle, label in AREAS:
        if needle in filename:
            return label
    return "Python stdlib, other"


def profiled(b: Backend, cases: int, top: int = 12) -> str:
    """cProfile over ``cases``: the share of time by area, then the top functions."""
    prof = cProfile.Profile()
    prof.enable()
    b.driver.run(cases)
    prof.disable()
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    areas: Counter[str] = Counter()
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in raw.items():
        areas[area_of(filename, name)] += tt
    lines = ["  own time by area:"]
    lines += [f"    {share / total:6.1%}  {label}" for label, share in areas.most_common()]
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    lines.append("  top by cumulative time:")
    body = out.getvalue().split("ncalls", 1)[-1].splitlines()[1:]
    lines += [f"    {line.strip()}" for line in body if line.strip()]
    return "\n".join(lines)


# -- the peers --------------------------------------------------------------------------


def spiff_python() -> Path | None:
    """The peer's interpreter, its virtual environment created when absent."""
    python = SPIFF_VENV / "bin" / "python"
    if python.exists():
        return python
    try:
        subprocess.run([sys.executable, "-m", "venv", str(SPIFF_VENV)], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", SPIFF_VERSION],
                       check=True, capture_output=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  SpiffWorkflow: could not create {SPIFF_VENV}: {exc}", file=sys.stderr)
        return None
    return python


def peer(python: Path | str, script: Path, cases: int) -> float:
    done = subprocess.run([str(python), str(script), str(cases)], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return float(json.loads(done.stdout.strip().splitlines()[-1])["steps_per_s"])


# -- the benchmark ---------------------------------------------------------------------------


@dataclass
class Figures:
    sqlite: list[float] = field(default_factory=list)
    postgres: list[float] = field(default_factory=list)
    spiff: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    per_step: dict[str, dict[str, float]] = field(default_factory=dict)
    statements: dict[str, float] = field(default_factory=dict)
    statement_kinds: dict[str, Counter[str]] = field(default_factory=dict)
    peak_mb: float = 0.0  # Python allocations during the instrumented run (tracemalloc)
    rss_mb: float = 0.0  # the process's peak resident set at the end
    profile: str = ""
    postgres_note: str = ""
    spiff_note: str = ""


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def measure(cases: int, rounds: int, pg_url: str | None, profile: bool = True) -> Figures:
    figures = Figures()
    python = spiff_python() if SPIFF.exists() else None
    if not SPIFF.exists():
        figures.spiff_note = "peer not found"
    elif python is None:
        figures.spiff_note = "peer's virtual environment could not be created"
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-tr-")))
        lite = sqlite_backend(folder / "sqlite")
        stack.callback(lite.close)
        pg: Backend | None = None
        if pg_url:
            try:
                url = stack.enter_context(postgres_database(pg_url))
                pg = backend("PostgreSQL", url, Place.make(folder / "pg"))
                stack.callback(pg.close)
            except Exception as exc:
                figures.postgres_note = f"skipped: {str(exc).splitlines()[0]}"
        else:
            figures.postgres_note = "skipped: no BANSO_TEST_POSTGRES_URL"
        # A warm-up case each (imports, template compilation, first connections).
        for b in (lite, pg):
            if b is not None:
                b.driver.run(1)
        per_step: dict[str, dict[str, list[float]]] = {"SQLite": defaultdict(list),
                                                      "PostgreSQL": defaultdict(list)}  # fmt: skip
        for _ in range(rounds):
            rate, taken = timed(lite, cases)
            figures.sqlite.append(rate)
            for name, secs in taken.seconds.items():
                per_step["SQLite"][name] += secs
            if pg is not None:
                rate, taken = timed(pg, cases)
                figures.postgres.append(rate)
                for name, secs in taken.seconds.items():
                    per_step["PostgreSQL"][name] += secs
            if python is not None:
                figures.spiff.append(peer(python, SPIFF, cases))
            if FLOOR.exists():
                figures.floor.append(peer(sys.executable, FLOOR, cases * 5))
        for name, steps in per_step.items():
            if steps:
                figures.per_step[name] = {k: statistics.median(v) * 1000 for k, v in steps.items()}
        small = max(2, cases // 10)
        for b in (lite, pg):
            if b is not None:
                per, kinds, peak = instrumented(b, small)
                figures.statements[b.name] = per
                figures.statement_kinds[b.name] = kinds
                figures.peak_mb = max(figures.peak_mb, peak)
        if profile:
            figures.profile = profiled(lite, small)
    figures.rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def results_of(f: Figures) -> list[dict[str, object]]:
    spiff, floor = median(f.spiff), median(f.floor)
    rows: list[dict[str, object]] = []
    for name, rates, need in (("SQLite", f.sqlite, SPIFF_TARGET), ("PostgreSQL", f.postgres,
                                                                   PG_TARGET)):  # fmt: skip
        rate = median(rates)
        target = f"≥ {need:g}× SpiffWorkflow" + (f" ({need * spiff:.0f})" if spiff else "")
        if rate is None:
            figure, ratio, ok = f.postgres_note or "skipped", "—", True
        elif spiff is None:
            figure, ratio, ok = f"{rate:.0f} steps/s", f.spiff_note or "peer not found", False
        else:
            figure, ratio = f"{rate:.0f} steps/s", f"{rate / spiff:.2f}× spiff"
            ok = rate >= need * spiff
        if rate is not None and name == "SQLite" and floor:
            ratio += f", {rate / floor:.0%} of floor"
        rows.append({"name": f"transitions, {name}", "figure": figure, "target": target,
                     "ratio": ratio, "ok": ok, "peak_mb": round(f.rss_mb, 1)})  # fmt: skip
    return rows


def results(quick: bool = False) -> list[dict[str, object]]:
    """The benchmark's rows for the runner's table (``bench/__main__.py``)."""
    cases, rounds = (20, 1) if quick else (120, 3)
    figures = measure(cases, rounds, os.environ.get("BANSO_TEST_POSTGRES_URL"), profile=False)
    return results_of(figures)


def report(f: Figures) -> None:
    spiff, floor = median(f.spiff), median(f.floor)
    print("transitions: steps/s (median of rounds)")
    for label, values in (("Banso, SQLite", f.sqlite), ("Banso, PostgreSQL", f.postgres),
                          ("SpiffWorkflow 3.2.0 (peer)", f.spiff),
                          ("raw sqlite3 floor", f.floor)):  # fmt: skip
        m = median(values)
        shown = (f"{m:8.1f}  (runs: {', '.join(f'{v:.0f}' for v in values)})" if m is not None
                 else "       —")  # fmt: skip
        print(f"  {label:28} {shown}")
    if f.postgres_note:
        print(f"  PostgreSQL: {f.postgres_note}")
    if f.spiff_note:
        print(f"  SpiffWorkflow: {f.spiff_note}")
    for row in results_of(f):
        mark = "ok" if row["ok"] else "MISSED"
        print(f"  {row['name']:24} {row['figure']:>14}  target {row['target']}  "
              f"{row['ratio']}  {mark}")
    if floor:
        print(f"  share of the floor: SQLite {(median(f.sqlite) or 0) / floor:.1%}")
    for name, per in f.statements.items():
        kinds = ", ".join(f"{k} {v}" for k, v in f.statement_kinds[name].most_common())
        print(f"  SQL statements per step, {name}: {per:.1f} (aim ≤ 6)  [{kinds}]")
    for name, ms in f.per_step.items():
        print(f"  ms per step, {name} (median): "
              + ", ".join(f"{k} {ms[k]:.1f}" for k in STEPS if k in ms))
    print(f"  memory: process peak RSS {f.rss_mb:.0f} MB; peak Python allocations during "
          f"an instrumented run {f.peak_mb:.1f} MB")
    if f.profile:
        print("  where the time goes (cProfile, SQLite):")
        print(f.profile)
    if spiff:
        print(f"  SpiffWorkflow at {spiff:.0f} steps/s: targets {SPIFF_TARGET * spiff:.0f} "
              f"(SQLite) and {PG_TARGET * spiff:.0f} (PostgreSQL)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_transitions")
    parser.add_argument("--cases", type=int, default=120, help="cases per round (12 steps each)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("BANSO_TEST_POSTGRES_URL"),
                        help="a PostgreSQL URL to create a scratch database beside")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="20 cases, one round")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    cases, rounds = (20, 1) if args.quick else (args.cases, args.rounds)
    total = 1 + cases * rounds + max(2, cases // 10) * 2
    if total > MAX_CASES:
        parser.error(f"{total} cases in all is more than the year's dispatch quota allows "
                     f"({MAX_CASES}); fewer --cases or --rounds")  # fmt: skip
    report(measure(cases, rounds, args.pg, profile=not args.no_profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
