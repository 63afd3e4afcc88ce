"""The one e-mail rule (banso.workflows.email) and the places that apply it.

An address is taken in by ``person add`` and by the demand survey and used by
the mail layer; the three used to disagree, so that ``jiro@県庁.jp`` was taken
in and every mail to it then failed. Here: what the rule accepts and refuses,
and that the mail headers take everything it accepts while the survey reader
refuses everything it refuses.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from banso.documents.survey import read_survey
from banso.engine.errors import InvalidValue
from banso.engine.outbox import QUEUED, OutgoingMessage, QueuedMessage, message_id_for
from banso.notifications.headers import check_address, check_addresses
from banso.notifications.mime import build
from banso.workflows.email import MAX_ADDRESS, MAX_LOCAL_PART, email_problem, is_email

# 50 + 1 + 4 x 61 + 3 dots + 3 = 301 characters, every label within 63: only
# the total length is wrong.
LONG = "a" * 50 + "@" + ".".join(["b" * 61] * 4) + ".jp"

ACCEPTED = [
    "tanaka@city.okayama.example.jp",
    "a.b-c_d+e@x-y.example.jp",
    "TANAKA@City.Example.JP",
    "t@x.jp",
    "o!#$%&*+/=?^_{|}~-x@x.jp",
    "1234@123.example.jp",
    "a" * MAX_LOCAL_PART + "@x.jp",
]

# (address, a piece of the reason)
REFUSED = [
    ("jiro@県庁.jp", "ASCII"),
    ("a..b@x.jp", "two dots in a row"),
    (".a@x.jp", "starts with a dot"),
    ("a.@x.jp", "ends with a dot"),
    ("x<evil@x.jp>", "'<'"),
    ("a@x.jp\n", "line break"),
    ("a b@x.jp", "space"),
    ("a@x", "only one label"),
    ("a@-x.jp", "hyphen"),
    ("a@x..jp", "two dots in a row"),
    ("a,b@x.jp", "comma"),
    ("名前@x.jp", "ASCII"),
    (LONG, str(MAX_ADDRESS)),
    ("a@@x.jp", "more than one @"),
    ('"a"@x.jp', "quote"),
    # and some more the mail layer cannot deliver
    ("", "empty"),
    ("tanaka", "no @"),
    ("tanaka@", "nothing after the @"),
    ("@x.jp", "nothing before the @"),
    ("a@x.jp;b@x.jp", "semicolon"),
    ("Tanaka <tanaka@x.jp>", "space"),
    ("<tanaka@x.jp>", "'<'"),
    ("o'brien@x.jp", "quote"),
    ("a@x-.jp", "hyphen"),
    ("a@.x.jp", "starts or ends with a dot"),
    ("a@x.jp.", "starts or ends with a dot"),
    ("a@x_y.jp", "'_'"),
    ("a@x.j", "top-level domain"),
    ("a@x.123", "top-level domain"),
    ("a@[192.0.2.1]", "'['"),
    ("a\t@x.jp", "control character"),
    ("a\x00@x.jp", "control character"),
    ("\na@x.jp", "line break"),
    ("a@x.jp\r", "line break"),
    ("a@x.jp\u2028", "line break"),
    ("ａ@x.jp", "ASCII"),  # a full-width letter: the survey normalises it first, the rule does not
    ("tanaka@x.jp\u3000", "space"),
    ("a" * (MAX_LOCAL_PART + 1) + "@x.jp", str(MAX_LOCAL_PART)),
    ("a@" + "b" * 64 + ".jp", "longer than 63"),
]

ADDRESSES_REFUSED = [address for address, _ in REFUSED]


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("address", ACCEPTED)
def test_accepted(address: str) -> None:
    assert email_problem(address) is None
    assert is_email(address)


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_refused_with_a_reason(address: str, reason: str) -> None:
    problem = email_problem(address)
    assert problem is not None and reason in problem, problem
    assert not is_email(address)


def test_the_long_address_is_long() -> None:
    assert len(LONG) > 300 > MAX_ADDRESS


def test_length_limits_are_inclusive() -> None:
    domain = ".".join(["b" * 61] * 3) + ".jpn"  # 185 + 4 = 189 characters
    at_limit = "a" * MAX_LOCAL_PART + "@" + domain
    assert len(at_limit) == MAX_ADDRESS
    assert is_email(at_limit)
    over = "a" * MAX_LOCAL_PART + "@b" + domain  # one more in the first label
    assert "255 characters long" in (email_problem(over) or "")
    assert is_email("a@" + "b" * 63 + ".jp")


def test_a_reason_is_one_short_line() -> None:
    for address in ADDRESSES_REFUSED:
        problem = email_problem(address)
        assert problem is not None
        assert "\n" not in problem and len(problem) < 120, problem


# ---------------------------------------------------------------- the places that apply it


def _queued(to: str) -> QueuedMessage:
    message = OutgoingMessage(
        key="k1", kind="deadline_reminder", to=(to,), subject="件名", text="本文"
    )
    return QueuedMessage(
        id=1,
        message=message,
        state=QUEUED,
        attempts=0,
        message_id=message_id_for(message.key),
        next_attempt_at=None,
        created_at=datetime(2026, 10, 9, 1, 0, tzinfo=UTC),
    )


def _survey(path: Path, address: str) -> Path:
    """A one-row survey CSV with ``address`` in the e-mail column, quoted as Excel does."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [
            ["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"],
            ["岡山市", "genai", "研修", "田中", address, ""],
        ]
    )
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def _read(path: Path) -> str:
    rows = read_survey(path, orgs={"岡山市": "331007"}, themes={"genai": "genai"})
    assert len(rows) == 1
    return rows[0].contact_email


