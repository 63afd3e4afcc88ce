"""Who is acting: the person a use case is asked to act for, checked against roles."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from banso.engine.errors import NotFound, PermissionDenied, Refused
from banso.engine.phrase import Phrase
from banso.engine.workflow import Actor
from banso.services.ports import Person, UnitOfWork
from banso.workflows.permissions import OWN, permission
from banso.workflows.roles import LEAD, PREFECTURE


def acting(uow: UnitOfWork, email: str | None, action: str, roles: tuple[str, ...] = ()) -> Actor:
    """The registered, active person behind ``email``, if ``roles`` allow ``action``
    (said in words: "change the budget")."""

    def denied(actor: str | None, allowed: tuple[str, ...]) -> PermissionDenied:
        return PermissionDenied(actor=actor, action=action, allowed_roles=allowed)

    return _acting(uow, email, roles, denied)


def acting_to_fire(
    uow: UnitOfWork, email: str | None, kind: str, record_id: int, trigger: str
) -> Actor:
    """The registered person behind ``email``, about to fire ``trigger`` on a record
    (the definition judges their role)."""

    def denied(actor: str | None, allowed: tuple[str, ...]) -> PermissionDenied:
        return PermissionDenied.to_fire(
            actor=actor, trigger=trigger, kind=kind, record_id=record_id, allowed_roles=allowed
        )

    return _acting(uow, email, (), denied)


def _acting(
    uow: UnitOfWork,
    email: str | None,
    roles: tuple[str, ...],
    denied: Callable[[str | None, tuple[str, ...]], PermissionDenied],
) -> Actor:
    if not email:
        raise denied(None, roles or ("person",))
    person = uow.directory.person(email)
    if person is None:
        raise NotFound("person with e-mail", email)
    if not person.active:
        # Taken off the programme: kept for the record, with no powers left.
        raise PermissionDenied(
            actor=email,
            action="act",
            allowed_roles=("person on the programme",),
            note="removed from the programme",
        )
    if roles and person.role not in roles:
        raise denied(email, roles)
    return Actor(email=person.email, role=person.role)


def person_named(uow: UnitOfWork, email: str) -> Person:
    """A person the request names (a consultant, say), or NotFound."""
    person = uow.directory.person(email)
    if person is None:
        raise NotFound("person with e-mail", email)
    return person


# -- authentication: who is acting, proven rather than claimed ---------------------

OS = "os"
DATABASE = "database"
TRUST = "trust"

TRUST_NOTICE = Phrase(
    "banso: identity mode trust: --as / BANSO_USER is believed, not authenticated "
    "(for the demo and tests only)"
)


@dataclass(frozen=True)
class Login:
    """How the command was authenticated: the mode, the account behind it (the
    operating-system account or the database role; None when trusting) and the
    person ``--as`` / ``BANSO_USER`` named, if any."""

    mode: str
    account: str | None
    claimed: str | None

    @property
    def what(self) -> str:
        return Phrase("operating-system account") if self.mode == OS else Phrase("database role")


@dataclass(frozen=True)
class Viewer:
    """A person admitted to a command, and which records it shows them."""

    email: str
    role: str
    person_id: int
    scope: str  # permissions.ALL or permissions.OWN

    @property
    def own_only(self) -> bool:
        return self.scope == OWN


def authenticate(uow: UnitOfWork, login: Login) -> str | None:
    """The e-mail of the person acting, or None when nobody is (and nobody claims to be).

    In ``trust`` mode the claim is believed. Otherwise the account must be bound
    to a person, and ``--as`` may only name that person.
    """
    if login.mode == TRUST or login.account is None:
        return login.claimed
    bound = uow.directory.person_by_login(login.account)
    if bound is None:
        if login.claimed is None and not uow.directory.has_people():
            return None
        if login.claimed is not None and uow.directory.person(login.claimed) is None:
            raise NotFound("person with e-mail", login.claimed)
        raise Refused(
            Phrase(
                "the {what} {account} is not bound to anyone on the programme; "
                "the lead binds it with `banso person add … --login {account}`",
                what=Phrase(login.what),
                account=login.account,
            )
        )
    if login.claimed is not None and login.claimed.casefold() != bound.email.casefold():
        if uow.directory.person(login.claimed) is None:
            raise NotFound("person with e-mail", login.claimed)
        raise Refused(
            Phrase(
                "--as {claimed}: the {what} {account} is {email}; --as may only name yourself",
                claimed=login.claimed,
                what=login.what,
                account=login.account,
                email=bound.email,
            )
        )
    return bound.email


def admit(uow: UnitOfWork, email: str | None, command: str) -> Viewer | None:
    """The person behind ``email`` if the permissions let them run ``command`` —
    checked before any rule and any read. None for commands that need nobody, and
    for `person add` while nobody is registered (the first person registers themself)."""
    allowed = permission(command)
    if allowed.open:
        return None
    if command == "person add" and not uow.directory.has_people():
        return None
    action = f"use `banso {command}`"
    actor = acting(uow, email, action, tuple(allowed.roles) or (LEAD, PREFECTURE))
    scope = allowed.scope(actor.role)
    if scope is None:
        raise PermissionDenied(actor=actor.email, action=action, allowed_roles=tuple(allowed.roles))
    person = uow.directory.person(actor.email)
    assert person is not None  # acting found them
    return Viewer(email=actor.email, role=actor.role, person_id=person.id, scope=scope)


def bind(uow: UnitOfWork, login: Login, person_id: int) -> str | None:
    """Bind the account running the command to ``person_id`` (os/database modes)."""
    if login.mode == TRUST or login.account is None:
        return None
    uow.directory.bind_login(login.account, person_id)
    return login.account


def bind_account(services_uow: Callable[..., UnitOfWork], login: Login, email: str) -> str | None:
    """Bind the account running the command to the person ``email`` (the demo binds its
    runner to its lead, so that the demo database can be explored in the default mode)."""
    with services_uow() as uow:
        person = person_named(uow, email)
        bound = bind(uow, login, person.id)
        uow.commit()
    return bound


# Which column makes a record a consultant's own.
_OWNER_COLUMN = {"engagement": "consultant_id", "dispatch": "consultant_id",
                 "consultation": "consultant_id", "work": "consultant_id"}  # fmt: skip


def owns(viewer: Viewer | None, kind: str, data: Mapping[str, Any]) -> bool:
    """Whether the record (its data) is shown to ``viewer``."""
    if viewer is None or not viewer.own_only:
        return True
    column = _OWNER_COLUMN.get(kind)
    return column is not None and data.get(column) == viewer.person_id


def require_own(uow: UnitOfWork, viewer: Viewer, kind: str, record_id: int) -> None:
    """A record outside the viewer's scope is "not found", exactly like a missing one,
    so that a refusal tells nothing about another organisation's work."""
    if kind not in _OWNER_COLUMN:
        raise NotFound(kind, record_id)
    try:
        view = uow.records.get(kind, record_id)
    except NotFound:
        raise NotFound(kind, record_id) from None
    if not owns(viewer, kind, view.data):
        raise NotFound(kind, record_id)
