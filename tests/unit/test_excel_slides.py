"""The 専門人材一覧表 (.xlsx) and the 事業報告会資料 (.pptx), opened back with openpyxl and
python-pptx: what they say must be the sample's figures, in a file the prefecture can
filter, print and present, with Japanese text in a Japanese font."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide

from banso.documents import excel, slides
from banso.documents.render import Renderer
from banso.engine.errors import InvalidValue
from banso.services import content as c
from banso.services.ports import MEDIA_TYPES
from tests.support.content import CONTRACTOR, PROGRAMME, THEMES, report_slides, roster

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
HEADINGS = ["氏名", "所属", "再委託", "承認番号", *THEMES, "実績", "支援団体"]


# --- 専門人材一覧表 -----------------------------------------------------------------


def sheet(content: c.Roster | None = None) -> Worksheet:
    data = excel.render(content or roster())
    ws = load_workbook(io.BytesIO(data))["専門人材一覧表"]
    assert isinstance(ws, Worksheet)
    return ws


def header_row(ws: Worksheet) -> int:
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "氏名"]
    assert len(rows) == 1, rows
    return rows[0]


def table(ws: Worksheet) -> dict[str, dict[str, object]]:
    """Each consultant's row, by heading."""
    top = header_row(ws)
    headings = [cell.value for cell in ws[top]]
    found: dict[str, dict[str, object]] = {}
    for values in ws.iter_rows(min_row=top + 1, values_only=True):
        row = dict(zip(headings, values, strict=True))
        found[str(row["氏名"])] = {str(k): v for k, v in row.items()}
    return found


def test_the_header_row_names_every_column_with_one_per_theme() -> None:
    ws = sheet()
    top = header_row(ws)
    assert [cell.value for cell in ws[top]] == HEADINGS
    for cell in ws[top]:
        assert cell.font.bold, cell.coordinate
        assert cell.fill.fill_type == "solid" and cell.fill.start_color.rgb.endswith("DDEBF7")
        assert all(
            side is not None and side.style == "thin"
            for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
        ), cell.coordinate


def test_a_mark_under_each_theme_the_consultant_can_take() -> None:
    content = roster()
    rows = table(sheet(content))
    assert set(rows) == {row.member.name for row in content.rows}
    for row in content.rows:
        marks = [rows[row.member.name][theme] for theme in content.themes]
        assert marks == ["○" if able else None for able in row.themes], row.member.name
    hanako = rows["佐藤 花子"]
    assert hanako["実績"] == "中核市の標準化移行支援 3件"
    assert hanako["支援団体"] == "岡山市、倉敷市"
    assert hanako["所属"] == CONTRACTOR


def test_a_subcontractor_is_marked_with_the_prefectures_approval() -> None:
    rows = table(sheet())
    assert rows["外注 次郎"]["所属"] == "株式会社パートナーDX"
    assert rows["外注 次郎"]["再委託"] == "○"
    assert rows["外注 次郎"]["承認番号"] == "デジ第123号"
    assert rows["佐藤 花子"]["再委託"] is None and rows["佐藤 花子"]["承認番号"] is None


def test_a_subcontractor_without_approval_says_so() -> None:
    content = roster()
    jiro = content.rows[1]
    unapproved = replace(jiro, member=replace(jiro.member, approval_ref=None))
    ws = sheet(replace(content, rows=(content.rows[0], unapproved)))
    assert table(ws)["外注 次郎"]["承認番号"] == "未承認"


def test_the_title_block_gives_version_programme_and_dates_in_wareki() -> None:
    ws = sheet()
    top = header_row(ws)
    block = [str(cell.value) for row in ws.iter_rows(max_row=top - 1) for cell in row if cell.value]
    assert block[0] == "専門人材一覧表（第2版）"
    text = "\n".join(block)
    assert PROGRAMME in text and CONTRACTOR in text
    assert "第2版" in text and "令和8年6月1日現在" in text
    assert "2026" not in text


def test_the_title_carries_the_version_once() -> None:
    assert excel.title_of(roster().head) == "専門人材一覧表（第2版）"
    head = replace(roster().head, title="専門人材一覧表", version=3)
    assert excel.title_of(head) == "専門人材一覧表（第3版）"


def test_the_table_is_filtered_and_frozen_below_its_header() -> None:
    ws = sheet()
    top = header_row(ws)
    last = top + len(roster().rows)
    assert ws.auto_filter.ref == f"A{top}:I{last}"
    assert ws.freeze_panes == f"B{top + 1}"


