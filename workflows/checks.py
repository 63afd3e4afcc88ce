"""Small guard builders shared by every workflow: required text, "not yet"...

Each returns a :data:`engine.workflow.Guard`, so a transition can list its
conditions declaratively and every unmet one is reported at once, as an
:class:`~engine.errors.Unmet` naming the input (``field``) that would satisfy it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from banso.engine.clock import show
from banso.engine.errors import Unmet
from banso.engine.phrase import Phrase
from banso.engine.workflow import Guard, GuardContext, RecordView

F = TypeVar("F")


def facts_of(ctx: GuardContext, kind: type[F]) -> F:
    """The facts a guard judges, as the use case computed them.

    Facts of another type (or none) mean the use case and the rule disagree: a
    programming error, not a refusal.
    """
    facts = ctx.facts
    if not isinstance(facts, kind):
        raise TypeError(f"the guard needs {kind.__name__}, not {type(facts).__name__}")
    return facts


def is_blank(value: Any) -> bool:
    """True for None and for text that is empty once stripped."""
    return value is None or (isinstance(value, str) and not value.strip())


def given(value: Any) -> bool:
    """An option that counts as given: present and not just whitespace."""
    return not is_blank(value)


def is_whole(value: Any) -> bool:
    """An ``int`` that is not a ``bool`` (True would otherwise pass as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_aware(value: Any) -> bool:
    """A timezone-aware datetime (Banso never compares naive ones)."""
    return isinstance(value, datetime) and value.tzinfo is not None


def needs_text(key: str, reason: str) -> Guard:
    """A guard: ``ctx.payload[key]`` must be non-empty text, else ``reason``."""

    def guard(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
        return [Unmet(reason, field=key)] if is_blank(ctx.payload.get(key)) else []

    guard.__name__ = f"needs_{key}"
    return guard


def needs_choice(key: str, choices: Iterable[str], what: str | None = None) -> Guard:
    """A guard: ``ctx.payload[key]`` must be one of ``choices``."""
    allowed = tuple(choices)

    def guard(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
        return choice_unmet(ctx.payload.get(key), allowed, what or key, key)

    guard.__name__ = f"needs_{key}_choice"
    return guard


def choice_unmet(value: Any, allowed: tuple[str, ...], what: str, key: str) -> list[Unmet]:
    """Unmet when ``value`` is not one of ``allowed`` (for payload or data)."""
    if value in allowed:
        return []
    # ``what`` is a Phrase where a person reads it in Japanese ("mode" is 方法).
    noun = what if isinstance(what, Phrase) else Phrase(what)
    if value is None:
        reason = Phrase(
            "the {what} is missing, not one of {allowed}", what=noun, allowed=", ".join(allowed)
        )
    else:
        reason = Phrase(
            "the {what} is {value!r}, not one of {allowed}",
            what=noun,
            value=value,
            allowed=", ".join(allowed),
        )
    return [Unmet(reason, field=key)]


def has_happened(what: str) -> Guard:
    """A guard: ``record.data["at"]`` must not lie after ``ctx.now``.

    Recording what happened before it could have happened would put fiction in
    the monthly report, so the time is checked against Banso's clock.
    """

    def guard(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
        at = record.data["at"]
        if at > ctx.now:
            return [
                Unmet(
                    Phrase(
                        "the {what} is at {at}, still to come "
                        "(record it once it has taken place; now is {now})",
                        what=what if isinstance(what, Phrase) else Phrase(what),
                        at=show(at),
                        now=show(ctx.now),
                    )
                )
            ]
        return []

    guard.__name__ = "has_happened"
    return guard


def id_list(ids: Iterable[int]) -> str:
    """``4, 7`` — ids for a message."""
    return ", ".join(str(i) for i in ids)


def plural(n: int, one: str, many: str) -> str:
    """``one`` or ``many`` depending on ``n``."""
    return one if n == 1 else many
