"""Settings, read once: ``banso.toml`` → ``BANSO_*`` environment → flags (later wins).

No other module reads the environment; everything is handed down from here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from banso.admin.i18n import N_, _, tr
from banso.engine.errors import BadInput, InvalidValue
from banso.services.defaults import DEFAULT_ADDRESSEE, DEFAULT_DOCUMENT_NUMBER, DEFAULT_TITLE
from banso.workflows.validation import MAX_LINE, hide_passwords, line_problem

DEFAULT_CONFIG = "banso.toml"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the embedded defaults."""

    database_url: str = "sqlite:///banso.db"
    user: str | None = None
    now: str | None = None
    mail_url: str = "file://var/mail"
    mail_from: str | None = None  # default: the project lead's address
    mail_max_attempts: int = 8
    survey_max_bytes: int = 5_000_000  # a survey file larger than this is refused unread
    survey_max_rows: int = 2_000  # rows below the survey's header
    templates_dir: Path | None = None  # overrides for the mail and document templates
    documents_dir: Path = Path("var/documents")  # where generated deliverables are written
    addressee: str = DEFAULT_ADDRESSEE  # whom the deliverables are addressed to
    document_number: str = DEFAULT_DOCUMENT_NUMBER  # the contractor's outgoing number, {n}
    # As mail and documents name the programme.
    programme_title: str = DEFAULT_TITLE
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)  # never shown or logged
    log_format: str = "auto"
    json: bool = False
    config_path: Path | None = None
    # Who is acting: "os", "database" or "trust" (None: os on SQLite, database on PostgreSQL).
    identity_mode: str | None = None
    # The audit chain's HMAC key, outside the database (None: next to a SQLite file,
    # else ./banso-audit.key); created by `banso init`, readable by its owner only.
    audit_key_file: Path | None = None
    programme: Mapping[str, Any] = field(default_factory=dict)
    reminders: Mapping[str, Any] = field(default_factory=dict)
    mail: Mapping[str, Any] = field(default_factory=dict)  # [mail]: workflows.mailing


# What banso.toml may set at its top level; the [programme] and [reminders]
# tables are checked by their own readers. SMTP credentials come from the
# environment only, so that they never sit in a file next to the database.
_FILE_KEYS = {
    "database_url",
    "mail_url",
    "mail_from",
    "log_format",
    "templates_dir",
    "programme_title",
    "addressee",
    "document_number",
    "audit_key_file",
}
_TABLES = {"programme", "reminders", "mail"}
IDENTITY_MODES = ("os", "database", "trust")
_REMINDER_KEYS = {"before", "on_the_day", "overdue_every", "escalate_from", "hour"}
_ENV = {
    "BANSO_DATABASE_URL": "database_url",
    "BANSO_USER": "user",
    "BANSO_NOW": "now",
    "BANSO_MAIL_URL": "mail_url",
    "BANSO_LOG_FORMAT": "log_format",
    "BANSO_SMTP_USER": "smtp_user",
    "BANSO_SMTP_PASSWORD": "smtp_password",
    "BANSO_DOCUMENTS_DIR": "documents_dir",
    "BANSO_IDENTITY": "identity_mode",
    "BANSO_AUDIT_KEY_FILE": "audit_key_file",
}
_LOG_FORMATS = ("auto", "json", "console")


