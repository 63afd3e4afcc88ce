"""Reads the prefecture's demand survey (支援要望調査) into validated rows.

Organisations apply for expert dispatch by filling in a sheet the prefecture
collects (in practice an Excel workbook, sometimes re-saved as CSV).  This
module turns that file into :class:`SurveyRow` values that ``banso survey
import`` can make engagements from.  It only reads and validates: it never
touches the database, so the caller hands in the known organisations and
themes as plain mappings.

Every row is checked before anything is returned; the first problem (in row
order, then in the column order of the file) raises
:class:`~engine.errors.InvalidValue` naming the file, the row and the column
header as the organisation wrote it, so that staff can find the cell.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from banso.engine.errors import InvalidValue, NotFound
from banso.engine.phrase import Phrase
from banso.workflows.email import is_email
from banso.workflows.orgcode import check_digit_ok, digits, with_check_digit
from banso.workflows.validation import MAX_NAME, MAX_TEXT, name_problem, text_problem

__all__ = ["ACCEPTED_FORMATS", "DEFAULT_CONTRACT_MONTHS", "SurveyRow", "read_survey"]

ACCEPTED_FORMATS = (".xlsx", ".csv")
DEFAULT_CONTRACT_MONTHS = ("2026-04", "2027-03")


@dataclass(frozen=True)
class SurveyRow:
    """One organisation's request for support on one theme."""

    row: int  # 1-based row number in the sheet, header = row 1
    org_code: str
    theme_code: str
    request: str  # 要望内容
    contact_name: str
    contact_email: str
    preferred_months: tuple[str, ...]  # "YYYY-MM", sorted, unique (a range spelled out)
    contact_dept: str = ""  # 担当部署, for the address line of every mail

    @property
    def preferred_first(self) -> str | None:
        """The first month of the preferred period (希望時期), "YYYY-MM"."""
        return self.preferred_months[0] if self.preferred_months else None

    @property
    def preferred_last(self) -> str | None:
        """The last month of the preferred period."""
        return self.preferred_months[-1] if self.preferred_months else None


@dataclass(frozen=True)
class _Column:
    """A field of the survey and the header names that mean it."""

    field: str
    names: tuple[str, ...]
    required: bool = True


_COLUMNS = (
    # With both 団体コード and 団体名 the code decides and the name is cross-checked;
    # a sheet with only one of them is read by it.
    _Column("org", ("団体コード", "団体", "organisation", "organization", "org", "code")),
    _Column("org_name", ("団体名", "name", "organisation name"), required=False),
    _Column("theme", ("テーマ", "theme")),
    _Column("request", ("要望内容", "支援内容", "request")),
    _Column("contact_name", ("担当者名", "担当者", "contact_name")),
    _Column("contact_email", ("メールアドレス", "担当者メール", "email", "contact_email")),
    _Column("contact_dept", ("担当部署", "部署", "所属", "contact_dept"), required=False),
    # Organisations with no preference leave the months empty; a sheet without
    # the column at all means the same, so it is not required.
    _Column("preferred_months", ("希望時期", "希望月", "preferred_months"), required=False),
)

_MONTH_SEPARATORS = re.compile(r"[,、・\s]+")
_YEAR_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})")
# Excel writes a date cell into CSV as 2026/10/1: accept it as its month.
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_YEAR_MONTH_JA = re.compile(r"(\d{4})年(\d{1,2})月")
_MONTH_JA = re.compile(r"(\d{1,2})月")
# 和暦: 令和8年7月 (元年 for the first year of an era).
_ERA_MONTH = re.compile(r"(令和|平成)(\d{1,2}|元)年(\d{1,2})月")
_ERA_START = {"令和": 2019, "平成": 1989}
# A range: 7月～9月, 令和8年7月〜9月, 2026-07~2026-09, 7月から9月 (～ is ~ after NFKC).
_RANGE = re.compile(r"\s*(?:[~〜]|から)\s*")
_MONTH_FORMS = (
    "a month like 2026-10, 2026/10, 2026年10月, 令和8年10月 or 10月, or a range like "
    "7月～9月 (several separated by , 、 ・ or spaces)"
)


@dataclass(frozen=True)
class SurveyLimits:
    """How big a survey file may be (settings ``survey_max_bytes`` and
    ``survey_max_rows``): the prefecture's survey has a few dozen rows, so a
    file past these is a mistake or a zip bomb, refused before it is parsed."""

    max_bytes: int = 5_000_000  # the file as stored
    max_rows: int = 2_000  # rows below the header
    max_unzipped: int = 50_000_000  # an .xlsx's parts, uncompressed, together
    max_ratio: int = 100  # uncompressed : compressed, per part of an .xlsx


