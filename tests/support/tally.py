"""What the slow suites did, counted as they run, for one summary line at the end.

Each slow suite adds its figures here (``count("races", n)``); the root
conftest prints them once the run ends (``pytest_terminal_summary``):

    slow suites: faults 2,200 cases, races 42 bursts, concurrency 3,200 commands, …

Only the figures of tests that ran are printed; a run with none prints nothing.
"""

from __future__ import annotations

from collections import Counter

# figure → the words after its number, in the order of the line.
UNITS: dict[str, str] = {
    "faults": "cases",
    "surveys": "malformed",
    "races": "bursts",
    "concurrency": "commands",
    "kills": "runs",
    "soak": "days",
    "messages": "delivered once",
    "records": "checked",
}

FIGURES: Counter[str] = Counter()


def count(figure: str, n: int = 1) -> None:
    """Add ``n`` to ``figure`` (one of ``UNITS``)."""
    if figure not in UNITS:
        raise KeyError(f"unknown figure {figure!r}; known: {', '.join(UNITS)}")
    FIGURES[figure] += n


def summary() -> str | None:
    """``slow suites: faults 1,100 cases, races 36 bursts, …`` or None if nothing counted."""
    parts = [f"{name} {FIGURES[name]:,} {unit}" for name, unit in UNITS.items() if FIGURES[name]]
    return "slow suites: " + ", ".join(parts) if parts else None
