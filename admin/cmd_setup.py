"""Setting up: `banso init` (schema, programme calendar, sample master data) and `banso demo`."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from banso.admin.cli import State, pass_state
from banso.admin.output import emit, json_option
from banso.admin.samples import SAMPLES
from banso.engine.errors import NotFound
from banso.services.programme import OrgRow, ThemeRow, configure, load_master_data


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def read_sample(name: str) -> tuple[list[OrgRow], list[ThemeRow]]:
    """A sample's organisations and themes, as shipped in ``admin/samples/NAME``."""
    folder = SAMPLES / name
    if not folder.is_dir():
        available = ", ".join(sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
        raise NotFound("sample", name, f"available: {available}")
    orgs = [OrgRow(r["code"], r["name"], r["kind"]) for r in _rows(folder / "organisations.csv")]
    themes = [
        ThemeRow(
            r["code"],
            r["name"],
            r["standardization"].lower() in ("yes", "true", "1"),
            r["parent"] or None,
        )
        for r in _rows(folder / "themes.csv")
    ]
    return orgs, themes


@click.command()
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
    from banso.storage.migrate import upgrade
    from banso.workflows.programme import programme_config

    flags = {
        "contract_start": contract_start,
        "contract_end": contract_end,
        "kickoff": kickoff,
        "contractor": contractor,
    }
    table = {**state.settings.programme, **{k: v for k, v in flags.items() if v is not None}}
    where = "[programme] / init flags"
    programme_config(table, where)  # bad input: refuse before any change
    master = read_sample(sample) if sample else None
    engine = state.boot.open_engine(initialising=True)
    before, after = upgrade(engine)
    changes = configure(state.services, table, where)
    if master is not None:
        changes += load_master_data(state.services, *master)
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


@click.command()
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
