"""事業報告会資料 (PowerPoint, spec §6(3)): the deck for the report meeting, where the
prefecture's and the municipalities' staff hear what every engagement achieved.

One 16:9 deck, in this order (:func:`slide_titles` says it for given content):

1. the title: the programme, 事業報告会, the date (和暦) and the contractor;
2. 事業概要: the programme in a few lines;
3. 実績: dispatches by month (a native chart) and use against the year's quotas
   (470 dispatches, 360 of them for standardisation) as a second chart and in words;
4. テーマ別の実績: dispatches and hours by theme (a chart and a table), when there are any;
5. one slide per engagement outcome: 団体, テーマ, 課題, 取組, 成果;
6. 横展開: the lessons to share across the prefecture, when there are any.

python-pptx sets only the Latin font (``a:latin``); PowerPoint then draws Japanese in
whatever East Asian font the theme names. Every run here (and the charts' text) names
the Japanese font as ``a:ea`` too, and says it is Japanese (``lang="ja-JP"``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import cast

from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import ChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import BaseOxmlElement, OxmlElement
from pptx.presentation import Presentation as Deck
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.table import _Cell
from pptx.text.text import TextFrame, _Paragraph, _Run
from pptx.util import Emu, Inches, Length, Pt

from banso.engine.era import format_date
from banso.services import content as c

FONT_NAME = "游ゴシック"
LANGUAGE = "ja-JP"

EVENT = "事業報告会"
OVERVIEW = "事業概要"
RESULTS = "実績（派遣回数）"
BY_THEME = "テーマ別の実績"
OUTCOME = "支援成果"
LESSONS = "横展開：県内で共有したい知見"

MONTH_CHART = "月別の派遣回数（実施）"
QUOTA_CHART = "年間計画に対する派遣回数"
THEME_CHART = "テーマ別の派遣回数（実施）"
PLANNED = "年間計画"
USED = "実施・予定"
HELD = "派遣回数"
QUOTA_ROWS = ("派遣回数（全体）", "うち標準化支援")
NOT_WRITTEN = "（記載なし）"

WIDTH = Emu(12192000)  # 13.333 in: 16:9
HEIGHT = Emu(6858000)  # 7.5 in
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.45)
BODY_WIDTH = Emu(WIDTH - 2 * MARGIN)


def _rgb(red: int, green: int, blue: int) -> RGBColor:
    return RGBColor(red, green, blue)  # type: ignore[no-untyped-call]


NAVY = _rgb(0x1F, 0x3A, 0x5F)
ACCENT = _rgb(0x2E, 0x75, 0xB6)
GREY = _rgb(0x59, 0x59, 0x59)
LABEL_FILL = _rgb(0xDD, 0xEB, 0xF7)
WHITE = _rgb(0xFF, 0xFF, 0xFF)
DARK = _rgb(0x26, 0x26, 0x26)

# The default template's layouts: 0 is the title slide, 5 a title only.
_TITLE_LAYOUT = 0
_TITLE_ONLY_LAYOUT = 5

# What follows a:latin and a:ea inside a:rPr / a:defRPr (CT_TextCharacterProperties).
_AFTER_FONTS = ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")


def japanese(props: BaseOxmlElement) -> None:
    """Name the Japanese font as both the Latin (``a:latin``) and the East Asian
    (``a:ea``) typeface of ``props`` (an ``a:rPr`` or ``a:defRPr``), in schema order."""
    props.set("lang", LANGUAGE)
    for tag, successors in (("a:latin", ("a:ea", *_AFTER_FONTS)), ("a:ea", _AFTER_FONTS)):
        font = props.find(qn(tag))
        if font is None:
            font = OxmlElement(tag)
            props.insert_element_before(font, *successors)
        font.set("typeface", FONT_NAME)


def _style(run: _Run, size: float, *, bold: bool = False, color: RGBColor = DARK) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    japanese(run._r.get_or_add_rPr())


def _bullet(paragraph_props: BaseOxmlElement, indent: Length) -> None:
    paragraph_props.set("marL", str(indent))
    paragraph_props.set("indent", str(-indent))
    bullet_font = OxmlElement("a:buFont")
    bullet_font.set("typeface", FONT_NAME)
    bullet = OxmlElement("a:buChar")
    bullet.set("char", "・")
    paragraph_props.insert_element_before(bullet_font, "a:tabLst", "a:defRPr", "a:extLst")
    paragraph_props.insert_element_before(bullet, "a:tabLst", "a:defRPr", "a:extLst")


def _paragraph(frame: TextFrame) -> _Paragraph:
    paragraph: _Paragraph = frame.add_paragraph()  # type: ignore[no-untyped-call]
    return paragraph


def write(
    frame: TextFrame,
    lines: Sequence[str],
    size: float,
    *,
    bold: bool = False,
    color: RGBColor = DARK,
    bullets: bool = False,
    align: PP_ALIGN | None = None,
    space_after: float = 0,
) -> None:
    """Replace what ``frame`` says with ``lines``, one paragraph (and one run) each."""
    frame.clear()  # type: ignore[no-untyped-call]
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else _paragraph(frame)
        if align is not None:
            paragraph.alignment = align
        if space_after:
            paragraph.space_after = Pt(space_after)
        if bullets:
            _bullet(paragraph._p.get_or_add_pPr(), Pt(size * 1.2))
        run = paragraph.add_run()
        run.text = line
        _style(run, size, bold=bold, color=color)


def _text_box(slide: Slide, left: Length, top: Length, width: Length, height: Length) -> TextFrame:
    frame: TextFrame = slide.shapes.add_textbox(left, top, width, height).text_frame
    return frame


def _titled(deck: Deck, title: str) -> Slide:
    """A slide with ``title`` at the top left and a rule under it."""
    slide: Slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY_LAYOUT])
    heading = slide.shapes.title
    assert heading is not None
    heading.left, heading.top = MARGIN, Inches(0.3)
    heading.width, heading.height = BODY_WIDTH, Inches(0.9)
    write(heading.text_frame, [title], 28, bold=True, color=NAVY, align=PP_ALIGN.LEFT)
    heading.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    rule = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.2), BODY_WIDTH, Inches(0.05)
    )
    rule.fill.solid()
    rule.fill.fore_color.rgb = ACCENT
    rule.line.fill.background()
    rule.shadow.inherit = False
    return slide


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole > 0 else "—"


def _hours(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0") + "時間"


def month_label(month: str) -> str:
    """4月 for "2026-04"."""
    return f"{date.fromisoformat(f'{month}-01').month}月"


def _title_slide(deck: Deck, head: c.Head) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_LAYOUT])
    title = slide.shapes.title
    assert title is not None
    title.left, title.top = Inches(0.75), Inches(1.6)
    title.width, title.height = Emu(WIDTH - Inches(1.5)), Inches(1.8)
    write(title.text_frame, [head.programme], 36, bold=True, color=NAVY, align=PP_ALIGN.CENTER)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = Inches(0.75), Inches(3.7)
    subtitle.width, subtitle.height = Emu(WIDTH - Inches(1.5)), Inches(2.4)
    frame = subtitle.text_frame
    assert isinstance(frame, TextFrame)
    write(frame, [EVENT], 32, bold=True, color=ACCENT, align=PP_ALIGN.CENTER, space_after=18)
    for line in (format_date(head.issued), head.contractor):
        paragraph = _paragraph(frame)
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = line
        _style(run, 20, color=GREY)


def _overview(deck: Deck, content: c.ReportSlides) -> None:
    slide = _titled(deck, OVERVIEW)
    body = _text_box(slide, MARGIN, BODY_TOP, BODY_WIDTH, Inches(4.4))
    write(body, list(content.summary), 20, bullets=True, space_after=12)
    parties = _text_box(slide, MARGIN, Inches(6.0), BODY_WIDTH, Inches(0.7))
    head = content.head
    write(parties, [f"発注者：{head.addressee}　　受託者：{head.contractor}"], 14, color=GREY)


def _chart(
    slide: Slide,
    kind: XL_CHART_TYPE,
    box: tuple[Length, Length, Length, Length],
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], RGBColor]],
    *,
    size: float = 12,
) -> Chart:
    """A native chart of whole counts (回), each series in its colour, values labelled."""
    data = ChartData(number_format="0")  # type: ignore[no-untyped-call]
    data.categories = list(categories)
    for name, values, _ in series:
        data.add_series(name, list(values))  # type: ignore[no-untyped-call]
    frame = cast(GraphicFrame, slide.shapes.add_chart(kind, *box, data))
    chart = frame.chart
    chart.font.size = Pt(size)
    japanese(chart.font._rPr)  # the axes', legend's and labels' text
    chart.has_title = True
    write(chart.chart_title.text_frame, [title], 14, bold=True)
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    if kind in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED):
        chart.category_axis.reverse_order = True  # the first category on top
        chart.category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # and the values below
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = '0"回"'
    plot.data_labels.number_format_is_linked = False
    for plotted, (_, _, colour) in zip(plot.series, series, strict=True):
        plotted.format.fill.solid()
        plotted.format.fill.fore_color.rgb = colour
    return chart


def _month_chart(slide: Slide, quota: c.QuotaUse) -> None:
    box = (MARGIN, BODY_TOP, Inches(7.4), Inches(5.3))
    if not quota.by_month:
        write(_text_box(slide, *box), ["月別の実績はまだありません。"], 18)
        return
    chart = _chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        box,
        MONTH_CHART,
        [month_label(month) for month, _ in quota.by_month],
        [(HELD, [held for _, held in quota.by_month], ACCENT)],
    )
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.value_axis.has_major_gridlines = True


def _quota_chart(slide: Slide, quota: c.QuotaUse) -> None:
    left, width = Inches(8.1), Emu(WIDTH - Inches(8.1) - MARGIN)
    _chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        (left, BODY_TOP, width, Inches(3.4)),
        QUOTA_CHART,
        QUOTA_ROWS,
        [
            (PLANNED, [quota.total, quota.standardization], GREY),
            (USED, [quota.used, quota.standardization_used], ACCENT),
        ],
        size=11,
    )
    standard = _percent(quota.standardization_used, quota.standardization)
    write(
        _text_box(slide, left, Inches(4.95), width, Inches(1.8)),
        [
            f"実施済み {quota.held}回／予定を含め {quota.used}回",
            f"年間計画 {quota.total}回に対し {_percent(quota.used, quota.total)}",
            f"うち標準化支援 {quota.standardization_used}回"
            f"（{quota.standardization}回に対し {standard}）",
        ],
        14,
        space_after=4,
    )


def _results(deck: Deck, quota: c.QuotaUse) -> None:
    slide = _titled(deck, RESULTS)
    _month_chart(slide, quota)
    _quota_chart(slide, quota)


def _cell(
    cell: _Cell,
    text: str,
    size: float,
    *,
    bold: bool = False,
    fill: RGBColor = WHITE,
    align: PP_ALIGN | None = None,
) -> None:
    cell.fill.solid()  # type: ignore[no-untyped-call]
    cell.fill.fore_color.rgb = fill
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    write(cell.text_frame, text.split("\n"), size, bold=bold, align=align)


def _by_theme(deck: Deck, themes: Sequence[c.ThemeTotal]) -> None:
    slide = _titled(deck, BY_THEME)
    _chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        (MARGIN, BODY_TOP, Inches(7.0), Inches(5.3)),
        THEME_CHART,
        [t.theme_name for t in themes],
        [(HELD, [t.held for t in themes], ACCENT)],
    )

    rows = [(t.theme_name, f"{t.held}回", _hours(t.hours)) for t in themes]
    total = ("合計", f"{sum(t.held for t in themes)}回", _hours(sum(t.hours for t in themes)))
    left = Inches(7.8)
    width = Emu(WIDTH - left - MARGIN)
    size = 14 if len(rows) <= 8 else 11
    shape = slide.shapes.add_table(
        len(rows) + 2, 3, left, BODY_TOP, width, Emu(Inches(0.4) * (len(rows) + 2))
    )
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    table.columns[0].width = Emu(width - 2 * Inches(1.2))
    table.columns[1].width = table.columns[2].width = Inches(1.2)
    for col, heading in enumerate(("テーマ", "派遣回数", "支援時間")):
        _cell(table.cell(0, col), heading, size, bold=True, fill=LABEL_FILL, align=PP_ALIGN.CENTER)
    for r, row in enumerate([*rows, total], start=1):
        for col, text in enumerate(row):
            align = PP_ALIGN.LEFT if col == 0 else PP_ALIGN.RIGHT
            _cell(table.cell(r, col), text, size, bold=row is total, align=align)


def what_was_done(line: c.EngagementLine) -> str:
    """取組: the dispatches held, and by whom."""
    done = f"専門人材の派遣による伴走支援（派遣 {line.held}回）"
    return f"{done}\n担当：{line.consultant}" if line.consultant else done


def outcome_rows(line: c.EngagementLine) -> tuple[tuple[str, str], ...]:
    """What an outcome slide says, label by label."""
    return (
        ("団体", line.org_name),
        ("テーマ", line.theme_name),
        ("課題", line.findings or NOT_WRITTEN),
        ("取組", what_was_done(line)),
        ("成果", line.outcome or NOT_WRITTEN),
    )


def outcome_title(line: c.EngagementLine) -> str:
    return f"{OUTCOME}：{line.org_name}（{line.theme_name}）"


def _outcome(deck: Deck, line: c.EngagementLine) -> None:
    slide = _titled(deck, outcome_title(line))
    rows = outcome_rows(line)
    length = sum(len(text) for _, text in rows)
    size = 16 if length <= 240 else 14 if length <= 480 else 12
    heights = (Inches(0.55), Inches(0.55), Inches(1.3), Inches(1.2), Inches(1.5))
    shape = slide.shapes.add_table(len(rows), 2, MARGIN, BODY_TOP, BODY_WIDTH, Emu(sum(heights)))
    table = shape.table
    table.first_row = False
    table.horz_banding = False
    table.columns[0].width = Inches(1.8)
    table.columns[1].width = Emu(BODY_WIDTH - Inches(1.8))
    for r, ((label, text), height) in enumerate(zip(rows, heights, strict=True)):
        table.rows[r].height = height
        _cell(table.cell(r, 0), label, size, bold=True, fill=LABEL_FILL, align=PP_ALIGN.CENTER)
        _cell(table.cell(r, 1), text, size)


def _lessons(deck: Deck, lessons: Sequence[str]) -> None:
    slide = _titled(deck, LESSONS)
    body = _text_box(slide, MARGIN, BODY_TOP, BODY_WIDTH, Inches(5.2))
    write(body, list(lessons), 20, bullets=True, space_after=12)


def slide_titles(content: c.ReportSlides) -> list[str]:
    """The deck's slides, by title, in order."""
    return [
        content.head.programme,
        OVERVIEW,
        RESULTS,
        *([BY_THEME] if content.themes else []),
        *(outcome_title(line) for line in content.outcomes),
        *([LESSONS] if content.lessons else []),
    ]


