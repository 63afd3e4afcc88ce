"""The daemon's jobs on the fakes: reminders and escalations, the monthly report drafted,
daily digests, the send pass."""

from __future__ import annotations

from banso.engine.deadlines import MISSED, OPEN
from banso.engine.outbox import DEAD, FAILED, SENT
from banso.services import daemon, master
from tests.services.world import CONTACT, HANAKO, LEAD, PREFECTURE, World


def hearing_deadline(world: World) -> tuple[int, int]:
    """An engagement whose hearing is due 2026-04-15, and that deadline's id."""
    eid = world.engagement()
    return eid, world.deadline("engagement", eid, "hearing").id


def test_a_reminder_goes_five_business_days_before_the_due_date(world: World) -> None:
    _, ident = hearing_deadline(world)
    key = f"deadline:{ident}:0"
    early = daemon.run_sweep(world.services, world.at("2026-04-08T08:59+09:00"))
    assert early.reminders == 0 and key not in {q.message.key for q in world.queued()}
    report = daemon.run_sweep(world.services, world.at("2026-04-08T09:00+09:00"))
    assert report.reminders >= 1
    (reminder,) = [q for q in world.queued() if q.message.key == key]
    assert (reminder.message.kind, reminder.message.to, reminder.message.cc) == (
        "deadline_reminder", (LEAD,), (),
    )  # fmt: skip
    composed = next(c for c in world.mail.composed if c.key == key)
    assert (composed.context["days"], composed.context["due"].isoformat()) == (5, "2026-04-15")
    # Another sweep at the same moment sends nothing twice.
    count = len(world.queued())
    again = daemon.run_sweep(world.services, world.now)
    assert again.reminders == 0 and len(world.queued()) == count


def test_nothing_is_reminded_on_a_closed_day(world: World) -> None:
    hearing_deadline(world)
    before = len(world.queued())
    report = daemon.run_sweep(world.services, world.at("2026-04-11T10:00+09:00"))  # a Saturday
    assert (report.reminders, report.drafted, report.digests) == (0, [], 0)
    assert len(world.queued()) == before


def test_overdue_notices_mark_the_deadline_missed_and_then_escalate(world: World) -> None:
    eid, ident = hearing_deadline(world)
    daemon.run_sweep(world.services, world.at("2026-04-16T09:00+09:00"))
    assert world.deadline("engagement", eid, "hearing").status == MISSED
    mine = f"deadline:{ident}:"
    (first,) = [q for q in world.queued("deadline_overdue") if q.message.key.startswith(mine)]
    assert (first.message.to, first.message.cc) == ((LEAD,), ())
    # An internal target: the prefecture is never copied, and the notices stop at the cap (3).
    for day in ("2026-04-21", "2026-04-24", "2026-04-30", "2026-05-08", "2026-05-13"):
        daemon.run_sweep(world.services, world.at(f"{day}T09:00+09:00"))
    notices = [q for q in world.queued("deadline_overdue") if q.message.key.startswith(mine)]
    assert len(notices) == world.services.mail_settings.overdue_cap == 3
    assert all(PREFECTURE not in n.message.cc + n.message.to for n in notices)
    assert not [
        q
        for q in world.queued()
        if PREFECTURE in q.message.to + q.message.cc and q.message.kind.startswith("deadline")
    ]
    # A missed deadline can still be met.
    world.hearing(eid, HANAKO)
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="遅れて実施")
    assert world.deadline("engagement", eid, "hearing").next_fire_at is None


def test_a_responsible_consultant_who_was_removed_is_reminded_through_the_lead(
    world: World,
) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="現状")
    plan = world.deadline("engagement", eid, "plan")
    assert plan.responsible == HANAKO
    master.remove_person(world.services, LEAD, HANAKO)
    daemon.run_sweep(world.services, world.at("2026-04-08T09:00+09:00"))
    (reminder,) = [q for q in world.queued() if q.message.key == f"deadline:{plan.id}:0"]
    assert reminder.message.to == (LEAD,)


def test_the_monthly_report_is_drafted_on_the_next_months_first_morning(world: World) -> None:
    assert daemon.run_sweep(world.services, world.at("2026-04-30T09:00+09:00")).drafted == []
    assert daemon.run_sweep(world.services, world.at("2026-05-01T08:59+09:00")).drafted == []
    report = daemon.run_sweep(world.services, world.at("2026-05-01T09:00+09:00"))
    assert report.drafted == ["2026-04"]
    (april,) = world.find("deliverable", kind="monthly_report", period="2026-04")
    assert april.state == "drafted"
    assert world.find("deliverable", kind="monthly_report", period="2026-05")[0].state == "pending"
    (told,) = world.queued("monthly_report_drafted")
    assert (told.message.key, told.message.to) == ("monthly-drafted:2026-04", (LEAD,))
    with world.services.uow(readonly=True) as uow:
        assert uow.audit.latest_for("deliverable", april.id).actor == "system"  # type: ignore[union-attr]
    assert daemon.run_sweep(world.services, world.at("2026-05-01T15:00+09:00")).drafted == []
    assert len(world.queued("monthly_report_drafted")) == 1


