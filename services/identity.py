"""Who is acting: the person a use case is asked to act for, checked against roles."""

from __future__ import annotations

from banso.engine.errors import NotFound, PermissionDenied
from banso.engine.workflow import Actor
from banso.services.ports import Person, UnitOfWork


def acting(uow: UnitOfWork, email: str | None, action: str, roles: tuple[str, ...] = ()) -> Actor:
    """The registered, active person behind ``email``, if ``roles`` allow ``action``."""
    if not email:
        raise PermissionDenied(actor=None, action=action, allowed_roles=roles or ("person",))
    person = uow.directory.person(email)
    if person is None:
        raise NotFound("person with e-mail", email)
    if roles and person.role not in roles:
        raise PermissionDenied(actor=email, action=action, allowed_roles=roles)
    return Actor(email=person.email, role=person.role)


def person_named(uow: UnitOfWork, email: str) -> Person:
    """A person the request names (a consultant, say), or NotFound."""
    person = uow.directory.person(email)
    if person is None:
        raise NotFound("person with e-mail", email)
    return person
