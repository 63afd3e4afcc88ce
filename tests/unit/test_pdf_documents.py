"""The monthly and completion reports as PDF (documents/pdf.py), opened back: the text
through pypdf, the fonts through poppler's ``pdffonts``, page 1 drawn by ``pdftoppm``.

Page 1 of each report is kept as a PNG for a person to look at: in pytest's tmp dir,
and copied to ``$BANSO_ARTIFACTS`` when that is set (CI keeps the folder).
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from banso.documents import pdf
from banso.documents.render import Renderer
from banso.services import content as c
from banso.services.ports import MissingFont
from tests.support.content import completion_report, forecast, head, monthly_report

ARTIFACTS_ENV = "BANSO_ARTIFACTS"
MM = 72 / 25.4  # PDF points per millimetre

MONTHLY_HEADINGS = (
    "月次業務報告書（令和8年10月分）",
    "1 派遣実績",
    "2 相談対応",
    "3 支援案件の状況",
    "4 派遣回数の累計",
    "5 期限",
    "6 定例報告会",
    "7 課題",
    "8 翌月の予定",
)
COMPLETION_HEADINGS = (
    "業務完了報告書",
    "1 業務の概要",
    "2 派遣実績",
    "3 派遣回数の累計",
    "4 支援案件の成果",
    "5 相談対応",
    "6 会議の開催",
    "7 成果物の提出状況",
    "8 課題",
    "9 次年度に向けた提案",
)


def text_of(data: bytes) -> str:
    """The PDF's text, page after page."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def lines_of(data: bytes) -> list[str]:
    return [line.strip() for line in text_of(data).splitlines()]


def squeezed(data: bytes) -> str:
    """The text with its line breaks taken out (a long cell wraps inside its column)."""
    return "".join(text_of(data).splitlines())


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian: poppler-utils); CI installs it")
    return found


