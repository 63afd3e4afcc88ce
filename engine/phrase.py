"""A sentence a person reads, kept with its template so it can be translated.

A rule that builds its reason from values (``f"the hours must be more than 0,
not {hours!r}"``) would hand the command line a string no catalog can hold.
``Phrase(template, **args)`` is that same English string (a ``str``: every
caller that joins, compares or prints it keeps working), and it also keeps
``template`` and ``args``, so ``admin`` can look the template up in its gettext
catalog and fill the values in in Japanese. ``tools/update_catalog.py`` extracts
the templates (``Phrase("…")`` is one of its keywords).

An argument that is itself a person's words (a noun such as "the hearing")
is passed as a ``Phrase`` too, so it is translated with the sentence; plain
``str`` arguments (e-mail addresses, codes, dates) are filled in as they are.
"""

from __future__ import annotations

from typing import Any


class Phrase(str):
    """``str(Phrase(t, **a)) == t.format(**a)``; ``.template`` and ``.args`` stay."""

    template: str
    args: dict[str, Any]

    def __new__(cls, template: str, /, **args: Any) -> Phrase:
        # Without arguments the template is the text (no braces are interpreted),
        # which is also how pickle rebuilds one (``__getnewargs__``: the text).
        self = super().__new__(cls, template.format(**args) if args else template)
        self.template = template
        self.args = args
        return self

    def __getnewargs__(self) -> tuple[str]:
        return (self.template,)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, self.args))


def _rebuild(template: str, args: dict[str, Any]) -> Phrase:
    return Phrase(template, **args)