def _footers(deck: Deck, programme: str) -> None:
    """The programme and ``n / N`` at the foot of every slide but the title."""
    total = len(deck.slides)
    for n, slide in enumerate(deck.slides, start=1):
        if n == 1:
            continue
        top, height = Emu(HEIGHT - Inches(0.45)), Inches(0.35)
        write(_text_box(slide, MARGIN, top, Inches(8), height), [programme], 10, color=GREY)
        right = Inches(2)
        number = _text_box(slide, Emu(WIDTH - MARGIN - right), top, right, height)
        write(number, [f"{n} / {total}"], 10, color=GREY, align=PP_ALIGN.RIGHT)


def render(content: c.ReportSlides) -> bytes:
    """The report meeting's deck as a .pptx file."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _title_slide(deck, content.head)
    _overview(deck, content)
    _results(deck, content.quota)
    if content.themes:
        _by_theme(deck, content.themes)
    for line in content.outcomes:
        _outcome(deck, line)
    if content.lessons:
        _lessons(deck, content.lessons)
    _footers(deck, content.head.programme)

    props = deck.core_properties
    props.title = f"{content.head.programme} {content.head.title}"
    props.author = props.last_modified_by = content.head.contractor
    props.subject = EVENT
    props.language = LANGUAGE
    props.revision = content.head.version
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
