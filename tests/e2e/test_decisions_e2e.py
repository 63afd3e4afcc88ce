"""Prefecture decisions through `banso`: the expert agreed and a plan approved on the
prefecture's behalf (history shows both people, the reference and the evidence hash,
the chain verifies), the plan's 支援計画書 approved with it; init on an existing
database changes nothing; a deactivated consultant's work reassigned."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.support.programme import (
    HANAKO,
    JIRO,
    LEAD,
    PREFECTURE,
    Banso,
    Run,
    one_error_line,
    programme_templates,
)


def refused_line(done: Run) -> str:
    assert done.code == 1, done
    return one_error_line(done)


BEHALF = ("--on-behalf-of", PREFECTURE, "--date", "2026-04-01", "--ref", "デジ第45号")


def test_decisions_on_the_prefectures_behalf_through_banso(
    sqlite_url: str, tmp_path: Path
) -> None:
    # In process: the same entry point as the installed command, without a start-up each.
    banso: Banso = programme_templates().fresh(sqlite_url, tmp_path, user=LEAD, in_process=True)
    e = str(banso.json("engagement", "new", "--org", "331007", "--theme", "genai")["id"])
    hearing = ("engagement", "schedule-hearing", e, "--at", "2026-04-10T10:00",
               "--consultant", HANAKO)  # fmt: skip
    assert "propose-expert" in refused_line(banso(*hearing))
    banso.ok("engagement", "propose-expert", e, "--consultant", HANAKO)
    # Only the lead records a decision on the prefecture's behalf.
    refused = banso("engagement", "agree-expert", e, *BEHALF, user=HANAKO)
    assert "may not use `banso engagement agree-expert`" in refused_line(refused)
    banso.ok("engagement", "agree-expert", e, *BEHALF)
    banso.ok(*hearing)
    banso.ok("engagement", "record-hearing", e, "--findings", "現状", user=HANAKO)
    banso.ok("engagement", "draft-plan", e, "--goals", "目標", user=HANAKO)

    reply = tmp_path / "reply.eml"
    reply.write_bytes("Subject: Re: 支援計画書\r\n\r\n承認します\r\n".encode())
    banso.ok("engagement", "approve-plan", e, *BEHALF, "--evidence", str(reply))
    digest = hashlib.sha256(reply.read_bytes()).hexdigest()
    line = banso.ok("history", "engagement", e).out.splitlines()[-1]
    for part in (PREFECTURE, LEAD, "2026-04-01", "デジ第45号", "reply.eml", digest):
        assert part in line, line
    (plan,) = banso.json("deliverable", "list", "--kind", "support_plan")
    assert plan["state"] == "approved"  # one plan record
    approved = banso.json("history", "deliverable", str(plan["id"]))[-1]
    assert approved["payload"]["on_behalf"]["evidence"]["sha256"] == digest
    assert "audit chain intact" in banso.ok("audit", "verify").out

    # init on an existing database changes nothing, and says so.
    again = banso.json("init", "--contract-end", "2027-02-26", user=None)
    assert again["ignored"] == ["contract_end"] and not again["changed"]

    # A deactivated consultant keeps their history; their engagement goes to JIRO
    # once the prefecture agrees.
    banso.ok("person", "remove", HANAKO)
    moved = banso.json("person", "reassign", HANAKO, "--to", JIRO)
    assert moved["awaiting_agreement"] == [int(e)]
    banso.ok("engagement", "agree-expert", e, user=PREFECTURE)
    assert banso.json("engagement", "show", e)["consultant"] == JIRO
