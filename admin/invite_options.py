"""The options that make an invitation stand on its own (the .ics may never arrive)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click

from banso.engine.errors import InvalidValue
from banso.workflows.parse import parse_date, parse_datetime

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option("--url", "invite_url", metavar="URL", help="The web meeting's link."),
    click.option("--place", "invite_place", metavar="TEXT", help="Where it takes place."),
    click.option(
        "--until", "invite_until", metavar="DATETIME",
        help="When it ends (default: [mail] *_minutes after the start).",
    ),
    click.option(
        "--duration", "invite_duration", type=click.IntRange(min=1), metavar="MINUTES",
        help="How long it lasts, instead of --until.",
    ),
    click.option("--purpose", "invite_purpose", metavar="TEXT", help="Purpose or agenda."),
    click.option("--prepare", "invite_prepare", metavar="TEXT", help="What to prepare."),
    click.option(
        "--reply-by", "invite_reply_by", metavar="DATE",
        help="Reply by (default: [mail] reply_days business days before).",
    ),
)  # fmt: skip


def invite_options(f: F) -> F:
    for option in reversed(_OPTIONS):
        f = option(f)
    return f


def invite_details_options(f: F) -> F:
    """The same without --url/--place (for a command that has its own)."""
    for option in reversed(_OPTIONS[2:]):
        f = option(f)
    return f


def pop_invite(kwargs: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The invitation details from the options (removed from ``kwargs``), as stored."""
    raw = {
        k.removeprefix("invite_"): kwargs.pop(k) for k in list(kwargs) if k.startswith("invite_")
    }
    out: dict[str, Any] = {}
    for key in ("url", "place", "purpose", "prepare"):
        value = raw.get(key)
        if value is not None:
            text = " ".join(str(value).split())
            if not text:
                raise InvalidValue(f"--{key}", value, "some text")
            out[key] = text
    if raw.get("url") and not str(raw["url"]).startswith(("https://", "http://")):
        raise InvalidValue("--url", raw["url"], "a link starting with https://")
    end: datetime | None = None
    if raw.get("until") is not None and raw.get("duration") is not None:
        raise InvalidValue("--until", raw["until"], "either --until or --duration, not both")
    if raw.get("until") is not None:
        end = parse_datetime(str(raw["until"]), "--until")
    elif raw.get("duration") is not None:
        end = at + timedelta(minutes=int(raw["duration"]))
    if end is not None:
        if end <= at:
            raise InvalidValue("--until", end.isoformat(), "a time after --at")
        out["end"] = end.isoformat()
    if raw.get("reply_by") is not None:
        reply = parse_date(str(raw["reply_by"]), "--reply-by")
        if reply > at.date():
            raise InvalidValue("--reply-by", reply.isoformat(), "a date before the event")
        out["reply_by"] = reply.isoformat()
    return out
