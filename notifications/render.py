"""Mail templates: one Jinja2 template per message kind, rendered into an
``OutgoingMessage`` ready for the outbox.

Templates live in ``notifications/templates/<kind>.txt.j2``; a directory from
the settings (``templates_dir``) is searched first, so a prefecture can reword
a mail without touching the code. Each template extends ``_layout.txt.j2``
(addressing, greeting, signature, the "sent automatically" line) and defines a
one-line ``{% block subject %}``.

Every template gets ``recipient``, ``lead`` and ``programme`` (see
``_layout.txt.j2``) plus its own keys, listed in ``KINDS``. ``StrictUndefined``
turns a missing key into an error, never a blank in a mail to a mayor's office.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    UndefinedError,
)
from jinja2.sandbox import SandboxedEnvironment

from banso.engine.clock import TOKYO
from banso.engine.era import format_date
from banso.engine.errors import InvalidValue
from banso.engine.outbox import Attachment, OutgoingMessage
from banso.notifications.headers import check_addresses, check_header
from banso.workflows.labels import DEADLINE_STATUS_LABELS, MODE_LABELS

TEMPLATES = Path(__file__).parent / "templates"
SUFFIX = ".txt.j2"

# The keys each kind needs besides recipient, lead and programme: the contract
# with whoever renders them (services.mail, services.daemon).
_EVENT = (
    "at",
    "end",
    "place",
    "url",
    "purpose",
    "prepare",
    "attendees_ours",
    "attendees_theirs",
    "theirs_label",
    "reply_by",
)
_PEOPLE = ("consultant_name", "consultant_company", "subcontracted", "contact")
KINDS: dict[str, tuple[str, ...]] = {
    "hearing_invitation": ("org_name", "theme_name", *_EVENT, *_PEOPLE, "rescheduled"),
    "dispatch_invitation": ("org_name", "theme_name", *_EVENT, *_PEOPLE, "mode", "confirmed"),
    "dispatch_cancelled": ("org_name", "theme_name", "at", "reason", "reason_external"),
    "hearing_reassigned": ("org_name", "theme_name", "at"),
    "meeting_invitation": ("meeting_label", *_EVENT),
    "meeting_cancelled": ("meeting_label", "at", "reason", "reason_external"),
    "approval_request": (
        "item_title",
        "org_name",
        "details",
        "ask_label",
        "reply_line",
        "files",
    ),
    "decision_recorded": (
        "item_title",
        "decision_label",
        "reason",
        "next_step",
        "decided_by",
        "decided_on",
        "ref",
    ),
    "plan_approved": (
        "org_name",
        "theme_name",
        "consultant_name",
        "consultant_company",
        "planned",
    ),
    "visit_record": ("org_name", "theme_name", "at", "summary"),
    "expert_proposal": (
        "org_name",
        "theme_name",
        "dept",
        "consultant_name",
        "consultant_company",
        "subcontracted",
        "fields",
        "track_record",
        "reason",
        "current_name",
    ),
    "expert_agreed": (
        "org_name",
        "theme_name",
        "consultant_name",
        "consultant_company",
        "subcontracted",
        "former_name",
        "in_support",
    ),
    "dispatch_reassigned": (
        "org_name",
        "theme_name",
        *_EVENT,
        *_PEOPLE,
        "mode",
        "confirmed",
        "former_name",
    ),
    "dispatch_released": ("org_name", "theme_name", "at", "successor_name"),
    "consultation_assigned": (
        "org_name",
        "topic",
        "due",
        "contact_name",
        "contact_email",
        "contact_phone",
    ),
    "delay_notice": (
        "item_title",
        "due",
        "until",
        "reason",
        "today",
        "figures",
        "figures_label",
    ),
    "meeting_delay_notice": (
        "meeting_label",
        "month_label",
        "due",
        "until",
        "reason",
        "today",
        "figures",
        "figures_label",
    ),
    "deadline_reminder": ("title", "due", "explanation", "days"),
    "deadline_overdue": ("title", "due", "explanation", "days", "delay_command", "last_notice"),
    "monthly_report_drafted": ("month_label", "deliverable_id", "version", "files"),
    "daily_digest": ("today", "groups"),
    "dead_letter": (
        "failed_subject",
        "failed_to",
        "attempts",
        "last_error",
        "what_happened",
        "message_id",
        "outbox_id",
    ),
    "set_aside": ("item_title", "about", "reason"),
}
COMMON = ("recipient", "lead", "programme")

_WEEKDAYS = "月火水木金土日"
_KIND_NAME = re.compile(r"[a-z][a-z0-9_]*")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def wareki(d: date, weekday: bool = False) -> str:
    """A date as 和暦: 令和8年10月9日, with ``weekday`` 令和8年10月9日（金）."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise ValueError(f"wareki needs a date (use wareki_dt for a moment), got {d!r}")
    text = format_date(d)
    return f"{text}（{_WEEKDAYS[d.weekday()]}）" if weekday else text


