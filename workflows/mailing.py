"""Who hears about what, and how the contractor's mail presents itself (pure).

Per-record deadlines (a hearing within 10 business days, a visit record within
3, a first reply within 3) are the contractor's *internal* targets: their
reminders and a capped number of overdue notices go to the person responsible,
then the lead's digest carries them; the prefecture never gets a copy.
Contractual items (the §9 deliverables and the §8(3) regular meeting) that
become overdue make the daemon ask the lead for a delay notice to the
prefecture (``deliverable notify-delay``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from banso.engine.era import format_date
from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase

# Obligations the contract itself names (§9 deliverables, §8(3) regular meeting).
CONTRACTUAL = ("submission", "monthly_meeting")

# External wordings for a cancellation (`--reason-code`); the free text stays inside.
CANCEL_REASONS: dict[str, str] = {
    "schedule": "日程の都合により",
    "request": "貴団体のご要望により",
    "consultant": "担当専門人材の都合により",
    "weather": "天候等の事情により",
    "other": "諸般の事情により",
}
DEFAULT_CANCEL_REASON = "other"

# Default length of each kind of event, in minutes (settings override them).
DEFAULT_MINUTES = {"engagement": 60, "dispatch": 120, "meeting": 60}


@dataclass(frozen=True)
class MailSettings:
    """The ``[mail]`` table of banso.toml: how mail is signed, tagged and capped."""

    display_name: str = ""  # From: 株式会社伴走デジタル 伴走一郎 (default: company + lead)
    subject_tag: str = "【DX伴走支援】"
    message_id_domain: str = "banso.example.jp"
    company: str = ""  # default: the contract's contractor
    role: str = "プロジェクト責任者"
    address: str = ""
    phone: str = ""
    commissioner: str = "岡山県総務部デジタル推進課"
    overdue_cap: int = 3  # overdue notices per internal deadline; then the lead's digest only
    hearing_minutes: int = DEFAULT_MINUTES["engagement"]
    dispatch_minutes: int = DEFAULT_MINUTES["dispatch"]
    meeting_minutes: int = DEFAULT_MINUTES["meeting"]
    march_report_from_day: int = 20  # the March report is drafted from this day of March
    reply_days: int = 5  # business days before the event a reply is asked by
    visit_record_to_contact: bool = False  # a short record to the municipality after a visit
    subcontractor_note: str = "県の承認を得た再委託先"

    def minutes(self, kind: str) -> int:
        return {
            "engagement": self.hearing_minutes,
            "dispatch": self.dispatch_minutes,
            "meeting": self.meeting_minutes,
        }.get(kind, 60)


_INTS = {
    "overdue_cap": 0,
    "hearing_minutes": 1,
    "dispatch_minutes": 1,
    "meeting_minutes": 1,
    "march_report_from_day": 1,
    "reply_days": 0,
}


def mail_settings(table: Mapping[str, Any], where: str = "[mail]") -> MailSettings:
    """Read the ``[mail]`` table; every key and value is checked."""
    known = {f.name for f in fields(MailSettings)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in known:
            raise InvalidValue(
                Phrase("{where} key {key}", where=where, key=repr(key)),
                raw,
                Phrase("one of {allowed}", allowed=", ".join(sorted(known))),
            )
        if key in _INTS:
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < _INTS[key]:
                raise InvalidValue(
                    f"{where} {key}", raw, Phrase("a whole number ≥ {least}", least=_INTS[key])
                )
            if key == "march_report_from_day" and raw > 28:
                raise InvalidValue(f"{where} {key}", raw, "a day of the month from 1 to 28")
        elif key == "visit_record_to_contact":
            if not isinstance(raw, bool):
                raise InvalidValue(f"{where} {key}", raw, "true or false")
        elif not isinstance(raw, str) or any(c in raw for c in "\r\n\t"):
            raise InvalidValue(f"{where} {key}", raw, "text on one line")
        values[key] = raw
    settings = replace(MailSettings(), **values)
    domain = settings.message_id_domain
    if not domain or "." not in domain or any(c in domain for c in " <>@"):
        raise InvalidValue(f"{where} message_id_domain", domain, "a domain like banso.example.jp")
    return settings


def public_message_id(stored: str, domain: str) -> str:
    """The Message-ID a mail carries: the outbox's, under the configured domain."""
    local, at, _ = stored.strip("<>").partition("@")
    return f"<{local}@{domain}>" if at else stored


@dataclass(frozen=True)
class Hearing:
    """Whether one step of a deadline reaches anyone, and whom."""

    send: bool
    ask_delay_notice: bool = False  # a contractual item overdue: ask the lead for a notice


def who_hears(
    obligation: str,
    completion: bool,
    kind: str,
    overdue_number: int,
    day: date,
    contract_end: date,
    cap: int,
) -> Hearing:
    """The rule for one reminder step (``kind``: before / due / overdue);
    ``completion``: the deadline is the 業務完了報告書's, followed up after the end."""
    if day > contract_end and not completion:
        return Hearing(False)
    contractual = obligation in CONTRACTUAL
    if kind != "overdue":
        return Hearing(True)
    if overdue_number > cap:
        return Hearing(False)
    return Hearing(True, ask_delay_notice=contractual and overdue_number == 1)


@dataclass(frozen=True)
class DigestGroups:
    today: list[Any] = field(default_factory=list)
    overdue: list[Any] = field(default_factory=list)
    week: list[Any] = field(default_factory=list)


def digest_groups(items: list[Any], today: date) -> DigestGroups:
    """本日期限 / 期限超過 / 今後7日, each item's ``due`` deciding."""
    groups = DigestGroups()
    for item in items:
        due = item["due"]
        if due == today:
            groups.today.append(item)
        elif due < today:
            groups.overdue.append(item)
        else:
            groups.week.append(item)
    return groups


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def readable_dates(text: str) -> str:
    """Any ISO date in ``text`` as people read it (令和8年5月11日)."""

    def one(match: re.Match[str]) -> str:
        try:
            return format_date(date(*(int(g) for g in match.groups())))
        except ValueError:
            return match.group(0)

    return _ISO_DATE.sub(one, text)


def explain_due(explanation: str, due: date, due_as_written: date) -> str:
    """The reason of a due date for a reader outside: the basis, and only when
    the date moved, that it moved off a 閉庁日 (or to the contract end)."""
    basis = explanation.split("。", 1)[0] if "。" in explanation else ""
    if not basis and due == due_as_written:
        basis = explanation if "営業日のため" not in explanation else ""
    basis = readable_dates(basis)
    if due == due_as_written:
        return basis
    if due < due_as_written and "契約終了日" in explanation:
        moved = (
            f"本来の期日{format_date(due_as_written)}が契約終了日を過ぎるため、"
            f"{format_date(due)}としています"
        )
    else:
        moved = (
            f"本来の期日{format_date(due_as_written)}が県の閉庁日にあたるため、"
            f"開庁日の{format_date(due)}としています"
        )
    return f"{basis}。{moved}" if basis else moved
