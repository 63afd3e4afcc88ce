"""専門人材一覧表 (Excel, spec §9 no. 3): one row per consultant, as the prefecture files it.

The sheet opens with its title (第N版), the programme and the date it stands at, then the
table: 氏名, 所属, 再委託, 承認番号, one column per theme (○ where the consultant can
take it), 実績 and the organisations served. The header row is styled, filtered and
frozen, repeats on every printed page, and the sheet prints on A4 landscape, one page
wide. Every cell is in a Japanese font, and the columns are as wide as their Japanese
text (a full-width character counts as two).
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from banso.documents.cells import set_cell
from banso.engine.era import format_date
from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase
from banso.services import content as c

FONT_NAME = "游ゴシック"
_SHIFT_JIS_CHARSET = 128  # tells Excel the font is a Japanese one

SHEET_TITLE = "専門人材一覧表"
HEADER_ROW = 5  # title, programme, version and date, a blank row, then the table
MARK = "○"  # 対応可能
SUBCONTRACTED = "○"
NOT_APPROVED = "未承認"  # a subcontractor's consultant without the prefecture's approval (§10)

_LINE_HEIGHT = 18.0  # points per line of 11pt 游ゴシック
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")


def _font(*, bold: bool = False, size: float = 11, color: str | None = None) -> Font:
    return Font(name=FONT_NAME, charset=_SHIFT_JIS_CHARSET, size=size, bold=bold, color=color)


def text_width(text: str) -> int:
    """How many Excel width units ``text`` takes: a wide (全角) character counts as two,
    and so does an ambiguous one (○, ※), which a Japanese font draws wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@dataclass(frozen=True)
class _Column:
    heading: str
    min_width: int
    max_width: int
    wrap: bool = False
    centred: bool = False


def _columns(themes: Sequence[str]) -> list[_Column]:
    return [
        _Column("氏名", 10, 20),
        _Column("所属", 10, 30),
        _Column("再委託", 8, 8, centred=True),
        _Column("承認番号", 10, 16, centred=True),
        *(_Column(theme, 6, 14, wrap=True, centred=True) for theme in themes),
        _Column("実績", 20, 40, wrap=True),
        _Column("支援団体", 14, 30, wrap=True),
    ]


def title_of(head: c.Head) -> str:
    """専門人材一覧表（第2版）: the head's title, with its version unless it says it."""
    version = f"第{head.version}版"
    return head.title if version in head.title else f"{head.title}（{version}）"


def _values(roster: c.Roster, row: c.RosterRow) -> list[str]:
    if len(row.themes) != len(roster.themes):
        raise InvalidValue(
            f"roster row {row.member.name}",
            row.themes,
            Phrase(
                "one mark per theme ({count}: {themes})",
                count=len(roster.themes),
                themes="、".join(roster.themes),
            ),
        )
    member = row.member
    approval = (member.approval_ref or NOT_APPROVED) if member.subcontractor else ""
    return [
        member.name,
        member.company,
        SUBCONTRACTED if member.subcontractor else "",
        approval,
        *(MARK if able else "" for able in row.themes),
        member.track_record or "",
        "、".join(row.organisations),
    ]


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide."""
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(part) / room)) for part in text.split("\n"))


def _widths(columns: Sequence[_Column], table: Sequence[Sequence[str]]) -> list[float]:
    widths: list[float] = []
    for i, column in enumerate(columns):
        cells = [column.heading, *(r[i] for r in table)]
        longest = max(text_width(line) for text in cells for line in text.split("\n"))
        widths.append(float(min(max(longest + 2, column.min_width), column.max_width)))
    return widths


def _title_block(ws: Worksheet, roster: c.Roster, last: str) -> None:
    head = roster.head
    lines = (
        (title_of(head), _font(bold=True, size=14)),
        (f"{head.programme}　受託者：{head.contractor}", _font()),
        (
            f"第{head.version}版　{format_date(roster.as_of)}現在"
            f"（作成日：{format_date(head.issued)}）",
            _font(),
        ),
    )
    for row, (text, font) in enumerate(lines, start=1):
        cell = set_cell(ws.cell(row=row, column=1), text)
        cell.font = font
        cell.alignment = Alignment(vertical="center")
        ws.merge_cells(f"A{row}:{last}{row}")
    ws.row_dimensions[1].height = 24


def _table(ws: Worksheet, columns: Sequence[_Column], table: Sequence[Sequence[str]]) -> None:
    widths = _widths(columns, table)
    for i, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=HEADER_ROW, column=i, value=column.heading)
        cell.font = _font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_lines = max(_lines(col.heading, w) for col, w in zip(columns, widths, strict=True))
    ws.row_dimensions[HEADER_ROW].height = header_lines * _LINE_HEIGHT + 4

    for r, values in enumerate(table, start=HEADER_ROW + 1):
        lines = 1
        for i, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = set_cell(ws.cell(row=r, column=i), value or None)
            cell.font = _font(color="C00000" if value == NOT_APPROVED else None)
            cell.border = _BORDER
            cell.alignment = Alignment(
                horizontal="center" if column.centred else "left",
                vertical="top",
                wrap_text=column.wrap,
            )
            if column.wrap:
                lines = max(lines, _lines(value, widths[i - 1]))
        ws.row_dimensions[r].height = lines * _LINE_HEIGHT + 4


def _print_setup(ws: Worksheet, last: str, last_row: int) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last}{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    footer = ws.oddFooter
    assert footer is not None
    footer.center.text = "&P / &N"
    footer.center.font = FONT_NAME


def render(content: c.Roster) -> bytes:
    """The roster as an .xlsx workbook."""
    columns = _columns(content.themes)
    table = [_values(content, row) for row in content.rows]
    last = get_column_letter(len(columns))
    last_row = HEADER_ROW + len(table)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    _title_block(ws, content, last)
    _table(ws, columns, table)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{last_row}"
    # Below the header, right of the names: both stay in view when scrolling.
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    _print_setup(ws, last, last_row)

    wb.properties.title = title_of(content.head)
    wb.properties.creator = content.head.contractor
    wb.properties.subject = content.head.programme
    wb.properties.version = str(content.head.version)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
