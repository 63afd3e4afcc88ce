"""Deliverables as files, through `banso` as the lead types it: generate, list the
versions, submit with the cover letter; the files opened back and the mail that
carried them to the prefecture."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
from email.message import EmailMessage
from pathlib import Path

import pytest
from docx import Document

from tests.support.programme import LEAD, PREFECTURE, Banso, programme_templates


@pytest.fixture
def banso(sqlite_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(sqlite_url, tmp_path, user=LEAD, in_process=True)


def deliverable_id(banso: Banso, kind: str) -> int:
    (found,) = banso.json("deliverable", "list", "--kind", kind)
    return int(found["id"])


def mails(folder: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def text_of(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_generate_list_and_submit_the_org_chart(banso: Banso, tmp_path: Path) -> None:
    org_chart = deliverable_id(banso, "org_chart")
    out = tmp_path / "提出物"
    done = banso.json("deliverable", "generate", str(org_chart), "--out", str(out))
    assert (done["version"], done["drafted"]) == (1, True)
    (file,) = done["files"]
    path = Path(file["location"])
    assert path.parent == out and path.name == "業務実施体制図_第1版.docx"
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == file["sha256"] and len(data) == file["size"]
    text = text_of(data)
    assert "業務実施体制図" in text and LEAD in text  # the lead, the single point of contact

    again = banso.json("deliverable", "generate", str(org_chart), "--out", str(out))
    assert again["version"] == 2 and path.exists()  # version 1 is still there
    listed = banso.json("deliverable", "files", str(org_chart))
    assert [(f["version"], f["format"]) for f in listed] == [(1, "docx"), (2, "docx")]

    submitted = banso.json("deliverable", "submit", str(org_chart))
    assert submitted["state"] == "submitted"
    listed = banso.json("deliverable", "files", str(org_chart))
    assert [(f["version"], f["format"], bool(f["submitted_at"])) for f in listed] == [
        (1, "docx", False),
        (2, "cover", True),
        (2, "docx", True),
    ]
    assert "伴走第1号" in text_of(Path(listed[1]["location"]).read_bytes())

    assert banso("daemon", "--once").code == 0
    to_prefecture = [m for m in mails(banso.cwd / "mail") if PREFECTURE in m["To"]]
    (request,) = [m for m in to_prefecture if "【承認依頼】" in m["Subject"]]
    attached = [part.get_filename() for part in request.iter_attachments()]
    assert attached == [listed[1]["filename"], listed[2]["filename"]]


def test_a_format_the_deliverable_does_not_come_in_is_refused(banso: Banso) -> None:
    roster = deliverable_id(banso, "expert_roster")
    line = banso.refused("deliverable", "generate", str(roster), "--format", "pdf", code=2)
    assert "--format" in line and "xlsx" in line
    assert banso.json("deliverable", "files", str(roster)) == []


def test_a_consultant_may_not_generate(banso: Banso) -> None:
    from tests.support.programme import HANAKO

    roster = deliverable_id(banso, "expert_roster")
    banso.refused("deliverable", "generate", str(roster), user=HANAKO)


def test_the_report_meeting_slides(banso: Banso, tmp_path: Path) -> None:
    from pptx import Presentation

    done = banso.json("meeting", "slides", "--out", str(tmp_path / "slides"))
    path = Path(done["file"])
    assert path.suffix == ".pptx" and path.parent == tmp_path / "slides"
    texts = [
        shape.text_frame.text
        for slide in Presentation(str(path)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any("事業報告会" in t for t in texts)


def test_the_monthly_report_holds_the_months_figures_from_the_database(
    banso: Banso, tmp_path: Path
) -> None:
    from collections import Counter

    from tests.support.programme import seed_dispatches, seed_engagements

    engagements = seed_engagements(banso.url, "standardization", ["331007", "332020", "335860"])
    seed_dispatches(
        banso.url, engagements, ["held"] * 7 + ["planned"] * 2, standardization=True,
        months=("2026-05",),
    )  # fmt: skip
    may = next(d for d in banso.json("deliverable", "list", "--kind", "monthly_report")
               if d["period"] == "2026-05")  # fmt: skip
    done = banso.json("deliverable", "generate", str(may["id"]), "--format", "docx",
                      "--out", str(tmp_path / "out"), now="2026-06-01T09:00+09:00")  # fmt: skip
    document = Document(done["files"][0]["location"])
    held = [d for d in banso.json("dispatch", "list", "--month", "2026-05") if d["state"] == "held"]
    names = {e["id"]: e["org_name"] for e in banso.json("engagement", "list")}
    expected = Counter(names[d["engagement_id"]] for d in held)
    (table,) = [t for t in document.tables if t.rows[0].cells[2].text == "回数"]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert {r[0]: int(r[2]) for r in rows[1:-1]} == dict(expected)
    assert rows[-1][0] == "合計" and int(rows[-1][2]) == len(held)
    counted = len(banso.json("dispatch", "list"))  # planned, confirmed and held use a slot
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{counted}回／470回" in text and f"実施済み{len(held)}回" in text
