"""Mail end to end: `banso` schedules, `banso daemon --once` delivers, a real SMTP
server (aiosmtpd on 127.0.0.1, started by the test) receives.

What arrives is parsed back with the ``email`` package and ``icalendar``: the
Japanese subject, the addressing, the signature, the invitation's METHOD, UID,
SEQUENCE and time zone. The server is absent, refuses a recipient for good
(5xx) or asks for a password the daemon does not have; messages must then wait
with a retry time, die and be reported to the lead once, come back with
`outbox retry`, and never show the SMTP password anywhere. With no
``BANSO_MAIL_URL`` the embedded default writes ``.eml`` files under ``var/mail``.

Runs on SQLite and PostgreSQL (``db_url``). The commands run in-process
(``InProcessBanso``: the same entry point, the same real SMTP server), because
an interpreter start per command was most of these tests' time; the password
test runs the installed ``banso`` in a subprocess, since what that process
prints on stdout and stderr is what it checks, and so does the ``file://``
default, a folder relative to the process's working directory.
"""

from __future__ import annotations

import base64
import email
import email.policy
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from banso.storage.db import READONLY, make_engine
from banso.storage.models import Dispatch, Engagement, Organisation
from tests.support.programme import (
    HANAKO,
    JIRO,
    LEAD,
    PREFECTURE,
    ROOT,
    START,
    Banso,
    InProcessBanso,
    programme_templates,
)
from tests.support.smtp import (
    SECRET,
    Authenticator,
    Received,
    SmtpServer,
    calendar_of,
    text_of,
)

SURVEY = ROOT / "tests" / "data" / "survey-okayama.csv"

# The first two rows of the survey: 岡山市 and 倉敷市, each with its contact.
OKAYAMA = {"org": "岡山市", "contact": "tanaka@city.okayama.example.jp", "name": "田中 一郎"}
KURASHIKI = {"org": "倉敷市", "contact": "sato@city.kurashiki.example.jp", "name": "佐藤 花子"}

DAY = "2026-04-10T09:00+09:00"  # a Friday: hearings are scheduled and the daemon runs
SIGNATURE = "受託者\nプロジェクト責任者　責任 者"  # the lead set up by tests.support.programme
AUTO_SENT = "※本メールは伴走支援管理システムから自動送信しています。"
TAG = "【DX伴走支援】"


# -- running banso with a mail URL ----------------------------------------------------


class MailBanso(Banso):
    """``Banso`` with the mail settings of this test: ``mail_url`` None leaves
    ``BANSO_MAIL_URL`` unset (the embedded default, file://var/mail)."""

    def __init__(
        self,
        cwd: Path,
        url: str,
        *,
        mail_url: str | None,
        extra: dict[str, str] | None = None,
    ) -> None:
        super().__init__(cwd, url, user=LEAD, now=DAY)
        self.mail_url = mail_url
        self.extra = dict(extra or {})

    def env(self, user: str | None, now: str | None) -> dict[str, str]:
        env = super().env(user, now)
        env.pop("BANSO_MAIL_URL", None)
        if self.mail_url is not None:
            env["BANSO_MAIL_URL"] = self.mail_url
        env.update(self.extra)
        return env

    def daemon(self, now: str) -> dict[str, Any]:
        """`daemon --once --json` at ``now``: exit 0, no traceback; the counts."""
        done = self("daemon", "--once", "--json", now=now)
        assert done.code == 0, done
        assert "Traceback" not in done.err, done.err
        report: dict[str, Any] = done.json()
        return report

    def outbox(self) -> list[dict[str, Any]]:
        """`outbox list --json`, run in-process (quick; the listing is not the point)."""
        rows: list[dict[str, Any]] = self.local().json("outbox", "list", "--limit", "1000")
        return rows

    def local(self) -> InProcessMailBanso:
        """The same runner in this process, for the steps that are not the point."""
        return InProcessMailBanso(self.cwd, self.url, mail_url=self.mail_url, extra=self.extra)


class InProcessMailBanso(MailBanso, InProcessBanso):
    """``MailBanso``'s settings, ``InProcessBanso``'s way of running."""


