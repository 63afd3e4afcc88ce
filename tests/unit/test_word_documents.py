"""The Word deliverables (documents/word.py): each made from the sample content, opened
back with python-docx and read for the headings, the figures, 和暦 dates, A4 pages and
Japanese fonts; the contractor's own template in ``templates_dir`` wins over the shipped one.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from banso.documents import chart, word
from banso.documents.render import Renderer
from banso.documents.templates import build
from banso.engine.errors import InvalidValue
from banso.services import content as c
from tests.support import content as samples

WORD_KINDS = (
    "org_chart",
    "implementation_plan",
    "support_plan",
    "monthly_report",
    "completion_report",
    "cover_letter",
)

needs_font = pytest.mark.skipif(
    chart.cjk_font() is None, reason="no Japanese font installed to draw the charts with"
)


def _sample(kind: str) -> c.Content:
    content = samples.SAMPLES[kind]()
    assert isinstance(content, word.WordContent)
    return content


def _open(data: bytes) -> Any:
    return docx.Document(BytesIO(data))


def _render(content: c.Content, templates_dir: Path | None = None) -> Any:
    return _open(word.render(content, templates_dir))


def _paragraphs(document: Any) -> Iterator[Any]:
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _text(document: Any) -> str:
    return "\n".join(p.text for p in _paragraphs(document))


def _headings(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


def _rows(document: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def _pictures(document: Any) -> list[bytes]:
    return [
        rel.target_part.blob
        for rel in document.part.rels.values()
        if rel.reltype.endswith("/image")
    ]


# -- every document -------------------------------------------------------------------


@pytest.mark.parametrize("kind", WORD_KINDS)
def test_every_document_is_a4_with_margins_of_20_to_25_mm(kind: str) -> None:
    document = _render(_sample(kind))
    for section in document.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
        for margin in (section.top_margin, section.bottom_margin, section.left_margin,
                       section.right_margin):  # fmt: skip
            assert Mm(20) - Mm(0.5) <= margin <= Mm(25) + Mm(0.5)


def _east_asia(style: Any) -> str | None:
    rpr = style.element.rPr
    fonts = None if rpr is None else rpr.find(qn("w:rFonts"))
    if fonts is None or fonts.get(qn("w:eastAsiaTheme")) is not None:
        return None  # a theme font would win over the named one in Word
    value: str | None = fonts.get(qn("w:eastAsia"))
    return value


@pytest.mark.parametrize("kind", WORD_KINDS)
def test_every_style_used_names_a_japanese_east_asian_font(kind: str) -> None:
    document = _render(_sample(kind))
    used = {p.style.style_id: p.style for p in _paragraphs(document)}
    for section in document.sections:
        for p in (*section.header.paragraphs, *section.footer.paragraphs):
            used[p.style.style_id] = p.style
    for table in document.tables:
        used[table.style.style_id] = table.style
    for p in _paragraphs(document):
        for run in p.runs:
            if run.element.rPr is not None and run.element.rPr.rStyle is not None:
                used[run.style.style_id] = run.style
    assert {"Normal", "Title", "Footer"} <= set(used)
    missing = {sid: _east_asia(style) for sid, style in used.items()}
    assert all(font in ("ＭＳ 明朝", "ＭＳ ゴシック") for font in missing.values()), missing
    assert _east_asia(document.styles["Heading 1"]) == "ＭＳ ゴシック"
    assert _east_asia(document.styles["Normal"]) == "ＭＳ 明朝"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "ＭＳ 明朝"
    assert fonts.get(qn("w:eastAsiaTheme")) is None


@pytest.mark.parametrize("kind", WORD_KINDS)
def test_no_template_tag_is_left_in_a_document(kind: str) -> None:
    text = _text(_render(_sample(kind)))
    assert "{{" not in text and "{%" not in text and "}}" not in text


@pytest.mark.parametrize("kind", WORD_KINDS[:-1])
def test_every_report_opens_with_its_date_addressee_sender_and_title(kind: str) -> None:
    content = _sample(kind)
    document = _render(content)
    opening = [p.text for p in document.paragraphs[:5]]
    assert opening[1] == "岡山県 総務部 デジタル推進課 御中"
    assert opening[2] == "株式会社伴走デジタル"
    assert document.paragraphs[3].style.name == "Title"
    assert opening[3] == content.head.title
    assert opening[4] == "令和8年度 県・市町村DX推進伴走支援事業"
    (running,) = document.sections[0].header.paragraphs
    assert running.text == f"{content.head.title}（第1版）"
    assert document.core_properties.title == content.head.title
    assert document.core_properties.author == "株式会社伴走デジタル"
    assert document.core_properties.modified.date() == content.head.issued


def test_the_dispatcher_names_the_word_file_and_returns_its_bytes() -> None:
    made = Renderer().render(samples.monthly_report(), "docx")
    assert made.filename == "月次業務報告書_令和8年10月分_第1版.docx"
    assert made.media_type.endswith("wordprocessingml.document")
    assert "月次業務報告書（令和8年10月分）" in _text(_open(made.data))


def test_content_without_a_word_template_is_refused() -> None:
    with pytest.raises(InvalidValue, match="docx"):
        word.render(samples.roster(), None)


# -- 業務実施体制図 ----------------------------------------------------------------------


def test_the_org_chart_names_the_lead_as_the_one_contact_and_every_person() -> None:
    document = _render(samples.org_chart())
    assert _headings(document) == [
        "業務実施体制図",
        "1　実施体制図",
        "2　連絡窓口（プロジェクト責任者）",
        "3　担当者一覧",
        "4　再委託",
    ]
    assert "県との連絡調整の窓口を一本化" in _text(document)
    rows = _rows(document)
    assert ["氏名", "伴走 一郎"] in rows
    assert ["電話", "086-000-0000"] in rows
    assert ["メール", "ichiro.bansou@contractor.example.jp"] in rows
    assert ["No.", "役割", "氏名", "所属", "対応可能分野", "連絡先"] in rows
    assert [
        "1", "プロジェクト責任者", "伴走 一郎", "株式会社伴走デジタル", "－",
        "086-000-0000\nichiro.bansou@contractor.example.jp",
    ] in rows  # fmt: skip
    assert [
        "2", "専門人材", "佐藤 花子", "株式会社伴走デジタル",
        "情報システム標準化、ガバメントクラウド", "hanako.sato@contractor.example.jp",
    ] in rows  # fmt: skip
    assert [
        "3", "専門人材", "外注 次郎", "株式会社パートナーDX\n（再委託先・県承認 デジ第123号）",
        "ノーコード/ローコード", "jiro.gaichu@partner.example.jp",
    ] in rows  # fmt: skip
    assert ["株式会社パートナーDX", "ノーコード支援", "令和8年4月20日", "デジ第123号"] in rows


@needs_font
def test_the_org_chart_carries_the_drawn_chart_as_a_picture() -> None:
    document = _render(samples.org_chart())
    assert len(document.inline_shapes) == 1
    assert abs(document.inline_shapes[0].width - Mm(160)) < Mm(1)
    (png,) = _pictures(document)
    assert png.startswith(b"\x89PNG")
    # The picture sits under the chart's heading, before the contact table.
    figure = document.paragraphs[[p.text for p in document.paragraphs].index("1　実施体制図") + 1]
    assert figure.style.name == "図"
    assert figure._p.xpath(".//pic:pic")


def test_an_org_chart_without_subcontractors_or_lead_says_so() -> None:
    chart_content = replace(
        samples.org_chart(), lead=None, members=(samples.HANAKO,), subcontractors=()
    )
    document = _render(chart_content)
    text = _text(document)
    assert "再委託はありません。" in text
    assert "プロジェクト責任者は選任中です。" in text
    assert _rows(document)[1][:3] == ["1", "専門人材", "佐藤 花子"]


# -- 業務実施計画書 ----------------------------------------------------------------------


def test_the_implementation_plan_has_purpose_period_team_schedule_quotas_and_rules() -> None:
    document = _render(samples.implementation_plan())
    assert _headings(document) == [
        "業務実施計画書",
        "1　業務の目的",
        "2　履行期間",
        "3　業務の内容",
        "4　実施体制",
        "5　実施スケジュール（令和8年度）",
        "6　専門人材の派遣回数",
        "7　機密保持（仕様書 11）",
        "8　再委託（仕様書 10）",
    ]
    text = _text(document)
    assert "令和8年4月1日から令和9年3月31日まで" in text
    assert "・相談窓口の運営\n・専門人材の派遣\n・事業報告会の開催" in text
    assert "年間計470回（うち標準化支援360回）" in text
    assert "1テーマあたり月2回程度" in text
    assert "各団体から得た情報は当該団体の支援にのみ用い、第三者に開示しない。" in text
    assert "再委託は県の書面による事前承認を得た範囲に限る。" in text
    rows = _rows(document)
    assert ["令和8年4月15日", "キックオフ会議"] in rows
    assert ["令和9年2月18日", "事業報告会"] in rows  # 令和9年, still 令和8年度
    assert ["令和9年3月31日", "業務完了報告書の提出"] in rows
    assert ["専門人材", "佐藤 花子", "株式会社伴走デジタル",
            "情報システム標準化、ガバメントクラウド"] in rows  # fmt: skip


# -- 支援計画書 -----------------------------------------------------------------------


def test_the_support_plan_has_the_engagement_its_months_and_its_approval() -> None:
    document = _render(samples.support_plan())
    assert _headings(document)[1:] == [
        "1　支援の概要",
        "2　現状・課題",
        "3　支援の目標",
        "4　派遣計画",
        "5　県の承認",
    ]
    rows = _rows(document)
    assert ["支援対象団体", "岡山市 情報政策課"] in rows
    assert ["支援テーマ", "情報システム標準化"] in rows
    assert ["ヒアリング実施日", "令和8年4月16日"] in rows
    assert ["支援期間", "令和8年5月1日から令和8年6月30日まで"] in rows
    assert ["担当専門人材", "佐藤 花子（株式会社伴走デジタル）"] in rows
    assert ["月", "訪問", "WEB会議", "計"] in rows
    assert ["令和8年5月", "1", "1", "2"] in rows
    assert ["令和8年6月", "1", "1", "2"] in rows
    assert ["合計", "2", "2", "4"] in rows
    assert ["承認日", "令和8年4月27日"] in rows
    assert ["承認者", "備前 太郎"] in rows
    text = _text(document)
    assert "派遣予定回数：計4回" in text
    assert "標準準拠システムへの移行後、運用経費が増加している。" in text
    assert "月額15%削減" in text


def test_a_support_plan_not_yet_approved_says_it_is_a_draft() -> None:
    draft = replace(samples.support_plan(), approval=None, consultant=None,
                    planned_dispatches=None, hearing_on=None)  # fmt: skip
    document = _render(draft)
    text = _text(document)
    assert "本計画書は県の承認前の案です。" in text
    assert "承認日" not in text
    rows = _rows(document)
    assert ["担当専門人材", "調整中"] in rows
    assert ["ヒアリング実施日", "－"] in rows
    assert "派遣予定回数：未定（県と協議中）" in text


# -- 月次業務報告書 ---------------------------------------------------------------------


def test_the_monthly_report_counts_the_months_dispatches_by_organisation_and_theme() -> None:
    document = _render(samples.monthly_report())
    assert _headings(document) == [
        "月次業務報告書（令和8年10月分）",
        "1　専門人材派遣の実施状況",
        "2　相談窓口の対応状況",
        "3　支援案件の進捗状況",
        "4　派遣回数の使用状況（令和8年度）",
        "5　提出期限等の状況",
        "6　定例報告会",
        "7　課題・懸案事項",
        "8　翌月の予定（令和8年11月）",
    ]
    rows = _rows(document)
    assert ["団体名", "支援テーマ", "回数", "時間数", "訪問", "WEB会議"] in rows
    assert ["岡山市", "情報システム標準化", "2", "4.0", "1", "1"] in rows
    assert ["倉敷市", "生成AI", "2", "4.0", "1", "1"] in rows
    assert ["新庄村", "ノーコード/ローコード", "1", "2.0", "0", "1"] in rows
    assert ["合計", "", "5", "10.0", "2", "3"] in rows
    assert "対象期間：令和8年10月1日～令和8年10月31日" in _text(document)


def test_the_monthly_report_shows_consultations_engagements_deadlines_and_the_meeting() -> None:
    document = _render(samples.monthly_report())
    text = _text(document)
    rows = _rows(document)
    assert "当月の相談対応は2件です（メール 1件、電話 1件）。" in text
    assert ["生成AIの利用規程", "倉敷市", "メール", "回答済"] in rows
    assert ["庁内ネットワークの分離", "津山市", "電話", "受付"] in rows
    assert ["岡山市", "情報システム標準化", "支援中", "佐藤 花子", "6"] in rows
    assert ["倉敷市", "生成AI", "支援中", "山田 健二", "4"] in rows
    assert "当月に期限を迎えた事項は2件です（完了 1件、期限超過 1件）。" in text
    assert ["月次業務報告書（令和8年9月分）の提出", "令和8年10月13日", "完了",
            "令和8年10月9日"] in rows  # fmt: skip
    assert ["支援計画書の作成（新庄村・ノーコード/ローコード）", "令和8年10月20日",
            "期限超過", "－"] in rows  # fmt: skip
    assert ["開催日", "令和8年10月15日"] in rows
    assert ["概要", "進捗と課題を報告"] in rows
    assert "町村部での専門人材の移動時間が課題。" in text
    assert ["令和8年11月4日", "岡山市", "情報システム標準化", "訪問"] in rows
    assert ["令和8年11月12日", "倉敷市", "生成AI", "WEB会議"] in rows
    assert "契約期間" not in text


def test_the_monthly_report_gives_use_against_470_and_360_with_a_chart() -> None:
    document = _render(samples.monthly_report())
    text = _text(document)
    assert "年間の派遣回数：212回／470回（45.1%、予定・確定分を含む。うち実施済み187回）" in text
    assert "うち標準化支援：160回／360回（44.4%）" in text
    assert "残り：258回（うち標準化支援200回）" in text
    if chart.cjk_font() is not None:
        assert len(document.inline_shapes) == 1
        assert _pictures(document)[0].startswith(b"\x89PNG")


def test_the_monthly_report_shows_the_forecast_to_the_years_end_as_a_table() -> None:
    assert "年度末までの見通し" not in _text(_render(samples.monthly_report()))  # none given
    document = _render(replace(samples.monthly_report(), forecast=samples.forecast()))
    assert "年度末までの見通し（令和8年11月6日現在、令和9年3月31日まで）" in _headings(document)
    text = _text(document)
    assert "予算470回のうち使用済み212回、残り258回。承認済みの計画の残りは120回" in text
    assert "上限と予算の範囲で最大300回の見通しです。" in text
    rows = _rows(document)
    # One mark per 14 (the largest, 140, is ten marks): the plans' ■, the cap's room □.
    assert ["情報システム標準化（標準化）", "20", "160", "90", "140", "■" * 7 + "□" * 4] in rows
    assert ["生成AI", "8", "52", "30", "20", "■■！"] in rows  # the plans need more than the cap
    assert ["合計", "28", "212", "120", "180", ""] in rows
    assert "※案件12（津山市・生成AI）：あと4回の派遣が必要ですが" in text
    assert "記号1つ＝14回まで" in text
    assert "{%" not in text and "{{" not in text


def test_the_march_report_notes_the_end_of_the_contract() -> None:
    march = replace(
        samples.monthly_report(period="2027-03"),
        head=samples.head("月次業務報告書（令和9年3月分）", date(2027, 3, 31)),
        next_month=(),
        contract_ends=True,
    )
    document = _render(march)
    text = _text(document)
    assert "9　契約期間の満了" in _headings(document)
    assert "本業務の契約期間は令和9年3月31日をもって満了いたします。" in text
    assert "対象期間：令和9年3月1日～令和9年3月31日" in text
    assert "8　翌月の予定（令和9年4月）" in _headings(document)
    assert document.paragraphs[0].text == "令和9年3月31日"


def test_a_quiet_month_says_there_was_nothing_rather_than_leaving_tables_empty() -> None:
    quiet = replace(
        samples.monthly_report(dispatches=0),
        consultations=(),
        deadlines=(),
        meeting=None,
        next_month=(),
        issues="",
    )
    document = _render(quiet)
    rows = _rows(document)
    assert ["該当なし"] * 6 in rows  # a merged cell reads the same in every column
    assert ["合計", "", "0", "0.0", "0", "0"] in rows
    text = _text(document)
    assert "当月の相談対応は0件です（なし）。" in text
    assert "当月の定例報告会の記録はありません。" in text
    assert "特になし。" in text


def test_text_with_markup_characters_and_line_breaks_arrives_as_written() -> None:
    report = replace(samples.monthly_report(), issues='A&B <注意> "引用"\n二行目')
    document = _render(report)
    paragraph = next(p for p in document.paragraphs if p.text.startswith("A&B"))
    assert paragraph.text == 'A&B <注意> "引用"\n二行目'
    assert paragraph._p.xpath(".//w:br")


# -- 業務完了報告書 ---------------------------------------------------------------------


def test_the_completion_report_covers_the_whole_year() -> None:
    document = _render(samples.completion_report())
    assert _headings(document) == [
        "業務完了報告書",
        "1　業務の概要",
        "2　支援案件ごとの成果",
        "3　専門人材派遣の実績",
        "(1)　テーマ別",
        "(2)　月別",
        "4　相談窓口の対応実績",
        "5　会議の開催状況",
        "6　成果物の提出状況",
        "7　課題",
        "8　次年度に向けた提案",
    ]
    rows = _rows(document)
    assert ["履行期間", "令和8年4月1日から令和9年3月31日まで"] in rows
    assert ["岡山市", "情報システム標準化", "佐藤 花子", "6", "報告済",
            "運用経費を年1割削減する計画を策定"] in rows  # fmt: skip
    assert ["情報システム標準化", "160", "320.0"] in rows
    assert ["生成AI", "27", "54.0"] in rows
    assert ["合計", "187", "374.0"] in rows
    assert ["令和8年4月", "8"] in rows
    assert ["令和8年9月", "40"] in rows
    assert ["合計", "187"] in rows
    assert ["キックオフ会議", "令和8年4月15日", "開催済"] in rows
    assert ["事業報告会", "令和9年2月18日", "開催済"] in rows
    assert ["業務実施体制図", "令和8年4月8日", "令和8年4月7日", "令和8年4月9日", "承認済"] in rows
    text = _text(document)
    assert "年間の派遣回数：212回／470回" in text
    assert "うち標準化支援：160回／360回" in text
    assert "年間の相談対応は2件です（メール 1件、電話 1件）。" in text
    assert "移行後の運用最適化の支援需要が大きい。" in text
    assert "次年度はガバメントクラウドの共同利用を重点テーマとする。" in text
    assert document.paragraphs[0].text == "令和9年3月31日"


# -- 送付状 --------------------------------------------------------------------------


def test_the_cover_letter_has_number_date_addressee_and_what_is_enclosed() -> None:
    document = _render(samples.cover_letter())
    lines = [p.text for p in document.paragraphs if p.text]
    assert lines[:4] == [
        "伴走第12号",
        "令和8年11月6日",
        "岡山県 総務部 デジタル推進課 御中",
        "株式会社伴走デジタル",
    ]
    assert document.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert "送付状" in _headings(document)
    assert (
        "「令和8年度 県・市町村DX推進伴走支援事業」に関し、下記の書類を送付いたします。"
        in "".join(lines)
    )
    assert lines.index("記") < lines.index("1　月次業務報告書_令和8年10月分_第1版.docx")
    assert "2　月次業務報告書_令和8年10月分_第1版.pdf" in lines
    assert lines[-1] == "以上"


def test_an_addressee_that_names_a_person_keeps_its_own_honorific() -> None:
    letter = samples.cover_letter()
    to_person = replace(
        letter, head=replace(letter.head, addressee="岡山県 総務部 デジタル推進課 備前 太郎 様")
    )
    text = _text(_render(to_person))
    assert "岡山県 総務部 デジタル推進課 備前 太郎 様" in text
    assert "様 御中" not in text


# -- templates --------------------------------------------------------------------------


def _edit_heading(path: Path, old: str, new: str) -> None:
    document = docx.Document(str(path))
    (paragraph,) = [p for p in document.paragraphs if p.text == old]
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = new
    document.save(str(path))


def test_a_template_in_templates_dir_changes_the_document(tmp_path: Path) -> None:
    own = tmp_path / "monthly_report.docx"
    shutil.copy(word.TEMPLATES / "monthly_report.docx", own)
    _edit_heading(own, "1　専門人材派遣の実施状況", "1　専門人材派遣実績（様式第3号）")
    document = _render(samples.monthly_report(), tmp_path)
    headings = _headings(document)
    assert "1　専門人材派遣実績（様式第3号）" in headings
    assert "1　専門人材派遣の実施状況" not in headings
    assert ["岡山市", "情報システム標準化", "2", "4.0", "1", "1"] in _rows(document)
    # The other documents still come from the shipped templates.
    assert "1　業務の目的" in _headings(_render(samples.implementation_plan(), tmp_path))


def test_a_template_naming_an_unknown_key_is_refused_not_left_blank(tmp_path: Path) -> None:
    own = tmp_path / "cover_letter.docx"
    shutil.copy(word.TEMPLATES / "cover_letter.docx", own)
    _edit_heading(own, "{{ head.title }}", "{{ head.no_such_key }}")
    with pytest.raises(InvalidValue, match="no_such_key"):
        word.render(samples.cover_letter(), tmp_path)


def test_a_file_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cover_letter.docx").write_bytes(b"not a zip")
    with pytest.raises(InvalidValue, match=r"cover_letter\.docx"):
        word.render(samples.cover_letter(), tmp_path)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_shipped_templates_are_what_build_py_makes(tmp_path: Path) -> None:
    first = build.build(tmp_path / "a")
    second = build.build(tmp_path / "b")
    assert [p.name for p in first] == [f"{kind}.docx" for kind in WORD_KINDS]
    for made, again in zip(first, second, strict=True):
        assert made.read_bytes() == again.read_bytes()  # reproducible
        shipped = word.TEMPLATES / made.name
        assert _members(shipped) == _members(made), (
            f"{shipped.name} is out of date: run python -m banso.documents.templates.build"
        )


# -- charts ----------------------------------------------------------------------------


def test_without_a_japanese_font_no_chart_is_drawn() -> None:
    assert chart.org_chart_png(samples.org_chart(), None) is None
    assert chart.quota_chart_png(samples.quota(), 2026, None) is None


@needs_font
def test_the_charts_are_png_pictures_that_grow_with_the_team() -> None:
    from PIL import Image

    font = chart.cjk_font()
    small = chart.org_chart_png(samples.org_chart(), font)
    many = tuple(
        replace(samples.HANAKO, name=f"専門 {i}", email=f"e{i}@contractor.example.jp")
        for i in range(10)
    )
    large = chart.org_chart_png(replace(samples.org_chart(), members=many), font)
    quota = chart.quota_chart_png(samples.quota(), 2026, font)
    assert small is not None and large is not None and quota is not None
    small_image, large_image = Image.open(BytesIO(small)), Image.open(BytesIO(large))
    assert small_image.width == large_image.width == chart.WIDTH
    assert large_image.height > small_image.height
    assert Image.open(BytesIO(quota)).format == "PNG"


def test_the_last_months_report_gives_the_contracts_own_end() -> None:
    sample = samples.monthly_report("2027-03")
    head = replace(sample.head, contract=(date(2026, 5, 1), date(2027, 3, 19)))
    report = replace(sample, head=head, contract_ends=True)
    document = docx.Document(BytesIO(word.render(report, None)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "契約期間は令和9年3月19日をもって" in text