def test_it_prints_on_a4_landscape_one_page_wide_repeating_the_header() -> None:
    ws = sheet()
    top = header_row(ws)
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize or 0) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth or 0) == 1 and int(ws.page_setup.fitToHeight or 0) == 0
    assert ws.print_title_rows == f"${top}:${top}"


def test_every_cell_is_in_a_japanese_font() -> None:
    ws = sheet()
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert len(cells) > 20
    assert {cell.font.name for cell in cells} == {"游ゴシック"}


def test_wide_characters_count_twice_in_column_widths() -> None:
    assert excel.text_width("専門人材") == 8
    assert excel.text_width("kintone 5") == 9
    assert excel.text_width("○") == 2
    ws = sheet()
    top = header_row(ws)
    letters = {str(cell.value): get_column_letter(i) for i, cell in enumerate(ws[top], start=1)}
    widths = {heading: ws.column_dimensions[letter].width for heading, letter in letters.items()}
    record = excel.text_width("中核市の標準化移行支援 3件")
    assert record == 26
    assert widths["実績"] == record + 2
    assert widths["所属"] == excel.text_width("株式会社パートナーDX") + 2
    assert widths["氏名"] >= excel.text_width("佐藤 花子") + 2
    for heading in ("実績", "支援団体"):
        col = letters[heading]
        assert all(ws[f"{col}{r}"].alignment.wrap_text for r in range(top + 1, top + 3))


def test_a_row_with_the_wrong_number_of_marks_is_refused() -> None:
    content = roster()
    broken = replace(content.rows[0], themes=(True,))
    with pytest.raises(InvalidValue, match="one mark per theme"):
        excel.render(replace(content, rows=(broken,)))


def test_an_empty_roster_still_has_its_header_and_filter() -> None:
    ws = sheet(replace(roster(), rows=()))
    top = header_row(ws)
    assert [cell.value for cell in ws[top]] == HEADINGS
    assert ws.auto_filter.ref == f"A{top}:I{top}"


# --- 事業報告会資料 -----------------------------------------------------------------


def sample() -> c.ReportSlides:
    return report_slides()


def deck(content: c.ReportSlides | None = None) -> Deck:
    return Presentation(io.BytesIO(slides.render(content or sample())))


def texts(slide: Slide) -> str:
    """Everything a slide says, its tables' cells included."""
    found: list[str] = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found.append(shape.text_frame.text)  # type: ignore[attr-defined]
        if shape.has_table:
            table = shape.table  # type: ignore[attr-defined]
            found.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(found)


def charts(slide: Slide) -> list[Chart]:
    return [shape.chart for shape in slide.shapes if shape.has_chart]  # type: ignore[attr-defined]


def expected_count(content: c.ReportSlides) -> int:
    # title, 事業概要, 実績; テーマ別 if any themes; one per outcome; 横展開 if any lessons
    return 3 + bool(content.themes) + len(content.outcomes) + bool(content.lessons)


def test_one_slide_per_part_and_per_outcome_in_16_9() -> None:
    content = sample()
    presentation = deck(content)
    assert len(presentation.slides) == expected_count(content) == 7
    assert presentation.slide_width is not None and presentation.slide_height is not None
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    titles = [
        slide.shapes.title.text if slide.shapes.title is not None else None
        for slide in presentation.slides
    ]
    assert titles == slides.slide_titles(content)


def test_the_title_slide_names_the_programme_event_date_and_contractor() -> None:
    first = texts(deck().slides[0])
    for words in (PROGRAMME, "事業報告会", "令和9年2月18日", CONTRACTOR):
        assert words in first
    assert "令和9年度" not in first and "2027" not in first


def test_the_overview_gives_the_summary_lines() -> None:
    content = sample()
    overview = texts(deck(content).slides[1])
    assert all(line in overview for line in content.summary)


def test_the_charts_plot_the_samples_figures() -> None:
    content = sample()
    results = deck(content).slides[2]
    month, quota = charts(results)
    plot = month.plots[0]
    assert list(plot.categories) == [f"{int(m[5:])}月" for m, _ in content.quota.by_month]
    assert list(plot.series[0].values) == [held for _, held in content.quota.by_month]
    assert list(plot.series[0].values) == [8, 31, 38, 40, 30, 40]

    series = {s.name: list(s.values) for s in quota.plots[0].series}
    assert series == {"年間計画": [470, 360], "実施・予定": [212, 160]}
    said = texts(results)
    assert "実施済み 187回" in said and "212回" in said and "45.1%" in said and "44.4%" in said


