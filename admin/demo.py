"""`banso demo`: a year of the programme on the embedded default, as a transcript.

Every step is a real `banso` command run in this process against a fresh
SQLite database, printed as a person would type it, with its output; a few
steps are meant to be refused, to show the rules at work.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from banso.admin.samples import SAMPLES
from banso.engine.errors import BansoError

PREF = "taro.kenmin@pref.okayama.example.jp"
LEAD = "ichiro.bansou@contractor.example.jp"
HANAKO = "hanako.sato@contractor.example.jp"
KENJI = "kenji.yamada@contractor.example.jp"
JIRO = "jiro.gaichu@partner.example.jp"
PARTNER = "株式会社パートナーDX"


class Transcript:
    """Runs steps and prints them; counts what was refused as expected."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.refused = 0

    def say(self, text: str) -> None:
        click.secho(f"\n# {text}", bold=True)

    def run(self, now: str, who: str | None, *args: str, expect: int = 0) -> None:
        from banso.admin.cli import cli

        shown = ["banso", *(["--as", who] if who else []), *args]
        click.echo(f"[{now[:16].replace('T', ' ')}] $ {shlex.join(shown)}")
        argv = ["--db", self.url, *(["--as", who] if who else []), *args]
        # The demo travels through the fiscal year: each step runs at its own "now".
        environ = {**os.environ, "BANSO_NOW": now}
        try:
            cli.main(args=argv, prog_name="banso", standalone_mode=False, obj=environ)
            code = 0
        except BansoError as exc:
            click.echo(f"banso: {exc}")
            code = exc.exit_code
        if code != expect:
            raise click.ClickException(
                f"demo step {shlex.join(shown)} ended {code}, expected {expect}"
            )
        if code:
            self.refused += 1


