"""Setting up: `banso init` (schema, programme calendar, sample master data) and `banso demo`."""

from __future__ import annotations

import csv
import logging
from datetime import date, timedelta
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
    from banso.services.ports import DocumentFile, DocumentRenderer


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


# Written beside the demo's database: only a folder with it is the demo's own.
DEMO_MARKER = ".banso-demo"
# What a demo writes in its folder (and only these are ever removed by the next one).
DEMO_FILES = ("banso.db", "banso.db-journal", "banso.db-wal", "banso.db-shm",
              "banso.db.audit-key", DEMO_MARKER)  # fmt: skip
DEMO_FOLDERS = ("mail", "documents")


def demo_leftovers(folder: Path, force: bool) -> list[Path]:
    """What an earlier demo left in ``folder`` (to remove), refused in one line if the
    folder holds anything else, or a database no demo made (unless ``force``)."""
    from banso.engine.errors import Refused

    if not folder.exists():
        return []
    if not folder.is_dir():
        raise Refused(_("{dir} is not a folder: choose another --dir").format(dir=folder))
    found = sorted(folder.iterdir())
    ours = folder / DEMO_MARKER
    foreign = [p for p in found if p.name not in (*DEMO_FILES, *DEMO_FOLDERS)]
    # The mail and documents folders are the demo's own only beside its marker.
    if not ours.is_file():
        foreign += [p for p in found if p.name in DEMO_FOLDERS and any(p.iterdir())]
    else:
        foreign += [p for p in found if p.name in DEMO_FOLDERS and not p.is_dir()]
    if foreign:
        raise Refused(
            _("{dir} holds files `banso demo` did not write ({names}); nothing was touched: "
              "choose an empty or new --dir").format(
                dir=folder, names=", ".join(p.name for p in foreign[:3]))
        )  # fmt: skip
    databases = [p for p in found if p.name.startswith("banso.db")]
    if databases and not ours.is_file() and not force:
        raise Refused(
            _(
                "{db} was not created by `banso demo` (no {marker}); it is left as it is: "
                "choose another --dir, or pass --force to replace it"
            ).format(db=folder / "banso.db", marker=ours)
        )
    return found


def _remove(path: Path) -> None:
    """One of the demo's own files or folders (mail/ and documents/ hold only its files)."""
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def fast_pdf() -> bool:
    """Whether WeasyPrint can subset the Japanese font with HarfBuzz (a fraction of a
    second a PDF); without it fontTools takes 10-20 s for each one on a small machine."""
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


class _WithoutPdf:
    """The renderer minus its PDF companions (the editable .docx/.xlsx/.pptx are the
    deliverables; the PDF is a copy for reading)."""

    def __init__(self, inner: DocumentRenderer) -> None:
        self.inner = inner

    def formats(self, content: object) -> tuple[str, ...]:
        return tuple(f for f in self.inner.formats(content) if f != "pdf")

    def render(self, content: object, fmt: str) -> DocumentFile:
        return self.inner.render(content, fmt)


def _demo_day(text: str | None) -> date:
    from banso.engine.clock import parse_date
    from banso.engine.errors import InvalidValue
    from banso.services.demo import FIRST_DAY, LAST_DAY

    if text is None:
        return LAST_DAY
    day = parse_date(text, "--until")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidValue("--until", text, _("a day of the demo's year, 2026-04-01 to 2027-03-31"))
    return day


