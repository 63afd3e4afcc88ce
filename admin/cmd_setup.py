"""Setting up: `banso init` (schema, programme calendar, sample master data) and `banso demo`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from banso.admin.cli import State, pass_state
from banso.admin.decisions import on_behalf_from, on_behalf_options
from banso.admin.i18n import _
from banso.admin.output import emit, json_option
from banso.admin.samples import SAMPLES
from banso.engine.errors import NotFound
from banso.services.programme import (
    OrgRow,
    ThemeRow,
    configure,
    ignored_settings,
    load_master_data,
)

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

    Dates and quotas come from [programme] in banso.toml, then these flags, on a
    new database only: on an existing one init upgrades the schema and adds what is
    missing, and says which given values it left alone (the prefecture changes them
    with `banso programme set` and `banso budget set`, audited).

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
    key_created = state.boot.create_audit_key()
    before, after = upgrade(engine)
    ignored = ignored_settings(state.services, table)
    changes = configure(state.services, table, where)
    if master is not None:
        changes += load_master_data(state.services, *master)
    url = engine.url.render_as_string(hide_password=True)
    changed = before != after or bool(changes)
    if before is None:
        text = _("{url}: initialised (schema {after})").format(url=url, after=after)
    elif before != after:
        text = _("{url}: upgraded from schema {before} to {after}").format(
            url=url, before=before, after=after
        )
    else:
        text = _("{url}: up to date (schema {after})").format(url=url, after=after)
    if changes:
        text += _("; {count} item(s) of programme data added or updated").format(
            count=len(changes)
        )
    text += "".join(
        "\n  " + _("moved: {line}").format(line=c.removeprefix("moved: "))
        for c in changes
        if c.startswith("moved: ")
    )
    if ignored:
        text += _(
            "; init changes nothing on an existing database: {names} left as stored "
            "(the prefecture changes them with `banso programme set` or `banso budget set`)"
        ).format(names=", ".join(ignored))
    if key_created:
        text += _("; audit key written to {path} (owner only; keep a copy)").format(
            path=state.boot.audit_key_path
        )
    data = {"database": url, "before": before, "after": after, "changed": changed,
            "added": changes, "ignored": ignored,
            "audit_key_file": str(state.boot.audit_key_path)}  # fmt: skip
    emit(state, data, text)


# Written beside the demo's database: only a database with it may be replaced.
DEMO_MARKER = ".banso-demo"


@click.command()
@click.option(
    "--dir",
    "folder",
    default="var/demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo database (and its mail folder) is (re)created.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a banso.db in --dir that an earlier demo did not create.",
)
def demo(folder: Path, force: bool) -> None:
    """Run a scripted year of the programme on the embedded default (SQLite), step by step.

    Creates a fresh database in --dir, loads the Okayama sample, and walks
    engagements, dispatches, consultations, deliverables and meetings through
    the real use cases, each at its own time, including refusals that show the
    rules at work (the scenario is data: banso.services.demo).

    \b
    Example:
      banso demo --dir /tmp/banso-demo

    A database in --dir that no earlier demo created (no .banso-demo marker
    beside it) is never touched, unless --force.
    """
    from banso.admin.bootstrap import Bootstrap, _os_account
    from banso.admin.refusals import describe
    from banso.admin.settings import load_settings
    from banso.documents.survey import read_survey
    from banso.engine.errors import Refused
    from banso.services import demo as year
    from banso.storage.migrate import upgrade

    db = folder / "banso.db"
    marker = folder / DEMO_MARKER
    leftovers = sorted(folder.glob("banso.db*")) if folder.is_dir() else []
    if leftovers and not marker.is_file() and not force:
        raise Refused(
            _(
                "{db} was not created by `banso demo` (no {marker}); it is left as it is: "
                "choose another --dir, or pass --force to replace it"
            ).format(db=db, marker=marker)
        )
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in leftovers:
        leftover.unlink()
    marker.write_text("banso demo: the database beside this file is the demo's own\n")
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
        engine = boot.open_engine(initialising=True)
        boot.create_audit_key()
        _before, schema = upgrade(engine)
        changes = configure(boot.services, {**settings.programme, **year.PROGRAMME}, "banso demo")
        changes += load_master_data(boot.services, *read_sample(year.SAMPLE))
        say(f"[{year.INIT_AT[:16].replace('T', ' ')}] init: {url}: initialised (schema {schema});"
            f" {len(changes)} item(s) of programme data added or updated")  # fmt: skip
        steps = year.okayama_year(year.SurveyFile(survey_path.name, read))
        summary = year.run_demo(year.pinned(boot.services), steps, say, describe)
        # The demo's steps act as their people (it trusts its own script); the account
        # running it is bound to its lead, so the database can be explored as the lead.
        from banso.services.identity import OS, Login, bind_account

        account = bind_account(boot.services.uow, Login(OS, _os_account(), None), year.LEAD)
    finally:
        boot.close()
    say(
        f"\nDemo finished: {summary.steps} step(s), {summary.refused} refused as intended."
        f" The database is {db}; your account {account} is bound to the lead {year.LEAD},"
        f" so explore it with e.g. `.venv/bin/banso --db {url} engagement list`."
    )


@click.group()
def programme() -> None:
    """The programme's stored settings: contract dates, the contractor, plan documents."""


@programme.command("set")
@click.option("--contract-start", metavar="D", help="Contract start, YYYY-MM-DD.")
@click.option("--contract-end", metavar="D", help="Contract end, YYYY-MM-DD.")
@click.option("--kickoff", metavar="D", help="Kickoff meeting date.")
@click.option("--contractor", metavar="NAME", help="The contractor's name.")
@click.option(
    "--support-plan-per", type=click.Choice(("organisation", "engagement")),
    help="支援計画書 one per organisation (a section per theme) or one per engagement.",
)  # fmt: skip
@on_behalf_options
@json_option
@pass_state
def programme_set(state: State, /, **values: Any) -> None:
    """Change the contract dates, the contractor or the plan documents: a decision of the
    prefecture (prefecture only, or the lead on its behalf), audited before and after.

    \b
    Examples:
      banso --as taro@pref.okayama.example.jp programme set --contract-end 2027-03-31
      banso --as lead@contractor.example.jp programme set --contractor 株式会社伴走デジタル \\
          --on-behalf-of taro@pref.okayama.example.jp --date 2026-04-02 --ref デジ第5号
    """
    from banso.services.programme import set_programme

    behalf = on_behalf_from(values)
    table = {k: v for k, v in values.items() if v is not None}
    if not table:
        raise click.UsageError(_("give at least one setting to change (see --help)"))
    changed = set_programme(state.services, state.user, table, on_behalf=behalf)
    moved: list[str] = list(changed.get("moved", []))
    settings = {k: v for k, v in changed.items() if k != "moved"}
    text = (
        _("programme settings: ") + "; ".join(
            f"{k} {v['before']} → {v['after']}" for k, v in settings.items()
        )
        if settings
        else _("programme settings: nothing to change")
    )  # fmt: skip
    text += "".join("\n  " + _("moved: {line}").format(line=line) for line in moved)
    emit(state, changed, text)
