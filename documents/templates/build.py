"""Builds the shipped Word templates (``*.docx`` beside this file) from code, so that the
binaries are reproducible and their layout is reviewed like code::

    .venv/bin/python -m banso.documents.templates.build [FOLDER]

Each template is an ordinary Word document with docxtpl (Jinja2) tags in it: the contractor
may open one in Word, follow the prefecture's own 様式, and put it in ``templates_dir`` under
the same name; ``banso.documents.word`` lists the keys each template is given. The files
carry fixed dates, so building twice gives the same bytes.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent

# Fonts every prefecture PC has (Windows since 95): 公用文 are written in ＭＳ 明朝, with
# ＭＳ ゴシック for headings. Set as the East Asian font too: python-docx sets only the Latin
# one, and Word would otherwise fall back to the theme's font.
BODY_FONT = "ＭＳ 明朝"
HEADING_FONT = "ＭＳ ゴシック"
BODY_SIZE = Pt(10.5)
TABLE_SIZE = Pt(9)

TEXT_WIDTH_MM = 166  # A4 (210 mm) less 22 mm each side
HEADER_FILL = "D9D9D9"

# Fixed, so that two builds give the same files.
_STAMP = datetime(2026, 4, 1, tzinfo=UTC)
_ZIP_TIME = (2026, 4, 1, 0, 0, 0)

_GOTHIC_STYLES = ("Title", "Subtitle", "Heading", "表見出し", "TOC Heading")


# -- styles ------------------------------------------------------------------------


def _set_fonts(rpr: Any, font: str) -> None:
    """Latin, East Asian and complex-script font on one ``w:rPr``; theme fonts removed,
    because in Word a theme attribute wins over the font named beside it."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _doc_defaults(doc: Any) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")
    size = rpr.find(qn("w:sz"))
    if size is not None:
        size.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))


