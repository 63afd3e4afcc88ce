"""The transition benchmark stays honest: a faster path may not skip work.

A short run of the benchmark's own driver (`bench.bench_transitions.Driver`, the
use cases of ``services/`` on SQLite) and then the database is counted against
the steps it took: one commit per step, one audit event per step on the record
it moved (and no other on engagements and dispatches), a chain that verifies
under its key, the deadlines each lifecycle opens and meets, and every mail the
rules say a step sends, rendered, to the right people, with its invitation.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from banso.admin.bootstrap import Bootstrap
from banso.engine.clock import FixedClock
from banso.services.audit import verify
from bench.bench_transitions import STEPS_PER_CASE, Driver, open_services
from bench.common import Place
from tests.support.programme import HANAKO, JIRO, LEAD, PREFECTURE, programme_templates

CASES = 3
CONSULTANTS = [HANAKO, JIRO]

# The mail each step sends (DOMAIN.md: who gets what), as (template, recipient role).
MAIL = {
    # The expert agreement mails (§6(2)①): the prefecture is asked, the organisation told.
    "propose_expert": [("expert_proposal", "prefecture")],
    "agree_expert": [("expert_agreed", "contact")],
    "schedule_hearing": [("hearing_invitation", "contact"), ("hearing_invitation", "consultant")],
    "draft_plan": [("approval_request", "prefecture")],
    "approve_plan": [("decision_recorded", "lead"), ("plan_approved", "contact")],
    "plan_dispatch": [("dispatch_invitation", "contact"), ("dispatch_invitation", "consultant")],
    "confirm": [("dispatch_invitation", "contact"), ("dispatch_invitation", "consultant")],
}
INVITATIONS = {"hearing_invitation", "dispatch_invitation"}
# The deadlines a lifecycle opens, all met by its end: (about kind, obligation).
DEADLINES = [("engagement", "hearing"), ("engagement", "plan"), ("dispatch", "record")]


@pytest.fixture
def boot(tmp_path: Path) -> Iterator[Bootstrap]:
    url = f"sqlite:///{tmp_path / 'banso.db'}"
    programme_templates().fresh(url, tmp_path, in_process=True)
    boot = open_services(url, Place.make(tmp_path / "run"), tmp_path / "banso.db.audit-key")
    yield boot
    boot.close()


def rows(boot: Bootstrap, sql: str) -> list[tuple[object, ...]]:
    with boot.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_a_short_run_writes_every_event_deadline_and_mail_its_steps_owe(boot: Bootstrap) -> None:
    clock = boot.services.clock
    assert isinstance(clock, FixedClock)
    driver = Driver(boot.services, clock, CONSULTANTS)
    before = int(str(rows(boot, "SELECT count(*) FROM outbox")[0][0]))
    commits: list[object] = []

    def committed(conn: object) -> None:
        commits.append(conn)

    event.listen(boot.engine, "commit", committed)
    try:
        taken = driver.run(CASES)
    finally:
        event.remove(boot.engine, "commit", committed)

    assert taken.count == CASES * STEPS_PER_CASE
    # Each step its own committed unit of work.
    assert len(commits) == taken.count

    # One audit event per step, on the record it moved, and none besides.
    events = Counter(
        (str(kind), int(str(rid)), str(trigger))
        for kind, rid, trigger in rows(
            boot,
            "SELECT kind, record_id, \"trigger\" FROM audit_events "
            "WHERE kind IN ('engagement', 'dispatch')",
        )
    )
    assert events == Counter((kind, rid, trigger) for _s, kind, rid, trigger in taken.steps)
    report = verify(boot.services)
    assert report.ok and report.checked > taken.count, report
    assert rows(boot, "SELECT value FROM programme_settings WHERE key = 'audit_key'")

    engagements = sorted({rid for _s, kind, rid, _t in taken.steps if kind == "engagement"})
    dispatches = sorted({rid for _s, kind, rid, _t in taken.steps if kind == "dispatch"})
    assert len(engagements) == len(dispatches) == CASES
    # Every transition moved the version on: eight after creation, two for a dispatch.
    versions = rows(boot, "SELECT state, version FROM engagements ORDER BY id")
    assert versions == [("reported", 8)] * CASES
    assert rows(boot, "SELECT state, version FROM dispatches") == [("held", 2)] * CASES

    # The deadlines each lifecycle opens, each met by the step that fulfils it.
    found = rows(
        boot,
        "SELECT about_kind, about_id, obligation, status, met_at IS NOT NULL, next_fire_at "
        "FROM deadlines WHERE about_kind IN ('engagement', 'dispatch')",
    )
    expected = [
        (kind, rid, obligation, "met", 1, None)
        for kind, obligation in DEADLINES
        for rid in (engagements if kind == "engagement" else dispatches)
    ]
    assert sorted(found, key=str) == sorted(expected, key=str)

    # Every mail the rules say each step sends, to its people, rendered.
    people = {"prefecture": PREFECTURE, "lead": LEAD}
    wanted: Counter[tuple[str, int, str, str]] = Counter()
    for step, kind, rid, _t in taken.steps:
        case = (engagements if kind == "engagement" else dispatches).index(rid)
        org, _theme = driver.pairs[case]
        who = {**people, "contact": f"dx-{org}@city.example.jp",
               "consultant": CONSULTANTS[case % len(CONSULTANTS)]}  # fmt: skip
        for template, role in MAIL.get(step, []):
            wanted[(kind, rid, template, who[role])] += 1
    outbox = rows(
        boot, "SELECT about_kind, about_id, kind, \"to\", subject, text_body, attachments "
        "FROM outbox ORDER BY id",
    )  # fmt: skip
    assert len(outbox) - before == sum(wanted.values()) == CASES * 11
    sent: Counter[tuple[str, int, str, str]] = Counter()
    for about_kind, about_id, mail_kind, to, subject, body, attachments in outbox[before:]:
        (address,) = json.loads(str(to))
        sent[(str(about_kind), int(str(about_id)), str(mail_kind), address)] += 1
        assert subject and "DX" in str(subject)
        assert str(body).strip() and "様" in str(body)
        calendars = [a for a in json.loads(str(attachments)) if "calendar" in a["content_type"]]
        assert len(calendars) == (1 if mail_kind in INVITATIONS else 0), (mail_kind, attachments)
    assert sent == wanted