def programme(
    db_url: str,
    tmp_path: Path,
    mail_url: str | None,
    extra: dict[str, str] | None = None,
    *,
    in_process: bool = True,
) -> MailBanso:
    """The set-up programme plus the survey's 岡山市 and 倉敷市 engagements (1 and 2), with
    their experts agreed with the prefecture (HANAKO for 1, JIRO for 2)."""
    template = programme_templates().fresh(db_url, tmp_path, user=LEAD)
    runner = InProcessMailBanso if in_process else MailBanso
    banso = runner(template.cwd, template.url, mail_url=mail_url, extra=extra)
    lines = SURVEY.read_text(encoding="utf-8").splitlines()
    survey = tmp_path / "survey.csv"
    survey.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    # The hearings due the setting's business days after the import, as these walks expect.
    banso.local().ok("survey", "import", str(survey), "--hearing-by", "days", now=START)
    assert engagement_orgs(banso.url) == {1: OKAYAMA["org"], 2: KURASHIKI["org"]}
    for eid, consultant in (("1", HANAKO), ("2", JIRO)):
        agree_expert(banso, eid, consultant)
    return banso


def agree_expert(
    banso: MailBanso, eid: str, consultant: str, *extra: str, now: str = START
) -> None:
    """§6(2)①: the lead proposes the consultant, the prefecture agrees (no mail either way)."""
    banso.local().ok("engagement", "propose-expert", eid, "--consultant", consultant, *extra,
                     now=now)  # fmt: skip
    banso.local().ok("engagement", "agree-expert", eid, user=PREFECTURE, now=now)


def engagement_orgs(url: str) -> dict[int, str]:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(
                select(Engagement.id, Organisation.name).join(
                    Organisation, Organisation.id == Engagement.org_id
                )
            ).all()
        return {int(i): str(name) for i, name in rows}
    finally:
        engine.dispose()


def version_of(url: str, model: type[Engagement] | type[Dispatch], ident: int) -> int:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            return int(conn.scalar(select(model.version).where(model.id == ident)) or 0)
    finally:
        engine.dispose()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def later(moment: datetime, **delta: float) -> str:
    return (moment + timedelta(**delta)).isoformat()


# -- the SMTP server -------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    s = SmtpServer()
    s.start()
    yield s
    s.stop()


@pytest.fixture
def absent_server() -> Iterator[SmtpServer]:
    """A free port where nothing listens until the test starts the server."""
    s = SmtpServer()
    yield s
    s.stop()


# -- reading what arrived --------------------------------------------------------------


def parsed(received: list[Received]) -> list[tuple[Received, EmailMessage]]:
    return [(r, r.parsed()) for r in received]


def to_whom(
    mails: list[tuple[Received, EmailMessage]], address: str, subject_part: str = ""
) -> list[EmailMessage]:
    return [m for r, m in mails if r.rcpt_tos == (address,) and subject_part in str(m["Subject"])]


def invitation_of(msg: EmailMessage) -> tuple[str, str, int, Any]:
    """(METHOD, UID, SEQUENCE, the VEVENT) of the one ``.ics`` attached, checked
    to be Tokyo-zoned and consistent with its MIME part."""
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_filename() == "invite.ics"
    cal = calendar_of(part)
    method = str(cal["METHOD"])
    assert part.get_param("method") == method, "the MIME part names the calendar's method"
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Asia/Tokyo"
    [event] = cal.walk("VEVENT")
    for name in ("DTSTART", "DTEND"):
        assert event[name].params["TZID"] == "Asia/Tokyo", name
    return method, str(event["UID"]), int(event["SEQUENCE"]), event


def check_mail(got: Received, msg: EmailMessage, *, to: str, addressing: str, tag: str) -> str:
    """A parseable UTF-8 mail in Japanese business form; returns its text."""
    assert got.rcpt_tos == (to,)
    assert msg["To"] == to
    [sender] = msg["From"].addresses
    assert (sender.addr_spec, sender.display_name) == (LEAD, "受託者 責任 者")
    head = got.content.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers travel as 7 bit
    assert "Subject: =?utf-8?" in head, "the subject is RFC 2047 encoded"
    subject = str(msg["Subject"])
    assert subject.startswith(TAG + tag), subject
    assert msg["Message-ID"] and msg["Auto-Submitted"] == "auto-generated"
    body = msg.get_body(("plain",))
    assert isinstance(body, EmailMessage) and body.get_content_charset() == "utf-8"
    text = text_of(msg)
    assert text.splitlines()[0] == addressing, text[:80]
    for leftover in ("{{", "}}", "{%", "%}"):
        assert leftover not in text, f"unrendered {leftover} in:\n{text}"
    assert SIGNATURE in text and f"E-mail: {LEAD}" in text
    assert AUTO_SENT in text
    return text


