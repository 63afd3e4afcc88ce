"""The pictures in the Word deliverables, drawn as PNG with Pillow: the organisation chart of
業務実施体制図 and the quota chart of the monthly and completion reports.

Japanese text needs a CJK font file: :func:`cjk_font` asks fontconfig (``fc-match``) for
one that covers Japanese, then tries the usual places on Debian, Windows and macOS. With
none, the drawing functions return ``None`` and the document says in the picture's place
that it was left out: a chart of blank boxes must never reach the prefecture.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from banso.services import content as c

# Families to ask fontconfig for, best first: gothic (sans) reads best in a chart.
_FAMILIES = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Source Han Sans JP", "VL Gothic")

# Where a Japanese font usually is when fontconfig is not there to ask (Windows, macOS).
_KNOWN_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "C:/Windows/Fonts/YuGothM.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "/Library/Fonts/Osaka.ttf",
)

INK = (33, 37, 41)
GREY = (108, 117, 125)
LINE = (73, 80, 87)
PALE = (241, 243, 245)
NAVY = (31, 73, 125)
LIGHT = (155, 187, 226)
SUB = (250, 246, 235)
WHITE = (255, 255, 255)

WIDTH = 1800  # px; shown 160 mm wide in the document, about 285 dpi


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # the face within a .ttc collection


@cache
def cjk_font() -> FontFile | None:
    """A font file that has Japanese glyphs, or ``None`` if this machine has none."""
    found = _from_fontconfig()
    if found is not None:
        return found
    for name in _KNOWN_FILES:
        if Path(name).is_file():
            return FontFile(Path(name))
    return None


def _from_fontconfig() -> FontFile | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    for family in _FAMILIES:
        try:
            done = subprocess.run(
                [fc_match, "-f", "%{file}|%{index}|%{lang}", f"{family}:lang=ja"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        path, _, rest = done.stdout.partition("|")
        index, _, langs = rest.partition("|")
        # fc-match always answers with some font; only one that covers Japanese will do.
        if done.returncode == 0 and "ja" in langs.split("|") and Path(path).is_file():
            return FontFile(Path(path), int(index) if index.isdigit() else 0)
    return None


class _Pen:
    """One drawing surface with the font at the sizes the charts use."""

    def __init__(self, font: FontFile, height: int) -> None:
        self.font = font
        self.image = Image.new("RGB", (WIDTH, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self._sizes: dict[int, ImageFont.FreeTypeFont] = {}

    def face(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._sizes:
            self._sizes[size] = ImageFont.truetype(str(self.font.path), size, index=self.font.index)
        return self._sizes[size]

    def width(self, text: str, size: int) -> float:
        return self.face(size).getlength(text)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        fill: tuple[int, int, int] = INK,
        anchor: str = "la",
    ) -> None:
        self.draw.text(xy, text, font=self.face(size), fill=fill, anchor=anchor)

    def wrap(self, text: str, size: int, width: float, max_lines: int) -> list[str]:
        """``text`` broken into lines that fit ``width`` (Japanese breaks anywhere)."""
        lines: list[str] = []
        line = ""
        for char in text:
            if self.width(line + char, size) > width and line:
                lines.append(line)
                line = char.lstrip()
            else:
                line += char
        if line:
            lines.append(line)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            while last and self.width(last + "…", size) > width:
                last = last[:-1]
            lines[-1] = last + "…"
        return lines

    def png(self, bottom: int) -> bytes:
        out = BytesIO()
        self.image.crop((0, 0, WIDTH, bottom)).save(out, format="PNG", optimize=True)
        return out.getvalue()


# -- 業務実施体制図 -------------------------------------------------------------

_MARGIN = 40
_COLUMNS = 3
_GAP = 24


def _lines_box(
    pen: _Pen,
    box: tuple[float, float, float, float],
    lines: Sequence[tuple[str, int, tuple[int, int, int]]],
    fill: tuple[int, int, int],
    dashed: bool = False,
) -> None:
    x0, y0, x1, y1 = box
    pen.draw.rectangle(box, fill=fill)
    if dashed:
        _dashed_rectangle(pen, box)
    else:
        pen.draw.rectangle(box, outline=LINE, width=3)
    height = sum(size + 10 for _, size, _ in lines) - 10
    y = y0 + (y1 - y0 - height) / 2
    for text, size, colour in lines:
        pen.text(((x0 + x1) / 2, y), text, size, colour, anchor="ma")
        y += size + 10


def _dashed_rectangle(pen: _Pen, box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    dash, gap = 18, 10
    for a, b, horizontal, at in ((x0, x1, True, y0), (x0, x1, True, y1),
                                 (y0, y1, False, x0), (y0, y1, False, x1)):  # fmt: skip
        pos = a
        while pos < b:
            end = min(pos + dash, b)
            if horizontal:
                pen.draw.line((pos, at, end, at), fill=LINE, width=3)
            else:
                pen.draw.line((at, pos, at, end), fill=LINE, width=3)
            pos = end + gap


@dataclass(frozen=True)
class _Group:
    label: str
    members: tuple[c.Member, ...]
    subcontractor: bool


def _groups(chart: c.OrgChart) -> list[_Group]:
    """The members by company: the contractor's own first, then each subcontractor."""
    lead_mail = chart.lead.email if chart.lead else None
    refs = {line.name: line.approval_ref for line in chart.subcontractors}
    order: list[str] = []
    by_company: dict[str, list[c.Member]] = {}
    flags: dict[str, bool] = {}
    for member in chart.members:
        if member.email == lead_mail:
            continue
        if member.company not in by_company:
            order.append(member.company)
            by_company[member.company] = []
            flags[member.company] = member.subcontractor
        by_company[member.company].append(member)
        if member.approval_ref and not refs.get(member.company):
            refs[member.company] = member.approval_ref
    order.sort(key=lambda company: flags[company])  # stable: own companies first
    groups = []
    for company in order:
        if flags[company]:
            ref = refs.get(company)
            label = f"再委託先　{company}" + (f"（県承認 {ref}）" if ref else "（県承認待ち）")
        else:
            label = company
        groups.append(_Group(label, tuple(by_company[company]), flags[company]))
    return groups


