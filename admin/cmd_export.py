"""`banso export`: the lists people open in Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from banso.admin.cli import State, pass_state
from banso.admin.i18n import _
from banso.admin.output import emit, json_option
from banso.admin.progress import progress_bar
from banso.admin.types import DATE
from banso.engine.errors import InvalidValue
from banso.services.exports import KINDS, TITLES

FORMATS = ("xlsx", "csv")
ENCODINGS = ("utf-8-sig", "cp932")
DATE_STYLES = ("wareki", "iso")


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--from", "start", type=DATE, metavar="D", help="First day (inclusive).")
@click.option("--to", "end", type=DATE, metavar="D", help="Last day (inclusive).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="xlsx or csv (default: from --out's suffix, else xlsx).",
)
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="utf-8-sig",
    show_default=True,
    help="CSV only: UTF-8 with a BOM (Excel reads it) or Shift_JIS (CP932).",
)
@click.option(
    "--dates",
    type=click.Choice(DATE_STYLES),
    default="wareki",
    show_default=True,
    help="Dates in 和暦 (令和8年6月3日) or ISO (2026-06-03).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), metavar="FILE", help="Default: 案件一覧.xlsx …"
)
@json_option
@pass_state
def export(
    state: State,
    kind: str,
    start: date | None,
    end: date | None,
    fmt: str | None,
    encoding: str,
    dates: str,
    out: Path | None,
) -> None:
    """Write a list for Excel: engagements (案件一覧), dispatches (派遣実績一覧),
    consultations (相談対応一覧), deadlines (期限一覧) or audit (監査ログ), with
    Japanese headers. A consultant's export holds only their own records.

    \b
    Examples:
      banso export engagements
      banso export dispatches --from 2026-04-01 --to 2026-09-30 --format csv --encoding cp932
    """
    from banso.documents.export import write
    from banso.services.exports import export as export_uc

    if start and end and end < start:
        raise InvalidValue("--to", end.isoformat(), "a day on or after --from")
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    chosen = fmt or (suffix if suffix in FORMATS else "xlsx")
    if out is not None and suffix in FORMATS and suffix != chosen:
        raise InvalidValue(
            "--out", str(out), _("a file name ending in .{suffix}").format(suffix=chosen)
        )
    path = out if out is not None else Path(f"{TITLES[kind]}.{chosen}")
    data = export_uc(state.services, state.user, kind, start, end)
    with progress_bar(len(data.rows) + 1, _("Writing {file}").format(file=path.name)) as step:
        size = write(data, path, fmt=chosen, encoding=encoding, dates=dates, progress=step)
    emit(
        state,
        {"kind": kind, "file": str(path), "rows": len(data.rows), "bytes": size, "format": chosen},
        _("{title}: {rows} row(s) written to {file}").format(
            title=data.title, rows=len(data.rows), file=path
        ),
    )