def everything_in(msg: EmailMessage) -> str:
    """Subject, text and every attachment decoded: what a reader can see."""
    parts = [str(msg["Subject"]), text_of(msg)]
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        parts.append(data.decode("utf-8"))
    return "\n".join(parts)


# -- invitations ----------------------------------------------------------------------


def test_hearing_invitations_a_reschedule_and_a_cancellation_reach_the_server(
    db_url: str, tmp_path: Path, server: SmtpServer
) -> None:
    banso = programme(db_url, tmp_path, server.url)
    banso.ok(
        "engagement", "schedule-hearing", "1", "--at", "2026-04-21T10:00", "--consultant", HANAKO
    )
    banso.ok(
        "engagement", "schedule-hearing", "2", "--at", "2026-04-22T14:00", "--consultant", JIRO
    )
    report = banso.daemon(DAY)
    assert report["dead"] == 0 and report["retried"] == 0
    assert report["sent"] == len(server.handler.received)
    mails = parsed(server.handler.received)

    # One invitation per recipient: the municipal contact and the consultant.
    first_seq = version_of(banso.url, Engagement, 1)
    for ident, city, consultant, consultant_name in (
        (1, OKAYAMA, HANAKO, "佐藤 花子"),
        (2, KURASHIKI, JIRO, "鈴木 次郎"),
    ):
        seq = version_of(banso.url, Engagement, ident)
        for address, addressing in (
            (city["contact"], f"{city['org']} {city['name']} 様"),
            (consultant, f"{consultant_name} 様"),
        ):
            # (the contact also heard who its consultant is, when the prefecture agreed)
            [(got, msg)] = [(r, m) for r, m in mails
                            if r.rcpt_tos == (address,) and "ヒアリング" in str(m["Subject"])]
            text = check_mail(got, msg, to=address, addressing=addressing, tag="")
            subject = str(msg["Subject"])
            assert subject.startswith(f"{TAG}ヒアリング日程のご案内（{city['org']}・")
            assert f"■ 団体　：{city['org']}" in text
            method, uid, sequence, event = invitation_of(msg)
            assert (method, uid, sequence) == ("REQUEST", f"engagement-{ident}@banso", seq)
            assert {str(a) for a in event.get("ATTENDEE")} == {
                f"mailto:{city['contact']}",
                f"mailto:{consultant}",
            }
    assert "令和8年4月21日（火）10:00" in text_of(
        to_whom(mails, OKAYAMA["contact"], "ヒアリング")[0]
    )

    # Rescheduling: the same event (UID), a higher SEQUENCE, the new time.
    before = len(server.handler.received)
    banso.ok(
        "engagement",
        "schedule-hearing",
        "1",
        "--at",
        "2026-04-23T15:30",
        "--consultant",
        HANAKO,
        now="2026-04-13T10:00+09:00",
    )
    banso.daemon("2026-04-13T10:00+09:00")
    mails = parsed(server.handler.received)
    moved = parsed(server.handler.received[before:])
    for address in (OKAYAMA["contact"], HANAKO):
        [msg] = to_whom(moved, address, "ヒアリング")
        assert "日程変更" in str(msg["Subject"])
        method, uid, sequence, event = invitation_of(msg)
        assert (method, uid) == ("REQUEST", "engagement-1@banso")
        assert sequence == version_of(banso.url, Engagement, 1) > first_seq
        assert event.decoded("DTSTART").isoformat() == "2026-04-23T15:30:00+09:00"
        assert "令和8年4月23日（木）15:30" in text_of(msg)
    assert not [r for r, _ in moved if r.rcpt_tos in ((KURASHIKI["contact"],), (JIRO,))]

    # Up to a dispatch (in-process: the walk is not the point), then cancel it.
    walk = banso.local()
    walk.now = "2026-04-24T10:00+09:00"
    walk.ok("engagement", "record-hearing", "1", "--findings", "運用手順が未整備", user=HANAKO)
    walk.ok("engagement", "draft-plan", "1", "--goals", "運用手順書の整備", user=HANAKO)
    walk.ok("engagement", "approve-plan", "1", user=PREFECTURE)
    walk.ok("engagement", "start", "1")
    walk.ok("dispatch", "plan", "1", "--at", "2026-05-12T13:30", "--mode", "onsite", user=HANAKO)
    before = len(server.handler.received)
    banso.ok(
        "dispatch", "cancel", "1", "--reason", "先方の都合により中止", now="2026-04-27T10:00+09:00"
    )
    banso.daemon("2026-04-27T10:00+09:00")
    mails = parsed(server.handler.received)
    latest = parsed(server.handler.received[before:])
    for address, addressing in (
        (OKAYAMA["contact"], f"岡山市 {OKAYAMA['name']} 様"),
        (HANAKO, "佐藤 花子 様"),
    ):
        [request] = to_whom(latest, address, "日程のご案内（仮）（岡山市")
        [cancel] = to_whom(latest, address, "【中止】")
        got = _received_for(server, cancel)
        check_mail(got, cancel, to=address, addressing=addressing, tag="")
        assert str(cancel["Subject"]).startswith(f"{TAG}【中止】専門人材派遣（岡山市・")
        # The free-text reason stays inside the contractor; outside reads the wording.
        inside = address == HANAKO
        assert ("先方の都合により中止" in text_of(cancel)) is inside
        assert "諸般の事情により中止" in text_of(cancel)
        r_method, r_uid, r_seq, r_event = invitation_of(request)
        c_method, c_uid, c_seq, c_event = invitation_of(cancel)
        assert (r_method, c_method) == ("REQUEST", "CANCEL")
        assert r_uid == c_uid == "dispatch-1@banso"
        assert c_seq == version_of(banso.url, Dispatch, 1) > r_seq
        assert str(c_event["STATUS"]) == "CANCELLED"
        assert str(r_event["STATUS"]) == "TENTATIVE", "a planned dispatch is not confirmed yet"
        assert str(r_event["LOCATION"]) == "岡山市", "an on-site dispatch names the place"

    # §11: nothing about one organisation reaches the other's people.
    assert_confidential(mails)
    seen = Counter(m["Message-ID"] for _, m in mails)
    assert set(seen.values()) == {1}, "no mail arrived twice"


