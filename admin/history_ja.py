"""The Japanese wording of a record's history and of the daemon's one pass.

Field names come from the records' columns (``findings``, ``planned_dispatches``);
a person reads them by their Japanese names, never as codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from banso.admin.i18n import japanese

if TYPE_CHECKING:
    from banso.admin.cli import State
    from banso.services.daemon import PassReport

FIELDS: dict[str, str] = {
    "findings": "現状・課題",
    "goals": "支援目標",
    "planned_dispatches": "予定派遣回数",
    "outcome": "成果",
    "reason": "理由",
    "summary": "実施内容",
    "hours": "時間",
    "mode": "方法",
    "override": "例外の理由",
    "consultant": "専門人材",
    "minutes": "議事録",
    "answer": "回答",
    "channel": "経路",
    "request": "要望",
    "subject": "件名",
    "body": "内容",
    "location": "場所",
    "url": "URL",
    "title": "件名",
    "ref": "文書番号",
    "note": "備考",
}


def field_label(key: str) -> str:
    return FIELDS.get(key, "その他")


def value_text(key: str, value: Any) -> str:
    from banso.workflows.labels import CHANNEL_LABELS, MODE_LABELS

    if key == "mode":
        return MODE_LABELS.get(str(value), str(value))
    if key == "channel":
        return CHANNEL_LABELS.get(str(value), str(value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return str(value)


def on_behalf_ja(behalf: dict[str, Any], *, created: bool = False) -> str:
    """A decision recorded on the prefecture's behalf: who decided, the day, the reference,
    who typed it, and the evidence's hash. ``created``: a record the prefecture received
    (a consultation), which may have no reference."""
    from datetime import date

    from banso.engine.era import format_date

    day = format_date(date.fromisoformat(behalf["date"]))
    ref = f"（文書番号：{behalf['ref']}）" if behalf.get("ref") else ""
    text = (
        f"{behalf['decided_by']}が{day}に{'受付' if created else '判断'}{ref}、"
        f"{behalf['recorded_by']}が県に代わって記録"
    )
    evidence = behalf.get("evidence")
    if evidence:
        text += f"、証跡：{evidence['name']}（SHA-256 {evidence['sha256']}）"
    return text


def history_ja(state: State, kind: str, record_id: int, events: list[Any]) -> str:
    from banso.admin.output import state_text, when
    from banso.admin.refusals_ja import kind_label

    definition = state.services.runner.definitions.get(kind)
    lines = [f"{kind_label(kind)}{record_id}の履歴：{len(events)}件"]
    for e in events:
        changes = {
            k: v for k, v in e.payload.get("changes", {}).items() if not k.endswith(("_at", "_id"))
        }
        given = {**changes, **e.payload}
        why = "、".join(
            [f"{field_label(k)}：{value_text(k, v)}"
             for k, v in given.items()
             if k not in ("changes", "at", "on_behalf") and not k.endswith(("_at", "_id"))
             and v is not None]
            + ([on_behalf_ja(given["on_behalf"], created=e.from_state is None)]
               if given.get("on_behalf") else [])
        )  # fmt: skip
        label = (definition.trigger_label(e.trigger) if definition else None) or (
            "登録" if e.from_state is None else "操作"
        )
        before = state_text(state, kind, e.from_state) if e.from_state else "（新規）"
        lines.append(
            f"  {when(e.at)}  {e.actor}  {label}：{before} → {state_text(state, kind, e.to_state)}"
            + (f"（{why}）" if why else "")
        )
    return "\n".join(lines)


def responsible_text(who: str) -> str:
    """A deadline's responsible: a role by its Japanese name, a person by e-mail."""
    if not japanese():
        return who
    from banso.workflows.roles import ROLE_LABELS

    return ROLE_LABELS.get(who, who)


def daemon_line(report: PassReport) -> str:
    """What one pass of the daemon did."""
    if not japanese():
        return report.line()
    from banso.admin.output import when

    drafted = f"、下書き作成 {'・'.join(report.drafted)}" if report.drafted else ""
    return (
        f"{when(report.at)}：督促{report.reminders}件を送信待ちに追加、期限超過{report.missed}件、"
        f"日次まとめ{report.digests}件{drafted}。送信{report.sent}件、再送{report.retried}件、送信断念{report.dead}件"
    )