def run_demo(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "banso.db"
    for leftover in folder.glob("banso.db*"):
        leftover.unlink()
    t = Transcript(f"sqlite:///{db}")
    d = "2026-04-01T09:00+09:00"

    t.say("契約開始: データベースを作り、岡山県の団体とテーマを読み込む")
    t.run(
        d,
        None,
        "init",
        "--sample",
        "okayama",
        "--kickoff",
        "2026-04-15",
        "--contractor",
        "株式会社伴走デジタル",
    )
    t.run(
        d,
        None,
        "person",
        "add",
        "--name",
        "県民 太郎",
        "--email",
        PREF,
        "--role",
        "prefecture",
        "--org",
        "330001-01",
    )
    t.run(d, PREF, "person", "add", "--name", "伴走 一郎", "--email", LEAD, "--role", "lead")
    t.run(
        d,
        LEAD,
        "person",
        "add",
        "--name",
        "佐藤 花子",
        "--email",
        HANAKO,
        "--role",
        "consultant",
        "--fields",
        "情報システム標準化,ガバメントクラウド",
        "--record",
        "中核市の標準化移行支援 3件",
    )
    t.run(
        d,
        LEAD,
        "person",
        "add",
        "--name",
        "山田 健二",
        "--email",
        KENJI,
        "--role",
        "consultant",
        "--fields",
        "生成AI,BPR,情報セキュリティ",
    )
    t.run(d, LEAD, "subcontractor", "add", "--name", PARTNER, "--scope", "ノーコード支援")
    t.run(
        d,
        LEAD,
        "person",
        "add",
        "--name",
        "外注 次郎",
        "--email",
        JIRO,
        "--role",
        "consultant",
        "--company",
        PARTNER,
        "--fields",
        "ノーコード・ローコード",
    )

    t.say("体制図を作成・提出し、県が承認する")
    t.run("2026-04-06T10:00+09:00", LEAD, "deliverable", "draft", "1")
    t.run("2026-04-06T10:05+09:00", LEAD, "deliverable", "submit", "1")
    t.run("2026-04-07T15:00+09:00", PREF, "deliverable", "approve", "1")

    t.say("支援要望調査を取り込む（5団体）")
    t.run(
        "2026-04-10T09:00+09:00", LEAD, "survey", "import", str(SAMPLES / "okayama" / "survey.csv")
    )
    t.run("2026-04-10T09:01+09:00", LEAD, "engagement", "list")

    t.say("キックオフ会議")
    t.run(
        "2026-04-10T09:05+09:00",
        LEAD,
        "meeting",
        "schedule",
        "kickoff",
        "--at",
        "2026-04-15T14:00",
        "--url",
        "https://meet.example.jp/banso-kickoff",
    )
    t.run(
        "2026-04-15T16:00+09:00",
        LEAD,
        "meeting",
        "hold",
        "1",
        "--minutes",
        "業務実施計画書と専門人材一覧表を説明し、了承を得た",
    )

    t.say("岡山市・標準化: ヒアリング → 支援計画 → 県の承認 → 支援開始")
    t.run("2026-04-16T09:00+09:00", PREF, "engagement", "approve-plan", "1", expect=1)
    t.run(
        "2026-04-16T09:00+09:00",
        LEAD,
        "engagement",
        "schedule-hearing",
        "1",
        "--at",
        "2026-04-21T10:00",
        "--consultant",
        HANAKO,
    )
    t.run(
        "2026-04-21T12:00+09:00",
        HANAKO,
        "engagement",
        "record-hearing",
        "1",
        "--findings",
        "移行後の運用手順が未整備。ガバメントクラウド利用料が想定を超過",
    )
    t.run(
        "2026-04-24T17:00+09:00",
        HANAKO,
        "engagement",
        "draft-plan",
        "1",
        "--goals",
        "運用手順書の整備とクラウド利用料の見直し",
        "--planned-dispatches",
        "6",
    )
    t.run("2026-04-27T10:00+09:00", LEAD, "engagement", "approve-plan", "1", expect=1)
    t.run("2026-04-27T10:00+09:00", PREF, "engagement", "approve-plan", "1")
    t.run("2026-04-28T09:00+09:00", LEAD, "engagement", "start", "1")

    t.say("派遣: 月2回まで。3回目は県かプロジェクト責任者の --override が要る")
    t.run(
        "2026-04-28T09:10+09:00",
        HANAKO,
        "dispatch",
        "plan",
        "1",
        "--at",
        "2026-05-12T13:30",
        "--mode",
        "onsite",
    )
    t.run(
        "2026-04-28T09:11+09:00",
        HANAKO,
        "dispatch",
        "plan",
        "1",
        "--at",
        "2026-05-26T13:30",
        "--mode",
        "web",
    )
    t.run(
        "2026-04-28T09:12+09:00",
        HANAKO,
        "dispatch",
        "plan",
        "1",
        "--at",
        "2026-05-28T13:30",
        "--mode",
        "web",
        expect=1,
    )
    t.run(
        "2026-04-28T09:13+09:00",
        LEAD,
        "dispatch",
        "plan",
        "1",
        "--at",
        "2026-05-28T13:30",
        "--mode",
        "web",
        "--override",
        "県の依頼による臨時の打合せ",
    )
    t.say("新庄村・ノーコード: 再委託先の専門人材は、県の書面承認までは充てられない")
    t.run(
        "2026-05-01T09:00+09:00",
        LEAD,
        "engagement",
        "schedule-hearing",
        "5",
        "--at",
        "2026-05-13T10:00",
        "--consultant",
        JIRO,
        expect=1,
    )
    t.run(
        "2026-05-01T11:00+09:00", PREF, "subcontractor", "approve", PARTNER, "--ref", "デジ第512号"
    )
    t.run(
        "2026-05-01T11:30+09:00",
        LEAD,
        "engagement",
        "schedule-hearing",
        "5",
        "--at",
        "2026-05-13T10:00",
        "--consultant",
        JIRO,
    )

    t.say("定例報告会と月次業務報告書（4月分）: 県が差し戻し、再提出して承認")
    t.run(
        "2026-05-01T09:00+09:00",
        LEAD,
        "meeting",
        "schedule",
        "monthly",
        "--at",
        "2026-05-20T14:00",
        "--url",
        "https://meet.example.jp/banso-monthly",
    )
    t.run(
        "2026-05-01T09:01+09:00",
        LEAD,
        "meeting",
        "schedule",
        "monthly",
        "--at",
        "2026-05-27T14:00",
        expect=1,
    )
    t.run(
        "2026-05-20T16:00+09:00",
        LEAD,
        "meeting",
        "hold",
        "2",
        "--minutes",
        "4月の進捗と5月の予定を報告",
    )
    t.run("2026-05-07T09:00+09:00", LEAD, "deliverable", "draft", "4")
    t.run("2026-05-07T09:30+09:00", LEAD, "deliverable", "submit", "4")
    t.run(
        "2026-05-08T13:00+09:00",
        PREF,
        "deliverable",
        "return",
        "4",
        "--reason",
        "相談対応件数の内訳を追記してください",
    )
    t.run("2026-05-08T16:00+09:00", LEAD, "deliverable", "draft", "4")
    t.run("2026-05-08T16:10+09:00", LEAD, "deliverable", "submit", "4")
    t.run("2026-05-11T10:00+09:00", PREF, "deliverable", "approve", "4")

    t.say("相談窓口: 県が受け付け、専門人材が回答する")
    t.run(
        "2026-05-07T10:00+09:00",
        PREF,
        "consultation",
        "new",
        "--org",
        "332089",
        "--topic",
        "生成AIの議事録作成への利用可否",
        "--channel",
        "mail",
    )
    t.run("2026-05-07T11:00+09:00", LEAD, "consultation", "assign", "1", "--consultant", KENJI)
    t.run(
        "2026-05-08T15:00+09:00",
        KENJI,
        "consultation",
        "answer",
        "1",
        "--channel",
        "web",
        "--summary",
        "個人情報を含まない範囲での試行手順を説明",
    )
    t.run("2026-05-09T09:00+09:00", LEAD, "consultation", "close", "1")

    t.say("派遣を実施し、記録する（1件は先方の都合で中止）")
    t.run("2026-05-08T09:00+09:00", HANAKO, "dispatch", "confirm", "1")
    t.run(
        "2026-05-12T17:00+09:00",
        HANAKO,
        "dispatch",
        "record",
        "1",
        "--summary",
        "運用手順書の骨子を作成",
        "--hours",
        "3",
    )
    t.run(
        "2026-05-20T09:00+09:00",
        LEAD,
        "dispatch",
        "cancel",
        "2",
        "--reason",
        "先方の都合により中止",
    )
    t.run("2026-05-25T09:00+09:00", HANAKO, "dispatch", "confirm", "3")
    t.run(
        "2026-05-28T17:00+09:00",
        HANAKO,
        "dispatch",
        "record",
        "3",
        "--summary",
        "クラウド利用料の内訳を確認",
        "--hours",
        "2",
    )

    t.say("支援の成果を報告する")
    t.run(
        "2026-06-01T09:00+09:00",
        HANAKO,
        "engagement",
        "report",
        "1",
        "--outcome",
        "運用手順書を整備し、クラウド利用料を月額15%削減する見直し案を合意",
    )
    t.run("2026-06-01T09:05+09:00", LEAD, "engagement", "show", "1")
    t.run("2026-06-01T09:10+09:00", LEAD, "history", "engagement", "1")

    t.say("予算（派遣回数）と監査証跡")
    t.run("2026-06-01T09:15+09:00", LEAD, "budget")
    t.run("2026-06-01T09:16+09:00", LEAD, "audit", "verify")

    click.secho(
        f"\nDemo finished: {t.refused} step(s) refused as intended. The database is {db};"
        f" explore it with e.g. `.venv/bin/banso --db sqlite:///{db} engagement list`.",
        bold=True,
    )