def org_chart_png(chart: c.OrgChart, font: FontFile | None) -> bytes | None:
    """The organisation chart: the prefecture, the lead as its one contact, then everyone
    by company (a subcontractor's frame dashed, with the prefecture's approval)."""
    if font is None:
        return None
    groups = _groups(chart)
    rows = sum(-(-len(g.members) // _COLUMNS) for g in groups)
    pen = _Pen(font, 700 + rows * 260 + len(groups) * 140)
    centre = WIDTH / 2
    top_w = 980

    client = (centre - top_w / 2, _MARGIN, centre + top_w / 2, _MARGIN + 130)
    _lines_box(pen, client, [("発注者", 30, GREY), (chart.head.addressee, 38, INK)], PALE)

    lead_top = client[3] + 110
    lead = (centre - top_w / 2, lead_top, centre + top_w / 2, lead_top + 170)
    pen.draw.line((centre, client[3], centre, lead[1]), fill=LINE, width=4)
    pen.text((centre + 24, client[3] + 55), "連絡調整の窓口を一本化", 28, GREY, anchor="lm")
    if chart.lead is not None:
        lead_lines = [
            ("プロジェクト責任者（業務統括・県との連絡窓口）", 28, GREY),
            (chart.lead.name, 40, INK),
            (chart.lead.company, 28, INK),
        ]
    else:
        lead_lines = [
            ("プロジェクト責任者（業務統括・県との連絡窓口）", 28, GREY),
            ("未定", 40, INK),
        ]
    _lines_box(pen, lead, lead_lines, WHITE)

    spine = _MARGIN + 30
    y = lead[3] + 60
    pen.draw.line((centre, lead[3], centre, y), fill=LINE, width=4)
    pen.draw.line((spine, y, centre, y), fill=LINE, width=4)
    spine_top = y
    frame_x0, frame_x1 = spine + 50, WIDTH - _MARGIN
    box_w = (frame_x1 - frame_x0 - 2 * _GAP - (_COLUMNS - 1) * _GAP) / _COLUMNS
    y += 40
    last_tick = spine_top
    for group in groups:
        count_rows = -(-len(group.members) // _COLUMNS)
        frame = (frame_x0, y, frame_x1, y + 80 + count_rows * (220 + _GAP))
        fill = SUB if group.subcontractor else PALE
        pen.draw.rectangle(frame, fill=fill)
        if group.subcontractor:
            _dashed_rectangle(pen, frame)
        else:
            pen.draw.rectangle(frame, outline=LINE, width=2)
        pen.text((frame_x0 + _GAP, y + 22), group.label, 30, INK)
        tick = y + 40
        pen.draw.line((spine, tick, frame_x0, tick), fill=LINE, width=4)
        last_tick = tick
        for i, member in enumerate(group.members):
            row, col = divmod(i, _COLUMNS)
            x0 = frame_x0 + _GAP + col * (box_w + _GAP)
            y0 = y + 80 + row * (220 + _GAP)
            box = (x0, y0, x0 + box_w, y0 + 220)
            inner = box_w - 30
            lines: list[tuple[str, int, tuple[int, int, int]]] = [
                (pen.wrap(member.role, 26, inner, 1)[0], 26, GREY),
                (pen.wrap(member.name, 36, inner, 1)[0], 36, INK),
            ]
            fields = "・".join(member.fields)
            for part in pen.wrap(fields, 24, inner, 2) if fields else []:
                lines.append((part, 24, INK))
            _lines_box(pen, box, lines, WHITE, dashed=group.subcontractor)
        y = frame[3] + 40
    pen.draw.line((spine, spine_top, spine, last_tick), fill=LINE, width=4)
    return pen.png(int(y))


# -- 派遣回数の使用状況 -----------------------------------------------------------


def _fiscal_months(fiscal_year: int) -> list[date]:
    return [date(fiscal_year + (m < 4), m, 1) for m in (*range(4, 13), 1, 2, 3)]


def quota_chart_png(quota: c.QuotaUse, fiscal_year: int, font: FontFile | None) -> bytes | None:
    """Use against the year's quotas (all, and 標準化支援) as bars, then dispatches held
    each month of the fiscal year."""
    if font is None:
        return None
    pen = _Pen(font, 1000)
    label_w, bar_x0, bar_x1 = 300, _MARGIN + 300, WIDTH - _MARGIN - 420
    y = _MARGIN
    bars = (
        ("派遣回数（全体）", quota.used, quota.held, quota.total),
        ("うち標準化支援", quota.standardization_used, None, quota.standardization),
    )
    for label, used, held, total in bars:
        scale = max(total, used, 1)
        pen.text((_MARGIN, y + 35), label, 30, INK, anchor="lm")
        pen.draw.rectangle((bar_x0, y, bar_x1, y + 70), fill=WHITE, outline=LINE, width=2)
        span = bar_x1 - bar_x0
        if used:
            pen.draw.rectangle((bar_x0, y, bar_x0 + span * used / scale, y + 70), fill=LIGHT)
        if held:
            pen.draw.rectangle((bar_x0, y, bar_x0 + span * held / scale, y + 70), fill=NAVY)
        if total < scale:  # over the quota: mark where it ends
            at = bar_x0 + span * total / scale
            pen.draw.line((at, y - 10, at, y + 80), fill=(192, 57, 43), width=5)
        pen.draw.rectangle((bar_x0, y, bar_x1, y + 70), outline=LINE, width=2)
        share = f"{used / total:.1%}" if total else "－"
        pen.text((bar_x1 + 24, y + 35), f"{used:,} / {total:,}回（{share}）", 30, INK, anchor="lm")
        y += 110
    legend = ((NAVY, "実施済み"), (LIGHT, "予定・確定を含む使用分"), (WHITE, "残り"))
    x = float(bar_x0)
    for colour, text in legend:
        pen.draw.rectangle((x, y, x + 36, y + 36), fill=colour, outline=LINE, width=2)
        pen.text((x + 48, y + 18), text, 26, INK, anchor="lm")
        x += 48 + pen.width(text, 26) + 60
    y += 100

    pen.text((_MARGIN, y), "月別の派遣実施回数（回）", 30, INK)
    y += 60
    held_by = dict(quota.by_month)
    months = _fiscal_months(fiscal_year)
    values = [held_by.get(f"{m.year:04d}-{m.month:02d}", 0) for m in months]
    top = max([*values, 1])
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**9) if top / s <= 5)
    axis_top = step * -(-top // step)
    plot = (_MARGIN + label_w / 3, y + 20, WIDTH - _MARGIN, y + 500)
    px0, py0, px1, py1 = plot
    for tick in range(0, axis_top + 1, step):
        ty = py1 - (py1 - py0) * tick / axis_top
        pen.draw.line((px0, ty, px1, ty), fill=(222, 226, 230), width=2)
        pen.text((px0 - 14, ty), f"{tick:,}", 24, GREY, anchor="rm")
    pen.draw.line((px0, py1, px1, py1), fill=LINE, width=3)
    slot = (px1 - px0) / len(months)
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        cx = px0 + slot * (i + 0.5)
        if value:
            bar_top = py1 - (py1 - py0) * value / axis_top
            pen.draw.rectangle((cx - slot * 0.3, bar_top, cx + slot * 0.3, py1), fill=NAVY)
            pen.text((cx, bar_top - 8), f"{value:,}", 26, INK, anchor="md")
        pen.text((cx, py1 + 14), f"{month.month}月", 26, INK, anchor="ma")
    return pen.png(int(py1 + 70))
