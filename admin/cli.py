"""The `banso` command.

Kept light at import time: `banso --help` and the small admin commands must not
pull in the document renderers or the scheduler, so heavy imports live inside
the commands that need them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from banso.admin.settings import Settings, load_settings
from banso.engine.errors import BansoError

if TYPE_CHECKING:
    from banso.admin.app import App

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """What the global options collected; the app is built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            from banso.admin.wiring import build_app

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
@click.option(
    "--db", metavar="URL", help="Database URL (BANSO_DATABASE_URL). Default sqlite:///banso.db."
)
@click.option(
    "--config",
    metavar="PATH",
    help="Settings file (BANSO_CONFIG). Default ./banso.toml if present.",
)
@click.option(
    "--as",
    "user",
    metavar="EMAIL",
    help="Who is acting (BANSO_USER); their role decides what they may do.",
)
@click.option(
    "--json", "json_out", is_flag=True, default=None, help="Machine-readable JSON on stdout."
)
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
    environ = ctx.obj if isinstance(ctx.obj, Mapping) else None
    settings = load_settings(
        config=config, environ=environ, database_url=db, user=user, json=json_out
    )
    from banso.admin.logs import configure_logging

    configure_logging(settings.log_format)
    ctx.obj = State(settings)


@cli.command()
@click.option(
    "--sample", metavar="NAME", help="Load sample master data (okayama: 38 organisations, themes)."
)
@click.option(
    "--contract-start", metavar="D", help="Contract start, YYYY-MM-DD (default 2026-04-01)."
)
@click.option("--contract-end", metavar="D", help="Contract end, YYYY-MM-DD (default 2027-03-31).")
@click.option("--kickoff", metavar="D", help="Kickoff meeting date (default: the contract start).")
@click.option("--contractor", metavar="NAME", help="The contractor's name, for mail signatures.")
@json_option
@pass_state
def init(
    state: State,
    sample: str | None,
    contract_start: str | None,
    contract_end: str | None,
    kickoff: str | None,
    contractor: str | None,
) -> None:
    """Create or upgrade the database and set the programme up; running it again changes nothing.

    Dates and quotas come from [programme] in banso.toml, then these flags.

    \b
    Examples:
      banso init --sample okayama
      banso init --db postgresql://banso@127.0.0.1:5432/banso --kickoff 2026-04-15
    """
    from banso.admin.programme import programme_config, setup_programme, stored_programme
    from banso.storage.migrate import upgrade

    flags = {
        "contract_start": contract_start,
        "contract_end": contract_end,
        "kickoff": kickoff,
        "contractor": contractor,
    }
    given = {k: v for k, v in flags.items() if v is not None}
    table = {**state.settings.programme, **given}
    programme_config(table, "[programme] / init flags")  # bad input: refuse before any change
    app = state.app
    engine = app.open_engine(initialising=True)
    before, after = upgrade(engine)
    app.engine = engine  # the checked, upgraded engine serves the rest of this command
    with app.uow() as uow:
        # What is already stored stays unless this run names it: `--kickoff` alone
        # must not put a changed contract end back to its default.
        config = programme_config({**stored_programme(uow), **table}, "[programme] / init flags")
        changes = setup_programme(uow, app.runner, app.effects, config, explicit=bool(table))
        if sample:
            from banso.admin.programme import load_sample

            changes += load_sample(uow, sample)
        uow.commit()
    engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    changed = before != after or bool(changes)
    if before is None:
        text = f"{url}: initialised (schema {after})"
    elif before != after:
        text = f"{url}: upgraded from schema {before} to {after}"
    else:
        text = f"{url}: up to date (schema {after})"
    if changes:
        text += f"; {len(changes)} item(s) of programme data added or updated"
    data = {"database": url, "before": before, "after": after, "changed": changed, "added": changes}
    emit(state, data, text)


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
    from banso.admin.history import show_history

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
    from banso.admin.history import verify_audit

    verify_audit(state)


@cli.command()
@click.option(
    "--dir",
    "folder",
    default="var/demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo database is (re)created.",
)
def demo(folder: Path) -> None:
    """Run a year of the programme on the embedded default (SQLite), as a transcript.

    Creates a fresh database in --dir, loads the Okayama sample, and walks
    engagements, dispatches, consultations, deliverables and meetings through
    the real commands, including refusals that show the rules at work.

    \b
    Example:
      banso demo --dir /tmp/banso-demo
    """
    from banso.admin.demo import run_demo

    run_demo(folder)


# The command groups register themselves on `cli` (imported here, after `cli` exists).
from banso.admin import cmd_master, cmd_ops, cmd_records, cmd_work  # noqa: E402, F401


def main(argv: list[str] | None = None, *, environ: Mapping[str, str] | None = None) -> None:
    """Entry point: maps Banso's errors to exit codes (1 refused, 2 bad input).

    ``environ`` stands in for ``os.environ`` (tests and embedding callers).
    """
    try:
        cli.main(args=argv, prog_name="banso", standalone_mode=False, obj=environ)
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
