"""click parameter types that read what people type (the rules are in workflows.parse).

A bad value raises ``InvalidValue`` naming the option, so the refusal is the
usual one line with exit 2, before anything is read from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from banso.workflows import parse


class _Parsed(click.ParamType[Any]):
    def __init__(self, name: str, reader: Callable[[str, str], Any]) -> None:
        self.name = name
        self._reader = reader

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        where = param.opts[0] if param is not None and param.opts else self.name
        return self._reader(value, where)


DATETIME = _Parsed("datetime", parse.parse_datetime)
DATE = _Parsed("date", parse.parse_date)
MONTH = _Parsed("month", parse.parse_month)
MODE = _Parsed("mode", parse.parse_mode)
CHANNEL = _Parsed("channel", parse.parse_channel)

MODE_METAVAR = "訪問|WEB|onsite|web"
CHANNEL_METAVAR = "メール|電話|WEB会議|mail|phone|web"

__all__ = ["CHANNEL", "DATE", "DATETIME", "MODE", "MONTH", "date", "datetime"]
