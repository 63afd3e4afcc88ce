"""One rule for every cell Banso writes into a spreadsheet: text that a
spreadsheet would run as a formula stays text.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
is run as a formula by Excel when the file is opened: a municipal contact's
要望内容 of ``=HYPERLINK(...)`` must stay words. In CSV such text is written
with a leading single quote (OWASP's advice against "CSV injection"); in .xlsx
the cell is stored as a string with Excel's quote prefix, so it shows the text
exactly as typed and is never evaluated. Numbers and dates are left alone.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell: formula-like text quoted, the rest as is."""
    return "'" + value if formula_like(value) else value


def set_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl cell; formula-like text stays a string."""
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
