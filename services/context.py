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
from banso.services.ports import MailComposer, MailDelivery, OutboxStore, UnitOfWorkFactory

# The default of the `programme_title` setting (banso.toml), which mail and documents show.
DEFAULT_TITLE = "令和8年度 県・市町村 DX 推進伴走支援事業"


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

    @cached_property
    def mail(self) -> MailComposer:
        return self.mail_factory()

    @cached_property
    def delivery(self) -> MailDelivery:
        return self.delivery_factory()