class FontCheck:
    """A font check that answers as told and counts how often it was asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.answer


@pytest.fixture(scope="module")
def monthly_pdf() -> bytes:
    return pdf.render(monthly_report())


@pytest.fixture(scope="module")
def completion_pdf() -> bytes:
    return pdf.render(completion_report())


# -- what the reports say ------------------------------------------------------------------


def test_the_monthly_report_has_its_headings_and_figures(monthly_pdf: bytes) -> None:
    assert monthly_pdf.startswith(b"%PDF-")
    lines = lines_of(monthly_pdf)
    for heading in MONTHLY_HEADINGS:
        assert heading in lines, heading
    # Dates in 和暦: issued, the month, the meeting with its weekday.
    assert "令和8年11月6日" in lines
    assert "令和8年10月分（令和8年10月1日から令和8年10月31日まで）" in text_of(monthly_pdf)
    assert "開催日 令和8年10月15日（木）" in lines
    # §1: one row per organisation × theme (回数 時間 訪問 WEB), and the total.
    assert "岡山市 情報システム標準化 2 4.0 1 1" in lines
    assert "新庄村 ノーコード/ローコード 1 2.0 0 1" in lines
    assert "合計（3件） 5 10.0 2 3" in lines
    # §2, §3, §5, §8.
    assert "庁内ネットワークの分離 津山市 電話 受付" in lines
    assert "倉敷市 生成AI 支援中 山田 健二 4" in lines
    # A title longer than its column wraps; the row's other cells follow its first line.
    assert "令和8年10月20日 期限超過 —" in squeezed(monthly_pdf)
    assert "支援計画書の作成（新庄村・ノーコード/ローコード）" in squeezed(monthly_pdf)
    assert "令和8年11月12日（木） 倉敷市 生成AI WEB会議" in lines
    # §4: use against 470 and 360, the months and their running total.
    text = text_of(monthly_pdf)
    assert "212回／470回（45.1%）" in text and "うち実施済 187回・予定 25回、残り 258回" in text
    assert "160回／360回（44.4%）" in text and "残り 200回" in text
    assert "累計 8 39 77 117 147 187" in lines
    assert "町村部での専門人材の移動時間が課題。" in lines
    # Not the last month: nothing about the contract ending.
    assert "をもって終了します" not in text


def test_the_monthly_report_draws_the_forecast_as_bars() -> None:
    report = replace(monthly_report(), forecast=forecast())
    view = pdf.forecast_view(report.forecast)
    assert view is not None
    bars = {b["label"]: b for b in view["bars"]}
    # One scale for every bar, the budget's mark the longest (212 + 180 stays inside it).
    assert bars["合計"]["used_width"] == round(212 / 470 * 100, 2)
    assert bars["合計"]["mark_at"] == 100
    assert bars["うち標準化支援"]["mark_at"] == round(360 / 470 * 100, 2)
    assert bars["生成AI"]["short"] and not bars["情報システム標準化"]["short"]
    assert bars["うち標準化支援"]["mark"] == 360
    html = pdf.html(report)
    assert html.count('class="expected') == len(view["bars"])
    assert "使用 212・計画の残り 120・上限内で可能 180（予算 470回）" in html
    assert "年度末までの見通し" not in pdf.html(monthly_report())


@pytest.mark.slow  # a PDF of its own: over 5 s on a busy machine
def test_the_forecast_is_in_the_pdf_when_it_is_opened_back() -> None:
    text = text_of(pdf.render(replace(monthly_report(), forecast=forecast())))
    assert "年度末までの見通し（令和8年11月6日現在、令和9年3月31日まで）" in text
    assert "使用 212・計画の残り 120・上限内で可能 180（予算 470回）" in text
    assert "案件12（津山市・生成AI）：あと4回の派遣が必要ですが" in text


def test_the_pdf_is_filed_under_its_title_and_contractor(monthly_pdf: bytes) -> None:
    meta = PdfReader(io.BytesIO(monthly_pdf)).metadata
    assert meta is not None
    assert meta.title == "月次業務報告書（令和8年10月分）"
    assert meta.author == "株式会社伴走デジタル"


def test_the_march_report_says_the_contract_ends() -> None:
    march = replace(
        monthly_report(period="2027-03"),
        head=head("月次業務報告書（令和9年3月分）", date(2027, 3, 31)),
        next_month=(),
        contract_ends=True,
    )
    text = text_of(pdf.render(march))
    assert "月次業務報告書（令和9年3月分）" in text
    assert "令和9年3月分（令和9年3月1日から令和9年3月31日まで）" in text
    assert "本業務の契約期間は令和9年3月31日をもって終了します。" in text
    assert "契約期間の終了により、翌月の予定はありません。" in text


def test_the_completion_report_has_its_headings_and_figures(completion_pdf: bytes) -> None:
    lines = lines_of(completion_pdf)
    for heading in COMPLETION_HEADINGS:
        assert heading in lines, heading
    assert "契約期間 令和8年4月1日から令和9年3月31日まで" in lines
    assert "情報システム標準化 160 320.0" in lines
    assert "合計 187 374.0" in lines
    assert "成果：運用経費を年1割削減する計画を策定" in lines
    assert "業務実施体制図 令和8年4月8日 承認済 令和8年4月7日 令和8年4月9日" in lines
    assert "事業報告会 令和9年2月18日 開催済 —" in lines
    assert "次年度はガバメントクラウドの共同利用を重点テーマとする。" in lines
    assert "212回／470回（45.1%）" in text_of(completion_pdf)


def test_empty_sections_say_so_rather_than_vanish() -> None:
    quiet = replace(
        monthly_report(), dispatches=(), consultations=(), deadlines=(), meeting=None,
        next_month=(), issues="",
    )  # fmt: skip
    lines = lines_of(pdf.render(quiet))
    for heading in MONTHLY_HEADINGS:
        assert heading in lines, heading
    for said in ("当月の派遣はありません。", "当月の相談はありません。", "特になし。",
                 "当月が期限の事項はありません。", "当月の定例報告会はありません。",
                 "令和8年11月の派遣予定はまだありません。"):  # fmt: skip
        assert said in lines, said


def test_peoples_text_is_printed_as_written_never_as_markup() -> None:
    report = replace(monthly_report(), issues='<b>移動&"時間"</b>\n2行目')
    markup = pdf.html(report)
    assert "&lt;b&gt;移動&amp;&#34;時間&#34;&lt;/b&gt;" in markup and "<b>移動" not in markup
    lines = lines_of(pdf.render(report))
    assert '<b>移動&"時間"</b>' in lines and "2行目" in lines


def test_a_long_dispatch_table_repeats_its_header_on_every_page() -> None:
    many = tuple(
        c.DispatchLine(f"団体{i:03d}", "情報システム標準化", 2, 3.5, 1, 1) for i in range(120)
    )
    data = pdf.render(replace(monthly_report(), dispatches=many))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    with_rows = [text for text in pages if "団体" in text and " 情報システム標準化 2 3.5" in text]
    assert len(with_rows) >= 3
    for text in with_rows:
        assert "団体 テーマ 回数 時間 訪問 WEB" in text
    assert sum(text.count(" 情報システム標準化 2 3.5 1 1") for text in pages) == 120
    assert "合計（120件） 240 420.0 120 120" in text_of(data)


# -- fonts and pictures --------------------------------------------------------------------


def test_the_pdf_embeds_a_japanese_font(monthly_pdf: bytes, tmp_path: Path) -> None:
    pdffonts = tool("pdffonts")
    path = tmp_path / "monthly.pdf"
    path.write_bytes(monthly_pdf)
    out = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True)
    fonts = out.stdout.splitlines()[2:]  # below the heading and its rule
    assert fonts, out.stdout
    cjk = [line for line in fonts if "CJK" in line or "IPAex" in line]
    assert cjk, f"no CJK font in:\n{out.stdout}"
    # Embedded (emb yes) and with a Unicode map (uni yes), so it prints and searches.
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in cjk), out.stdout


@pytest.mark.parametrize("kind", ["monthly_report", "completion_report"])
def test_page_one_draws_and_is_kept_for_eyes(
    kind: str, monthly_pdf: bytes, completion_pdf: bytes, tmp_path: Path
) -> None:
    pdftoppm = tool("pdftoppm")
    source = tmp_path / f"{kind}.pdf"
    source.write_bytes(monthly_pdf if kind == "monthly_report" else completion_pdf)
    root = tmp_path / f"{kind}_page1"
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source),
         str(root)],
        check=True,
    )  # fmt: skip
    png = root.with_suffix(".png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert (width, height) == (pytest.approx(496, abs=2), pytest.approx(702, abs=2))  # A4

    # Ink on the page, not a blank sheet: a greyscale render, its share of dark pixels.
    gray = tmp_path / f"{kind}_gray"
    subprocess.run(
        [pdftoppm, "-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(source),
         str(gray)],
        check=True,
    )  # fmt: skip
    pgm = gray.with_suffix(".pgm").read_bytes()
    magic, w, h, maxval, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5" and int(maxval) == 255
    pixels = pixels[: int(w) * int(h)]
    assert sum(1 for p in pixels if p < 128) / len(pixels) > 0.01

    keep = os.environ.get(ARTIFACTS_ENV)
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)


# -- no font, no PDF -----------------------------------------------------------------------


def test_without_a_japanese_font_no_pdf_is_made(tmp_path: Path) -> None:
    # A broken template proves the refusal comes before any layout.
    (tmp_path / "monthly_report.html.j2").write_text("{% if %}", encoding="utf-8")
    check = FontCheck(answer=False)
    with pytest.raises(MissingFont) as raised:
        pdf.render(monthly_report(), tmp_path, font_check=check)
    assert check.calls == 1
    message = str(raised.value)
    assert "\n" not in message and "apt-get install fonts-noto-cjk" in message
    assert raised.value.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["monthly_report.html.j2"]


def test_with_a_font_the_check_is_asked_and_the_pdf_made() -> None:
    check = FontCheck(answer=True)
    assert pdf.render(completion_report(), font_check=check).startswith(b"%PDF-")
    assert check.calls == 1


def test_fontconfig_is_asked_which_fonts_cover_japanese() -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list is not installed (Debian: fontconfig)")
    families = pdf.japanese_fonts()
    assert any("CJK" in f or "IPA" in f for f in families), families
    assert pdf.has_japanese_font()


def test_no_fontconfig_or_a_failing_one_means_no_font(tmp_path: Path) -> None:
    assert pdf.japanese_fonts((str(tmp_path / "no-such-fc-list"),)) == ()
    failing = shutil.which("false")
    if failing is not None:
        assert pdf.japanese_fonts((failing,)) == ()
    printing = shutil.which("printf")
    if printing is not None:
        listed = pdf.japanese_fonts((printing, "Noto Sans CJK JP,Noto Sans CJK JP Regular\n\n"))
        assert listed == ("Noto Sans CJK JP", "Noto Sans CJK JP Regular")


# -- the contractor's own templates --------------------------------------------------------


def test_a_template_of_the_same_name_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "monthly_report.html.j2").write_text(
        '<!DOCTYPE html><html lang="ja"><body><h1>独自様式 {{ month_label }}</h1>'
        "<p>{{ report.quota.used }}回</p></body></html>",
        encoding="utf-8",
    )
    lines = lines_of(pdf.render(monthly_report(), tmp_path))
    assert lines[:2] == ["独自様式 令和8年10月分", "212回"]
    # The completion report still comes from the shipped template, through the renderer.
    made = Renderer(tmp_path).render(completion_report(), "pdf")
    assert made.filename == "業務完了報告書_第1版.pdf" and made.media_type == "application/pdf"
    assert "1 業務の概要" in lines_of(made.data)


def test_a_stylesheet_of_the_same_name_replaces_the_shipped_one(
    monthly_pdf: bytes, tmp_path: Path
) -> None:
    (tmp_path / "report.css").write_text(
        '@page { size: A5 landscape; } html { font-family: "Noto Sans CJK JP", "IPAexGothic"; }',
        encoding="utf-8",
    )
    page = PdfReader(io.BytesIO(pdf.render(monthly_report(), tmp_path))).pages[0]
    assert float(page.mediabox.width) == pytest.approx(210 * MM, abs=1)
    assert float(page.mediabox.height) == pytest.approx(148 * MM, abs=1)
    shipped = PdfReader(io.BytesIO(monthly_pdf)).pages[0]
    assert float(shipped.mediabox.width) == pytest.approx(210 * MM, abs=1)
    assert float(shipped.mediabox.height) == pytest.approx(297 * MM, abs=1)


# -- the chart's arithmetic ----------------------------------------------------------------


def test_bars_stay_in_their_frame_when_a_quota_is_overrun_or_zero() -> None:
    over = pdf.quota_view(c.QuotaUse(500, 480, 470, 0, 0, (("2026-04", 0), ("2026-05", 12))))
    assert over["total"]["held"] == 100.0 and over["total"]["planned"] == 0.0
    assert over["total"]["over"] and over["total"]["rest"] == 0
    assert over["standardization"]["used"] == 0.0 and not over["standardization"]["over"]
    assert [m["label"] for m in over["months"]] == ["4月", "5月"]
    assert [m["cumulative"] for m in over["months"]] == [0, 12]
    assert [m["height"] for m in over["months"]] == [0.0, pdf.CHART_MM]
    assert pdf.percent(1, 0) == "—" and pdf.percent(212, 470) == "45.1%"
    empty = pdf.quota_view(c.QuotaUse(0, 0, 470, 0, 360, ()))
    assert empty["months"] == [] and empty["total"]["rest"] == 470
