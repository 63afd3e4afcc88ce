"""The benchmark suite: ``python -m bench`` (or ``make bench``), one table at the end.

Each module (bench.bench_transitions, bench_commands, bench_sweep, bench_send,
bench_documents, bench_demo) runs in a process of its own, so that its peak
memory is its own and one module's state cannot speed up or slow down the next;
its ``results(quick)`` rows come back as JSON. Figures are printed, never
asserted: the table gives each figure beside its target, the ratio (the figure
over its target, or over a baseline measured in the same run; ≤ 1 meets it) and
the peak memory (budget 500 MB each).

    python -m bench                       # the whole suite (< 15 minutes here)
    python -m bench --quick               # a smoke run at a tiny scale
    python -m bench --only send,documents
    python -m bench --markdown            # the table as docs/performance.md has it
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import MEMORY_BUDGET_MB, Row

MODULES = ("transitions", "commands", "sweep", "send", "documents", "demo")
COLUMNS = ("figure", "target", "ratio", "peak MB", "ok")


def child(module: str, quick: bool, out: Path) -> None:
    """In the module's own process: its rows, as JSON, into ``out``."""
    loaded = importlib.import_module(f"bench.bench_{module}")
    rows = loaded.results(quick=quick)
    out.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def run_module(module: str, quick: bool) -> tuple[list[Row], str | None, float]:
    """The module's rows, or why there are none; and the seconds it took."""
    if importlib.util.find_spec(f"bench.bench_{module}") is None:
        return [], f"bench.bench_{module} is not there (not on this branch yet)", 0.0
    with tempfile.TemporaryDirectory(prefix="banso-bench-") as folder:
        out = Path(folder) / "rows.json"
        argv = [sys.executable, "-m", "bench", "--child", module, "--out", str(out)]
        start = time.perf_counter()
        # The module's own lines go to the terminal (stderr): stdout is the table's.
        done = subprocess.run([*argv, *(["--quick"] if quick else [])], stdout=sys.stderr)
        elapsed = time.perf_counter() - start
        if done.returncode != 0 or not out.exists():
            return [], f"bench.bench_{module} failed (exit {done.returncode}; see above)", elapsed
        rows: list[Row] = json.loads(out.read_text(encoding="utf-8"))
        return rows, None, elapsed


def cells(found: Row) -> list[str]:
    peak = float(str(found["peak_mb"]))
    ok = bool(found["ok"]) and peak <= MEMORY_BUDGET_MB
    verdict = "ok" if ok else ("MISSED" if found["ok"] is False else "MEMORY")
    return [str(found["name"]), str(found["figure"]), str(found["target"]),
            str(found["ratio"]), f"{peak:.0f}", verdict]  # fmt: skip


def table(rows: list[Row], notes: list[str], markdown: bool) -> str:
    head = ["benchmark", *COLUMNS]
    body = [cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in body]
        lines += [f"\n{note}" for note in notes]
        return "\n".join(lines)
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)), rule]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in body]
    return "\n".join([*lines, *notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run at a tiny scale")
    parser.add_argument("--only", metavar="A,B", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.quick, args.out)
        return 0
    chosen = MODULES if not args.only else tuple(args.only.split(","))
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(MODULES)})")
    rows: list[Row] = []
    notes: list[str] = []
    failed = False
    start = time.perf_counter()
    for module in chosen:
        print(f"== bench.bench_{module}{' (quick)' if args.quick else ''}", file=sys.stderr)
        found, problem, took = run_module(module, args.quick)
        rows += found
        if problem is not None:
            notes.append(f"{module}: {problem}")
            failed = failed or took > 0
        print(f"== bench.bench_{module}: {took:.0f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - start
    notes.append(
        f"suite: {total / 60:.1f} min{' (quick)' if args.quick else ''}; ratio = figure / target "
        f"(or / the baseline of the same run), ≤ 1 meets it; peak MB: the measuring "
        f"process's peak RSS (or its largest child's), budget {MEMORY_BUDGET_MB:.0f} MB"
    )
    print(table(rows, notes, args.markdown), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