def test_a_hearing_moved_to_another_consultant_is_cancelled_for_the_former_one(
    sqlite_url: str, tmp_path: Path, server: SmtpServer
) -> None:
    banso = programme(sqlite_url, tmp_path, server.url)
    banso.ok(
        "engagement", "schedule-hearing", "1", "--at", "2026-04-21T10:00", "--consultant", HANAKO
    )
    banso.daemon(DAY)
    before = len(server.handler.received)
    moved_at = "2026-04-13T10:00+09:00"
    agree_expert(banso, "1", JIRO, "--override", "担当の交代", now=moved_at)
    banso.ok(
        "engagement",
        "schedule-hearing",
        "1",
        "--at",
        "2026-04-22T10:00",
        "--consultant",
        JIRO,
        "--override",
        "担当の交代",
        now=moved_at,
    )
    banso.daemon(moved_at)
    latest = parsed(server.handler.received[before:])
    sequence = version_of(banso.url, Engagement, 1)
    for address in (OKAYAMA["contact"], JIRO):
        [msg] = to_whom(latest, address, "ヒアリング")
        assert invitation_of(msg)[:3] == ("REQUEST", "engagement-1@banso", sequence)
    cancels = [
        m
        for m in to_whom(latest, HANAKO)
        if list(m.iter_attachments()) and invitation_of(m)[0] == "CANCEL"
    ]
    assert len(cancels) == 1, "the former consultant is told the hearing is off for them"
    assert invitation_of(cancels[0])[1:3] == ("engagement-1@banso", sequence)


def assert_confidential(mails: list[tuple[Received, EmailMessage]]) -> None:
    """Mail to 倉敷市's contact (or its consultant) never mentions 岡山市, and vice versa."""
    sides = (
        ({KURASHIKI["contact"], JIRO}, (OKAYAMA["org"], OKAYAMA["contact"])),
        ({OKAYAMA["contact"], HANAKO}, (KURASHIKI["org"], KURASHIKI["contact"])),
    )
    checked = Counter[str]()
    for got, msg in mails:
        for readers, foreign in sides:
            if set(got.rcpt_tos) & readers:
                seen = everything_in(msg)
                for word in foreign:
                    assert word not in seen, f"mail to {got.rcpt_tos} mentions {word}:\n{seen}"
                checked[next(iter(set(got.rcpt_tos) & readers))] += 1
    assert checked[KURASHIKI["contact"]] >= 1 and checked[OKAYAMA["contact"]] >= 3, checked


# -- an absent server, a refusing server ----------------------------------------------------


