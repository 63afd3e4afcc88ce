"""In-memory implementations of every port in ``services.ports``, for the service tests.

They pass the same contract suite as the SQL stores (``tests/contract``), so a
use case that works here works on SQLite and PostgreSQL. Where the backends
differ, the fakes take the stricter side: NOT NULL, unique and foreign-key
constraints, column lengths (PostgreSQL enforces them, SQLite does not), naive
datetimes refused, JSON values that must survive ``json.dumps``.

- :class:`MemoryStore` holds the committed data. A :class:`MemoryUnitOfWork`
  works on a copy taken when it begins and puts it back on commit; one rolled
  back leaves no trace. Like SQLite, one writer at a time: a second write unit
  of work (or an outbox-store call) while one is open raises instead of
  waiting for a lock it would never get in a single thread.
- :class:`MemoryOutboxStore`: the sender's side, each call its own transaction.
- :class:`FakeMail` records what is composed and checks each kind's context keys
  against ``notifications.render.KINDS``; :class:`FakeDelivery` "sends" what the
  outbox store hands it and records it.
- :func:`memory_services` wires them the way ``admin.bootstrap.Bootstrap`` wires SQL.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, ClassVar, Self

from banso.engine.audit import GENESIS, AuditEvent, NewAuditEvent, seal
from banso.engine.calendar import BusinessCalendar, DueDate
from banso.engine.clock import FixedClock
from banso.engine.deadlines import ACTIVE, CANCELLED, MET, OPEN, STATUSES, Deadline
from banso.engine.errors import InvalidValue, NotFound
from banso.engine.outbox import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    STATES,
    Attachment,
    OutgoingMessage,
    QueuedMessage,
    message_id_for,
    retry_delay,
)
from banso.engine.reminders import ReminderPolicy
from banso.engine.runner import Occurrence, TransitionRunner
from banso.engine.workflow import Effect, RecordView
from banso.notifications.headers import check_address, check_addresses
from banso.notifications.render import COMMON, KINDS
from banso.services import ports
from banso.services.context import Services
from banso.services.effects import Effects
from banso.workflows import DEFINITIONS

# -- what the SQL schema promises ----------------------------------------------


class StorageViolation(Exception):
    """A write the SQL schema would refuse: NOT NULL, unique, foreign key, length
    (sqlalchemy.exc.IntegrityError / DataError on the real stores)."""


class BackendDependent(AssertionError):
    """A query whose answer differs between SQLite and PostgreSQL (a bug in the caller)."""


JSON = object  # the column type of JSON columns in RECORD_COLUMNS


@dataclass(frozen=True)
class Column:
    """One column of a record table, as ``storage.models`` declares it."""

    type: type
    nullable: bool = True
    default: Any = None  # applied when the field is not given at all
    length: int | None = None  # String(n): PostgreSQL refuses longer values
    references: str | None = None  # the table a foreign key points at


def _c(
    kind: type, *, null: bool = True, default: Any = None, n: int | None = None, ref: str = ""
) -> Column:
    return Column(kind, null, default, n, ref or None)


# The fields of every kind besides id/state/version/created_at/updated_at; a
# contract test proves they are exactly storage.models' columns.
RECORD_COLUMNS: dict[str, dict[str, Column]] = {
    "engagement": {
        "org_id": _c(int, null=False, ref="organisations"),
        "theme_id": _c(int, null=False, ref="themes"),
        "consultant_id": _c(int, ref="people"),
        "proposed_consultant_id": _c(int, ref="people"),
        "agreed_consultant_id": _c(int, ref="people"),
        "request": _c(str),
        "contact_name": _c(str, n=200),
        "contact_email": _c(str, n=254),
        "contact_dept": _c(str, n=200),
        "preferred_months": _c(JSON),
        "preferred_from": _c(str, n=7),
        "preferred_to": _c(str, n=7),
        "hearing_at": _c(datetime),
        "hearing_invite": _c(JSON),
        "findings": _c(str),
        "goals": _c(str),
        "planned_dispatches": _c(int),
        "outcome": _c(str),
        "reason": _c(str),
    },
    "dispatch": {
        "engagement_id": _c(int, null=False, ref="engagements"),
        "consultant_id": _c(int, null=False, ref="people"),
        "at": _c(datetime, null=False),
        "mode": _c(str, null=False, n=8),
        "month": _c(str, null=False, n=7),
        "fiscal_year": _c(int, null=False),
        "standardization": _c(bool, null=False, default=False),
        "summary": _c(str),
        "hours": _c(float),
        "reason": _c(str),
        "reason_code": _c(str, n=16),
        "invite": _c(JSON),
    },
    "consultation": {
        "org_id": _c(int, null=False, ref="organisations"),
        "topic": _c(str, null=False),
        "channel": _c(str, n=8),
        "consultant_id": _c(int, ref="people"),
        "answer_channel": _c(str, n=8),
        "summary": _c(str),
        "fiscal_year": _c(int, null=False),
        "contact_name": _c(str, n=200),
        "contact_email": _c(str, n=254),
        "contact_phone": _c(str, n=40),
    },
    "deliverable": {
        "kind": _c(str, null=False, n=32),
        "title": _c(str, null=False, n=200),
        "period": _c(str, n=16),
        "roster_version": _c(int),
        "engagement_id": _c(int, ref="engagements"),
        "org_id": _c(int, ref="organisations"),
        "reason": _c(str),
    },
    "meeting": {
        "kind": _c(str, null=False, n=16),
        "at": _c(datetime, null=False),
        "month": _c(str, null=False, n=7),
        "engagement_id": _c(int, ref="engagements"),
        "place": _c(str, n=200),
        "url": _c(str, n=500),
        "minutes": _c(str),
        "reason": _c(str),
        "reason_code": _c(str, n=16),
        "invite": _c(JSON),
    },
    "work": {
        "engagement_id": _c(int, null=False, ref="engagements"),
        "consultant_id": _c(int, null=False, ref="people"),
        "org_id": _c(int, null=False, ref="organisations"),
        "day": _c(date, null=False),
        "month": _c(str, null=False, n=7),
        "hours": _c(float, null=False),
        "summary": _c(str, null=False),
    },
}
SYSTEM_COLUMNS = ("id", "state", "version", "created_at", "updated_at")
MAX_ERROR = 1000  # characters of last_error kept (storage.outbox.MAX_ERROR)
CLAIMABLE = (QUEUED, FAILED, SENDING)
RETRYABLE = (DEAD, FAILED, QUEUED)


def utc(value: datetime, where: str) -> datetime:
    """An aware datetime in UTC, as the UTC columns read back; a naive one is refused."""
    if not isinstance(value, datetime):
        raise TypeError(f"{where}: a datetime, not {value!r}")
    if value.tzinfo is None:
        raise ValueError(f"{where}: naive datetime given to a UTC column")
    return value.astimezone(UTC)


def _utc_or_none(value: datetime | None, where: str) -> datetime | None:
    return None if value is None else utc(value, where)


def json_copy(value: Any) -> Any:
    """What a JSON column gives back (tuples become lists; a datetime raises TypeError)."""
    return json.loads(json.dumps(value))


def _fits(where: str, value: str | None, length: int) -> None:
    if value is not None and len(value) > length:
        raise StorageViolation(f"{where}: {len(value)} characters, at most {length}")


def _store_value(kind: str, name: str, column: Column, value: Any) -> Any:
    """A field value as the column would store and give it back."""
    where = f"{kind}.{name}"
    if value is None:
        if not column.nullable:
            raise StorageViolation(f"NOT NULL constraint failed: {where}")
        return None
    if column.type is JSON:
        return json_copy(value)
    if column.type is datetime:
        return utc(value, where)
    if column.type is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where}: a number, not {value!r}")
        return float(value)
    if column.type is int and isinstance(value, bool):
        raise TypeError(f"{where}: an integer, not {value!r}")
    if not isinstance(value, column.type):
        raise TypeError(f"{where}: {column.type.__name__}, not {value!r}")
    if column.length is not None and isinstance(value, str):
        _fits(where, value, column.length)
    return value


# -- the data --------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRecord:
    state: str
    version: int
    data: Mapping[str, Any]  # never mutated once stored: a write stores a new dict
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StoredDeadline:
    deadline: Deadline
    created_at: datetime
    met_at: datetime | None = None


def _new_id(rows: Mapping[int, Any]) -> int:
    return max(rows, default=0) + 1


@dataclass
class Tables:
    """Everything a database holds. Rows are immutable; copying is shallow."""

    records: dict[str, dict[int, StoredRecord]] = field(
        default_factory=lambda: {kind: {} for kind in RECORD_COLUMNS}
    )
    orgs: dict[int, ports.Org] = field(default_factory=dict)
    people: dict[int, ports.Person] = field(default_factory=dict)
    themes: dict[int, ports.Theme] = field(default_factory=dict)
    subcontractors: dict[int, ports.Subcontractor] = field(default_factory=dict)
    assignments: dict[tuple[int, int], int] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)  # key → JSON text
    audit: list[AuditEvent] = field(default_factory=list)
    audit_head: tuple[int, str] = (0, GENESIS)
    deadlines: dict[int, StoredDeadline] = field(default_factory=dict)
    outbox: dict[int, QueuedMessage] = field(default_factory=dict)
    outbox_keys: dict[str, int] = field(default_factory=dict)
    files: tuple[ports.FileVersion, ...] = ()
    logins: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Tables:
        return Tables(
            records={kind: dict(rows) for kind, rows in self.records.items()},
            orgs=dict(self.orgs),
            people=dict(self.people),
            themes=dict(self.themes),
            subcontractors=dict(self.subcontractors),
            assignments=dict(self.assignments),
            settings=dict(self.settings),
            audit=list(self.audit),
            audit_head=self.audit_head,
            deadlines=dict(self.deadlines),
            outbox=dict(self.outbox),
            outbox_keys=dict(self.outbox_keys),
            files=self.files,
            logins=dict(self.logins),
        )

    def exists(self, table: str, row_id: int) -> bool:
        """Whether ``row_id`` is in ``table`` (a foreign key's target)."""
        tables: dict[str, Mapping[int, Any]] = {
            "organisations": self.orgs,
            "people": self.people,
            "themes": self.themes,
            "subcontractors": self.subcontractors,
            "engagements": self.records["engagement"],
            "deliverables": self.records["deliverable"],
        }
        return row_id in tables[table]

    def check_reference(self, where: str, table: str, row_id: int | None) -> None:
        if row_id is not None and not self.exists(table, row_id):
            raise StorageViolation(f"FOREIGN KEY constraint failed: {where} → {table} {row_id}")


class MemoryStore:
    """The committed data, shared by every unit of work and outbox store made on it."""

    def __init__(self) -> None:
        self.tables = Tables()
        self._writer: object | None = None

    def begin_write(self, who: object) -> None:
        if self._writer is not None:
            raise RuntimeError(
                "another write unit of work is open: on SQLite this would wait for its "
                "write lock forever (one thread); close it first"
            )
        self._writer = who

    def end_write(self, who: object) -> None:
        if self._writer is who:
            self._writer = None

    def snapshot(self) -> Tables:
        """The committed data now, to compare with later ("nothing changed")."""
        return self.tables.copy()


class _Tx:
    """The tables one unit of work sees (swapped for a fresh copy after each commit)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables


# -- workflow records --------------------------------------------------------------


class MemoryRecords:
    """services.ports.Records, with SqlRecords' checks."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    def _columns(self, kind: str) -> dict[str, Column]:
        try:
            return RECORD_COLUMNS[kind]
        except KeyError:
            known = ", ".join(sorted(RECORD_COLUMNS))
            raise NotFound("kind of record", kind, f"known: {known}") from None

    def _rows(self, kind: str) -> dict[int, StoredRecord]:
        self._columns(kind)
        return self._tx.tables.records[kind]

    def _check_columns(self, kind: str, names: Iterable[str], *, system: bool = False) -> None:
        known = set(self._columns(kind)) | (set(SYSTEM_COLUMNS) if system else set())
        unknown = set(names) - known
        if unknown:
            raise InvalidValue(f"{kind} fields", sorted(unknown), "fields the record has")

    def _stored(self, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
        columns = self._columns(kind)
        stored = {
            name: _store_value(kind, name, columns[name], value) for name, value in values.items()
        }
        for name, value in stored.items():
            ref = columns[name].references
            if ref is not None:
                self._tx.tables.check_reference(f"{kind}.{name}", ref, value)
        return stored

    @staticmethod
    def _view(kind: str, record_id: int, row: StoredRecord) -> RecordView:
        data = {k: json_copy(v) if isinstance(v, list | dict) else v for k, v in row.data.items()}
        return RecordView(kind=kind, id=record_id, state=row.state, version=row.version, data=data)

    @staticmethod
    def _value(record_id: int, row: StoredRecord, name: str) -> Any:
        system = {
            "id": record_id,
            "state": row.state,
            "version": row.version,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
        return system[name] if name in system else row.data[name]

    def get(self, kind: str, record_id: int, *, lock: bool = False) -> RecordView:
        # lock: one writer at a time already orders the holders here.
        row = self._rows(kind).get(record_id)
        if row is None:
            raise NotFound(kind, record_id)
        return self._view(kind, record_id, row)

    def add(self, kind: str, state: str, data: Mapping[str, Any], at: datetime) -> int:
        self._check_columns(kind, data)
        columns = self._columns(kind)
        values = {name: data.get(name, column.default) for name, column in columns.items()}
        stored = self._stored(kind, values)
        when = utc(at, f"{kind}.created_at")
        rows = self._rows(kind)
        record_id = _new_id(rows)
        rows[record_id] = StoredRecord(state, 0, stored, when, when)
        return record_id

    def write(
        self,
        kind: str,
        record_id: int,
        *,
        seen_version: int,
        state: str,
        changes: Mapping[str, Any],
        at: datetime,
    ) -> bool:
        self._check_columns(kind, changes)
        stored = self._stored(kind, changes)
        rows = self._rows(kind)
        row = rows.get(record_id)
        if row is None or row.version != seen_version:
            return False
        rows[record_id] = replace(
            row,
            state=state,
            version=seen_version + 1,
            data={**row.data, **stored},
            updated_at=utc(at, f"{kind}.updated_at"),
        )
        return True

    def _matching(
        self,
        kind: str,
        where: Mapping[str, Any] | None,
        states: Sequence[str] | None,
        not_states: Sequence[str] | None,
    ) -> list[tuple[int, StoredRecord]]:
        self._check_columns(kind, where or {}, system=True)
        found = []
        for record_id, row in self._rows(kind).items():
            if states is not None and row.state not in states:
                continue
            if not_states and row.state in not_states:
                continue
            if all(
                self._value(record_id, row, k) == v
                if v is not None
                else self._value(record_id, row, k) is None
                for k, v in (where or {}).items()
            ):
                found.append((record_id, row))
        return found

    def find(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
        not_states: Sequence[str] | None = None,
        order_by: Sequence[str] = ("id",),
    ) -> list[RecordView]:
        self._check_columns(kind, order_by, system=True)
        found = self._matching(kind, where, states, not_states)

        def key(item: tuple[int, StoredRecord]) -> tuple[Any, ...]:
            values = tuple(self._value(item[0], item[1], name) for name in order_by)
            if any(v is None for v in values):
                raise BackendDependent(
                    f"{kind} ordered by {', '.join(order_by)} with a NULL among them: "
                    "SQLite puts NULLs first, PostgreSQL last"
                )
            return (*values, item[0])

        return [self._view(kind, i, row) for i, row in sorted(found, key=key)]

    def count(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        return len(self._matching(kind, where, states, None))


# -- the audit chain -------------------------------------------------------------


class MemoryAuditLog:
    """services.ports.Audit: the hash chain, sealed with engine.audit.seal as in SQL."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    def append(self, event: NewAuditEvent) -> AuditEvent:
        tables = self._tx.tables
        seq, prev = tables.audit_head
        sealed = seal(event, seq + 1, prev)
        # Stored as the columns give it back: UTC time, the payload through JSON.
        tables.audit.append(
            replace(sealed, at=utc(sealed.at, "audit.at"), payload=json_copy(dict(sealed.payload)))
        )
        tables.audit_head = (sealed.seq, sealed.hash)
        return sealed

    def latest_for(self, kind: str, record_id: int) -> AuditEvent | None:
        events = self.history(kind, record_id)
        return events[-1] if events else None

    def history(self, kind: str, record_id: int) -> list[AuditEvent]:
        return [e for e in self._tx.tables.audit if e.kind == kind and e.record_id == record_id]

    def all_events(self) -> Iterator[AuditEvent]:
        yield from list(self._tx.tables.audit)

    def head_hash(self) -> str:
        return self._tx.tables.audit_head[1]


# -- master data and settings ----------------------------------------------------


class MemoryDirectory:
    """services.ports.Directory with the schema's unique and foreign-key rules."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    @property
    def _t(self) -> Tables:
        return self._tx.tables

    # -- organisations -----------------------------------------------------
    def org(self, code: str) -> ports.Org | None:
        return next((o for o in self._t.orgs.values() if o.code == code), None)

    def org_by_id(self, org_id: int) -> ports.Org | None:
        return self._t.orgs.get(org_id)

    def orgs(self, kind: str | None = None) -> list[ports.Org]:
        found = [o for o in self._t.orgs.values() if not kind or o.kind == kind]
        return sorted(found, key=lambda o: o.code)

    def add_org(self, code: str, name: str, kind: str) -> ports.Org:
        if self.org(code) is not None:
            raise StorageViolation(f"UNIQUE constraint failed: organisations.code {code}")
        _fits("organisations.code", code, 16)
        _fits("organisations.name", name, 200)
        _fits("organisations.kind", kind, 16)
        org = ports.Org(id=_new_id(self._t.orgs), code=code, name=name, kind=kind)
        self._t.orgs[org.id] = org
        return org

    # -- people ------------------------------------------------------------
    def person(self, email: str) -> ports.Person | None:
        return next((p for p in self._t.people.values() if p.email == email), None)

    def person_by_id(self, person_id: int) -> ports.Person | None:
        return self._t.people.get(person_id)

    def people(self, role: str | None = None, *, active_only: bool = False) -> list[ports.Person]:
        return [
            p
            for _, p in sorted(self._t.people.items())
            if (not role or p.role == role) and (p.active or not active_only)
        ]

    def has_people(self) -> bool:
        return bool(self._t.people)

    def person_by_login(self, login: str) -> ports.Person | None:
        person_id = self._t.logins.get(login)
        return self._t.people.get(person_id) if person_id is not None else None

    def bind_login(self, login: str, person_id: int) -> None:
        if person_id not in self._t.people:
            raise StorageViolation(
                f"FOREIGN KEY constraint failed: logins.person_id → people {person_id}"
            )
        self._t.logins[login] = person_id

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
        if self.person(email) is not None:
            raise StorageViolation(f"UNIQUE constraint failed: people.email {email}")
        self._t.check_reference("people.org_id", "organisations", org_id)
        self._t.check_reference("people.subcontractor_id", "subcontractors", subcontractor_id)
        _fits("people.name", name, 200)
        _fits("people.email", email, 254)
        _fits("people.role", role, 16)
        _fits("people.company", company, 200)
        utc(at, "people.created_at")
        person = ports.Person(
            id=_new_id(self._t.people),
            name=name,
            email=email,
            role=role,
            org_id=org_id,
            fields=tuple(json_copy(list(fields))) if fields else (),
            track_record=track_record,
            company=company,
            subcontractor_id=subcontractor_id,
            active=True,
        )
        self._t.people[person.id] = person
        return person

    def update_person(self, person_id: int, **changes: Any) -> ports.Person:
        for key in changes:
            if key not in ("name", "fields", "track_record", "active", "dept", "title", "phone"):
                raise TypeError(f"a person has no changeable field {key!r}")
        person = self._t.people.get(person_id)
        if person is None:
            raise NotFound("person", person_id)
        if "fields" in changes:
            changes["fields"] = tuple(json_copy(list(changes["fields"] or ())))
        if "name" in changes:
            _fits("people.name", changes["name"], 200)
        person = replace(person, **changes)
        self._t.people[person_id] = person
        return person

    # -- themes ------------------------------------------------------------
    def theme(self, code: str) -> ports.Theme | None:
        return next((t for t in self._t.themes.values() if t.code == code), None)

    def theme_by_id(self, theme_id: int) -> ports.Theme | None:
        return self._t.themes.get(theme_id)

    def themes(self) -> list[ports.Theme]:
        return [t for _, t in sorted(self._t.themes.items())]

    def add_theme(
        self, code: str, name: str, standardization: bool, parent_id: int | None
    ) -> ports.Theme:
        if self.theme(code) is not None:
            raise StorageViolation(f"UNIQUE constraint failed: themes.code {code}")
        self._t.check_reference("themes.parent_id", "themes", parent_id)
        _fits("themes.code", code, 32)
        _fits("themes.name", name, 200)
        theme = ports.Theme(
            id=_new_id(self._t.themes),
            code=code,
            name=name,
            standardization=bool(standardization),
            parent_id=parent_id,
        )
        self._t.themes[theme.id] = theme
        return theme

    # -- subcontractors ----------------------------------------------------
    def subcontractor(self, name: str) -> ports.Subcontractor | None:
        return next((s for s in self._t.subcontractors.values() if s.name == name), None)

    def subcontractor_by_id(self, sub_id: int) -> ports.Subcontractor | None:
        return self._t.subcontractors.get(sub_id)

    def subcontractors(self) -> list[ports.Subcontractor]:
        return [s for _, s in sorted(self._t.subcontractors.items())]

    def add_subcontractor(self, name: str, scope: str | None) -> ports.Subcontractor:
        if self.subcontractor(name) is not None:
            raise StorageViolation(f"UNIQUE constraint failed: subcontractors.name {name}")
        _fits("subcontractors.name", name, 200)
        sub = ports.Subcontractor(id=_new_id(self._t.subcontractors), name=name, scope=scope)
        self._t.subcontractors[sub.id] = sub
        return sub

    def approve_subcontractor(
        self, sub_id: int, *, at: datetime, by: str, ref: str
    ) -> ports.Subcontractor:
        sub = self._t.subcontractors.get(sub_id)
        if sub is None:
            raise NotFound("subcontractor", sub_id)
        _fits("subcontractors.approved_by", by, 254)
        _fits("subcontractors.approval_ref", ref, 200)
        sub = replace(sub, approved_at=utc(at, "subcontractors.approved_at"), approved_by=by,
                      approval_ref=ref)  # fmt: skip
        self._t.subcontractors[sub_id] = sub
        return sub

    # -- who serves whom ---------------------------------------------------
    def assigned_consultant(self, org_id: int, theme_id: int) -> int | None:
        return self._t.assignments.get((org_id, theme_id))

    def assign(self, org_id: int, theme_id: int, consultant_id: int) -> None:
        self._t.assignments.pop((org_id, theme_id), None)
        self.assign_if_first(org_id, theme_id, consultant_id)

    def assign_if_first(self, org_id: int, theme_id: int, consultant_id: int) -> None:
        if (org_id, theme_id) in self._t.assignments:
            return
        self._t.check_reference("assignments.org_id", "organisations", org_id)
        self._t.check_reference("assignments.theme_id", "themes", theme_id)
        self._t.check_reference("assignments.consultant_id", "people", consultant_id)
        self._t.assignments[(org_id, theme_id)] = consultant_id


class MemoryDeliverableFiles:
    """services.ports.DeliverableFiles: one (deliverable, version, format) once."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    def add(self, file: ports.FileVersion) -> None:
        tables = self._tx.tables
        where = "deliverable_files.deliverable_id"
        tables.check_reference(where, "deliverables", file.deliverable_id)
        key = (file.deliverable_id, file.version, file.format)
        if any((f.deliverable_id, f.version, f.format) == key for f in tables.files):
            raise StorageViolation(f"deliverable_files: {key} is already there")
        tables.files = (*tables.files, file)

    def versions(self, deliverable_id: int) -> list[ports.FileVersion]:
        found = [f for f in self._tx.tables.files if f.deliverable_id == deliverable_id]
        return sorted(found, key=lambda f: (f.version, f.format))

    def mark_submitted(self, deliverable_id: int, version: int, at: datetime) -> None:
        tables = self._tx.tables
        tables.files = tuple(
            replace(f, submitted_at=at)
            if (f.deliverable_id, f.version) == (deliverable_id, version)
            else f
            for f in tables.files
        )


class MemorySettings:
    """services.ports.ProgrammeSettings: one JSON object per key."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx
        self.locked: set[str] = set()  # keys read with lock=True in this unit of work

    def get(self, key: str, *, lock: bool = False) -> dict[str, Any] | None:
        if lock:
            self.locked.add(key)  # one writer at a time already orders the holders
        text = self._tx.tables.settings.get(key)
        return None if text is None else dict(json.loads(text))

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        _fits("programme_settings.key", key, 64)
        self._tx.tables.settings[key] = json.dumps(dict(value))


# -- deadlines -----------------------------------------------------------------------


class MemoryDeadlines:
    """services.ports.Deadlines with storage.deadlines' status and ordering rules."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    @property
    def _rows(self) -> dict[int, StoredDeadline]:
        return self._tx.tables.deadlines

    def _about(
        self, about_kind: str | None, about_id: int | None, obligation: str
    ) -> list[StoredDeadline]:
        return [
            row
            for _, row in sorted(self._rows.items())
            if row.deadline.about_kind == about_kind
            and row.deadline.about_id == about_id
            and row.deadline.obligation == obligation
        ]

    def _put(self, row: StoredDeadline) -> None:
        self._rows[row.deadline.id] = row

    def open(
        self,
        *,
        obligation: str,
        title: str,
        about_kind: str | None,
        about_id: int | None,
        org_id: int | None,
        due: DueDate,
        responsible: str,
        first_step: int = 0,
        first_fire_at: datetime | None,
        now: datetime,
    ) -> int:
        self._tx.tables.check_reference("deadlines.org_id", "organisations", org_id)
        _fits("deadlines.obligation", obligation, 48)
        _fits("deadlines.title", title, 300)
        _fits("deadlines.about_kind", about_kind, 32)
        _fits("deadlines.responsible", responsible, 254)
        deadline = Deadline(
            id=_new_id(self._rows),
            obligation=obligation,
            title=title,
            about_kind=about_kind,
            about_id=about_id,
            org_id=org_id,
            due_as_written=due.as_written,
            due=due.effective,
            explanation=due.explanation,
            status=OPEN,
            responsible=responsible,
            next_step=first_step,
            next_fire_at=_utc_or_none(first_fire_at, "deadlines.next_fire_at"),
        )
        self._put(StoredDeadline(deadline, utc(now, "deadlines.created_at")))
        return deadline.id

    def open_once(
        self,
        *,
        obligation: str,
        title: str,
        about_kind: str | None,
        about_id: int | None,
        org_id: int | None,
        due: DueDate,
        responsible: str,
        first_step: int = 0,
        first_fire_at: datetime | None,
        now: datetime,
    ) -> int | None:
        if self.exists(about_kind, about_id, obligation):
            return None
        return self.open(
            obligation=obligation, title=title, about_kind=about_kind, about_id=about_id,
            org_id=org_id, due=due, responsible=responsible, first_step=first_step,
            first_fire_at=first_fire_at, now=now,
        )  # fmt: skip

    def meet(
        self, about_kind: str | None, about_id: int | None, obligation: str, now: datetime
    ) -> int:
        at = utc(now, "deadlines.met_at")
        changed = 0
        for row in self._about(about_kind, about_id, obligation):
            if row.deadline.status in ACTIVE:
                self._put(
                    replace(
                        row,
                        deadline=replace(row.deadline, status=MET, next_fire_at=None),
                        met_at=at,
                    )
                )
                changed += 1
        return changed

    def reopen(
        self,
        about_kind: str | None,
        about_id: int | None,
        obligation: str,
        *,
        first_step: int = 0,
        first_fire_at: datetime | None,
    ) -> int:
        fire_at = _utc_or_none(first_fire_at, "deadlines.next_fire_at")
        changed = 0
        for row in self._about(about_kind, about_id, obligation):
            if row.deadline.status == MET:
                self._put(
                    replace(
                        row,
                        deadline=replace(
                            row.deadline, status=OPEN, next_step=first_step, next_fire_at=fire_at
                        ),
                        met_at=None,
                    )
                )
                changed += 1
        return changed

    def move(
        self,
        about_kind: str | None,
        about_id: int | None,
        obligation: str,
        due: DueDate,
        *,
        first_step: int = 0,
        first_fire_at: datetime | None,
    ) -> int:
        fire_at = _utc_or_none(first_fire_at, "deadlines.next_fire_at")
        changed = 0
        for row in self._about(about_kind, about_id, obligation):
            if row.deadline.status in ACTIVE:
                moved = replace(
                    row.deadline,
                    due_as_written=due.as_written,
                    due=due.effective,
                    explanation=due.explanation,
                    status=OPEN,
                    next_step=first_step,
                    next_fire_at=fire_at,
                )
                self._put(replace(row, deadline=moved))
                changed += 1
        return changed

    def cancel(self, about_kind: str | None, about_id: int | None, obligation: str) -> int:
        changed = 0
        for row in self._about(about_kind, about_id, obligation):
            if row.deadline.status in ACTIVE:
                self._put(
                    replace(
                        row, deadline=replace(row.deadline, status=CANCELLED, next_fire_at=None)
                    )
                )
                changed += 1
        return changed

    def exists(self, about_kind: str | None, about_id: int | None, obligation: str) -> bool:
        return bool(self._about(about_kind, about_id, obligation))

    def find(
        self, about_kind: str | None, about_id: int | None, obligation: str
    ) -> Deadline | None:
        rows = self._about(about_kind, about_id, obligation)
        return rows[-1].deadline if rows else None

    def owned_by(
        self, owners: Sequence[str], statuses: Sequence[str], due_until: date
    ) -> list[Deadline]:
        found = [
            row.deadline
            for row in self._rows.values()
            if row.deadline.responsible in owners
            and row.deadline.status in statuses
            and row.deadline.due <= due_until
        ]
        return sorted(found, key=lambda d: (d.due, d.id))

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        moment = utc(now, "now")
        found = [
            row.deadline
            for row in self._rows.values()
            if row.deadline.next_fire_at is not None and row.deadline.next_fire_at <= moment
        ]
        found.sort(key=lambda d: (d.next_fire_at, d.id))
        return found[:limit]

    def advance(self, updates: Sequence[tuple[int, int, datetime | None, str]]) -> None:
        for ident, step, fire_at, status in updates:
            row = self._rows.get(ident)
            if row is None:
                raise StorageViolation(f"deadline {ident}: expected to update 1 row; 0 matched")
            when = None if status in (MET, CANCELLED) else fire_at
            self._put(
                replace(
                    row,
                    deadline=replace(
                        row.deadline,
                        next_step=step,
                        next_fire_at=_utc_or_none(when, "deadlines.next_fire_at"),
                        status=status,
                    ),
                )
            )

    def list(self, from_date: date, to_date: date, status: str | None = None) -> list[Deadline]:
        if status is not None and status not in STATUSES:
            raise InvalidValue("deadline status", status, " / ".join(STATUSES))
        found = [
            row.deadline
            for row in self._rows.values()
            if from_date <= row.deadline.due <= to_date
            and (status is None or row.deadline.status == status)
        ]
        return sorted(found, key=lambda d: (d.due, d.id))

    def get(self, deadline_id: int) -> Deadline:
        row = self._rows.get(deadline_id)
        if row is None:
            raise NotFound("deadline", deadline_id, "see `banso calendar`")
        return row.deadline


# -- the outbox ----------------------------------------------------------------------


def _queued_row(tables: Tables, message: OutgoingMessage, now: datetime) -> QueuedMessage:
    _fits("outbox.key", message.key, 200)
    _fits("outbox.kind", message.kind, 48)
    _fits("outbox.about_kind", message.about_kind, 32)
    return QueuedMessage(
        id=_new_id(tables.outbox),
        message=replace(
            message,
            to=tuple(message.to),
            cc=tuple(message.cc),
            attachments=tuple(message.attachments),
        ),
        state=QUEUED,
        attempts=0,
        message_id=message_id_for(message.key),
        next_attempt_at=now,
        created_at=now,
    )


class MemoryOutbox:
    """services.ports.Outbox: messages queued in the unit of work, keys unique forever."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        tables = self._tx.tables
        moment = utc(now, "outbox.created_at")
        added = 0
        for m in messages:
            if m.key in tables.outbox_keys:
                continue  # ON CONFLICT (key) DO NOTHING
            row = _queued_row(tables, m, moment)
            tables.outbox[row.id] = row
            tables.outbox_keys[m.key] = row.id
            added += 1
        return added

    def written_to(self, address: str) -> bool:
        # The SQL store's indexed addressee column: the address of a key event:<seq>:<address>.
        for key in self._tx.tables.outbox_keys:
            kind, seq, rest = [*key.split(":", 2), "", ""][:3]
            if kind == "event" and seq.isdigit() and rest == address:
                return True
        return False

    def queued_keys(self, prefix: str, suffix: str = "") -> set[str]:
        # LIKE 'prefix%suffix': the two may not overlap within the key.
        return {
            key
            for key in self._tx.tables.outbox_keys
            if len(key) >= len(prefix) + len(suffix)
            and key.startswith(prefix)
            and key.endswith(suffix)
        }


class MemoryOutboxStore:
    """services.ports.OutboxStore on a MemoryStore: each call its own transaction."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def _write(self, change: Callable[[Tables], Any]) -> Any:
        self.store.begin_write(self)
        try:
            tables = self.store.tables.copy()
            result = change(tables)
            self.store.tables = tables
            return result
        finally:
            self.store.end_write(self)

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedMessage]:
        moment = utc(now, "now")
        until = moment + lease

        def change(tables: Tables) -> list[QueuedMessage]:
            due = sorted(
                (
                    q
                    for q in tables.outbox.values()
                    if q.state in CLAIMABLE
                    and q.next_attempt_at is not None
                    and q.next_attempt_at <= moment
                ),
                key=lambda q: (q.next_attempt_at, q.id),
            )[:limit]
            claimed = [replace(q, state=SENDING, next_attempt_at=until) for q in due]
            tables.outbox.update({q.id: q for q in claimed})
            return claimed

        claimed: list[QueuedMessage] = self._write(change)
        return claimed

    def mark_sent(self, message_id: int, at: datetime) -> None:
        def change(tables: Tables) -> None:
            q = tables.outbox.get(message_id)
            if q is None:
                raise NotFound("outbox message", message_id)
            tables.outbox[message_id] = replace(
                q, state=SENT, sent_at=utc(at, "outbox.sent_at"), next_attempt_at=None
            )

        self._write(change)

    def mark_failed(
        self, message_id: int, error: str, at: datetime, retry_at: datetime | None
    ) -> None:
        state = DEAD if retry_at is None else FAILED
        if len(error) > MAX_ERROR:
            error = error[: MAX_ERROR - 1] + "…"

        def change(tables: Tables) -> None:
            q = tables.outbox.get(message_id)
            if q is None:
                raise NotFound("outbox message", message_id)
            if q.state == SENT:
                return  # another sender marked it sent meanwhile: it stays sent
            tables.outbox[message_id] = replace(
                q,
                state=state,
                attempts=q.attempts + 1,
                last_error=error,
                next_attempt_at=_utc_or_none(retry_at, "outbox.next_attempt_at"),
            )

        self._write(change)

    def list(self, state: str | None = None, limit: int = 100) -> list[QueuedMessage]:
        if state is not None and state not in STATES:
            raise InvalidValue("outbox state", state, " / ".join(STATES))
        rows = sorted(self.store.tables.outbox.values(), key=lambda q: q.id, reverse=True)
        return [q for q in rows if state is None or q.state == state][:limit]

    def get(self, message_id: int) -> QueuedMessage:
        q = self.store.tables.outbox.get(message_id)
        if q is None:
            raise NotFound("outbox message", message_id, "see `banso outbox list`")
        return q

    def retry(self, message_id: int, now: datetime) -> QueuedMessage:
        def change(tables: Tables) -> QueuedMessage:
            q = tables.outbox.get(message_id)
            if q is None:
                raise NotFound("outbox message", message_id, "see `banso outbox list`")
            if q.state not in RETRYABLE:
                raise InvalidValue(
                    f"outbox message {message_id}", q.state, "a dead or failed message"
                )
            q = replace(q, state=QUEUED, attempts=0, next_attempt_at=utc(now, "now"))
            tables.outbox[message_id] = q
            return q

        queued: QueuedMessage = self._write(change)
        return queued

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for q in self.store.tables.outbox.values():
            counts[q.state] += 1
        return counts


# -- the unit of work ------------------------------------------------------------------


class MemoryUnitOfWork:
    """services.ports.UnitOfWork on a MemoryStore; rolled back unless committed."""

    records: MemoryRecords
    audit: MemoryAuditLog
    directory: MemoryDirectory
    settings: MemorySettings
    deadlines: MemoryDeadlines
    outbox: MemoryOutbox
    files: MemoryDeliverableFiles

    def __init__(
        self,
        store: MemoryStore,
        *,
        effect_handlers: Mapping[type[Effect], ports.EffectHandler] | None = None,
        readonly: bool = False,
    ) -> None:
        self.store = store
        self.effect_handlers = dict(effect_handlers or {})
        self.readonly = readonly
        self.committed = False
        self._tx = _Tx(Tables())

    def __enter__(self) -> Self:
        if not self.readonly:
            self.store.begin_write(self)
        self._tx = _Tx(self.store.tables.copy())
        self.records = MemoryRecords(self._tx)
        self.audit = MemoryAuditLog(self._tx)
        self.directory = MemoryDirectory(self._tx)
        self.settings = MemorySettings(self._tx)
        self.deadlines = MemoryDeadlines(self._tx)
        self.outbox = MemoryOutbox(self._tx)
        self.files = MemoryDeliverableFiles(self._tx)
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Whatever was not committed is dropped with the copy.
        self._tx.tables = self.store.tables.copy()
        self.store.end_write(self)

    def commit(self) -> None:
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.store.tables = self._tx.tables
        # Work after a commit is a new transaction, as with a SQL session.
        self._tx.tables = self.store.tables.copy()
        self.committed = True

    def apply(self, effect: Effect, occurrence: Occurrence) -> None:
        handler = self.effect_handlers.get(type(effect))
        if handler is None:
            raise LookupError(f"no handler registered for effect {type(effect).__name__}")
        handler(self, effect, occurrence)


class MemoryUnitOfWorkFactory:
    """services.ports.UnitOfWorkFactory; ``effect_handlers`` may be filled in after
    the services exist (as Bootstrap does)."""

    def __init__(
        self,
        store: MemoryStore,
        effect_handlers: Mapping[type[Effect], ports.EffectHandler] | None = None,
    ) -> None:
        self.store = store
        self.effect_handlers: dict[type[Effect], ports.EffectHandler] = dict(effect_handlers or {})

    def __call__(self, *, readonly: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, effect_handlers=self.effect_handlers, readonly=readonly)


# -- mail ------------------------------------------------------------------------------


class MissingContext(KeyError):
    """A template would fail on a key its context lacks (jinja2's StrictUndefined)."""


@dataclass(frozen=True)
class Composed:
    """One compose() call, as the fake saw it."""

    key: str
    kind: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    context: Mapping[str, Any]
    attachments: tuple[Attachment, ...]
    about_kind: str | None
    about_id: int | None


@dataclass(frozen=True)
class Invitation:
    """One invitation() call (its fields, as given)."""

    fields: Mapping[str, Any]

    @property
    def method(self) -> str:
        return str(self.fields["method"])


_PEOPLE_KEYS = {
    "recipient": ("name", "org_name", "dept"),
    "lead": ("name", "email", "company"),
    "programme": ("title",),
}


def check_context(kind: str, context: Mapping[str, Any]) -> None:
    """What MailRenderer.render needs: the kind's keys plus recipient, lead and
    programme; dates and moments of the types the template filters take."""
    if kind not in KINDS:
        raise InvalidValue("mail kind", kind, "one of " + ", ".join(KINDS))
    missing = [k for k in (*COMMON, *KINDS[kind]) if k not in context]
    if missing:
        raise MissingContext(f"mail {kind}: the context lacks {', '.join(missing)}")
    for name, keys in _PEOPLE_KEYS.items():
        lacking = [k for k in keys if k not in context[name]]
        if lacking:
            raise MissingContext(f"mail {kind}: {name} lacks {', '.join(lacking)}")
    at = context.get("at")
    if at is not None and (not isinstance(at, datetime) or at.tzinfo is None):
        raise ValueError(f"mail {kind}: 'at' must be an aware datetime (wareki_dt), not {at!r}")
    for name in ("due", "due_as_written", "today"):
        value = context.get(name)
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise ValueError(f"mail {kind}: {name!r} must be a date (wareki), not {value!r}")
    if "mode" in context and context["mode"] not in ("onsite", "web"):
        raise ValueError(f"mail {kind}: mode must be onsite or web, not {context['mode']!r}")


class FakeMail:
    """services.ports.MailComposer that records every call and renders nothing.

    It checks what the real renderer would refuse (unknown kind, a missing
    context key, a bad address, an empty key). Pass ``renderer`` (a real
    ``MailRenderer``) to have the messages rendered for real as well.
    """

    def __init__(self, renderer: ports.MailComposer | None = None) -> None:
        self.renderer = renderer
        self.composed: list[Composed] = []
        self.invitations: list[Invitation] = []

    def compose(
        self,
        *,
        key: str,
        kind: str,
        to: Iterable[str],
        cc: Iterable[str] = (),
        context: Mapping[str, Any],
        attachments: Iterable[Attachment] = (),
        about_kind: str | None = None,
        about_id: int | None = None,
    ) -> OutgoingMessage:
        if not key:
            raise InvalidValue("mail key", key, "a non-empty idempotency key")
        to_checked = check_addresses("to", to, required=True)
        cc_checked = check_addresses("cc", cc, required=False)
        check_context(kind, context)
        files = tuple(attachments)
        self.composed.append(
            Composed(key, kind, to_checked, cc_checked, dict(context), files, about_kind, about_id)
        )
        if self.renderer is not None:
            return self.renderer.compose(
                key=key, kind=kind, to=to_checked, cc=cc_checked, context=context,
                attachments=files, about_kind=about_kind, about_id=about_id,
            )  # fmt: skip
        return OutgoingMessage(
            key=key,
            kind=kind,
            to=to_checked,
            cc=cc_checked,
            subject=f"[{kind}] {key}",
            text="\n".join(f"{k}: {context[k]}" for k in KINDS[kind]) + "\n",
            attachments=files,
            about_kind=about_kind,
            about_id=about_id,
        )

    def invitation(
        self,
        *,
        uid: str,
        sequence: int,
        method: str,
        start: datetime,
        end: datetime,
        summary: str,
        description: str,
        location: str | None,
        url: str | None,
        organizer: str,
        attendees: Sequence[str],
        stamp: datetime,
        tentative: bool = False,
    ) -> Attachment:
        if method not in ("REQUEST", "CANCEL"):
            raise InvalidValue("invitation method", method, "REQUEST or CANCEL")
        for moment in (start, end, stamp):
            utc(moment, "invitation time")
        self.invitations.append(
            Invitation(
                {
                    "uid": uid,
                    "tentative": tentative,
                    "sequence": sequence,
                    "method": method,
                    "start": start,
                    "end": end,
                    "summary": summary,
                    "description": description,
                    "location": location,
                    "url": url,
                    "organizer": organizer,
                    "attendees": tuple(attendees),
                    "stamp": stamp,
                }
            )
        )
        if self.renderer is not None:
            return self.renderer.invitation(
                uid=uid, sequence=sequence, method=method, start=start, end=end,
                summary=summary, description=description, location=location, url=url,
                organizer=organizer, attendees=attendees, stamp=stamp,
            )  # fmt: skip
        body = f"METHOD:{method}\nUID:{uid}\nSEQUENCE:{sequence}\nSUMMARY:{summary}\n"
        return Attachment(
            filename="invite.ics",
            content_type=f"text/calendar; method={method}",
            data=body.encode("utf-8"),
        )

    def kinds(self) -> list[str]:
        return [c.kind for c in self.composed]


@dataclass(frozen=True)
class Delivered:
    """One message the fake delivery "sent"."""

    sender: str
    message: OutgoingMessage
    at: datetime


class FakeDelivery:
    """services.ports.MailDelivery over an outbox store: claims what is due, "sends" it.

    ``failing`` maps a recipient address to True (a permanent failure, 5xx) or
    False (temporary: retried with backoff until ``max_attempts``). An invalid
    sender address fails every message permanently, as building it would.
    """

    def __init__(
        self,
        store: ports.OutboxStore,
        *,
        max_attempts: int = 3,
        lease: timedelta = timedelta(minutes=5),
        failing: Mapping[str, bool] | None = None,
    ) -> None:
        self.store = store
        self.max_attempts = max_attempts
        self.lease = lease
        self.failing: dict[str, bool] = dict(failing or {})
        self.sent: list[Delivered] = []
        self.passes = 0
        self._rng = random.Random(0)

    def __call__(
        self, *, now: datetime, sender: str, display_name: str = ""
    ) -> ports.DeliveryReport:
        self.passes += 1
        report = ports.DeliveryReport()
        for q in self.store.claim(now, 200, self.lease):
            error, permanent = self._problem(q, sender)
            if error is None:
                self.sent.append(Delivered(sender, q.message, now))
                self.store.mark_sent(q.id, now)
                report.sent += 1
                continue
            attempt = q.attempts + 1
            if permanent or attempt >= self.max_attempts:
                self.store.mark_failed(q.id, error, now, None)
                report.dead.append(
                    replace(q, state=DEAD, attempts=attempt, last_error=error, next_attempt_at=None)
                )
            else:
                retry_at = now + retry_delay(attempt, rng=self._rng)
                self.store.mark_failed(q.id, error, now, retry_at)
                report.retried += 1
        return report

    def _problem(self, q: QueuedMessage, sender: str) -> tuple[str | None, bool]:
        try:
            check_address("From", sender)
        except InvalidValue as exc:
            return str(exc), True
        for address in (*q.message.to, *q.message.cc):
            if address in self.failing:
                permanent = self.failing[address]
                code = 550 if permanent else 451
                return f"{code} {address}: refused by the fake server", permanent
        return None, False


# -- the services ------------------------------------------------------------------------

TITLE = "令和8年度 県・市町村DX推進伴走支援事業"  # the programme's name (a setting)

# One calendar for every test: building one costs ~0.1 s, and the reminder
# steps are cached per calendar.
CALENDAR = BusinessCalendar()


class FakeRenderer:
    """services.ports.DocumentRenderer that records what it was given: each content
    comes out as one small file per format (the real renderers have their own tests)."""

    FORMATS: ClassVar[dict[str, tuple[str, ...]]] = {
        "Roster": ("xlsx",),
        "MonthlyReport": ("docx", "pdf"),
        "CompletionReport": ("docx", "pdf"),
        "ReportSlides": ("pptx",),
    }

    def __init__(self, *, font: bool = True) -> None:
        self.font = font  # False: a PDF is refused as on a machine without a CJK font
        self.rendered: list[tuple[object, str]] = []

    def formats(self, content: object) -> tuple[str, ...]:
        return self.FORMATS.get(type(content).__name__, ("docx",))

    def render(self, content: object, fmt: str) -> ports.DocumentFile:
        if fmt == "pdf" and not self.font:
            raise ports.MissingFont()
        self.rendered.append((content, fmt))
        title = content.head.title  # type: ignore[attr-defined]  # every content has a head
        version = content.head.version  # type: ignore[attr-defined]
        return ports.DocumentFile(f"{title}_第{version}版.{fmt}", fmt, repr(content).encode())


class MemoryFileStore:
    """services.ports.FileStore in memory: a name taken twice gets a suffix, as on disk."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def save(self, name: str, data: bytes) -> str:
        location, n = name, 1
        while location in self.files:
            n += 1
            location = f"{name} ({n})"
        self.files[location] = data
        return location

    def load(self, location: str) -> bytes:
        return self.files[location]


def memory_services(
    now: datetime,
    *,
    store: MemoryStore | None = None,
    mail: FakeMail | None = None,
    delivery: FakeDelivery | None = None,
    policy: ReminderPolicy | None = None,
    title: str = TITLE,
    mail_from: str | None = None,
    renderer: FakeRenderer | None = None,
    files: MemoryFileStore | None = None,
) -> Services:
    """Services on the fakes, at a FixedClock pinned to ``now`` (move it with
    ``services.clock.set``), wired as admin.bootstrap.Bootstrap wires SQL."""
    store = store or MemoryStore()
    mail = mail or FakeMail()
    delivery = delivery or FakeDelivery(MemoryOutboxStore(store))
    clock = FixedClock(now)
    factory = MemoryUnitOfWorkFactory(store)

    def outbox_store() -> ports.OutboxStore:
        return MemoryOutboxStore(store)

    def mail_factory() -> ports.MailComposer:
        return mail

    def delivery_factory() -> ports.MailDelivery:
        return delivery

    services = Services(
        uow=factory,
        runner=TransitionRunner(DEFINITIONS, clock),
        clock=clock,
        outbox_store=outbox_store,
        mail_factory=mail_factory,
        delivery_factory=delivery_factory,
        policy=policy or ReminderPolicy(),
        calendar=CALENDAR,
        title=title,
        mail_from=mail_from,
        renderer_factory=lambda: renderer or FakeRenderer(),
        file_store_factory=lambda: files or MemoryFileStore(),
    )
    factory.effect_handlers.update(Effects(services).handlers())
    return services
