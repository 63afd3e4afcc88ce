"""How results are shown: JSON for machines, sentences and tables for people."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from banso.admin.i18n import _, japanese
from banso.engine.clock import show
from banso.engine.runner import Outcome

if TYPE_CHECKING:
    pass
from banso.admin.cli import State

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """``--json`` after the command as well as before it."""

    def _set(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            from banso.admin.cli import State

            state = ctx.find_object(State)
            if state is not None:
                state.json = True

    return click.option(
        "--json",
        "json_flag",
        is_flag=True,
        expose_value=False,
        callback=_set,
        help="Print machine-readable JSON on stdout.",
    )(func)


def emit(state: State, data: Any, text: str) -> None:
    """One result: JSON for machines or a sentence/table for people."""
    if state.json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


def state_text(state: State, kind: str, name: str | None) -> str:
    if name is None:
        return "—"
    definition = state.services.runner.definitions.get(kind)
    if definition is None or name not in definition.states:
        return name
    if japanese():
        return definition.label_of(name)
    return f"{name}（{definition.label_of(name)}）"


def outcome_line(state: State, outcome: Outcome) -> str:
    from banso.admin.refusals import command

    view = outcome.record
    trigger = command(view.kind, outcome.event.trigger)
    if japanese():
        return _outcome_ja(state, outcome)
    if outcome.from_state is None:
        return (
            f"{view.kind} {view.id} created: {state_text(state, view.kind, view.state)} "
            f"(version {view.version})"
        )
    if outcome.from_state == outcome.to_state:
        return (
            f"{view.kind} {view.id}: {trigger} recorded, still "
            f"{state_text(state, view.kind, view.state)} (version {view.version})"
        )
    return (
        f"{view.kind} {view.id}: {state_text(state, view.kind, outcome.from_state)} → "
        f"{state_text(state, view.kind, outcome.to_state)} (version {view.version})"
    )


def _outcome_ja(state: State, outcome: Outcome) -> str:
    from banso.admin.refusals_ja import kind_label, trigger_label

    view = outcome.record
    record = f"{kind_label(view.kind)}{view.id}"
    label = trigger_label(view.kind, outcome.event.trigger) or outcome.event.trigger
    if outcome.from_state is None:
        return f"{record}を登録しました（{state_text(state, view.kind, view.state)}）。"
    if outcome.from_state == outcome.to_state:
        return (
            f"{record}：「{label}」を記録しました"
            f"（{state_text(state, view.kind, view.state)}のまま）。"
        )
    return (
        f"{record}：「{label}」により{state_text(state, view.kind, outcome.from_state)}から"
        f"{state_text(state, view.kind, outcome.to_state)}になりました。"
    )


def report(state: State, outcome: Outcome) -> None:
    """What a transition did, as a record (``--json``) or one line."""
    from banso.services.views import record_json

    emit(state, record_json(state.services, outcome.record), outcome_line(state, outcome))
    for note in outcome.notes:
        # On stderr, so that --json output stays one document.
        click.echo(_("banso: note: {note}").format(note=_(note)), err=True)


def width(text: str) -> int:
    """Columns on a terminal: East Asian wide characters take two."""
    if text.isascii():  # most cells (ids, dates, e-mail addresses): one column a character
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A table aligned for Japanese text: drawn by rich when a person reads stdout
    on a terminal, plain columns (no colour, no rules) for pipes, files and tests."""
    if _terminal():
        return rich_table(rows, headers)
    return plain_table(rows, headers)


def _terminal() -> bool:
    import sys

    return sys.stdout.isatty()


def rich_table(rows: list[list[str]], headers: list[str], columns: int | None = None) -> str:
    """The table as rich draws it (display widths, so 全角 columns line up), as text
    for ``emit``; rich is imported only here, when a terminal shows it."""
    import io
    import shutil

    from rich import box
    from rich.console import Console
    from rich.table import Table

    drawn = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
    for header in headers:
        drawn.add_column(header, overflow="fold")
    for row in rows:
        drawn.add_row(*row)
    out = io.StringIO()
    width = columns or shutil.get_terminal_size().columns
    console = Console(file=out, width=width, force_terminal=columns is None, highlight=False)
    console.print(drawn)
    return out.getvalue().rstrip("\n")


def plain_table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain text table aligned for Japanese text."""
    every = [headers, *rows]
    # Each cell's width once (a calendar's week is thousands of cells).
    widths = [[width(c) for c in r] for r in every]
    cols = [max(w[i] for w in widths) for i in range(len(headers))]

    def line(cells: list[str], used: list[int]) -> str:
        return "  ".join(
            c + " " * (w - u) for c, u, w in zip(cells, used, cols, strict=True)
        ).rstrip()

    return "\n".join(line(r, w) for r, w in zip(every, widths, strict=True))


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    if japanese():
        from banso.workflows.display import moment_ja

        return moment_ja(value)
    return show(value)


def role_text(role: str) -> str:
    """県 / プロジェクト責任者 … in Japanese; the code in English."""
    from banso.workflows.roles import role_label

    return role_label(role) if japanese() else role


def mode_text(mode: str) -> str:
    """訪問 / WEB会議 in Japanese; the code in English."""
    from banso.workflows.labels import MODE_LABELS

    return MODE_LABELS.get(mode, mode) if japanese() else mode


def day(value: date | None) -> str:
    """A date in 和暦 (Japanese) or ISO (English)."""
    if value is None:
        return "—"
    if japanese():
        from banso.workflows.display import date_ja

        return date_ja(value)
    return value.isoformat()
