"""The demand-survey reader (支援要望調査) against real .csv and .xlsx files.

Each malformed case checks the exact row and column the message names: staff
fix the sheet from that line alone.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest

from banso.documents.survey import SurveyRow, read_survey
from banso.engine.errors import BadInput, InvalidValue, NotFound

DATA = Path(__file__).resolve().parent.parent / "data"

# Built from the database in real use: codes and names both lead to the code.
ORG_NAMES = {
    "331007": "岡山市",
    "332020": "倉敷市",
    "332038": "津山市",
    "333468": "和気町",
    "335860": "新庄村",
}
ORGS = {**{code: code for code in ORG_NAMES}, **{name: code for code, name in ORG_NAMES.items()}}
THEME_NAMES = {
    "standardization": "情報システム標準化",
    "frontyard": "フロントヤード改革",
    "genai": "生成AI",
    "security": "情報セキュリティ",
    "nocode": "ノーコード・ローコード",
}
THEMES = {
    **{code: code for code in THEME_NAMES},
    **{name: code for code, name in THEME_NAMES.items()},
}

HEADER: list[str] = ["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"]
GOOD: list[list[object]] = [
    [
        "岡山市",
        "standardization",
        "移行後の運用課題",
        "田中 一郎",
        "tanaka@city.example.jp",
        "2026-05",
    ],
    ["332020", "生成AI", "庁内ガイドライン", "佐藤 花子", "sato@city.example.jp", "10月、11月"],
    ["津山市", "frontyard", "書かない窓口", "鈴木 健太", "suzuki@city.example.jp", ""],
]
EXPECTED_GOOD = [
    SurveyRow(
        2,
        "331007",
        "standardization",
        "移行後の運用課題",
        "田中 一郎",
        "tanaka@city.example.jp",
        ("2026-05",),
    ),
    SurveyRow(
        3,
        "332020",
        "genai",
        "庁内ガイドライン",
        "佐藤 花子",
        "sato@city.example.jp",
        ("2026-10", "2026-11"),
    ),
    SurveyRow(4, "332038", "frontyard", "書かない窓口", "鈴木 健太", "suzuki@city.example.jp", ()),
]

Rows = list[list[object]]
Table = Sequence[Sequence[object]]


def write_csv(path: Path, rows: Table, encoding: str = "utf-8") -> Path:
    """A CSV as Excel writes it: CRLF line ends, cells quoted when needed."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(
        ["" if cell is None else str(cell) for cell in row] for row in rows
    )
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Table) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "支援要望調査"
    for row in rows:
        # An empty CSV cell is a blank cell in Excel, not an empty string.
        sheet.append([None if value == "" else value for value in row])
    # A second sheet that must be ignored: only the first worksheet is read.
    workbook.create_sheet("記入例").append(["団体名", "テーマ"])
    workbook.save(path)
    return path


def read(path: Path) -> list[SurveyRow]:
    return read_survey(path, orgs=ORGS, themes=THEMES)


def error_for(path: Path) -> str:
    with pytest.raises(InvalidValue) as caught:
        read(path)
    return str(caught.value)


def good_sheet() -> Rows:
    """A fresh, mutable copy of the good sheet, header first."""
    return [list[object](HEADER), *(list(r) for r in GOOD)]


def with_cell(row: int, column: int, value: object) -> Rows:
    """The good sheet with one cell replaced (row and column 1-based, as in Excel)."""
    rows = good_sheet()
    rows[row - 1][column - 1] = value
    return rows


# ---------------------------------------------------------------- good files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_good_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "survey.csv", [HEADER, *GOOD], encoding)
    assert read(path) == EXPECTED_GOOD


def test_shift_jis_csv_is_really_not_utf8(tmp_path: Path) -> None:
    """Guards the test above: the CP932 file must exercise the fallback."""
    path = write_csv(tmp_path / "survey.csv", [HEADER, *GOOD], "cp932")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")


def test_good_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "survey.xlsx", [HEADER, *GOOD])
    assert read(path) == EXPECTED_GOOD


