"""A progress bar on long work when a person watches a terminal; nothing otherwise.

rich is imported only when a bar is shown, so scripts and pipes pay nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(
    total: int, label: str, *, story: bool = False
) -> Iterator[Callable[[int], None]]:
    """Yields ``step(done)``; draws a bar on stderr only on a terminal. ``story``: what
    is printed meanwhile on stdout scrolls above the bar (rich takes stdout while the
    bar is drawn, when stdout is the terminal too)."""
    if not interactive() or total < 2:
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=story and sys.stdout.isatty(),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)
