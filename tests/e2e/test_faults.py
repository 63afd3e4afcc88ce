"""Bad input refused at the door, the invariants held by the database, backups,
the demo's own folder and the settings file's trust — each walked once through
`banso` (in-process), on SQLite and PostgreSQL where the database matters.

The long, generated runs are the slow suite (tests/integration/test_fault_suite.py).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.support.programme import (
    HANAKO,
    LEAD,
    Banso,
    InProcessBanso,
    dump_database,
    one_error_line,
    programme_templates,
)


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)


BAD = [
    (
        ("org", "add", "--code", "331999", "--name", "新市\r\nBcc: evil@x.jp", "--kind", "city"),
        "--name",
    ),
    (("org", "add", "--code", " 331007", "--name", "岡山市", "--kind", "city"), "--code"),
    (("org", "add", "--code", "331999", "--name", "x" * 201, "--kind", "city"), "--name"),
    (
        ("person", "add", "--name", "山田", "--email", "a..b@x.jp", "--role", "consultant"),
        "--email",
    ),
    (
        ("person", "add", "--name", "山田", "--email", "x<e@x.jp>", "--role", "consultant"),
        "--email",
    ),
    (("person", "add", "--name", "山田", "--email", "y@x.jp\n", "--role", "consultant"), "--email"),
    (("engagement", "show", str(2**63)), "ID"),
    (("engagement", "show", str(2**31)), "ID"),
    (("engagement", "new", "--org", "\udcff\udcfe", "--theme", "genai"), "--org"),
    (("meeting", "schedule", "monthly", "--at", "9999-12-31T10:00"), "--at"),
    (("meeting", "schedule", "monthly", "--at", "0001-01-01T10:00"), "--at"),
    (
        ("meeting", "schedule", "monthly", "--at", "2026-06-10T10:00", "--url", "https://x.jp/\n"),
        "--url",
    ),
    (("dispatch", "record", "1", "--summary", "x", "--hours", "nan"), "--hours"),
    # Within 2000–2099 but outside the contract's years (FY2026, a year either side).
    (("meeting", "schedule", "monthly", "--at", "2031-05-20T14:00"), "--at"),
]


# Each value is refused at the door, before any database is opened: on SQLite,
# which would store most of them, a missing check shows. The IDs also run on
# PostgreSQL, whose integer columns are narrower (2**31 overflows there only).
CASES = [
    pytest.param(args, field, backend, id=f"{backend}-{field}-{i}")
    for i, (args, field) in enumerate(BAD)
    for backend in (("sqlite", "postgresql") if field == "ID" else ("sqlite",))
]


@pytest.mark.parametrize(("args", "field", "backend"), CASES)
def test_bad_values_are_one_line_naming_the_field_and_change_nothing(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    args: tuple[str, ...],
    field: str,
    backend: str,
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'banso.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    banso = programme_templates().fresh(url, tmp_path, user=LEAD, in_process=True)
    before = dump_database(banso.url)
    line = banso.refused(*args, code=2)
    assert line.startswith(f"banso: {field}:"), line
    assert "evil@x.jp" not in line or "\\r\\n" in line
    assert dump_database(banso.url) == before


def test_a_date_outside_the_programme_is_one_japanese_line(
    sqlite_url: str, tmp_path: Path
) -> None:
    banso = programme_templates().fresh(sqlite_url, tmp_path, user=LEAD, in_process=True,
                                        lang="ja")  # fmt: skip
    before = dump_database(banso.url)
    line = banso.refused("meeting", "schedule", "monthly", "--at", "2031-05-20T14:00", code=2)
    assert line == (
        "エラー：--at：「2031-05-20 14:00」は事業の期間外です。"
        "令和7年4月1日から令和10年3月31日までの日付を指定してください（契約の年度の前後1年まで）。"
    ), line
    assert dump_database(banso.url) == before


def test_a_usage_error_is_one_line_too(sqlite_url: str, tmp_path: Path) -> None:
    # SQLite only: the command line is refused before a database is opened.
    banso = programme_templates().fresh(sqlite_url, tmp_path, user=LEAD, in_process=True)
    line = banso.refused("engagement", "show", "x", code=2)
    assert "engagement show" in line and "--help" in line


def test_an_address_differing_only_in_case_is_refused_by_the_database(banso: Banso) -> None:
    line = banso.refused(
        "person", "add", "--name", "佐藤 花子", "--email", HANAKO.upper(), "--role", "consultant"
    )
    assert "already exists" in line


def test_a_second_open_engagement_for_the_same_pair_is_refused(banso: Banso) -> None:
    banso.ok("engagement", "new", "--org", "332038", "--theme", "genai")
    before = dump_database(banso.url)
    banso.refused("engagement", "new", "--org", "332038", "--theme", "genai")
    assert dump_database(banso.url) == before


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'banso.db'}"
    banso = programme_templates().fresh(url, tmp_path, user=LEAD, in_process=True)
    banso.ok("engagement", "new", "--org", "332038", "--theme", "genai")
    copy = tmp_path / "backup.db"
    assert "backed up" in banso.ok("backup", str(copy)).out
    banso.refused("backup", str(copy))  # never overwrites
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    again = InProcessBanso(tmp_path, restored, user=LEAD)
    again.ok("restore", str(copy))
    assert dump_database(restored) == dump_database(url)
    assert "not empty" in again.refused("restore", str(copy))
    # The chain's key is kept outside the database: it goes beside the restored file.
    shutil.copy2(tmp_path / "banso.db.audit-key", tmp_path / "restored.db.audit-key")
    again.ok("audit", "verify")


def test_backup_on_postgresql_names_pg_dump(tmp_path: Path) -> None:
    banso = InProcessBanso(tmp_path, "postgresql://banso:s3cret@127.0.0.1:1/banso")
    line = banso.refused("backup", str(tmp_path / "x.db"))
    assert "pg_dump" in line and "s3cret" not in line


def test_demo_leaves_a_database_it_did_not_create(tmp_path: Path) -> None:
    db = tmp_path / "banso.db"
    lite = sqlite3.connect(db)
    lite.execute("CREATE TABLE precious (x)")
    lite.commit()
    lite.close()
    done = InProcessBanso(tmp_path, f"sqlite:///{db}")("demo", "--dir", str(tmp_path))
    assert done.code == 1 and "--force" in one_error_line(done)
    lite = sqlite3.connect(db)
    assert lite.execute("SELECT name FROM sqlite_master").fetchall() == [("precious",)]
    lite.close()


def test_a_settings_file_others_may_write_is_not_read(tmp_path: Path) -> None:
    config = tmp_path / "banso.toml"
    config.write_text('templates_dir = "."\n', encoding="utf-8")
    os.chmod(config, 0o666)
    banso = InProcessBanso(tmp_path, f"sqlite:///{tmp_path / 'banso.db'}")
    line = banso.refused("--config", str(config), "org", "list", code=2)
    assert "not trusted" in line and "chmod go-w" in line


def test_passwords_never_reach_a_message(tmp_path: Path) -> None:
    banso = InProcessBanso(tmp_path, "postgresql://banso:s3cret@db example.jp:x/banso")
    line = banso.refused("org", "list", code=2)
    assert "s3cret" not in line and "***" in line