def read_survey(
    path: Path,
    *,
    orgs: Mapping[str, str],
    themes: Mapping[str, str],
    contract_months: tuple[str, str] = DEFAULT_CONTRACT_MONTHS,
    limits: SurveyLimits | None = None,
) -> list[SurveyRow]:
    """Read and validate a demand-survey file (.xlsx or .csv).

    ``orgs`` maps organisation codes *and* names to the code, ``themes`` maps
    theme codes and names to the code; ``contract_months`` is the first and
    last month (``YYYY-MM``) in which dispatches can happen.  Returns every
    non-empty row, or raises :class:`InvalidValue` for the first bad cell.
    """
    path = Path(path)
    table = _read_table(path, limits or SurveyLimits())
    reader = _SurveyReader(path.name, orgs, themes, contract_months)
    return reader.rows(table)


# ---------------------------------------------------------------- file formats


def _read_table(path: Path, limits: SurveyLimits) -> list[list[object]]:
    """The file's cells, row by row, header first; empty rows kept for numbering."""
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_FORMATS:
        raise InvalidValue(
            path.name,
            path.suffix or "(no suffix)",
            "an Excel workbook (.xlsx) or a CSV file (.csv)",
        )
    if not path.is_file():
        raise NotFound("survey file", path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InvalidValue(
            path.name,
            Phrase("{size:,} bytes", size=size),
            Phrase(
                "a survey file of at most {most:,} bytes (setting survey_max_bytes)",
                most=limits.max_bytes,
            ),
        )
    table = _read_xlsx(path, limits) if suffix == ".xlsx" else _read_csv(path, limits)
    if len(table) > limits.max_rows + 1:
        raise InvalidValue(
            path.name,
            Phrase("more than {most:,} rows", most=limits.max_rows),
            Phrase(
                "at most {most:,} rows below the header (setting survey_max_rows)",
                most=limits.max_rows,
            ),
        )
    return table


def _check_zip(path: Path, limits: SurveyLimits) -> None:
    """Refuse a zip bomb from the archive's directory, before anything is inflated."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidValue(
            path.name, type(exc).__name__, "an Excel workbook saved as .xlsx"
        ) from None
    if len(infos) > 1_000:
        raise InvalidValue(path.name, f"{len(infos)} parts", "an Excel workbook saved as .xlsx")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_unzipped or (info.file_size > 1_000_000 and ratio > limits.max_ratio):
            raise InvalidValue(
                path.name,
                Phrase(
                    "{name}: {size:,} bytes unpacked", name=info.filename, size=info.file_size
                ),
                Phrase(
                    "a survey workbook that unpacks to at most {most:,} bytes",
                    most=limits.max_unzipped,
                ),
            )


def _read_xlsx(path: Path, limits: SurveyLimits) -> list[list[object]]:
    _check_zip(path, limits)
    # Imported here: `banso` starts without openpyxl, which is slow to import.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        # Whatever a malformed workbook makes openpyxl or its XML parser raise
        # (KeyError, ValueError, XML syntax errors, TypeError…) is bad input.
        raise InvalidValue(
            path.name, type(exc).__name__, "an Excel workbook saved as .xlsx"
        ) from None
    try:
        if not workbook.worksheets:
            raise InvalidValue(path.name, "no worksheet", "a workbook with the survey sheet first")
        sheet = workbook.worksheets[0]
        # read_only sheets yield an empty tuple for each blank row in between,
        # so the list index stays equal to the Excel row number minus one.
        table: list[list[object]] = []
        try:
            for values in sheet.iter_rows(values_only=True):
                table.append(list(values))
                if len(table) > limits.max_rows + 1:
                    break  # enough to refuse; the rest is never read
        except InvalidValue:
            raise
        except Exception as exc:
            raise InvalidValue(
                f"{path.name} row {len(table) + 1}",
                type(exc).__name__,
                "an Excel workbook saved as .xlsx",
            ) from None
        return table
    finally:
        # A read-only workbook keeps the file open until closed.
        workbook.close()


def _read_csv(path: Path, limits: SurveyLimits) -> list[list[object]]:
    raw = path.read_bytes()
    try:
        # utf-8-sig drops the BOM that Excel's "CSV UTF-8" puts first.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Japanese Excel's plain "CSV" is Shift_JIS (Windows' CP932).
            text = raw.decode("cp932")
        except UnicodeDecodeError as exc:
            raise InvalidValue(
                Phrase("{file} byte {at}", file=path.name, at=exc.start),
                raw[exc.start : exc.start + 2],
                Phrase(
                    "text in UTF-8 or Shift_JIS (CP932); save the sheet as 'CSV UTF-8' in Excel"
                ),
            ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        # One list entry per record, so a quoted cell spanning lines still
        # counts as one row, as it was one row in the spreadsheet.
        table: list[list[object]] = []
        for record in reader:
            table.append(list(record))
            if len(table) > limits.max_rows + 1:
                break
        return table
    except csv.Error as exc:
        raise InvalidValue(
            f"{path.name} row {reader.line_num}", str(exc), "well-formed CSV"
        ) from exc


# ---------------------------------------------------------------- validation


def _cell_text(value: object) -> str:
    """A cell as trimmed text; Excel numbers that are whole print without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A code typed into a General cell can come back as 331007.0.
        value = int(value)
    # str.strip() also removes the ideographic space U+3000.
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _key(text: str) -> str:
    """Lookup form: full-width letters and digits to ASCII, case ignored."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _parse_month_text(text: str) -> tuple[int, int] | None:
    """(year, month) for a spelled month; year 0 means "month only"."""
    for pattern in (_YEAR_MONTH, _YEAR_MONTH_JA):
        match = pattern.fullmatch(text)
        if match:
            return int(match[1]), int(match[2])
    match = _YEAR_MONTH_DAY.fullmatch(text)
    if match:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return day.year, day.month
    match = _ERA_MONTH.fullmatch(text)
    if match:
        era_year = 1 if match[2] == "元" else int(match[2])
        return _ERA_START[match[1]] + era_year - 1, int(match[3])
    match = _MONTH_JA.fullmatch(text)
    if match:
        return 0, int(match[1])
    return None


def _parse_month_range(text: str) -> list[tuple[int, int]] | None:
    """The (year, month) a token names: one month, or a range's start and end, the end
    taking the start's year (the next one when it wraps past December)."""
    parts = _RANGE.split(text)
    if len(parts) == 1:
        one = _parse_month_text(text)
        return [one] if one else None
    if len(parts) != 2:
        return None
    head, tail = parts
    if re.fullmatch(r"\d{1,2}", head) and tail.endswith("月"):
        head += "月"  # 7～9月 is read as 7月～9月
    start, end = _parse_month_text(head), _parse_month_text(tail)
    if start is None or end is None:
        return None
    if end[0] == 0 and start[0] != 0:
        end = (start[0] + (end[1] < start[1]), end[1])
    return [start, end]


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (year, month) = [], first
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _parse_contract_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"contract month {text!r} is not YYYY-MM")
    return int(match[1]), int(match[2])