def test_an_absent_server_keeps_messages_until_it_is_back_then_each_arrives_once(
    db_url: str, tmp_path: Path, absent_server: SmtpServer
) -> None:
    server = absent_server
    banso = programme(db_url, tmp_path, server.url)
    banso.ok(
        "engagement", "schedule-hearing", "1", "--at", "2026-04-21T10:00", "--consultant", HANAKO
    )

    report = banso.daemon(DAY)
    assert report["sent"] == 0 and report["dead"] == 0 and report["retried"] >= 2
    rows = banso.json("outbox", "list", "--limit", "1000")  # as the operator would look
    assert len(rows) == report["retried"]
    for row in rows:
        assert row["state"] == "failed" and row["attempts"] == 1, row
        assert "cannot connect" in row["last_error"], row
        assert at(row["next_attempt_at"]) > at(DAY), "a retry time after now"
    assert {r["kind"] for r in rows} >= {"hearing_invitation"}

    # The server is back, but before the retry time nothing is tried again.
    server.start()
    again = banso.daemon(DAY)
    assert (again["sent"], again["retried"]) == (0, 0)
    assert all(r["attempts"] == 1 for r in banso.outbox())
    assert server.handler.received == []

    retry_at = max(at(r["next_attempt_at"]) for r in rows)
    back = banso.daemon(later(retry_at, seconds=1))
    assert (back["sent"], back["retried"], back["dead"]) == (len(rows), 0, 0)
    assert banso.daemon(later(retry_at, hours=1))["sent"] == 0, "nothing left to send"

    ids = Counter(r.parsed()["Message-ID"] for r in server.handler.received)
    assert set(ids.values()) == {1}, "each message arrives exactly once"
    final = banso.outbox()
    assert sorted(ids) == sorted(r["message_id"] for r in final)
    assert all(r["state"] == "sent" and r["attempts"] == 1 for r in final)
    invite = to_whom(parsed(server.handler.received), OKAYAMA["contact"], "ヒアリング")
    assert [invitation_of(m)[0] for m in invite] == ["REQUEST"]


def test_a_permanent_refusal_is_dead_the_lead_is_told_once_and_retry_requeues(
    db_url: str, tmp_path: Path, server: SmtpServer
) -> None:
    contact = OKAYAMA["contact"]
    banso = programme(db_url, tmp_path, server.url)
    # The set-up's own mail (the prefecture asked, the contact told of its consultant)
    # goes out first; from then on the contact's address is refused.
    banso.daemon("2026-04-01T10:00+09:00")
    server.handler.refuse.add(contact)  # 550 for this address, for good
    banso.ok(
        "engagement", "schedule-hearing", "1", "--at", "2026-04-21T10:00", "--consultant", HANAKO
    )

    first = banso.daemon(DAY)
    assert first["dead"] == 1 and first["retried"] == 0
    [dead] = [r for r in banso.outbox() if r["state"] == "dead"]
    assert dead["to"] == [contact] and dead["kind"] == "hearing_invitation"
    assert dead["attempts"] == 1 and dead["next_attempt_at"] is None
    assert "550" in dead["last_error"]
    assert len(to_whom(parsed(server.handler.received), HANAKO, "ヒアリング")) == 1

    # The lead hears of it once, however many passes follow.
    start = at(DAY)
    for hours in (1, 26):
        banso.daemon(later(start, hours=hours))
    notices = to_whom(parsed(server.handler.received), LEAD, "【送信失敗】")
    assert len(notices) == 1
    text = check_mail(
        _received_for(server, notices[0]),
        notices[0],
        to=LEAD,
        addressing="責任 者 様",
        tag="【送信失敗】",
    )
    assert contact in text and dead["subject"] in text and "550" in text
    assert f"banso outbox retry {dead['id']}" in text and "宛先が存在しません" in text

    # Only the lead or the prefecture may requeue it.
    line = banso.refused("outbox", "retry", str(dead["id"]), user=HANAKO)
    assert line.startswith(f"banso: {HANAKO} may not use `banso outbox retry`"), line
    server.handler.refuse.discard(contact)
    retried = banso.json("outbox", "retry", str(dead["id"]))
    assert retried == {"id": dead["id"], "state": "queued", "by": LEAD}
    [row] = [r for r in banso.outbox() if r["id"] == dead["id"]]
    assert row["state"] == "queued" and row["attempts"] == 0

    report = banso.daemon(later(start, hours=27))
    assert report["dead"] == 0
    [row] = [r for r in banso.outbox() if r["id"] == dead["id"]]
    assert row["state"] == "sent"
    mails = parsed(server.handler.received)
    [invite] = to_whom(mails, contact, "ヒアリング")
    assert invite["Message-ID"] == dead["message_id"]
    assert invitation_of(invite)[:2] == ("REQUEST", "engagement-1@banso")
    assert len(to_whom(mails, LEAD, "【送信失敗】")) == 1, "no second notice"


