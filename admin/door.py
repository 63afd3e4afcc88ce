"""The door: every option and argument of every command checked by the one rule
of its kind (``workflows/validation.py``) as click reads it.

Which rule applies is data: the parameter's name (``--name`` is a name,
``--url`` a URL, an ``ID`` a record id…) and, for strings nobody listed, the
rule for free text. A value that fails is an ``InvalidValue`` naming the
option (one line, exit 2) before the command opens the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from banso.admin.i18n import _, tr
from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase
from banso.workflows import validation as v
from banso.workflows.email import email_problem

Check = Callable[[Any], str | None]


def _email(value: Any) -> str | None:
    return email_problem(value) if isinstance(value, str) else "it is not text"


def _when(value: Any) -> str | None:
    """A date or date-time option: one short line and, when it reads as ISO 8601,
    within the programme's years (other forms are the command's to parse)."""
    problem = v.line_problem(value, limit=64)
    if problem is not None:
        return problem
    text = str(value).strip()
    day: date | None = None
    try:
        day = datetime.fromisoformat(text).date()
    except ValueError:
        try:
            day = date.fromisoformat(f"{text}-01" if len(text) == 7 else text)
        except ValueError:
            return None
    return v.date_problem(day)


def _seconds(value: Any) -> str | None:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value > 86_400:
        return "it is not a finite number of seconds up to a day"
    return None


def _line(limit: int) -> Check:
    return lambda value: v.line_problem(value, limit=limit)


def _code(limit: int) -> Check:
    return lambda value: v.code_problem(value, limit=limit)


# parameter name → (the rule, what a good value looks like).
RULES: dict[str, tuple[Check, str]] = {
    "email": (_email, "an e-mail address like tanaka@city.example.jp"),
    "consultant": (_email, "a consultant's e-mail address"),
    "user": (_line(v.MAX_EMAIL), "the acting person's e-mail address"),
    "name": (v.name_problem, Phrase("a name on one line, at most {n} characters", n=v.MAX_NAME)),
    "company": (
        v.name_problem,
        Phrase("a company name on one line, at most {n} characters", n=v.MAX_NAME),
    ),
    "contractor": (
        v.name_problem,
        Phrase("the contractor's name, at most {n} characters", n=v.MAX_NAME),
    ),
    "topic": (v.line_problem, Phrase("a topic on one line, at most {n} characters", n=v.MAX_NAME)),
    "place": (v.line_problem, Phrase("a place on one line, at most {n} characters", n=v.MAX_NAME)),
    "ref": (
        v.line_problem,
        Phrase("a reference on one line, at most {n} characters", n=v.MAX_NAME),
    ),
    "record": (
        v.line_problem,
        Phrase("a reference on one line, at most {n} characters", n=v.MAX_NAME),
    ),
    "fields": (v.line_problem, "fields of expertise, comma-separated, on one line"),
    "reason": (
        _line(v.MAX_LINE),
        Phrase("a reason on one line, at most {n} characters", n=v.MAX_LINE),
    ),
    "override": (
        _line(v.MAX_LINE),
        Phrase("a reason on one line, at most {n} characters", n=v.MAX_LINE),
    ),
    "code": (_code(v.MAX_THEME_CODE), "a code of ASCII letters and digits"),
    "org_code": (
        _code(v.MAX_CODE),
        Phrase("an organisation code, at most {n} characters", n=v.MAX_CODE),
    ),
    "theme_code": (_code(v.MAX_THEME_CODE), "a theme code"),
    "parent": (_code(v.MAX_THEME_CODE), "a theme code"),
    "kind": (_code(v.MAX_THEME_CODE), "a kind of record"),
    "sample": (_code(v.MAX_THEME_CODE), "a sample's name"),
    "url": (
        v.url_problem,
        Phrase("a web address like https://…, at most {n} characters", n=v.MAX_URL),
    ),
    "at_text": (_when, "a date-time within 2000 to 2099"),
    "from_text": (_when, "a date within 2000 to 2099"),
    "to_text": (_when, "a date within 2000 to 2099"),
    "month": (_when, "a month within 2000 to 2099"),
    "date_text": (_when, "a date within 2000 to 2099"),
    "contract_start": (_when, "a date within 2000 to 2099"),
    "contract_end": (_when, "a date within 2000 to 2099"),
    "kickoff": (_when, "a date within 2000 to 2099"),
    "db": (_line(v.MAX_LINE), "a database URL on one line"),
    "config": (_line(v.MAX_LINE), "a file path on one line"),
    "hours": (v.hours_problem, Phrase("hours above 0 and at most {n:g}", n=v.MAX_HOURS)),
    "sweep_every": (_seconds, "seconds up to a day"),
    "send_every": (_seconds, "seconds up to a day"),
}
# Integers nobody listed: ids if the name says so, else counts.
ID_RULE: tuple[Check, str] = (v.id_problem, Phrase("an id from 1 to {n}", n=v.MAX_ID))
COUNT_RULE: tuple[Check, str] = (
    v.count_problem,
    Phrase("a whole number from 0 to {n}", n=v.MAX_COUNT),
)
TEXT_RULE: tuple[Check, str] = (
    v.text_problem,
    Phrase("text of at most {n} characters", n=v.MAX_TEXT),
)
PATH_RULE: tuple[Check, str] = (_line(v.MAX_LINE), "a path on one line")


class Checked(click.ParamType[Any, Any]):
    """A parameter type that converts as ``inner`` does, then applies ``rule``."""

    def __init__(
        self, inner: click.ParamType[Any, Any], rule: tuple[Check, str], where: str
    ) -> None:
        self.inner = inner
        self.check, self.expected = rule
        self.where = where
        self.name = inner.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            # Undecodable bytes or control characters fail before any parsing
            # (a Choice or a number would otherwise echo them back).
            raw = v.text_problem(value, limit=10 * v.MAX_TEXT)
            if raw is not None and raw != "it is empty":
                raise InvalidValue(
                    self.where,
                    _short(value),
                    _("{expected} ({problem})").format(expected=tr(self.expected), problem=tr(raw)),
                )
        converted = self.inner.convert(value, param, ctx)
        target = converted
        if isinstance(converted, (str, bytes)) is False and hasattr(converted, "__fspath__"):
            target = str(converted)
        problem = self.check(target)
        if problem is not None:
            raise InvalidValue(
                self.where,
                _short(value),
                _("{expected} ({problem})").format(expected=tr(self.expected), problem=tr(problem)),
            )
        return converted

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        return self.inner.get_metavar(param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        return self.inner.shell_complete(ctx, param, incomplete)

    def to_info_dict(self) -> click.types.ParamTypeInfoDict:
        return self.inner.to_info_dict()


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    # Undecodable bytes are quoted as the bytes they were (\xff), not as surrogates.
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = v.hide_passwords(text)
    return text[:40] + "…" if len(text) > 40 else text


def _rule(param: click.Parameter) -> tuple[Check, str] | None:
    kind = param.type
    name = param.name or ""
    if isinstance(kind, (click.types.BoolParamType, click.Choice)):
        return (lambda _value: None, "")  # their own check; the raw text is still screened
    if name in RULES:
        return RULES[name]
    if isinstance(kind, click.types.IntParamType):
        return ID_RULE if name.endswith("id") else COUNT_RULE
    if isinstance(kind, click.Path):
        return PATH_RULE
    if isinstance(kind, click.types.StringParamType):
        return TEXT_RULE
    return None


def _where(param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return (param.human_readable_name or param.name or "value").upper()


def guard(command: click.Command) -> click.Command:
    """Put the door's checks on every parameter of ``command`` and its subcommands."""
    if getattr(command, "_banso_guarded", False):
        return command
    for param in command.params:
        rule = _rule(param)
        if rule is not None and not isinstance(param.type, Checked):
            param.type = Checked(param.type, rule, _where(param))
    command._banso_guarded = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            guard(sub)
    return command
