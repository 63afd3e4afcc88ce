"""The benchmark suite's table keeps its shape (no timing is asserted: figures are
printed, never judged by a test on a shared machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import __main__ as suite
from bench.common import row

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"name", "figure", "target", "ratio", "ok", "peak_mb"}


def quick(only: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", only],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["benchmark", "figure", "target", "ratio", "peak", "MB", "ok"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1].startswith("suite:")
    return lines[2:-1]


def verdicts(lines: list[str]) -> list[str]:
    return [line.split()[-1] for line in lines if "  " in line]


def test_quick_run_prints_one_table_with_a_row_per_figure() -> None:
    # The fastest module at its smoke scale, in its own process as always; the
    # transition benchmark is another branch's: absent, it is a line of the table.
    lines = quick("send,transitions")
    assert lines[0].startswith("outbox to aiosmtpd, 100 mails ")
    assert verdicts(lines[:1])[0] in {"ok", "MISSED", "MEMORY"}
    if len(lines) > 1 and lines[1].startswith("transitions:"):
        assert "not there" in lines[1]


@pytest.mark.slow
def test_every_module_has_a_quick_run() -> None:
    lines = quick(",".join(m for m in suite.MODULES if m != "transitions"))
    names = [line.split(",")[0].split(" (")[0] for line in lines if "  " in line]
    assert any(n.startswith("banso --help") for n in names)
    assert any(n.startswith("sweep SQLite") for n in names)
    assert any(n.startswith("monthly report .pdf") for n in names)
    assert any(n.startswith("banso demo") for n in names)


def test_a_module_that_is_not_there_is_a_line_not_a_failure() -> None:
    rows, problem, took = suite.run_module("no_such_module", quick=True)
    assert rows == [] and took == 0.0
    assert problem is not None and "not there" in problem


def test_rows_have_the_interface_every_module_returns() -> None:
    found = row("x", "1 s", "≤ 2 s", 0.5, True, 12.34)
    assert set(found) == KEYS
    assert found["ratio"] == "0.50×" and found["peak_mb"] == 12.3
    text = suite.table([found, {**found, "ok": False}, {**found, "peak_mb": 501.0}], [], False)
    assert [line.split()[-1] for line in text.splitlines()[2:]] == ["ok", "MISSED", "MEMORY"]
    markdown = suite.table([found], ["note"], True)
    assert markdown.splitlines()[0].startswith("| benchmark | figure |")