def test_xlsx_int_code_date_cells_and_blank_rows(tmp_path: Path) -> None:
    rows: Table = [
        HEADER,
        [331007, "情報システム標準化", "特定移行支援", "田中", "tanaka@city.example.jp", None],
        [None] * 6,  # blank row 3 is skipped, numbering continues
        [332020.0, "genai", "研修", "佐藤", "sato@city.example.jp", datetime(2026, 9, 15, 10, 0)],
        [
            "和気町",
            "security",
            "ポリシー改定",
            "高橋",
            "takahashi@town.example.jp",
            date(2027, 2, 1),
        ],
    ]
    result = read(write_xlsx(tmp_path / "survey.xlsx", rows))
    assert [(r.row, r.org_code, r.theme_code, r.preferred_months) for r in result] == [
        (2, "331007", "standardization", ()),
        (4, "332020", "genai", ("2026-09",)),
        (5, "333468", "security", ("2027-02",)),
    ]


def test_xlsx_reads_only_the_first_worksheet_even_if_another_is_active(tmp_path: Path) -> None:
    import openpyxl

    path = write_xlsx(tmp_path / "survey.xlsx", [HEADER, *GOOD])
    workbook = openpyxl.load_workbook(path)
    workbook.active = 1
    workbook.save(path)
    assert read(path) == EXPECTED_GOOD


def test_sample_okayama_file() -> None:
    result = read(DATA / "survey-okayama.csv")
    assert [(r.row, r.org_code, r.theme_code) for r in result] == [
        (2, "331007", "standardization"),
        (3, "332020", "frontyard"),
        (4, "332038", "genai"),
        (5, "333468", "security"),
        (6, "335860", "nocode"),
    ]
    assert [r.preferred_months for r in result] == [
        ("2026-05", "2026-06", "2026-07"),
        ("2026-06", "2026-09"),
        ("2026-07", "2026-08"),
        ("2026-10",),
        (),
    ]
    assert all(r.contact_email.endswith(".example.jp") for r in result)


