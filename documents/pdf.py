"""PDF copies of the monthly and completion reports, for filing (spec §9 asks for editable
files; the PDF goes with them): Jinja2 HTML → WeasyPrint.

The templates are ``documents/templates/{monthly,completion}_report.html.j2`` and the
stylesheet ``report.css``, which names the Japanese fonts. A ``templates_dir`` holding a
file of the same name is used instead of the shipped one.

Without a Japanese (CJK) font every character would come out as a blank box, so no PDF is
made at all: ``render`` raises ``MissingFont`` before it lays anything out.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from banso.engine.era import format_date, format_fiscal_year, format_year
from banso.engine.errors import InvalidValue
from banso.services import content as c
from banso.services.ports import MissingFont
from banso.workflows.programme import monthly_label as month_label

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = "report.css"
TEMPLATE_NAMES: dict[type, str] = {
    c.MonthlyReport: "monthly_report.html.j2",
    c.CompletionReport: "completion_report.html.j2",
}

# Fontconfig's own answer to "which installed fonts cover Japanese?", one family a line.
FC_LIST: tuple[str, ...] = ("fc-list", ":lang=ja", "family")

_WEEKDAYS = "月火水木金土日"
CHART_MM = 24  # the tallest month's column in the §4 chart

FontCheck = Callable[[], bool]


# -- the font check ------------------------------------------------------------------------


def japanese_fonts(command: Sequence[str] = FC_LIST) -> tuple[str, ...]:
    """The font families fontconfig says cover Japanese, sorted; () when there are none
    or fontconfig cannot be asked (no ``fc-list``, an error, a hang)."""
    try:
        done = subprocess.run(
            list(command), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if done.returncode != 0:
        return ()
    # A line may list one family under several names: "Noto Sans CJK JP,Noto Sans CJK JP Regular".
    names = {name.strip() for line in done.stdout.splitlines() for name in line.split(",")}
    return tuple(sorted(name for name in names if name))


_font_seen = False


def has_japanese_font() -> bool:
    """Whether a Japanese font is installed. A font once found is remembered for the
    process (no subprocess per PDF); "none" is asked again each time, so a font
    installed while a daemon runs is used without a restart."""
    global _font_seen
    if not _font_seen:
        _font_seen = bool(japanese_fonts())
    return _font_seen


# -- formatting helpers for the templates ----------------------------------------------------


def wareki(d: date | None, weekday: bool = False) -> str:
    """令和8年10月15日, with ``weekday`` 令和8年10月15日（木）; None is a dash."""
    if d is None:
        return "—"
    text = format_date(d)
    return f"{text}（{_WEEKDAYS[d.weekday()]}）" if weekday else text


def hours(value: float) -> str:
    """Hours to one decimal, as the prefecture's tables show them: 4.0, 1.5."""
    return f"{value:,.1f}"


def number(value: int) -> str:
    return f"{value:,}"


def percent(part: int, whole: int) -> str:
    """45.1% (of a quota); a dash when the quota is 0."""
    return f"{part / whole * 100:.1f}%" if whole > 0 else "—"


def month_name(period: str) -> str:
    """10月 for "2026-10" (the chart's axis; the fiscal year is in the heading)."""
    return f"{int(period[5:7])}月"


def _share(part: int, whole: int) -> float:
    """``part`` of ``whole`` as a width in percent, kept to 0–100 so an overrun bar stays
    inside its frame (the figures beside it say by how much)."""
    if whole <= 0:
        return 0.0
    return round(max(0.0, min(100.0, part / whole * 100)), 2)


def quota_view(quota: c.QuotaUse) -> dict[str, Any]:
    """The bars and the month chart of §4, as widths and heights the template sets."""
    planned = max(quota.used - quota.held, 0)
    held_width = _share(quota.held, quota.total)
    months = []
    running = 0
    peak = max((count for _, count in quota.by_month), default=0)
    for period, count in quota.by_month:
        running += count
        months.append(
            {
                "label": month_name(period),
                "count": count,
                "cumulative": running,
                # Heights relative to the busiest month, in mm: the chart's cells are
                # 30 mm tall (report.css) and the figure sits above the column.
                "height": round(count / peak * CHART_MM, 2) if peak else 0.0,
            }
        )
    return {
        "total": {
            "held": held_width,
            # What is booked but not held yet, drawn after the held part.
            "planned": min(_share(planned, quota.total), round(100 - held_width, 2)),
            "over": quota.used > quota.total,
            "rest": max(quota.total - quota.used, 0),
        },
        "standardization": {
            "used": _share(quota.standardization_used, quota.standardization),
            "over": quota.standardization_used > quota.standardization,
            "rest": max(quota.standardization - quota.standardization_used, 0),
        },
        "planned": planned,
        "months": months,
    }


