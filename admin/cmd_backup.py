"""`banso backup FILE` and `banso restore FILE` (SQLite; PostgreSQL: pg_dump)."""

from __future__ import annotations

from pathlib import Path

import click

from banso.admin.cli import State, pass_state
from banso.admin.i18n import _
from banso.admin.output import emit, json_option


@click.command()
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_state
def backup(state: State, file: Path) -> None:
    """Copy the SQLite database to FILE (a new file) while Banso keeps running.

    Uses SQLite's online backup API; the copy is checked before it is kept.
    On PostgreSQL use pg_dump (docs/operations.md).

    \b
    Example:
      banso backup var/backups/banso-2026-10-01.db
    """
    from banso.storage.backup import backup as copy

    done = copy(state.settings.database_url, file)
    emit(
        state,
        {"source": str(done.source), "backup": str(done.target), "schema": done.schema},
        _("backed up {source} to {target} (schema {schema}, {pages} pages)").format(
            source=done.source, target=done.target, schema=done.schema, pages=done.pages
        ),
    )


@click.command()
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_state
def restore(state: State, file: Path) -> None:
    """Restore a backup FILE into the empty database given by --db.

    Refuses a database that already holds tables. Run `banso init` afterwards
    if this Banso's schema is newer than the backup's.

    \b
    Example:
      banso --db sqlite:///var/restored.db restore var/backups/banso-2026-10-01.db
    """
    from banso.storage.backup import restore as copy

    done = copy(state.settings.database_url, file)
    emit(
        state,
        {"backup": str(done.source), "database": str(done.target), "schema": done.schema},
        _("restored {source} into {target} (schema {schema})").format(
            source=done.source, target=done.target, schema=done.schema
        ),
    )
