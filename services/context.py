"""Everything a use case needs, handed in by the composition root (`admin.bootstrap`).

Adapters that pull in heavy libraries (the mail templates, the transport) are
built on first use, so a listing never loads Jinja2 or smtplib.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from banso.engine.calendar import BusinessCalendar
from banso.engine.clock import Clock
from banso.engine.reminders import ReminderPolicy
from banso.engine.runner import TransitionRunner
from banso.services.defaults import DEFAULT_ADDRESSEE as DEFAULT_ADDRESSEE
from banso.services.defaults import DEFAULT_DOCUMENT_NUMBER as DEFAULT_DOCUMENT_NUMBER
from banso.services.defaults import DEFAULT_TITLE as DEFAULT_TITLE
from banso.services.ports import (
    DocumentRenderer,
    FileStore,
    MailComposer,
    MailDelivery,
    OutboxStore,
    UnitOfWorkFactory,
)
from banso.workflows.mailing import MailSettings


def _not_configured() -> DocumentRenderer:
    raise RuntimeError("no document renderer was configured for these services")


def _no_file_store() -> FileStore:
    raise RuntimeError("no file store was configured for these services")


@dataclass
class Services:
    uow: UnitOfWorkFactory
    runner: TransitionRunner
    clock: Clock
    outbox_store: Callable[[], OutboxStore]
    mail_factory: Callable[[], MailComposer]
    delivery_factory: Callable[[], MailDelivery]
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    title: str = DEFAULT_TITLE  # the programme's name, as mail and documents give it
    mail_from: str | None = None  # default: the project lead's address
    renderer_factory: Callable[[], DocumentRenderer] = _not_configured
    file_store_factory: Callable[[], FileStore] = _no_file_store
    addressee: str = DEFAULT_ADDRESSEE
    document_number: str = DEFAULT_DOCUMENT_NUMBER  # {n}: the n-th document sent
    mail_settings: MailSettings = field(default_factory=MailSettings)
    attach_limit: int = 5_000_000  # bytes of files a submission mail carries; above: named only
    # The audit chain's HMAC key (kept outside the database), None where there is none.
    audit_key_factory: Callable[[], bytes | None] = lambda: None

    @cached_property
    def mail(self) -> MailComposer:
        return self.mail_factory()

    @cached_property
    def delivery(self) -> MailDelivery:
        return self.delivery_factory()

    @cached_property
    def renderer(self) -> DocumentRenderer:
        return self.renderer_factory()

    @cached_property
    def files(self) -> FileStore:
        return self.file_store_factory()