def _received_for(server: SmtpServer, msg: EmailMessage) -> Received:
    [got] = [r for r in server.handler.received if r.parsed()["Message-ID"] == msg["Message-ID"]]
    return got


# -- the file:// default --------------------------------------------------------------------


def test_without_a_mail_url_the_daemon_writes_eml_files_under_var_mail(
    sqlite_url: str, tmp_path: Path
) -> None:
    # The default folder is relative to the working directory: a real process in
    # its own. SQLite only: where the files go does not depend on the backend.
    banso = programme(sqlite_url, tmp_path, None, in_process=False)
    banso.ok(
        "engagement", "schedule-hearing", "2", "--at", "2026-04-22T14:00", "--consultant", JIRO
    )
    report = banso.daemon(DAY)
    assert report["sent"] >= 3 and report["retried"] == report["dead"] == 0

    folder = tmp_path / "var" / "mail"
    files = sorted(folder.iterdir())
    assert len(files) == report["sent"] and all(f.suffix == ".eml" for f in files)
    by_id: dict[str, EmailMessage] = {}
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        assert not msg.defects, (f, msg.defects)
        by_id[str(msg["Message-ID"])] = msg
    rows = banso.outbox()
    assert sorted(by_id) == sorted(r["message_id"] for r in rows)
    assert all(r["state"] == "sent" for r in rows)
    [invite] = [m for m in by_id.values()
                if m["To"] == KURASHIKI["contact"] and "ヒアリング" in str(m["Subject"])]
    assert str(invite["Subject"]) == (
        TAG + "ヒアリング日程のご案内（倉敷市・フロントヤード改革（書かない窓口））"
    )
    assert text_of(invite).startswith(f"倉敷市 {KURASHIKI['name']} 様\n")
    assert invitation_of(invite)[:2] == ("REQUEST", "engagement-2@banso")


# -- the SMTP password ----------------------------------------------------------------------


# Login without TLS is what this loopback test needs; aiosmtpd warns about it.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_smtp_password_never_appears_even_when_the_server_refuses(
    db_url: str, tmp_path: Path
) -> None:
    auth = Authenticator("banso", "the-server-wants-another-one")
    server = SmtpServer(auth=auth)
    server.start()
    try:
        banso = programme(
            db_url,
            tmp_path,
            server.url,
            extra={"BANSO_SMTP_USER": "banso", "BANSO_SMTP_PASSWORD": SECRET},
            in_process=False,  # the real process's stdout and stderr are searched
        )
        banso.ok(
            "engagement",
            "schedule-hearing",
            "1",
            "--at",
            "2026-04-21T10:00",
            "--consultant",
            HANAKO,
        )
        forms = [
            SECRET,
            base64.b64encode(SECRET.encode()).decode(),
            base64.b64encode(f"\0banso\0{SECRET}".encode()).decode(),
            "s3cr3t",
        ]
        outputs: list[str] = []

        def run(now: str) -> dict[str, Any]:
            done = banso("daemon", "--once", "--json", now=now)
            assert done.code == 0, done
            outputs.extend([done.out, done.err])
            report: dict[str, Any] = done.json()
            return report

        # The login is refused (535): every message waits, the error says why.
        first = run(DAY)
        assert first["sent"] == 0 and first["retried"] >= 2
        rows = banso.outbox()
        assert all("535" in r["last_error"] for r in rows), rows
        assert "mail.connect_failed" in outputs[-1], "the refusal is logged"

        # Now the password is right but the contact is refused for good (550):
        # dead, and the lead's notice quotes the error.
        auth.password = SECRET
        server.handler.refuse.add(OKAYAMA["contact"])
        retry_at = max(at(r["next_attempt_at"]) for r in rows)
        second = run(later(retry_at, seconds=1))
        # Both of the contact's mails: who its consultant is, and the invitation.
        assert second["dead"] == 2 and second["sent"] >= 1
        third = run(later(retry_at, minutes=5))
        assert third["sent"] == 2, "the dead-letter notices to the lead"
        listing = banso.local()("outbox", "list", "--json", "--limit", "1000")
        outputs.extend([listing.out, listing.err])
        received = [everything_in(m) for _, m in parsed(server.handler.received)]
        assert any("【送信失敗】" in text for text in received)

        for form in forms:
            for text in outputs + received:
                assert form not in text, f"the SMTP password ({form!r}) leaked:\n{text}"
    finally:
        server.stop()