def _styles(doc: Any) -> None:
    _doc_defaults(doc)
    styles = doc.styles
    table_text = styles.add_style("表本文", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    table_text.font.size = TABLE_SIZE
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    centred = styles.add_style("表中央", WD_STYLE_TYPE.PARAGRAPH)
    centred.base_style = table_text
    centred.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = styles.add_style("表数値", WD_STYLE_TYPE.PARAGRAPH)
    number.base_style = table_text
    number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header = styles.add_style("表見出し", WD_STYLE_TYPE.PARAGRAPH)
    header.base_style = table_text
    header.font.bold = True
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    body = styles.add_style("本文", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = styles["Normal"]
    body.paragraph_format.left_indent = BODY_SIZE
    body.paragraph_format.space_after = Pt(3)
    figure = styles.add_style("図", WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style = styles["Normal"]
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.space_before = Pt(3)
    figure.paragraph_format.space_after = Pt(3)

    running = styles["Header"]
    running.font.size = Pt(8)
    running.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    for name, size, before, after in (("Heading 1", 12, 12, 4), ("Heading 2", 10.5, 6, 2)):
        heading = styles[name]
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(after)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    title = styles["Title"]
    title.font.size = Pt(16)
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(6)
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # the default Title is underlined in blue
        ppr.remove(border)
    title_rpr = title.element.get_or_add_rPr()
    for spacing in title_rpr.findall(qn("w:spacing")) + title_rpr.findall(qn("w:kern")):
        title_rpr.remove(spacing)

    # Every style, used or not: whatever the contractor picks in Word stays Japanese.
    for style in styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER,
                              WD_STYLE_TYPE.TABLE):  # fmt: skip
            continue
        gothic = any(style.name.startswith(prefix) for prefix in _GOTHIC_STYLES)
        _set_fonts(style.element.get_or_add_rPr(), HEADING_FONT if gothic else BODY_FONT)


def _page(doc: Any, running_head: bool) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin = section.right_margin = Mm(22)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    if running_head:  # which document and version a loose printed page belongs to
        header = section.header.paragraphs[0]
        header.style = doc.styles["Header"]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        header.add_run("{{ head.title }}（{{ head.version }}）")
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("- ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" -")


# -- content -----------------------------------------------------------------------


class Builder:
    """One template being written: paragraphs, headings and docxtpl tables."""

    def __init__(self, running_head: bool = True) -> None:
        self.doc = Document()
        _styles(self.doc)
        _page(self.doc, running_head)
        body = self.doc.element.body
        for paragraph in list(body.iterchildren(qn("w:p"))):
            body.remove(paragraph)

    def title(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Title")

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_paragraph(text, style=f"Heading {level}")

    def text(self, text: str, style: str = "本文", align: str | None = None) -> None:
        paragraph = self.doc.add_paragraph(text, style=style)
        if align is not None:
            paragraph.alignment = {
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "left": WD_ALIGN_PARAGRAPH.LEFT,
            }[align]

    def tag(self, tag: str) -> None:
        """A paragraph that docxtpl replaces by a Jinja2 tag (``{%p if … %}``)."""
        self.doc.add_paragraph(f"{{%p {tag} %}}", style="Normal")

    def blank(self) -> None:
        self.doc.add_paragraph("", style="Normal")

    def head(self, sender_right: bool = True) -> None:
        """Date, addressee and sender, then the title: what every report opens with."""
        self.text("{{ head.issued }}", "Normal", "right")
        self.text("{{ head.addressee }}", "Normal", "left")
        self.text("{{ head.contractor }}", "Normal", "right" if sender_right else "left")
        self.title("{{ head.title }}")
        self.text("{{ head.programme }}", "Normal", "center")
        self.blank()

    def _table(self, columns: Sequence[tuple[str, float]]) -> Any:
        table = self.doc.add_table(rows=0, cols=len(columns))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        # The grid is what Word and LibreOffice lay the columns out by; the cells' own
        # widths alone are not enough.
        for column, (_, width) in zip(table.columns, columns, strict=True):
            column.width = Mm(width)
        return table

    def _row(
        self,
        table: Any,
        texts: Sequence[str],
        widths: Sequence[float],
        styles: Sequence[str],
        header: bool = False,
        fills: Sequence[bool] = (),
    ) -> Any:
        row = table.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader" if header else "w:cantSplit")
        tr_pr.append(flag)
        for i, (cell, text, width, style) in enumerate(
            zip(row.cells, texts, widths, styles, strict=True)
        ):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.style = self.doc.styles[style]
            if text:
                paragraph.add_run(text)
            if header or (fills and fills[i]):
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:color"), "auto")
                shading.set(qn("w:fill"), HEADER_FILL)
                cell._tc.get_or_add_tcPr().append(shading)
        return row

    def table(
        self,
        columns: Sequence[tuple[str, float]],
        loop: str,
        cells: Sequence[str],
        numeric: Sequence[int] = (),
        centred: Sequence[int] = (),
        empty: str = "該当なし",
        total: Sequence[str] | None = None,
    ) -> None:
        """A header row, one row per item of ``loop`` (``row in dispatches``), a row saying
        ``empty`` when there are none, and an optional total row."""
        widths = [width for _, width in columns]
        plain = ["表本文"] * len(columns)
        styles = [
            "表数値" if i in numeric else "表中央" if i in centred else "表本文"
            for i in range(len(columns))
        ]
        table = self._table(columns)
        self._row(table, [name for name, _ in columns], widths, ["表見出し"] * len(columns),
                  header=True)  # fmt: skip
        self._tag_row(table, f"{{%tr for {loop} %}}", widths)
        self._row(table, cells, widths, styles)
        self._tag_row(table, "{%tr else %}", widths)
        row = self._row(table, [empty] + [""] * (len(columns) - 1), widths, plain)
        row.cells[0].merge(row.cells[-1])
        self._tag_row(table, "{%tr endfor %}", widths)
        if total is not None:
            self._row(table, total, widths, styles, fills=[True] + [False] * (len(columns) - 1))
        self.blank()

    def _tag_row(self, table: Any, tag: str, widths: Sequence[float]) -> None:
        self._row(table, [tag] + [""] * (len(widths) - 1), widths, ["表本文"] * len(widths))

    def pairs(self, rows: Sequence[tuple[str, str]], label_width: float = 40) -> None:
        """A two-column table: a shaded label, then its value."""
        widths = [label_width, TEXT_WIDTH_MM - label_width]
        table = self._table([("", w) for w in widths])
        for label, value in rows:
            self._row(table, [label, value], widths, ["表見出し", "表本文"], fills=[True, False])
        self.blank()

    def picture(self, key: str) -> None:
        self.text(f"{{{{ {key} }}}}", "図")

    def save(self, path: Path) -> None:
        props = self.doc.core_properties
        props.author = props.last_modified_by = "Banso"
        props.title = props.subject = props.comments = props.keywords = ""
        props.created = props.modified = _STAMP
        props.revision = 1
        raw = BytesIO()
        self.doc.save(raw)
        path.write_bytes(_fixed_zip(raw.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times, so that a rebuild changes nothing."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# -- the templates -----------------------------------------------------------------


def org_chart() -> Builder:
    b = Builder()
    b.head()
    b.heading("1　実施体制図")
    b.picture("org_chart_image")
    b.heading("2　連絡窓口（プロジェクト責任者）")
    b.text(
        "本業務全体を統括するプロジェクト責任者を配置し、県との連絡調整の窓口を一本化いたします"
        "（仕様書 8(1)）。本業務に関するご連絡は、下記の責任者までお願いいたします。"
    )
    b.tag("if lead")
    b.pairs(
        [
            ("役割", "{{ lead.role }}"),
            ("氏名", "{{ lead.name }}"),
            ("所属", "{{ lead.company }}"),
            ("電話", "{{ lead.phone }}"),
            ("メール", "{{ lead.email }}"),
        ]
    )
    b.tag("else")
    b.text("プロジェクト責任者は選任中です。決まり次第、速やかにお知らせいたします。")
    b.tag("endif")
    b.heading("3　担当者一覧")
    b.table(
        [("No.", 10), ("役割", 26), ("氏名", 24), ("所属", 32), ("対応可能分野", 32),
         ("連絡先", 42)],
        "row in members",
        ["{{ row.no }}", "{{ row.role }}", "{{ row.name }}", "{{ row.company }}",
         "{{ row.fields }}", "{{ row.contact }}"],
        centred=[0],
    )  # fmt: skip
    b.heading("4　再委託")
    b.text(
        "本業務の一部を第三者に委託する場合は、あらかじめ書面により県の承認を得たうえで"
        "行います（仕様書 10）。承認を得た再委託先は次のとおりです。"
    )
    b.table(
        [("再委託先", 40), ("再委託する業務の範囲", 58), ("県の承認日", 34), ("承認番号", 34)],
        "row in subcontractors",
        ["{{ row.name }}", "{{ row.scope }}", "{{ row.approved_on }}", "{{ row.approval_ref }}"],
        empty="再委託はありません。",
    )
    return b


def implementation_plan() -> Builder:
    b = Builder()
    b.head()
    b.heading("1　業務の目的")
    b.text("{{ purpose }}")
    b.heading("2　履行期間")
    b.text("{{ period }}")
    b.heading("3　業務の内容")
    b.tag("for item in scope")
    b.text("・{{ item }}")
    b.tag("endfor")
    b.heading("4　実施体制")
    b.text("本業務は次の体制で実施いたします。各担当者の連絡先は業務実施体制図のとおりです。")
    b.table(
        [("役割", 32), ("氏名", 28), ("所属", 44), ("対応可能分野", 62)],
        "row in team",
        ["{{ row.role }}", "{{ row.name }}", "{{ row.company }}", "{{ row.fields }}"],
    )
    b.heading("5　実施スケジュール（{{ head.fiscal_year }}）")
    b.table(
        [("時期", 46), ("内容", 120)],
        "row in schedule",
        ["{{ row.on }}", "{{ row.what }}"],
    )
    b.heading("6　専門人材の派遣回数")
    b.text(
        "専門人材の派遣は年間計{{ quotas.total }}回（うち標準化支援{{ quotas.standardization }}回）"
        "を想定し、1テーマあたり月{{ quotas.monthly_cap }}回程度までといたします。"
        "具体的な派遣回数は、ヒアリング等を踏まえ、予算の範囲内で県と協議のうえ決定いたします。"
    )
    b.heading("7　機密保持（仕様書 11）")
    b.text("{{ confidentiality }}")
    b.heading("8　再委託（仕様書 10）")
    b.text("{{ subcontracting }}")
    return b


def support_plan() -> Builder:
    b = Builder()
    b.head()
    b.heading("1　支援の概要")
    b.pairs(
        [
            ("支援対象団体", "{{ organisation }}"),
            ("支援テーマ", "{{ theme }}"),
            ("ヒアリング実施日", "{{ hearing_on }}"),
            ("支援期間", "{{ period }}"),
            ("担当専門人材", "{{ consultant }}"),
        ]
    )
    b.heading("2　現状・課題")
    b.text("{{ findings }}")
    b.heading("3　支援の目標")
    b.text("{{ goals }}")
    b.heading("4　派遣計画")
    b.text("派遣予定回数：{{ planned }}（月別の予定は次のとおりです。）")
    b.table(
        [("月", 58), ("訪問", 36), ("WEB会議", 36), ("計", 36)],
        "row in months",
        ["{{ row.month }}", "{{ row.onsite }}", "{{ row.web }}", "{{ row.total }}"],
        numeric=[1, 2, 3],
        total=["合計", "{{ month_totals.onsite }}", "{{ month_totals.web }}",
               "{{ month_totals.total }}"],
    )  # fmt: skip
    b.heading("5　県の承認")
    b.tag("if approval")
    b.pairs([("承認日", "{{ approval.on }}"), ("承認者", "{{ approval.by }}")])
    b.tag("else")
    b.text("本計画書は県の承認前の案です。承認をいただいたうえで支援を開始いたします。")
    b.tag("endif")
    return b


def _quota_lines(b: Builder) -> None:
    b.text(
        "年間の派遣回数：{{ quota.used }}回／{{ quota.total }}回（{{ quota.share }}、"
        "予定・確定分を含む。うち実施済み{{ quota.held }}回）"
    )
    b.text(
        "うち標準化支援：{{ quota.standardization_used }}回／{{ quota.standardization }}回"
        "（{{ quota.standardization_share }}）"
    )
    b.text("残り：{{ quota.remaining }}回（うち標準化支援{{ quota.standardization_remaining }}回）")
    b.picture("quota_chart")


def _forecast(b: Builder) -> None:
    """年度末までの見通し (services.forecast): the figures, a table per theme, the warnings."""
    b.tag("if forecast")
    b.heading("年度末までの見通し（{{ forecast.as_of }}現在、{{ forecast.end }}まで）", 2)
    b.text("{{ forecast.budget_line }}")
    b.text("{{ forecast.standardization_line }}")
    b.table(
        [("支援テーマ", 50), ("進行中の案件", 24), ("使用済み", 22), ("計画の残り", 22),
         ("上限内で可能", 24), ("見通し", 24)],
        "row in forecast.themes",
        ["{{ row.theme }}", "{{ row.engagements }}", "{{ row.used }}", "{{ row.expected }}",
         "{{ row.possible }}", "{{ row.bar }}"],
        numeric=[1, 2, 3, 4],
        empty="進行中の案件はありません",
        total=["合計", "{{ forecast.engagements }}", "{{ forecast.used }}",
               "{{ forecast.expected }}", "{{ forecast.possible }}", ""],
    )  # fmt: skip
    b.text("{{ forecast.legend }}", "Normal")
    b.tag("for warning in forecast.warnings")
    b.text("※{{ warning }}")
    b.tag("endfor")
    b.tag("endif")


def _consultations(b: Builder) -> None:
    b.table(
        [("相談内容", 62), ("団体名", 36), ("対応方法", 34), ("状況", 34)],
        "row in consultations",
        ["{{ row.topic }}", "{{ row.org }}", "{{ row.channel }}", "{{ row.state }}"],
    )


def monthly_report() -> Builder:
    b = Builder()
    b.head()
    b.text("対象期間：{{ span }}", "Normal", "left")
    b.heading("1　専門人材派遣の実施状況")
    b.table(
        [("団体名", 34), ("支援テーマ", 50), ("回数", 20), ("時間数", 22), ("訪問", 20),
         ("WEB会議", 20)],
        "row in dispatches",
        ["{{ row.org }}", "{{ row.theme }}", "{{ row.count }}", "{{ row.hours }}",
         "{{ row.onsite }}", "{{ row.web }}"],
        numeric=[2, 3, 4, 5],
        total=["合計", "", "{{ dispatch_totals.count }}", "{{ dispatch_totals.hours }}",
               "{{ dispatch_totals.onsite }}", "{{ dispatch_totals.web }}"],
    )  # fmt: skip
    b.text("派遣の間に行った調査・資料作成は次のとおりです（派遣回数には含みません）。")
    b.table(
        [("団体名", 34), ("支援テーマ", 50), ("記録件数", 30), ("時間数", 30)],
        "row in work",
        ["{{ row.org }}", "{{ row.theme }}", "{{ row.entries }}", "{{ row.hours }}"],
        numeric=[2, 3],
        total=["合計", "", "", "{{ work_total }}"],
    )
    b.heading("2　相談窓口の対応状況")
    b.text("当月の相談対応は{{ consultation_count }}件です（{{ consultation_channels }}）。")
    _consultations(b)
    b.heading("3　支援案件の進捗状況")
    b.table(
        [("団体名", 34), ("支援テーマ", 50), ("状況", 24), ("担当専門人材", 32),
         ("派遣回数（累計）", 26)],
        "row in engagements",
        ["{{ row.org }}", "{{ row.theme }}", "{{ row.state }}", "{{ row.consultant }}",
         "{{ row.held }}"],
        numeric=[4],
    )  # fmt: skip
    b.heading("4　派遣回数の使用状況（{{ head.fiscal_year }}）")
    _quota_lines(b)
    _forecast(b)
    b.heading("5　提出期限等の状況")
    b.text("当月に期限を迎えた事項は{{ deadline_count }}件です（{{ deadline_summary }}）。")
    b.table(
        [("事項", 70), ("期限", 34), ("状況", 28), ("完了日", 34)],
        "row in deadlines",
        ["{{ row.title }}", "{{ row.due }}", "{{ row.status }}", "{{ row.met_on }}"],
    )
    b.heading("6　定例報告会")
    b.tag("if meeting")
    b.pairs(
        [
            ("会議", "{{ meeting.kind }}"),
            ("開催日", "{{ meeting.on }}"),
            ("状況", "{{ meeting.state }}"),
            ("概要", "{{ meeting.minutes }}"),
        ]
    )
    b.tag("else")
    b.text("当月の定例報告会の記録はありません。")
    b.tag("endif")
    b.heading("7　課題・懸案事項")
    b.text("{{ issues }}")
    b.heading("8　翌月の予定（{{ next_month_name }}）")
    b.table(
        [("予定日", 36), ("団体名", 34), ("支援テーマ", 64), ("実施方法", 32)],
        "row in next_month",
        ["{{ row.on }}", "{{ row.org }}", "{{ row.theme }}", "{{ row.mode }}"],
    )
    b.tag("if contract_ends")
    b.heading("9　契約期間の満了")
    b.text(
        "本業務の契約期間は{{ contract_end }}をもって満了いたします。本月をもって専門人材の派遣を"
        "終了し、年間の実績は業務完了報告書にて報告いたします。"
    )
    b.tag("endif")
    return b


def completion_report() -> Builder:
    b = Builder()
    b.head()
    b.heading("1　業務の概要")
    b.pairs(
        [
            ("業務名", "{{ head.programme }}"),
            ("履行期間", "{{ span }}"),
            ("受託者", "{{ head.contractor }}"),
        ]
    )
    b.heading("2　支援案件ごとの成果")
    b.table(
        [("団体名", 24), ("支援テーマ", 32), ("担当専門人材", 24), ("派遣回数", 16),
         ("状況", 18), ("成果", 52)],
        "row in engagements",
        ["{{ row.org }}", "{{ row.theme }}", "{{ row.consultant }}", "{{ row.held }}",
         "{{ row.state }}", "{{ row.outcome }}"],
        numeric=[3],
    )  # fmt: skip
    b.heading("3　専門人材派遣の実績")
    _quota_lines(b)
    b.heading("(1)　テーマ別", 2)
    b.table(
        [("支援テーマ", 86), ("派遣回数", 40), ("時間数", 40)],
        "row in themes",
        ["{{ row.theme }}", "{{ row.held }}", "{{ row.hours }}"],
        numeric=[1, 2],
        total=["合計", "{{ theme_totals.held }}", "{{ theme_totals.hours }}"],
    )
    b.heading("(2)　月別", 2)
    b.table(
        [("月", 86), ("派遣回数（実施済み）", 80)],
        "row in months",
        ["{{ row.month }}", "{{ row.held }}"],
        numeric=[1],
        total=["合計", "{{ month_total }}"],
    )
    b.heading("4　相談窓口の対応実績")
    b.text("年間の相談対応は{{ consultation_count }}件です（{{ consultation_channels }}）。")
    _consultations(b)
    b.heading("5　会議の開催状況")
    b.table(
        [("会議", 70), ("開催日", 50), ("状況", 46)],
        "row in meetings",
        ["{{ row.kind }}", "{{ row.on }}", "{{ row.state }}"],
    )
    b.heading("6　成果物の提出状況")
    b.table(
        [("成果物", 50), ("提出期限", 30), ("提出日", 30), ("承認日", 30), ("状況", 26)],
        "row in deliverables",
        ["{{ row.title }}", "{{ row.due }}", "{{ row.submitted_on }}", "{{ row.approved_on }}",
         "{{ row.state }}"],
    )  # fmt: skip
    b.heading("7　課題")
    b.text("{{ issues }}")
    b.heading("8　次年度に向けた提案")
    b.text("{{ proposals }}")
    return b


def cover_letter() -> Builder:
    b = Builder(running_head=False)
    b.text("{{ number }}", "Normal", "right")
    b.text("{{ head.issued }}", "Normal", "right")
    b.blank()
    b.text("{{ head.addressee }}", "Normal", "left")
    b.blank()
    b.text("{{ head.contractor }}", "Normal", "right")
    b.blank()
    b.title("{{ head.title }}")
    b.blank()
    b.text(
        "拝啓　時下ますますご清栄のこととお慶び申し上げます。平素は格別のご高配を賜り、"
        "厚く御礼申し上げます。",
        "Normal",
    )
    b.text(
        "　さて、「{{ head.programme }}」に関し、下記の書類を送付いたします。"
        "ご査収くださいますよう、よろしくお願い申し上げます。",
        "Normal",
    )
    b.text("敬具", "Normal", "right")
    b.blank()
    b.text("記", "Normal", "center")
    b.blank()
    b.tag("for item in enclosed")
    b.text("{{ item.no }}　{{ item.name }}")
    b.tag("endfor")
    b.blank()
    b.text("以上", "Normal", "right")
    return b


TEMPLATES: dict[str, Callable[[], Builder]] = {
    "org_chart": org_chart,
    "implementation_plan": implementation_plan,
    "support_plan": support_plan,
    "monthly_report": monthly_report,
    "completion_report": completion_report,
    "cover_letter": cover_letter,
}


def build(folder: Path = HERE) -> list[Path]:
    """Writes every template into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in TEMPLATES.items():
        path = folder / f"{name}.docx"
        make().save(path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    for path in build(Path(args[0]) if args else HERE):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