def test_drafting_catches_up_after_downtime(world: World) -> None:
    report = daemon.run_sweep(world.services, world.at("2026-07-01T09:00+09:00"))
    assert report.drafted == ["2026-04", "2026-05", "2026-06"]
    assert [q.message.key for q in world.queued("monthly_report_drafted")] == [
        "monthly-drafted:2026-04",
        "monthly-drafted:2026-05",
        "monthly-drafted:2026-06",
    ]


def test_daily_digests_once_a_day_for_whoever_has_deadlines_this_week(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="現状")  # plan: HANAKO's
    report = daemon.run_sweep(world.services, world.at("2026-04-09T09:00+09:00"))
    digests = world.queued("daily_digest")
    assert report.digests == len(digests) == 2
    assert sorted(q.message.to for q in digests) == [(HANAKO,), (LEAD,)]
    assert {q.message.key.rsplit(":", 1)[0] for q in digests} == {
        f"digest:{HANAKO}:2026-04-09",
        f"digest:{LEAD}:2026-04-09",
    }
    items = next(c for c in world.mail.composed if c.to == (HANAKO,) and c.kind == "daily_digest")
    groups = items.context["groups"]
    assert [i["status"] for i in groups.today + groups.overdue + groups.week] == [OPEN]
    assert daemon.run_sweep(world.services, world.at("2026-04-09T15:00+09:00")).digests == 0
    # Nothing changed overnight: no digest the next day.
    assert daemon.run_sweep(world.services, world.at("2026-04-10T09:00+09:00")).digests == 0


def test_the_send_pass_delivers_from_the_lead_and_reports_failures(world: World) -> None:
    eid = world.engagement()
    # The proposal to the prefecture and the news to the contact go out first.
    world.agreed(eid)
    daemon.send_pass(world.services, world.at("2026-04-01T09:30+09:00"))
    world.delivery.sent.clear()
    world.hearing(eid, HANAKO)  # two invitations: the contact and HANAKO
    world.delivery.failing[CONTACT] = False  # a temporary failure
    report = daemon.send_pass(world.services, world.at("2026-04-01T10:00+09:00"))
    assert (report.sent, report.retried, report.dead) == (1, 1, 0)
    assert [(d.sender, d.message.to) for d in world.delivery.sent] == [(LEAD, (HANAKO,))]
    states = {q.message.to: q.state for q in world.queued("hearing_invitation")}
    assert states == {(HANAKO,): SENT, (CONTACT,): FAILED}

    world.delivery.failing[CONTACT] = True  # now the address is refused for good
    report = daemon.send_pass(world.services, world.at("2026-04-01T11:00+09:00"))
    assert (report.sent, report.dead) == (0, 1)
    (dead,) = [q for q in world.queued("hearing_invitation") if q.state == DEAD]
    (notice,) = world.queued("dead_letter")
    assert (notice.message.key, notice.message.to) == (f"dead:{dead.id}", (LEAD,))

    # The lead hears of it in the next pass; a sent message is never sent again.
    report = daemon.send_pass(world.services, world.at("2026-04-01T12:00+09:00"))
    assert report.sent == 1 and world.delivery.sent[-1].message.kind == "dead_letter"
    assert daemon.send_pass(world.services, world.now).sent == 0


def test_once_sweeps_and_sends_at_the_clocks_now(world: World) -> None:
    world.at("2026-05-01T09:00+09:00")
    report = daemon.once(world.services)
    assert report.drafted == ["2026-04"] and report.reminders > 0
    assert report.sent == len(world.delivery.sent) > 0
    assert {q.state for q in world.queued()} == {SENT}
    assert report.at == world.now


def test_a_removed_consultants_deadline_is_in_the_leads_digest(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="現状")
    plan = world.deadline("engagement", eid, "plan")
    master.remove_person(world.services, LEAD, HANAKO)
    daemon.run_sweep(world.services, world.at("2026-04-09T09:00+09:00"))
    (digest,) = [c for c in world.mail.composed if c.kind == "daily_digest"]
    assert digest.to == (LEAD,)
    groups = digest.context["groups"]
    assert plan.title in [item["title"] for item in groups.today + groups.overdue + groups.week]
