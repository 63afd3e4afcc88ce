"""The refusal line in Japanese: the same structured refusal, in Japanese word order.

The English sentences are composed in ``admin.refusals``; Japanese puts the
record first and the reason after it, so the line is composed here from the
same data (kind, state, trigger, unmet conditions, remedies). A rule's reason
is looked up in the catalog; one the catalog lacks is shown as the rule wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from banso.admin.i18n import tr
from banso.engine.era import format_date
from banso.engine.errors import (
    BansoError,
    ChainBroken,
    ConflictError,
    CreationRefused,
    InvalidValue,
    InvariantViolated,
    NotFound,
    PermissionDenied,
    StorageUnavailable,
    TransitionRefused,
    Unmet,
)
from banso.engine.phrase import Phrase
from banso.services.dates import DateOutsideProgramme
from banso.workflows import DEFINITIONS
from banso.workflows.labels import KIND_LABELS
from banso.workflows.roles import ROLE_LABELS


@dataclass(frozen=True)
class Words:
    """How the command line names things (admin.refusals hands them in)."""

    prog: str
    command: Callable[[str, str], str]
    unmet_hint: Callable[[Unmet, str], str | None]
    look_up: Mapping[str, str]
    options: Mapping[str, str]


# What was not found, in Japanese (the English is the raiser's own word).
WHAT_JA: dict[str, str] = {
    "person with e-mail": "メールアドレス「{key}」の人",
    "person": "関係者「{key}」",
    "organisation with code": "団体コード「{key}」の団体",
    "theme with code": "テーマコード「{key}」のテーマ",
    "subcontractor": "再委託先「{key}」",
    "engagement": "案件{key}",
    "dispatch": "派遣{key}",
    "consultation": "相談{key}",
    "deliverable": "成果物{key}",
    "meeting": "会議{key}",
    "deadline": "期限{key}",
    "outbox message": "メール{key}",
    "kind of record": "記録の種類「{key}」",
}


KINDS = KIND_LABELS


# Who may, when it is not one role: "person" is anyone registered.
ROLE_WORDS: dict[str, str] = {
    **ROLE_LABELS,
    "person": "登録済みの関係者",
    "person on the programme": "事業に参加中の関係者",
    "assigned consultant": "担当の専門人材",
}


def role_label(role: str) -> str:
    return ROLE_WORDS.get(role, role)


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def named(exc: BansoError, kind: str, record_id: int) -> str:
    """案件1（岡山市・生成AI）: the record as people know it, when the command
    could read it (``admin.refusals.name_record``); 案件1 otherwise."""
    name = getattr(exc, "record_name", None)
    record = f"{kind_label(kind)}{record_id}"
    return f"{record}（{name}）" if name else record


def trigger_label(kind: str, trigger: str) -> str | None:
    for definition in DEFINITIONS:
        if definition.kind == kind:
            return definition.trigger_label(trigger)
    return None


def _typed(kind: str, trigger: str, words: Words) -> str:
    command = words.command
    label = trigger_label(kind, trigger)
    typed = command(kind, trigger)
    return f"「{label}」（{typed}）" if label else typed


_CELL = re.compile(r"^(?P<file>.+?) row (?P<row>\d+)(?:, columns? (?P<column>.+))?$")


def cell_place(where: str) -> str:
    """``survey.csv row 2, column 団体名`` → ``survey.csv の2行目「団体名」列``."""
    m = _CELL.match(where)
    if m is None:
        return where
    column = m["column"]
    if column is None:
        return f"{m['file']} の{m['row']}行目"
    columns = "」「".join(column.split(" and "))
    return f"{m['file']} の{m['row']}行目「{columns}」列"


def unmet_ja(unmet: Unmet, kind: str, words: Words, record_id: int | None = None) -> str:
    PROG, unmet_hint = words.prog, words.unmet_hint

    reason = tr(unmet.reason)
    hint = unmet_hint(unmet, kind)
    if hint is None:
        return reason
    if unmet.remedy is not None and trigger_label(kind, unmet.remedy) is not None:
        target = f" {record_id}" if record_id is not None else ""
        name, _sep, options = hint.partition(" ")
        typed = f"{PROG} {kind} {name}{target}" + (f" {options}" if options else "")
        label = trigger_label(kind, unmet.remedy)
        return f"{reason}。先に「{label}」を行ってください（{typed}）"
    return f"{reason}（{hint}）"


def describe_ja(exc: BansoError, words: Words) -> str | None:
    """The Japanese line for ``exc``, or None to fall back to the English wording."""
    PROG, LOOK_UP, OPTIONS = words.prog, words.look_up, words.options

    if isinstance(exc, TransitionRefused):
        record = named(exc, exc.kind, exc.record_id)
        allowed = "、".join(_typed(exc.kind, t, words) for t in exc.allowed) or "なし"
        typed = _typed(exc.kind, exc.trigger, words)
        head = f"{record}は「{exc.state_label}」のため、{typed}はできません。"
        if exc.unmet:
            reasons = "。".join(unmet_ja(u, exc.kind, words, exc.record_id) for u in exc.unmet)
            return f"{head}{reasons}。"
        return f"{head}いまできる操作：{allowed}。"
    if isinstance(exc, CreationRefused):
        reasons = "。".join(unmet_ja(u, exc.kind, words) for u in exc.unmet)
        return f"新しい{kind_label(exc.kind)}は登録できません。{reasons}。"
    if isinstance(exc, PermissionDenied):
        if exc.trigger is not None and exc.kind is not None and exc.record_id is not None:
            what = f"{named(exc, exc.kind, exc.record_id)}の{_typed(exc.kind, exc.trigger, words)}"
        else:
            command = re.fullmatch(r"use `(banso [^`]+)`", exc.action)
            # The permission table names the command itself: say it as typed.
            what = f"「{command.group(1)}」" if command else f"「{tr(exc.action)}」"
        if exc.note:
            what += f"（{tr(exc.note)}）"
        roles = "・".join(role_label(r) for r in exc.allowed_roles)
        if exc.actor is None:
            return (
                f"{what}には、操作する人の指定が必要です。--as EMAIL を付けるか "
                f"BANSO_USER を設定してください（できるのは{roles}です）。"
            )
        return f"{exc.actor} は{what}を行えません。できるのは{roles}です。"
    if isinstance(exc, NotFound):
        what = WHAT_JA.get(exc.what, tr(exc.what) + "「{key}」").format(key=exc.key)
        line = f"{what}は登録されていません。"
        if exc.hint:
            line += tr(exc.hint) + "。"
        elif exc.what in LOOK_UP:
            line += f"{PROG} {LOOK_UP[exc.what]} で確認してください。"
        return line
    if isinstance(exc, DateOutsideProgramme):
        return (
            f"{exc.where}：「{exc.value}」は事業の期間外です。"
            f"{format_date(exc.earliest)}から{format_date(exc.latest)}までの日付を指定してください"
            "（契約の年度の前後1年まで）。"
        )
    if isinstance(exc, InvalidValue):
        where = cell_place(OPTIONS.get(exc.where, exc.where))
        expected = tr(exc.expected)
        value = tr(exc.value) if isinstance(exc.value, Phrase) else exc.value
        return f"{tr(where)}：「{value}」は指定できません。{expected}で指定してください。"
    if isinstance(exc, ConflictError):
        who = exc.changed_by or "別の処理"
        return (
            f"{named(exc, exc.kind, exc.record_id)}は、この変更の途中で{who}が更新しました。"
            "表示し直してから、もう一度行ってください。"
        )
    if isinstance(exc, ChainBroken):
        return f"監査ログの連鎖が第{exc.seq}件で壊れています（{tr(exc.reason)}）。"
    if isinstance(exc, InvariantViolated):
        return f"{tr(exc.invariant)}。何も変更していません。"
    if isinstance(exc, StorageUnavailable):
        line = _said(exc)
        if exc.needs_init and f"{PROG} init" not in line:
            line += f"（{PROG} init を実行してください）"
        return line
    return _said(exc)


def _said(exc: BansoError) -> str:
    """The message the raiser gave, translated (a Phrase keeps its template)."""
    said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    return tr(said)
