"""Commands feel instant: ``python -m bench.bench_commands [--folder DIR]``.

On a database of 50,000 engagements, 500,000 dispatches and 1,000,000 deadlines
(bench.bigdb, built in a temporary folder unless ``--folder`` names one built
before), times as subprocesses, interleaved, median of ``--runs`` (≥ 10):

- ``python -c "import sqlalchemy.orm"`` — the baseline, same interpreter, same run;
- ``banso --help``                           — target ≤ 0.5× the baseline;
- ``banso engagement show ID``               — target ≤ 1.3×;
- ``banso engagement start ID`` on an engagement ready to start (a fresh one per run);
- ``banso calendar --from … --to …``         — one week; target ≤ 1.3×.

Peak memory: the largest peak RSS of any of those subprocesses (getrusage of
the children). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bigdb import LEAD, BigDb, build
from bench.common import Row, row

NOW = "2026-04-20T10:00+09:00"  # a Monday after the ready engagements' plans were approved
WEEK = ("2026-04-20", "2026-04-26")
BANSO = str(Path(sys.executable).with_name("banso"))
HELP_TARGET, COMMAND_TARGET = 0.5, 1.3


def _env(db: BigDb) -> dict[str, str]:
    """The commands' environment. Bytecode caching on, as for an installed banso
    (pip compiles it at install time): with PYTHONDONTWRITEBYTECODE, as this
    machine's shells have it, every command would compile banso's ~200 modules
    from source again. The cache goes to a folder of the run (PYTHONPYCACHEPREFIX),
    for the baseline as for banso; the untimed first round fills it."""
    skip = ("BANSO_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    cache = str(db.folder / "pycache")
    return {**clean, **db.environ(NOW), "BANSO_USER": LEAD, "PYTHONPYCACHEPREFIX": cache}


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} → {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def measure(db: BigDb, runs: int) -> dict[str, float]:
    """Median seconds of each command, interleaved so that load on the machine
    falls on all of them alike."""
    env = _env(db)
    base = ["--db", db.url, "--config", str(db.config)]
    ready = db.ready
    if len(ready) < runs + 1:
        raise RuntimeError(f"{len(ready)} ready engagements for {runs} runs (+1 warm-up)")
    shown = str(ready[0])
    commands: dict[str, list[str] | None] = {
        "import sqlalchemy.orm": [sys.executable, "-c", "import sqlalchemy.orm"],
        "banso --help": [BANSO, "--help"],
        "engagement show": [BANSO, *base, "engagement", "show", shown],
        "engagement start": None,  # a fresh ready engagement each run
        "calendar (one week)": [BANSO, *base, "calendar", "--from", WEEK[0], "--to", WEEK[1]],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs + 1):  # run 0 warms the page cache and .pyc files
        for name, argv in commands.items():
            if argv is None:
                argv = [BANSO, *base, "engagement", "start", str(ready[run])]
            took = timed(argv, env)
            if run:
                times[name].append(took)
    return {name: statistics.median(found) for name, found in times.items()}


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def results(quick: bool = False) -> list[Row]:
    """The table's rows; ``quick``: a tiny database and 2 runs (a smoke test)."""
    runs = 2 if quick else 10
    scale = 100 if quick else 1
    with tempfile.TemporaryDirectory(prefix="banso-bigdb-") as folder:
        db = build(
            Path(folder),
            engagements=50_000 // scale,
            dispatches=500_000 // scale,
            deadlines=1_000_000 // scale,
            ready=runs + 1,
        )
        return rows(measure(db, runs), runs, children_peak_mb(), quick)


def rows(medians: dict[str, float], runs: int, peak: float, quick: bool) -> list[Row]:
    base = medians["import sqlalchemy.orm"]
    size = "1/100 scale" if quick else "50k/500k/1M"
    out: list[Row] = []
    for name, seconds in medians.items():
        if name == "import sqlalchemy.orm":
            continue
        target = HELP_TARGET if name == "banso --help" else COMMAND_TARGET
        ratio = seconds / base
        out.append(
            row(
                f"{name} ({size})",
                f"{seconds * 1000:.0f} ms (median of {runs}; "
                f"import sqlalchemy.orm {base * 1000:.0f} ms)",
                f"≤ {target}× import sqlalchemy.orm",
                ratio,
                ratio <= target,
                peak,
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--folder", type=Path, help="a database built by bench.bigdb (measured on a copy)"
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    if args.folder is None:
        found = results()
    else:
        # On a copy: `start` uses up the ready engagements.
        with tempfile.TemporaryDirectory(prefix="banso-bigdb-") as folder:
            shutil.copytree(args.folder, folder, dirs_exist_ok=True)
            db = BigDb(Path(folder))
            found = rows(measure(db, args.runs), args.runs, children_peak_mb(), False)
    for r in found:
        print(f"{r['name']:<40} {r['figure']:<50} {r['ratio']:>7} (target {r['target']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
