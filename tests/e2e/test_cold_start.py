"""Small commands start fast: they never import the document renderers or the scheduler.

Each command runs in a fresh interpreter that then reports which heavy
packages ended up in ``sys.modules``. The packages may well be installed; what
matters is that `banso --help` or `banso history` does not load them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from banso.storage.db import make_engine
from banso.storage.migrate import upgrade
from banso.storage.models import Person
from tests.support import toy

HEAVY = ("weasyprint", "docx", "openpyxl", "apscheduler")
READER = "lead@contractor.example.jp"

SNIPPET = """
import json, sys
from banso.admin.cli import main
args, watched = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
code = None
try:
    main(args)
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(
    m for m in sys.modules if m.split(".")[0] in watched)}))
"""


def loaded_by(args: list[str], watched: tuple[str, ...], cwd: Path) -> tuple[int, list[str]]:
    """Run ``banso ARGS`` in a new interpreter; its exit code and the watched modules loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANSO_")}
    # Reads need a person: the fixture's lead, believed (trust mode) for brevity.
    env.update(BANSO_IDENTITY="trust", BANSO_USER=READER)
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET, json.dumps(args), json.dumps(watched)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    return report["code"], report["loaded"]


@pytest.fixture
def url_with_an_event(sqlite_url: str) -> str:
    """An initialised SQLite database holding one toy record and its event."""
    engine = make_engine(sqlite_url)
    try:
        upgrade(engine)
        toy.create_tables(engine)
        toy.new_toy(engine, toy.make_runner())
        with Session(engine) as session:
            at = datetime(2026, 4, 1, tzinfo=UTC)
            session.add(Person(name="責任 者", email=READER, role="lead", created_at=at))
            session.commit()
    finally:
        engine.dispose()
    return sqlite_url


@pytest.mark.parametrize("args", [["--help"], ["history", "--help"]], ids=["help", "history-help"])
def test_help_loads_no_heavy_package(args: list[str], tmp_path: Path) -> None:
    assert loaded_by(args, HEAVY, tmp_path) == (0, [])


@pytest.mark.parametrize(
    ("command", "watched"),
    [
        # storage.db.SCHEMA_REVISION exists so that ordinary commands need not
        # import Alembic: history is watched for it too, in the same interpreter.
        (["history", "toy", "1"], (*HEAVY, "alembic")),
        (["audit", "verify"], HEAVY),
    ],
    ids=["history", "audit-verify"],
)
def test_reading_commands_load_no_heavy_package(
    url_with_an_event: str, command: list[str], watched: tuple[str, ...], tmp_path: Path
) -> None:
    assert loaded_by(["--db", url_with_an_event, *command], watched, tmp_path) == (0, [])


def test_the_watch_itself_works(tmp_path: Path) -> None:
    """A command that does load a watched package is seen to (guards the guard)."""
    code, loaded = loaded_by(["init", "--help"], ("click",), tmp_path)
    assert (code, "click" in loaded) == (0, True)
