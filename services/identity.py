"""Who is acting: the person a use case is asked to act for, checked against roles."""

from __future__ import annotations

from collections.abc import Callable

from banso.engine.errors import NotFound, PermissionDenied
from banso.engine.workflow import Actor
from banso.services.ports import Person, UnitOfWork


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
