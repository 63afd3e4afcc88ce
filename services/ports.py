"""What the use cases need from the outside world, as Protocols.

Storage implements the unit of work and its repositories (SQL, and the
in-memory fakes of the service tests, which pass the same contract suite);
notifications implements :class:`MailComposer` and :class:`MailDelivery`.
Every value crossing a port is a plain frozen dataclass or a
:class:`~banso.engine.workflow.RecordView`, never an ORM object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from banso.engine.audit import AuditEvent, NewAuditEvent
from banso.engine.calendar import DueDate
from banso.engine.deadlines import Deadline
from banso.engine.errors import BansoError
from banso.engine.outbox import Attachment, OutgoingMessage, QueuedMessage
from banso.engine.outbox import OutboxStore as EngineOutboxStore
from banso.engine.runner import Occurrence
from banso.engine.runner import UnitOfWork as EngineUnitOfWork
from banso.engine.workflow import Effect, RecordView

# -- master data ---------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    role: str
    org_id: int | None = None
    fields: tuple[str, ...] = ()
    track_record: str | None = None
    company: str | None = None
    subcontractor_id: int | None = None
    active: bool = True
    dept: str | None = None
    title: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Theme:
    id: int
    code: str
    name: str
    standardization: bool = False
    parent_id: int | None = None


@dataclass(frozen=True)
class Subcontractor:
    id: int
    name: str
    scope: str | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    approval_ref: str | None = None


class Directory(Protocol):
    """Organisations, people, themes, subcontractors and who serves whom."""

    def org(self, code: str) -> Org | None: ...
    def org_by_id(self, org_id: int) -> Org | None: ...
    def orgs(self, kind: str | None = None) -> list[Org]:
        """By code."""
        ...

    def add_org(self, code: str, name: str, kind: str) -> Org: ...

    def person(self, email: str) -> Person | None: ...
    def person_by_id(self, person_id: int) -> Person | None: ...
    def people(self, role: str | None = None, *, active_only: bool = False) -> list[Person]:
        """By id (registration order)."""
        ...

    def has_people(self) -> bool: ...
    def person_by_login(self, login: str) -> Person | None:
        """The person an authenticated account (OS account, database role) acts as."""
        ...

    def bind_login(self, login: str, person_id: int) -> None: ...
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
    ) -> Person: ...

    def update_person(self, person_id: int, **changes: Any) -> Person:
        """Change ``name``, ``fields``, ``track_record`` or ``active``."""
        ...

    def theme(self, code: str) -> Theme | None: ...
    def theme_by_id(self, theme_id: int) -> Theme | None: ...
    def themes(self) -> list[Theme]:
        """By id."""
        ...

    def add_theme(
        self, code: str, name: str, standardization: bool, parent_id: int | None
    ) -> Theme: ...

    def subcontractor(self, name: str) -> Subcontractor | None: ...
    def subcontractor_by_id(self, sub_id: int) -> Subcontractor | None: ...
    def subcontractors(self) -> list[Subcontractor]: ...
    def add_subcontractor(self, name: str, scope: str | None) -> Subcontractor: ...
    def approve_subcontractor(
        self, sub_id: int, *, at: datetime, by: str, ref: str
    ) -> Subcontractor: ...

    def assigned_consultant(self, org_id: int, theme_id: int) -> int | None:
        """The consultant who serves this organisation on this theme, if chosen."""
        ...

    def assign_if_first(self, org_id: int, theme_id: int, consultant_id: int) -> None: ...
    def assign(self, org_id: int, theme_id: int, consultant_id: int) -> None:
        """Make ``consultant_id`` the one who serves (a change made with a reason)."""
        ...


# -- workflow records ----------------------------------------------------------


class Records(Protocol):
    """Workflow records of every kind (the runner's repository, plus queries)."""

    def get(self, kind: str, record_id: int, *, lock: bool = False) -> RecordView:
        """The record; ``lock``: held until the unit of work ends, so two use cases
        that judge it (withdraw, plan a dispatch) run one after the other."""
        ...

    def add(self, kind: str, state: str, data: Mapping[str, Any], at: datetime) -> int: ...
    def write(
        self,
        kind: str,
        record_id: int,
        *,
        seen_version: int,
        state: str,
        changes: Mapping[str, Any],
        at: datetime,
    ) -> bool: ...

    def find(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
        not_states: Sequence[str] | None = None,
        order_by: Sequence[str] = ("id",),
    ) -> list[RecordView]:
        """Records whose fields equal ``where`` (None matches NULL), in ``states``
        and not in ``not_states``, ordered by the given fields then id."""
        ...

    def count(
        self,
        kind: str,
        *,
        where: Mapping[str, Any] | None = None,
        states: Sequence[str] | None = None,
    ) -> int: ...


class Audit(Protocol):
    def append(self, event: NewAuditEvent) -> AuditEvent: ...
    def latest_for(self, kind: str, record_id: int) -> AuditEvent | None: ...
    def history(self, kind: str, record_id: int) -> list[AuditEvent]: ...
    def all_events(self) -> Iterator[AuditEvent]: ...
    def head_hash(self) -> str: ...


class ProgrammeSettings(Protocol):
    """The programme's stored settings (``contract``, ``quota``), as JSON objects."""

    def get(self, key: str, *, lock: bool = False) -> dict[str, Any] | None:
        """``lock`` holds the row until the unit of work ends (the quota lock)."""
        ...

    def put(self, key: str, value: Mapping[str, Any]) -> None: ...


class Deadlines(Protocol):
    """Deadlines, opened and closed with the changes that cause them."""

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
    ) -> int: ...

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
        """``open`` unless this obligation was ever opened for this record, in any
        status (one statement in SQL): the new deadline's id, or None."""
        ...

    def meet(
        self, about_kind: str | None, about_id: int | None, obligation: str, now: datetime
    ) -> int: ...

    def reopen(
        self,
        about_kind: str | None,
        about_id: int | None,
        obligation: str,
        *,
        first_step: int = 0,
        first_fire_at: datetime | None,
    ) -> int: ...

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
        """An active deadline falls due on another day (the kickoff moved): its due date
        and explanation change and its reminders start again from ``first_step``;
        a met or cancelled one stays as it is. Rows changed."""
        ...

    def cancel(self, about_kind: str | None, about_id: int | None, obligation: str) -> int: ...
    def exists(self, about_kind: str | None, about_id: int | None, obligation: str) -> bool: ...
    def find(
        self, about_kind: str | None, about_id: int | None, obligation: str
    ) -> Deadline | None: ...

    def owned_by(
        self, owners: Sequence[str], statuses: Sequence[str], due_until: date
    ) -> list[Deadline]:
        """Deadlines one of ``owners`` answers for, due by ``due_until``, by due date."""
        ...

    # The sweep (engine.deadlines.DeadlineStore):
    def due(self, now: datetime, limit: int) -> list[Deadline]: ...
    def advance(self, updates: list[tuple[int, int, datetime | None, str]]) -> None: ...

    def list(self, from_date: date, to_date: date, status: str | None = None) -> list[Deadline]: ...


