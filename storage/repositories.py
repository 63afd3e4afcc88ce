"""Master data and programme settings on SQL, as the services' ports describe them."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Executable, Row, Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from banso.engine.errors import ConflictError, NotFound
from banso.services import ports
from banso.storage.core import run
from banso.storage.models import (
    Assignment,
    DeliverableFileRow,
    LoginBinding,
    Organisation,
    Person,
    ProgrammeSetting,
    Subcontractor,
    Theme,
)

T = TypeVar("T")

ORGS, PEOPLE, THEMES = (cast(Table, m.__table__) for m in (Organisation, Person, Theme))
SUBS, ASSIGNED = (cast(Table, m.__table__) for m in (Subcontractor, Assignment))
SETTINGS = cast(Table, ProgrammeSetting.__table__)
# The lookups every transition makes, as Core statements built once (their cache
# keys are memoised on the object; no ORM entities are built for a read).
_ORG_BY_ID = select(ORGS).where(ORGS.c.id == bindparam("id"))
_ORG_BY_CODE = select(ORGS).where(ORGS.c.code == bindparam("code"))
_PERSON_BY_ID = select(PEOPLE).where(PEOPLE.c.id == bindparam("id"))
_PERSON_BY_EMAIL = select(PEOPLE).where(PEOPLE.c.email == bindparam("email"))
_THEME_BY_ID = select(THEMES).where(THEMES.c.id == bindparam("id"))
_THEME_BY_CODE = select(THEMES).where(THEMES.c.code == bindparam("code"))
_THEMES = select(THEMES).order_by(THEMES.c.id)
_SUB_BY_ID = select(SUBS).where(SUBS.c.id == bindparam("id"))
_ASSIGNED = select(ASSIGNED.c.consultant_id).where(
    ASSIGNED.c.org_id == bindparam("org_id"), ASSIGNED.c.theme_id == bindparam("theme_id")
)
_PEOPLE: dict[tuple[bool, bool], Any] = {}
_SETTING = select(SETTINGS.c.value).where(SETTINGS.c.key == bindparam("key"))
_SETTING_LOCKED = _SETTING.with_for_update()
_ALL_SETTINGS = select(SETTINGS.c.key, SETTINGS.c.value)


class _Memo:
    """Lookups kept for one unit of work; any write through the repository forgets
    them all (master data changes rarely, and never in the middle of a transition)."""

    def __init__(self) -> None:
        self._found: dict[tuple[Any, ...], Any] = {}

    def get(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        try:
            return cast(T, self._found[key])
        except KeyError:
            value = self._found[key] = load()
            return value

    def also(self, key: tuple[Any, ...], value: object) -> None:
        """Keep what another lookup found too (a person read by e-mail is the same by id)."""
        self._found.setdefault(key, value)

    def clear(self) -> None:
        self._found.clear()


def _org(row: Organisation | Row[Any]) -> ports.Org:
    return ports.Org(id=row.id, code=row.code, name=row.name, kind=row.kind)


def _person(row: Person | Row[Any]) -> ports.Person:
    return ports.Person(
        id=row.id,
        name=row.name,
        email=row.email,
        role=row.role,
        org_id=row.org_id,
        fields=tuple(row.fields or ()),
        track_record=row.track_record,
        company=row.company,
        subcontractor_id=row.subcontractor_id,
        active=row.active,
        dept=row.dept,
        title=row.title,
        phone=row.phone,
    )


def _theme(row: Theme | Row[Any]) -> ports.Theme:
    return ports.Theme(
        id=row.id,
        code=row.code,
        name=row.name,
        standardization=row.standardization,
        parent_id=row.parent_id,
    )


def _sub(row: Subcontractor | Row[Any]) -> ports.Subcontractor:
    return ports.Subcontractor(
        id=row.id,
        name=row.name,
        scope=row.scope,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        approval_ref=row.approval_ref,
    )


class SqlDirectory:
    """services.ports.Directory in the caller's session; lookups by key are kept
    for the unit of work (people, organisations, themes are read many times by
    one transition's guards and mail)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.memo = _Memo()  # every write below forgets it

    def _one(self, stmt: Executable, **params: Any) -> Any:
        return run(self.session, stmt, params).first()

    # -- organisations -----------------------------------------------------
    def org(self, code: str) -> ports.Org | None:
        def load() -> ports.Org | None:
            row = self._one(_ORG_BY_CODE, code=code)
            return _org(row) if row else None

        return self.memo.get(("org", code), load)

    def org_by_id(self, org_id: int) -> ports.Org | None:
        def load() -> ports.Org | None:
            row = self._one(_ORG_BY_ID, id=org_id)
            return _org(row) if row else None

        return self.memo.get(("org_by_id", org_id), load)

    def orgs(self, kind: str | None = None) -> list[ports.Org]:
        stmt = select(Organisation).order_by(Organisation.code)
        if kind:
            stmt = stmt.where(Organisation.kind == kind)
        return [_org(r) for r in self.session.scalars(stmt)]

    def add_org(self, code: str, name: str, kind: str) -> ports.Org:
        self.memo.clear()
        row = Organisation(code=code, name=name, kind=kind)
        self.session.add(row)
        self.session.flush()
        return _org(row)

    # -- people ------------------------------------------------------------
    def person(self, email: str) -> ports.Person | None:
        def load() -> ports.Person | None:
            row = self._one(_PERSON_BY_EMAIL, email=email)
            return self._seen_person(_person(row)) if row else None

        return self.memo.get(("person", email), load)

    def _seen_person(self, person: ports.Person) -> ports.Person:
        self.memo.also(("person_by_id", person.id), person)
        self.memo.also(("person", person.email), person)
        return person

    def person_by_id(self, person_id: int) -> ports.Person | None:
        def load() -> ports.Person | None:
            row = self._one(_PERSON_BY_ID, id=person_id)
            return self._seen_person(_person(row)) if row else None

        return self.memo.get(("person_by_id", person_id), load)

    def people(self, role: str | None = None, *, active_only: bool = False) -> list[ports.Person]:
        def load() -> list[ports.Person]:
            stmt = _PEOPLE.get((bool(role), active_only))
            if stmt is None:
                stmt = select(PEOPLE).order_by(PEOPLE.c.id)
                if role:
                    stmt = stmt.where(PEOPLE.c.role == bindparam("role"))
                if active_only:
                    stmt = stmt.where(PEOPLE.c.active.is_(True))
                _PEOPLE[(bool(role), active_only)] = stmt
            found = run(self.session, stmt, {"role": role} if role else None)
            return [self._seen_person(_person(r)) for r in found]

        return list(self.memo.get(("people", role, active_only), load))

    def has_people(self) -> bool:
        return self.session.scalars(select(Person.id).limit(1)).first() is not None

    def person_by_login(self, login: str) -> ports.Person | None:
        row = self.session.scalars(
            select(Person).join(LoginBinding, LoginBinding.person_id == Person.id)
            .where(LoginBinding.login == login)
        ).first()  # fmt: skip
        return _person(row) if row else None

    def bind_login(self, login: str, person_id: int) -> None:
        self.memo.clear()
        row = self.session.get(LoginBinding, login)
        if row is None:
            self.session.add(LoginBinding(login=login, person_id=person_id))
        else:
            row.person_id = person_id
        self.session.flush()

    def add_person(
        self,
        *,
        name: str,
        email: str,
        role: str,
        org_id: int | None,
        fields: Sequence[str] | None,
        track_record: str | None,
        company: str | None,
        subcontractor_id: int | None,
        at: datetime,
    ) -> ports.Person:
        self.memo.clear()
        row = Person(
            name=name,
            email=email,
            role=role,
            org_id=org_id,
            fields=list(fields) if fields else None,
            track_record=track_record,
            company=company,
            subcontractor_id=subcontractor_id,
            active=True,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return _person(row)

    def update_person(self, person_id: int, **changes: Any) -> ports.Person:
        self.memo.clear()
        row = self.session.get(Person, person_id)
        if row is None:
            raise NotFound("person", person_id)
        for key, value in changes.items():
            if key not in ("name", "fields", "track_record", "active", "dept", "title", "phone"):
                raise TypeError(f"a person has no changeable field {key!r}")
            setattr(row, key, value)
        self.session.flush()
        return _person(row)

    # -- themes ------------------------------------------------------------
    def theme(self, code: str) -> ports.Theme | None:
        def load() -> ports.Theme | None:
            row = self._one(_THEME_BY_CODE, code=code)
            return _theme(row) if row else None

        return self.memo.get(("theme", code), load)

    def theme_by_id(self, theme_id: int) -> ports.Theme | None:
        def load() -> ports.Theme | None:
            row = self._one(_THEME_BY_ID, id=theme_id)
            return _theme(row) if row else None

        return self.memo.get(("theme_by_id", theme_id), load)

    def themes(self) -> list[ports.Theme]:
        def load() -> list[ports.Theme]:
            themes = [_theme(r) for r in run(self.session, _THEMES)]
            for theme in themes:
                self.memo.also(("theme_by_id", theme.id), theme)
            return themes

        return list(self.memo.get(("themes",), load))

    def add_theme(
        self, code: str, name: str, standardization: bool, parent_id: int | None
    ) -> ports.Theme:
        self.memo.clear()
        row = Theme(code=code, name=name, standardization=standardization, parent_id=parent_id)
        self.session.add(row)
        self.session.flush()
        return _theme(row)

    # -- subcontractors ----------------------------------------------------
    def subcontractor(self, name: str) -> ports.Subcontractor | None:
        row = self.session.scalars(select(Subcontractor).where(Subcontractor.name == name)).first()
        return _sub(row) if row else None

    def subcontractor_by_id(self, sub_id: int) -> ports.Subcontractor | None:
        def load() -> ports.Subcontractor | None:
            row = self._one(_SUB_BY_ID, id=sub_id)
            return _sub(row) if row else None

        return self.memo.get(("subcontractor_by_id", sub_id), load)

    def subcontractors(self) -> list[ports.Subcontractor]:
        stmt = select(Subcontractor).order_by(Subcontractor.id)
        return [_sub(r) for r in self.session.scalars(stmt)]

    def add_subcontractor(self, name: str, scope: str | None) -> ports.Subcontractor:
        self.memo.clear()
        row = Subcontractor(name=name, scope=scope)
        self.session.add(row)
        self.session.flush()
        return _sub(row)

    def approve_subcontractor(
        self, sub_id: int, *, at: datetime, by: str, ref: str
    ) -> ports.Subcontractor:
        self.memo.clear()
        row = self.session.get(Subcontractor, sub_id)
        if row is None:
            raise NotFound("subcontractor", sub_id)
        row.approved_at, row.approved_by, row.approval_ref = at, by, ref
        self.session.flush()
        return _sub(row)

    # -- who serves whom ---------------------------------------------------
    def assigned_consultant(self, org_id: int, theme_id: int) -> int | None:
        def load() -> int | None:
            row = self._one(_ASSIGNED, org_id=org_id, theme_id=theme_id)
            return int(row.consultant_id) if row else None

        return self.memo.get(("assigned", org_id, theme_id), load)

    def assign(self, org_id: int, theme_id: int, consultant_id: int) -> None:
        self.memo.clear()
        row = self.session.scalars(
            select(Assignment).where(Assignment.org_id == org_id, Assignment.theme_id == theme_id)
        ).first()
        if row is None:
            self.assign_if_first(org_id, theme_id, consultant_id)
        else:
            row.consultant_id = consultant_id
            self.session.flush()

    def assign_if_first(self, org_id: int, theme_id: int, consultant_id: int) -> None:
        # What was kept stands until a write (every write goes through here), so the
        # guards' lookup of the assignment answers this check too.
        if self.assigned_consultant(org_id, theme_id) is None:
            self.memo.clear()
            self.session.add(
                Assignment(org_id=org_id, theme_id=theme_id, consultant_id=consultant_id)
            )
            self.session.flush()
            self.memo.also(("assigned", org_id, theme_id), consultant_id)


class SqlDeliverableFiles:
    """services.ports.DeliverableFiles in the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, file: ports.FileVersion) -> None:
        self.session.add(DeliverableFileRow(**asdict(file)))
        try:
            self.session.flush()
        except IntegrityError as exc:
            # Another process wrote this version first (two generates at once).
            raise ConflictError(
                kind="deliverable",
                record_id=file.deliverable_id,
                seen_version=file.version - 1,
                current_version=file.version,
                changed_by=None,
                changed_at=None,
            ) from exc

    def versions(self, deliverable_id: int) -> list[ports.FileVersion]:
        rows = self.session.scalars(
            select(DeliverableFileRow)
            .where(DeliverableFileRow.deliverable_id == deliverable_id)
            .order_by(DeliverableFileRow.version, DeliverableFileRow.format)
        )
        return [
            ports.FileVersion(**{f.name: getattr(r, f.name) for f in fields(ports.FileVersion)})
            for r in rows
        ]

    def mark_submitted(self, deliverable_id: int, version: int, at: datetime) -> None:
        self.session.execute(
            update(DeliverableFileRow)
            .where(
                DeliverableFileRow.deliverable_id == deliverable_id,
                DeliverableFileRow.version == version,
            )
            .values(submitted_at=at)
            .execution_options(synchronize_session=False)
        )


class SqlSettings:
    """services.ports.ProgrammeSettings: one JSON object per key. The first read of
    a unit of work reads every key (a handful of small rows: the contract, the
    quota, the audit key marker), which the contract, the quota and the mail of a
    transition then share."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._read: dict[str, dict[str, Any] | None] = {}
        self._all_read = False  # every key not in _read is absent (until a put)

    def get(self, key: str, *, lock: bool = False) -> dict[str, Any] | None:
        # FOR UPDATE orders concurrent planners on PostgreSQL; SQLite is already
        # serialised by BEGIN IMMEDIATE, so there what was read stands.
        if lock and self.session.get_bind().dialect.name != "sqlite":
            row = run(self.session, _SETTING_LOCKED, {"key": key}).first()
            self._read[key] = dict(row.value) if row else None
        elif key not in self._read and not self._all_read:
            self._read.update((k, dict(v)) for k, v in run(self.session, _ALL_SETTINGS))
            self._all_read = True
        found = self._read.get(key)
        # A copy to the depth a caller might change (as a fresh read would be).
        return copy.deepcopy(found) if found is not None else None

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        self._read.pop(key, None)
        self._all_read = False  # the key is read again when next asked for
        row = self.session.get(ProgrammeSetting, key, populate_existing=True)
        if row is None:
            self.session.add(ProgrammeSetting(key=key, value=dict(value)))
        else:
            row.value = dict(value)
        self.session.flush()
