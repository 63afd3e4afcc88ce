"""Where mail goes: an SMTP server, or a folder of ``.eml`` files.

``BANSO_MAIL_URL`` picks one::

    smtp://host:25              plain SMTP (a relay on the local network)
    smtp+starttls://host:587    submission, upgraded to TLS before logging in
    smtps://host:465            TLS from the first byte
    file://DIR                  one .eml per message in DIR (relative or absolute)

A transport is a context manager: entering it opens one connection that is
reused for a whole batch. Errors are ``DeliveryError``s that say whether the
message can never go (an SMTP 5xx reply) or may go later (4xx, a refused or
dropped connection, a timeout), and whether the connection is gone.

The SMTP password is kept out of every error message and repr: it is removed
from any text before it is put into an error.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import unquote, urlsplit

from banso.engine.errors import BansoError, InvalidValue
from banso.engine.lazylog import get_logger

log = get_logger()

SETTING = "BANSO_MAIL_URL"
EXPECTED = "smtp://HOST:PORT, smtp+starttls://HOST:PORT, smtps://HOST:PORT or file://DIR"
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._@+-]")


class DeliveryError(BansoError):
    """A message could not be handed over.

    ``permanent``: the server refused this message for good (5xx); sending it
    again will not help. ``connection_lost``: the connection is unusable, open
    a new one before sending anything else.
    """

    def __init__(self, message: str, permanent: bool, *, connection_lost: bool = False) -> None:
        self.permanent = permanent
        self.connection_lost = connection_lost
        super().__init__(message)

    def __repr__(self) -> str:
        return (
            f"DeliveryError({str(self)!r}, permanent={self.permanent}, "
            f"connection_lost={self.connection_lost})"
        )


class Transport(Protocol):
    """Sends mail over one connection for as long as it is entered."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, msg: EmailMessage) -> None:
        """Hand ``msg`` over; DeliveryError if it was not accepted."""
        ...


