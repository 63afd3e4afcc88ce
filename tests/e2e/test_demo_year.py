"""`banso demo` lives its year in a temporary folder; what it says is checked against
the database and the files it left.

The everyday suite runs the year's first month (to 2026-05-01: the survey, the
hearings, the first plans and dispatches, April's report drafted by the daemon);
the whole year, to 2027-03-31, is the slow test. Both check the same things:
every mail in mail/ parses and is one the outbox sent, every document opens and
is the file its version row names, the quotas hold (the monthly cap but where an
override was given, each plan's number, the year's total), each month's report
exists as a file, the audit chain verifies, the clock never went back, and the
summary's figures are the database's.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from banso.admin.bootstrap import Bootstrap
from banso.admin.settings import load_settings
from banso.engine.clock import tokyo_date
from banso.services import audit
from banso.services.context import Services
from banso.services.demo import months_of_year
from tests.support.programme import InProcessBanso, Run


def run_demo(folder: Path, until: str, *more: str) -> Run:
    banso = InProcessBanso(folder.parent, f"sqlite:///{folder / 'banso.db'}")
    done = banso("demo", "--dir", str(folder), "--until", until, *more)
    assert done.code == 0, done.err
    return done


def services_of(folder: Path) -> tuple[Bootstrap, Services]:
    settings = load_settings(
        environ={},
        database_url=f"sqlite:///{folder / 'banso.db'}",
        now="2027-04-01T09:00+09:00",
        mail_url=f"file://{folder / 'mail'}",
        documents_dir=folder / "documents",
    )
    boot = Bootstrap(settings)
    return boot, boot.services


def figure(out: str, pattern: str) -> int:
    found = re.search(pattern, out)
    assert found, f"{pattern!r} not in the summary:\n{out[-3000:]}"
    return int(found[1])


def check_year(folder: Path, out: str, until: date) -> dict[str, int]:
    boot, services = services_of(folder)
    try:
        with services.uow(readonly=True) as uow:
            engagements = uow.records.find("engagement")
            dispatches = uow.records.find("dispatch")
            deliverables = uow.records.find("deliverable")
            files = {d.id: uow.files.versions(d.id) for d in deliverables}
            events = list(uow.audit.all_events())
            quota = uow.settings.get("quota") or {}
            overridden = {
                e.record_id
                for e in events
                if e.kind == "dispatch" and e.from_state is None and e.payload.get("override")
            }
        sent = services.outbox_store().list(state="sent", limit=1_000_000)
        chain = audit.verify(services)
    finally:
        boot.close()

    # The audit chain verifies, and the clock never went back.
    assert chain.broken_seq is None, chain.reason
    times = [e.at for e in sorted(events, key=lambda e: e.seq)]
    assert times == sorted(times)
    assert tokyo_date(times[-1]) <= until

    # Every mail parses, and there is one file for each message the outbox sent.
    mails = sorted((folder / "mail").glob("*.eml"))
    assert len(mails) == len(sent) > 0
    for path in mails:
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(mail, EmailMessage)
        assert mail["Subject"] and mail["From"] and mail["To"] and mail["Message-ID"]
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None and body.get_content().strip()

    # Every document opens, and is the file its version row names.
    from docx import Document
    from openpyxl import load_workbook
    from pptx import Presentation

    written = sorted(p.resolve() for p in (folder / "documents").iterdir())
    assert written
    for path in written:
        if path.suffix == ".docx":
            assert Document(str(path)).paragraphs is not None
        elif path.suffix == ".xlsx":
            assert load_workbook(path).worksheets
        elif path.suffix == ".pptx":
            assert len(Presentation(str(path)).slides) > 0
        elif path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF-")
        else:
            pytest.fail(f"unexpected file {path.name}")
    versions = [v for vs in files.values() for v in vs]
    for v in versions:
        assert hashlib.sha256(Path(v.location).read_bytes()).hexdigest() == v.sha256
    # Only the report meeting's slides are a file no version row names.
    unrecorded = set(written) - {Path(v.location).resolve() for v in versions}
    assert len(unrecorded) <= 1 and all(p.suffix == ".pptx" for p in unrecorded)

    # Each month's report, as far as the year went, exists as a file.
    reports = {d.data["period"]: d.id for d in deliverables if d.data["kind"] == "monthly_report"}
    month = f"{until:%Y-%m}"
    due = [m for m in months_of_year() if m < month or (m == month == "2027-03")]
    assert due
    for m in due:
        assert any(v.format == "docx" for v in files[reports[m]]), m

    # The quotas held: two a month per engagement but where an override was given,
    # each plan's number, the year's total.
    counted = [d for d in dispatches if d.state != "cancelled"]
    per_month = Counter((d.data["engagement_id"], d.data["month"]) for d in counted)
    for (eid, m), n in per_month.items():
        extra = sum(
            1
            for d in counted
            if d.data["engagement_id"] == eid and d.data["month"] == m and d.id in overridden
        )
        assert n - extra <= quota["monthly_cap"], (eid, m)
    planned: dict[int, int | None] = {e.id: e.data.get("planned_dispatches") for e in engagements}
    for eid, n in Counter(d.data["engagement_id"] for d in counted).items():
        limit = planned[eid]
        assert limit is not None and n <= limit, eid
    assert len(counted) <= quota["total"]
    for d in dispatches:
        local = d.data["at"]
        assert services.calendar.is_business_day(tokyo_date(local))

    # The summary says what the database holds.
    held = sum(1 for d in dispatches if d.state == "held")
    assert figure(out, r"専門人材派遣: 実施 (\d+)回") == held
    assert figure(out, r"中止 (\d+)回") == sum(1 for d in dispatches if d.state == "cancelled")
    assert figure(out, r"うち標準化 (\d+)/") == sum(1 for d in counted if d.data["standardization"])
    assert figure(out, r"送信したメール: (\d+)通") == sum(
        len(q.message.to) + len(q.message.cc) for q in sent
    )
    assert figure(out, r"作成した文書: (\d+)ファイル") == len(written)
    assert figure(out, r"監査証跡: (\d+)件") == len(events)
    labels = {"requested": "要望受付", "hearing": "ヒアリング", "plan_approved": "計画承認済",
              "in_support": "支援中", "reported": "報告済", "withdrawn": "取下げ"}  # fmt: skip
    for state, n in Counter(e.state for e in engagements).items():
        assert figure(out, labels[state] + r" (\d+)件") == n
    assert str(folder / "mail") in out and "engagement list" in out
    return {"engagements": len(engagements), "held": held, "counted": len(counted),
            "mail": len(mails), "documents": len(written), "events": len(events)}  # fmt: skip


def test_the_first_month_of_the_demo_year(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    # Without the PDF copies (WeasyPrint alone takes seconds to load): the slow test has them.
    done = run_demo(folder, "2026-05-01", "--pdf", "no")
    counts = check_year(folder, done.out, date(2026, 5, 1))
    assert counts["engagements"] == 40
    assert "拒否（想定どおり）" in done.out
    # Told in Japanese, day by day, and nothing from before the day before it.
    days = re.findall(r"^\[(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}\]", done.out, re.M)
    assert days == sorted(days) and days[-1] <= "2026-05-01"


def test_the_demo_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    banso = InProcessBanso(tmp_path, f"sqlite:///{tmp_path / 'banso.db'}")
    done = banso("demo", "--dir", str(tmp_path))
    assert done.code == 1 and "notes.txt" in done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_demo_refuses_a_day_outside_its_year(tmp_path: Path) -> None:
    banso = InProcessBanso(tmp_path, f"sqlite:///{tmp_path / 'banso.db'}")
    done = banso("demo", "--dir", str(tmp_path / "d"), "--until", "2027-04-01")
    assert done.code == 2 and "--until" in done.err
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_the_whole_demo_year(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    done = run_demo(folder, "2027-03-31")
    counts = check_year(folder, done.out, date(2027, 3, 31))
    boot, services = services_of(folder)
    try:
        with services.uow(readonly=True) as uow:
            states = Counter(e.state for e in uow.records.find("engagement"))
            std = uow.records.count("dispatch", where={"standardization": True}, states=("held",))
            completion = uow.records.find("deliverable", where={"kind": "completion_report"})
            monthly = uow.records.find("deliverable", where={"kind": "monthly_report"})
            report_meeting = uow.records.find("meeting", where={"kind": "report"})
    finally:
        boot.close()
    assert states == {"reported": 39, "withdrawn": 1}
    assert 440 <= counts["held"] <= 470 and 340 <= std <= 360
    assert completion[0].state == "inspected"
    assert all(m.state == "received" for m in monthly)
    assert report_meeting[0].state == "held"
    assert any(p.suffix == ".pptx" for p in (folder / "documents").iterdir())
    for kind in ("提出遅延のご連絡", "派遣中止のご連絡", "支援計画の承認", "会議のご案内"):
        assert kind in done.out
    assert "差し戻した" in done.out and "取り下げた" in done.out
