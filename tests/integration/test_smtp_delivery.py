"""The outbox sender against a real SMTP server on loopback (aiosmtpd), and the
file transport against a real folder.

The server is told how to answer (accept, 4xx, 5xx, drop the connection) or
is not started at all; messages must then stay queued, come back with growing
backoff, and arrive exactly once when the server does. What arrives is parsed
back with the ``email`` package and ``icalendar``.
"""

from __future__ import annotations

import email
import email.policy
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from structlog.testing import capture_logs

from banso.engine.errors import InvalidValue
from banso.engine.outbox import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    OutgoingMessage,
    QueuedMessage,
    message_id_for,
)
from banso.notifications.ics import invitation
from banso.notifications.mime import build
from banso.notifications.render import MailRenderer
from banso.notifications.sender import DeliveryReport, deliver
from banso.notifications.transport import DeliveryError, FileTransport, Transport, open_transport
from tests.support.mail_examples import EXTRA, common
from tests.support.smtp import SECRET, Authenticator, SmtpServer, calendar_of, text_of

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
LEAD = "yamada@contractor.example.jp"
CONTACT = "tanaka@city.kurashiki.example.jp"


# -- an in-memory outbox ---------------------------------------------------------------


class FakeOutboxStore:
    """engine.outbox.OutboxStore (and Outbox) in memory, with SqlOutboxStore's rules:
    claim takes due queued / failed / lease-expired sending rows and leases them;
    mark_failed counts the attempt."""

    def __init__(self) -> None:
        self.rows: dict[int, QueuedMessage] = {}
        self.retry_times: dict[int, list[datetime]] = {}

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        known = {q.message.key for q in self.rows.values()}
        added = 0
        for m in messages:
            if m.key in known:
                continue
            row_id = len(self.rows) + 1
            self.rows[row_id] = QueuedMessage(
                id=row_id,
                message=m,
                state=QUEUED,
                attempts=0,
                message_id=message_id_for(m.key),
                next_attempt_at=now,
                created_at=now,
            )
            known.add(m.key)
            added += 1
        return added

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedMessage]:
        due = sorted(
            (
                q
                for q in self.rows.values()
                if q.state in (QUEUED, FAILED, SENDING)
                and q.next_attempt_at is not None
                and q.next_attempt_at <= now
            ),
            key=lambda q: (q.next_attempt_at or now, q.id),
        )[:limit]
        claimed = [replace(q, state=SENDING, next_attempt_at=now + lease) for q in due]
        for q in claimed:
            self.rows[q.id] = q
        return claimed

    def mark_sent(self, message_id: int, at: datetime) -> None:
        q = self.rows[message_id]
        self.rows[message_id] = replace(q, state=SENT, sent_at=at, next_attempt_at=None)

    def mark_failed(
        self, message_id: int, error: str, at: datetime, retry_at: datetime | None
    ) -> None:
        q = self.rows[message_id]
        if q.state == SENT:
            return
        self.rows[message_id] = replace(
            q,
            state=DEAD if retry_at is None else FAILED,
            attempts=q.attempts + 1,
            last_error=error,
            next_attempt_at=retry_at,
        )
        if retry_at is not None:
            self.retry_times.setdefault(message_id, []).append(retry_at)

    def states(self) -> Counter[str]:
        return Counter(q.state for q in self.rows.values())


# -- a real SMTP server (tests.support.smtp) ---------------------------------------------


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    s = SmtpServer()
    s.start()
    yield s
    s.stop()


@pytest.fixture
def absent_server() -> Iterator[SmtpServer]:
    """A port where nothing listens yet; the test may start the server later."""
    s = SmtpServer()
    yield s
    s.stop()


# -- messages ----------------------------------------------------------------------------

RENDERER = MailRenderer()
COMMON: dict[str, Any] = common(dept="デジタル推進室")
COMMON["lead"] = {**COMMON["lead"], "email": LEAD}


def reminder(key: str, to: str = CONTACT) -> OutgoingMessage:
    return RENDERER.compose(
        key=key,
        kind="deadline_reminder",
        to=(to,),
        context={
            **COMMON,
            "title": "支援計画書の提出（倉敷市・生成AI）",
            "due": date(2026, 6, 5),
            "explanation": "起算日（令和8年5月29日）から5営業日以内",
            "days": 4,
        },
    )


