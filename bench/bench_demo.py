"""The demo year: ``python -m bench.bench_demo``.

Runs ``banso demo --dir TMP`` as a subprocess, as a person would, and times it
(target ≤ 60 s); its peak memory is the child's peak RSS. Whatever the demo
does (banso.services.demo, the scenario) is what is timed. Bytecode caching is
on, in a folder of the run, as for an installed banso (see bench.bench_commands).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Row, peak_mb, row

BANSO = str(Path(sys.executable).with_name("banso"))
TARGET = 60.0  # seconds


def run_demo(folder: Path) -> tuple[float, int]:
    """Seconds the demo took and the lines it printed; an error if it failed."""
    skip = ("BANSO_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env |= {"BANSO_LANG": "ja", "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
    start = time.perf_counter()
    done = subprocess.run(
        [BANSO, "demo", "--dir", str(folder / "demo")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"banso demo → {done.returncode}: {done.stderr[-1000:]}")
    return elapsed, done.stdout.count("\n")


def results(quick: bool = False) -> list[Row]:
    """One row: the whole ``banso demo`` (there is no smaller demo: ``quick`` runs it too)."""
    with tempfile.TemporaryDirectory(prefix="banso-demo-") as folder:
        elapsed, lines = run_demo(Path(folder))
    return [
        row(
            "banso demo (the scripted year)",
            f"{elapsed:.1f} s ({lines:,} lines of output)",
            f"≤ {TARGET:.0f} s",
            elapsed / TARGET,
            elapsed <= TARGET,
            peak_mb(),
        )
    ]


if __name__ == "__main__":
    for found in results():
        print(found)
