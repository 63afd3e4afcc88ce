"""Lists for Excel (`banso export`): engagements, dispatches, consultations,
deadlines and the audit log, as rows of plain values under Japanese headers.

A consultant (or a municipal contact) exports only their own records: the
engagements, dispatches and consultations assigned to them, the deadlines they
answer for and the audit events they caused. The writers (documents.export)
decide how dates look and how cells are escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from banso.engine.clock import tokyo_date
from banso.services.context import Services
from banso.services.identity import acting
from banso.services.ports import UnitOfWork
from banso.workflows import DEFINITIONS
from banso.workflows.labels import CHANNEL_LABELS, DEADLINE_STATUS_LABELS, MODE_LABELS
from banso.workflows.roles import CONSULTANT, MUNICIPAL, ROLE_LABELS

TITLES: dict[str, str] = {
    "engagements": "案件一覧",
    "dispatches": "派遣実績一覧",
    "consultations": "相談対応一覧",
    "deadlines": "期限一覧",
    "audit": "監査ログ",
}
KINDS: tuple[str, ...] = tuple(TITLES)
OWN_RECORDS_ONLY = (CONSULTANT, MUNICIPAL)


@dataclass(frozen=True)
class Export:
    kind: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _labels(kind: str) -> Callable[[str | None], str]:
    definition = next(d for d in DEFINITIONS if d.kind == kind)

    def label(state: str | None) -> str:
        if state is None or state not in definition.states:
            return state or ""
        return definition.label_of(state)

    return label


def _within(day: date | None, start: date | None, end: date | None) -> bool:
    if day is None:
        return start is None and end is None
    return (start is None or day >= start) and (end is None or day <= end)


class _Names:
    """Ids → what people recognise, loaded once per export."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.orgs = {o.id: o for o in uow.directory.orgs()}
        self.themes = {t.id: t for t in uow.directory.themes()}
        self.people = {p.id: p for p in uow.directory.people()}
        self.created: dict[tuple[str, int], datetime] = {}
        self.events = list(uow.audit.all_events())
        for e in self.events:
            self.created.setdefault((e.kind, e.record_id), e.at)

    def org(self, org_id: int | None) -> str:
        org = self.orgs.get(org_id) if org_id is not None else None
        return org.name if org else ""

    def org_code(self, org_id: int | None) -> str:
        org = self.orgs.get(org_id) if org_id is not None else None
        return org.code if org else ""

    def theme(self, theme_id: int | None) -> str:
        theme = self.themes.get(theme_id) if theme_id is not None else None
        return theme.name if theme else ""

    def person(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.name if person else ""

    def email(self, person_id: int | None) -> str | None:
        person = self.people.get(person_id) if person_id is not None else None
        return person.email if person else None


def export(
    services: Services,
    user: str | None,
    kind: str,
    start: date | None = None,
    end: date | None = None,
) -> Export:
    """The rows of one list, from ``start`` to ``end`` (Tokyo dates, inclusive)."""
    with services.uow(readonly=True) as uow:
        actor = acting(uow, user, "export records")
        own = actor.email if actor.role in OWN_RECORDS_ONLY else None
        names = _Names(uow)
        build = _BUILDERS[kind]
        headers, rows = build(uow, names, own, start, end)
    return Export(kind=kind, title=TITLES[kind], headers=headers, rows=list(rows))


Rows = tuple[tuple[str, ...], Iterable[tuple[Any, ...]]]


def _engagements(
    uow: UnitOfWork, names: _Names, own: str | None, start: date | None, end: date | None
) -> Rows:
    label = _labels("engagement")
    rows = []
    for v in uow.records.find("engagement"):
        d = v.data
        if own is not None and names.email(d.get("consultant_id")) != own:
            continue
        created = names.created.get(("engagement", v.id))
        if not _within(tokyo_date(created) if created else None, start, end):
            continue
        rows.append(
            (
                v.id,
                names.org_code(d.get("org_id")),
                names.org(d.get("org_id")),
                names.theme(d.get("theme_id")),
                label(v.state),
                names.person(d.get("consultant_id")),
                created,
                d.get("hearing_at"),
                d.get("planned_dispatches"),
                d.get("request") or "",
                d.get("findings") or "",
                d.get("goals") or "",
                d.get("outcome") or "",
            )
        )
    headers = (
        "案件番号", "団体コード", "団体名", "テーマ", "状態", "担当専門人材", "登録日時",
        "ヒアリング日時", "予定派遣回数", "要望内容", "現状・課題", "支援目標", "成果",
    )  # fmt: skip
    return headers, rows


def _dispatches(
    uow: UnitOfWork, names: _Names, own: str | None, start: date | None, end: date | None
) -> Rows:
    label = _labels("dispatch")
    engagements = {v.id: v for v in uow.records.find("engagement")}
    rows = []
    for v in uow.records.find("dispatch", order_by=("at",)):
        d = v.data
        if own is not None and names.email(d.get("consultant_id")) != own:
            continue
        if not _within(tokyo_date(d["at"]), start, end):
            continue
        eng = engagements.get(d["engagement_id"])
        rows.append(
            (
                v.id,
                d["engagement_id"],
                names.org(eng.data.get("org_id")) if eng else "",
                names.theme(eng.data.get("theme_id")) if eng else "",
                d["at"],
                MODE_LABELS.get(d["mode"], d["mode"]),
                label(v.state),
                names.person(d.get("consultant_id")),
                "標準化" if d.get("standardization") else "",
                d.get("hours"),
                d.get("summary") or "",
            )
        )
    headers = (
        "派遣番号", "案件番号", "団体名", "テーマ", "日時", "方法", "状態", "専門人材",
        "区分", "時間", "実施内容",
    )  # fmt: skip
    return headers, rows


def _consultations(
    uow: UnitOfWork, names: _Names, own: str | None, start: date | None, end: date | None
) -> Rows:
    label = _labels("consultation")
    rows = []
    for v in uow.records.find("consultation"):
        d = v.data
        if own is not None and names.email(d.get("consultant_id")) != own:
            continue
        created = names.created.get(("consultation", v.id))
        if not _within(tokyo_date(created) if created else None, start, end):
            continue
        channel = str(d.get("channel") or "")
        answered = str(d.get("answer_channel") or "")
        rows.append(
            (
                v.id,
                names.org(d.get("org_id")),
                created,
                CHANNEL_LABELS.get(channel, channel),
                d.get("topic") or "",
                label(v.state),
                names.person(d.get("consultant_id")),
                CHANNEL_LABELS.get(answered, answered),
                d.get("summary") or "",
            )
        )
    headers = (
        "相談番号", "団体名", "受付日時", "受付経路", "相談内容", "状態", "担当専門人材",
        "回答方法", "回答内容",
    )  # fmt: skip
    return headers, rows


def _deadlines(
    uow: UnitOfWork, names: _Names, own: str | None, start: date | None, end: date | None
) -> Rows:
    contract = uow.settings.get("contract") or {}
    first = start or date.fromisoformat(contract.get("start", "2000-01-01"))
    rows = []
    for d in uow.deadlines.list(first, end or date(9999, 12, 31), None):
        if own is not None and d.responsible != own:
            continue
        rows.append(
            (
                d.id,
                d.title,
                d.due_as_written,
                d.due,
                d.explanation,
                ROLE_LABELS.get(d.responsible, d.responsible),
                DEADLINE_STATUS_LABELS.get(d.status, d.status),
            )
        )
    headers = ("番号", "内容", "期限（仕様書の日）", "期限", "理由", "担当", "状況")
    return headers, rows


KIND_LABELS = {d.kind: d.label for d in DEFINITIONS}


def _audit(
    uow: UnitOfWork, names: _Names, own: str | None, start: date | None, end: date | None
) -> Rows:
    rows = []
    for e in names.events:
        if own is not None and e.actor != own:
            continue
        if not _within(tokyo_date(e.at), start, end):
            continue
        definition = next((d for d in DEFINITIONS if d.kind == e.kind), None)
        label = _labels(e.kind) if definition else (lambda s: s or "")
        trigger = (definition.trigger_label(e.trigger) if definition else None) or e.trigger
        rows.append(
            (
                e.seq,
                e.at,
                e.actor,
                KIND_LABELS.get(e.kind, e.kind),
                e.record_id,
                trigger,
                label(e.from_state),
                label(e.to_state),
                e.hash,
            )
        )
    headers = ("連番", "日時", "操作した人", "種類", "番号", "操作", "変更前", "変更後", "ハッシュ")
    return headers, rows


_BUILDERS: dict[
    str,
    Callable[[UnitOfWork, _Names, str | None, date | None, date | None], Rows],
] = {
    "engagements": _engagements,
    "dispatches": _dispatches,
    "consultations": _consultations,
    "deadlines": _deadlines,
    "audit": _audit,
}
