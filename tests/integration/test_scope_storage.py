"""Identity, scoping and the keyed audit chain on both backends, through `banso`.

The tampering tests edit the database as an intruder would (with SQL, around
Banso) and expect `banso audit verify` to find it; the row-level-security test
connects to PostgreSQL as a consultant's own role and reads with raw SQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from banso.engine.audit import event_hash
from banso.services.identity import TRUST_NOTICE
from banso.storage.db import parse_url
from banso.storage.models import AuditEventRow, AuditHead, ProgrammeSetting
from tests.support.programme import (
    BANSO,
    HANAKO,
    JIRO,
    LEAD,
    PREFECTURE,
    Banso,
    InProcessBanso,
    programme_templates,
    seed_dispatches,
)


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(db_url, tmp_path, in_process=True)


def _two_engagements(banso: Banso) -> tuple[int, int]:
    """岡山市 × genai with HANAKO, 倉敷市 × security with JIRO (hearings scheduled)."""
    ids = []
    for org, theme, who in (("331007", "genai", HANAKO), ("332020", "security", JIRO)):
        eid = banso.json("engagement", "new", "--org", org, "--theme", theme)["id"]
        banso.ok("engagement", "propose-expert", str(eid), "--consultant", who)
        banso.ok("engagement", "agree-expert", str(eid), user=PREFECTURE)
        banso.ok(
            "engagement", "schedule-hearing", str(eid), "--at", "2026-04-20T10:00",
            "--consultant", who,
        )  # fmt: skip
        ids.append(int(eid))
    return ids[0], ids[1]


def _sql(banso: Banso, statement: str, **params: object) -> None:
    engine = create_engine(parse_url(banso.url))
    try:
        with engine.begin() as conn:
            assert conn.execute(text(statement), params).rowcount >= 1, statement
    finally:
        engine.dispose()


def _key_file(banso: Banso) -> Path:
    url = parse_url(banso.url)
    if url.get_backend_name() == "sqlite":
        return Path(str(url.database) + ".audit-key")
    return banso.cwd / "banso-audit.key"


def _rehash(banso: Banso, key: bytes | None) -> None:
    """Recompute every hash after an edit, as an intruder would (with or without the key)."""
    engine = create_engine(parse_url(banso.url))
    try:
        with Session(engine) as session:
            marker = session.execute(
                text("SELECT value FROM programme_settings WHERE key = 'audit_key'")
            ).scalar_one()
            keyed_from = (json.loads(marker) if isinstance(marker, str) else marker)["from_seq"]
            prev = "0" * 64
            for row in session.query(AuditEventRow).order_by(AuditEventRow.seq):
                row.prev_hash = prev
                row.hash = event_hash(row, row.seq, prev, key if row.seq >= keyed_from else None)  # type: ignore[arg-type]
                prev = row.hash
            head = session.get(AuditHead, 1)
            assert head is not None
            head.hash = prev
            session.commit()
    finally:
        engine.dispose()


def _broken(banso: Banso, *args: str) -> str:
    return banso.refused("audit", "verify", *args)


def test_verify_finds_each_kind_of_tampering(banso: Banso) -> None:
    _two_engagements(banso)
    assert "intact" in banso.ok("audit", "verify").out
    anchor = banso.json("audit", "anchor")
    assert anchor["count"] >= 4 and len(anchor["head"]) == 64
    assert "intact" in banso.ok("audit", "verify", "--anchor", anchor["anchor"]).out

    # An edited event: its content no longer matches its HMAC.
    _sql(banso, "UPDATE audit_events SET actor = :who WHERE seq = :seq",
         who=PREFECTURE, seq=anchor["count"])  # fmt: skip
    assert "edited" in _broken(banso)
    # Re-hashed without the key: still wrong (the chain is an HMAC).
    _rehash(banso, None)
    assert "edited" in _broken(banso)
    # Re-hashed with the key (an intruder who has it): the anchor kept outside says so.
    _rehash(banso, bytes.fromhex(_key_file(banso).read_text().strip()))
    assert "intact" in banso.ok("audit", "verify").out
    assert "re-hashed" in _broken(banso, "--anchor", anchor["anchor"])


def test_verify_finds_a_deleted_event(banso: Banso) -> None:
    _two_engagements(banso)
    _sql(banso, "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)")
    assert "deleted" in _broken(banso)


def test_verify_finds_a_record_or_a_quota_edited_by_hand(banso: Banso) -> None:
    mine, _ = _two_engagements(banso)
    _sql(banso, "UPDATE engagements SET state = 'in_support' WHERE id = :id", id=mine)
    assert f"engagement {mine} is in_support" in _broken(banso)
    _sql(banso, "UPDATE engagements SET state = 'hearing' WHERE id = :id", id=mine)
    assert "intact" in banso.ok("audit", "verify").out
    _sql(banso, "UPDATE engagements SET version = version + 7 WHERE id = :id", id=mine)
    assert "edited by hand" in _broken(banso)
    _sql(banso, "UPDATE engagements SET version = version - 7 WHERE id = :id", id=mine)
    engine = create_engine(parse_url(banso.url))
    try:
        with Session(engine) as session:
            row = session.get(ProgrammeSetting, "quota")
            assert row is not None
            row.value = {**row.value, "total": 999}
            session.commit()
    finally:
        engine.dispose()
    assert "quota" in _broken(banso)


def test_a_consultant_neither_acts_nor_reads_as_anyone_else(banso: Banso, tmp_path: Path) -> None:
    """In the default mode the OS account is the identity: --as may only name its person."""
    mine, theirs = _two_engagements(banso)
    account = _os_account()
    _sql(
        banso, "INSERT INTO logins (login, person_id) SELECT :a, id FROM people WHERE email = :e",
        a=account, e=HANAKO,
    )  # fmt: skip
    me = InProcessBanso(banso.cwd, banso.url)
    me.identity = "os"  # the SQLite default; on PostgreSQL chosen by the setting
    # No --as needed; --as naming somebody else is refused before anything is read.
    assert [e["id"] for e in me.json("engagement", "list", user=None)] == [mine]
    for who in (LEAD, PREFECTURE, JIRO):
        line = me.refused("engagement", "list", user=who)
        assert "may only name yourself" in line
    assert "no person" in me.refused("engagement", "list", user="x@example.jp", code=2)
    # The table of who may do what, from workflows/permissions.py.
    table = me.ok("permissions", user=None).out
    assert "engagement show" in table and "担当分のみ" in table
    # Trust mode believes --as, and says so on stderr on every command.
    trusted = subprocess.run(
        [BANSO, "--db", banso.url, "engagement", "list"], env=banso.env(LEAD, None),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert trusted.stderr.splitlines() == [TRUST_NOTICE]
    # Another consultant's engagement is, to her, an id that does not exist.
    for args in (
        ("engagement", "show", str(theirs)),
        ("history", "engagement", str(theirs)),
        ("engagement", "record-hearing", str(theirs), "--findings", "x"),
        ("dispatch", "plan", str(theirs), "--at", "2026-06-03T13:30", "--mode", "onsite"),
    ):
        line = me.refused(*args, user=None, code=2)
        assert "倉敷市" not in line and JIRO not in line, line
    # Commands that are not hers at all are refused before any rule or file is looked at.
    others: list[tuple[str, ...]] = [
        ("survey", "import", "missing.csv"), ("person", "list"), ("outbox", "list"),
        ("engagement", "new", "--org", "331007", "--theme", "genai"),
    ]  # fmt: skip
    for other in others:
        line = me.refused(*other, user=None)
        assert HANAKO in line and "genai" not in line and "missing.csv" not in line, line


def _os_account() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


@pytest.fixture
def consultant_role(banso: Banso) -> Iterator[str]:
    """A PostgreSQL login role for HANAKO (unique name, dropped afterwards)."""
    url = parse_url(banso.url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    role = f"banso_c_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(
                text(f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{role}"')
            )
            # As docs/operations.md tells the administrator to grant.
            conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
            conn.execute(
                text(
                    "INSERT INTO logins (login, person_id) "
                    "SELECT :r, id FROM people WHERE email = :e"
                ),
                {"r": role, "e": HANAKO},
            )
        yield role
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_raw_sql_as_a_consultants_role_sees_only_her_rows(
    banso: Banso, consultant_role: str
) -> None:
    mine, _ = _two_engagements(banso)
    url = parse_url(banso.url).set(username=consultant_role, password=None)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            seen = conn.execute(text("SELECT id FROM engagements ORDER BY id")).scalars().all()
            assert seen == [mine]
            kinds = conn.execute(
                text("SELECT DISTINCT kind, record_id FROM audit_events WHERE kind = 'engagement'")
            ).all()
            assert {r[1] for r in kinds} == {mine}
            # She cannot make herself a lead, nor bind her role to the lead.
            done = conn.execute(
                text("UPDATE people SET role = 'lead' WHERE email = :e"), {"e": HANAKO}
            )
            assert done.rowcount == 0
            conn.rollback()
            with pytest.raises(Exception, match="row-level security"):
                conn.execute(
                    text("INSERT INTO logins (login, person_id) "
                         "SELECT 'x', id FROM people WHERE email = :e"),
                    {"e": LEAD},
                )  # fmt: skip
            conn.rollback()
        # The same through `banso` in its PostgreSQL default, database mode.
        me = InProcessBanso(banso.cwd, url.render_as_string(hide_password=False))
        me.identity = "database"
        assert [e["id"] for e in me.json("engagement", "list", user=None)] == [mine]
    finally:
        engine.dispose()


def test_her_role_sees_only_her_dispatches_deadlines_and_mail_and_reads_settings(
    banso: Banso, consultant_role: str
) -> None:
    """Dispatches, deadlines, the outbox and the settings (migration 0011) as her role;
    the quotas still count every dispatch; a role bound to nobody sees none of it."""
    mine, theirs = _two_engagements(banso)
    seed_dispatches(banso.url, [mine], ["planned"], standardization=False, consultant=HANAKO)
    seed_dispatches(banso.url, [theirs], ["planned"], standardization=False, consultant=JIRO)
    url = parse_url(banso.url).set(username=consultant_role, password=None)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def rows(sql: str) -> list[Any]:
                return list(conn.execute(text(sql)).all())

            assert [r[0] for r in rows("SELECT engagement_id FROM dispatches")] == [mine]
            # The counts behind the quotas: every dispatch, no person or summary.
            assert rows("SELECT count(*) FROM dispatch_slots") == [(2,)]
            with pytest.raises(Exception, match="consultant_id"):
                conn.execute(text("SELECT consultant_id FROM dispatch_slots"))
            conn.rollback()
            about = rows("SELECT DISTINCT about_kind, about_id FROM deadlines "
                         "WHERE about_kind = 'engagement'")  # fmt: skip
            assert about == [("engagement", mine)], about
            mail = {r[0] for r in rows(
                "SELECT about_id FROM outbox WHERE about_kind = 'engagement'"
            )}  # fmt: skip
            assert mail == {mine}, mail
            assert rows("SELECT count(*) FROM outbox WHERE about_kind IS NULL") == [(0,)]
            # She reads the contract and the quotas, and cannot change them.
            keys = {r[0] for r in rows("SELECT key FROM programme_settings")}
            assert {"contract", "quota"} <= keys
            with pytest.raises(Exception, match="row-level security"):
                conn.execute(text(
                    "UPDATE programme_settings SET value = value WHERE key = 'quota'"
                ))  # fmt: skip
            conn.rollback()
        # The owner sees both engagements' deadlines and mail: the policies narrowed them.
        owner = create_engine(parse_url(banso.url))
        try:
            with owner.connect() as conn:
                seen = conn.execute(
                    text("SELECT DISTINCT about_id FROM outbox WHERE about_kind = 'engagement'")
                ).scalars().all()
                assert set(seen) == {mine, theirs}
        finally:
            owner.dispose()
        # Through `banso` in database mode she plans a dispatch on her engagement in
        # support: the quota row is locked, counted through the view, the deadline and
        # the invitations written under her role.
        banso.ok("engagement", "record-hearing", str(mine), "--findings", "課題", user=HANAKO)
        banso.ok("engagement", "draft-plan", str(mine), "--goals", "目標",
                 "--planned-dispatches", "4", user=HANAKO)  # fmt: skip
        banso.ok("engagement", "approve-plan", str(mine), user=PREFECTURE)
        banso.ok("engagement", "start", str(mine))
        me = InProcessBanso(banso.cwd, url.render_as_string(hide_password=False))
        me.identity = "database"
        planned = me.json("dispatch", "plan", str(mine), "--at", "2026-06-03T13:30",
                          "--mode", "web", user=None)  # fmt: skip
        assert planned["state"] == "planned"
        assert [d["engagement_id"] for d in me.json("dispatch", "list", user=None)] == [mine, mine]
        line = me.refused("dispatch", "plan", str(theirs), "--at", "2026-06-04T13:30",
                          "--mode", "web", user=None, code=2)  # fmt: skip
        assert JIRO not in line
        # The year's last slot is taken by JIRO's dispatch, which her role cannot see:
        # the quota still counts it (through the view) and refuses her next one.
        banso.ok("budget", "set", "--total", "3", "--standardization", "0", user=PREFECTURE)
        line = me.refused("dispatch", "plan", str(mine), "--at", "2026-07-01T13:30",
                          "--mode", "web", user=None)  # fmt: skip
        assert "fiscal-year quota: 3 of 3 dispatches used" in line, line
    finally:
        engine.dispose()


@pytest.fixture
def nobodys_role(banso: Banso) -> Iterator[str]:
    """A PostgreSQL login role bound to nobody (a municipal contact's, say)."""
    url = parse_url(banso.url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    role = f"banso_n_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
        yield role
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_a_role_bound_to_nobody_reads_no_organisations_rows(
    banso: Banso, nobodys_role: str
) -> None:
    mine, theirs = _two_engagements(banso)
    seed_dispatches(banso.url, [mine, theirs], ["planned", "planned"], standardization=False)
    engine = create_engine(parse_url(banso.url).set(username=nobodys_role, password=None))
    try:
        with engine.connect() as conn:
            for table in ("engagements", "dispatches", "consultations", "deadlines", "outbox",
                          "programme_settings", "work_entries"):  # fmt: skip
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    finally:
        engine.dispose()
