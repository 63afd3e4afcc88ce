"""The `banso` command as a user types it: init, settings, database errors.

Each test runs the installed ``banso`` script in a subprocess, in its own
working directory, with no ``BANSO_*`` variable inherited from the caller.
Steps that only prepare a database for the command under test go through the
same entry point in-process (``prepare``), with the same environment.
"""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from contextlib import chdir, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table

from banso.storage.db import READONLY, make_engine
from banso.storage.migrate import head_revision

BANSO = str(Path(sys.executable).with_name("banso"))


def banso(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``banso ARGS`` in ``cwd`` with only the ``BANSO_*`` variables given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANSO_")}
    return subprocess.run(
        [BANSO, *args],
        cwd=cwd,
        env={**clean, "BANSO_LANG": "en", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def prepare(cwd: Path, *args: str, **env: str) -> None:
    """``banso ARGS`` in this process, as ``banso()`` would run it in ``cwd``
    (where, off SQLite, init writes the audit key); insist on exit 0."""
    from banso.admin.cli import main

    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANSO_")}
    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    try:
        with chdir(cwd), redirect_stdout(out), redirect_stderr(err):
            main(list(args), environ={**clean, "BANSO_LANG": "en", **env})
    except SystemExit as exc:
        code = exc.code
    finally:
        gc.collect()  # close the command's connections now
    assert code in (0, None), (args, code, err.getvalue())


def one_error_line(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The command failed with ``code`` and said why in exactly one line."""
    assert done.returncode == code, done
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("banso: "), done.stderr
    return lines[0]


def snapshot(url: str) -> dict[str, object]:
    """Tables, their columns and row counts, and the schema revision."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            insp = inspect(conn)
            return {
                name: (
                    [c["name"] for c in insp.get_columns(name)],
                    conn.scalar(select(func.count()).select_from(table(name))),
                )
                for name in sorted(insp.get_table_names())
            }
    finally:
        engine.dispose()


# -- banso init --------------------------------------------------------------


def test_init_twice_initialises_then_changes_nothing(db_url: str, tmp_path: Path) -> None:
    head = head_revision()
    first = banso(tmp_path, "--db", db_url, "init")
    assert first.returncode == 0, first.stderr
    assert f": initialised (schema {head})" in first.stdout
    before = snapshot(db_url)
    second = banso(tmp_path, "--db", db_url, "init")
    assert second.returncode == 0, second.stderr
    assert f": up to date (schema {head})" in second.stdout
    assert snapshot(db_url) == before
    assert "alembic_version" in before and "audit_events" in before


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_init_in_json_prints_only_json_on_stdout(tmp_path: Path, log_format: str) -> None:
    # SQLite only: what goes to stdout and what to the log does not depend on the
    # backend, and init itself runs on both above.
    db_url = f"sqlite:///{tmp_path / 'banso.db'}"
    head = head_revision()
    first = banso(tmp_path, "--json", "--db", db_url, "init", BANSO_LOG_FORMAT=log_format)
    second = banso(tmp_path, "--db", db_url, "init", "--json", BANSO_LOG_FORMAT=log_format)
    assert (first.returncode, second.returncode) == (0, 0)
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert (one["before"], one["after"], one["changed"]) == (None, head, True)
    assert (two["before"], two["after"], two["changed"]) == (head, head, False)
    assert one["database"] == two["database"]


# -- databases that cannot be used -------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://postgres@127.0.0.1:1/x", "cannot open"),
        ("not a url::", "not a database URL"),
        ("sqlite:///no/such/folder/banso.db", "does not exist"),
    ],
    ids=["unreachable-postgresql", "malformed", "sqlite-missing-folder"],
)
def test_an_unusable_database_is_one_line_and_exit_2(tmp_path: Path, url: str, says: str) -> None:
    line = one_error_line(banso(tmp_path, "--db", url, "init"))
    assert says in line
    assert list(tmp_path.iterdir()) == []


def test_history_of_an_unknown_record_is_one_line_and_exit_2(db_url: str, tmp_path: Path) -> None:
    prepare(tmp_path, "--db", db_url, "init")
    lead = ("--name", "伴走 一郎", "--email", "lead@example.jp", "--role", "lead")
    prepare(tmp_path, "--db", db_url, "person", "add", *lead)
    # The first person is bound to the account that added them: no --as needed.
    line = one_error_line(banso(tmp_path, "--db", db_url, "history", "toy", "1"))
    assert "toy 1" in line


def test_a_command_on_a_database_not_there_yet_does_not_create_it(tmp_path: Path) -> None:
    done = banso(tmp_path, "--db", "sqlite:///missing.db", "history", "engagement", "1")
    assert "banso init" in one_error_line(done)
    assert not (tmp_path / "missing.db").exists()


def test_a_database_not_initialised_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    done = banso(tmp_path, "--db", "sqlite:///empty.db", "audit", "verify")
    assert "banso init" in one_error_line(done)


# -- where the database URL comes from ---------------------------------------


def test_the_default_database_is_banso_db_in_the_working_directory(tmp_path: Path) -> None:
    done = banso(tmp_path, "init")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sqlite:///banso.db: initialised")
    assert (tmp_path / "banso.db").is_file()


def test_the_environment_gives_the_database(tmp_path: Path) -> None:
    done = banso(tmp_path, "init", BANSO_DATABASE_URL="sqlite:///env.db")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["env.db"]


def test_the_db_option_wins_over_the_environment(tmp_path: Path) -> None:
    done = banso(
        tmp_path, "--db", "sqlite:///flag.db", "init", BANSO_DATABASE_URL="sqlite:///env.db"
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["flag.db"]


def test_banso_toml_gives_the_database(tmp_path: Path) -> None:
    (tmp_path / "banso.toml").write_text('database_url = "sqlite:///toml.db"\n', encoding="utf-8")
    done = banso(tmp_path, "init")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["toml.db"]


def test_the_environment_wins_over_banso_toml(tmp_path: Path) -> None:
    (tmp_path / "banso.toml").write_text('database_url = "sqlite:///toml.db"\n', encoding="utf-8")
    done = banso(tmp_path, "init", BANSO_DATABASE_URL="sqlite:///env.db")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["env.db"]


def test_an_explicit_config_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "team.toml").write_text('database_url = "sqlite:///team.db"\n', encoding="utf-8")
    done = banso(tmp_path, "--config", "team.toml", "init")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["team.db"]


def test_an_unknown_key_in_banso_toml_is_named(tmp_path: Path) -> None:
    (tmp_path / "banso.toml").write_text('colour = "blue"\n', encoding="utf-8")
    line = one_error_line(banso(tmp_path, "init"))
    assert "'colour'" in line
    assert not (tmp_path / "banso.db").exists()


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    line = one_error_line(banso(tmp_path, "--config", "nowhere.toml", "init"))
    assert "nowhere.toml" in line


# -- one e-mail rule -------------------------------------------------------------


@pytest.mark.parametrize("address", ["jiro@県庁.jp", "a..b@pref.example.jp", "x<evil@a.jp>"])
def test_person_add_refuses_an_address_mail_could_not_be_sent_to(
    tmp_path: Path, address: str
) -> None:
    url = f"sqlite:///{tmp_path / 'banso.db'}"
    prepare(tmp_path, "--db", url, "init")
    before = snapshot(url)
    done = banso(
        tmp_path, "--db", url, "person", "add", "--name", "県 次郎", "--email", address,
        "--role", "prefecture",
    )  # fmt: skip
    line = one_error_line(done, code=2)
    assert "--email" in line and address in line
    assert snapshot(url) == before
