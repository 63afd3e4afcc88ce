"""The refusals the rules build from values, worded as the command prints them:
in Japanese by default, with no run of English words left beyond codes, ids,
e-mail addresses and command examples, and in English, word for word what
the rule wrote (``Phrase`` keeps the English text as it was).

The refusals come from the rules themselves (quotas, the consultant checks,
office hours, the e-mail and value rules, a survey file, the database URL,
the invariants the database holds), not from strings written here, so a rule
that starts building its sentence with an f-string again fails this test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from banso.admin import i18n
from banso.admin.refusals import refusal_line
from banso.engine.clock import TOKYO
from banso.engine.errors import (
    BansoError,
    ChainBroken,
    CreationRefused,
    InvalidValue,
    InvariantViolated,
    PermissionDenied,
    StorageUnavailable,
    TransitionRefused,
    Unmet,
)
from banso.engine.phrase import Phrase
from banso.services.master import check_email
from banso.services.views import _history_of
from banso.storage.db import make_engine, parse_url
from banso.storage.faults import INVARIANTS
from banso.workflows.checks import choice_unmet
from banso.workflows.engagement import DispatchTally, open_dispatches_unmet
from banso.workflows.office_hours import closed_time_unmet
from banso.workflows.people_rules import ConsultantFacts, consistency_unmet, consultant_unmet
from banso.workflows.quotas import Quotas, QuotaUse, quota_unmet, standardization_note
from banso.workflows.validation import code_problem, count_problem, date_problem, url_problem

HANAKO = "hanako@contractor.example.jp"


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    i18n.set_language("ja")
    yield
    i18n.set_language(i18n.DEFAULT)


def refusals(tmp_path: Path) -> Iterator[BansoError]:
    """One refusal of each rule that words its reason from values."""
    use = QuotaUse(
        engagement_id=1,
        month="2026-06",
        month_count=2,
        fy_count=470,
        std_count=0,
        family=(3,),
        theme="genai",
        planned=2,
        engagement_count=2,
    )
    yield CreationRefused(
        kind="dispatch",
        unmet=quota_unmet(
            Quotas(), use, standardization=False, override="急ぎ", actor_role="consultant"
        ),
    )
    sunday_night = datetime(2026, 6, 7, 22, 30, tzinfo=TOKYO)
    yield CreationRefused(
        kind="dispatch", unmet=closed_time_unmet(sunday_night, None, Phrase("a dispatch"))
    )
    yield CreationRefused(
        kind="dispatch",
        unmet=[
            *consultant_unmet(7, ConsultantFacts(role=None, active=True)),
            *consultant_unmet(
                4,
                ConsultantFacts(
                    role="lead",
                    active=False,
                    email="lead@contractor.example.jp",
                    subcontractor="株式会社サンプル",
                ),
            ),
            *consistency_unmet(
                5,
                ConsultantFacts(
                    role="consultant",
                    active=True,
                    assigned_consultant_id=3,
                    assigned_consultant=HANAKO,
                ),
                None,
            ),
            *choice_unmet("bus", ("onsite", "web"), Phrase("mode"), "mode"),
        ],
    )
    yield TransitionRefused(
        kind="engagement",
        record_id=1,
        trigger="withdraw",
        state="in_support",
        state_label="支援中",
        allowed=("report",),
        unmet=open_dispatches_unmet(
            DispatchTally(held=1, open=(4, 7)), Phrase("before withdrawing")
        ),
    )
    for bad in ("a b@city.example.jp", "tanaka@city", "tanaka@@city.example.jp", "tanaka@-x-.jp"):
        with pytest.raises(InvalidValue) as caught:
            check_email(bad)
        yield caught.value
    for where, value, problem in (
        ("--code", "コード", code_problem("コード")),
        ("--url", "ftp://x", url_problem("ftp://x")),
        ("--planned-dispatches", 10**9, count_problem(10**9)),
        ("--date", "1999-01-01", date_problem(datetime(1999, 1, 1).date())),
    ):
        yield InvalidValue(
            where,
            value,
            Phrase(
                "{expected} ({problem})",
                expected=Phrase("one of {choices}", choices="a, b"),
                problem=problem,
            ),
        )
    note = standardization_note(361, 360)
    assert note is not None
    yield StorageUnavailable(note)  # a note, worded by the same catalog
    for url in ("mysql://x/y", "no url at all"):
        with pytest.raises(StorageUnavailable) as down:
            parse_url(url)
        yield down.value
    with pytest.raises(StorageUnavailable) as missing:
        make_engine(f"sqlite:///{tmp_path / 'none.db'}", must_exist=True)
    yield missing.value
    yield InvariantViolated(INVARIANTS["uq_engagements_open_org_theme"])
    yield ChainBroken(9, Phrase("{kind} {id} has no audit event", kind="engagement", id=2))
    from banso.engine.errors import NotFound

    yield NotFound(_history_of("dispatch"), 9, "check the kind and the id")
    yield PermissionDenied.to_fire(
        actor="jiro@contractor.example.jp",
        trigger="record",
        kind="dispatch",
        record_id=3,
        allowed_roles=("lead", "assigned consultant"),
        note=Phrase("assigned to {who}", who=HANAKO),
    )


def survey_refusals(tmp_path: Path) -> Iterator[BansoError]:
    """A survey sheet's cells, refused naming the row and column."""
    from banso.documents.survey import read_survey

    orgs = {"331007": "331007", "岡山市": "331007", "332054": "332054", "笠岡市": "332054"}
    themes = {"genai": "genai", "生成AI": "genai"}
    sheets = {
        "check-digit.csv": "団体コード,テーマ,要望内容,担当者名,メールアドレス,希望時期\n"
        "331008,genai,窓口,田中,tanaka@city.okayama.example.jp,2026-06\n",
        "name.csv": "団体コード,団体名,テーマ,要望内容,担当者名,メールアドレス,希望時期\n"
        "331007,笠岡市,genai,窓口,田中,tanaka@city.okayama.example.jp,2026-06\n",
        "theme.csv": "団体名,テーマ,要望内容,担当者名,メールアドレス,希望時期\n"
        "岡山市,quantum,窓口,田中,tanaka@city.okayama.example.jp,2026-06\n",
        "twice.csv": "団体名,テーマ,要望内容,担当者名,メールアドレス,希望時期\n"
        "岡山市,genai,窓口,田中,tanaka@city.okayama.example.jp,2026-06\n"
        "岡山市,genai,窓口,田中,tanaka@city.okayama.example.jp,2026-07\n",
        "month.csv": "団体名,テーマ,要望内容,担当者名,メールアドレス,希望時期\n"
        "岡山市,genai,窓口,田中,tanaka@city.okayama.example.jp,2030-06\n",
        "empty.csv": "団体名,テーマ,要望内容,担当者名,メールアドレス,希望時期\n"
        "岡山市,genai,,田中,tanaka@city.okayama.example.jp,2026-06\n",
    }
    for name, text in sheets.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidValue) as caught:
            read_survey(path, orgs=orgs, themes=themes)
        yield caught.value
    undecodable = tmp_path / "bytes.csv"
    undecodable.write_bytes("団体名,テーマ\n".encode() + b"\x81\x20\n")
    with pytest.raises(InvalidValue) as odd:
        read_survey(undecodable, orgs=orgs, themes=themes)
    yield odd.value


EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")
URL = re.compile(r"\w+://[\x21-\x7e]*|(?<![\w])/[\x21-\x7e]+")  # and paths
# What a person types stays as typed: commands in backquotes or after banso, flags
# and their metavariables, URLs and file names, ASCII in （…） (a command's hint).
TYPED = re.compile(
    r"`[^`]+`|banso( [a-z][\w-]*)+|--[\w-]+( [A-Z]+\b)?|\w+://\S*|[\w.-]+\.(csv|jp|db)\b"
    r"|」（[a-z][a-z-]*）|（(?=[^）]*(--|[A-Z]{2}))[\x20-\x7e…]+）|「[\x20-\x7e]+」|'[^']*'"
)
# Codes a person meets in Japanese output (theme, state and mode codes, settings).
CODES = {
    "genai",
    "in_support",
    "onsite",
    "web",
    "bus",
    "quantum",
    "mode",
    "lead",
    "Banso",
    "survey_max_bytes",
    "survey_max_rows",
    "SQLite",
    "UTF",
    "URL",
    "OS",
    "a",
    "b",
    "PATH",
    "reason",
    "REASON",
    "TEXT",
    "ID",
    "EMAIL",
    "mysql",
    "Shift_JIS",
    "Excel",
    "CP",
    "CSV",
}


