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
