"""The Japanese words for the programme's codes, one map each (mail, documents and the
command all show these)."""

from __future__ import annotations

# How a consultant is dispatched (dispatch.mode).
MODE_LABELS: dict[str, str] = {"onsite": "訪問", "web": "WEB会議"}

# How a consultation reached the desk or was answered.
CHANNEL_LABELS: dict[str, str] = {"mail": "メール", "web": "WEB会議", "phone": "電話"}

# Where a deadline stands (engine.deadlines.STATUSES).
DEADLINE_STATUS_LABELS: dict[str, str] = {
    "open": "対応待ち",
    "met": "完了",
    "missed": "期限超過",
    "cancelled": "取消",
}

# The kinds of record, as a person names them (案件12, 派遣3).
KIND_LABELS: dict[str, str] = {
    "engagement": "案件",
    "dispatch": "派遣",
    "consultation": "相談",
    "deliverable": "成果物",
    "meeting": "会議",
    "work": "調査・資料作成の記録",
}
