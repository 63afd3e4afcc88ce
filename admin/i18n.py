"""The language the command speaks: Japanese by default, English on request.

Msgids are the English strings written in the code; the Japanese is in the
gettext catalog ``admin/locale/ja/LC_MESSAGES/banso.po`` (compiled to the
``.mo`` beside it, shipped as package data; ``tools/update_catalog.py``
re-extracts and recompiles it with Babel). Nothing is read until the first
string is translated, so ``banso --help`` pays only for the one small ``.mo``.

Help texts of the click commands are translated when the command is handed
out (``localize``), paragraph by paragraph, from the English kept on the
command; click's own messages (Usage, missing option, no such command) are read
from the same catalog.
"""

from __future__ import annotations

import gettext as _gettext
import inspect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

LANGUAGES = ("ja", "en")
DEFAULT = "ja"
DOMAIN = "banso"
LOCALE_DIR = Path(__file__).parent / "locale"

_language = DEFAULT
_catalogs: dict[str, _gettext.NullTranslations] = {}


def set_language(lang: str) -> None:
    global _language
    _language = lang if lang in LANGUAGES else DEFAULT
    _install_click()


def language() -> str:
    return _language


def japanese() -> bool:
    return _language == "ja"


def choose(argv: Sequence[str] | None, environ: Mapping[str, str] | None) -> str:
    """``--lang X`` on the command line, else BANSO_LANG, else the locale's
    messages category (``locale_language``), else Japanese."""
    args = list(argv or ())
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return _known(args[i + 1])
        if arg.startswith("--lang="):
            return _known(arg.split("=", 1)[1])
    env = environ if environ is not None else {}
    if env.get("BANSO_LANG", ""):
        return _known(env["BANSO_LANG"])
    return locale_language(env)


