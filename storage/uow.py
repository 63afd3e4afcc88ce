"""The SQL unit of work and the repositories the transition runner writes through."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, Select, func, inspect, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from banso.engine.audit import GENESIS, AuditEvent, NewAuditEvent, key_fingerprint, seal
from banso.engine.errors import InvalidValue, NotFound, StorageUnavailable
from banso.engine.runner import Occurrence
from banso.engine.workflow import Effect, RecordView
from banso.storage.db import READONLY, rowcount
from banso.storage.deadlines import SqlDeadlines
from banso.storage.faults import first_line, storage_fault
from banso.storage.models import AuditEventRow, AuditHead, WorkflowRecord
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


def to_view(kind: str, row: WorkflowRecord) -> RecordView:
    data = {k: getattr(row, k) for k in _columns(type(row)) if k not in _SYSTEM_COLUMNS}
    return RecordView(kind=kind, id=row.id, state=row.state, version=row.version, data=data)


class SqlRecords:
    """Workflow records, one table per kind."""

    def __init__(self, session: Session, classes: RecordClasses) -> None:
        self.session = session
        self.classes = classes

    def cls(self, kind: str) -> type[WorkflowRecord]:
        try:
            return self.classes[kind]
        except KeyError:
            known = ", ".join(sorted(self.classes))
            raise NotFound("kind of record", kind, f"known: {known}") from None

    def _check_columns(self, kind: str, data: Mapping[str, Any], *, system: bool = False) -> None:
        known = set(_columns(self.cls(kind))) - (set() if system else _SYSTEM_COLUMNS)
        unknown = set(data) - known
        if unknown:
            raise InvalidValue(f"{kind} fields", sorted(unknown), "fields the record has")

    def get(self, kind: str, record_id: int, *, lock: bool = False) -> RecordView:
        # populate_existing: a conflict re-reads the row another transaction wrote.
        # lock: SELECT … FOR UPDATE on PostgreSQL, where a waiter reads the row as the
        # holder left it; SQLite's writers are already one at a time (BEGIN IMMEDIATE).
        row = self.session.get(
            self.cls(kind), record_id, populate_existing=True, with_for_update=lock or None
        )
        if row is None:
            raise NotFound(kind, record_id)
        return to_view(kind, row)

    def _filtered(
        self,
        stmt: Select[Any],
        cls: type[WorkflowRecord],
        where: Mapping[str, Any] | None,
        states: Sequence[str] | None,
        not_states: Sequence[str] | None = None,
    ) -> Select[Any]:
        for key, value in (where or {}).items():
            column = getattr(cls, key)
            stmt = stmt.where(column.is_(None) if value is None else column == value)
        if states is not None:
            stmt = stmt.where(cls.state.in_(states))
        if not_states:
            stmt = stmt.where(cls.state.not_in(not_states))
        return stmt

    def find(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
        not_states: Sequence[str] | None = None,
        order_by: Sequence[str] = ("id",),
    ) -> list[RecordView]:
        cls = self.cls(kind)
        self._check_columns(kind, {**(where or {}), **dict.fromkeys(order_by)}, system=True)
        stmt = self._filtered(select(cls), cls, where, states, not_states).order_by(
            *(getattr(cls, key) for key in order_by), cls.id
        )
        return [to_view(kind, row) for row in self.session.scalars(stmt)]

    def count(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        cls = self.cls(kind)
        self._check_columns(kind, where or {}, system=True)
        counted = self._counted_from(kind, where) or cls
        stmt = self._filtered(select(func.count()).select_from(counted), counted, where, states)
        return int(self.session.scalar(stmt) or 0)

    def _counted_from(self, kind: str, where: Mapping[str, Any] | None) -> Any:
        """On PostgreSQL, the view a kind's counts read, whose rows row-level security
        does not narrow (storage/security.py: the quotas count every dispatch)."""
        view = COUNTED_THROUGH.get(kind)
        if view is None or not all(hasattr(view, key) for key in where or {}):
            return None
        return view if self.session.get_bind().dialect.name == "postgresql" else None

    def add(self, kind: str, state: str, data: Mapping[str, Any], at: datetime) -> int:
        self._check_columns(kind, data)
        row = self.cls(kind)()
        for key, value in {**data, "state": state, "version": 0, "created_at": at}.items():
            setattr(row, key, value)
        row.updated_at = at
        self.session.add(row)
        self.session.flush()
        return row.id

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
        cls = self.cls(kind)
        stmt = (
            update(cls)
            .where(cls.id == record_id, cls.version == seen_version)
            .values(state=state, version=seen_version + 1, updated_at=at, **changes)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(stmt)
        return bool(rowcount(result))


class SqlAuditLog:
    """Appends to and reads the audit hash chain (HMAC-sealed under ``key``)."""

    def __init__(self, session: Session, key: bytes | None = None) -> None:
        self.session = session
        self.key = key

    def _sealing_key(self, next_seq: int) -> bytes | None:
        """The key to seal with; the first keyed event records where keying began."""
        settings = SqlSettings(self.session)
        marker = settings.get(AUDIT_KEY_SETTING)
        if self.key is None:
            if marker is not None:
                raise StorageUnavailable(
                    "the audit chain is keyed but the audit key file was not found; "
                    "set audit_key_file (BANSO_AUDIT_KEY_FILE) to the file `banso init` created"
                )
            return None
        fingerprint = key_fingerprint(self.key)
        if marker is None:
            settings.put(AUDIT_KEY_SETTING, {"fingerprint": fingerprint, "from_seq": next_seq})
        elif marker.get("fingerprint") != fingerprint:
            raise StorageUnavailable(
                "the audit key file is not the key this database's chain was sealed with; "
                "check audit_key_file (BANSO_AUDIT_KEY_FILE)"
            )
        return self.key

    def _head(self) -> AuditHead:
        # FOR UPDATE orders concurrent appenders on PostgreSQL; SQLite ignores
        # it and is already serialised by BEGIN IMMEDIATE.
        head = self.session.scalars(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).first()
        if head is None:
            raise StorageUnavailable("the audit chain has no head row; run `banso init`")
        return head

    def append(self, event: NewAuditEvent) -> AuditEvent:
        head = self._head()
        sealed = seal(event, head.seq + 1, head.hash, self._sealing_key(head.seq + 1))
        self.session.add(
            AuditEventRow(
                seq=sealed.seq,
                at=sealed.at,
                actor=sealed.actor,
                kind=sealed.kind,
                record_id=sealed.record_id,
                trigger=sealed.trigger,
                from_state=sealed.from_state,
                to_state=sealed.to_state,
                version=sealed.version,
                payload=dict(sealed.payload),
                prev_hash=sealed.prev_hash,
                hash=sealed.hash,
            )
        )
        head.seq = sealed.seq
        head.hash = sealed.hash
        self.session.flush()
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
        head = self.session.get(AuditHead, 1)
        return head.hash if head else GENESIS


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
        self.audit = SqlAuditLog(self.session, self.audit_key)
        self.directory = SqlDirectory(self.session)
        self.settings = SqlSettings(self.session)
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
                fault = StorageUnavailable(f"the change could not be saved: {first_line(exc)}")
            raise (fault or exc) from exc
        self._committed = True

    def apply(self, effect: Effect, occurrence: Occurrence) -> None:
        handler = self.effect_handlers.get(type(effect))
        if handler is None:
            raise LookupError(f"no handler registered for effect {type(effect).__name__}")
        handler(self, effect, occurrence)