def forecast_view(f: c.Forecast | None) -> dict[str, Any] | None:
    """年度末までの見通し as stacked bars: per theme (and in total) what is used, what the
    plans still expect and what the cap allows beyond them, on one scale; the budget's and
    the target's places marked on the total's and the standardisation's bars."""
    if f is None:
        return None
    # The standardisation themes add up in the last row, against the target.
    rows: list[tuple[str, int, int, int, int | None]] = [
        (t.theme_name, t.used, t.expected, t.possible, None) for t in f.themes
    ]
    rows.append(("合計", f.used, f.expected, f.possible, f.budget))
    rows.append(
        ("うち標準化支援", f.standardization_used, f.standardization_expected,
         max(f.standardization_at_most - f.standardization_used, 0), f.standardization_target)
    )  # fmt: skip
    scale = max([*(used + max(expected, possible) for _, used, expected, possible, _ in rows),
                 *(mark or 0 for *_, mark in rows), 1])  # fmt: skip
    bars = []
    for label, used, expected, possible, mark in rows:
        # The plans' rest is drawn up to what the cap allows; beyond it, the bar turns red.
        within = min(expected, possible)
        bars.append(
            {
                "label": label,
                "used": used,
                "expected": expected,
                "possible": possible,
                "used_width": _share(used, scale),
                "expected_width": _share(within, scale),
                "room_width": _share(max(possible - expected, 0), scale),
                "short": expected > possible,
                "mark": mark,
                "mark_at": _share(mark, scale) if mark is not None else None,
                "total": label == "合計",
            }
        )
    return {"forecast": f, "bars": bars}


def _dispatch_totals(lines: Iterable[c.DispatchLine]) -> dict[str, Any]:
    rows = list(lines)
    return {
        "count": sum(r.count for r in rows),
        "hours": sum(r.hours for r in rows),
        "onsite": sum(r.onsite for r in rows),
        "web": sum(r.web for r in rows),
    }


# -- the context each template gets ---------------------------------------------------------


def _common(head: c.Head) -> dict[str, Any]:
    start, end = head.period()
    return {
        "head": head,
        "fiscal_year_label": format_fiscal_year(head.fiscal_year),
        "contract_start": start,
        "contract_end": end,
    }


def context(content: c.MonthlyReport | c.CompletionReport) -> dict[str, Any]:
    """Everything a report template may use (see the templates for how)."""
    values = _common(content.head)
    values["report"] = content
    values["quota"] = quota_view(content.quota)
    if isinstance(content, c.MonthlyReport):
        values["forecast"] = forecast_view(content.forecast)
        first = date.fromisoformat(f"{content.period}-01")
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        values.update(
            month_label=month_label(content.period),
            period_start=first,
            period_end=following - timedelta(days=1),
            next_month_label=f"{format_year(following)}{following.month}月",
            totals=_dispatch_totals(content.dispatches),
        )
    else:
        values["theme_totals"] = {
            "held": sum(t.held for t in content.themes),
            "hours": sum(t.hours for t in content.themes),
        }
    return values


# -- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def environment(templates_dir: Path | None) -> Environment:
    """The Jinja2 environment for ``templates_dir`` (then the shipped templates)."""
    loaders = [FileSystemLoader(TEMPLATES, encoding="utf-8")]
    if templates_dir is not None:
        loaders.insert(0, FileSystemLoader(templates_dir, encoding="utf-8"))
    # A user's template folder renders in Jinja2's sandbox: it is code from
    # outside the package and must not reach os or subprocess.
    environment_class = SandboxedEnvironment if templates_dir is not None else Environment
    env = environment_class(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=True,  # organisation names and minutes are people's text, never markup
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(wareki=wareki, hours=hours, number=number)
    env.globals.update(percent=percent)
    return env


def stylesheet(templates_dir: Path | None) -> tuple[str, Path]:
    """The report stylesheet's text and the folder it came from (its base URL)."""
    if templates_dir is not None and (templates_dir / STYLESHEET).is_file():
        return (templates_dir / STYLESHEET).read_text(encoding="utf-8"), templates_dir
    return (TEMPLATES / STYLESHEET).read_text(encoding="utf-8"), TEMPLATES


def html(content: c.MonthlyReport | c.CompletionReport, templates_dir: Path | None = None) -> str:
    """The report as HTML, before layout (for a look in a browser, and the tests)."""
    name = TEMPLATE_NAMES[type(content)]
    try:
        return environment(templates_dir).get_template(name).render(context(content))
    except TemplateError as exc:  # a contractor's own template that does not hold
        raise InvalidValue(f"template {name}", str(exc), "a template that renders") from exc


def render(
    content: c.MonthlyReport | c.CompletionReport,
    templates_dir: Path | None = None,
    *,
    font_check: FontCheck = has_japanese_font,
) -> bytes:
    """The report as PDF bytes; ``MissingFont`` (and nothing laid out) without a
    Japanese font. ``font_check`` answers whether one is installed."""
    if not font_check():
        raise MissingFont("pdf")
    # Loaded here, not at import: WeasyPrint pulls in Pango, which only PDFs need.
    from weasyprint import CSS, HTML

    css, css_dir = stylesheet(templates_dir)
    base = templates_dir if templates_dir is not None else TEMPLATES
    document = HTML(string=html(content, templates_dir), base_url=f"{base.resolve().as_uri()}/")
    data: bytes = document.write_pdf(
        stylesheets=[CSS(string=css, base_url=f"{css_dir.resolve().as_uri()}/")]
    )
    return data
