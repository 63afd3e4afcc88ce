"""`banso --help` lists the commands from admin/command_help.py without loading them:
the list must say what the commands themselves say, and --help must stay light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_help_index_matches_the_commands() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "command_help.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_help_loads_neither_the_commands_nor_their_libraries() -> None:
    heavy = (
        "sqlalchemy", "holidays", "dateutil", "asyncio", "jinja2", "openpyxl", "structlog",
        "banso.services.context", "banso.storage", "banso.admin.cmd_work",
    )  # fmt: skip
    script = (
        "import sys\n"
        "from banso.admin.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r} "
        f"or any(m.startswith(h + '.') or m == h for h in {heavy!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_database_command_loads_neither_structlog_nor_the_postgresql_dialect(
    tmp_path: Path,
) -> None:
    """`calendar` on SQLite: the models, the services and the query, but no log
    library (no line is written) and no PostgreSQL dialect or driver."""
    heavy = ("structlog", "rich", "sqlalchemy.dialects.postgresql", "asyncpg", "psycopg")
    db = f"sqlite:///{tmp_path / 'b.db'}"
    env = {"BANSO_IDENTITY": "trust", "BANSO_LANG": "en"}
    run = (
        "import sys\n"
        "from banso.admin.cli import main\n"
        "for argv in ARGVS:\n"
        "    try:\n        main(['--db', DB, *argv], environ=ENV)\n"
        "    except SystemExit as e:\n        assert not e.code, e.code\n"
        f"print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') "
        f"for h in {heavy!r})))\n"
    )
    set_up = [
        ["init", "--sample", "okayama"],  # the migrations: PostgreSQL's predicates
        ["person", "add", "--name", "P", "--email", "p@example.jp", "--role", "prefecture",
         "--org", "330001"],
    ]  # fmt: skip
    calendar = [["--as", "p@example.jp", "calendar", "--from", "2026-04-20", "--to", "2026-04-26"]]
    for argvs in (set_up, calendar):
        done = subprocess.run(
            [sys.executable, "-c", f"DB = {db!r}\nENV = {env!r}\nARGVS = {argvs!r}\n{run}"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert "due" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
