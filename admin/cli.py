"""The `banso` command: global options, a lazily loaded registry of command groups,
and the mapping of Banso's errors to exit codes.

Nothing here imports a command module, the database or the mail layer until a
command needs it, so `banso --help` stays quick and light.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from banso.admin import i18n
from banso.admin.i18n import _
from banso.admin.settings import Settings, load_settings
from banso.engine.errors import BansoError

if TYPE_CHECKING:
    from banso.admin.bootstrap import Bootstrap
    from banso.services.context import Services
    from banso.services.identity import Login, Viewer

# command name → the module that defines it (a click command or group of that name).
COMMANDS: dict[str, str] = {
    "init": "banso.admin.cmd_setup",
    "demo": "banso.admin.cmd_setup",
    "programme": "banso.admin.cmd_setup",
    "org": "banso.admin.cmd_master",
    "person": "banso.admin.cmd_master",
    "theme": "banso.admin.cmd_master",
    "subcontractor": "banso.admin.cmd_master",
    "survey": "banso.admin.cmd_work",
    "engagement": "banso.admin.cmd_work",
    "dispatch": "banso.admin.cmd_work",
    "work": "banso.admin.cmd_worklog",
    "consultation": "banso.admin.cmd_records",
    "deliverable": "banso.admin.cmd_records",
    "meeting": "banso.admin.cmd_records",
    "budget": "banso.admin.cmd_records",
    "forecast": "banso.admin.cmd_forecast",
    "calendar": "banso.admin.cmd_ops",
    "history": "banso.admin.cmd_ops",
    "audit": "banso.admin.cmd_ops",
    "outbox": "banso.admin.cmd_ops",
    "daemon": "banso.admin.cmd_ops",
    "export": "banso.admin.cmd_export",
    "backup": "banso.admin.cmd_backup",
    "restore": "banso.admin.cmd_backup",
    "permissions": "banso.admin.cmd_ops",
}


class State:
    """What the global options collected; the services are built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.json = settings.json
        self._boot: Bootstrap | None = None
        self._user: str | None = None
        self._authenticated = False
        self.viewer: Viewer | None = None

    @property
    def boot(self) -> Bootstrap:
        if self._boot is None:
            from banso.admin.bootstrap import Bootstrap

            self._boot = Bootstrap(self.settings)
        return self._boot

    @property
    def services(self) -> Services:
        return self.boot.services

    @property
    def login(self) -> Login:
        return self.boot.login

    @property
    def user(self) -> str | None:
        """The authenticated person's e-mail (identity modes: services.identity)."""
        if not self._authenticated:
            from banso.services.identity import authenticate

            with self.services.uow(readonly=True) as uow:
                self._user = authenticate(uow, self.login)
            self._authenticated = True
        return self._user

    def admit(self, command: str, params: Mapping[str, Any]) -> None:
        """Permissions first: before any rule, any read, any change; a consultant's
        command on a record that is not theirs is refused as an unknown id."""
        from banso.services.identity import admit, require_own
        from banso.workflows.permissions import permission

        if permission(command).open:
            return
        user = self.user
        with self.services.uow(readonly=True) as uow:
            self.viewer = admit(uow, user, command)
            if self.viewer is not None and self.viewer.own_only:
                kind = str(params.get("kind") or command.split()[0])
                for key, of in (("record_id", kind), ("engagement_id", "engagement")):
                    if params.get(key) is not None:
                        require_own(uow, self.viewer, of, int(params[key]))

    def close(self) -> None:
        if self._boot is not None:
            self._boot.close()


pass_state = click.make_pass_decorator(State)


class Registry(click.Group):
    """Loads a command's module only when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command = getattr(importlib.import_module(module), cmd_name.replace("-", "_"))
        assert isinstance(command, click.Command), f"{module}.{cmd_name} is not a command"
        _guard(command, cmd_name)
        from banso.admin.door import guard  # every value checked where it enters

        return guard(i18n.localize(command))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``banso --help`` from admin/command_help.py, each line
        made by click from the command's first help paragraph as the command would,
        without importing one command module (they load the services and SQLAlchemy)."""
        from banso.admin.command_help import FIRST_PARAGRAPHS

        listing = click.Group(
            commands={
                name: i18n.localize(click.Command(name, help=FIRST_PARAGRAPHS[name]))
                for name in self.list_commands(ctx)
            }
        )
        click.Group.format_commands(listing, ctx, formatter)