def load_settings(
    *,
    config: str | None = None,
    environ: Mapping[str, str] | None = None,
    **flags: Any,
) -> Settings:
    """Merge the file, the environment and the flags given (None = not given)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}

    path_text = config or env.get("BANSO_CONFIG")
    path = Path(path_text) if path_text else Path(DEFAULT_CONFIG)
    if path.exists():
        trust(path, "the settings file")
        values.update(_read_file(path))
        values["config_path"] = path
    elif path_text:
        raise InvalidValue("--config", path_text, "an existing TOML file")

    for var, key in _ENV.items():
        if env.get(var):
            values[key] = env[var]
    secret_file = env.get("BANSO_SMTP_PASSWORD_FILE")
    if secret_file and not env.get("BANSO_SMTP_PASSWORD"):
        values["smtp_password"] = read_secret(Path(secret_file), "BANSO_SMTP_PASSWORD_FILE")
    known = {f.name for f in fields(Settings)}
    for key, value in flags.items():
        if key not in known:
            raise TypeError(f"unknown setting {key}")
        if value is not None:
            values[key] = value

    for key, value in values.items():
        # One line each, decodable, and short: a value of the file or the
        # environment goes into URLs, headers and messages.
        if isinstance(value, str) and key != "smtp_password":
            problem = line_problem(value, limit=MAX_LINE)
            if problem is not None:
                shown = hide_passwords(value[:40])
                raise InvalidValue(
                    _("setting {key}").format(key=key),
                    shown,
                    _("a value on one line ({problem})").format(problem=tr(problem)),
                )
    settings = replace(Settings(), **values)
    settings = replace(settings, documents_dir=Path(settings.documents_dir))
    if settings.audit_key_file is not None:
        settings = replace(settings, audit_key_file=Path(settings.audit_key_file))
    if settings.identity_mode is not None and settings.identity_mode not in IDENTITY_MODES:
        raise InvalidValue(
            "identity mode (BANSO_IDENTITY, [identity] mode)",
            settings.identity_mode,
            "os, database or trust",
        )
    for key, what in (
        ("programme_title", N_("the programme's name")),
        ("addressee", N_("the addressee (岡山県 総務部 デジタル推進課)")),
        ("document_number", N_("a number pattern with {n} (伴走第{n}号)")),
    ):
        value = getattr(settings, key)
        if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n\t"):
            raise InvalidValue(key, value, _("{what} on one line").format(what=_(what)))
    try:
        settings.document_number.format(n=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidValue(
            "document_number", settings.document_number, "a pattern like 伴走第{n}号"
        ) from exc
    if "{n}" not in settings.document_number:
        raise InvalidValue("document_number", settings.document_number, "a pattern with {n}")
    if settings.log_format not in _LOG_FORMATS:
        raise InvalidValue(
            "log format (BANSO_LOG_FORMAT)", settings.log_format, "auto, json or console"
        )
    return settings


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValue(f"--config {path}", str(exc), "a readable UTF-8 TOML file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidValue(f"--config {path}", str(exc), "valid TOML") from exc
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise InvalidValue(f"{path}: [{key}]", value, "a table")
            if key == "reminders" and set(value) - _REMINDER_KEYS:
                unknown = sorted(set(value) - _REMINDER_KEYS)[0]
                keys = ", ".join(sorted(_REMINDER_KEYS))
                raise InvalidValue(f"{path}: [reminders] key {unknown!r}", value[unknown], keys)
            values[key] = value
        elif key == "identity":
            if not isinstance(value, dict) or set(value) - {"mode"}:
                raise InvalidValue(f"{path}: [identity]", value, 'a table with mode = "os"')
            if "mode" in value:
                values["identity_mode"] = value["mode"]
        elif key in ("mail_max_attempts", "survey_max_bytes", "survey_max_rows"):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 2**31:
                raise InvalidValue(f"{path}: {key}", value, "a whole number ≥ 1")
            values[key] = value
        elif key == "templates_dir":
            if not isinstance(value, str) or not Path(value).is_dir():
                raise InvalidValue(f"{path}: templates_dir", value, "an existing folder")
            values[key] = Path(value)
        elif key == "documents_dir":
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(f"{path}: documents_dir", value, "a folder to write into")
            values[key] = Path(value)
        elif key in _FILE_KEYS:
            if not isinstance(value, str):
                raise InvalidValue(f"{path}: {key}", value, "a string")
            values[key] = value
        else:
            allowed = ", ".join(
                sorted(
                    [
                        *_FILE_KEYS,
                        "mail_max_attempts",
                        "survey_max_bytes",
                        "survey_max_rows",
                        "[programme]",
                        "[reminders]",
                        "[mail]",
                        "[identity]",
                    ]
                )
            )
            raise InvalidValue(
                f"{path}: key {key!r}", value, _("one of {allowed}").format(allowed=allowed)
            )
    return values


class Untrusted(BadInput):
    """A file Banso would run or believe is not the user's own."""


def trust(path: Path, what: str, *, private: bool = False) -> None:
    """Refuse ``path`` unless it is the user's and nobody else may write it
    (``private``: nobody else may read it either). A ``banso.toml`` names the
    database, the mail server and the template folder: one that anybody could
    have written would let them run templates and read mail as the user."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InvalidValue(
            what, str(path), _("a readable file ({reason})").format(reason=exc.strerror)
        ) from None
    uid = os.getuid() if hasattr(os, "getuid") else st.st_uid
    if st.st_uid != uid:
        raise Untrusted(
            _(
                "{what} {path} is not trusted: it belongs to another user (uid {uid}); "
                "use your own copy"
            ).format(what=what, path=path, uid=st.st_uid)
        )
    if st.st_mode & 0o022:
        raise Untrusted(
            _(
                "{what} {path} is not trusted: others may write to it; run `chmod go-w {path}`"
            ).format(what=what, path=path)
        )
    if private and st.st_mode & 0o077:
        raise Untrusted(
            _("{what} {path} is not private: others may read it; run `chmod 600 {path}`").format(
                what=what, path=path
            )
        )


def read_secret(path: Path, where: str) -> str:
    """A password kept in a file only its owner may read (the first line)."""
    trust(path, where, private=True)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValue(
            where, str(path), _("a readable UTF-8 file ({reason})").format(reason=exc)
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise InvalidValue(where, str(path), "a file whose first line is the password")
    return lines[0]
