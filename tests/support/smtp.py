"""A real SMTP server on loopback (aiosmtpd) for the mail tests, and readers
for what it receives.

``SmtpServer`` listens on 127.0.0.1 at a port chosen when it is made, so a
test can leave it absent and start it later; its ``ScriptedHandler`` answers as
the test tells it (accept, 4xx, 5xx, drop the connection) and keeps every
message it accepts as a ``Received``. ``Authenticator`` accepts one user and
password; ``SECRET`` is a password with the characters that must never leak.
``calendar_of``/``text_of`` parse an invitation's calendar part and a mail's
plain-text body back.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar

from banso.notifications.transport import Transport, open_transport

EHLO_NAME = "banso-test"  # saves a reverse DNS look-up (socket.getfqdn) per connection
SECRET = "s3cr3t-パス#word"


@dataclass(frozen=True)
class Received:
    peer: Any  # (host, port) of the client connection: one per connection
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    def parsed(self) -> EmailMessage:
        msg = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


class ScriptedHandler:
    """An aiosmtpd handler that answers as the test tells it.

    ``mode``: "accept", "4xx" (451 to every recipient), "5xx" (550 to every
    recipient) or "close" (drops the connection at DATA). ``refuse``: addresses
    always answered 550; ``drop_on``: addresses whose DATA drops the connection once.
    """

    def __init__(self) -> None:
        self.mode = "accept"
        self.refuse: set[str] = set()
        self.drop_on: set[str] = set()
        self.received: list[Received] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such user"
        if self.mode == "4xx":
            return "451 4.3.0 try again later"
        if self.mode == "5xx":
            return "550 5.7.1 relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        dropped = set(envelope.rcpt_tos) & self.drop_on
        if self.mode == "close" or dropped:
            self.drop_on -= dropped
            server.transport.close()
            return "421 4.3.2 closing connection"
        self.received.append(
            Received(
                peer=session.peer,
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=bytes(envelope.original_content or envelope.content),
            )
        )
        return "250 2.0.0 OK"


class Authenticator:
    """Accepts one user and password (AUTH PLAIN / LOGIN)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a fixed port, so it can be absent and come back."""

    def __init__(self, *, auth: Authenticator | None = None) -> None:
        self.port = free_port()
        self.handler = ScriptedHandler()
        self.auth = auth
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        extra: dict[str, Any] = {}
        if self.auth is not None:
            extra = {"authenticator": self.auth, "auth_require_tls": False, "auth_required": True}
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname=EHLO_NAME,
            **extra,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def transport(self, *, user: str | None = None, password: str | None = None) -> Transport:
        return open_transport(
            self.url, user=user, password=password, timeout=5, local_hostname=EHLO_NAME
        )


def calendar_of(part: EmailMessage) -> Any:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content()).replace("\r\n", "\n")
