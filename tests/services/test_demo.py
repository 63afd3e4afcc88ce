"""The scripted year (`services.demo`) run directly, on a real SQLite database built
through the composition root as `banso demo` builds it: every step goes as scripted,
the five refusals are the intended ones, and the records end where the story says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from banso.admin.bootstrap import Bootstrap
from banso.admin.cmd_setup import read_sample
from banso.admin.samples import SAMPLES
from banso.admin.settings import load_settings
from banso.documents.survey import SurveyRow, read_survey
from banso.engine.errors import InvalidValue
from banso.services import budget, views
from banso.services.context import Services
from banso.services.demo import (
    INIT_AT,
    PROGRAMME,
    SAMPLE,
    DemoStepFailed,
    DemoSummary,
    Step,
    SurveyFile,
    okayama_year,
    pinned,
    run_demo,
)
from banso.services.engagements import SurveyVocabulary
from banso.services.programme import configure, load_master_data
from banso.storage.migrate import upgrade

SURVEY = SAMPLES / SAMPLE / "survey.csv"


def read(known: SurveyVocabulary) -> list[SurveyRow]:
    return read_survey(
        SURVEY, orgs=known.orgs, themes=known.themes, contract_months=known.contract_months
    )


def initialised(folder: Path) -> Bootstrap:
    """What `banso demo` does before the first step: a fresh database, init, the sample."""
    settings = load_settings(
        environ={},
        database_url=f"sqlite:///{folder / 'banso.db'}",
        now=INIT_AT,
        mail_url=f"file://{folder / 'mail'}",
    )
    boot = Bootstrap(settings)
    upgrade(boot.open_engine(initialising=True))
    configure(boot.services, dict(PROGRAMME), "test")
    load_master_data(boot.services, *read_sample(SAMPLE))
    return boot


@dataclass
class Year:
    scenario: list[Step]
    summary: DemoSummary
    said: list[str]
    services: Services
    mail: Path


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Year]:
    """The Okayama year, then one daemon pass the morning after (its mail to files)."""
    folder = tmp_path_factory.mktemp("demo")
    boot = initialised(folder)
    morning = Step(
        "2026-06-02T09:00+09:00", None, "daemon.once", purpose="翌朝、デーモンが期限を見回る"
    )
    scenario = [*okayama_year(SurveyFile(SURVEY.name, read)), morning]
    said: list[str] = []
    summary = run_demo(pinned(boot.services), scenario, said.append)
    yield Year(scenario, summary, said, boot.services, folder / "mail")
    boot.close()


def test_every_step_runs_and_only_the_intended_ones_are_refused(year: Year) -> None:
    assert year.summary.steps == len(year.scenario) == 56
    assert year.summary.refused == 6
    refused = [r for r in year.summary.reports if r.refused]
    assert [r.number for r in refused] == [
        n for n, step in enumerate(year.scenario, start=1) if step.refused
    ]
    assert [(r.number, r.refusal) for r in refused] == [
        (14, "TransitionRefused"),  # approve the plan before the hearing
        (15, "TransitionRefused"),  # a hearing before the expert is agreed
        (21, "PermissionDenied"),  # the lead approves the plan
        (26, "CreationRefused"),  # a third dispatch in May
        (28, "TransitionRefused"),  # the unapproved subcontractor's consultant proposed
        (34, "CreationRefused"),  # a second monthly meeting in May
    ]
    assert "not the consultant agreed with the prefecture" in refused[1].text
    assert "only a prefecture" in refused[2].text
    assert "2026-05" in refused[3].text and "2026-05" in refused[5].text
    assert "株式会社パートナーDX" in refused[4].text
    assert sum("拒否（想定どおり）" in line for line in year.said) == 6


def test_the_steps_run_at_their_own_times_strictly_forward(year: Year) -> None:
    times = [r.at for r in year.summary.reports]
    assert times == sorted(set(times))
    assert times[0] == datetime.fromisoformat("2026-04-01T09:01+09:00")
    assert year.services.clock.now() == times[-1]
    assert year.said[0].startswith("\n# 契約開始")  # a chapter heading, then the step
    assert year.said[1].startswith("[2026-04-01 09:01] ")


def test_the_records_end_where_the_story_says(year: Year) -> None:
    s = year.services
    states = {e["id"]: e["state"] for e in views.engagements(s)}
    assert states == {1: "reported", 2: "requested", 3: "requested", 4: "requested", 5: "hearing"}
    okayama = views.engagement(s, 1)
    assert okayama["consultant"] == "hanako.sato@contractor.example.jp"
    assert [d["state"] for d in okayama["dispatches"]] == ["held", "cancelled", "held"]
    deliverables = {d.id: d.state for d in views.records(s, "deliverable")}
    assert deliverables[1] == "approved" and deliverables[4] == "received"
    assert [c.state for c in views.records(s, "consultation")] == ["closed"]
    assert [m.state for m in views.records(s, "meeting", order_by=("at",))] == ["held", "held"]
    used = budget.budget(s)
    assert (used["total"]["held"], used["total"]["committed"]) == (2, 0)
    assert views.verify_audit(s).ok


def test_the_morning_pass_drafts_mays_report_and_sends_its_mail(year: Year) -> None:
    last = year.summary.reports[-1]
    assert last.use == "daemon.once" and not last.refused
    assert "drafted 2026-05" in last.text
    assert list(year.mail.glob("*.eml"))


def test_a_scenario_that_goes_back_in_time_is_refused_before_anything_runs() -> None:
    def never(_at: datetime) -> Services:
        raise AssertionError("no step may run")

    backwards = [
        Step("2026-05-20T16:00+09:00", None, "budget.budget", purpose="a"),
        Step("2026-05-07T09:00+09:00", None, "budget.budget", purpose="b"),
    ]
    with pytest.raises(InvalidValue, match="a time after the step before"):
        run_demo(never, backwards, print)
    no_offset = [Step("2026-05-07T09:00", None, "budget.budget", purpose="c")]
    with pytest.raises(InvalidValue, match="with its offset"):
        run_demo(never, no_offset, print)
    unknown = [Step("2026-05-07T09:00+09:00", None, "nothing.here", purpose="d")]
    with pytest.raises(InvalidValue, match="one of"):
        run_demo(never, unknown, print)


def test_a_step_that_does_not_go_as_scripted_stops_the_run(tmp_path: Path) -> None:
    boot = initialised(tmp_path)
    try:
        first = Step(
            "2026-04-01T09:01+09:00", None, "master.add_person",
            {"name": "県民 太郎", "email": "taro@pref.okayama.example.jp", "role": "prefecture"},
            refused=True, purpose="拒否されるはずが、通ってしまう",
        )  # fmt: skip
        with pytest.raises(DemoStepFailed, match="should have been refused"):
            run_demo(pinned(boot.services), [first], lambda _text: None)
        lead_approves = Step(
            "2026-04-01T09:02+09:00", "taro@pref.okayama.example.jp", "transitions.fire",
            {"kind": "deliverable", "record_id": 1, "trigger": "approve"},
            purpose="提出前の承認は拒否されるのに、拒否を想定していない",
        )  # fmt: skip
        with pytest.raises(DemoStepFailed, match="was refused"):
            run_demo(pinned(boot.services), [lead_approves], lambda _text: None)
    finally:
        boot.close()
