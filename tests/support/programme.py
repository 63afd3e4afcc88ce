"""Shared helpers for the programme tests: run `banso`, set a programme up, seed rows.

``Banso`` runs the installed ``.venv/bin/banso`` in a subprocess, in its own
working directory, with ``--db URL`` and only the ``BANSO_*`` variables it is
given (``BANSO_NOW``, ``BANSO_USER``), exactly as staff type it. ``InProcessBanso``
calls the same entry point (``admin.cli.main``) inside the test process, with
that environment passed as ``environ=``: the integration tests use it where
hundreds of milliseconds of interpreter start per command would be the whole
cost of the test.

``setup_programme`` brings a database to the state every programme test starts
from: ``init --sample okayama``, a prefecture person (the first person, no
``--as``), the lead, two consultants of ours and one consultant of a
subcontractor that is registered but not yet approved. ``programme_templates()``
runs it once per backend and test process (in-process) and hands each test a
copy (``fresh(db_url, tmp_path)``), because its seven commands would otherwise
be a good part of every test's time.

``seed_engagements``/``seed_dispatches`` insert rows straight into the tables,
for tests whose point is not the commands that would make them;
``dump_database`` returns every row of every table, to show that a refused
command changed nothing.
"""

from __future__ import annotations

import atexit
import gc
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from banso.admin.i18n import in_japanese
from banso.engine.clock import parse_datetime, tokyo_date
from banso.engine.era import fiscal_year
from banso.services.identity import TRUST_NOTICE
from banso.storage.db import READONLY, make_engine, parse_url, sqlite_path
from banso.storage.models import Dispatch, Engagement, Organisation, Person, Theme
from banso.workflows.programme import COUNTED

ROOT = Path(__file__).resolve().parents[2]
_VENV_BANSO = ROOT / ".venv" / "bin" / "banso"
BANSO = str(_VENV_BANSO if _VENV_BANSO.exists() else Path(sys.executable).with_name("banso"))

START = "2026-04-01T09:00+09:00"  # the first morning of the contract

PREFECTURE = "taro@pref.okayama.example.jp"
LEAD = "lead@contractor.example.jp"
HANAKO = "hanako@contractor.example.jp"  # consultant of ours
JIRO = "jiro@contractor.example.jp"  # consultant of ours
SUB_CONSULTANT = "ken@sample-sub.example.jp"  # a subcontractor's consultant
SUBCONTRACTOR = "株式会社サンプル"

_UNSET: Any = object()