def hearing_invitation(key: str = "event:7:" + CONTACT) -> OutgoingMessage:
    at = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    ics = invitation(
        uid="engagement-12@banso",
        sequence=1,
        method="REQUEST",
        start=at,
        end=at + timedelta(hours=1),
        summary="ヒアリング（倉敷市・生成AI）",
        description="令和8年度 県・市町村DX推進伴走支援事業\nヒアリング（倉敷市・生成AI）",
        location=None,
        url="https://meet.example.jp/abc-defg",
        organizer=LEAD,
        attendees=[CONTACT, "sato@consult.example.jp"],
        stamp=NOW,
    )
    return RENDERER.compose(
        key=key,
        kind="hearing_invitation",
        to=(CONTACT,),
        context={
            **COMMON,
            **EXTRA["hearing_invitation"],
            "at": at,
            "end": at + timedelta(hours=1),
            "url": "https://meet.example.jp/abc-defg",
        },
        attachments=(ics,),
        about_kind="engagement",
        about_id=12,
    )


def send(
    store: FakeOutboxStore,
    server: SmtpServer,
    now: datetime,
    *,
    max_attempts: int = 8,
    limit: int = 200,
    rng: random.Random | None = None,
) -> DeliveryReport:
    return deliver(
        store,
        server.transport,
        now=now,
        sender=LEAD,
        max_attempts=max_attempts,
        limit=limit,
        rng=rng or random.Random(4),
    )


# -- delivery ------------------------------------------------------------------------------


