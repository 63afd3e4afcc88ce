"""Reminder steps of a deadline, and the sweep that sends the ones that are due.

A deadline's steps form one endless sequence, numbered from 0: the reminders
some business days before the effective due date, one on the day, then overdue
notices on the next business day and every few business days after that for as
long as the deadline stays active. From the ``escalate_from``-th overdue notice
on, the supervisors are copied (escalation). Every step falls on a
business day and fires at ``policy.hour`` o'clock Tokyo time.

The sweep takes the deadlines whose ``next_fire_at`` has passed (the store
selects them by index, a batch at a time), sends each one message set for the
*latest* step that came due — after downtime, the stale ones collapse into it —
and moves ``next_step``/``next_fire_at`` on. The caller turns
``(deadline, step)`` into messages keyed ``deadline:{id}:{index}``, which the
outbox keeps unique forever: a retried or concurrent sweep cannot send twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from banso.engine.calendar import BusinessCalendar
from banso.engine.clock import TOKYO
from banso.engine.deadlines import ACTIVE, MISSED, Deadline, DeadlineStore
from banso.engine.outbox import Outbox, OutgoingMessage

BEFORE = "before"
DUE = "due"
OVERDUE = "overdue"
KINDS = (BEFORE, DUE, OVERDUE)

MAX_BATCHES = 100  # one sweep handles at most this many batches, so that it always ends


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders, overdue notices and escalations go out (a setting).

    ``before`` may be given in any order and with repeats; it is kept as
    distinct values, largest first (the order the reminders are sent in).
    """

    before: tuple[int, ...] = (5, 2, 1)  # business days before the effective due date
    on_the_day: bool = True
    overdue_every: int = 3  # first overdue notice the next business day, then every 3
    escalate_from: int = 2  # from the 2nd overdue notice on, copy the supervisors
    hour: int = 9  # sent at 09:00 Asia/Tokyo

    def __post_init__(self) -> None:
        before = tuple(self.before)
        for n in before:
            # 0 would be the due day itself (that is on_the_day's job) and could
            # be a closed day; a negative value would be an overdue step.
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"before: business days must be integers >= 1, got {n!r}")
        for name in ("overdue_every", "escalate_from"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        hour = self.hour
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            raise ValueError(f"hour must be an integer from 0 to 23, got {self.hour!r}")
        # Frozen: normalise through object.__setattr__, as dataclasses document.
        object.__setattr__(self, "before", tuple(sorted(set(before), reverse=True)))
        object.__setattr__(self, "on_the_day", bool(self.on_the_day))


@dataclass(frozen=True)
class Step:
    """One reminder of one deadline: what kind, on which business day, and when it fires."""

    index: int  # 0.. : before steps, then the due-day step, then overdue 1, 2, 3, …
    kind: str  # "before" | "due" | "overdue"
    day: date  # a business day
    fire_at: datetime  # aware UTC: `day` at policy.hour in Asia/Tokyo
    business_days: int  # "before": days left; "due": 0; "overdue": business days overdue
    overdue_number: int  # 0 unless overdue (1, 2, …)
    escalate: bool


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did, for the daemon's log."""

    examined: int  # deadlines the store handed over as due
    messages: int  # messages composed and handed to the outbox
    missed: int  # deadlines that became missed in this sweep


Compose = Callable[[Deadline, Step], Sequence[OutgoingMessage]]


# -- the steps -------------------------------------------------------------------


def _fire_at(day: date, policy: ReminderPolicy) -> datetime:
    return datetime.combine(day, time(policy.hour), TOKYO).astimezone(UTC)


# Building a prefix is most of a step computation's cost, and deadlines share
# due dates (a year has ~245 business days; every record opened on one day by
# one rule shares one), so the sweep nearly always hits. A calendar's closed
# days are fixed at construction, so caching by its identity is sound.
@lru_cache(maxsize=4096)
def _prefix(policy: ReminderPolicy, calendar: BusinessCalendar, due: date) -> tuple[Step, ...]:
    """The finite head of the sequence: the before steps and the due-day step.

    Only these can collide (a closed ``due`` moves the due-day step back onto
    the 1-day reminder's day); overdue steps always lie strictly after them.
    """
    raw: list[tuple[str, date, int]] = [
        (BEFORE, calendar.add_business_days(due, -n), n) for n in policy.before
    ]
    if policy.on_the_day:
        # A reminder never falls on a closed day: it moves earlier.
        day = due if calendar.is_business_day(due) else calendar.previous_business_day(due)
        raw.append((DUE, day, 0))
    # Days are non-decreasing (before is largest first); of two steps on the
    # same day keep the later one, which is the more urgent message.
    kept = [item for i, item in enumerate(raw) if i + 1 == len(raw) or raw[i + 1][1] != item[1]]
    return tuple(
        Step(
            index=i,
            kind=kind,
            day=day,
            fire_at=_fire_at(day, policy),
            business_days=left,
            overdue_number=0,
            escalate=False,
        )
        for i, (kind, day, left) in enumerate(kept)
    )


def _overdue(
    policy: ReminderPolicy, calendar: BusinessCalendar, due: date, head: int, number: int
) -> Step:
    """Overdue notice ``number`` (1, 2, …) of a deadline whose prefix has ``head`` steps."""
    late = 1 + (number - 1) * policy.overdue_every
    day = calendar.add_business_days(due, late)
    return Step(
        index=head + number - 1,
        kind=OVERDUE,
        day=day,
        fire_at=_fire_at(day, policy),
        business_days=late,
        overdue_number=number,
        escalate=number >= policy.escalate_from,
    )


def _at(
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
    due: date,
    prefix: tuple[Step, ...],
    index: int,
) -> Step:
    if index < len(prefix):
        return prefix[index]
    return _overdue(policy, calendar, due, len(prefix), index - len(prefix) + 1)


def _check_index(index: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"a step index must be an integer >= 0, got {index!r}")


def _check_aware(moment: datetime, what: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {moment!r}")


def step(policy: ReminderPolicy, calendar: BusinessCalendar, due: date, index: int) -> Step:
    """Step ``index`` of a deadline effectively due on ``due``."""
    _check_index(index)
    return _at(policy, calendar, due, _prefix(policy, calendar, due), index)


def _overdue_fired(
    policy: ReminderPolicy, calendar: BusinessCalendar, due: date, now: datetime
) -> int:
    """How many overdue notices have fire_at <= now, without walking through them.

    Notice k falls on the (1 + (k-1)·every)-th business day after ``due`` and
    has fired once that day is at most the last day whose ``hour`` has passed,
    so the count follows from the business days in (due, that day].
    """
    local = now.astimezone(TOKYO)
    last_day = local.date()
    if local.time() < time(policy.hour):
        last_day -= timedelta(days=1)
    late = calendar.business_days_between(due, last_day)
    return 0 if late < 1 else (late - 1) // policy.overdue_every + 1


def latest_due(
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
    due: date,
    from_index: int,
    now: datetime,
) -> tuple[Step | None, Step]:
    """The latest step at or after ``from_index`` that has fired by ``now`` (None if
    none), and the step after it (after ``from_index - 1`` if none).

    Steps in between are skipped: after downtime a deadline gets one message
    for its latest step, not one per stale reminder. The common case (one step
    due) costs two step computations; overdue stretches of any length are
    jumped over in constant time.
    """
    _check_index(from_index)
    _check_aware(now, "now")
    prefix = _prefix(policy, calendar, due)
    first = _at(policy, calendar, due, prefix, from_index)
    if first.fire_at > now:
        return None, first
    latest = first
    index = from_index
    while index + 1 < len(prefix):
        following = prefix[index + 1]
        if following.fire_at > now:
            return latest, following
        index += 1
        latest = following
    # Past the prefix: only overdue notices remain, and they can be counted.
    fired = _overdue_fired(policy, calendar, due, now)
    if fired > latest.overdue_number:
        latest = _overdue(policy, calendar, due, len(prefix), fired)
    return latest, _overdue(policy, calendar, due, len(prefix), latest.overdue_number + 1)


def first_step(
    policy: ReminderPolicy, calendar: BusinessCalendar, due: date, opened_at: datetime
) -> Step:
    """The step a newly opened deadline waits for: the first that fires after ``opened_at``.

    Reminders whose time has already passed are not sent late (a deadline
    opened one business day before its due date starts at the 1-day
    reminder). Overdue notices never end, so there always is one.
    """
    return latest_due(policy, calendar, due, 0, opened_at)[1]


# -- the sweep -------------------------------------------------------------------


def sending_hours(now: datetime, calendar: BusinessCalendar, policy: ReminderPolicy) -> bool:
    """True if reminders may go out at ``now``: a business day, from ``policy.hour`` on.

    Reminders go out on business days at that hour; what came due during a
    weekend, a holiday or a night of downtime waits for the next such moment.
    """
    _check_aware(now, "now")
    local = now.astimezone(TOKYO)
    return calendar.is_business_day(local.date()) and local.time() >= time(policy.hour)


def sweep(
    store: DeadlineStore,
    outbox: Outbox,
    compose: Compose,
    *,
    now: datetime,
    calendar: BusinessCalendar,
    policy: ReminderPolicy,
    batch: int = 1000,
    max_batches: int = MAX_BATCHES,
) -> SweepReport:
    """Send what is due at ``now``, mark deadlines missed, move ``next_fire_at`` on.

    Each batch is one ``store.due``, at most one ``outbox.enqueue`` and one
    ``store.advance``: the caller wraps each batch in a transaction (the
    store's contract), so messages and the advance commit together.
    """
    _check_aware(now, "now")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be an integer >= 1, got {batch!r}")
    if not sending_hours(now, calendar, policy):
        # Nothing sent and nothing advanced: the due rows stay selected, and
        # the first sweep in sending hours collapses them into the latest step.
        return SweepReport(examined=0, messages=0, missed=0)

    examined = sent = missed = 0
    for _ in range(max_batches):
        rows = store.due(now, batch)
        messages: list[OutgoingMessage] = []
        updates: list[tuple[int, int, datetime | None, str]] = []
        for deadline in rows:
            if deadline.status not in ACTIVE or deadline.next_fire_at is None:
                # Not ours to remind (the store should not hand these over);
                # clear the fire time so the index stops selecting the row.
                updates.append((deadline.id, deadline.next_step, None, deadline.status))
                continue
            latest, following = latest_due(policy, calendar, deadline.due, deadline.next_step, now)
            status = deadline.status
            if latest is not None:
                messages.extend(compose(deadline, latest))
                if latest.kind == OVERDUE and status != MISSED:
                    status = MISSED
                    missed += 1
            # Nothing due means next_fire_at was early: just move it to the truth.
            updates.append((deadline.id, following.index, following.fire_at, status))
        examined += len(rows)
        # Enqueue before advancing: should the caller not be transactional after
        # all, a crash in between re-sends (deduplicated by key) rather than loses.
        if messages:
            outbox.enqueue(messages, now)
            sent += len(messages)
        if updates:
            store.advance(updates)
        if len(rows) < batch:
            break
    return SweepReport(examined=examined, messages=sent, missed=missed)
