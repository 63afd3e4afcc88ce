"""The SQL unit of work and the repositories the transition runner writes through."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy import (
    Engine,
    Table,
    TextClause,
    bindparam,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from banso.engine.audit import GENESIS, AuditEvent, NewAuditEvent, key_fingerprint, seal
from banso.engine.errors import InvalidValue, NotFound, StorageUnavailable
from banso.engine.phrase import Phrase
from banso.engine.runner import Occurrence
from banso.engine.workflow import Effect, RecordView
from banso.storage.core import run
from banso.storage.db import READONLY
from banso.storage.deadlines import SqlDeadlines
from banso.storage.faults import first_line, storage_fault
from banso.storage.models import AuditEventRow, AuditHead, ProgrammeSetting, WorkflowRecord
from banso.storage.outbox import SqlOutbox
from banso.storage.repositories import SqlDeliverableFiles, SqlDirectory, SqlSettings
from banso.storage.security import COUNTED_THROUGH

# The programme setting that says from which event on the chain is keyed, and
# with which key (a fingerprint, never the key).
AUDIT_KEY_SETTING = "audit_key"

RecordClasses = Mapping[str, type[WorkflowRecord]]
EffectHandler = Callable[[Any, Any, Occurrence], None]

_SYSTEM_COLUMNS = frozenset({"id", "state", "version", "created_at", "updated_at"})


def _columns(cls: type[WorkflowRecord]) -> list[str]:
    return [c.key for c in inspect(cls, raiseerr=True).column_attrs]


def to_view(kind: str, row: Any) -> RecordView:
    """A record as guards see it, from an ORM object or a Core row of its table."""
    data = {k: getattr(row, k) for k in _columns(type(row)) if k not in _SYSTEM_COLUMNS}
    return RecordView(kind=kind, id=row.id, state=row.state, version=row.version, data=data)


class _KindSql:
    """One record table's statements, built once: a statement object memoises its
    cache key, so executing it again costs neither compilation nor key generation."""

    def __init__(self, cls: type[WorkflowRecord]) -> None:
        self.table = cast(Table, cls.__table__)  # type: ignore[attr-defined]
        self.columns = _columns(cls)
        self.known = frozenset(self.columns)
        self.data_columns = [k for k in self.columns if k not in _SYSTEM_COLUMNS]
        c = self.table.c
        self.by_id = select(self.table).where(c.id == bindparam("_id"))
        self.by_id_for_update = self.by_id.with_for_update()
        self._updates: dict[frozenset[str], Any] = {}
        self._inserts: dict[frozenset[str], Any] = {}
        self._queries: dict[tuple[Any, ...], Any] = {}

    def query(
        self,
        count: bool,
        where: Mapping[str, Any] | None,
        states: Sequence[str] | None,
        not_states: Sequence[str] | None,
        order_by: Sequence[str],
    ) -> tuple[Any, dict[str, Any]]:
        """A find or count of this shape (which fields, which of them NULL, the
        states), built once, and the parameters of this call."""
        where = where or {}
        fields = tuple(sorted((k, where[k] is None) for k in where))
        shape = (count, fields, None if states is None else tuple(states),
                 tuple(not_states or ()), tuple(order_by))  # fmt: skip
        params = {f"w_{k}": v for k, v in where.items() if v is not None}
        stmt = self._queries.get(shape)
        if stmt is None:
            c = self.table.c
            stmt = select(func.count()).select_from(self.table) if count else select(self.table)
            for key, is_null in fields:
                stmt = stmt.where(c[key].is_(None) if is_null else c[key] == bindparam(f"w_{key}"))
            if states is not None:
                stmt = stmt.where(c.state.in_(tuple(states)))
            if not_states:
                stmt = stmt.where(c.state.not_in(tuple(not_states)))
            if not count:
                stmt = stmt.order_by(*(c[key] for key in order_by), c.id)
            self._queries[shape] = stmt
        return stmt, params

    def view(self, kind: str, row: Any) -> RecordView:
        m = row._mapping
        data = {k: m[k] for k in self.data_columns}
        return RecordView(kind=kind, id=m["id"], state=m["state"], version=m["version"], data=data)

    def update(self, keys: frozenset[str]) -> Any:
        """UPDATE … SET state, version, updated_at, ``keys`` WHERE id AND version
        RETURNING the row: the optimistic lock and the record as it now is, in one."""
        stmt = self._updates.get(keys)
        if stmt is None:
            c = self.table.c
            values: dict[str, Any] = {
                k: bindparam(k) for k in ("state", "version", "updated_at", *sorted(keys))
            }
            stmt = self._updates[keys] = (
                update(self.table)
                .where(c.id == bindparam("_id"), c.version == bindparam("_seen"))
                .values(values)
                .returning(*self.table.c)
            )
        return stmt

    def insert(self, keys: frozenset[str]) -> Any:
        stmt = self._inserts.get(keys)
        if stmt is None:
            stmt = self._inserts[keys] = (
                insert(self.table)
                .values({k: bindparam(k) for k in sorted(keys)})
                .returning(*self.table.c)
            )
        return stmt


_KIND_SQL: dict[type[WorkflowRecord], _KindSql] = {}


def kind_sql(cls: type[WorkflowRecord]) -> _KindSql:
    found = _KIND_SQL.get(cls)
    if found is None:
        found = _KIND_SQL[cls] = _KindSql(cls)
    return found


class SqlRecords:
    """Workflow records, one table per kind.

    A record read or written in this unit of work is kept as it was last read or
    written, so the runner's reads around its own UPDATE cost no round trip; the
    UPDATE itself returns the row. The unit of work is one transaction (on SQLite
    under the write lock from BEGIN IMMEDIATE), and every write still goes through
    the optimistic lock, so a copy can never let a stale version through.
    """

    def __init__(self, session: Session, classes: RecordClasses) -> None:
        self.session = session
        self.classes = classes
        self._seen: dict[tuple[str, int], RecordView] = {}

    def cls(self, kind: str) -> type[WorkflowRecord]:
        try:
            return self.classes[kind]
        except KeyError:
            known = ", ".join(sorted(self.classes))
            raise NotFound("kind of record", kind, Phrase("known: {known}", known=known)) from None

    def _check_columns(self, kind: str, data: Mapping[str, Any], *, system: bool = False) -> None:
        sql = kind_sql(self.cls(kind))
        known = sql.known if system else sql.known - _SYSTEM_COLUMNS
        unknown = set(data) - known
        if unknown:
            raise InvalidValue(f"{kind} fields", sorted(unknown), "fields the record has")

    @staticmethod
    def _copy(view: RecordView) -> RecordView:
        # Callers get their own data mapping, never the one kept here.
        return RecordView(view.kind, view.id, view.state, view.version, dict(view.data))

    def get(self, kind: str, record_id: int, *, lock: bool = False) -> RecordView:
        # lock: SELECT … FOR UPDATE on PostgreSQL, where a waiter reads the row as the
        # holder left it (so never the copy kept here); SQLite's writers are already one
        # at a time (BEGIN IMMEDIATE) and its dialect renders no FOR UPDATE.
        seen = None if lock else self._seen.get((kind, record_id))
        if seen is not None:
            return self._copy(seen)
        sql = kind_sql(self.cls(kind))
        statement = sql.by_id_for_update if lock else sql.by_id
        row = run(self.session, statement, {"_id": record_id}).first()
        if row is None:
            raise NotFound(kind, record_id)
        view = self._seen[(kind, record_id)] = sql.view(kind, row)
        return self._copy(view)

    def find(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
        not_states: Sequence[str] | None = None,
        order_by: Sequence[str] = ("id",),
    ) -> list[RecordView]:
        sql = kind_sql(self.cls(kind))
        self._check_columns(kind, {**(where or {}), **dict.fromkeys(order_by)}, system=True)
        stmt, params = sql.query(False, where, states, not_states, order_by)
        return [sql.view(kind, row) for row in run(self.session, stmt, params)]

    def count(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        sql = kind_sql(self.cls(kind))
        self._check_columns(kind, where or {}, system=True)
        # On PostgreSQL a dispatch is counted through the view row-level security does
        # not narrow; the view has the columns the quotas filter on.
        counted = self._counted_from(kind, where)
        if counted is not None:
            sql = kind_sql(cast("type[WorkflowRecord]", counted))
        stmt, params = sql.query(True, where, states, None, ())
        return int(run(self.session, stmt, params).scalar() or 0)

    def _counted_from(self, kind: str, where: Mapping[str, Any] | None) -> Any:
        """On PostgreSQL, the view a kind's counts read, whose rows row-level security
        does not narrow (storage/security.py: the quotas count every dispatch)."""
        view = COUNTED_THROUGH.get(kind)
        if view is None or not all(hasattr(view, key) for key in where or {}):
            return None
        return view if self.session.get_bind().dialect.name == "postgresql" else None

    def add(self, kind: str, state: str, data: Mapping[str, Any], at: datetime) -> int:
        self._check_columns(kind, data)
        sql = kind_sql(self.cls(kind))
        values = {**data, "state": state, "version": 0, "created_at": at, "updated_at": at}
        row = run(self.session, sql.insert(frozenset(values)), values).one()
        view = self._seen[(kind, row.id)] = sql.view(kind, row)
        return view.id

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
        sql = kind_sql(self.cls(kind))
        params = {**changes, "state": state, "version": seen_version + 1, "updated_at": at,
                  "_id": record_id, "_seen": seen_version}  # fmt: skip
        row = run(self.session, sql.update(frozenset(changes)), params).first()
        if row is None:
            # Someone else got there first: the next read is the row they wrote.
            self._seen.pop((kind, record_id), None)
            return False
        self._seen[(kind, record_id)] = sql.view(kind, row)
        return True


AUDIT_EVENTS = cast(Table, AuditEventRow.__table__)
AUDIT_HEAD = cast(Table, AuditHead.__table__)
SETTINGS = cast(Table, ProgrammeSetting.__table__)
# The head (locked: FOR UPDATE orders concurrent appenders on PostgreSQL; SQLite
# ignores it and is already serialised by BEGIN IMMEDIATE) and the keying marker,
# in one round trip.
_HEAD = (
    select(
        AUDIT_HEAD.c.seq,
        AUDIT_HEAD.c.hash,
        select(SETTINGS.c.value)
        .where(SETTINGS.c.key == AUDIT_KEY_SETTING)
        .scalar_subquery()
        .label("marker"),
    )
    .where(AUDIT_HEAD.c.id == 1)
    .with_for_update(of=AUDIT_HEAD)
)
_APPEND = insert(AUDIT_EVENTS).values(
    {c.key: bindparam(c.key) for c in AUDIT_EVENTS.c}
)


def _append_and_move() -> TextClause:
    """PostgreSQL: the event inserted and the head moved in one round trip (a
    data-modifying WITH); SQLite, which has none, runs the two statements."""
    columns = list(AUDIT_EVENTS.c)
    names = ", ".join(f'"{c.name}"' for c in columns)
    values = ", ".join(f":{c.name}" for c in columns)
    return text(
        f"WITH appended AS (INSERT INTO audit_events ({names}) VALUES ({values})) "
        "UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"
    ).bindparams(*(bindparam(c.name, type_=c.type) for c in columns))


_APPEND_AND_MOVE = _append_and_move()


class SqlAuditLog:
    """Appends to and reads the audit hash chain (HMAC-sealed under ``key``)."""

    def __init__(
        self, session: Session, key: bytes | None = None, settings: SqlSettings | None = None
    ) -> None:
        self.session = session
        self.key = key
        self.settings = settings or SqlSettings(session)
        # The head as this transaction last wrote it, and the key checked against the
        # marker: once the head row is locked (or SQLite's write lock held) no one
        # else can move either before we commit, so later appends need not re-read.
        self._held: tuple[int, str] | None = None
        self._sealing: bytes | None = None

    def _sealing_key(self, next_seq: int, marker: Mapping[str, Any] | None) -> bytes | None:
        """The key to seal with; the first keyed event records where keying began."""
        if self.key is None:
            if marker is not None:
                raise StorageUnavailable(
                    "the audit chain is keyed but the audit key file was not found; "
                    "set audit_key_file (BANSO_AUDIT_KEY_FILE) to the file `banso init` created"
                )
            return None
        fingerprint = key_fingerprint(self.key)
        if marker is None:
            self.settings.put(
                AUDIT_KEY_SETTING, {"fingerprint": fingerprint, "from_seq": next_seq}
            )
        elif marker.get("fingerprint") != fingerprint:
            raise StorageUnavailable(
                "the audit key file is not the key this database's chain was sealed with; "
                "check audit_key_file (BANSO_AUDIT_KEY_FILE)"
            )
        return self.key

    def _head(self) -> tuple[int, str]:
        if self._held is not None:
            return self._held
        row = run(self.session, _HEAD).first()
        if row is None:
            raise StorageUnavailable("the audit chain has no head row; run `banso init`")
        self._sealing = self._sealing_key(row.seq + 1, row.marker)
        return row.seq, row.hash

    def append(self, event: NewAuditEvent) -> AuditEvent:
        seq, prev = self._head()
        sealed = seal(event, seq + 1, prev, self._sealing)
        row: dict[str, Any] = {
            "seq": sealed.seq,
            "at": sealed.at,
            "actor": sealed.actor,
            "kind": sealed.kind,
            "record_id": sealed.record_id,
            "trigger": sealed.trigger,
            "from_state": sealed.from_state,
            "to_state": sealed.to_state,
            "version": sealed.version,
            "payload": dict(sealed.payload),
            "prev_hash": sealed.prev_hash,
            "hash": sealed.hash,
        }
        if self.session.get_bind().dialect.name == "postgresql":
            run(self.session, _APPEND_AND_MOVE, row)
        else:
            # SQLite: the trigger audit_head_follows (storage.models) moves the head.
            run(self.session, _APPEND, row)
        self._held = (sealed.seq, sealed.hash)
        return sealed

    def latest_for(self, kind: str, record_id: int) -> AuditEvent | None:
        row = self.session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.kind == kind, AuditEventRow.record_id == record_id)
            .order_by(AuditEventRow.seq.desc())
            .limit(1)
        ).first()
        return _event(row) if row else None

    def history(self, kind: str, record_id: int) -> list[AuditEvent]:
        rows = self.session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.kind == kind, AuditEventRow.record_id == record_id)
            .order_by(AuditEventRow.seq)
        )
        return [_event(r) for r in rows]

    def all_events(self) -> Iterator[AuditEvent]:
        """Every event in chain order, streamed in batches."""
        rows = self.session.scalars(
            select(AuditEventRow).order_by(AuditEventRow.seq).execution_options(yield_per=1000)
        )
        for row in rows:
            yield _event(row)

    def head_hash(self) -> str:
        found = run(self.session, select(AUDIT_HEAD.c.hash).where(AUDIT_HEAD.c.id == 1)).first()
        return str(found.hash) if found else GENESIS


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        at=row.at,
        actor=row.actor,
        kind=row.kind,
        record_id=row.record_id,
        trigger=row.trigger,
        from_state=row.from_state,
        to_state=row.to_state,
        version=row.version,
        payload=row.payload,
        seq=row.seq,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class SqlUnitOfWork:
    """One database transaction; rolled back unless ``commit()`` is called.

    ``readonly`` units never take SQLite's write lock, so reports and listings
    do not queue behind the daemon.
    """

    session: Session
    records: SqlRecords
    audit: SqlAuditLog
    directory: SqlDirectory
    settings: SqlSettings
    deadlines: SqlDeadlines
    outbox: SqlOutbox
    files: SqlDeliverableFiles

    def __init__(
        self,
        engine: Engine,
        *,
        record_classes: RecordClasses,
        effect_handlers: Mapping[type[Effect], EffectHandler] | None = None,
        readonly: bool = False,
        audit_key: bytes | None = None,
    ) -> None:
        self.engine = engine.execution_options(**READONLY) if readonly else engine
        self.audit_key = audit_key
        self.record_classes = record_classes
        self.effect_handlers = dict(effect_handlers or {})
        self.readonly = readonly
        self._committed = False

    def __enter__(self) -> Self:
        self.session = Session(self.engine, expire_on_commit=False, autoflush=True)
        self.records = SqlRecords(self.session, self.record_classes)
        self.settings = SqlSettings(self.session)
        self.audit = SqlAuditLog(self.session, self.audit_key, self.settings)
        self.directory = SqlDirectory(self.session)
        self.deadlines = SqlDeadlines(self.session)
        self.outbox = SqlOutbox(self.session)
        self.files = SqlDeliverableFiles(self.session)
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, DBAPIError):
            # A busy database, an invariant's index, a value too long: Banso's
            # error, one line, not the driver's traceback.
            fault = storage_fault(exc)
            if fault is not None:
                raise fault from exc

    def commit(self) -> None:
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self.session.commit()
        except DBAPIError as exc:
            fault = storage_fault(exc)
            if isinstance(fault, StorageUnavailable):
                fault = StorageUnavailable(
                    Phrase("the change could not be saved: {text}", text=first_line(exc))
                )
            raise (fault or exc) from exc
        self._committed = True

    def apply(self, effect: Effect, occurrence: Occurrence) -> None:
        handler = self.effect_handlers.get(type(effect))
        if handler is None:
            raise LookupError(f"no handler registered for effect {type(effect).__name__}")
        handler(self, effect, occurrence)