def test_an_invitation_arrives_as_utf8_mail_with_a_calendar_part(server: SmtpServer) -> None:
    store = FakeOutboxStore()
    store.enqueue([hearing_invitation()], NOW)

    report = send(store, server, NOW)

    assert (report.sent, report.retried, report.dead) == (1, 0, [])
    assert store.states() == Counter({SENT: 1})
    [got] = server.handler.received
    assert got.mail_from == LEAD and got.rcpt_tos == (CONTACT,)
    assert b"\n\xe3" not in got.content, "headers and body travel as 7-bit (encoded words, base64)"
    msg = got.parsed()
    assert msg["Subject"] == "【DX伴走支援】ヒアリング日程のご案内（倉敷市・生成AI）"
    assert "=?utf-8?" in got.content.decode("ascii").split("\r\n\r\n")[0]
    assert msg["Message-ID"] == message_id_for("event:7:" + CONTACT)
    assert msg["From"] == LEAD and msg["To"] == CONTACT
    assert msg["Auto-Submitted"] == "auto-generated"
    text = text_of(msg)
    assert text.startswith("倉敷市 デジタル推進室 田中 花子 様\n")
    assert "令和8年6月10日（水）10:00〜11:00" in text and "https://meet.example.jp/abc-defg" in text
    assert "{{" not in text and "}}" not in text
    assert "※本メールは伴走支援管理システムから自動送信しています。" in text

    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    cal = calendar_of(part)
    assert str(cal["METHOD"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "engagement-12@banso"
    assert event.decoded("DTSTART") == datetime(2026, 6, 10, 1, 0, tzinfo=UTC)
    assert str(event["URL"]) == "https://meet.example.jp/abc-defg"


def test_absent_refusing_and_closing_servers_keep_messages_until_one_delivery(
    absent_server: SmtpServer,
) -> None:
    server = absent_server
    store = FakeOutboxStore()
    store.enqueue([reminder(f"deadline:{i}:0") for i in range(3)], NOW)
    now = NOW

    def next_pass() -> DeliveryReport:
        nonlocal now
        due = max(q.next_attempt_at for q in store.rows.values() if q.next_attempt_at)
        now = max(now, due)
        return send(store, server, now)

    # Nothing listening: every claimed message fails, to be retried; none is lost.
    report = send(store, server, now)
    assert (report.sent, report.retried) == (0, 3)
    assert store.states() == Counter({FAILED: 3})
    assert all("cannot connect" in (q.last_error or "") for q in store.rows.values())
    assert send(store, server, now).retried == 0, "nothing is due before its retry time"

    server.start()
    for mode in ("4xx", "close"):
        server.handler.mode = mode
        report = next_pass()
        assert report.sent == 0 and report.dead == []
        assert store.states()[FAILED] == 3
    assert server.handler.received == []

    server.handler.mode = "accept"
    report = next_pass()
    assert (report.sent, report.retried, report.dead) == (3, 0, [])
    assert store.states() == Counter({SENT: 3})
    assert send(store, server, now + timedelta(days=1)).sent == 0, "nothing left to send"
    ids = Counter(r.parsed()["Message-ID"] for r in server.handler.received)
    assert sorted(ids) == sorted(message_id_for(f"deadline:{i}:0") for i in range(3))
    assert set(ids.values()) == {1}, "each message arrives exactly once"

    for q in store.rows.values():
        assert q.attempts == 3
        times = store.retry_times[q.id]
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert len(times) == 3 and all(b > a for a, b in pairwise(gaps)), (
            "the backoff grows with every failure"
        )


def test_a_permanent_refusal_is_dead_at_once_while_the_rest_go(server: SmtpServer) -> None:
    store = FakeOutboxStore()
    gone = "nobody@city.kurashiki.example.jp"
    store.enqueue([reminder("deadline:1:0"), reminder("deadline:2:0", to=gone)], NOW)
    server.handler.refuse.add(gone)

    report = send(store, server, NOW)

    assert report.sent == 1 and report.retried == 0
    [dead] = report.dead
    assert dead.message.to == (gone,) and dead.state == DEAD and dead.attempts == 1
    assert "550" in (dead.last_error or "")
    assert store.rows[dead.id].state == DEAD and store.rows[dead.id].next_attempt_at is None
    assert [r.rcpt_tos for r in server.handler.received] == [(CONTACT,)]


def test_a_server_refusing_everything_with_5xx_kills_the_batch(server: SmtpServer) -> None:
    store = FakeOutboxStore()
    store.enqueue([reminder("deadline:1:0")], NOW)
    server.handler.mode = "5xx"
    report = send(store, server, NOW)
    assert report.sent == 0 and len(report.dead) == 1
    assert store.states() == Counter({DEAD: 1})


def test_after_max_attempts_a_temporary_failure_is_dead(server: SmtpServer) -> None:
    store = FakeOutboxStore()
    store.enqueue([reminder("deadline:1:0")], NOW)
    server.handler.mode = "4xx"
    first = send(store, server, NOW, max_attempts=2)
    assert first.retried == 1 and first.dead == []
    second = send(store, server, NOW + timedelta(hours=1), max_attempts=2)
    assert second.retried == 0
    [dead] = second.dead
    assert dead.attempts == 2 and "451" in (dead.last_error or "")


def test_a_connection_dropped_mid_batch_is_reopened_for_the_rest(server: SmtpServer) -> None:
    store = FakeOutboxStore()
    addresses = [f"staff{i}@city.kurashiki.example.jp" for i in range(5)]
    store.enqueue([reminder(f"deadline:{i}:0", to=a) for i, a in enumerate(addresses)], NOW)
    server.handler.drop_on.add(addresses[1])

    report = send(store, server, NOW)

    assert (report.sent, report.retried) == (4, 1)
    assert store.rows[2].state == FAILED
    assert [r.rcpt_tos[0] for r in server.handler.received] == addresses[:1] + addresses[2:]
    assert len({r.peer for r in server.handler.received}) == 2, "one reconnection"
    later = send(store, server, NOW + timedelta(hours=1))
    assert later.sent == 1 and store.states() == Counter({SENT: 5})


def test_a_thousand_messages_arrive_once_over_one_connection(server: SmtpServer) -> None:
    store = FakeOutboxStore()
    store.enqueue([reminder(f"deadline:{i}:0") for i in range(1000)], NOW)

    report = send(store, server, NOW, limit=1000)

    assert report.sent == 1000 and store.states() == Counter({SENT: 1000})
    received = server.handler.received
    assert len(received) == 1000
    assert len({r.peer for r in received}) == 1, "one connection for the whole batch"
    ids = Counter(r.parsed()["Message-ID"] for r in received)
    assert len(ids) == 1000 and set(ids.values()) == {1}


def test_a_stored_message_with_a_line_break_in_a_header_is_never_sent(
    server: SmtpServer,
) -> None:
    store = FakeOutboxStore()
    store.enqueue([reminder("deadline:1:0")], NOW)
    q = store.rows[1]
    tampered = replace(q.message, subject="件名\r\nBcc: everyone@example.jp")
    store.rows[1] = replace(q, message=tampered)

    report = send(store, server, NOW)

    assert len(report.dead) == 1 and "subject" in (report.dead[0].last_error or "")
    assert server.handler.received == []


def test_an_html_alternative_and_the_headers_parse_back() -> None:
    store = FakeOutboxStore()
    message = replace(hearing_invitation(), html="<p>倉敷市 田中 花子 様</p>", cc=(LEAD,))
    store.enqueue([message], NOW)
    built = build(store.rows[1], sender=LEAD, date=NOW)
    assert built["Subject"] == message.subject, "the encoded subject reads back as written"

    msg = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == message.subject and msg["Cc"] == LEAD
    assert msg["Date"] == "Mon, 01 Jun 2026 09:00:00 +0900"
    html = msg.get_body(("html",))
    assert isinstance(html, EmailMessage) and "田中 花子 様" in html.get_content()
    assert "田中 花子 様" in text_of(msg)
    assert [p.get_filename() for p in msg.iter_attachments()] == ["invite.ics"]


# -- credentials ---------------------------------------------------------------------------


# Login without TLS is what this loopback test needs; aiosmtpd warns about it.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("secret", [SECRET, "plain-ascii-Secret-42"])
def test_login_works_and_a_wrong_password_never_leaks(secret: str) -> None:
    server = SmtpServer(auth=Authenticator("banso", secret))
    server.start()
    try:
        store = FakeOutboxStore()
        store.enqueue([reminder("deadline:1:0")], NOW)

        def wrong() -> Transport:
            return server.transport(user="banso", password=secret + "-old")

        with capture_logs() as logs:
            report = deliver(store, wrong, now=NOW, sender=LEAD, rng=random.Random(1))
        assert report.retried == 1 and store.states() == Counter({FAILED: 1})
        error = store.rows[1].last_error or ""
        assert "535" in error
        assert secret not in error and secret not in repr(logs)
        assert logs and any(entry["event"] == "mail.connect_failed" for entry in logs)

        with pytest.raises(DeliveryError) as caught, wrong():
            pass
        assert secret not in str(caught.value) and secret not in repr(caught.value)
        assert caught.value.permanent is False
        assert secret not in repr(wrong())

        def right() -> Transport:
            return server.transport(user="banso", password=secret)

        report = deliver(store, right, now=NOW + timedelta(hours=1), sender=LEAD)
        assert report.sent == 1 and len(server.handler.received) == 1
    finally:
        server.stop()


def test_a_password_in_the_url_never_appears_in_errors(absent_server: SmtpServer) -> None:
    url = f"smtp://banso:{quote(SECRET, safe='')}@127.0.0.1:{absent_server.port}"
    transport = open_transport(url, user=None, password=None, timeout=5)
    assert SECRET not in repr(transport)
    with pytest.raises(DeliveryError) as caught, transport:
        pass
    assert caught.value.permanent is False
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)

    # Unusable URLs are refused without showing their credentials, escaped or not.
    for bad_url in (
        f"smtpx://banso:{SECRET}@host:25",
        f"smtp://banso:{SECRET}@127.0.0.1:{absent_server.port}",  # '#' unescaped
    ):
        with pytest.raises(InvalidValue) as bad:
            open_transport(bad_url, user=None, password=None)
        assert "BANSO_MAIL_URL" in str(bad.value)
        assert SECRET not in str(bad.value) and "s3cr3t" not in str(bad.value)


@pytest.mark.parametrize(
    "url", ["http://mail.example.jp", "smtp://", "mail.example.jp:25", "smtp://host:notaport"]
)
def test_an_unusable_mail_url_names_the_setting(url: str) -> None:
    with pytest.raises(InvalidValue, match="BANSO_MAIL_URL"):
        open_transport(url, user=None, password=None)


# -- the file transport --------------------------------------------------------------------


def test_file_transport_writes_one_eml_per_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = FakeOutboxStore()
    store.enqueue([hearing_invitation(), reminder("deadline:1:0"), reminder("deadline:2:0")], NOW)

    def transport() -> Transport:
        return open_transport("file://var/mail", user=None, password=None)

    report = deliver(store, transport, now=NOW, sender=LEAD)

    assert report.sent == 3
    folder = tmp_path / "var" / "mail"
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".eml"] * 3, "no temporary files left behind"
    by_id = {}
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        by_id[msg["Message-ID"]] = msg
    invite = by_id[message_id_for("event:7:" + CONTACT)]
    assert invite["Subject"].startswith("【DX伴走支援】")
    assert "田中 花子 様" in text_of(invite)
    [part] = list(invite.iter_attachments())
    assert calendar_of(part).walk("VEVENT")

    # A re-send (a crash before marking) overwrites the same file.
    file_transport = FileTransport(folder)
    q = store.rows[2]
    with file_transport as t:
        t.send(build(q, sender=LEAD))
    assert len(list(folder.iterdir())) == 3
    assert file_transport.path_for(q.message_id).exists()


def test_file_transport_accepts_an_absolute_folder(tmp_path: Path) -> None:
    transport = open_transport(f"file://{tmp_path}/out", user=None, password=None)
    assert isinstance(transport, FileTransport) and transport.directory == tmp_path / "out"
