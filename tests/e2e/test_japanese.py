"""The command as a Japanese office uses it, through `banso` (in process, SQLite):
Japanese by default and English with --lang en, input as people type it (each
form stores the same value, each bad one changes nothing), and exports that
Excel opens, read back and compared with the database."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.programme import (
    HANAKO,
    JIRO,
    LEAD,
    PREFECTURE,
    Banso,
    dump_database,
    programme_templates,
)


@pytest.fixture
def banso(sqlite_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(sqlite_url, tmp_path, in_process=True, lang="ja")


def english(b: Banso, *args: str, **kw: Any) -> Any:
    b.lang = "en"
    try:
        return b(*args, **kw)
    finally:
        b.lang = "ja"


def agree(b: Banso, eid: str, consultant: str = HANAKO) -> None:
    """§6(2)①: the lead proposes the expert, the prefecture agrees."""
    b.ok("engagement", "propose-expert", eid, "--consultant", consultant)
    b.ok("engagement", "agree-expert", eid, user=PREFECTURE)


def in_support(b: Banso, org: str = "331007", consultant: str = HANAKO) -> str:
    """An engagement walked to 支援中 with the forms people type; its id."""
    created = b.json("engagement", "new", "--org", org, "--theme", "genai")
    eid = str(created["id"])
    agree(b, eid, consultant)
    b.ok("engagement", "schedule-hearing", eid, "--at", "令和8年4月10日 10時",
         "--consultant", consultant)  # fmt: skip
    b.ok("engagement", "record-hearing", eid, "--findings", "窓口の課題", user=consultant)
    b.ok("engagement", "draft-plan", eid, "--goals", "目標", "--planned-dispatches", "５",
         user=consultant)  # fmt: skip
    b.ok("engagement", "approve-plan", eid, user=PREFECTURE)
    b.ok("engagement", "start", eid)
    return eid


# Codes a person may meet in Japanese output: theme codes, and words that are
# Japanese usage themselves (WEB会議, 生成AI).
ALLOWED = {"AI", "WEB", "DX", "BPR", "RPA", "SaaS", "ICT", "LINE", "genai", "frontyard",
           "security", "standardization", "nocode"}  # fmt: skip
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z_]+", EMAIL.sub("", text))) - ALLOWED


def test_default_output_has_no_english_outside_codes(banso: Banso) -> None:
    eid = in_support(banso)
    banso.ok("dispatch", "plan", eid, "--at", "2026/6/3 13:30", "--mode", "訪問", user=HANAKO)
    outputs = {
        "engagement list": banso.ok("engagement", "list").out,
        "engagement show": banso.ok("engagement", "show", eid).out,
        "budget": banso.ok("budget").out,
        "calendar": banso.ok("calendar", "--to", "2026-06-30").out,
        "history": banso.ok("history", "engagement", eid).out,
        "daemon --once": banso("daemon", "--once", now="2026-04-20T09:00+09:00").out,
        "dispatch list": banso.ok("dispatch", "list").out,
    }
    for name, text in outputs.items():
        assert text.strip(), name
        assert english_words(text) == set(), f"{name}: {english_words(text)}\n{text}"
        for word in ("None", "UTC", "version", "+09:00"):
            assert word not in text, (name, word)
    assert "支援中" in outputs["engagement list"] and "in_support" not in outputs["engagement list"]
    assert "令和8年4月10日（金）10:00" in outputs["engagement show"]
    assert (
        "令和8年4月10日（金）10:00" in outputs["history"]
        or "令和8年4月1日（水）9:00" in outputs["history"]
    )
    assert "現状・課題：窓口の課題" in outputs["history"]
    # --json keeps the codes.
    assert banso.json("engagement", "list")[0]["state"] == "in_support"


def test_a_refusal_of_each_kind_in_japanese_and_in_english(banso: Banso) -> None:
    eid = str(banso.json("engagement", "new", "--org", "331007", "--theme", "genai")["id"])
    cases: list[tuple[tuple[str, ...], dict[str, Any], int, str, str]] = [
        # a transition not allowed from this state
        (("engagement", "approve-plan", eid), {"user": PREFECTURE}, 1,
         "エラー：案件1（岡山市・生成AI）は「要望受付」のため、「支援計画承認」（approve-plan）はできません。",
         "engagement 1 is requested (要望受付): approve-plan refused"),
        # an unmet guard, with its remedy (after the hearing is scheduled, below)
        (("engagement", "draft-plan", eid, "--goals", "g", "--planned-dispatches", "1"), {}, 1,
         "ヒアリングの記録がありません。先に「ヒアリング記録」を行ってください"
         "（banso engagement record-hearing 1 --findings TEXT）。",
         "unmet: the hearing is not recorded (record-hearing --findings TEXT)"),
        # a role that may not
        (("engagement", "withdraw", eid, "--reason", "x"), {"user": HANAKO}, 1,
         # Permissions come before any rule (the command as typed, not the record).
         "は「banso engagement withdraw」を行えません。できるのは県・プロジェクト責任者です。",
         "may not use `banso engagement withdraw`"),
        # nobody said who is acting
        (("engagement", "new", "--org", "331007", "--theme", "genai"), {"user": None}, 1,
         "操作する人の指定が必要です", "needs to know who is acting"),
        # an unknown code
        (("engagement", "new", "--org", "999999", "--theme", "genai"), {}, 2,
         "団体コード「999999」の団体は登録されていません。", "no organisation with code 999999"),
        # a malformed value
        (("engagement", "schedule-hearing", eid, "--at", "6月10日", "--consultant", HANAKO), {}, 2,
         "エラー：--at：「6月10日」は指定できません。", "--at: '6月10日' is not valid"),
    ]  # fmt: skip
    for n, (args, kw, code, ja, en) in enumerate(cases):
        if n == 1:
            agree(banso, eid)
            banso.ok("engagement", "schedule-hearing", eid, "--at", "R8.4.10 10:00",
                     "--consultant", HANAKO)  # fmt: skip
        line = banso.refused(*args, code=code, **kw)
        assert ja in line, line
        # Typed commands stand in （…） brackets; the sentence around them is Japanese.
        prose = re.sub(r"（[\x20-\x7e…]+）|banso( [a-z][\w-]*)+|--[\w-]+ [A-Z]+|--[\w-]+", "", line)
        assert english_words(prose) <= {"BANSO_USER"}, line
        done = english(banso, *args, **kw)
        assert done.code == code and done.err.startswith("banso: ") and en in done.err, done


MOMENTS = ["2026-04-10T10:00", "2026-04-10 10:00", "2026/4/10 10:00", "令和8年4月10日 10時",
           "令和8年4月10日10時00分", "R8.4.10 10:00", "２０２６／４／１０　１０：００"]  # fmt: skip


def test_each_input_form_stores_the_same_value(banso: Banso) -> None:
    eid = str(banso.json("engagement", "new", "--org", "331007", "--theme", "genai")["id"])
    agree(banso, eid)
    stored = set()
    for text in MOMENTS:
        banso.ok("engagement", "schedule-hearing", eid, "--at", text, "--consultant", HANAKO)
        stored.add(banso.json("engagement", "show", eid)["hearing_at"])
    assert stored == {"2026-04-10T01:00:00+00:00"}

    other = in_support(banso, org="332020")
    modes = []
    for n, (at, mode) in enumerate(
        [("2026/6/3 13:30", "訪問"), ("R8.7.3 13時30分", "onsite"),
         ("2026-08-03 13:30", "WEB"), ("令和8年9月3日 13:30", "ｗｅｂ")]
    ):  # fmt: skip
        plan = banso.json("dispatch", "plan", other, "--at", at, "--mode", mode, user=HANAKO)
        modes.append(plan["mode"])
        assert plan["at"].endswith("04:30:00+00:00"), (n, plan["at"])
    assert modes == ["onsite", "onsite", "web", "web"]
    months = {banso.json("dispatch", "list", "--month", m)[0]["month"]
              for m in ("2026-06", "2026/6", "令和8年6月", "R8.6", "２０２６年６月")}  # fmt: skip
    assert months == {"2026-06"}


@pytest.mark.parametrize(
    "args",
    [
        ("engagement", "schedule-hearing", "1", "--at", "2026/4/31 10:00", "--consultant", HANAKO),
        (
            "engagement",
            "schedule-hearing",
            "1",
            "--at",
            "令和1年4月10日 10:00",
            "--consultant",
            HANAKO,
        ),
        ("engagement", "schedule-hearing", "1", "--at", "2026/4/10 25時", "--consultant", HANAKO),
        ("dispatch", "plan", "1", "--at", "2026/6/3 13:30", "--mode", "自転車"),
        ("dispatch", "list", "--month", "2026-13"),
        ("calendar", "--from", "R8.4.31"),
        ("consultation", "new", "--org", "332020", "--topic", "t", "--channel", "手紙"),
    ],
)
def test_each_bad_form_is_refused_and_changes_nothing(banso: Banso, args: tuple[str, ...]) -> None:
    banso.ok("engagement", "new", "--org", "331007", "--theme", "genai")
    before = dump_database(banso.url)
    line = banso.refused(*args, code=2, user=PREFECTURE if "consultation" in args else LEAD)
    assert line.startswith("エラー：--") and "「" in line, line
    assert dump_database(banso.url) == before


def read_csv(path: Path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def test_exports_read_back_in_excel_and_csv(banso: Banso, tmp_path: Path) -> None:
    import openpyxl

    eid = in_support(banso)
    banso.ok("engagement", "new", "--org", "332020", "--theme", "genai",
             "--request", "=HYPERLINK(\"http://x.example\")")  # fmt: skip
    banso.ok("dispatch", "plan", eid, "--at", "2026/6/3 13:30", "--mode", "訪問", user=HANAKO)
    listed = banso.json("engagement", "list")

    xlsx = tmp_path / "案件一覧.xlsx"
    banso.ok("export", "engagements", "--out", str(xlsx))
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["案件番号", "団体コード", "団体名", "テーマ", "状態"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [
        (e["id"], e["org"], e["org_name"], e["state_label"]) for e in listed
    ]
    formula = sheet.cell(row=3, column=10)
    assert formula.value == '=HYPERLINK("http://x.example")' and formula.data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].font.bold and sheet.column_dimensions["C"].width >= 8

    default = tmp_path / "engagements.csv"
    banso.ok("export", "engagements", "--format", "csv", "--out", str(default))
    assert default.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_csv(default, "utf-8-sig")
    assert [(int(r[0]), r[2], r[4]) for r in table[1:]] == [
        (e["id"], e["org_name"], e["state_label"]) for e in listed
    ]
    assert table[2][9] == '\'=HYPERLINK("http://x.example")'
    assert "令和8年4月10日（金）10:00" in table[1]

    sjis = tmp_path / "dispatches.csv"
    banso.ok("export", "dispatches", "--format", "csv", "--encoding", "cp932", "--dates", "iso",
             "--out", str(sjis))  # fmt: skip
    assert not sjis.read_bytes().startswith(b"\xef\xbb\xbf")
    dispatched = read_csv(sjis, "cp932")
    assert dispatched[0][:6] == ["派遣番号", "案件番号", "団体名", "テーマ", "日時", "方法"]
    assert dispatched[1][4:7] == ["2026-06-03 13:30", "訪問", "予定"]


def test_cp932_refuses_the_row_and_character_and_writes_nothing(
    banso: Banso, tmp_path: Path
) -> None:
    banso.ok("engagement", "new", "--org", "331007", "--theme", "genai", "--request", "通常")
    banso.ok("engagement", "new", "--org", "332020", "--theme", "genai", "--request", "𠮷野家の件")
    out = tmp_path / "x.csv"
    line = banso.refused("export", "engagements", "--format", "csv", "--encoding", "cp932",
                         "--out", str(out), code=2)  # fmt: skip
    assert "案件一覧 の3行目「要望内容」列" in line and "「𠮷」" in line, line
    assert not out.exists()


def test_a_consultants_export_holds_only_their_records(banso: Banso, tmp_path: Path) -> None:
    in_support(banso, org="331007", consultant=HANAKO)
    in_support(banso, org="332020", consultant=JIRO)
    mine = tmp_path / "mine.csv"
    banso.ok("export", "engagements", "--format", "csv", "--out", str(mine), user=HANAKO)
    assert [r[2] for r in read_csv(mine, "utf-8-sig")[1:]] == ["岡山市"]
    every = tmp_path / "all.csv"
    banso.ok("export", "engagements", "--format", "csv", "--out", str(every), user=LEAD)
    assert [r[2] for r in read_csv(every, "utf-8-sig")[1:]] == ["岡山市", "倉敷市"]
    audit = tmp_path / "audit.csv"
    banso.ok("export", "audit", "--format", "csv", "--out", str(audit), user=HANAKO)
    assert {r[2] for r in read_csv(audit, "utf-8-sig")[1:]} == {HANAKO}
