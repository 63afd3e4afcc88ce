"""Queued messages as MIME mail: UTF-8 throughout, RFC 2047 headers.

The body is base64: Japanese text in quoted-printable triples in size, and
8bit would need every relay to speak 8BITMIME. The Message-ID comes from the
outbox (derived from the idempotency key), so a re-send after a crash is
recognisably the same mail.
"""

from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.message import EmailMessage, Message
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from banso.engine.clock import TOKYO, SystemClock
from banso.engine.outbox import Attachment, QueuedMessage
from banso.notifications.headers import check_address, check_addresses, check_header
from banso.workflows.mailing import public_message_id


def _encoded(text: str) -> str:
    """``text`` for a header: as is if ASCII, else RFC 2047 encoded words in
    UTF-8, folded into lines that fit the 78-character limit."""
    if text.isascii() and "=?" not in text:  # "=?" would read as the start of an encoded word
        return text
    return Header(text, "utf-8", header_name="Subject").encode()


def _from(name: str, address: str) -> str:
    """From with a display name, folded before the address when the two do not fit
    in one 78-character line. Handed one long line, the policy parses and refolds
    the header at every send: most of a message's serialisation time (half of the
    demo year's CPU). A name too long for one line is still left to the policy."""
    shown = formataddr((name, address), charset="utf-8")
    if len("From: ") + len(shown) <= 78:
        return shown
    display, _, rest = shown.rpartition(" <")
    return f"{display}\n <{rest}"


def _content_type(attachment: Attachment) -> tuple[str, str, dict[str, str]]:
    """(maintype, subtype, params) of e.g. ``text/calendar; method=REQUEST; charset=UTF-8``."""
    check_header("attachment content type", attachment.content_type)
    parsed = Message()
    parsed["Content-Type"] = attachment.content_type
    maintype, subtype = parsed.get_content_maintype(), parsed.get_content_subtype()
    params = {str(k): str(v) for k, v in (parsed.get_params() or [])[1:]}
    return maintype, subtype, params


def _attach(msg: EmailMessage, attachment: Attachment) -> None:
    check_header("attachment filename", attachment.filename)
    maintype, subtype, params = _content_type(attachment)
    # An invitation must keep its method parameter (text/calendar; method=REQUEST):
    # without it mail clients show a file, not an invitation to accept.
    msg.add_attachment(
        attachment.data,
        maintype=maintype,
        subtype=subtype,
        filename=attachment.filename,
        params=params,
    )


def build(
    queued: QueuedMessage,
    *,
    sender: str,
    date: datetime | None = None,
    display_name: str = "",
    message_id_domain: str | None = None,
) -> EmailMessage:
    """The mail for ``queued``, from ``sender``; every header value checked again
    (the row may have been edited since it was rendered).

    ``date`` (the Date header) defaults to when the message was queued;
    ``display_name`` goes before the address in From (「株式会社伴走デジタル 伴走一郎」);
    ``message_id_domain`` replaces the outbox's placeholder domain.
    """
    m = queued.message
    when = date or queued.created_at or SystemClock().now()
    address = check_address("From", sender)
    if display_name:
        name = check_header("From display name", display_name)
        address = _from(name, address)
    message_id = queued.message_id
    if message_id_domain:
        message_id = public_message_id(message_id, message_id_domain)
    headers = [
        ("From", address),
        ("To", ", ".join(check_addresses("to", m.to, required=True))),
        ("Cc", ", ".join(check_addresses("cc", m.cc, required=False))),
        ("Subject", _encoded(check_header("subject", m.subject))),
        ("Date", format_datetime(when.astimezone(TOKYO))),
        ("Message-ID", check_header("Message-ID", message_id)),
        # RFC 3834: sent by a program; out-of-office replies should not answer it.
        ("Auto-Submitted", "auto-generated"),
    ]
    msg = EmailMessage(policy=SMTP)
    for name, value in headers:
        if value:
            # Stored as written: every value is checked above and is ASCII (the
            # subject as encoded words), so nothing needs the policy's parser.
            # Going through it (msg[name] = value) parses each header on the way
            # in and re-encodes it on the way out: 2–3 ms a message, most of the
            # sending time of a 1,000-reminder sweep.
            msg.set_raw(name, value)
    msg.set_content(m.text, subtype="plain", charset="utf-8", cte="base64")
    if m.html is not None:
        msg.add_alternative(m.html, subtype="html", charset="utf-8", cte="base64")
    for attachment in m.attachments:
        _attach(msg, attachment)
    return msg