def english_runs(line: str) -> list[str]:
    """Runs of two or more English words (a code alone is not a sentence)."""
    prose = TYPED.sub(" ", EMAIL.sub(" ", URL.sub(" ", line)))
    words = [w for w in re.findall(r"[A-Za-z_]{2,}", prose) if w not in CODES]
    return words


def test_every_refusal_reads_japanese_and_english_is_unchanged(tmp_path: Path) -> None:
    seen = 0
    for exc in [*refusals(tmp_path), *survey_refusals(tmp_path)]:
        line = refusal_line(exc)
        assert line.startswith("エラー：") and "\n" not in line, line
        assert english_runs(line) == [], f"{english_runs(line)}: {line}"
        i18n.set_language("en")
        try:
            english = refusal_line(exc)
        finally:
            i18n.set_language("ja")
        # English: the rule's own sentences, as they were before they became Phrases.
        assert english.startswith("banso: "), english
        for said in [u.reason for u in getattr(exc, "unmet", ())] + [getattr(exc, "expected", "")]:
            assert str(said) in english, (said, english)
        seen += 1
    assert seen == 27


def test_the_phrase_is_the_english_text_and_keeps_its_template() -> None:
    reason = quota_unmet(
        Quotas(),
        QuotaUse(
            engagement_id=2,
            month="2026-06",
            month_count=0,
            fy_count=0,
            std_count=0,
            planned=1,
            engagement_count=1,
        ),
        standardization=False,
        override=None,
        actor_role="lead",
    )[0].reason
    assert reason == (
        "approved plan: engagement 2 planned 1 dispatches and has 1; a second needs an override, "
        "with its reason, by the lead or the prefecture, or a revised plan"
    )
    assert isinstance(reason, Phrase) and reason.args["id"] == 2
    assert i18n.tr(reason) == (
        "承認済みの支援計画：案件2の予定派遣回数は1回で、すでに1回あります。2回目には、"
        "プロジェクト責任者か県が理由を添えて --override を指定するか、"
        "支援計画を変更する必要があります"
    )
    import pickle

    assert pickle.loads(pickle.dumps(Unmet(reason))).reason.template == reason.template


def test_the_record_is_named_as_people_know_it() -> None:
    exc = TransitionRefused(
        kind="engagement",
        record_id=1,
        trigger="approve_plan",
        state="requested",
        state_label="要望受付",
        allowed=(),
    )
    exc.record_name = "岡山市・生成AI"  # type: ignore[attr-defined]
    assert refusal_line(exc).startswith("エラー：案件1（岡山市・生成AI）は「要望受付」のため、")


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "ja"),
        ({"LC_ALL": "C.UTF-8"}, "ja"),
        ({"LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "ja_JP.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_GB"}, "en"),
        ({"LC_MESSAGES": "en_US.UTF-8", "BANSO_LANG": "ja"}, "ja"),
        ({"BANSO_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
    ],
)
def test_the_language_from_the_environment(environ: dict[str, str], lang: str) -> None:
    assert i18n.choose([], environ) == lang
    assert i18n.choose(["--lang", "ja"], {**environ, "BANSO_LANG": "en"}) == "ja"


def test_tables_are_drawn_by_rich_on_a_terminal_and_plain_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from banso.admin import output

    rows = [["1", "支援中", "岡山市", "生成AI"], ["12", "要望受付", "倉敷市", "RPA"]]
    headers = ["番号", "状態", "団体", "テーマ"]
    monkeypatch.setattr(output, "_terminal", lambda: False)
    plain = output.table(rows, headers)
    assert plain.splitlines()[1] == "1     支援中    岡山市  生成AI" and "\x1b" not in plain
    drawn = output.rich_table(rows, headers, columns=80)
    lines = drawn.splitlines()
    assert "─" in lines[1] and "\x1b" not in drawn  # not a terminal: no colour codes
    # Display widths, not characters: 倉敷市 starts where 岡山市 does.
    starts = [output.width(line[: line.index(city)]) for line, city in ((lines[2], "岡山市"),
              (lines[3], "倉敷市"))]  # fmt: skip
    assert starts[0] == starts[1]
    monkeypatch.setattr(output, "_terminal", lambda: True)
    assert "─" in output.table(rows, headers)