def _redacted(url: str) -> str:
    """``url`` without its credentials: everything between ``//`` and the last
    ``@``. Done by hand because a password with an unescaped ``#`` or ``/`` is
    exactly the URL that urlsplit cannot take apart."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def open_transport(
    url: str,
    *,
    user: str | None,
    password: str | None,
    timeout: float = 30,
    local_hostname: str | None = None,
) -> Transport:
    """The transport for ``BANSO_MAIL_URL``; nothing is connected until it is entered.

    ``user``/``password`` (``BANSO_SMTP_USER``/``BANSO_SMTP_PASSWORD``) win over
    credentials written in the URL. ``local_hostname`` is the name given in
    EHLO (default: this machine's fully qualified name).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except (ValueError, AttributeError):
        raise InvalidValue(SETTING, _redacted(str(url)), EXPECTED) from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        directory = unquote(parts.netloc + parts.path)
        if not directory:
            raise InvalidValue(SETTING, url, "file://DIR with a folder, e.g. file://var/mail")
        return FileTransport(Path(directory))
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidValue(SETTING, _redacted(url), EXPECTED)
    if timeout <= 0:
        raise InvalidValue("mail timeout", timeout, "a number of seconds above 0")
    return SmtpTransport(
        scheme=scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        user=user if user is not None else (unquote(parts.username) if parts.username else None),
        password=password
        if password is not None
        else (unquote(parts.password) if parts.password else None),
        timeout=timeout,
        local_hostname=local_hostname,
    )


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class SmtpTransport:
    """SMTP with one connection per ``with`` block; logs in when a user is set."""

    def __init__(
        self,
        *,
        scheme: str,
        host: str,
        port: int,
        user: str | None,
        password: str | None,
        timeout: float,
        local_hostname: str | None = None,
    ) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.user = user
        self.__password = password  # name-mangled: not in vars() dumps by accident
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None

    @property
    def address(self) -> str:
        """Where mail goes, for messages and logs (never the password)."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def __repr__(self) -> str:
        user = f", user={self.user!r}" if self.user else ""
        return f"SmtpTransport({self.address}{user})"

    def _secrets(self) -> list[str]:
        password = self.__password
        if not password:
            return []
        user = self.user or ""
        forms = [
            password,
            base64.b64encode(password.encode()).decode(),
            base64.b64encode(f"\0{user}\0{password}".encode()).decode(),
        ]
        return sorted(forms, key=len, reverse=True)

    def _error(
        self, what: str, detail: str, *, permanent: bool, connection_lost: bool
    ) -> DeliveryError:
        text = f"{self.address}: {what}: {detail}"
        for secret in self._secrets():
            text = text.replace(secret, "***")
        return DeliveryError(text, permanent, connection_lost=connection_lost)

    def _mentions_secret(self, exc: BaseException) -> bool:
        text = f"{exc!s} {exc!r}"
        return any(secret in text for secret in self._secrets())

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection (and log in); DeliveryError, never permanent, if not."""
        self.close()
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if self.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout,
                    context=context,
                )
            else:
                smtp = smtplib.SMTP(
                    self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
                )
            smtp.ehlo()
            if self.scheme == "smtp+starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user:
                self._login(smtp, self.user, self.__password or "")
        except UnicodeError:
            if smtp is not None:
                smtp.close()
            # The exception would carry the credentials in its arguments: not chained.
            raise self._error(
                "cannot log in",
                "the SMTP user or password cannot be encoded",
                permanent=False,
                connection_lost=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            if smtp is not None:
                smtp.close()
            if isinstance(exc, smtplib.SMTPResponseException):
                detail = _reply(exc.smtp_code, exc.smtp_error)
            else:
                detail = f"{type(exc).__name__}: {exc}"
            # A refused connection or login says nothing about the messages: retry them later.
            error = self._error("cannot connect", detail, permanent=False, connection_lost=True)
            if self._mentions_secret(exc):
                raise error from None
            raise error from exc
        self._smtp = smtp

    @staticmethod
    def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
        """Log in; a non-ASCII password goes as AUTH PLAIN in UTF-8 (RFC 4616),
        which smtplib's own login cannot do (it encodes credentials as ASCII)."""
        if (user + password).isascii():
            smtp.login(user, password)
            return
        mechanisms = smtp.esmtp_features.get("auth", "").upper().split()
        if "PLAIN" not in mechanisms:
            raise smtplib.SMTPNotSupportedError(
                "the server offers no AUTH PLAIN, needed for a non-ASCII password"
            )
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
        code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
        if code not in (235, 503):  # 503: already authenticated
            raise smtplib.SMTPAuthenticationError(code, reply)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, msg: EmailMessage) -> None:
        smtp = self._smtp
        if smtp is None:
            raise self._error(
                "not connected", "open the transport first", permanent=False, connection_lost=True
            )
        try:
            refused = smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            replies = "; ".join(
                f"{rcpt}: {_reply(code, text)}" for rcpt, (code, text) in exc.recipients.items()
            )
            permanent = bool(codes) and all(500 <= code < 600 for code in codes)
            raise self._lost_or(smtp, "recipients refused", replies, permanent) from exc
        except smtplib.SMTPResponseException as exc:
            # SMTPSenderRefused, SMTPDataError and the rest: the reply code decides.
            permanent = 500 <= exc.smtp_code < 600
            detail = _reply(exc.smtp_code, exc.smtp_error)
            raise self._lost_or(smtp, "refused", detail, permanent) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop(smtp)
            raise self._error(
                "connection closed",
                str(exc) or "by the server",
                permanent=False,
                connection_lost=True,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            # e.g. non-ASCII addresses and a server without SMTPUTF8: never going to work.
            raise self._error(
                "not supported", str(exc), permanent=True, connection_lost=False
            ) from exc
        # smtplib's errors are OSErrors too, so this comes last: timeouts, resets,
        # anything else leaves the session in an unknown state.
        except OSError as exc:
            self._drop(smtp)
            raise self._error(
                "connection failed",
                f"{type(exc).__name__}: {exc}",
                permanent=False,
                connection_lost=True,
            ) from exc
        if refused:
            # Some recipients took it: sending again would duplicate it for them.
            log.warning(
                "mail.partly_refused",
                message_id=msg["Message-ID"],
                refused={rcpt: _reply(code, text) for rcpt, (code, text) in refused.items()},
            )

    def _lost_or(
        self, smtp: smtplib.SMTP, what: str, detail: str, permanent: bool
    ) -> DeliveryError:
        # smtplib closes the socket itself on a 421 (service closing) reply.
        lost = smtp.sock is None
        if lost:
            self._drop(smtp)
        return self._error(what, detail, permanent=permanent and not lost, connection_lost=lost)

    def _drop(self, smtp: smtplib.SMTP) -> None:
        smtp.close()
        if self._smtp is smtp:
            self._smtp = None


class FileTransport:
    """One ``.eml`` per message in a folder: the embedded default and the demo's.

    The file is named after the Message-ID, written to a temporary file and
    renamed, so a reader never sees half a mail and a re-send replaces the file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"FileTransport({str(self.directory)!r})"

    def __enter__(self) -> Self:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeliveryError(
                f"file://{self.directory}: cannot create the folder: {exc}",
                False,
                connection_lost=True,
            ) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def path_for(self, message_id: str) -> Path:
        """The file a message with ``message_id`` is written to."""
        name = _UNSAFE_FILENAME.sub("_", message_id.strip().strip("<>"))
        return self.directory / f"{name}.eml"

    def send(self, msg: EmailMessage) -> None:
        message_id = msg["Message-ID"]
        if not message_id:
            raise DeliveryError("file transport: the message has no Message-ID", True)
        target = self.path_for(str(message_id))
        data = msg.as_bytes()
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            raise DeliveryError(f"{target}: cannot write: {exc}", False) from exc
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
