"""A year of mail, stepped day by day through `banso daemon --once` (slow).

The sample programme (`init --sample okayama`, the survey's five
organisations) runs from 2026-04-01 to a month after the contract end, with a
real SMTP server (aiosmtpd) receiving: one engagement goes the whole way on
time, one hearing is held late, three are never held; the kickoff stands for
April's regular meeting, some months have none; the August report is late and
the lead sends a delay notice; the completion report is never submitted.

What the prefecture receives is counted by kind and printed (`-s` shows the
table). It gets no copy of an internal target, no item gets more overdue
notices than the cap, and after 2027-03-31 nothing goes out but the
completion report's follow-up. Every body parsed from the server has no
template residue, no ISO date, no `banso ` command for anyone outside the
contractor, the department in its address line, the display name in From and
the subject tag; every invitation names a URL or a place and an end time; a
tentative dispatch's .ics is TENTATIVE.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from banso.storage.db import READONLY, make_engine
from banso.storage.models import OutboxRow
from tests.support import tally
from tests.support.programme import (
    HANAKO,
    LEAD,
    PREFECTURE,
    ROOT,
    START,
    InProcessBanso,
    programme_templates,
)
from tests.support.smtp import SmtpServer, calendar_of, text_of

pytestmark = pytest.mark.slow

SURVEY = ROOT / "tests" / "data" / "survey-okayama.csv"
TAG = "【DX伴走支援】"
CAP = 3
END = date(2027, 3, 31)
LAST = date(2027, 4, 30)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}|\+09:00")
OUTSIDE_KINDS = {
    "approval_request",
    "delay_notice",
    "meeting_invitation",
    "meeting_cancelled",
    "expert_proposal",  # §6(2)①: the prefecture is asked to agree to each consultant
}
INVITATIONS = {"hearing_invitation", "dispatch_invitation", "meeting_invitation"}


class YearBanso(InProcessBanso):
    def __init__(self, cwd: Path, url: str, mail_url: str) -> None:
        super().__init__(cwd, url, user=LEAD, now=START)
        self.mail_url = mail_url

    def env(self, user: str | None, now: str | None) -> dict[str, str]:
        env = super().env(user, now)
        env["BANSO_MAIL_URL"] = self.mail_url
        return env


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    s = SmtpServer()
    s.start()
    yield s
    s.stop()


def at(day: date, hour: int = 9) -> str:
    return f"{day.isoformat()}T{hour:02d}:00+09:00"


def outbox(url: str) -> list[OutboxRow]:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            return list(conn.execute(select(OutboxRow)).all())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_a_year_of_mail(tmp_path: Path, server: SmtpServer) -> None:
    url = f"sqlite:///{tmp_path / 'banso.db'}"
    template = programme_templates().fresh(url, tmp_path, user=LEAD)
    (tmp_path / "banso.toml").write_text(
        '[mail]\nmessage_id_domain = "banso.contractor.example.jp"\n'
        'address = "東京都千代田区1-2-3"\nphone = "03-0000-0000"\n',
        encoding="utf-8",
    )
    banso = YearBanso(template.cwd, template.url, server.url)
    config = ("--config", str(tmp_path / "banso.toml"))

    def run(*args: str, day: date, user: str | None = LEAD, hour: int = 15) -> Any:
        done = banso(*config, *args, user=user, now=at(day, hour))
        assert done.code == 0, f"banso {' '.join(args)} → {done}"
        # Notes (what moved, a target passed) are fine; nothing else on stderr.
        assert all(line.startswith("banso: note: ") for line in done.err.splitlines()), done
        return done

    # The survey's five organisations, each contact with a department.
    lines = SURVEY.read_text(encoding="utf-8").splitlines()
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "\n".join([lines[0] + ",担当部署", *(line + ",企画課" for line in lines[1:])]) + "\n",
        encoding="utf-8",
    )
    run("survey", "import", str(survey), "--hearing-by", "days", day=date(2026, 4, 1))

    # The script of the year: (day, command); the daemon runs every morning.
    script: dict[date, list[tuple[tuple[str, ...], str | None]]] = {}

    def on(day: date, *args: str, user: str | None = LEAD) -> None:
        script.setdefault(day, []).append((args, user))

    on(
        date(2026, 4, 2),
        "meeting",
        "schedule",
        "kickoff",
        "--at",
        "2026-04-14T10:00",
        "--place",
        "岡山県庁 3階 会議室",
        "--purpose",
        "事業の進め方の確認",
    )
    on(date(2026, 4, 14), "meeting", "hold", "1", "--minutes", "キックオフ")
    # §6(2)①: the prefecture agrees to the expert before any hearing.
    for eid in ("1", "2"):
        on(date(2026, 4, 3), "engagement", "propose-expert", eid, "--consultant", HANAKO)
        on(date(2026, 4, 3), "engagement", "agree-expert", eid, user=PREFECTURE)
    # Engagement 1 on time, the whole way.
    on(
        date(2026, 4, 6),
        "engagement",
        "schedule-hearing",
        "1",
        "--at",
        "2026-04-13T10:00",
        "--consultant",
        HANAKO,
        "--url",
        "https://meet.example.jp/h1",
        "--duration",
        "60",
        "--purpose",
        "現状と課題の確認",
        "--prepare",
        "現行の業務フロー図",
    )
    on(
        date(2026, 4, 13),
        "engagement",
        "record-hearing",
        "1",
        "--findings",
        "運用課題を整理した",
        user=HANAKO,
    )
    on(
        date(2026, 4, 15),
        "engagement",
        "draft-plan",
        "1",
        "--goals",
        "運用手順の標準化",
        "--planned-dispatches",
        "2",
        user=HANAKO,
    )
    on(date(2026, 4, 20), "engagement", "approve-plan", "1", user=PREFECTURE)
    on(date(2026, 4, 21), "engagement", "start", "1")
    on(
        date(2026, 5, 7),
        "dispatch",
        "plan",
        "1",
        "--at",
        "2026-05-20T13:30",
        "--mode",
        "onsite",
        "--place",
        "岡山市役所 本庁舎5階",
        "--purpose",
        "運用手順の確認",
        user=HANAKO,
    )
    on(date(2026, 5, 12), "dispatch", "confirm", "1", user=HANAKO)
    on(
        date(2026, 5, 21),
        "dispatch",
        "record",
        "1",
        "--summary",
        "運用手順を確認",
        "--hours",
        "2",
        user=HANAKO,
    )
    # Engagement 2: the hearing late (its 10 business days end in mid-April).
    on(
        date(2026, 6, 1),
        "engagement",
        "schedule-hearing",
        "2",
        "--at",
        "2026-06-05T14:00",
        "--consultant",
        HANAKO,
        "--url",
        "https://meet.example.jp/h2",
    )
    # Regular meetings in some months only; the rest become overdue.
    for month in (5, 6, 7, 9, 10, 11, 12):
        day = date(2026, month, 15)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        on(
            day - timedelta(days=7),
            "meeting",
            "schedule",
            "monthly",
            "--at",
            f"{day.isoformat()}T14:00",
            "--url",
            "https://meet.example.jp/monthly",
        )
    on(
        date(2027, 2, 15),
        "meeting",
        "schedule",
        "report",
        "--at",
        "2027-03-10T14:00",
        "--place",
        "岡山県庁 講堂",
        "--purpose",
        "支援成果の報告",
    )

    listed = banso.json(*config, "deliverable", "list", "--kind", "monthly_report",
                        now=at(date(2026, 4, 1), 15))  # fmt: skip
    monthly_ids = {_month_of(r["title"]): r["id"] for r in listed}
    for period, target in monthly_ids.items():
        first = date.fromisoformat(f"{period}-01")
        submit = (first + timedelta(days=40)).replace(day=8)
        if period == "2027-03":
            submit = date(2027, 3, 25)
        while submit.weekday() >= 5:
            submit += timedelta(days=1)
        if period == "2026-08":
            # Late: the daemon asks the lead, who tells the prefecture, then submits.
            on(date(2026, 9, 14), "deliverable", "notify-delay", str(target), "--until",
               "2026-09-18", "--reason", "集計の確認に時間を要しているため")  # fmt: skip
            submit = date(2026, 9, 18)
        on(submit, "deliverable", "submit", str(target))

    day = date(2026, 4, 1)
    while day <= LAST:
        done = banso(*config, "daemon", "--once", "--json", user=None, now=at(day))
        assert done.code == 0 and "Traceback" not in done.err, done
        for args, user in script.get(day, []):
            run(*args, day=day, user=user)
        day += timedelta(days=1)

    rows = outbox(url)
    received = server.handler.received
    assert received, "the SMTP server received nothing"
    tally.count("soak", (LAST - date(2026, 4, 1)).days + 1)
    tally.count("messages", len(received))

    # What the prefecture received, by kind.
    to_pref = [r for r in rows if PREFECTURE in list(r.to) + list(r.cc)]
    kinds = Counter(r.kind for r in to_pref)
    print("\nmail to the prefecture, by kind")
    for kind, n in sorted(kinds.items()):
        print(f"  {kind:24} {n:4}")
    print(f"  {'(all mail)':24} {len(rows):4}")
    assert set(kinds) <= OUTSIDE_KINDS, kinds
    assert not [r for r in to_pref if r.kind.startswith("deadline")]
    assert kinds["delay_notice"] == 1 and kinds["approval_request"] >= 2

    # The late report made the daemon ask the lead for a delay notice.
    asked = [r for r in rows if r.kind == "deadline_overdue" and "notify-delay" in r.text_body]
    assert asked and all(list(r.to) == [LEAD] for r in asked)

    # At most CAP overdue notices per deadline.
    per_deadline = Counter(r.key.split(":")[1] for r in rows if r.kind == "deadline_overdue")
    assert per_deadline and max(per_deadline.values()) <= CAP, per_deadline

    # After the contract end: only the completion report's follow-up.
    completion = {
        r.about_id for r in rows if r.kind.startswith("deadline") and "業務完了報告書" in r.subject
    }
    late = [r for r in rows if r.created_at.date() > END]

    def follow_up(r: OutboxRow) -> bool:
        if r.kind == "daily_digest":  # the lead's list, by then only the completion report
            return "業務完了報告書" in r.text_body and "ヒアリング" not in r.text_body
        return r.kind.startswith("deadline") and r.about_id in completion

    assert late and all(follow_up(r) for r in late), [(r.kind, r.subject) for r in late]

    # Every body as it arrived.
    people_outside = {PREFECTURE} | {
        r for row in rows for r in row.to if "example.jp" in r and "contractor" not in r
    }
    for got in received:
        msg = got.parsed()
        subject = str(make_header(decode_header(str(msg["Subject"]))))
        body = text_of(msg)
        assert subject.startswith(TAG), subject
        assert "{{" not in body and "{%" not in body
        assert ISO.search(body) is None, (subject, ISO.search(body))
        sender = str(make_header(decode_header(str(msg["From"]))))
        assert "受託者" in sender and "<lead@contractor.example.jp>" in sender, sender
        assert str(msg["Message-ID"]).endswith("@banso.contractor.example.jp>")
        outside = any(a in people_outside for a in got.rcpt_tos)
        if outside:
            assert "banso " not in body, subject
        if any(a.endswith(".lg.jp") or "city." in a or "town." in a for a in got.rcpt_tos):
            assert "企画課" in body.splitlines()[0], body.splitlines()[0]
    by_id = {r.message_id.strip("<>").split("@")[0]: r for r in rows}
    tentative = 0
    for got in received:
        msg = got.parsed()
        row = by_id[str(msg["Message-ID"]).strip("<>").split("@")[0]]
        if row.kind in INVITATIONS:
            body = text_of(msg)
            assert "会議URL：" in body or "場所　：" in body, body
            assert "〜" in body, "an end time"
        if row.kind == "dispatch_invitation" and "（仮）" in row.subject:
            [part] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
            event = calendar_of(part).walk("VEVENT")[0]
            assert str(event["STATUS"]) == "TENTATIVE"
            tentative += 1
    assert tentative >= 1


def _month_of(title: str) -> str:
    """ "月次業務報告書（令和8年4月分）" → "2026-04"."""
    found = re.search(r"令和(\d+)年(\d+)月分", title)
    assert found, title
    year = 2018 + int(found.group(1))
    return f"{year}-{int(found.group(2)):02d}"