def wareki_dt(moment: datetime, time: bool = True) -> str:
    """An aware moment in Tokyo: 令和8年10月9日（金）10:00 (without ``time``: the day only)."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"wareki_dt needs a timezone-aware datetime, got {moment!r}")
    local = moment.astimezone(TOKYO)
    day = wareki(local.date(), weekday=True)
    return f"{day}{local.hour}:{local.minute:02d}" if time else day


def wareki_span(start: datetime, end: datetime | None = None) -> str:
    """令和8年5月11日（月）14:00〜15:00 (the end's day too if it is another day)."""
    text = wareki_dt(start)
    if end is None:
        return text
    a, b = start.astimezone(TOKYO), end.astimezone(TOKYO)
    if a.date() == b.date():
        return f"{text}〜{b.hour}:{b.minute:02d}"
    return f"{text}〜{wareki_dt(end)}"


def mode_label(mode: str) -> str:
    """訪問 / WEB会議 for a dispatch's mode; anything else is a bug in the caller."""
    try:
        return MODE_LABELS[mode]
    except KeyError:
        raise ValueError(
            f"dispatch mode must be one of {sorted(MODE_LABELS)}, got {mode!r}"
        ) from None


def status_label(status: str) -> str:
    """対応待ち / 期限超過 … for a deadline's status in the digest."""
    try:
        return DEADLINE_STATUS_LABELS[status]
    except KeyError:
        raise ValueError(
            f"deadline status must be one of {sorted(DEADLINE_STATUS_LABELS)}, got {status!r}"
        ) from None


def _tidy(text: str) -> str:
    # Optional parts leave blank lines and trailing spaces behind; a mail
    # should not depend on how carefully each template handles whitespace.
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n"


class MailRenderer:
    """Renders mail kinds into subjects and bodies; one per process (templates
    are compiled once and kept)."""

    def __init__(self, override_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(TEMPLATES, encoding="utf-8")]
        if override_dir is not None:
            loaders.insert(0, FileSystemLoader(override_dir, encoding="utf-8"))
        # A user's template folder is code from outside the package: it renders
        # in Jinja2's sandbox (no attribute walk to os or subprocess).
        environment = SandboxedEnvironment if override_dir is not None else Environment
        self.env = environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text mail: nothing is HTML
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates do not change while a process runs; skipping the mtime
            # check keeps a sweep of a thousand reminders cheap.
            auto_reload=False,
        )
        self.env.filters.update(
            wareki=wareki,
            wareki_dt=wareki_dt,
            wareki_span=wareki_span,
            mode_label=mode_label,
            status_label=status_label,
        )
        self._templates: dict[str, Template] = {}

    def template(self, kind: str) -> Template:
        """The compiled template for ``kind`` (InvalidValue for an unknown kind)."""
        cached = self._templates.get(kind)
        if cached is not None:
            return cached
        if not isinstance(kind, str) or _KIND_NAME.fullmatch(kind) is None:
            raise InvalidValue("mail kind", kind, "one of " + ", ".join(KINDS))
        try:
            template = self.env.get_template(kind + SUFFIX)
        except TemplateNotFound:
            raise InvalidValue("mail kind", kind, "one of " + ", ".join(KINDS)) from None
        if "subject" not in template.blocks:
            raise InvalidValue(f"mail template {kind}", kind, "a {% block subject %} in it")
        self._templates[kind] = template
        return template

    def render(self, kind: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """(subject, text) of ``kind`` for ``context``; a missing key raises."""
        template = self.template(kind)
        values = dict(context)
        # Checked up front: a key used only in one branch (the URL of a web
        # dispatch) would otherwise be missed by every test of the other branch.
        missing = [k for k in (*COMMON, *KINDS.get(kind, ())) if k not in values]
        if missing:
            raise UndefinedError(f"mail {kind}: the context lacks {', '.join(missing)}")
        try:
            # One context for the subject block and the whole text: a block only
            # reads it, and building it (the globals, the filters) is a good part
            # of each of a sweep's thousand renderings.
            context_ = template.new_context(values)
            subject = "".join(template.blocks["subject"](context_)).strip()
            # The programme's tag leads every subject (【DX伴走支援】), so that a
            # municipal inbox can sort Banso's mail.
            tag = (values.get("programme") or {}).get("tag") or ""
            if tag and not subject.startswith(tag):
                subject = tag + subject
            try:  # Template.render on the same context, as Jinja2 writes it
                text = "".join(template.root_render_func(context_))
            except Exception:
                template.environment.handle_exception()
        except Exception as exc:
            exc.add_note(f"while rendering mail template {kind!r}")
            raise
        return subject, _tidy(text)

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
        """A rendered message for the outbox; refuses any header value with a
        line break or control character, and anything but single addresses."""
        if not key:
            raise InvalidValue("mail key", key, "a non-empty idempotency key")
        to_checked = check_addresses("to", to, required=True)
        cc_checked = check_addresses("cc", cc, required=False)
        subject, text = self.render(kind, context)
        check_header("subject", subject)
        if not subject:
            raise InvalidValue("mail subject", subject, "a non-empty subject")
        files = tuple(attachments)
        for a in files:
            check_header("attachment filename", a.filename)
            check_header("attachment content type", a.content_type)
        return OutgoingMessage(
            key=key,
            kind=kind,
            to=to_checked,
            cc=cc_checked,
            subject=subject,
            text=text,
            attachments=files,
            about_kind=about_kind,
            about_id=about_id,
        )

    def invitation(self, **fields: Any) -> Attachment:
        """An iCalendar REQUEST or CANCEL to attach (see `ics.invitation` for the fields)."""
        from banso.notifications.ics import invitation

        return invitation(**fields)
