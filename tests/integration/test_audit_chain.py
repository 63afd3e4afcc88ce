"""Tampering with the audit trail by hand is caught by `banso audit verify`.

The events are written through the transition runner (toy workflow); the
tampering is plain SQL, as someone with database access would do it; the check
is the `banso audit verify` command: the installed script in a subprocess for
an intact and a broken chain (its exit code and stderr as a shell sees them),
its entry point in-process for the other tamperings.
"""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.support import toy
from tests.support.toy import LEAD

BANSO = str(Path(sys.executable).with_name("banso"))
EVENTS = 6  # create + 5 transitions


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """A database with a short history: one toy record, six events."""
    toy.create_tables(engine)
    runner = toy.make_runner()
    record_id = toy.new_toy(engine, runner)
    toy.fire(engine, runner, record_id, "submit", payload={"title": "計画", "reviewer": "r@x.jp"})
    toy.fire(engine, runner, record_id, "reject", payload={"reason": "やり直し"})
    toy.fire(engine, runner, record_id, "note", changes={"note": "直した"})
    toy.fire(engine, runner, record_id, "submit", payload={"title": "計画", "reviewer": "r@x.jp"})
    toy.fire(engine, runner, record_id, "approve", actor=LEAD)
    yield engine


def banso(engine: Engine, *args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
    """``banso --db URL ARGS``: in-process, or with ``real`` the installed script."""
    url = engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANSO_")}
    env["BANSO_LANG"] = "en"  # the lines below are read in English
    argv = ["--db", url, *args]
    if real:
        return subprocess.run([BANSO, *argv], capture_output=True, text=True, env=env, timeout=60)
    from banso.admin.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main(argv, environ=env)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        gc.collect()  # close the command's connections now
    return subprocess.CompletedProcess([BANSO, *argv], code, out.getvalue(), err.getvalue())


def tamper(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        assert conn.execute(text(sql), params).rowcount == 1


def test_an_untouched_chain_verifies_and_says_how_many_events(db: Engine) -> None:
    done = banso(db, "audit", "verify", real=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.strip() == f"audit chain intact: {EVENTS} event(s)"


def test_an_untouched_chain_verifies_in_json(db: Engine) -> None:
    done = banso(db, "audit", "verify", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"ok": True, "checked": EVENTS}


EDITS = {
    "payload": ('UPDATE audit_events SET payload = \'{"title": "改ざん"}\' WHERE seq = 2', 2),
    "actor": ("UPDATE audit_events SET actor = 'mallory@example.jp' WHERE seq = 6", 6),
    "to_state": ("UPDATE audit_events SET to_state = 'done' WHERE seq = 3", 3),
    "hash": (f"UPDATE audit_events SET hash = '{'f' * 64}' WHERE seq = 4", 4),
}


@pytest.mark.parametrize("column", EDITS)
def test_an_edited_event_breaks_the_chain_at_that_event(db: Engine, column: str) -> None:
    sql, seq = EDITS[column]
    tamper(db, sql)
    done = banso(db, "audit", "verify", real=column == "actor")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"banso: audit chain broken at event {seq}: ")


def test_a_deleted_last_event_is_noticed(db: Engine) -> None:
    tamper(db, "DELETE FROM audit_events WHERE seq = :seq", seq=EVENTS)
    done = banso(db, "audit", "verify")
    assert done.returncode == 1
    assert done.stderr.startswith(f"banso: audit chain broken at event {EVENTS}: ")
    assert "missing" in done.stderr


def test_a_deleted_middle_event_is_noticed(db: Engine) -> None:
    tamper(db, "DELETE FROM audit_events WHERE seq = 3")
    done = banso(db, "audit", "verify")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("banso: audit chain broken at event ")
    assert "event 3 is missing (deleted)" in done.stderr


def test_a_broken_chain_in_json_names_the_event_on_stdout(db: Engine) -> None:
    tamper(db, "UPDATE audit_events SET actor = 'mallory@example.jp' WHERE seq = 2")
    done = banso(db, "--json", "audit", "verify")
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"ok": False, "checked": 1, "broken_seq": 2}
    assert done.stderr.startswith("banso: audit chain broken at event 2: ")
