"""The mail templates: every kind renders in full, with its tag, addressing,
signature and the "sent automatically" line; a missing key is an error; header
values with line breaks are refused; a mail about one organisation names no other.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from banso.engine.errors import InvalidValue
from banso.engine.outbox import Attachment
from banso.notifications.render import COMMON, KINDS, TEMPLATES, MailRenderer, wareki, wareki_dt
from tests.support.mail_examples import (
    AT,
    CONTACT,
    EXTRA,
    INTERNAL,
    PROGRAMME,
    TAG,
    TO_PREFECTURE,
    common,
    example,
)

AUTO_LINE = (
    "※本メールは伴走支援管理システムから自動送信しています。"
    "このメールにご返信いただくと、担当の山田 太郎に届きます。"
)

# Every organisation of the programme (DOMAIN.md), to check that a mail about
# 倉敷市 names no other (§11 confidentiality).
ORGANISATIONS = (
    "岡山県",
    "岡山市",
    "倉敷市",
    "津山市",
    "玉野市",
    "笠岡市",
    "井原市",
    "総社市",
    "高梁市",
    "新見市",
    "備前市",
    "瀬戸内市",
    "赤磐市",
    "真庭市",
    "美作市",
    "浅口市",
    "和気町",
    "早島町",
    "里庄町",
    "矢掛町",
    "鏡野町",
    "勝央町",
    "奈義町",
    "久米南町",
    "美咲町",
    "吉備中央町",
    "新庄村",
    "西粟倉村",
)


TAGS = {
    "hearing_invitation": "ヒアリング",
    "dispatch_invitation": "専門人材派遣",
    "dispatch_cancelled": "【中止】",
    "hearing_reassigned": "ヒアリング担当変更",
    "meeting_invitation": "定例報告会開催",
    "meeting_cancelled": "【中止】",
    "approval_request": "【承認依頼】",
    "decision_recorded": "【完了検査合格】",
    "plan_approved": "支援計画承認",
    "visit_record": "専門人材派遣の実施記録",
    "consultation_assigned": "相談の担当",
    "delay_notice": "【提出遅延のご連絡】",
    "deadline_reminder": "【リマインド】",
    "deadline_overdue": "【期限超過】",
    "monthly_report_drafted": "月次業務報告書",
    "daily_digest": "期限の一覧",
    "dead_letter": "【送信失敗】",
    "set_aside": "【保留】",
    "expert_proposal": "【ご協議】担当専門人材の選定",
    "expert_agreed": "担当専門人材変更",
    "dispatch_reassigned": "専門人材派遣 担当変更",
    "dispatch_released": "専門人材派遣 担当交代",
    "meeting_delay_notice": "【開催遅延のご連絡】",
}


@pytest.fixture(scope="module")
def renderer() -> MailRenderer:
    return MailRenderer()


def context(kind: str, **changes: Any) -> dict[str, Any]:
    return example(kind, **changes)


def test_the_fixtures_cover_every_kind_and_exactly_its_keys() -> None:
    assert set(EXTRA) == set(KINDS) == set(TAGS)
    for kind, keys in KINDS.items():
        assert set(EXTRA[kind]) == set(keys), kind
    shipped = {p.name.removesuffix(".txt.j2") for p in TEMPLATES.glob("[!_]*.txt.j2")}
    assert shipped == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_full(renderer: MailRenderer, kind: str) -> None:
    subject, text = renderer.render(kind, context(kind))

    assert subject.startswith(TAG + TAGS[kind])
    assert "\n" not in subject and subject == subject.strip()
    for rendered in (subject, text):
        assert "{{" not in rendered and "}}" not in rendered and "{%" not in rendered
        assert "None" not in rendered and "Undefined" not in rendered
        assert re.search(r"\d{4}-\d{2}-\d{2}", rendered) is None, "no ISO date"
        assert "+09:00" not in rendered
    first = (
        "株式会社サンプル 佐藤 一郎 様"
        if kind in INTERNAL
        else "岡山県 総務部 デジタル推進課 主任 県 太郎 様"
        if kind in TO_PREFECTURE
        else "倉敷市 企画財政局 デジタル推進室 田中 花子 様"
    )
    assert text.startswith(first + "\n")
    assert "株式会社サンプル\nプロジェクト責任者　山田 太郎" in text
    assert "yamada@contractor.example.jp" in text and "TEL: 086-000-0000" in text
    assert PROGRAMME in text
    assert text.rstrip("\n").endswith(AUTO_LINE)
    assert text.endswith("\n") and "\n\n\n" not in text
    rules = [line for line in text.splitlines() if line and set(line) == {"━"}]
    assert len(rules) == 2, "the signature is framed by two rules"
    if kind not in INTERNAL:
        assert "banso " not in text, "no command in a mail outside the contractor"


def test_the_essentials_come_first(renderer: MailRenderer) -> None:
    _, text = renderer.render("dispatch_invitation", context("dispatch_invitation"))
    when = text.index("令和8年10月9日（金）10:00〜12:00")
    where = text.index("倉敷市役所 本庁舎5階 会議室")
    assert when < where < text.index("■ 担当　：佐藤 一郎")
    assert when < text.index("━━━")


@pytest.mark.parametrize(
    ("recipient", "first_line"),
    [
        ({}, "倉敷市 企画財政局 デジタル推進室 田中 花子 様"),
        ({"dept": None}, "倉敷市 田中 花子 様"),
        ({"org_name": None, "dept": None}, "田中 花子 様"),
        ({"name": None, "dept": None}, "倉敷市 御中"),
        ({"name": None}, "倉敷市 企画財政局 デジタル推進室 御中"),
        ({"name": None, "org_name": None, "dept": None}, "ご担当者 様"),
    ],
)
def test_addressing(renderer: MailRenderer, recipient: dict[str, Any], first_line: str) -> None:
    ctx = {**context("meeting_invitation"), "recipient": {**common()["recipient"], **recipient}}
    _, text = renderer.render("meeting_invitation", ctx)
    assert text.splitlines()[0] == first_line


def test_first_mail_introduces_the_contractor_later_ones_open_normally(
    renderer: MailRenderer,
) -> None:
    first = context("hearing_invitation", recipient={**common()["recipient"], "first": True})
    _, text = renderer.render("hearing_invitation", first)
    assert "突然のご連絡失礼いたします。" in text
    assert "岡山県総務部デジタル推進課から「令和8年度 県・市町村DX推進伴走支援事業」を受託" in text
    _, later = renderer.render("hearing_invitation", context("hearing_invitation"))
    assert "突然" not in later and "いつもお世話になっております。" in later
    inside = context(
        "hearing_invitation",
        recipient={
            "name": "佐藤 一郎",
            "org_name": "株式会社サンプル",
            "dept": None,
            "internal": True,
            "first": False,
        },
    )
    _, internal = renderer.render("hearing_invitation", inside)
    assert "お疲れ様です。" in internal and "いつもお世話" not in internal
    assert len(internal) < len(later)


def test_subjects_follow_the_flags(renderer: MailRenderer) -> None:
    def subject(kind: str, **changes: Any) -> str:
        return renderer.render(kind, context(kind, **changes))[0]

    assert subject("hearing_invitation") == f"{TAG}ヒアリング日程のご案内（倉敷市・生成AI）"
    assert "日程変更" in subject("hearing_invitation", rescheduled=True)
    assert "日程確定のお知らせ" in subject("dispatch_invitation", confirmed=True)
    assert "（仮）" in subject("dispatch_invitation", confirmed=False)
    assert subject("approval_request") == f"{TAG}【承認依頼】支援計画書（倉敷市・生成AI）"
    assert subject("dispatch_cancelled").startswith(f"{TAG}【中止】")
    assert subject("deadline_overdue").startswith(f"{TAG}【期限超過】月次業務報告書")


def test_web_and_onsite_dispatches(renderer: MailRenderer) -> None:
    _, onsite = renderer.render("dispatch_invitation", context("dispatch_invitation"))
    assert "■ 形式　：訪問" in onsite and "倉敷市役所" in onsite and "会議URL" not in onsite
    web = context("dispatch_invitation", mode="web", place=None, url="https://meet.example.jp/w")
    _, text = renderer.render("dispatch_invitation", web)
    assert "■ 形式　：WEB会議" in text and "https://meet.example.jp/w" in text
    assert "追って" not in text
    with pytest.raises(ValueError, match="dispatch mode"):
        renderer.render("dispatch_invitation", context("dispatch_invitation", mode="phone"))


def test_the_cancellation_outside_uses_the_external_wording(renderer: MailRenderer) -> None:
    _, text = renderer.render("dispatch_cancelled", context("dispatch_cancelled"))
    assert "天候等の事情により中止" in text and "先方の都合" not in text
    inside = context(
        "dispatch_cancelled",
        recipient={
            "name": "佐藤 一郎",
            "org_name": None,
            "dept": None,
            "internal": True,
            "first": False,
        },
    )
    _, internal = renderer.render("dispatch_cancelled", inside)
    assert "理由（社内）：先方の都合により中止" in internal


def test_deadline_details(renderer: MailRenderer) -> None:
    _, text = renderer.render("deadline_reminder", context("deadline_reminder"))
    assert "令和8年10月13日（火）（あと2営業日）" in text
    assert "写し" not in text and "県のご担当者" not in text
    _, today = renderer.render("deadline_reminder", context("deadline_reminder", days=0))
    assert "本日が期限です" in today
    _, overdue = renderer.render("deadline_overdue", context("deadline_overdue"))
    assert "3営業日過ぎております" in overdue and "閉庁日" in overdue
    assert "banso deliverable notify-delay 7" in overdue
    _, last = renderer.render("deadline_overdue", context("deadline_overdue", last_notice=True))
    assert "今回が最後です" in last


def test_the_digest_groups_its_items(renderer: MailRenderer) -> None:
    _, text = renderer.render("daily_digest", context("daily_digest"))
    today, late, week = (text.index(h) for h in ("【本日期限】", "【期限超過】", "【今後7日】"))
    assert today < late < week
    assert "内容：RPAの導入について相談したい" in text
    assert "期限：令和8年10月8日（木）　状態：期限超過" in text


def test_the_approval_request_stands_alone(renderer: MailRenderer) -> None:
    _, text = renderer.render("approval_request", context("approval_request"))
    assert "banso" not in text
    for words in (
        "現状・課題",
        "支援の目標",
        "担当専門人材",
        "株式会社サンプル",
        "派遣回数の枠",
        "6回（6月・7月・9月）",
        "ご返信",
    ):
        assert words in text, words
    assert "  職員研修を2回実施する。" in text
    _, no_org = renderer.render("approval_request", context("approval_request", org_name=None))
    assert "■ 団体　：" not in no_org


@pytest.mark.parametrize(("kind", "key"), [(k, key) for k in KINDS for key in KINDS[k]])
def test_a_missing_key_is_an_error_not_a_blank(renderer: MailRenderer, kind: str, key: str) -> None:
    ctx = context(kind)
    del ctx[key]
    with pytest.raises(UndefinedError, match=key):
        renderer.render(kind, ctx)


@pytest.mark.parametrize("key", COMMON)
def test_a_missing_common_key_is_an_error(renderer: MailRenderer, key: str) -> None:
    ctx = context("dead_letter")
    del ctx[key]
    with pytest.raises(UndefinedError):
        renderer.render("dead_letter", ctx)


def test_a_missing_nested_key_is_an_error(renderer: MailRenderer) -> None:
    ctx = context("meeting_invitation", lead={"name": "山田 太郎", "email": "y@example.jp"})
    with pytest.raises(UndefinedError, match="company"):
        renderer.render("meeting_invitation", ctx)


def test_an_unknown_kind_is_refused(renderer: MailRenderer) -> None:
    for kind in ("no_such_kind", "_layout", "../etc/passwd"):
        with pytest.raises(InvalidValue, match="mail kind"):
            renderer.render(kind, context("dead_letter"))


def test_the_override_directory_wins(tmp_path: Path) -> None:
    (tmp_path / "meeting_invitation.txt.j2").write_text(
        '{% extends "_layout.txt.j2" %}\n'
        "{% block subject %}【ご案内】{{ meeting_label }}のお知らせ（県版）{% endblock %}\n"
        "{% block body %}\n県で書き換えた本文です。\n{% endblock %}\n",
        encoding="utf-8",
    )
    renderer = MailRenderer(tmp_path)
    subject, text = renderer.render("meeting_invitation", context("meeting_invitation"))
    assert subject == TAG + "【ご案内】定例報告会のお知らせ（県版）"
    assert "県で書き換えた本文です。" in text and text.rstrip().endswith(AUTO_LINE)
    # Kinds not overridden still come from the package.
    other, _ = renderer.render("meeting_cancelled", context("meeting_cancelled"))
    assert other.startswith(TAG + "【中止】定例報告会")


def test_compose_makes_an_outgoing_message(renderer: MailRenderer) -> None:
    ics = Attachment("invite.ics", "text/calendar; method=REQUEST; charset=UTF-8", b"BEGIN")
    message = renderer.compose(
        key="event:7:" + CONTACT,
        kind="hearing_invitation",
        to=[CONTACT],
        cc=("pref@pref.okayama.example.jp",),
        context=context("hearing_invitation"),
        attachments=[ics],
        about_kind="engagement",
        about_id=12,
    )
    assert message.to == (CONTACT,) and message.cc == ("pref@pref.okayama.example.jp",)
    assert message.subject.startswith(TAG) and message.kind == "hearing_invitation"
    assert message.attachments == (ics,)
    assert (message.about_kind, message.about_id) == ("engagement", 12)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("to", {"to": [CONTACT + "\r\nBcc: everyone@example.jp"]}),
        ("to", {"to": [CONTACT + "\n"]}),
        ("to", {"to": [f"{CONTACT}, other@example.jp"]}),
        ("to", {"to": ["田中 <tanaka@example.jp>"]}),
        ("to", {"to": ["not-an-address"]}),
        ("to", {"to": []}),
        ("to", {"to": CONTACT}),  # a bare string, not a list
        ("cc", {"cc": ["pref@example.jp\rBcc: x@example.jp"]}),
        ("cc", {"cc": ["pref@example.jp\x00"]}),
        ("subject", {"context": context("hearing_invitation", org_name="倉敷市\r\nBcc: x@y.jp")}),
        ("subject", {"context": context("hearing_invitation", theme_name="生成AI\u2028X: y")}),
        (
            "attachment filename",
            {"attachments": [Attachment("invite.ics\r\nX: y", "text/calendar", b"")]},
        ),
    ],
)
def test_header_injection_is_refused(
    renderer: MailRenderer, field: str, changes: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {
        "key": "k",
        "kind": "hearing_invitation",
        "to": [CONTACT],
        "context": context("hearing_invitation"),
        **changes,
    }
    with pytest.raises(InvalidValue) as caught:
        renderer.compose(**arguments)
    assert caught.value.where == f"mail {field}"


def test_line_breaks_in_the_body_are_fine(renderer: MailRenderer) -> None:
    ctx = context("dispatch_cancelled", reason="台風接近のため。\n後日改めて調整します。")
    ctx["recipient"] = {**ctx["recipient"], "internal": True}
    message = renderer.compose(key="k", kind="dispatch_cancelled", to=[CONTACT], context=ctx)
    assert "後日改めて調整します。" in message.text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_mail_about_kurashiki_names_no_other_organisation(
    renderer: MailRenderer, kind: str
) -> None:
    subject, text = renderer.render(kind, context(kind))
    if kind in TO_PREFECTURE:  # the prefecture's own name is in its address line only
        address, text = text.split("\n", 1)
        assert address.startswith("岡山県 ")
    others = [org for org in ORGANISATIONS if org != "倉敷市"]
    assert [org for org in others if org in subject + text] == []


def test_templates_name_no_organisation_themselves() -> None:
    for path in TEMPLATES.glob("*.txt.j2"):
        source = path.read_text(encoding="utf-8")
        assert [org for org in ORGANISATIONS if org in source] == [], path.name


def test_wareki_filters() -> None:
    assert wareki(date(2026, 10, 9)) == "令和8年10月9日"
    assert wareki(date(2019, 5, 1), weekday=True) == "令和元年5月1日（水）"
    assert wareki_dt(AT) == "令和8年10月9日（金）10:00"
    assert wareki_dt(datetime(2027, 1, 4, 23, 30, tzinfo=UTC)) == "令和9年1月5日（火）8:30"
    assert wareki_dt(AT, time=False) == "令和8年10月9日（金）"
    with pytest.raises(ValueError):
        wareki(AT)
    with pytest.raises(ValueError):
        wareki_dt(datetime(2026, 10, 9, 10, 0))


def test_rendering_a_sweep_of_reminders_is_fast(renderer: MailRenderer) -> None:
    """A daemon sweep renders about 1,000 reminders; the bound is loose, the
    figure is for the report (bench/bench_send.py prints it too)."""
    ctx = context("deadline_reminder")
    renderer.compose(key="warm", kind="deadline_reminder", to=[CONTACT], context=ctx)
    start = time.perf_counter()
    for i in range(1000):
        renderer.compose(key=f"deadline:{i}:0", kind="deadline_reminder", to=[CONTACT], context=ctx)
    elapsed = timedelta(seconds=time.perf_counter() - start)
    assert elapsed < timedelta(seconds=5)
