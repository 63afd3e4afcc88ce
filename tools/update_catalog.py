"""Re-extract Banso's messages into the Japanese catalog and compile it (Babel).

    .venv/bin/python tools/update_catalog.py          # extract, merge, compile
    .venv/bin/python tools/update_catalog.py --check  # exit 1 if anything is untranslated

Sources of msgids: ``_()``/``N_()``/``ngettext()`` in admin/, the help texts of
every command in the command tree (paragraph by paragraph), the reasons the
rules give (``Unmet(...)``, ``needs_text(..., reason)``), what an invalid value
should look like (``InvalidValue(..., expected)``) and the click messages a
person meets (``CLICK``). Existing translations are kept; a msgid no source
gives any more is dropped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "admin/locale/ja/LC_MESSAGES/banso.po"
MO = PO.with_suffix(".mo")

KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "Unmet": (1,),
    "needs_text": (2,),
    "InvalidValue": (3,),
    "acting": (3,),
    "Phrase": (1,),
    "Refused": (1,),
    "NotFound": (3,),
    "StorageUnavailable": (1,),
}
# Keyword arguments a person reads in a refusal (Babel extracts positional ones only).
KEYWORD_ARGUMENTS = re.compile(r'\b(?:action|note|hint)="([^"{}]+)"')

# click's messages that only a programmer who declares options wrongly can meet.
CLICK_INTERNAL = (
    "defined twice",
    "declaration",
    "Boolean option",
    "No options defined",
    "Could not determine",
    "DeprecationWarning",
    "Choice({choices})",
    "Value must be an iterable",
)
CLICK_FILES = (
    "core.py",
    "exceptions.py",
    "formatting.py",
    "parser.py",
    "types.py",
    "decorators.py",
)


def click_messages() -> Iterator[str | tuple[str, str]]:
    """The messages click itself shows a person (Usage, Missing option, …)."""
    import click
    from babel.messages.extract import extract_from_file

    folder = Path(click.__file__).parent
    for name in CLICK_FILES:
        for _lineno, message, _comments, _context in extract_from_file(
            "python", folder / name, keywords={"_": None, "ngettext": (1, 2)}
        ):
            first = message if isinstance(message, str) else message[0]
            if not any(word in first for word in CLICK_INTERNAL):
                yield message if isinstance(message, str) else (message[0], message[1])


def sources() -> Iterator[tuple[str, str | tuple[str, str]]]:
    """(where, msgid or (singular, plural))."""
    for folder in ("admin", "workflows", "services", "engine", "documents", "storage"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=(),
        ):
            if isinstance(message, tuple):
                if all(message):
                    yield f"{folder}/{filename}:{lineno}", (message[0], message[1])
            elif message:
                yield f"{folder}/{filename}:{lineno}", message
    for folder in ("services", "workflows", "engine"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for match in KEYWORD_ARGUMENTS.finditer(path.read_text(encoding="utf-8")):
                yield f"{folder}/{path.name}", match[1]
    for text in command_texts():
        yield "command tree", text
    for message in click_messages():
        yield "click", message
    yield "click", "required"  # click looks it up by a variable: _(extra["required"])


def command_texts() -> Iterator[str]:
    from banso.admin import i18n
    from banso.admin.cli import cli

    yield from walk(cli, i18n)


def walk(command: object, i18n: object) -> Iterator[str]:
    import click

    from banso.admin.i18n import english_texts

    assert isinstance(command, click.Command)
    yield from english_texts(command)
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from walk(sub, i18n)


def main() -> int:
    old = read_po(PO.open("rb")) if PO.exists() else Catalog(locale="ja")
    new = Catalog(locale="ja", project="banso", domain="banso", fuzzy=False)
    new.plural_forms  # noqa: B018  (ja has one form)
    for where, msgid in sources():
        first = msgid if isinstance(msgid, str) else msgid[0]
        if ("\n" in first and where != "click") or not first.strip():
            continue
        fragment = "  " in first.strip() and "{" not in first
        if fragment or first.endswith(", ") or new.get(first) is not None:
            continue  # pieces of an f-string, or already there
        existing = old.get(first)
        known = existing.string if existing is not None else ""
        string: str | tuple[str, ...]
        if isinstance(msgid, str):
            string = known if isinstance(known, str) else known[0]
        else:
            string = (known,) if isinstance(known, str) else tuple(known[:1]) or ("",)
        new.add(msgid, string, locations=[(where, 0)])
    missing = [
        m.id for m in new if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    if "--check" in sys.argv:
        for m in missing:
            print(f"untranslated: {m!r}")
        return 1 if missing else 0
    with PO.open("wb") as out:
        write_po(out, new, width=0, omit_header=False, sort_output=False, no_location=True)
    with MO.open("wb") as out:
        write_mo(out, new)
    print(f"{len(new)} messages, {len(missing)} untranslated → {PO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
