"""`banso forecast` in one short walk (in process, to stay fast): the figures in JSON, the
Japanese warning that names the engagement and the month, a what-if that writes nothing,
a malformed what-if refused at the door, a consultant refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from banso.storage.db import make_engine
from banso.storage.models import Engagement
from tests.support.programme import (
    HANAKO,
    LEAD,
    Banso,
    dump_database,
    programme_templates,
    seed_engagements,
)

NOW = "2027-01-05T09:00+09:00"


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    made = programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)
    made.now = NOW
    return made


def _plan(url: str, engagement_id: int, planned: int) -> None:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.begin() as conn:
            conn.execute(
                update(Engagement)
                .where(Engagement.id == engagement_id)
                .values(planned_dispatches=planned)
            )
    finally:
        engine.dispose()


def test_the_forecast_warns_in_japanese_and_a_what_if_writes_nothing(banso: Banso) -> None:
    (eid,) = seed_engagements(banso.url, "genai", ["331007"])
    _plan(banso.url, eid, 6)
    data = banso.json("forecast")
    # 1/5 to 3/31 at 2 a month: 6 possible, the 6 the plan expects only if started now.
    assert data["total"] == {"used": 0, "held": 0, "expected": 6, "possible": 6}
    assert data["budget"]["limit"] == 470 and data["budget"]["left_after_plans"] == 464
    (line,) = data["engagements"]
    assert (line["id"], line["status"], line["latest_start"]) == (eid, "at_risk", "2027-01")
    kinds = [w["kind"] for w in data["warnings"]]
    assert kinds == ["engagement_at_risk", "target_unreachable"]

    banso.lang = "ja"
    text = banso.ok("forecast").out
    assert (
        f"注意：案件{eid}（岡山市・生成AI）：あと6回の派遣が必要ですが、月2回の上限では"
        "2027年1月までに開始しなければ3月31日までに終わりません"
    ) in text, text
    banso.lang = "en"

    before = dump_database(banso.url)
    what_if = banso.json("forecast", "--what-if-engagement", "332020:genai:2",
                         "--what-if-budget", "7")  # fmt: skip
    assert what_if["budget"]["limit"] == 7 and what_if["total"]["expected"] == 8
    assert [w["kind"] for w in what_if["warnings"]][-1] == "over_budget"
    assert "what-if: nothing is written" in banso.ok("forecast", "--what-if-monthly-cap", "3").out
    bad = banso.refused("forecast", "--what-if-engagement", "332020", code=2)
    assert "--what-if-engagement" in bad and "ORGCODE:THEME" in bad, bad
    assert "forecast" in banso.refused("forecast", user=HANAKO)
    assert dump_database(banso.url) == before
