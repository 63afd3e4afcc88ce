"""The fault and bad-input suite (slow): what a careless or hostile user types,
what a hand-edited database holds, what a mail server down for days does.

* Bad input: hypothesis generates ≥ 1,000 invocations over every command and
  every option and argument (the click tree, walked), each with one value no
  rule of its kind accepts (a control character, undecodable bytes, a line
  break in a one-line value, an id past 2³¹−1, a date outside the programme's
  years, a non-finite number, an over-long text). Every one is exit 2 with one
  ``banso:`` line and no traceback, and the database file is byte-identical
  afterwards. Then malformed surveys (.csv rows with one bad cell, random bytes
  as .xlsx, a zip bomb) the same way; then the daemon runs green.
* Poison: a deadline whose title was given a forged ``Bcc:`` line by raw SQL
  is set aside (the lead told once) and every other reminder of the day is
  delivered.
* Mail server down for three simulated days, the daemon trying five times a
  day: nothing dead; once the server is back every message is delivered once,
  in the order it came due.

Runs commands in-process (``banso.admin.cli.main(argv, environ=…)``). Each test
prints its figures; the module prints one summary line at the end.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from banso.engine.calendar import BusinessCalendar, DueDate
from banso.engine.clock import TOKYO
from banso.storage.db import READONLY, make_engine
from banso.storage.deadlines import SqlDeadlines
from banso.storage.models import OutboxRow
from banso.workflows.mailing import MailSettings, public_message_id
from banso.workflows.programme import LEAD as LEAD_ROLE
from banso.workflows.validation import MAX_ID, MAX_TEXT
from tests.support import tally
from tests.support.programme import (
    HANAKO,
    JIRO,
    LEAD,
    Banso,
    InProcessBanso,
    Run,
    dump_database,
    programme_templates,
    untrusted,
)
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.slow

FIGURES: Counter[str] = Counter()
CAL = BusinessCalendar()
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)  # a Monday: reminders go out

# Characters no rule of any kind lets in (free text keeps only \n, \r and \t).
FORBIDDEN = [
    "\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x0b", "\x0c",
    "\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\udcff", "\udc80", "\udcfe",
]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    print(
        f"\nfault suite: {FIGURES['commands']} commands tried, "
        f"{FIGURES['faults']} faults injected, messages expected {FIGURES['expected']} / "
        f"delivered {FIGURES['delivered']} / duplicated {FIGURES['duplicated']}, "
        f"{FIGURES['records']} records checked"
    )


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for part in (path, Path(f"{path}-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return digest.hexdigest()


def stamp(path: Path) -> list[tuple[int, int]]:
    parts = (path, Path(f"{path}-wal"))
    return [(p.stat().st_size, p.stat().st_mtime_ns) for p in parts if p.exists()]


def quick(banso: Banso, argv: list[str]) -> Run:
    """``main`` in this process, without the runner's garbage collection: a
    refused value never opens the database, so there is no engine to close."""
    from banso.admin.cli import main

    out, err = io.StringIO(), io.StringIO()
    env = banso.env(LEAD, banso.now)
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["--db", banso.url, *argv], environ=env)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


# -- the command tree ---------------------------------------------------------------


def leaves() -> list[tuple[tuple[str, ...], click.Command]]:
    from banso.admin.cli import cli
    from banso.admin.door import guard

    ctx = click.Context(cli)
    found: list[tuple[tuple[str, ...], click.Command]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, (*path, name))
        else:
            found.append((path, guard(command)))

    walk(cli, ())
    return found


def takes_value(param: click.Parameter) -> bool:
    return not (isinstance(param, click.Option) and (param.is_flag or param.name == "help"))


def bad_value(draw: st.DrawFn, param: click.Parameter) -> str:
    kind = param.type
    inner = getattr(kind, "inner", kind)
    name = param.name or ""
    if isinstance(inner, click.types.IntParamType):
        return str(draw(st.one_of(st.integers(min_value=MAX_ID + 1), st.integers(max_value=-1))))
    if isinstance(inner, click.types.FloatParamType):
        return draw(st.sampled_from(["nan", "inf", "-inf", "1e309", "-1", "0", "86401"]))
    dated = ("at_text", "from_text", "to_text", "contract_start", "contract_end", "kickoff")
    if name in dated and draw(st.booleans()):
        day = draw(
            st.one_of(st.dates(max_value=date(1999, 12, 31)), st.dates(min_value=date(2100, 1, 1)))
        )
        return day.isoformat() + ("T10:00" if name == "at_text" else "")
    if draw(st.integers(0, 9)) == 0:
        return "x" * (MAX_TEXT + 1 + draw(st.integers(0, 100)))
    head = draw(st.text(max_size=12))
    tail = draw(st.text(max_size=12))
    return head + draw(st.sampled_from(FORBIDDEN)) + tail


def filler(param: click.Parameter) -> str:
    """A harmless value for an argument before the one under test."""
    inner = getattr(param.type, "inner", param.type)
    if isinstance(inner, click.Choice):
        return str(inner.choices[0])
    if isinstance(inner, click.types.IntParamType):
        return "1"
    return "engagement" if param.name == "kind" else "x"


@st.composite
def invocations(draw: st.DrawFn, tree: list[tuple[tuple[str, ...], click.Command]]) -> list[str]:
    from banso.admin.cli import cli
    from banso.admin.door import guard

    guard(cli)
    path, command = draw(st.sampled_from(tree))
    own = [p for p in command.params if takes_value(p)]
    root = [p for p in cli.params if takes_value(p) and p.name != "version"]
    on_root = not own or draw(st.integers(0, 7)) == 0
    param = draw(st.sampled_from(root if on_root else own))
    value = bad_value(draw, param)
    if isinstance(param, click.Option):
        flag = draw(st.sampled_from([o for o in param.opts if o.startswith("--")] or param.opts))
        given_ = [flag, value]
    else:
        given_ = []
        for arg in command.params:
            if isinstance(arg, click.Argument):
                if arg is param:
                    given_.append(value)
                    break
                given_.append(filler(arg))
    if on_root:
        return [*given_, *path]
    return [*path, *given_]


def test_generated_bad_input_is_one_line_exit_2_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    banso = programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)
    banso.ok("engagement", "new", "--org", "332038", "--theme", "genai")
    # SQLite: the file byte for byte (and its size and time every case); PostgreSQL:
    # every row of every table, compared every 100 cases and at the end.
    lite = db_url.startswith("sqlite")
    db = tmp_path / "banso.db"

    def unchanged() -> object:
        return fingerprint(db) if lite else dump_database(db_url)

    before, stamped = unchanged(), stamp(db) if lite else None
    tree = leaves()
    assert len(tree) > 40, [p for p, _ in tree]
    tried: Counter[str] = Counter()

    @settings(
        max_examples=1_100,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(invocations(tree))
    def case(argv: list[str]) -> None:
        done = quick(banso, argv)
        tried[" ".join(a for a in argv if a.isidentifier() or "-" in a[:1])[:30]] += 1
        FIGURES["commands"] += 1
        FIGURES["faults"] += 1
        shown = f"banso {argv!r} → {done}"
        assert done.code == 2, shown
        assert "Traceback" not in done.err, shown
        lines = untrusted(done.err).splitlines()  # trust mode says so on every command
        assert len(lines) == 1 and lines[0].startswith(("banso: ", "エラー：")), shown
        assert done.out == "", shown
        # Byte for byte every 100 cases (and at the end); size and time every case.
        if lite:
            assert stamp(db) == stamped, shown
        if FIGURES["commands"] % 100 == 0:
            assert unchanged() == before, shown

    case()
    assert sum(tried.values()) >= 1_000
    assert unchanged() == before
    tally.count("faults", sum(tried.values()))
    # The daemon runs green afterwards: no bad value reached it.
    daemon = banso("daemon", "--once", now="2026-04-20T09:30+09:00")
    assert daemon.code == 0 and "Traceback" not in daemon.err, daemon
    print(f"\nbad input: {sum(tried.values())} invocations over {len(tree)} commands")


# -- malformed surveys -------------------------------------------------------------

HEADER = ["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"]
GOOD = [
    "玉野市",
    "genai",
    "生成AIの試行導入",
    "山本 一郎",
    "yamamoto@city.tamano.example.jp",
    "8月",
]


def sample_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(GOOD)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 120_000_000 + b">")
    return out.getvalue()


def test_malformed_surveys_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'banso.db'}"
    banso = programme_templates().fresh(url, tmp_path, user=LEAD, in_process=True)
    db = tmp_path / "banso.db"
    banso.ok("org", "list")  # the first open turns the copy to WAL mode: then it stays
    before = fingerprint(db)
    good_xlsx = sample_xlsx()
    count = 0

    def refused(path: Path) -> None:
        nonlocal count
        done = banso("survey", "import", str(path))
        count += 1
        FIGURES["commands"] += 1
        FIGURES["faults"] += 1
        shown = f"{path.name} → {done}"
        assert done.code == 2 and "Traceback" not in done.err, shown
        assert len(done.err.splitlines()) == 1 and done.err.startswith(("banso: ", "エラー：")), (
            shown
        )
        assert fingerprint(db) == before, shown

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(
        column=st.integers(0, len(HEADER) - 1),
        head=st.text(max_size=8),
        poison=st.sampled_from(FORBIDDEN[:-3]),
        good_rows=st.integers(0, 3),
        encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
    )
    def bad_csv(column: int, head: str, poison: str, good_rows: int, encoding: str) -> None:
        row = list(GOOD)
        row[column] = head + poison + row[column]
        out = io.StringIO()
        csv.writer(out).writerows([HEADER, *([GOOD] * good_rows), row])
        path = tmp_path / "survey.csv"
        path.write_bytes(out.getvalue().encode(encoding, "surrogateescape"))
        refused(path)

    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(cut=st.integers(0, len(good_xlsx) - 1), noise=st.binary(max_size=64))
    def bad_xlsx(cut: int, noise: bytes) -> None:
        data = good_xlsx[:cut] + noise
        # Truncated: its central directory gone (a zip with bytes appended is still a zip).
        assume(not zipfile.is_zipfile(io.BytesIO(data)))
        path = tmp_path / "survey.xlsx"
        path.write_bytes(data)
        refused(path)

    bad_csv()
    bad_xlsx()
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb())
    refused(bomb)
    # A well-formed zip that is no workbook.
    empty = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("hello.txt", "こんにちは")
    refused(empty)
    daemon = banso("daemon", "--once", now="2026-04-20T09:30+09:00")
    assert daemon.code == 0, daemon
    tally.count("surveys", count)
    print(f"\nmalformed surveys: {count} refused")


# -- poison and a mail server down ------------------------------------------------


def open_deadlines(url: str, specs: list[tuple[str, str, date, datetime]]) -> list[int]:
    """Deadlines (title, responsible, due, first fire) as transitions open them."""
    engine = make_engine(url, must_exist=True)
    try:
        with Session(engine) as session, session.begin():
            store = SqlDeadlines(session)
            return [
                store.open(
                    obligation="fault_suite",
                    title=title,
                    about_kind="fault",
                    about_id=n,
                    org_id=None,
                    due=DueDate(due, due, "試験用の期限"),
                    responsible=who,
                    first_step=0,
                    first_fire_at=fire_at.astimezone(UTC),
                    now=T0,
                )
                for n, (title, who, due, fire_at) in enumerate(specs, start=1)
            ]
    finally:
        engine.dispose()


def outbox(url: str) -> list[tuple[int, str, str, str, str]]:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(
                select(
                    OutboxRow.id, OutboxRow.key, OutboxRow.kind, OutboxRow.state,
                    OutboxRow.message_id,
                ).order_by(OutboxRow.id)
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    return [tuple(r) for r in rows]


def test_a_poisoned_record_is_set_aside_and_everyone_else_gets_their_mail(
    db_url: str, tmp_path: Path
) -> None:
    banso = programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)
    # The first morning of June drafts April's and May's reports: out of the way first.
    assert banso("daemon", "--once", now=T0.isoformat()).code == 0
    due = CAL.add_business_days(T0.date(), 5)
    owners = (LEAD_ROLE, HANAKO, JIRO)
    specs = [(f"提出物 第{n}号（団体{n}）の提出", owners[n % 3], due, T0) for n in range(12)]
    ids = open_deadlines(banso.url, specs)
    poisoned = ids[4]
    engine = make_engine(banso.url, must_exist=True)
    try:
        with engine.begin() as conn:  # by hand, as raw SQL would
            conn.execute(
                text("UPDATE deadlines SET title = :t WHERE id = :id"),
                # (PostgreSQL's text holds no NUL; the forged header line is poison enough.)
                {"t": "提出物\r\nBcc: evil@attacker.example\x07", "id": poisoned},
            )
    finally:
        engine.dispose()
    FIGURES["faults"] += 1
    first_box = {row[1] for row in outbox(banso.url)}
    at = T0 + timedelta(minutes=30)
    for _ in range(2):  # twice: the lead is told once
        done = banso("daemon", "--once", now=at.isoformat())
        FIGURES["commands"] += 1
        assert done.code == 0 and "Traceback" not in done.err, done
        at += timedelta(minutes=10)
    rows = [r for r in outbox(banso.url) if r[1] not in first_box]
    keys = Counter(r[1] for r in rows)
    reminders = {k for k in keys if k.startswith("deadline:")}
    expected = {f"deadline:{i}:0" for i in ids if i != poisoned}
    assert reminders == expected, sorted(reminders ^ expected)
    assert keys[f"set-aside:deadline:{poisoned}"] == 1
    assert all(count == 1 for count in keys.values()), keys
    assert {r[3] for r in rows} == {"sent"}, Counter(r[3] for r in rows)
    mail = (tmp_path / "mail").glob("*.eml")
    assert not any(b"\nBcc: evil" in p.read_bytes() for p in mail)
    FIGURES["expected"] += len(expected) + 1
    FIGURES["delivered"] += sum(1 for r in rows if r[1] in expected or r[2] == "set_aside")
    FIGURES["records"] += len(ids)
    tally.count("records", len(ids))


class SmtpBanso(InProcessBanso):
    def __init__(self, cwd: Path, url: str, mail_url: str) -> None:
        super().__init__(cwd, url, user=LEAD)
        self.mail_url = mail_url

    def env(self, user: str | None, now: str | None) -> dict[str, str]:
        return {**super().env(user, now), "BANSO_MAIL_URL": self.mail_url}


def test_mail_server_down_for_three_days_then_everything_once_in_due_order(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'banso.db'}"
    programme_templates().fresh(url, tmp_path, user=LEAD, in_process=True)
    server = SmtpServer()  # its port is chosen now; it listens from day 4
    banso = SmtpBanso(tmp_path, url, server.url)
    days = [T0.date()]
    while len(days) < 4:
        days.append(CAL.add_business_days(days[-1], 1))
    owners = (LEAD_ROLE, HANAKO, JIRO)
    # On each of the three days, reminders come due for deadlines five business days on.
    specs = []
    for d, day in enumerate(days[:3]):
        start = datetime(day.year, day.month, day.day, 9, tzinfo=TOKYO)
        due = CAL.add_business_days(day, 5)
        specs += [(f"提出物 {d}-{n} の提出", owners[n % 3], due, start) for n in range(10)]
    open_deadlines(url, specs)
    FIGURES["faults"] += 1
    for day in days[:3]:
        for hour in (9, 11, 13, 15, 17):  # five passes a day find the server down
            at = datetime(day.year, day.month, day.day, hour, 5, tzinfo=TOKYO)
            done = banso("daemon", "--once", now=at.isoformat())
            FIGURES["commands"] += 1
            assert done.code == 0 and "Traceback" not in done.err, done
    rows = outbox(url)
    assert rows and {r[3] for r in rows} == {"failed"}, Counter(r[3] for r in rows)
    server.start()
    try:
        at = datetime(days[3].year, days[3].month, days[3].day, 8, 0, tzinfo=TOKYO)
        for _ in range(10):
            done = banso("daemon", "--once", now=at.isoformat())
            FIGURES["commands"] += 1
            assert done.code == 0, done
            if all(r[3] == "sent" for r in outbox(url)):
                break
            at += timedelta(hours=1)
    finally:
        server.stop()
    rows = outbox(url)
    assert {r[3] for r in rows} == {"sent"}, Counter(r[3] for r in rows)
    received = [str(m.parsed()["Message-ID"]) for m in server.handler.received]
    counted = Counter(received)
    duplicated = sum(c - 1 for c in counted.values())
    # The mail carries the outbox's id under the default Message-ID domain.
    domain = MailSettings().message_id_domain
    by_id = {public_message_id(r[4], domain): r[0] for r in rows}
    backlog = [by_id[m] for m in received if m in by_id]
    assert duplicated == 0 and set(received) == set(by_id), (len(received), len(by_id))
    assert backlog == sorted(backlog), "the backlog went out in the order it came due"
    FIGURES["expected"] += len(rows)
    FIGURES["delivered"] += len(set(received))
    FIGURES["duplicated"] += duplicated
    FIGURES["records"] += len(specs)
    tally.count("soak", 3)
    tally.count("messages", len(set(received)))
    tally.count("records", len(specs))
    print(f"\nmail down 3 days: {len(rows)} messages, all delivered once, in order")
