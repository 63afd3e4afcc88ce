"""The commands the guides show exist, with the options they are shown with.

docs/user-guide.md and the README were written from real runs; this keeps them
true when a command or an option is renamed. It reads every ``banso …`` command
line of the guides' console blocks and inline code, walks the command tree
(click, no database) and checks each option the line uses.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from banso.admin.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ("docs/user-guide.md", "README.md", "docs/operations.md")
# `banso` (or .venv/bin/banso) and what follows, up to a comment or the end of the span.
COMMAND = re.compile(r"(?:^|[\s`$])(?:\.venv/bin/|/opt/banso/\.venv/bin/)?banso ([^`#\n]+)")
GLOBAL_OPTIONS = {"--db", "--config", "--as", "--json", "--lang"}
# Commands or options a guide describes before their branch is merged; each must
# still be missing, so an entry is removed as soon as the branch lands and the real
# check takes over. Empty: every branch the guides describe has landed.
PENDING: set[tuple[str, str | None]] = set()


def command_lines(text: str) -> list[str]:
    lines = []
    for match in COMMAND.finditer(text):
        line = match.group(1).strip()
        first = line.split()[0] if line.split() else ""
        if "…" in line or not first or ("/" in first and not first.startswith("--")):
            continue  # an elided example (`--ref …`), or a path (`chgrp banso var/`)
        lines.append(line)
    return lines


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The command the words name, and the words after it."""
    ctx = click.Context(cli)
    command: click.Command = cli
    rest = list(words)
    while rest and isinstance(command, click.Group):
        if rest[0].startswith("-"):
            # A global option before the command (`banso --db URL engagement list`).
            option = rest.pop(0)
            if option in GLOBAL_OPTIONS - {"--json"} and "=" not in option:
                rest.pop(0)
            continue
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            break
        command = sub
        rest.pop(0)
    return command, rest


def options_of(command: click.Command) -> set[str]:
    return {name for p in command.params for name in (*p.opts, *p.secondary_opts)}


def test_every_command_the_guides_show_exists_with_its_options() -> None:
    problems: list[str] = []
    pending_seen: set[tuple[str, str | None]] = set()
    seen = 0
    for guide in GUIDES:
        text = (ROOT / guide).read_text("utf-8")
        for line in command_lines(text):
            try:
                words = shlex.split(line)
            except ValueError:
                words = line.split()
            command, rest = resolve(words)
            if command is cli and not rest:
                continue  # `banso --help`, `banso --version`
            if command is cli or (isinstance(command, click.Group) and rest):
                if (rest[0], None) in PENDING:
                    pending_seen.add((rest[0], None))
                    continue
                problems.append(f"{guide}: `banso {line}`: no such command")
                continue
            seen += 1
            known = options_of(command) | GLOBAL_OPTIONS | {"--help", "-h"}
            for word in rest:
                option = word.split("=", 1)[0]
                if option.startswith("--") and option not in known:
                    if (command.name, option) in PENDING:
                        pending_seen.add((str(command.name), option))
                        continue
                    problems.append(f"{guide}: `banso {line}`: {command.name} has no {option}")
    assert not problems, "\n".join(problems)
    assert pending_seen == PENDING, f"merged already: remove {PENDING - pending_seen} from PENDING"
    assert seen > 40, f"only {seen} command lines found: is the pattern still right?"


def test_a_renamed_option_would_be_found() -> None:
    """The check above can fail: a line with an option no command has."""
    command, rest = resolve(shlex.split("engagement approve-plan 1 --on-behalf 2"))
    assert command.name == "approve-plan"
    assert "--on-behalf" not in options_of(command)
    command, rest = resolve(["engagement", "approve-plans", "1"])
    assert isinstance(command, click.Group) and rest == ["approve-plans", "1"]
