"""The log lines people read on a terminal, in Japanese (``admin.logs`` adds this
to the console renderer only; JSON lines keep the event names for machines).

Each event a person may meet is a sentence in the catalog; the fields it names
are filled in and dropped from the ``key=value`` tail, and the tail's keys that
remain are shown by their Japanese names.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from banso.admin.i18n import N_, _, japanese

# event → the sentence (English msgid; the Japanese is in the catalog).
EVENTS: dict[str, str] = {
    "daemon.started": N_("daemon started (sweep every {sweep_every} s, send every {send_every} s)"),
    "daemon.stopping": N_("daemon stopping ({signal})"),
    "daemon.stopped": N_("daemon stopped"),
    "daemon.busy": N_("the database is busy; trying again (attempt {attempt})"),
    "sweep.done": N_("sweep done: {reminders} reminder(s), {missed} missed"),
    "reminder.set_aside": N_("reminder for deadline {deadline} set aside: {error}"),
    "reminder.no_recipient": N_("reminder for deadline {deadline} has no recipient"),
    "monthly_report.drafted": N_("monthly report for {period} drafted"),
    "monthly_report.set_aside": N_("monthly report for {period} set aside: {error}"),
    "digest.set_aside": N_("digest to {to} set aside: {error}"),
    "set_aside.no_lead": N_("{count} item(s) set aside and no lead to tell"),
    "set_aside.notice_failed": N_("the notice of set-aside item {item} failed: {error}"),
    "mail.batch": N_("sending {claimed} mail(s)"),
    "mail.connect_failed": N_("cannot connect to the mail server ({error}); {pending} left queued"),
    "mail.error": N_("mail {id} ({kind}) failed"),
    "job.failed": N_("job {job} failed"),
    "document.no_japanese_font": N_(
        "no Japanese font: the {format} of deliverable {deliverable} was not made"
    ),
    "document.picture_omitted": N_("a picture in {template} was left out (no Japanese font)"),
}

LEVELS: dict[str, str] = {
    "debug": N_("debug"),
    "info": N_("info"),
    "warning": N_("warning"),
    "error": N_("error"),
    "critical": N_("critical"),
}

KEYS: dict[str, str] = {
    "command": N_("command"),
    "actor": N_("actor"),
    "job": N_("job"),
}


def in_japanese(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: the event as a Japanese sentence, for the console."""
    if not japanese():
        return event
    template = EVENTS.get(str(event.get("event")))
    if template is not None:
        fields = {k: v for k, v in event.items() if k != "event"}
        try:
            event["event"] = _(template).format(**fields)
        except (KeyError, IndexError, ValueError):
            pass  # a field missing: the event name as it is
        else:
            for key in _placeholders(template):
                event.pop(key, None)
    level = event.get("level")
    if isinstance(level, str) and level in LEVELS:
        event["level"] = _(LEVELS[level])
    for key, label in KEYS.items():
        if key in event:
            event[_(label)] = event.pop(key)
    event.pop("logger", None)  # the module name says nothing to a person
    stamp = event.get("timestamp")
    if isinstance(stamp, str):
        event["timestamp"] = _tokyo(stamp)
    return event


def _tokyo(stamp: str) -> str:
    """``2026-04-20T00:00:01Z`` → ``2026-04-20 09:00:01`` (Tokyo time, as the office reads it)."""
    from datetime import datetime

    from banso.engine.clock import TOKYO

    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return f"{moment.astimezone(TOKYO):%Y-%m-%d %H:%M:%S}"


def _placeholders(template: str) -> set[str]:
    import string

    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}