@pytest.mark.parametrize("address", ACCEPTED)
def test_every_accepted_address_goes_into_the_headers(address: str, tmp_path: Path) -> None:
    assert check_address("to", address) == address
    assert check_addresses("cc", [address], required=True) == (address,)
    msg = build(_queued(address), sender=address)
    assert msg["To"] == address and msg["From"] == address
    # ... and the survey takes it as it is.
    assert _read(_survey(tmp_path / "survey.csv", address)) == address


@pytest.mark.parametrize("address", ADDRESSES_REFUSED)
def test_every_refused_address_is_refused_by_the_survey_and_the_headers(
    address: str, tmp_path: Path
) -> None:
    path = _survey(tmp_path / "survey.csv", address)
    # The reader trims every cell (padding, a stray Alt+Enter) and turns
    # full-width letters into ASCII before it applies the rule.
    cleaned = unicodedata.normalize("NFKC", address.strip())
    if cleaned != address and is_email(cleaned):
        # What it returns is then the cleaned address, which the rule accepts:
        # what matters is that nothing the rule refuses gets out.
        try:
            assert _read(path) == cleaned
        except InvalidValue as refused:
            # Or a character no cell may hold is refused before any trimming.
            assert "control characters" in str(refused)
    else:
        with pytest.raises(InvalidValue) as caught:
            _read(path)
        message = str(caught.value)
        assert message.startswith("survey.csv row 2, column メールアドレス: ")
        # A control character is refused by the text rule first (no cell with one gets in).
        assert (
            "expected an e-mail address like tanaka@city.example.jp" in message
            or "expected text without control characters" in message
        )
    with pytest.raises(InvalidValue, match=r"^mail to: "):
        check_address("to", address)
    with pytest.raises(InvalidValue, match=r"^mail to: "):
        build(_queued(address), sender="lead@contractor.example.jp")


def test_the_survey_normalises_full_width_then_applies_the_rule(tmp_path: Path) -> None:
    assert _read(_survey(tmp_path / "s.csv", "ｔａｎａｋａ＠city.example.jp")) == (
        "tanaka@city.example.jp"
    )
    with pytest.raises(InvalidValue):
        _read(_survey(tmp_path / "t.csv", "ｔａｎａｋａ＠県庁.jp"))


def test_the_headers_say_what_is_wrong() -> None:
    with pytest.raises(InvalidValue) as caught:
        check_address("to", "jiro@県庁.jp")
    assert str(caught.value) == (
        "mail to: 'jiro@県庁.jp' is not valid; expected one e-mail address like "
        "tanaka@city.example.jp (it contains '県'; only ASCII addresses can be sent to)"
    )
    # A line break keeps its own message (header injection), as before.
    with pytest.raises(InvalidValue, match="without line breaks"):
        check_address("to", "a@x.jp\nBcc: b@x.jp")


def test_only_the_sender_may_be_at_localhost() -> None:
    # The daemon's fallback sender when neither mail_from nor a lead is set.
    assert check_address("From", "banso@localhost") == "banso@localhost"
    assert build(_queued("tanaka@city.example.jp"), sender="banso@localhost")["From"] == (
        "banso@localhost"
    )
    for field in ("to", "cc"):
        with pytest.raises(InvalidValue, match="only one label"):
            check_address(field, "banso@localhost")
    for bad in ("a..b@localhost", "a@b@localhost", "@localhost", "banso@localhost\n"):
        with pytest.raises(InvalidValue):
            check_address("From", bad)


@pytest.mark.parametrize("name", ["株式会社伴走デジタル 伴走一郎", "伴走", "Banso Desk"])
def test_from_is_stored_folded_and_reads_back_as_the_name(name: str) -> None:
    import email
    import email.policy

    msg = build(_queued("taro@pref.okayama.example.jp"), sender="lead@contractor.example.jp",
                display_name=name)  # fmt: skip
    stored = dict(msg.raw_items())["From"]
    lines = f"From: {stored}".split("\n")
    # Folded already, so that sending does not parse and refold it.
    assert max(map(len, lines)) <= 78
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    (sender,) = parsed["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, "lead@contractor.example.jp")
