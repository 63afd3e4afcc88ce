"""Setting up: `banso init` (schema, programme calendar, sample master data) and `banso demo`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import click

from banso.admin.cli import State, pass_state
from banso.admin.output import emit, json_option
from banso.admin.samples import SAMPLES
from banso.engine.errors import NotFound
from banso.services.programme import OrgRow, ThemeRow, configure, load_master_data

if TYPE_CHECKING:
    from banso.documents.survey import SurveyRow
    from banso.services.engagements import SurveyVocabulary


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
@click.option(
    "--kickoff",
    metavar="D",
    help="Kickoff meeting date. Until it is given (or the kickoff meeting scheduled), "
    "the implementation plan and the roster are due provisionally 20 business days "
    "into the contract. Changing it or the contract dates moves the open deadlines.",
)
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
        text += "".join(f"\n  {c}" for c in changes if c.startswith("moved: "))
    data = {"database": url, "before": before, "after": after, "changed": changed, "added": changes}
    emit(state, data, text)


@click.command()
@click.option(
    "--dir",
    "folder",
    default="var/demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo database (and its mail folder) is (re)created.",
)
def demo(folder: Path) -> None:
    """Run a scripted year of the programme on the embedded default (SQLite), step by step.

    Creates a fresh database in --dir, loads the Okayama sample, and walks
    engagements, dispatches, consultations, deliverables and meetings through
    the real use cases, each at its own time, including refusals that show the
    rules at work (the scenario is data: banso.services.demo).

    \b
    Example:
      banso demo --dir /tmp/banso-demo
    """
    from banso.admin.bootstrap import Bootstrap
    from banso.admin.refusals import describe
    from banso.admin.settings import load_settings
    from banso.documents.survey import read_survey
    from banso.services import demo as year
    from banso.storage.migrate import upgrade

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "banso.db"
    for leftover in folder.glob("banso.db*"):
        leftover.unlink()
    url = f"sqlite:///{db}"
    settings = load_settings(
        environ={}, database_url=url, now=year.INIT_AT, mail_url=f"file://{folder}/mail"
    )
    survey_path = SAMPLES / year.SAMPLE / "survey.csv"

    def read(known: SurveyVocabulary) -> list[SurveyRow]:
        return read_survey(
            survey_path, orgs=known.orgs, themes=known.themes, contract_months=known.contract_months
        )

    def say(text: str) -> None:
        click.secho(text, bold=text.startswith("\n# "))

    boot = Bootstrap(settings)
    try:
        say(f"\n# {year.INIT_TITLE}")
        _, schema = upgrade(boot.open_engine(initialising=True))
        changes = configure(boot.services, {**settings.programme, **year.PROGRAMME}, "banso demo")
        changes += load_master_data(boot.services, *read_sample(year.SAMPLE))
        say(f"[{year.INIT_AT[:16].replace('T', ' ')}] init: {url}: initialised (schema {schema});"
            f" {len(changes)} item(s) of programme data added or updated")  # fmt: skip
        steps = year.okayama_year(year.SurveyFile(survey_path.name, read))
        summary = year.run_demo(year.pinned(boot.services), steps, say, describe)
    finally:
        boot.close()
    say(
        f"\nDemo finished: {summary.steps} step(s), {summary.refused} refused as intended."
        f" The database is {db}; explore it with e.g."
        f" `.venv/bin/banso --db {url} engagement list`."
    )