class _SurveyReader:
    """Validates the rows of one file against the known organisations and themes."""

    def __init__(
        self,
        file_name: str,
        orgs: Mapping[str, str],
        themes: Mapping[str, str],
        contract_months: tuple[str, str],
    ) -> None:
        self.file_name = file_name
        self.orgs = orgs
        self.themes = themes
        self.org_index = self._index(orgs)
        self.theme_index = self._index(themes)
        self.first_month = _parse_contract_month(contract_months[0])
        self.last_month = _parse_contract_month(contract_months[1])
        if self.first_month > self.last_month:
            raise ValueError(f"contract months {contract_months} are in the wrong order")
        # A bare "10月" means that month of the fiscal year (April to March)
        # in which the contract starts.
        start_year, start_month = self.first_month
        self.fiscal_year = start_year if start_month >= 4 else start_year - 1
        self.contract_text = Phrase(
            "{first} to {last}", first=contract_months[0], last=contract_months[1]
        )

    @staticmethod
    def _index(mapping: Mapping[str, str]) -> dict[str, str]:
        index: dict[str, str] = {}
        for name, code in mapping.items():
            index.setdefault(_key(name), code)
        return index

    def where(self, row: int, header: str) -> str:
        return f"{self.file_name} row {row}, column {header}"

    # -- header

    def header(self, cells: Sequence[object]) -> dict[str, tuple[int, str]]:
        """Field → (column index, header text as written) for the known columns."""
        found: dict[str, list[tuple[int, str]]] = {}
        written = [_cell_text(cell) for cell in cells]
        for index, text in enumerate(written):
            key = _key(text)
            for column in _COLUMNS:
                if key and key in {_key(name) for name in column.names}:
                    found.setdefault(column.field, []).append((index, text))
        for column in _COLUMNS:
            if len(found.get(column.field, [])) > 1:
                headers = ", ".join(text for _, text in found[column.field])
                raise InvalidValue(
                    f"{self.file_name} row 1",
                    headers,
                    Phrase(
                        "one column for {name}; keep one of these and delete the others",
                        name=column.names[0],
                    ),
                )
        missing = [
            column
            for column in _COLUMNS
            if column.required
            and column.field not in found
            and not (column.field == "org" and "org_name" in found)
        ]
        if missing:
            shown = [text for text in written if text]
            raise InvalidValue(
                f"{self.file_name} row 1",
                ", ".join(shown) if shown else "(empty header row)",
                "a header that also has "
                + " and ".join(
                    f"{column.names[0]} (or {', '.join(column.names[1:])})" for column in missing
                ),
            )
        if "org" not in found and "org_name" in found:
            found["org"] = found.pop("org_name")
        return {field: places[0] for field, places in found.items()}

    # -- rows

    def rows(self, table: list[list[object]]) -> list[SurveyRow]:
        if not table:
            raise InvalidValue(
                self.file_name, "(empty file)", "a header row and one row per request"
            )
        columns = self.header(table[0])
        # Validate in the file's column order so the first error reported is
        # the leftmost bad cell of the first bad row.
        order = sorted(columns.items(), key=lambda item: item[1][0])
        seen: dict[tuple[str, str], int] = {}
        result: list[SurveyRow] = []
        for number, cells in enumerate(table[1:], start=2):
            if all(_cell_text(cell) == "" for cell in cells):
                continue
            values: dict[str, object] = {}
            checked_duplicate = False
            for field, (index, header) in order:
                cell = cells[index] if index < len(cells) else None
                values[field] = self.cell(field, cell, number, header)
                if not checked_duplicate and "org" in values and "theme" in values:
                    checked_duplicate = True
                    self.check_duplicate(values, number, columns, seen)
            if "org_name" in values:
                self.check_name(values, number, columns)
            months = values.get("preferred_months", ())
            assert isinstance(months, tuple)
            result.append(
                SurveyRow(
                    row=number,
                    org_code=str(values["org"]),
                    theme_code=str(values["theme"]),
                    request=str(values["request"]),
                    contact_name=str(values["contact_name"]),
                    contact_email=str(values["contact_email"]),
                    preferred_months=months,
                    contact_dept=str(values.get("contact_dept") or ""),
                )
            )
        return result

    def check_duplicate(
        self,
        values: Mapping[str, object],
        number: int,
        columns: Mapping[str, tuple[int, str]],
        seen: dict[tuple[str, str], int],
    ) -> None:
        pair = (str(values["org"]), str(values["theme"]))
        if pair in seen:
            org_header, theme_header = columns["org"][1], columns["theme"][1]
            raise InvalidValue(
                f"{self.file_name} row {number}, columns {org_header} and {theme_header}",
                f"{pair[0]} × {pair[1]}",
                Phrase(
                    "one row per organisation and theme; row {first} and row {number} "
                    "both ask for it, merge them into one",
                    first=seen[pair],
                    number=number,
                ),
            )
        seen[pair] = number

    def check_name(
        self, values: Mapping[str, object], number: int, columns: Mapping[str, tuple[int, str]]
    ) -> None:
        """The 団体名 beside a 団体コード names the same organisation."""
        name, code = str(values["org_name"]), str(values["org"])
        if not name:
            return
        named = self.orgs.get(name) or self.org_index.get(_key(name))
        if named != code:
            official = next(
                (n for n, c in self.orgs.items() if c == code and n != code), code
            )
            raise InvalidValue(
                self.where(number, columns["org_name"][1]),
                name,
                Phrase(
                    "the name of {code} ({official}) as the 団体コード says (fix one of them)",
                    code=code,
                    official=official,
                ),
            )

    def cell(self, field: str, cell: object, number: int, header: str) -> object:
        where = self.where(number, header)
        if isinstance(cell, str):
            # Before any trimming: a control character at either end is refused
            # too, not quietly stripped (the cell is not what it looks like).
            raw = text_problem(cell.replace("\r\n", "\n"))
            if raw is not None and raw != "it is empty":
                shown = cell[:40] + "…" if len(cell) > 40 else cell
                raise InvalidValue(
                    where, shown, Phrase("text without control characters ({raw})", raw=raw)
                )
        if field == "preferred_months":
            return self.months(cell, where)
        text = _cell_text(cell)
        if field == "org_name":
            return text
        if field == "org":
            text = self.org_code(text, where)
            return self.lookup(
                text,
                self.orgs,
                self.org_index,
                where,
                "an organisation code or name known to Banso, like 331007 or 岡山市 "
                "(see `banso org list`)",
            )
        if field == "theme":
            codes = sorted(set(self.themes.values()))
            listed = ", ".join(codes) if codes else Phrase("none registered")
            return self.lookup(
                text,
                self.themes,
                self.theme_index,
                where,
                Phrase(
                    "a theme code or name known to Banso ({listed}; see `banso theme list`)",
                    listed=listed,
                ),
            )
        if field == "contact_email":
            # Full-width letters typed with a Japanese input method are
            # normalised rather than refused: ｔａｎａｋａ＠… is tanaka@….
            # Then the one rule (banso.workflows.email) that the mail layer
            # applies too: an address taken in here is one a mail can go to.
            email = unicodedata.normalize("NFKC", text)
            if not is_email(email):
                raise InvalidValue(where, text, "an e-mail address like tanaka@city.example.jp")
            return email
        if field == "contact_dept":
            return text  # optional: an empty cell leaves the address line without it
        if not text:
            what = (
                Phrase("the support requested")
                if field == "request"
                else Phrase("the contact person's name")
            )
            raise InvalidValue(where, text, Phrase("{what}; the cell is empty", what=what))
        # The one rule of each kind (banso.workflows.validation), as for `banso` options.
        if field == "contact_name":
            problem = name_problem(text)
            expected = Phrase(
                "the contact person's name on one line, at most {most} characters", most=MAX_NAME
            )
        else:
            problem = text_problem(text)
            expected = Phrase("the support requested, at most {most} characters", most=MAX_TEXT)
        if problem is not None:
            shown = text[:40] + "…" if len(text) > 40 else text
            raise InvalidValue(
                where,
                shown,
                Phrase("{expected} ({problem})", expected=expected, problem=problem),
            )
        return text

    def org_code(self, text: str, where: str) -> str:
        """A 団体コード as typed: five digits get their check digit; a wrong one is refused."""
        code = digits(text)
        if code in self.orgs or not re.fullmatch(r"[0-9]{5,6}", code):
            return text
        if len(code) == 5:
            full = with_check_digit(code)
            if full in self.orgs or code.zfill(6) not in self.orgs:
                return full
            return text
        if not check_digit_ok(code):
            raise InvalidValue(
                where,
                text,
                Phrase(
                    "a 団体コード whose check digit is right: {five} has check digit "
                    "{digit} ({code})",
                    five=code[:5],
                    digit=with_check_digit(code[:5])[5],
                    code=with_check_digit(code[:5]),
                ),
            )
        return text

    def lookup(
        self,
        text: str,
        exact: Mapping[str, str],
        index: Mapping[str, str],
        where: str,
        expected: str,
    ) -> str:
        if text in exact:
            return exact[text]
        key = _key(text)
        if key in index:
            return index[key]
        # Codes of Hokkaido and Aomori (01…, 02…) lose their leading zero
        # when Excel stores them as numbers.
        if re.fullmatch(r"[0-9]{5}", key) and key.zfill(6) in index:
            return index[key.zfill(6)]
        raise InvalidValue(where, text, expected)

    def months(self, cell: object, where: str) -> tuple[str, ...]:
        found: set[tuple[int, int]] = set()
        if isinstance(cell, date | datetime):
            # An Excel date cell stands for its month.
            day = cell.date() if isinstance(cell, datetime) else cell
            found.add(self.in_contract(day.isoformat(), day.year, day.month, where))
        else:
            text = unicodedata.normalize("NFKC", _cell_text(cell))
            text = _RANGE.sub(lambda m: m[0].strip(), text)  # "7月 ～ 9月" is one token
            for token in _MONTH_SEPARATORS.split(text):
                if not token:
                    continue
                parsed = _parse_month_range(token)
                if parsed is None or not all(1 <= m <= 12 for _, m in parsed):
                    raise InvalidValue(where, token, _MONTH_FORMS)
                months = [self.in_contract(token, y, m, where) for y, m in parsed]
                if len(months) == 2:
                    first, last = months
                    if last < first:
                        raise InvalidValue(where, token, "a range whose end is after its start")
                    months = _months_between(first, last)
                found.update(months)
        return tuple(f"{year:04d}-{month:02d}" for year, month in sorted(found))

    def in_contract(self, token: str, year: int, month: int, where: str) -> tuple[int, int]:
        if year == 0:
            year = self.fiscal_year if month >= 4 else self.fiscal_year + 1
        if not self.first_month <= (year, month) <= self.last_month:
            raise InvalidValue(
                where,
                token,
                Phrase("a month within the contract, {contract}", contract=self.contract_text),
            )
        return year, month