class Run(NamedTuple):
    """What one `banso` command did: (code, stdout, stderr)."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Banso:
    """Runs ``banso --db URL ARGS`` in ``cwd`` as ``user`` at ``now``.

    ``user``/``now`` given to a call override the defaults for that call;
    ``user=None`` runs without ``--as``/``BANSO_USER``.
    """

    def __init__(
        self,
        cwd: Path,
        url: str,
        *,
        user: str | None = None,
        now: str = START,
        lang: str = "en",
    ) -> None:
        self.cwd = cwd
        self.lang = lang
        self.url = url
        self.user = user
        self.now = now
        self.calls = 0
        self.identity = "trust"

    def env(self, user: str | None, now: str | None) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("BANSO_")}
        # The suite reads the English wording (`--lang en`); the Japanese default is
        # tested where Japanese is asserted (Banso(..., lang="ja")).
        # The tests act as many people from one account: they trust --as, explicitly.
        extra = {"BANSO_MAIL_URL": f"file://{self.cwd / 'mail'}", "BANSO_IDENTITY": self.identity,
                 "BANSO_LANG": self.lang}  # fmt: skip
        if not self.url.startswith("sqlite"):
            # Beside a SQLite file the key is found; elsewhere it is the working directory's.
            extra["BANSO_AUDIT_KEY_FILE"] = str(self.cwd / "banso-audit.key")
        if now:
            extra["BANSO_NOW"] = now
        if user:
            extra["BANSO_USER"] = user
        return {**clean, **extra}

    def _run(self, argv: list[str], env: dict[str, str]) -> Run:
        done = subprocess.run(
            [BANSO, *argv], cwd=self.cwd, env=env, capture_output=True, text=True, timeout=120
        )
        return Run(done.returncode, done.stdout, untrusted(done.stderr))

    def __call__(self, *args: str, user: str | None = _UNSET, now: str | None = _UNSET) -> Run:
        who = self.user if user is _UNSET else user
        when = self.now if now is _UNSET else now
        self.calls += 1
        return self._run(["--db", self.url, *args], self.env(who, when))

    def ok(self, *args: str, user: str | None = _UNSET, now: str | None = _UNSET) -> Run:
        """Run and insist on exit 0 with nothing on stderr."""
        done = self(*args, user=user, now=now)
        assert done.code == 0, f"banso {' '.join(args)} → {done}"
        assert done.err == "", done.err
        return done

    def json(self, *args: str, user: str | None = _UNSET, now: str | None = _UNSET) -> Any:
        """Run with ``--json``, insist on exit 0, return the parsed output."""
        return self.ok(*args, "--json", user=user, now=now).json()

    def refused(
        self, *args: str, code: int = 1, user: str | None = _UNSET, now: str | None = _UNSET
    ) -> str:
        """Run and insist on exit ``code`` with ONE ``banso:`` line on stderr; returns it."""
        done = self(*args, user=user, now=now)
        assert done.code == code, f"banso {' '.join(args)} → {done}"
        return one_error_line(done)


def untrusted(err: str) -> str:
    """stderr without the line trust mode prints on every command (tests run in it),
    in English or in Japanese (the language the command spoke)."""
    for notice in (TRUST_NOTICE + "\n", in_japanese(TRUST_NOTICE) + "\n"):
        assert err.count(notice) <= 1, err
        err = err.replace(notice, "", 1)
    return err


def one_error_line(done: Run) -> str:
    """Nothing on stdout, exactly one line on stderr, no traceback."""
    assert done.out == "", done
    assert "Traceback" not in done.err, done.err
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(("banso: ", "エラー：")), done.err
    return lines[0]


class InProcessBanso(Banso):
    """The same ``banso`` entry point, called in this process (for fast integration tests).

    The environment is handed to ``main(argv, environ=...)``, so ``os.environ``
    is never touched; stdout and stderr are captured. The working directory is
    not changed either: ``--db``, ``BANSO_MAIL_URL`` and ``BANSO_DOCUMENTS_DIR``
    are absolute paths.
    """

    def env(self, user: str | None, now: str | None) -> dict[str, str]:
        env = super().env(user, now)
        # The default documents_dir (var/documents) is relative to the working
        # directory, which is the test process's here: name the folder the
        # command would use in ``cwd``, so generated files stay in the test's.
        env.setdefault("BANSO_DOCUMENTS_DIR", str(self.cwd / "var" / "documents"))
        return env

    def _run(self, argv: list[str], env: dict[str, str]) -> Run:
        from banso.admin.cli import main

        out, err = io.StringIO(), io.StringIO()
        code: int
        try:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    main(argv, environ=env)
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
        finally:
            # The command's engine is dropped with its click context: close its
            # connections now rather than whenever the collector comes round.
            gc.collect()
        return Run(code, out.getvalue(), untrusted(err.getvalue()))


def setup_programme(banso: Banso) -> None:
    """init --sample okayama; prefecture, lead, two consultants, a subcontractor's consultant."""
    banso.ok("init", "--sample", "okayama")
    banso.ok(
        "person",
        "add",
        "--name",
        "県 太郎",
        "--email",
        PREFECTURE,
        "--role",
        "prefecture",
        "--org",
        "330001",
        user=None,
    )
    banso.ok(
        "person",
        "add",
        "--name",
        "責任 者",
        "--email",
        LEAD,
        "--role",
        "lead",
        user=PREFECTURE,
    )
    for name, email, fields in (
        ("佐藤 花子", HANAKO, "標準化,BPR"),
        ("鈴木 次郎", JIRO, "生成AI,セキュリティ"),
    ):
        banso.ok(
            "person",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--role",
            "consultant",
            "--fields",
            fields,
            "--record",
            "自治体DX支援 5年",
            user=LEAD,
        )
    banso.ok("subcontractor", "add", "--name", SUBCONTRACTOR, "--scope", "標準化支援", user=LEAD)
    banso.ok(
        "person",
        "add",
        "--name",
        "外部 健",
        "--email",
        SUB_CONSULTANT,
        "--role",
        "consultant",
        "--company",
        SUBCONTRACTOR,
        user=LEAD,
    )