@click.command()
@click.option(
    "--dir",
    "folder",
    default="demo",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where the demo's banso.db, mail/ and documents/ are (re)created.",
)
@click.option(
    "--until",
    metavar="DATE",
    help="Stop the year at the end of this day (YYYY-MM-DD; default 2027-03-31).",
)
@click.option(
    "--pdf",
    type=click.Choice(("auto", "yes", "no")),
    default="auto",
    show_default=True,
    help="Write the reports' PDF copies too: auto, only where HarfBuzz-Subset makes them "
    "fast (without it each takes 10-20 s).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a banso.db in --dir that an earlier demo did not create.",
)
def demo(folder: Path, until: str | None, pdf: str, force: bool) -> None:
    """Live a year of the programme (FY2026 in Okayama) day by day on a fresh SQLite database.

    Creates banso.db, mail/ (one .eml per message) and documents/ in --dir,
    loads the Okayama sample and the demand survey (about 40 engagements), then
    lives every day from 2026-04-01 on a pinned clock through the same use cases
    the commands call, with the daemon's jobs each morning: hearings, plans,
    dispatches, consultations, monthly reports, meetings, the report meeting and
    the completion report. Prints what happened and a summary; the database is
    left for you to explore with the normal commands.

    \b
    Examples:
      banso demo
      banso demo --dir /tmp/banso-demo --until 2026-05-15

    A folder holding anything a demo did not write is never touched, and a
    banso.db no earlier demo created (no .banso-demo marker beside it) only
    with --force.
    """
    from banso.admin.bootstrap import Bootstrap, _os_account
    from banso.admin.refusals import describe
    from banso.admin.settings import load_settings
    from banso.documents.survey import read_survey
    from banso.services import demo as year
    from banso.storage.migrate import upgrade

    last = _demo_day(until)
    for leftover in demo_leftovers(folder, force):
        _remove(leftover)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARKER).write_text(
        "banso demo: everything in this folder is the demo's own\n", encoding="utf-8"
    )
    db = folder / "banso.db"
    url = f"sqlite:///{db}"
    settings = load_settings(
        environ={},
        database_url=url,
        now=year.INIT_AT,
        mail_url=f"file://{folder / 'mail'}",
        documents_dir=folder / "documents",
    )
    survey_path = SAMPLES / year.SAMPLE / year.SURVEY_FILE

    def read(known: SurveyVocabulary) -> list[SurveyRow]:
        return read_survey(
            survey_path, orgs=known.orgs, themes=known.themes, contract_months=known.contract_months
        )

    def say(text: str) -> None:
        click.secho(text, bold=text.startswith("\n# "))

    with_pdf = fast_pdf() if pdf == "auto" else pdf == "yes"

    class DemoBootstrap(Bootstrap):
        def renderer(self) -> DocumentRenderer:
            made = super().renderer()
            return made if with_pdf else _WithoutPdf(made)

    boot = DemoBootstrap(settings)
    months = year.months_of_year()
    # A year of info lines (every sweep, every mail) would bury the story: warnings only.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        engine = boot.open_engine(initialising=True)
        boot.create_audit_key()
        _before, schema = upgrade(engine)
        changes = configure(boot.services, {**settings.programme, **year.PROGRAMME}, "banso demo")
        changes += load_master_data(boot.services, *read_sample(year.SAMPLE))
        say(f"# {year.FIRST_DAY.year}年度 岡山県 DX伴走支援の一年（デモ）")
        say(f"[{year.INIT_AT[:16].replace('T', ' ')}] データベース {db} を作成した"
            f"（スキーマ {schema}、岡山県の団体・テーマなど {len(changes)}件）")  # fmt: skip
        lived = year.DemoYear(boot.services, read, say, describe)
        upto = months.index(f"{last:%Y-%m}") + 1
        from banso.admin.progress import progress_bar

        with progress_bar(upto, "デモの一年（月）", story=True) as step:
            lived.run(last, lambda month: step(months.index(month) + 1))
        summary = year.summarise(
            boot.services, last, lived.refusals, lived.calls, lived.slides
        )
        # The demo's people act as themselves (it trusts its own planner); the account
        # running it is bound to its lead, so the database can be explored as the lead.
        from banso.services.identity import OS, Login, bind_account

        account = bind_account(boot.services.uow, Login(OS, _os_account(), None), year.LEAD)
    finally:
        root.setLevel(level)
        boot.close()
    for line in summary.lines():
        say(line)
    say("\n# どこを見るか、続けるには")
    say(f"データベース: {db}")
    say(f"メール（1通1ファイルの .eml）: {folder / 'mail'}")
    say(f"文書（成果物の docx・xlsx・pptx など）: {folder / 'documents'}")
    if not with_pdf and pdf == "no":
        say("  PDFの控えは作っていません（--pdf no）")
    elif not with_pdf:
        say("  PDFの控えは作っていません（この環境では1件10〜20秒かかるため。"
            "HarfBuzz-Subset（libharfbuzz-subset0）を入れるか、--pdf yes を付けると作ります）")
    say(f"あなたのアカウント {account} はプロジェクト責任者 {year.LEAD} に結び付けてあります。"
        "続きは普段のコマンドで:")  # fmt: skip
    say(f"  banso --db {url} engagement list")
    say(f"  banso --db {url} calendar")
    nxt = (last + timedelta(days=1)).isoformat()
    say(f"  BANSO_NOW={nxt}T09:00+09:00 banso --db {url} daemon --once")


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
