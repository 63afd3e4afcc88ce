"""The options of a decision recorded on the prefecture's behalf (`services.decisions`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from banso.admin.i18n import _
from banso.engine.errors import InvalidValue
from banso.services.decisions import MAX_EVIDENCE, Evidence, OnBehalf
from banso.workflows.parse import parse_date

PARAMS = ("on_behalf_of", "decided_on", "ref", "evidence")
HELP = (
    "\n\nThe lead may record the prefecture's decision on its behalf: --on-behalf-of the "
    "prefecture person, --date of the decision, --ref 文書番号 [--evidence FILE]."
)


def on_behalf_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--on-behalf-of EMAIL --date D --ref TEXT [--evidence FILE]`` to a command."""
    for decorator in reversed(
        (
            click.option("--on-behalf-of", "on_behalf_of", metavar="EMAIL",
                         help="Lead only: the prefecture person whose decision this is."),
            click.option("--date", "decided_on", metavar="D",
                         help="With --on-behalf-of: the day the prefecture decided."),
            click.option("--ref", "ref", metavar="TEXT",
                         help="With --on-behalf-of: the prefecture's reference (文書番号)."),
            click.option("--evidence", "evidence", metavar="FILE",
                         type=click.Path(dir_okay=False, path_type=Path),
                         help="With --on-behalf-of: the reply mail or notice; its SHA-256 "
                              "goes in the audit."),
        )
    ):  # fmt: skip
        func = decorator(func)
    return func


def on_behalf_from(values: dict[str, Any], *, ref_required: bool = True) -> OnBehalf | None:
    """The ``OnBehalf`` the options give (taken out of ``values``), or None; one line
    when they do not fit together. ``ref_required`` false: --ref may be left out (an act
    with no 文書番号 of its own, like a consultation passed on by phone)."""
    person, day, ref, evidence = (values.pop(name, None) for name in PARAMS)
    if person is None:
        given = [flag for flag, v in (("--date", day), ("--ref", ref), ("--evidence", evidence))
                 if v is not None]  # fmt: skip
        if given:
            raise InvalidValue(given[0], day or ref or str(evidence), "used with --on-behalf-of")
        return None
    if day is None:
        raise InvalidValue("--date", None, "given with --on-behalf-of (the day)")
    if ref is None and ref_required:
        raise InvalidValue(
            "--ref", None, "given with --on-behalf-of (the day of the decision and its 文書番号)"
        )
    return OnBehalf(person, parse_date(day, "--date"), ref, _evidence(evidence))


def _evidence(path: Path | None) -> Evidence | None:
    if path is None:
        return None
    try:
        size = path.stat().st_size
        if size > MAX_EVIDENCE:
            raise InvalidValue(
                "--evidence",
                str(path),
                _("a file of at most {mb} MB").format(mb=MAX_EVIDENCE // 1_000_000),
            )
        return Evidence(path.name, path.read_bytes())
    except OSError as exc:
        raise InvalidValue(
            "--evidence",
            str(path),
            _("a file Banso can read ({reason})").format(reason=exc.strerror),
        ) from exc
