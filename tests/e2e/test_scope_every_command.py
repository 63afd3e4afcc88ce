"""Every command, tried by a consultant on another consultant's work (slow).

HANAKO's operating-system account is bound to her (identity mode ``os``). For
every command `banso` has, she tries it with ``--as`` naming somebody else
(always refused before anything is read), and on JIRO's records (refused, or —
for the listings she may use — answered without a trace of his work).
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import click
import pytest

from banso.admin.cli import cli
from banso.workflows.permissions import COMMANDS
from tests.support.programme import HANAKO, JIRO, LEAD, PREFECTURE, Banso, programme_templates

pytestmark = pytest.mark.slow

# Commands that need nobody (checked elsewhere): setting up, the demo, the daemon, the table.
# Commands that need nobody (the permission table says which).
OPEN = {name for name, allowed in COMMANDS.items() if allowed.open}
# Listings she may use: they must show nothing of JIRO's.
READS = {"engagement list", "dispatch list", "consultation list", "calendar", "export"}
# Master data every consultant may look up (names of organisations and themes).
LOOKUPS = {"org list", "org show", "theme list"}


def _leaves(command: click.Command, path: str) -> list[str]:
    if isinstance(command, click.Group):
        found = [path] if command.invoke_without_command else []
        for name, sub in command.commands.items():
            found += _leaves(sub, f"{path} {name}")
        return found
    return [path]


def every_command() -> list[str]:
    ctx = click.Context(cli)
    names: list[str] = []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        names += _leaves(command, name)
    return names


def _args(command: str, e: int, d: int, c: int, out: Path) -> list[str]:
    """The command's words and arguments aimed at JIRO's records."""
    by_id = {
        "engagement": e, "dispatch": d, "consultation": c, "deliverable": 1, "meeting": 1,
    }  # fmt: skip
    first, _, rest = command.partition(" ")
    words = command.split()
    extra: dict[str, list[str]] = {
        "org show": ["332020"],
        "org add": ["--code", "339999", "--name", "試験村", "--kind", "village"],
        "person add": ["--name", "x", "--email", "x@example.jp", "--role", "consultant"],
        "person edit": [JIRO, "--name", "x"],
        "person remove": [JIRO],
        "theme add": ["--code", "x", "--name", "x"],
        "subcontractor add": ["--name", "x"],
        "subcontractor approve": ["株式会社サンプル", "--ref", "x"],
        "survey import": ["missing.csv"],
        "engagement new": ["--org", "332020", "--theme", "security"],
        "engagement schedule-hearing": [
            str(e),
            "--at",
            "2026-05-01T10:00",
            "--consultant",
            HANAKO,
        ],
        "engagement record-hearing": [str(e), "--findings", "x"],
        "engagement draft-plan": [str(e), "--goals", "x"],
        "engagement report": [str(e), "--outcome", "x"],
        "engagement withdraw": [str(e), "--reason", "x"],
        "dispatch plan": [str(e), "--at", "2026-06-03T13:30", "--mode", "onsite"],
        "dispatch record": [str(d), "--summary", "x"],
        "dispatch cancel": [str(d), "--reason", "x"],
        "dispatch reassign": [str(d), "--consultant", HANAKO, "--reason", "x"],
        "consultation new": ["--org", "332020", "--topic", "x"],
        "consultation assign": [str(c), "--consultant", HANAKO],
        "consultation answer": [str(c), "--channel", "mail", "--summary", "x"],
        "deliverable return": ["1", "--reason", "x"],
        "meeting schedule": ["monthly", "--at", "2026-05-01T10:00"],
        "meeting hold": ["1", "--minutes", "x"],
        "meeting cancel": ["1", "--reason", "x"],
        "budget set": ["--total", "1"],
        "history": ["engagement", str(e)],
        "outbox retry": ["1"],
        "deliverable notify-delay": ["1", "--until", "2026-06-30", "--reason", "x"],
        "meeting notify-delay": ["2026-05", "--until", "2026-06-30", "--reason", "x"],
        "engagement propose-expert": [str(e), "--consultant", HANAKO],
        "engagement revise-plan": [str(e), "--planned-dispatches", "3", "--reason", "x"],
        "person reassign": [JIRO],
        "programme set": ["--contractor", "x"],
        "work record": [str(e), "--date", "2026-04-21", "--hours", "1", "--summary", "x"],
        "work list": ["--engagement", str(e)],
        "export": ["engagements", "--out", str(out)],
        "meeting slides": [],
    }
    if command in extra:
        return [*words, *extra[command]]
    if rest and first in by_id and rest not in ("list",):
        return [*words, str(by_id[first])]
    return words


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(db_url, tmp_path, in_process=True)


def test_a_consultant_cannot_act_or_read_as_anyone_else(banso: Banso) -> None:
    e = int(banso.json("engagement", "new", "--org", "332020", "--theme", "security")["id"])
    banso.ok("engagement", "propose-expert", str(e), "--consultant", JIRO)
    banso.ok("engagement", "agree-expert", str(e), user=PREFECTURE)
    banso.ok("engagement", "schedule-hearing", str(e), "--at", "2026-04-20T10:00",
             "--consultant", JIRO)  # fmt: skip
    banso.ok("engagement", "record-hearing", str(e), "--findings", "倉敷の秘密", user=JIRO)
    c = int(banso.json("consultation", "new", "--org", "332020", "--topic", "倉敷の相談",
                       user=PREFECTURE)["id"])  # fmt: skip
    banso.ok("consultation", "assign", str(c), "--consultant", JIRO)
    account = pwd.getpwuid(os.geteuid()).pw_name
    engine_url = banso.url
    from sqlalchemy import create_engine, text

    from banso.storage.db import parse_url

    engine = create_engine(parse_url(engine_url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO logins (login, person_id) SELECT :a, id FROM people WHERE email = :e"
            ),
            {"a": account, "e": HANAKO},
        )
    engine.dispose()
    me = type(banso)(banso.cwd, banso.url, user=None)
    me.identity = "os"
    secrets = ("倉敷の秘密", "倉敷の相談", JIRO)
    tried = 0
    for command in every_command():
        if command in OPEN:
            continue
        argv = _args(command, e, 1, c, Path(banso.cwd) / "x.xlsx")
        # Acting as anybody else: refused before anything is read.
        for other in (LEAD, PREFECTURE, JIRO):
            line = me.refused(*argv, user=other)
            assert "may only name yourself" in line, (command, line)
            tried += 1
        done = me(*argv)
        tried += 1
        assert "Traceback" not in done.err, (command, done)
        if command in READS:
            assert done.code == 0, (command, done)
        elif command in LOOKUPS:
            assert done.code == 0, (command, done)
            continue
        else:
            assert done.code in (1, 2), (command, done)
            assert len(done.err.splitlines()) == 1, (command, done)
        for secret in secrets:
            assert secret not in done.out + done.err, (command, secret, done)
    print(f"scope: {tried} command(s) tried as a consultant on another's work")
    assert tried > 200
