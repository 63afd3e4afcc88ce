"""The composition root: the one place that picks concrete adapters and wires them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property

from sqlalchemy import Engine, select

from banso.admin.effects import Effects
from banso.admin.settings import Settings
from banso.engine.clock import Clock, clock_from_setting
from banso.engine.errors import NotFound, PermissionDenied
from banso.engine.runner import TransitionRunner
from banso.engine.workflow import Actor, WorkflowDefinition
from banso.storage.db import make_engine, require_schema
from banso.storage.models import Person, WorkflowRecord
from banso.storage.uow import SqlUnitOfWork


class App:
    """Everything a command needs, built lazily from the settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        definitions: Iterable[WorkflowDefinition] = (),
        record_classes: Mapping[str, type[WorkflowRecord]] | None = None,
        effects: Effects | None = None,
    ) -> None:
        self.settings = settings
        self.definitions = list(definitions)
        self.record_classes = dict(record_classes or {})
        self.effects = effects or Effects(settings)
        self.effect_handlers = self.effects.handlers()

    @cached_property
    def clock(self) -> Clock:
        return clock_from_setting(self.settings.now)

    def open_engine(self, *, initialising: bool = False) -> Engine:
        """The database engine; ordinary commands refuse an uninitialised one."""
        engine = make_engine(self.settings.database_url, must_exist=not initialising)
        if not initialising:
            require_schema(engine)
        return engine

    @cached_property
    def engine(self) -> Engine:
        return self.open_engine()

    @cached_property
    def runner(self) -> TransitionRunner:
        return TransitionRunner(self.definitions, self.clock)

    def uow(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            record_classes=self.record_classes,
            effect_handlers=self.effect_handlers,
            readonly=readonly,
        )

    def actor(self, uow: SqlUnitOfWork, action: str, roles: tuple[str, ...] = ()) -> Actor:
        """The person named by ``--as``/``BANSO_USER``, checked against ``roles``."""
        email = self.settings.user
        if not email:
            raise PermissionDenied(actor=None, action=action, allowed_roles=roles or ("person",))
        person = uow.session.scalars(select(Person).where(Person.email == email)).first()
        if person is None:
            raise NotFound("person with e-mail", email, "add them with `banso person add`")
        if roles and person.role not in roles:
            raise PermissionDenied(actor=email, action=action, allowed_roles=roles)
        return Actor(email=person.email, role=person.role)
