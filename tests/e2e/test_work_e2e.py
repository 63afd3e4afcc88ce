"""`banso work record|list` in one short walk (in process, to stay fast): recorded and
listed, bad hours refused at the door, another consultant's engagement refused as
unknown, the database unchanged by every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.programme import (
    HANAKO,
    JIRO,
    LEAD,
    Banso,
    dump_database,
    programme_templates,
    seed_engagements,
)

NOW = "2026-06-15T12:00+09:00"


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    made = programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)
    made.now = NOW
    return made


def test_work_is_recorded_listed_and_refused_where_it_enters(banso: Banso) -> None:
    (mine,) = seed_engagements(banso.url, "genai", ["331007"])
    (jiros,) = seed_engagements(banso.url, "genai", ["332020"], consultant=JIRO)
    done = banso.ok("work", "record", str(mine), "--date", "2026-06-10", "--hours", "2.5",
                    "--summary", "移行計画の比較資料を作成", user=HANAKO)  # fmt: skip
    assert done.out.startswith("work ") and "2.5 h on engagement" in done.out, done.out
    (entry,) = banso.json("work", "list", "--month", "2026-06", user=HANAKO)
    assert (entry["engagement_id"], entry["hours"], entry["day"]) == (mine, 2.5, "2026-06-10")
    assert "2.5" in banso.ok("work", "list", "--engagement", str(mine)).out

    before = dump_database(banso.url)
    bad = banso.refused("work", "record", str(mine), "--date", "2026-06-10", "--hours", "25",
                        "--summary", "資料作成", user=HANAKO, code=2)  # fmt: skip
    assert "--hours" in bad and "at most 24" in bad, bad
    future = banso.refused("work", "record", str(mine), "--date", "2026-06-16", "--hours", "1",
                           "--summary", "資料作成", user=HANAKO)  # fmt: skip
    assert "in the future" in future, future
    other = banso.refused("work", "record", str(jiros), "--date", "2026-06-10", "--hours", "1",
                          "--summary", "資料作成", user=HANAKO, code=2)  # fmt: skip
    assert other == f"banso: no engagement {jiros}; see `banso engagement list`", other
    assert dump_database(banso.url) == before
    assert banso.json("work", "list", user=JIRO) == []