class ProgrammeTemplates:
    """`setup_programme` once per backend, then a copy of its database for every test.

    The set-up is the same seven `banso` commands each time; paying the
    interpreter start of each of them in every test would be much of the
    suite's time. SQLite copies the file (backup API); PostgreSQL recreates
    the test's (empty) database from a template database.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite: Path | None = None
        self.postgres: str | None = None  # the template database, once set up
        self.server: str | None = None
        self.made: list[str] = []  # template databases to drop at the end

    def fresh(
        self,
        db_url: str,
        cwd: Path,
        *,
        user: str | None = LEAD,
        in_process: bool = False,
        lang: str = "en",
    ) -> Banso:
        """A runner on ``db_url`` (an empty database) holding the set-up programme."""
        target = make_url(db_url)
        if target.get_backend_name() == "sqlite":
            source = sqlite3.connect(self._sqlite_template())
            copy = sqlite3.connect(str(target.database))
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            # The audit chain's key lives beside the database file, owner-only.
            key = Path(str(self._sqlite_template()) + ".audit-key")
            shutil.copy2(key, str(target.database) + ".audit-key")
        else:
            template = self._postgres_template(db_url)
            admin = self._admin(db_url)
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{target.database}" TEMPLATE "{template}"'))
            finally:
                admin.dispose()
            shutil.copy2(self.folder / "postgresql" / "banso-audit.key", cwd / "banso-audit.key")
        runner = InProcessBanso if in_process else Banso
        return runner(cwd, db_url, user=user, lang=lang)

    @staticmethod
    def _admin(db_url: str) -> Any:
        server = parse_url(db_url).set(database="postgres")
        return create_engine(server, isolation_level="AUTOCOMMIT")

    def _sqlite_template(self) -> Path:
        if self.sqlite is None:
            folder = self.folder / "sqlite"
            folder.mkdir(exist_ok=True)
            path = folder / "programme.db"
            path.unlink(missing_ok=True)
            # In-process: the seven commands are set-up, not the point, and the
            # subprocess start of each would be paid again in every worker.
            setup_programme(InProcessBanso(folder, f"sqlite:///{path}"))
            self.sqlite = path
        return self.sqlite

    def _postgres_template(self, db_url: str) -> str:
        if self.postgres is None:
            name = f"banso_tpl_{uuid.uuid4().hex[:12]}"
            admin = self._admin(db_url)
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                admin.dispose()
            self.server = db_url
            self.made.append(name)
            folder = self.folder / "postgresql"
            folder.mkdir(exist_ok=True)
            url = parse_url(db_url).set(database=name).render_as_string(hide_password=False)
            setup_programme(InProcessBanso(folder, url))
            self.postgres = name
        return self.postgres

    def close(self) -> None:
        """Drop the PostgreSQL template databases made."""
        if self.server is None or not self.made:
            return
        admin = self._admin(self.server)
        try:
            with admin.connect() as conn:
                for name in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
        self.made.clear()
        self.postgres = None


_SHARED: ProgrammeTemplates | None = None


def programme_templates() -> ProgrammeTemplates:
    """The templates of this test process (made on first use, removed at exit)."""
    global _SHARED
    if _SHARED is None:
        folder = Path(tempfile.mkdtemp(prefix="banso-programme-"))
        _SHARED = ProgrammeTemplates(folder)
        atexit.register(shutil.rmtree, folder, True)
        atexit.register(_SHARED.close)
    return _SHARED


# -- seeding with SQL, where the point is not the command itself -------------


def _at(when: str) -> datetime:
    return parse_datetime(when)


def seed_engagements(
    url: str,
    theme_code: str,
    org_codes: Sequence[str],
    *,
    consultant: str = HANAKO,
    state: str = "in_support",
) -> list[int]:
    """Engagements (one per organisation, on ``theme_code``) inserted straight in ``state``."""
    engine = make_engine(url, must_exist=True)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    try:
        with Session(engine) as session, session.begin():
            theme = session.scalars(select(Theme).where(Theme.code == theme_code)).one()
            person = session.scalars(select(Person).where(Person.email == consultant)).one()
            rows = []
            for code in org_codes:
                org = session.scalars(select(Organisation).where(Organisation.code == code)).one()
                row = Engagement(
                    org_id=org.id,
                    theme_id=theme.id,
                    consultant_id=person.id,
                    agreed_consultant_id=person.id,  # agreed with the prefecture (§6(2)①)
                    state=state,
                    version=5,
                    created_at=now,
                    updated_at=now,
                    request="seeded",
                    findings="seeded",
                    goals="seeded",
                )
                session.add(row)
                rows.append(row)
            session.flush()
            return [r.id for r in rows]
    finally:
        engine.dispose()


def seed_dispatches(
    url: str,
    engagement_ids: Sequence[int],
    states: Iterable[str],
    *,
    standardization: bool,
    months: Sequence[str] = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"),
    consultant: str = HANAKO,
) -> list[int]:
    """One dispatch row per state in ``states``, spread over the engagements and months."""
    engine = make_engine(url, must_exist=True)
    try:
        with Session(engine) as session, session.begin():
            person = session.scalars(select(Person).where(Person.email == consultant)).one()
            rows = []
            for n, state in enumerate(states):
                month = months[n % len(months)]
                at = _at(f"{month}-{1 + n % 27:02d}T10:00")
                rows.append(
                    Dispatch(
                        engagement_id=engagement_ids[n % len(engagement_ids)],
                        consultant_id=person.id,
                        at=at,
                        mode="web" if n % 2 else "onsite",
                        month=month,
                        fiscal_year=fiscal_year(tokyo_date(at)),
                        standardization=standardization,
                        state=state,
                        version={"planned": 0, "confirmed": 1, "held": 2}.get(state, 1),
                        created_at=at,
                        updated_at=at,
                        summary="seeded" if state == "held" else None,
                    )
                )
            session.add_all(rows)
            session.flush()
            return [r.id for r in rows]
    finally:
        engine.dispose()


def dispatch_count(
    url: str,
    *,
    fy: int = 2026,
    states: Sequence[str] = COUNTED,
    standardization: bool | None = None,
) -> int:
    """Dispatches of fiscal year ``fy`` in ``states`` (by default: those using a slot)."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            stmt = (
                select(func.count())
                .select_from(Dispatch)
                .where(Dispatch.fiscal_year == fy, Dispatch.state.in_(states))
            )
            if standardization is not None:
                stmt = stmt.where(Dispatch.standardization.is_(standardization))
            return int(conn.scalar(stmt) or 0)
    finally:
        engine.dispose()


def dump_database(url: str) -> list[Any]:
    """Every row of every table, in a stable order: SQLite's own dump, or for
    PostgreSQL each table's rows ordered by primary key."""
    engine = make_engine(url, must_exist=True)
    try:
        path = sqlite_path(engine.url)
        if path is not None:
            engine.dispose()
            lite = sqlite3.connect(path)
            try:
                return list(lite.iterdump())
            finally:
                lite.close()
        dump: list[Any] = []
        with engine.connect().execution_options(**READONLY) as conn:
            insp = inspect(conn, raiseerr=True)
            for name in sorted(insp.get_table_names()):
                columns = [c["name"] for c in insp.get_columns(name)]
                keys = insp.get_pk_constraint(name).get("constrained_columns") or columns
                order = ", ".join(f'"{k}"' for k in keys)
                rows = conn.execute(text(f'SELECT * FROM "{name}" ORDER BY {order}')).all()
                dump.append((name, columns, [tuple(r) for r in rows]))
        return dump
    finally:
        engine.dispose()
