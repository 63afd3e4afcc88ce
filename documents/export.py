"""Writes an export (services.exports) as a file Excel opens: .xlsx or .csv.

CSV is UTF-8 with a BOM by default (Excel then reads it as UTF-8) or CP932 on
request; a character CP932 cannot hold is refused naming the row, the column
and the character, before anything is written. Dates are 和暦 or ISO. Every
text cell goes through ``documents.cells.spreadsheet_safe``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from banso.documents.cells import set_cell, spreadsheet_safe
from banso.engine.errors import InvalidValue
from banso.services.exports import Export
from banso.workflows.display import date_ja, moment_iso, moment_ja

FORMATS = ("xlsx", "csv")
ENCODINGS = ("utf-8-sig", "cp932")
DATE_STYLES = ("wareki", "iso")


def shown(value: Any, dates: str) -> Any:
    """A value as a person reads it in the sheet: dates in the chosen style."""
    if isinstance(value, datetime):
        return moment_ja(value) if dates == "wareki" else moment_iso(value)
    if isinstance(value, date):
        return date_ja(value) if dates == "wareki" else value.isoformat()
    if value is None:
        return ""
    return value


def table(data: Export, dates: str) -> list[list[Any]]:
    """The header row and the rows, each cell as shown."""
    return [list(data.headers)] + [[shown(v, dates) for v in row] for row in data.rows]


def csv_bytes(data: Export, *, encoding: str = "utf-8-sig", dates: str = "wareki") -> bytes:
    rows = table(data, dates)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for number, row in enumerate(rows, start=1):
        if encoding == "cp932":
            _check_cp932(data, number, row)
        writer.writerow([spreadsheet_safe(v) for v in row])
    return buffer.getvalue().encode(encoding)


def _check_cp932(data: Export, number: int, row: Sequence[Any]) -> None:
    for column, value in zip(data.headers, row, strict=True):
        text = str(value)
        for char in text:
            try:
                char.encode("cp932")
            except UnicodeEncodeError:
                raise InvalidValue(
                    f"{data.title} row {number}, column {column}",
                    char,
                    "characters Shift_JIS (CP932) can hold; export with --encoding utf-8-sig",
                ) from None


def xlsx_bytes(
    data: Export, *, dates: str = "wareki", progress: Callable[[int], None] | None = None
) -> bytes:
    # Imported here: `banso` starts without openpyxl, which is slow to import.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from banso.documents.excel import text_width

    rows = table(data, dates)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = data.title
    font = "游ゴシック"
    thin = Side(style="thin", color="808080")
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            set_cell(sheet.cell(row=number, column=column), value)
        if progress is not None:
            progress(number)
    for cell in sheet[1]:
        cell.font = Font(name=font, bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for index in range(1, len(data.headers) + 1):
        widest = max(text_width(str(row[index - 1])) for row in rows if index - 1 < len(row))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(data.headers))
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows), 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(
    data: Export,
    path: Path,
    *,
    fmt: str,
    encoding: str = "utf-8-sig",
    dates: str = "wareki",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``data`` to ``path``; returns the bytes written. Nothing is written on refusal."""
    if fmt == "xlsx":
        content = xlsx_bytes(data, dates=dates, progress=progress)
    else:
        content = csv_bytes(data, encoding=encoding, dates=dates)
    path.write_bytes(content)
    return len(content)