def test_sample_okayama_file_is_plain_utf8() -> None:
    raw = (DATA / "survey-okayama.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == ",".join(HEADER)


@pytest.mark.parametrize(
    ("cell", "months"),
    [
        ("2026-10", ("2026-10",)),
        ("2026-4", ("2026-04",)),
        ("2026/10", ("2026-10",)),
        ("2026年10月", ("2026-10",)),
        ("10月", ("2026-10",)),
        ("4月", ("2026-04",)),
        ("12月", ("2026-12",)),
        ("1月", ("2027-01",)),  # January to March belong to the following calendar year
        ("3月", ("2027-03",)),
        ("１０月", ("2026-10",)),  # full-width digits
        ("２０２６／１１", ("2026-11",)),
        ("2026/10/1", ("2026-10",)),  # a date cell exported to CSV by Excel
        ("2026-05, 2026-06", ("2026-05", "2026-06")),
        ("5月、6月・7月 8月", ("2026-05", "2026-06", "2026-07", "2026-08")),
        ("6月　7月", ("2026-06", "2026-07")),  # ideographic space between
        ("2027-01,10月，2026年10月", ("2026-10", "2027-01")),  # sorted, duplicates merged
        ("", ()),
        ("　", ()),
    ],
)
def test_preferred_months_forms(tmp_path: Path, cell: str, months: tuple[str, ...]) -> None:
    path = write_csv(tmp_path / "survey.csv", with_cell(2, 6, cell))
    assert read(path)[0].preferred_months == months


def test_contract_months_can_be_set(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", with_cell(2, 6, "2027-05, 3月"))
    result = read_survey(path, orgs=ORGS, themes=THEMES, contract_months=("2026-10", "2027-09"))
    # A bare month still means the fiscal year the contract starts in.
    assert result[0].preferred_months == ("2027-03", "2027-05")


def test_english_headers_any_case_extra_columns_and_padding(tmp_path: Path) -> None:
    rows: Rows = [
        [" Org ", "備考", "THEME", "Request", "Contact_Name", "EMAIL", "Preferred_Months"],
        [
            "３３１００７",
            "無視する",
            " genai ",
            "　研修　",
            "　田中　一郎　",
            " tanaka@city.example.jp ",
            "6月",
        ],
        ["Okayama", "", "Standardization", "移行", "佐藤", "sato@city.example.jp"],  # short row
    ]
    orgs = {**ORGS, "Okayama": "331007"}
    result = read_survey(write_csv(tmp_path / "survey.csv", rows), orgs=orgs, themes=THEMES)
    assert result == [
        SurveyRow(
            2, "331007", "genai", "研修", "田中　一郎", "tanaka@city.example.jp", ("2026-06",)
        ),
        SurveyRow(3, "331007", "standardization", "移行", "佐藤", "sato@city.example.jp", ()),
    ]


def test_alternative_japanese_headers(tmp_path: Path) -> None:
    rows: Rows = [
        ["団体コード", "テーマ", "支援内容", "担当者", "担当者メール", "希望月"],
        ["331007", "nocode", "申請フォーム", "田中", "tanaka@city.example.jp", "7月"],
    ]
    result = read(write_csv(tmp_path / "survey.csv", rows))
    assert result[0].org_code == "331007"
    assert result[0].preferred_months == ("2026-07",)


def test_months_column_may_be_absent(tmp_path: Path) -> None:
    rows: Table = [HEADER[:5], *(row[:5] for row in GOOD)]
    assert [r.preferred_months for r in read(write_csv(tmp_path / "s.csv", rows))] == [()] * 3


def test_multiline_request_counts_as_one_row(tmp_path: Path) -> None:
    rows = with_cell(2, 3, "一行目\n二行目")
    rows[3][4] = "bad@"
    path = write_csv(tmp_path / "survey.csv", rows)
    assert "survey.csv row 4, column メールアドレス:" in error_for(path)


def test_fullwidth_email_is_normalised(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", with_cell(2, 5, "ｔａｎａｋａ＠city.example.jp"))
    assert read(path)[0].contact_email == "tanaka@city.example.jp"


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    assert read(write_csv(tmp_path / "survey.csv", [HEADER])) == []


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(
    ("row", "column", "value", "header", "expected"),
    [
        (3, 1, "東京都", "団体名", "'東京都' is not valid; expected an organisation code or name"),
        (2, 1, "", "団体名", "'' is not valid; expected an organisation"),
        (4, 1, "999999", "団体名", "'999999' is not valid"),
        (3, 2, "ブロックチェーン", "テーマ", "'ブロックチェーン' is not valid; expected a theme"),
        (2, 3, "", "要望内容", "'' is not valid; expected the support requested"),
        (2, 3, "　", "要望内容", "'' is not valid"),
        (4, 4, "", "担当者名", "'' is not valid; expected the contact person's name"),
        (3, 5, "tanaka@", "メールアドレス", "'tanaka@' is not valid; expected an e-mail address"),
        (3, 5, "tanaka@city", "メールアドレス", "'tanaka@city'"),
        (3, 5, "tanaka @city.example.jp", "メールアドレス", "'tanaka @city.example.jp'"),
        (3, 5, "a@b@city.example.jp", "メールアドレス", "'a@b@city.example.jp'"),
        (3, 5, "a@city.example.jp\nb@city.example.jp", "メールアドレス", "is not valid"),
        (2, 6, "2026-13", "希望時期", "'2026-13' is not valid; expected a month like"),
        (2, 6, "13月", "希望時期", "'13月' is not valid; expected a month like"),
        (2, 6, "0月", "希望時期", "'0月' is not valid"),
        (2, 6, "そのうち", "希望時期", "'そのうち' is not valid"),
        (2, 6, "5月, 秋頃", "希望時期", "'秋頃' is not valid"),
        (
            4,
            6,
            "2027-05",
            "希望時期",
            "'2027-05' is not valid; expected a month within the contract, 2026-04 to 2027-03",
        ),
        (4, 6, "2026-03", "希望時期", "'2026-03' is not valid; expected a month within"),
        (4, 6, "2026年3月", "希望時期", "'2026年3月' is not valid; expected a month within"),
    ],
)
def test_bad_cell_names_row_and_column(
    tmp_path: Path,
    suffix: str,
    row: int,
    column: int,
    value: str,
    header: str,
    expected: str,
) -> None:
    rows = with_cell(row, column, value)
    writer = write_csv if suffix == ".csv" else write_xlsx
    message = error_for(writer(tmp_path / f"survey{suffix}", rows))
    assert message.startswith(f"survey{suffix} row {row}, column {header}: ")
    assert expected in message


def test_xlsx_date_cell_outside_contract(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "survey.xlsx", with_cell(3, 6, datetime(2027, 5, 1)))
    message = error_for(path)
    assert message.startswith("survey.xlsx row 3, column 希望時期: '2027-05-01' is not valid")


def test_error_row_is_the_sheet_row_after_blank_rows(tmp_path: Path) -> None:
    """The example in the brief: a bad address on Excel row 7."""
    good = GOOD[0]
    rows: Table = [
        HEADER,
        good,
        [None] * 6,
        [None] * 6,
        ["倉敷市", *good[1:]],
        ["津山市", *good[1:]],
        ["和気町", "genai", "研修", "高橋", "tanaka@", ""],
    ]
    message = error_for(write_xlsx(tmp_path / "survey.xlsx", rows))
    assert message == (
        "survey.xlsx row 7, column メールアドレス: 'tanaka@' is not valid; "
        "expected an e-mail address like tanaka@city.example.jp"
    )


def test_header_as_written_is_named(tmp_path: Path) -> None:
    rows: Rows = [[" Organisation ", "Theme", "Request", "Contact_Name", "E-Mail?", "EMAIL"]]
    rows.append(["岡山市", "genai", "研修", "田中", "x", "tanaka@"])
    message = error_for(write_csv(tmp_path / "survey.csv", rows))
    assert message.startswith("survey.csv row 2, column EMAIL: 'tanaka@'")


def test_first_error_wins_in_row_order(tmp_path: Path) -> None:
    rows = with_cell(3, 5, "bad-address")
    # Row 5 is bad too, and in a column further left than row 3's e-mail.
    rows.append(["東京都", "genai", "研修", "高橋", "takahashi@town.example.jp", ""])
    message = error_for(write_csv(tmp_path / "survey.csv", rows))
    assert message.startswith("survey.csv row 3, column メールアドレス: 'bad-address'")


def test_first_error_is_the_leftmost_in_its_row(tmp_path: Path) -> None:
    rows = with_cell(3, 5, "bad-address")
    rows[2][1] = "ブロックチェーン"
    message = error_for(write_csv(tmp_path / "survey.csv", rows))
    assert message.startswith("survey.csv row 3, column テーマ: 'ブロックチェーン'")


def test_first_error_follows_the_files_column_order(tmp_path: Path) -> None:
    rows: Rows = [
        ["メールアドレス", "担当者名", "要望内容", "テーマ", "団体名"],
        ["tanaka@", "田中", "研修", "genai", "東京都"],
    ]
    message = error_for(write_csv(tmp_path / "survey.csv", rows))
    assert message.startswith("survey.csv row 2, column メールアドレス:")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_duplicate_org_and_theme_names_both_rows(tmp_path: Path, suffix: str) -> None:
    rows = good_sheet()
    rows.append(["331007", "情報システム標準化", "別の要望", "別人", "b@city.example.jp", ""])
    writer = write_csv if suffix == ".csv" else write_xlsx
    message = error_for(writer(tmp_path / f"survey{suffix}", rows))
    assert message.startswith(f"survey{suffix} row 5, columns 団体名 and テーマ: ")
    assert "'331007 × standardization'" in message
    assert "row 2 and row 5" in message


def test_duplicate_is_reported_before_later_cells_of_the_row(tmp_path: Path) -> None:
    rows = good_sheet()
    rows.append(["岡山市", "standardization", "", "", "bad", "13月"])
    message = error_for(write_csv(tmp_path / "survey.csv", rows))
    assert message.startswith("survey.csv row 5, columns 団体名 and テーマ: ")


def test_same_org_on_two_themes_is_fine(tmp_path: Path) -> None:
    rows = good_sheet()
    rows.append(["岡山市", "genai", "研修", "田中", "tanaka@city.example.jp", ""])
    assert len(read(write_csv(tmp_path / "survey.csv", rows))) == 4


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_missing_columns_named_with_columns_found(tmp_path: Path, suffix: str) -> None:
    rows: Rows = [
        ["団体名", "テーマ", "要望内容", "備考", "希望時期"],
        ["岡山市", "genai", "研修", "", ""],
    ]
    writer = write_csv if suffix == ".csv" else write_xlsx
    message = error_for(writer(tmp_path / f"survey{suffix}", rows))
    assert message.startswith(f"survey{suffix} row 1: '団体名, テーマ, 要望内容, 備考, 希望時期'")
    assert "担当者名 (or 担当者, contact_name)" in message
    assert "メールアドレス (or 担当者メール, email, contact_email)" in message
    assert "団体名 (or" not in message


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    rows: Rows = [["団体コード", "団体", *HEADER[1:]], ["331007", *GOOD[0]]]
    message = error_for(write_csv(tmp_path / "survey.csv", rows))
    assert message.startswith("survey.csv row 1: '団体コード, 団体' is not valid")


def code_and_name(code: object, name: str) -> Rows:
    return [["団体コード", *HEADER], [code, name, *GOOD[0][1:]]]


@pytest.mark.parametrize("code", ["331007", 331007, "33100", "３３１００７", "３３１００"])
def test_code_and_name_columns_code_decides(tmp_path: Path, code: object) -> None:
    """The prefecture's sheets carry both; five digits get their check digit."""
    result = read(write_csv(tmp_path / "survey.csv", code_and_name(code, "岡山市")))
    assert [r.org_code for r in result] == ["331007"]


def test_check_digit_is_computed_for_five_digits_kasaoka() -> None:
    from banso.workflows.orgcode import check_digit_ok, with_check_digit

    assert with_check_digit("33205") == "332054"  # 笠岡市
    assert with_check_digit("33000") == "330001"  # 岡山県
    assert with_check_digit("01000") == "010006"  # 北海道
    assert check_digit_ok("331007") and not check_digit_ok("331008")


def test_wrong_check_digit_names_the_row(tmp_path: Path) -> None:
    message = error_for(write_csv(tmp_path / "survey.csv", code_and_name("331008", "岡山市")))
    assert message.startswith("survey.csv row 2, column 団体コード: '331008' is not valid")
    assert "331007" in message


def test_name_that_is_not_the_codes_names_the_row(tmp_path: Path) -> None:
    message = error_for(write_csv(tmp_path / "survey.csv", code_and_name("331007", "倉敷市")))
    assert message.startswith("survey.csv row 2, column 団体名: '倉敷市' is not valid")
    assert "331007 (岡山市)" in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(b"")
    assert error_for(path).startswith("survey.csv: '(empty file)' is not valid")


@pytest.mark.parametrize("name", ["survey.txt", "survey.xls", "survey"])
def test_unsupported_suffix(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("団体名,テーマ\n", encoding="utf-8")
    message = error_for(path)
    assert message.startswith(f"{name}: ")
    assert ".xlsx" in message and ".csv" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"survey\.csv"):
        read(tmp_path / "survey.csv")


def test_not_really_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_text("団体名,テーマ\n", encoding="utf-8")
    assert error_for(path).startswith("survey.xlsx: ")


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\n\x82\xff\xff\r\n")
    assert "UTF-8 or Shift_JIS" in error_for(path)


def test_errors_are_bad_input_for_exit_code_2(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as caught:
        read(write_csv(tmp_path / "survey.csv", with_cell(2, 1, "東京都")))
    assert caught.value.exit_code == 2


def test_module_does_not_import_openpyxl() -> None:
    """`banso` imports the survey module at start-up and must stay quick."""
    code = "import sys, banso.documents.survey; sys.exit('openpyxl' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