def _set_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        i18n.set_language(value)
        i18n.localize(ctx.command)


def _guard(command: click.Command, path: str) -> None:
    """Every command checks the permissions (workflows.permissions) before its body."""
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _guard(sub, f"{path} {name}")
        if not command.invoke_without_command:
            return
    callback = command.callback
    if callback is None or getattr(callback, "banso_guarded", False):
        return

    @functools.wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if not (isinstance(command, click.Group) and ctx.invoked_subcommand):
            state = ctx.find_object(State)
            if state is not None:
                state.admit(path, {**ctx.params, **kwargs})
        try:
            return callback(*args, **kwargs)
        except BansoError as exc:
            state = ctx.find_object(State)
            if state is not None and i18n.japanese():
                from banso.admin.refusals import name_record  # loaded on failure only

                name_record(state.services, exc)
            raise

    guarded.banso_guarded = True  # type: ignore[attr-defined]
    command.callback = guarded


@click.group(
    cls=Registry,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
    help="Who is acting (BANSO_USER): may only name the person your account is bound to "
    "(BANSO_IDENTITY: os, database; trust believes it, for the demo and tests).",
)
@click.option(
    "--json", "json_out", is_flag=True, default=None, help="Machine-readable JSON on stdout."
)
@click.option(
    "--lang",
    type=click.Choice(i18n.LANGUAGES),
    is_eager=True,
    expose_value=False,
    callback=_set_language,
    help="Language of messages and help: ja (default) or en (BANSO_LANG; LC_MESSAGES=en_* too).",
)
@click.version_option(package_name="banso", message="%(prog)s %(version)s")
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
    from banso.admin.logs import bind_command, configure_logging

    configure_logging(settings.log_format)
    bind_command(ctx.invoked_subcommand or "", settings.user)
    if _trusting(settings):
        from banso.services.identity import TRUST_NOTICE

        click.echo(i18n.tr(TRUST_NOTICE), err=True)
    state = State(settings)
    ctx.obj = state
    ctx.call_on_close(state.close)  # the engine is disposed when the command ends


def environ_of(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    import os

    return environ if environ is not None else os.environ


def _trusting(settings: Settings) -> bool:
    return settings.identity_mode == "trust"


def main(argv: list[str] | None = None, *, environ: Mapping[str, str] | None = None) -> None:
    """Entry point: maps Banso's errors to exit codes (1 refused, 2 bad input).

    ``environ`` stands in for ``os.environ`` (tests and embedding callers).
    """
    i18n.set_language(i18n.choose(argv if argv is not None else sys.argv[1:], environ_of(environ)))
    i18n.localize(cli)
    from banso.admin.door import guard
    from banso.workflows.validation import hide_passwords
    from banso.workflows.validation import one_line as _one_line

    def one_line(text: str) -> str:  # and never a password, whatever was mistyped
        return _one_line(hide_passwords(text))

    guard(cli)
    try:
        cli.main(args=argv, prog_name="banso", standalone_mode=False, obj=environ)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo(_("banso: aborted"), err=True)
        sys.exit(1)
    except click.UsageError as exc:
        # One line, like every other refusal: what, where, and where the help is.
        path = exc.ctx.command_path if exc.ctx is not None else "banso"
        where = path.partition(" ")[2]
        line = (
            _("banso: {where}: Error: {message} (see `{path} --help`)")
            if where
            else _("banso: Error: {message} (see `{path} --help`)")
        ).format(where=where, message=exc.format_message(), path=path)
        click.echo(one_line(line), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(one_line(_("banso: {message}").format(message=exc.format_message())), err=True)
        sys.exit(exc.exit_code)
    except BansoError as exc:
        from banso.admin.refusals import refusal_line  # the words of failure, loaded on failure

        click.echo(one_line(refusal_line(exc)), err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        from banso.admin.faults import translate  # storage and OS faults, worded on failure

        fault = translate(exc)
        if fault is None:
            raise
        click.echo(one_line(refusal_line_of(fault)), err=True)
        sys.exit(fault.exit_code)
    sys.exit(0)


def refusal_line_of(exc: BansoError) -> str:
    from banso.admin.refusals import refusal_line

    return refusal_line(exc)
