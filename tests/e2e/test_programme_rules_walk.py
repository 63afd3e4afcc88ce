"""The programme rules of issue 12, one short walk each through `banso` (in process,
to stay fast): sub-themes share the monthly cap, a Sunday needs a reason, the survey's
希望時期 sets the hearing deadline, the kickoff meeting moves what is due at it.
(The budget and the standardisation target: tests/integration/test_quotas.py.)"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.support.programme import (
    LEAD,
    Banso,
    dump_database,
    programme_templates,
    seed_engagements,
)

OKAYAMA = "331007"


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)


def plan(banso: Banso, eid: int, at: str, *extra: str) -> Any:
    return banso("dispatch", "plan", str(eid), "--at", at, "--mode", "onsite", *extra)


def deadlines(banso: Banso) -> dict[str, dict[str, Any]]:
    return {d["title"]: d for d in banso.json("calendar", "--json")}


def test_six_dispatches_across_sub_themes_need_an_override(banso: Banso) -> None:
    # 標準化 and two of its sub-themes side by side: one cap of 2 for 岡山市 a month.
    ids = [seed_engagements(banso.url, t, [OKAYAMA])[0]
           for t in ("standardization", "std-jumin", "std-kotei")]  # fmt: skip
    assert plan(banso, ids[0], "2026-06-03T10:00").code == 0
    assert plan(banso, ids[1], "2026-06-04T10:00").code == 0
    before = dump_database(banso.url)
    for n, eid in enumerate((ids[2], ids[0], ids[1], ids[2])):
        done = plan(banso, eid, f"2026-06-{10 + n:02d}T10:00")
        assert done.code == 1 and done.out == "", done
        assert "monthly cap: engagements" in done.err and "already have 2 of 2" in done.err
        assert "sub-theme counts with its top-level theme" in done.err
        assert done.err.count("\n") == 1
    assert dump_database(banso.url) == before
    for n, eid in enumerate((ids[2], ids[0], ids[1], ids[2])):
        done = plan(banso, eid, f"2026-06-{10 + n:02d}T10:00", "--override", "法改正対応のため")
        assert done.code == 0, done
    assert len(banso.json("dispatch", "list", "--month", "2026-06", "--json")) == 6


def test_a_sunday_dispatch_is_refused_then_accepted_with_a_reason(
    sqlite_url: str, tmp_path: Path
) -> None:
    # SQLite only: the business calendar is the rule here, not the database.
    banso = programme_templates().fresh(sqlite_url, tmp_path, user=LEAD, in_process=True)
    (eid,) = seed_engagements(banso.url, "genai", [OKAYAMA])
    before = dump_database(banso.url)
    done = plan(banso, eid, "2026-05-10T10:00")
    assert (done.code, done.out) == (1, "")
    assert "2026-05-10は日曜日です" in done.err and "--override REASON" in done.err, done.err
    assert dump_database(banso.url) == before
    ok = plan(banso, eid, "2026-05-10T10:00", "--override", "町の防災訓練に合わせるため")
    assert ok.code == 0, ok


def test_a_preferred_period_of_july_to_september_makes_the_hearing_due_on_july_1(
    banso: Banso, tmp_path: Path
) -> None:
    survey = tmp_path / "survey.csv"
    with survey.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"])
        writer.writerow(["岡山市", "生成AI", "庁内ガイドライン", "田中 一郎",
                         "tanaka@city.okayama.example.jp", "7月～9月"])  # fmt: skip
    banso.ok("survey", "import", str(survey))
    (hearing,) = [d for d in deadlines(banso).values() if d["obligation"] == "hearing"]
    assert (hearing["due"], hearing["explanation"]) == (
        "2026-07-01",
        "希望時期（令和8年7月〜令和8年9月）の始まり2026-07-01まで。2026-07-01は営業日のため、そのまま",
    )
    (shown,) = banso.json("engagement", "list", "--json")
    engagement = banso.json("engagement", "show", str(shown["id"]), "--json")
    assert (engagement["preferred_from"], engagement["preferred_to"]) == ("2026-07", "2026-09")


def test_moving_the_kickoff_meeting_moves_the_plan_and_the_roster(banso: Banso) -> None:
    plan_title, roster_title = "業務実施計画書の提出", "専門人材一覧表（第1版）の提出"
    first = banso("meeting", "schedule", "kickoff", "--at", "2026-04-15T14:00",
                  "--url", "https://meet.example.jp/k")  # fmt: skip
    assert first.code == 0, first
    assert f"banso: note: moved: {plan_title}: " in first.err
    assert deadlines(banso)[plan_title]["due"] == "2026-04-15"
    moved = banso("meeting", "schedule", "kickoff", "--at", "2026-04-22T14:00",
                  "--url", "https://meet.example.jp/k")  # fmt: skip
    assert f"{plan_title}: 2026-04-15 → 2026-04-22" in moved.err, moved
    found = deadlines(banso)
    for title in (plan_title, roster_title):
        assert found[title]["due"] == "2026-04-22"
        assert found[title]["explanation"].startswith("キックオフ会議時（2026-04-22）")
