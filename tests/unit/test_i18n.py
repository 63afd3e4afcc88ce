"""The command in Japanese by default and English with --lang en: help texts over
the whole command tree, click's own messages, and a catalog that is complete
and compiled (a new command or string without a translation fails here)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import click
import pytest

from banso.admin import i18n
from banso.admin.cli import cli, main

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "admin" / "locale" / "ja" / "LC_MESSAGES" / "banso.po"


def run(argv: list[str], **env: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(argv, environ=env)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def command_paths(
    group: click.Command = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            assert sub is not None
            yield from command_paths(sub, (*path, name))


PATHS = list(command_paths())


def test_the_tree_is_walked() -> None:
    assert ("engagement", "approve-plan") in PATHS and ("export",) in PATHS
    assert len(PATHS) > 60


def test_every_help_text_has_a_japanese_translation() -> None:
    """The catalog-completeness check: every paragraph of every command's help."""
    missing = set()
    for path in PATHS:
        command: click.Command = cli
        for name in path:
            assert isinstance(command, click.Group)
            found = command.get_command(click.Context(command), name)
            assert found is not None
            command = found
        missing |= {t for t in i18n.english_texts(command) if not i18n.translated(t)}
    assert not missing, "add these to banso.po (tools/update_catalog.py):\n" + "\n".join(missing)


def test_the_catalog_is_complete_and_compiled() -> None:
    """``tools/update_catalog.py --check``: every msgid the code gives is translated,
    and the shipped .mo holds exactly the .po's translations."""
    babel = pytest.importorskip("babel.messages.pofile")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "update_catalog.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    import gettext

    catalog = babel.read_po(PO.open("rb"))
    mo = gettext.GNUTranslations((PO.with_suffix(".mo")).open("rb"))
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert mo.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "banso")
def test_help_in_japanese_by_default_and_english_on_request(path: tuple[str, ...]) -> None:
    code, ja, _err = run([*path, "--help"])
    assert code == 0 and ja.startswith("使い方:"), ja
    assert "Show this message and exit." not in ja and "このヘルプを表示して終了します。" in ja
    assert "Options" not in ja
    code, en, _err = run(["--lang", "en", *path, "--help"])
    assert code == 0 and en.startswith("Usage:") and "Show this message and exit." in en
    code, env_en, _err = run([*path, "--help"], BANSO_LANG="en")
    assert env_en == en


def test_no_english_sentence_in_japanese_help() -> None:
    """Beyond the catalog: what is printed has no run of English words outside
    option names, metavars, examples and codes."""
    _code, ja, _err = run(["engagement", "schedule-hearing", "--help"])
    prose = [line for line in ja.splitlines() if line.strip() and "banso" not in line]
    for line in prose:
        assert not re.search(r"\b[a-z]{3,} [a-z]{3,} [a-z]{3,}\b", line), line


@pytest.mark.parametrize(
    ("argv", "ja", "en"),
    [
        (["nope"], "エラー：'nope' というコマンドはありません。", "Error: No such command 'nope'."),
        (["engagement", "new"], "必須のオプションがありません： '--org'", "Missing option '--org'"),
        (["engagement", "list", "--state", "x"], "'x' は指定できません", "'x' is not one of"),
        (["dispatch", "plan", "x", "--at", "1", "--mode", "web"], "数値ではありません",
         "is not a valid integer"),
    ],
)  # fmt: skip
def test_click_messages_in_both_languages(argv: list[str], ja: str, en: str) -> None:
    code, _out, err = run(argv)
    assert code == 2 and ja in err and "Usage" not in err, err
    code, _out, err = run(["--lang", "en", *argv])
    assert code == 2 and en in err, err


def test_language_choice() -> None:
    assert i18n.choose(["--lang", "en", "budget"], {}) == "en"
    assert i18n.choose(["--lang=en"], {"BANSO_LANG": "ja"}) == "en"
    assert i18n.choose([], {"BANSO_LANG": "en_US.UTF-8"}) == "en"
    assert i18n.choose([], {}) == "ja"
    assert i18n.choose(["--", "--lang", "en"], {}) == "ja"


def test_start_up_loads_no_catalog_tool_and_no_heavy_library() -> None:
    """``banso --help`` reads the .mo with the standard library: no babel, no openpyxl,
    no database layer (rich comes with structlog, as before this change)."""
    snippet = (
        "import sys\n"
        "from banso.admin.cli import main\n"
        "try:\n    main(['--help'], environ={})\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('babel', 'openpyxl', 'sqlalchemy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, timeout=60
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "使い方:" in done.stdout
