"""The `banso` command.

Kept light at import time: `banso --help` and the small admin commands must not
pull in the document renderers or the scheduler, so heavy imports live inside
the commands that need them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from admin.settings import Settings, load_settings
from engine.errors import BansoError

if TYPE_CHECKING:
    from admin.app import App

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """What the global options collected; the app is built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            from admin.wiring import build_app

            self._app = build_app(self.settings)
        return self._app

    @property
    def json(self) -> bool:
        return self.settings.json


def json_option(func: F) -> F:
    """``--json`` after the command as well as before it."""

    def _set(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            state = ctx.find_object(State)
            if state is not None:
                from dataclasses import replace

                state.settings = replace(state.settings, json=True)

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


pass_state = click.make_pass_decorator(State)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="URL", help="Database URL (BANSO_DATABASE_URL). Default sqlite:///banso.db.")
@click.option("--config", metavar="PATH", help="Settings file (BANSO_CONFIG). Default ./banso.toml if present.")
@click.option("--as", "user", metavar="EMAIL", help="Who is acting (BANSO_USER); their role decides what they may do.")
@click.option("--json", "json_out", is_flag=True, default=None, help="Machine-readable JSON on stdout.")
@click.version_option(package_name="banso")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, config: str | None, user: str | None, json_out: bool | None
) -> None:
    """Banso runs the Okayama DX accompaniment-support programme (伴走支援).

    \b
    Examples:
      banso init --db sqlite:///banso.db
      banso history engagement 12
      BANSO_NOW=2026-10-09T09:00+09:00 banso daemon --once
    """
    settings = load_settings(config=config, database_url=db, user=user, json=json_out)
    from admin.logs import configure_logging

    configure_logging(settings.log_format)
    ctx.obj = State(settings)


@cli.command()
@json_option
@pass_state
def init(state: State) -> None:
    """Create or upgrade the database schema; running it again changes nothing.

    \b
    Example:
      banso init --db postgresql://banso@127.0.0.1:5432/banso
    """
    from storage.migrate import upgrade

    engine = state.app.open_engine(initialising=True)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    changed = before != after
    if not changed:
        text = f"{url}: up to date (schema {after})"
    elif before is None:
        text = f"{url}: initialised (schema {after})"
    else:
        text = f"{url}: upgraded from schema {before} to {after}"
    emit(state, {"database": url, "before": before, "after": after, "changed": changed}, text)


@cli.command()
@click.argument("kind")
@click.argument("record_id", metavar="ID", type=int)
@json_option
@pass_state
def history(state: State, kind: str, record_id: int) -> None:
    """Every transition of one record: when, who, from, to, why.

    \b
    Example:
      banso history engagement 12
    """
    from admin.history import show_history

    show_history(state, kind, record_id)


@cli.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
@json_option
@pass_state
def audit_verify(state: State) -> None:
    """Check the audit hash chain; exit 1 names the first broken event.

    \b
    Example:
      banso audit verify
    """
    from admin.history import verify_audit

    verify_audit(state)


@cli.command()
@pass_state
def demo(state: State) -> None:
    """Run the whole programme on the embedded default (see README)."""
    click.echo("banso demo: not built yet — the workflows and the demo arrive with later issues.")


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps Banso's errors to exit codes (1 refused, 2 bad input)."""
    try:
        cli.main(args=argv, prog_name="banso", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("banso: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BansoError as exc:
        click.echo(f"banso: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(0)