class Outbox(Protocol):
    """Messages queued in the unit of work (sent later by the delivery pass)."""

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        """Queue each message unless its key is already queued; returns how many were new."""
        ...

    def written_to(self, address: str) -> bool:
        """Whether an event mail (key ``event:<seq>:<address>``) to ``address`` is
        queued already, sent or not."""
        ...

    def queued_keys(self, prefix: str, suffix: str = "") -> set[str]:
        """Keys already queued that start with ``prefix`` and end with ``suffix``."""
        ...


@dataclass(frozen=True)
class FileVersion:
    """One generated file of version ``version`` of a deliverable."""

    deliverable_id: int
    version: int
    format: str
    filename: str
    sha256: str
    size: int
    location: str  # where the FileStore keeps it
    created_by: str
    created_at: datetime
    submitted_at: datetime | None = None


class DeliverableFiles(Protocol):
    """The versions of each deliverable's files (a submitted version is never replaced)."""

    def add(self, file: FileVersion) -> None: ...
    def versions(self, deliverable_id: int) -> list[FileVersion]:
        """Every file of every version, by version then format."""
        ...

    def mark_submitted(self, deliverable_id: int, version: int, at: datetime) -> None: ...


class UnitOfWork(EngineUnitOfWork, Protocol):
    """One transaction over everything a use case touches; rolled back unless committed."""

    @property
    def records(self) -> Records: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def settings(self) -> ProgrammeSettings: ...
    @property
    def deadlines(self) -> Deadlines: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def files(self) -> DeliverableFiles: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


EffectHandler = Callable[[UnitOfWork, Any, Occurrence], None]
EffectHandlers = Mapping[type[Effect], EffectHandler]


# -- the queue outside any unit of work ------------------------------------------


class OutboxStore(EngineOutboxStore, Protocol):
    """The outbox as the sender and `banso outbox` see it (own short transactions)."""

    def list(self, state: str | None = None, limit: int = 100) -> list[QueuedMessage]: ...
    def get(self, message_id: int) -> QueuedMessage: ...
    def retry(self, message_id: int, now: datetime) -> QueuedMessage: ...


# -- mail ----------------------------------------------------------------------


class MailComposer(Protocol):
    """Renders a message from a template and its context (notifications)."""

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
    ) -> OutgoingMessage: ...

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
        """An iCalendar invitation (REQUEST or CANCEL) to attach."""
        ...


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: list[QueuedMessage] = field(default_factory=list)


class MailDelivery(Protocol):
    """Sends what is due in the outbox over the configured transport."""

    def __call__(self, *, now: datetime, sender: str, display_name: str = "") -> DeliveryReport: ...


# -- documents -----------------------------------------------------------------


# The media type of each format a deliverable comes in (mail attachments carry it).
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class DocumentFile:
    """One generated file: ``月次業務報告書_令和8年10月分_第2版.docx`` and its bytes."""

    filename: str
    media_type: str
    data: bytes


class MissingFont(BansoError):
    """A PDF was asked for but no Japanese (CJK) font is installed: it would be all
    blank boxes. The editable files are written all the same."""

    exit_code = 2

    def __init__(self, fmt: str = "pdf") -> None:
        super().__init__(
            f"no Japanese font is installed, so no {fmt} was written (the editable files were): "
            "install one, e.g. `apt-get install fonts-noto-cjk`"
        )


class DocumentRenderer(Protocol):
    """Lays deliverables out as files (documents): content in, bytes out."""

    def formats(self, content: object) -> tuple[str, ...]:
        """The formats this content comes in, editable first: ("docx", "pdf")."""
        ...

    def render(self, content: object, fmt: str) -> DocumentFile:
        """``content`` (a `services.content` value) as a ``fmt`` file; a PDF without a
        Japanese font installed is refused (MissingFont), never written with blank boxes."""
        ...


class FileStore(Protocol):
    """Where generated files are kept (a folder, for the embedded default)."""

    def save(self, name: str, data: bytes) -> str:
        """Write ``data`` as ``name`` (never over an existing file); returns where."""
        ...

    def load(self, location: str) -> bytes: ...
