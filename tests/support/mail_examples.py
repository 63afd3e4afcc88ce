"""One full context per mail kind, all about 倉敷市: the template tests and the
golden files render these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

AT = datetime(2026, 10, 9, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, a Friday
END = datetime(2026, 10, 9, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
PROGRAMME = "令和8年度 県・市町村DX推進伴走支援事業"
TAG = "【DX伴走支援】"
CONTACT = "tanaka@city.kurashiki.example.jp"


def common(**recipient: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "name": "田中 花子",
        "org_name": "倉敷市",
        "dept": "企画財政局 デジタル推進室",
        "internal": False,
        "first": False,
    }
    person.update(recipient)
    return {
        "recipient": person,
        "lead": {
            "name": "山田 太郎",
            "email": "yamada@contractor.example.jp",
            "company": "株式会社サンプル",
            "role": "プロジェクト責任者",
            "address": "東京都千代田区1-2-3",
            "phone": "086-000-0000",
        },
        "programme": {"title": PROGRAMME, "tag": TAG, "commissioner": "岡山県総務部デジタル推進課"},
    }


EVENT: dict[str, Any] = {
    "at": AT,
    "end": END,
    "place": None,
    "url": "https://meet.example.jp/abc",
    "purpose": "現状の業務フローと課題の確認",
    "prepare": "現行の申請様式",
    "attendees_ours": ["佐藤 一郎（株式会社サンプル）", "山田 太郎"],
    "attendees_theirs": ["田中 花子"],
    "theirs_label": "倉敷市様",
    "reply_by": date(2026, 10, 2),
}
PEOPLE: dict[str, Any] = {
    "consultant_name": "佐藤 一郎",
    "consultant_company": "株式会社サンプル",
    "subcontracted": None,
    "contact": "田中 花子 tanaka@city.kurashiki.example.jp",
}

EXTRA: dict[str, dict[str, Any]] = {
    "hearing_invitation": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        **EVENT,
        **PEOPLE,
        "rescheduled": False,
    },
    "hearing_reassigned": {"org_name": "倉敷市", "theme_name": "生成AI", "at": AT},
    "dispatch_invitation": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        **EVENT,
        **PEOPLE,
        "place": "倉敷市役所 本庁舎5階 会議室",
        "url": None,
        "mode": "onsite",
        "confirmed": True,
    },
    "dispatch_cancelled": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        "at": AT,
        "reason": "先方の都合により中止",
        "reason_external": "天候等の事情により",
    },
    "meeting_invitation": {
        "meeting_label": "定例報告会",
        **EVENT,
        "place": "会議室A",
        "url": "https://meet.example.jp/x",
        "attendees_ours": [],
        "attendees_theirs": [],
    },
    "meeting_cancelled": {
        "meeting_label": "定例報告会",
        "at": AT,
        "reason": "日程重複のため",
        "reason_external": "日程の都合により",
    },
    "approval_request": {
        "item_title": "支援計画書（倉敷市・生成AI）",
        "org_name": "倉敷市",
        "details": [
            ("団体・部署", "倉敷市 企画財政局 デジタル推進室"),
            ("テーマ", "生成AI"),
            ("ヒアリング実施日", "令和8年5月11日（月）"),
            ("現状・課題", "問い合わせ対応に時間がかかっている。"),
            ("支援の目標", "生成AIの庁内利用ガイドラインを策定する。\n職員研修を2回実施する。"),
            ("派遣予定", "6回（6月・7月・9月）"),
            ("担当専門人材", "佐藤 一郎（株式会社サンプル）\n実績：自治体AI導入10件"),
            ("派遣回数の枠", "年間470回（うち標準化360回）、1団体あたり月2回まで"),
        ],
        "ask_label": "承認依頼",
        "reply_line": "ご承認いただける場合は、その旨を本メールへのご返信でお知らせください。",
        "files": [
            {"name": "支援計画書_倉敷市・生成AI_第1版.docx", "size": 31234, "attached": True}
        ],
    },
    "decision_recorded": {
        "item_title": "業務完了報告書",
        "decision_label": "完了検査合格",
        "reason": None,
        "next_step": "委託料の請求手続きに進んでください。",
        "decided_by": "県 太郎",
        "decided_on": date(2027, 3, 31),
        "ref": "デジ第120号",
    },
    "expert_proposal": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        "dept": "企画財政局 デジタル推進室",
        "consultant_name": "鈴木 健",
        "consultant_company": "株式会社サンプル",
        "subcontracted": "県の承認を得た再委託先",
        "fields": "生成AI、業務改革",
        "track_record": "自治体AI導入10件",
        "reason": "他県の市で生成AIの利用規程の策定を支援した経験があるため",
        "current_name": None,
    },
    "expert_agreed": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        "consultant_name": "鈴木 健",
        "consultant_company": "株式会社サンプル",
        "subcontracted": "県の承認を得た再委託先",
        "former_name": "佐藤 一郎",
        "in_support": True,
    },
    "dispatch_reassigned": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        **EVENT,
        **PEOPLE,
        "consultant_name": "鈴木 健",
        "attendees_ours": ["鈴木 健（株式会社サンプル）", "山田 太郎"],
        "place": "倉敷市役所 本庁舎5階 会議室",
        "url": None,
        "mode": "onsite",
        "confirmed": True,
        "former_name": "佐藤 一郎",
    },
    "dispatch_released": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        "at": AT,
        "successor_name": "鈴木 健",
    },
    "meeting_delay_notice": {
        "meeting_label": "定例報告会",
        "month_label": "令和8年9月",
        "due": date(2026, 9, 30),
        "until": date(2026, 10, 6),
        "reason": "県との日程調整がつかなかったため",
        "today": date(2026, 10, 1),
        "figures": [("専門人材派遣（実施済）", "12回"), ("支援案件（支援中）", "4件")],
        "figures_label": "令和8年9月",
    },
    "plan_approved": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        "consultant_name": "佐藤 一郎",
        "consultant_company": "株式会社サンプル",
        "planned": "6回",
    },
    "visit_record": {
        "org_name": "倉敷市",
        "theme_name": "生成AI",
        "at": AT,
        "summary": "ガイドライン案を確認し、研修の進め方を決めた。",
    },
    "consultation_assigned": {
        "org_name": "倉敷市",
        "topic": "RPAの導入について相談したい",
        "due": date(2026, 10, 14),
        "contact_name": "田中 花子",
        "contact_email": CONTACT,
        "contact_phone": "086-426-0000",
    },
    "delay_notice": {
        "item_title": "月次業務報告書（令和8年9月分）",
        "due": date(2026, 10, 13),
        "until": date(2026, 10, 16),
        "reason": "集計の確認に時間を要しているため",
        "today": date(2026, 10, 14),
        "figures": [("専門人材派遣", "12回"), ("ヒアリング", "4件")],
        "figures_label": "令和8年10月",
    },
    "deadline_reminder": {
        "title": "支援計画書の作成（倉敷市・生成AI）",
        "due": date(2026, 10, 13),
        "explanation": "起算日（令和8年9月29日）から10営業日以内",
        "days": 2,
    },
    "deadline_overdue": {
        "title": "月次業務報告書（令和8年9月分）の提出",
        "due": date(2026, 10, 13),
        "explanation": "翌月10日まで。本来の期日令和8年10月10日が県の閉庁日にあたるため、"
        "開庁日の令和8年10月13日としています",
        "days": 3,
        "delay_command": "banso deliverable notify-delay 7 --until YYYY-MM-DD --reason 理由",
        "last_notice": False,
    },
    "monthly_report_drafted": {
        "month_label": "令和8年4月分",
        "deliverable_id": 7,
        "version": 1,
        "files": ["var/documents/月次業務報告書_令和8年4月分_第1版.docx"],
    },
    "daily_digest": {
        "today": date(2026, 10, 9),
        "groups": {
            "today": [
                {
                    "title": "相談への初回対応（倉敷市）",
                    "due": date(2026, 10, 9),
                    "status": "open",
                    "topic": "RPAの導入について相談したい",
                }
            ],
            "overdue": [
                {
                    "title": "支援計画書の作成（倉敷市・生成AI）",
                    "due": date(2026, 10, 8),
                    "status": "missed",
                    "topic": None,
                }
            ],
            "week": [
                {
                    "title": "派遣実施記録の登録（倉敷市・生成AI）",
                    "due": date(2026, 10, 14),
                    "status": "open",
                    "topic": None,
                }
            ],
        },
    },
    "dead_letter": {
        "failed_subject": "【DX伴走支援】ヒアリング日程のご案内（倉敷市・生成AI）",
        "failed_to": [CONTACT],
        "attempts": 8,
        "last_error": "smtp://mail.example.jp:587: recipients refused: 550 5.1.1 user unknown",
        "what_happened": "宛先が存在しません",
        "message_id": "<0123abcd@banso.example.jp>",
        "outbox_id": 42,
    },
    "set_aside": {
        "item_title": "支援計画書の提出（倉敷市・生成AI）",
        "about": "案件12",
        "reason": "InvalidValue: subject: contains a line break",
    },
}

# Kinds the prefecture receives: addressed with the department and the title.
TO_PREFECTURE = {"approval_request", "delay_notice", "meeting_delay_notice", "expert_proposal"}

# Kinds the contractor's own people receive (the internal greeting).
INTERNAL = {
    "set_aside",
    "decision_recorded",
    "consultation_assigned",
    "deadline_reminder",
    "deadline_overdue",
    "monthly_report_drafted",
    "daily_digest",
    "dead_letter",
    "dispatch_released",
}


def example(kind: str, **changes: Any) -> dict[str, Any]:
    recipient: dict[str, Any] = {}
    if kind in INTERNAL:
        recipient = {
            "name": "佐藤 一郎",
            "org_name": "株式会社サンプル",
            "dept": None,
            "internal": True,
        }
    if kind in TO_PREFECTURE:
        recipient = {
            "name": "県 太郎",
            "org_name": "岡山県",
            "dept": "総務部 デジタル推進課",
            "title": "主任",
        }
    return {**common(**recipient), **EXTRA[kind], **changes}
