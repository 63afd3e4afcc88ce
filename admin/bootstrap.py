"""The composition root: the one place that picks concrete adapters and wires them.

Settings in, :class:`~banso.services.context.Services` out. The database engine
is opened on first use and disposed by :meth:`Bootstrap.close`; the mail
templates, the transport and the scheduler load only when a use case needs them.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from banso.admin.i18n import _
from banso.admin.settings import Settings
from banso.engine.clock import clock_from_setting
from banso.engine.errors import InvalidValue
from banso.engine.reminders import ReminderPolicy
from banso.engine.runner import TransitionRunner
from banso.services.context import Services
from banso.services.effects import Effects
from banso.services.identity import DATABASE, OS, TRUST, Login
from banso.services.ports import (
    DeliveryReport,
    DocumentRenderer,
    EffectHandler,
    FileStore,
    MailComposer,
    MailDelivery,
    OutboxStore,
    UnitOfWork,
)
from banso.workflows import DEFINITIONS
from banso.workflows.mailing import mail_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


def reminder_policy(settings: Settings) -> ReminderPolicy:
    """The [reminders] table as a policy; a bad value is one clear line, not a traceback."""
    table = dict(settings.reminders)
    try:
        if "before" in table:
            table["before"] = tuple(table["before"])
        return ReminderPolicy(**table)
    except (TypeError, ValueError) as exc:
        raise InvalidValue(
            "[reminders]", table, _("valid reminder settings ({reason})").format(reason=exc)
        ) from exc


class Bootstrap:
    """Builds the services for one command (or one daemon) from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._handlers: dict[type[Any], EffectHandler] = {}
        self._audit_key: bytes | None = None
        clock = clock_from_setting(settings.now, "BANSO_NOW")
        self.services = Services(
            uow=self.unit_of_work,
            runner=TransitionRunner(DEFINITIONS, clock),
            clock=clock,
            outbox_store=self.outbox_store,
            mail_factory=self.mail,
            delivery_factory=self.delivery,
            policy=reminder_policy(settings),
            title=settings.programme_title,
            mail_settings=mail_settings(settings.mail),
            mail_from=settings.mail_from,
            renderer_factory=self.renderer,
            file_store_factory=self.file_store,
            addressee=settings.addressee,
            document_number=settings.document_number,
            audit_key_factory=self.audit_key,
        )
        self._handlers.update(Effects(self.services).handlers())

    # -- the database ------------------------------------------------------------
    def open_engine(self, *, initialising: bool = False) -> Engine:
        """The database engine; ordinary commands refuse an uninitialised one."""
        from banso.storage.db import make_engine, require_schema

        if self._engine is not None:
            self._engine.dispose()
        self._engine = make_engine(self.settings.database_url, must_exist=not initialising)
        if not initialising:
            require_schema(self._engine)
        return self._engine

    @property
    def engine(self) -> Engine:
        return self._engine if self._engine is not None else self.open_engine()

    def unit_of_work(self, *, readonly: bool = False) -> UnitOfWork:
        from banso.storage.models import RECORD_CLASSES
        from banso.storage.uow import SqlUnitOfWork

        return SqlUnitOfWork(
            self.engine,
            record_classes=RECORD_CLASSES,
            effect_handlers=self._handlers,
            readonly=readonly,
            audit_key=self.audit_key(),
        )

    # -- who is acting ------------------------------------------------------------------
    @property
    def identity_mode(self) -> str:
        """The setting, else os on SQLite and database on PostgreSQL."""
        if self.settings.identity_mode:
            return self.settings.identity_mode
        return OS if self.settings.database_url.startswith("sqlite") else DATABASE

    @cached_property
    def login(self) -> Login:
        mode = self.identity_mode
        account: str | None = None
        if mode == OS:
            account = _os_account()
        elif mode == DATABASE:
            from sqlalchemy import text

            from banso.storage.db import READONLY

            with self.engine.connect().execution_options(**READONLY) as conn:
                account = str(conn.execute(text("SELECT current_user")).scalar_one())
        else:
            assert mode == TRUST
        return Login(mode=mode, account=account, claimed=self.settings.user or None)

    # -- the audit chain's key -------------------------------------------------------------
    @property
    def audit_key_path(self) -> Path:
        """The key file: the setting, else beside a SQLite file, else ./banso-audit.key."""
        if self.settings.audit_key_file is not None:
            return self.settings.audit_key_file
        from banso.storage.db import parse_url, sqlite_path

        path = sqlite_path(parse_url(self.settings.database_url))
        if path is not None:
            return path.with_name(path.name + ".audit-key")
        return Path("banso-audit.key")

    def audit_key(self) -> bytes | None:
        """The HMAC key of the audit chain; None if there is no key file (yet)."""
        if self._audit_key is None:
            self._audit_key = _read_key(self.audit_key_path)
        return self._audit_key or None

    def create_audit_key(self) -> bool:
        """Create the key file (owner-only) if it is missing; True if it was created."""
        path = self.audit_key_path
        if path.exists():
            self._audit_key = None
            return False
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise InvalidValue(
                "audit_key_file",
                str(path),
                _("a file Banso can create ({reason})").format(reason=exc),
            ) from exc
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(os.urandom(32).hex() + "\n")
        self._audit_key = None
        return True

    def outbox_store(self) -> OutboxStore:
        from banso.storage.outbox import SqlOutboxStore

        return SqlOutboxStore(self.engine)

    def close(self) -> None:
        """Give the database connections back (the command is over)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- documents -----------------------------------------------------------------
    def renderer(self) -> DocumentRenderer:
        from banso.documents.render import Renderer

        return Renderer(self.settings.templates_dir)

    def file_store(self) -> FileStore:
        from banso.documents.folder import FolderStore

        return FolderStore(self.settings.documents_dir)

    # -- mail ----------------------------------------------------------------------
    def mail(self) -> MailComposer:
        from banso.notifications.render import MailRenderer

        return MailRenderer(self.settings.templates_dir)

    def check_mail_url(self) -> None:
        """A malformed BANSO_MAIL_URL is bad input: refused before anything changes."""
        from banso.notifications.transport import open_transport

        s = self.settings
        open_transport(s.mail_url, user=s.smtp_user, password=s.smtp_password)

    def delivery(self) -> MailDelivery:
        from banso.notifications.sender import deliver
        from banso.notifications.transport import Transport, open_transport

        s = self.settings
        store = self.outbox_store()

        def transport() -> Transport:
            return open_transport(s.mail_url, user=s.smtp_user, password=s.smtp_password)

        domain = self.services.mail_settings.message_id_domain

        def send(*, now: datetime, sender: str, display_name: str = "") -> DeliveryReport:
            done = deliver(
                store,
                transport,
                now=now,
                sender=sender,
                display_name=display_name,
                message_id_domain=domain,
                max_attempts=s.mail_max_attempts,
            )
            return DeliveryReport(sent=done.sent, retried=done.retried, dead=list(done.dead))

        return send


def _os_account() -> str:
    """The account the process runs as, from its user id (not from $USER, which anyone sets)."""
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"


def _read_key(path: Path) -> bytes:
    """The key in ``path`` (b"" if there is none); refused unless only its owner may read it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise InvalidValue(
            "audit_key_file", str(path), _("a readable key file ({reason})").format(reason=exc)
        ) from exc
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InvalidValue(
            "audit_key_file",
            str(path),
            _("a file only its owner may read (chmod 600 {path})").format(path=path),
        )
    if info.st_uid != os.geteuid():
        raise InvalidValue(
            "audit_key_file", str(path), "a key file owned by the account running banso"
        )
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidValue("audit_key_file", str(path), "the key `banso init` wrote") from exc
    if len(key) < 16:
        raise InvalidValue("audit_key_file", str(path), "a key of at least 16 bytes")
    return key