def locale_language(environ: Mapping[str, str]) -> str:
    """The language the locale asks messages in, read as POSIX does (LC_ALL, then
    LC_MESSAGES, then LANG: the first one set decides).

    The command is Japanese for its audience whatever the machine's default
    locale, so only a messages locale chosen on purpose turns it English:
    ``LC_MESSAGES=en_US.UTF-8`` does; an ``en_*``, ``C`` or ``POSIX`` in LANG or
    LC_ALL (what servers and containers are set up with) does not. ``ja*``
    anywhere is Japanese, as is anything else."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        code = value.strip().lower().replace("_", "-").split("-")[0].split(".")[0]
        if name == "LC_MESSAGES" and code == "en":
            return "en"
        return DEFAULT
    return DEFAULT


def _known(value: str) -> str:
    code = value.strip().lower().replace("_", "-").split("-")[0].split(".")[0]
    return code if code in LANGUAGES else DEFAULT


def _catalog() -> _gettext.NullTranslations:
    found = _catalogs.get(_language)
    if found is None:
        found = _gettext.translation(
            DOMAIN, localedir=str(LOCALE_DIR), languages=[_language], fallback=True
        )
        _catalogs[_language] = found
    return found


def _(message: str) -> str:
    """The message in the current language (the English msgid if untranslated)."""
    if _language == "en":
        return message
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _language == "en":
        return singular if n == 1 else plural
    return _catalog().ngettext(singular, plural, n)


def tr(text: object) -> str:
    """A sentence a rule wrote (a ``Phrase`` or a plain message) in the current
    language: the template through the catalog, its values filled in (a value
    that is itself a ``Phrase`` translated the same way)."""
    from banso.engine.phrase import Phrase

    if not isinstance(text, str):
        return str(text)
    if not isinstance(text, Phrase):
        return _(text)
    if _language == "en":
        return str(text)
    if not text.args:
        return _(text.template)
    args = {k: tr(v) if isinstance(v, Phrase) else v for k, v in text.args.items()}
    if isinstance(args.get("kind"), str) and "kind_label" not in args:
        # A record's kind (engagement) is named by its Japanese label (案件).
        from banso.workflows.labels import KIND_LABELS

        args["kind_label"] = KIND_LABELS.get(args["kind"], args["kind"])
    try:
        return _(text.template).format(**args)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
        return str(text)


def in_japanese(text: str) -> str:
    """``text`` as the Japanese catalog has it, whatever the current language."""
    global _language
    saved, _language = _language, "ja"
    try:
        return tr(text)
    finally:
        _language = saved


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


def translated(message: str) -> bool:
    """Whether the Japanese catalog holds ``message`` (the completeness tests)."""
    catalog = _gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=["ja"], fallback=True
    )
    return catalog.gettext(message) != message or message.strip() == ""


# --- click -------------------------------------------------------------------------

_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
    "click.utils",
)


def _install_click() -> None:
    """Click asks the process-wide gettext domain; point its modules at ours."""
    import sys

    for name in _CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            setattr(module, "_", _)  # noqa: B010 (click's module global, not an attribute of ours)
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", ngettext)  # noqa: B010


def help_paragraphs(text: str) -> Iterator[str]:
    """The translatable paragraphs of a help text (an example block gives its heading)."""
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        block = paragraph.strip("\n")
        if not block:
            continue
        if block.startswith("\b"):
            heading = block.lstrip("\b").lstrip("\n").split("\n", 1)[0]
            if heading.endswith(":"):
                yield heading
            continue
        yield " ".join(line.strip() for line in block.split("\n"))


def translate_help(text: str | None) -> str | None:
    """A help text in the current language, paragraph by paragraph."""
    if text is None or _language == "en":
        return text
    out: list[str] = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        block = paragraph.strip("\n")
        if block.startswith("\b"):
            body = block.lstrip("\b").lstrip("\n")
            heading, _sep, rest = body.partition("\n")
            if heading.endswith(":"):
                body = _(heading) + ("\n" + rest if rest else "")
            out.append("\b\n" + body)
            continue
        out.append(_(" ".join(line.strip() for line in block.split("\n"))))
    return "\n\n".join(out)


_ORIGINAL = "_banso_english"
SHORT_HELP_COLUMNS = 56


def short_help(text: str) -> str:
    """The first sentence of a Japanese help text, cut to fit the command list
    (click cuts at spaces, which Japanese does not have)."""
    first = inspect.cleandoc(text).split("\n\n", 1)[0].replace("\n", "")
    sentence = first.split("。", 1)[0] + ("。" if "。" in first else "")
    if display_width(sentence) <= SHORT_HELP_COLUMNS:
        return sentence
    out = ""
    for char in sentence:
        if display_width(out + char) > SHORT_HELP_COLUMNS - 1:
            break
        out += char
    return out + "…"


def display_width(text: str) -> int:
    """Columns on a terminal: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def localize(command: click.Command) -> click.Command:
    """Put ``command``'s help (and its options' and sub-commands') in the current
    language; the English stays on the command so it can be asked again."""
    import click

    def swap(obj: object, attr: str) -> None:
        key = f"{_ORIGINAL}_{attr}"
        if not hasattr(obj, key):
            setattr(obj, key, getattr(obj, attr, None))
        setattr(obj, attr, translate_help(getattr(obj, key)))

    for attr in ("help", "short_help", "epilog"):
        swap(command, attr)
    # click builds --help once per command, with its text in the language of then.
    if getattr(command, "_help_option", None) is not None:
        command._help_option = None
    if _language != "en" and command.short_help is None and command.help:
        command.short_help = short_help(command.help)
    for param in command.params:
        if isinstance(param, click.Option):
            swap(param, "help")
    if isinstance(command, click.Group) and type(command).get_command is click.Group.get_command:
        for sub in command.commands.values():
            localize(sub)
    return command


def english_texts(command: click.Command) -> Iterable[str]:
    """Every translatable help paragraph of ``command`` and what is under it."""
    import click

    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, f"{_ORIGINAL}_{attr}", getattr(command, attr, None))
        if text:
            yield from help_paragraphs(text)
    for param in command.params:
        if isinstance(param, click.Option):
            text = getattr(param, f"{_ORIGINAL}_help", param.help)
            if text:
                yield from help_paragraphs(text)
