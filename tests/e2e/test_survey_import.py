"""`banso survey import`: the demand survey becomes engagements, all or nothing.

The sample survey creates one engagement per row in `requested`; importing it
again creates none and lists the duplicates. A malformed file (.csv or .xlsx)
is refused with exit 2 and one line naming the row and the column, and leaves
every row of every table as it was — even when the rows before the bad one
were fine.

Runs on SQLite and PostgreSQL (``db_url``), through the `banso` command only
(its entry point in-process: ``InProcessBanso``).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.support.programme import LEAD, ROOT, Banso, dump_database, programme_templates

SURVEY = ROOT / "tests" / "data" / "survey-okayama.csv"
HEADER = ["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"]
# A row that is fine on its own: a rejected file must not import it either.
GOOD = [
    "玉野市",
    "genai",
    "生成AIの試行導入",
    "山本 一郎",
    "yamamoto@city.tamano.example.jp",
    "8月",
]

SAMPLE = [
    ("331007", "standardization", ["2026-05", "2026-06", "2026-07"]),
    ("332020", "frontyard", ["2026-06", "2026-09"]),
    ("332038", "genai", ["2026-07", "2026-08"]),
    ("333468", "security", ["2026-10"]),
    ("335860", "nocode", []),
]


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    """The set-up programme, acting as the lead."""
    return programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_sample_survey_creates_five_requests_and_a_second_import_none(banso: Banso) -> None:
    first = banso.json("survey", "import", str(SURVEY))
    assert first["duplicates"] == []
    assert [(c["row"], c["org"], c["theme"]) for c in first["created"]] == [
        (row, org, theme) for row, (org, theme, _) in enumerate(SAMPLE, start=2)
    ]

    engagements = banso.json("engagement", "list")
    assert [(e["org"], e["theme"], e["preferred_months"]) for e in engagements] == SAMPLE
    assert [e["id"] for e in engagements] == [c["engagement"] for c in first["created"]]
    for e in engagements:
        assert (e["state"], e["state_label"], e["version"]) == ("requested", "要望受付", 0)
        assert e["consultant"] is None and e["contact_email"].endswith(".example.jp")
    assert engagements[0]["request"].startswith("標準準拠システム移行後の運用課題")

    before = dump_database(banso.url)
    # Staff read this one: exit 0, and the duplicates are listed.
    again = banso("survey", "import", str(SURVEY))
    assert (again.code, again.err) == (0, "")
    lines = again.out.splitlines()
    assert lines[0] == "survey-okayama.csv: 0 engagement(s) created, 5 duplicate(s) not created"
    for (org, theme, _), line, e in zip(SAMPLE, lines[1:], engagements, strict=True):
        assert f"{org} × {theme} already has engagement {e['id']}" in line
    assert dump_database(banso.url) == before


def test_a_malformed_survey_is_refused_whole_and_changes_nothing(
    banso: Banso, tmp_path: Path
) -> None:
    banso.json("survey", "import", str(SURVEY))  # the database holds requests already

    bad_row = dict(zip(HEADER, GOOD, strict=True))
    cases: list[tuple[Path, tuple[str, ...]]] = [
        (
            write_csv(
                tmp_path / "no-email-column.csv",
                [HEADER[:4] + HEADER[5:], GOOD[:4] + GOOD[5:]],
            ),
            ("no-email-column.csv row 1", "メールアドレス"),
        ),
        (
            write_csv(
                tmp_path / "unknown-org.csv",
                [HEADER, GOOD, [*GOOD[:1], "bpr", *GOOD[2:]], ["千代田区", *GOOD[1:]]],
            ),
            ("unknown-org.csv row 4, column 団体名", "千代田区"),
        ),
        (
            write_csv(
                tmp_path / "bad-email.csv",
                [HEADER, GOOD, ["笠岡市", *GOOD[1:4], "kasaoka(at)city.example.jp", "9月"]],
            ),
            ("bad-email.csv row 3, column メールアドレス", "kasaoka(at)city.example.jp"),
        ),
        (
            write_csv(
                tmp_path / "bad-date.csv",
                [HEADER, GOOD, ["井原市", *GOOD[1:5], "2026-13"]],
            ),
            ("bad-date.csv row 3, column 希望時期", "2026-13"),
        ),
    ]
    # The workbook as the prefecture sends it: a real date cell outside the contract.
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(GOOD)
    sheet.append([*[bad_row[h] for h in HEADER[:5]], datetime(2027, 6, 1)])
    sheet["A3"] = "総社市"
    book.save(tmp_path / "支援要望調査.xlsx")
    cases.append(
        (
            tmp_path / "支援要望調査.xlsx",
            ("支援要望調査.xlsx row 3, column 希望時期", "a month within the contract"),
        )
    )

    before = dump_database(banso.url)
    for path, names in cases:
        line = banso.refused("survey", "import", str(path), code=2)
        for part in names:
            assert part in line, f"{path.name}: {part!r} not named in: {line}"
        assert dump_database(banso.url) == before, f"{path.name} changed the database"
