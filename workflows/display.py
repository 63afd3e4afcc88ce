"""Dates and moments as a person in a Japanese office reads them (pure)."""

from __future__ import annotations

from datetime import date, datetime

from banso.engine.clock import TOKYO
from banso.engine.era import format_date

WEEKDAYS = "月火水木金土日"


def date_ja(d: date) -> str:
    """令和8年4月10日（金）."""
    return f"{format_date(d)}（{WEEKDAYS[d.weekday()]}）"


def moment_ja(moment: datetime) -> str:
    """令和8年4月10日（金）10:00, in Tokyo time."""
    local = moment.astimezone(TOKYO)
    return f"{date_ja(local.date())}{local.hour}:{local.minute:02d}"


def moment_iso(moment: datetime) -> str:
    """2026-04-10 10:00, in Tokyo time, without an offset."""
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