def test_the_theme_slide_charts_and_tabulates_each_theme() -> None:
    content = sample()
    by_theme = deck(content).slides[3]
    (chart,) = charts(by_theme)
    plot = chart.plots[0]
    assert list(plot.categories) == [t.theme_name for t in content.themes]
    assert list(plot.series[0].values) == [t.held for t in content.themes] == [160, 27]
    said = texts(by_theme)
    assert "320時間" in said and "54時間" in said
    assert "187回" in said and "374時間" in said  # the 合計 row


def test_each_outcome_has_its_slide_with_org_theme_challenge_work_and_outcome() -> None:
    content = sample()
    presentation = deck(content)
    first = 3 + bool(content.themes)
    outcome_slides = list(presentation.slides)[first : first + len(content.outcomes)]
    assert len(outcome_slides) == len(content.outcomes) == 2
    for slide, line in zip(outcome_slides, content.outcomes, strict=True):
        said = texts(slide)
        assert line.org_name in said and line.theme_name in said
        assert line.outcome and line.outcome in said
        assert line.findings and line.findings in said
        assert f"派遣 {line.held}回" in said
        for label in ("団体", "テーマ", "課題", "取組", "成果"):
            assert label in said
    assert "岡山市" in texts(presentation.slides[first])
    assert "倉敷市" in texts(presentation.slides[first + 1])


def test_the_last_slide_shares_the_lessons_across_the_prefecture() -> None:
    content = sample()
    last = texts(deck(content).slides[-1])
    assert "横展開" in last
    assert all(lesson in last for lesson in content.lessons)


def test_a_bare_deck_has_title_overview_and_results_only() -> None:
    content = replace(
        sample(),
        themes=(),
        outcomes=(),
        lessons=(),
        quota=replace(sample().quota, by_month=()),
    )
    presentation = deck(content)
    assert len(presentation.slides) == expected_count(content) == 3
    assert "月別の実績はまだありません" in texts(presentation.slides[2])


def test_an_outcome_not_written_yet_says_so() -> None:
    line = replace(sample().outcomes[0], outcome=None, findings=None, consultant=None)
    presentation = deck(replace(sample(), outcomes=(line,)))
    said = texts(presentation.slides[4])
    assert said.count("（記載なし）") == 2


def _parts(data: bytes, folder: str) -> list[ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n for n in z.namelist() if re.fullmatch(rf"ppt/{folder}/\w+\d+\.xml", n)]
        return [ElementTree.fromstring(z.read(n)) for n in sorted(names)]


def test_every_japanese_run_names_an_east_asian_font() -> None:
    data = slides.render(sample())
    checked = 0
    for part in [*_parts(data, "slides"), *_parts(data, "charts")]:
        for run in part.iter(f"{A}r"):
            if not JAPANESE.search(run.findtext(f"{A}t") or ""):
                continue
            props = run.find(f"{A}rPr")
            assert props is not None, run.findtext(f"{A}t")
            ea = props.find(f"{A}ea")
            assert ea is not None and ea.get("typeface") == "游ゴシック", run.findtext(f"{A}t")
            assert props.get("lang") == "ja-JP"
            tags = [child.tag for child in props]
            assert tags.index(f"{A}ea") == tags.index(f"{A}latin") + 1  # schema order
            checked += 1
    assert checked > 30


def test_the_charts_axes_and_labels_are_in_the_east_asian_font_too() -> None:
    chart_parts = _parts(slides.render(sample()), "charts")
    assert len(chart_parts) == 3
    for part in chart_parts:
        defaults = part.find(f"{C}txPr/{A}p/{A}pPr/{A}defRPr")
        assert defaults is not None
        ea = defaults.find(f"{A}ea")
        assert ea is not None and ea.get("typeface") == "游ゴシック"


# --- through the renderer ---------------------------------------------------------


def test_the_renderer_files_both_under_their_names() -> None:
    renderer = Renderer()
    book = renderer.render(roster(), "xlsx")
    assert book.filename == "専門人材一覧表_第2版.xlsx"
    assert book.media_type == MEDIA_TYPES["xlsx"]
    assert load_workbook(io.BytesIO(book.data))["専門人材一覧表"]["A1"].value == (
        "専門人材一覧表（第2版）"
    )
    presentation = renderer.render(sample(), "pptx")
    assert presentation.filename == "事業報告会資料_第1版.pptx"
    assert presentation.media_type == MEDIA_TYPES["pptx"]
    assert len(Presentation(io.BytesIO(presentation.data)).slides) == 7
