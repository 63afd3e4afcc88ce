"""The Word deliverables: a docxtpl template (Jinja2 inside a .docx) per kind of content,
filled from `services.content`.

``<templates_dir>/<name>.docx`` is used when it exists, else the shipped one
(``documents/templates``, built by ``templates/build.py``), so the contractor can follow the
prefecture's own 様式 in Word without touching code. Every value reaches the template as
text already written the way the prefecture reads it: 和暦 dates (令和8年10月15日), the
fiscal year as 令和8年度, counts with separators, hours to one decimal, "－" for nothing.
A tag naming a key that is not there is an error (``StrictUndefined``), never a blank.

The keys each template gets, besides ``head`` (``programme``, ``fiscal_year``,
``contractor``, ``addressee`` with 御中, ``issued``, ``title``, ``version``)::

    org_chart            org_chart_image, lead, members, subcontractors
    implementation_plan  purpose, period, scope, team, schedule, quotas, confidentiality,
                         subcontracting
    support_plan         organisation, theme, hearing_on, findings, goals, planned, months,
                         month_totals, consultant, period, approval
    monthly_report       month, span, dispatches, dispatch_totals, consultations,
                         consultation_count, consultation_channels, engagements, quota,
                         quota_chart, deadlines, deadline_count, deadline_summary, meeting,
                         issues, next_month, next_month_name, contract_ends, contract_end,
                         forecast (None after the contract's end)
    completion_report    span, engagements, themes, theme_totals, months, month_total, quota,
                         quota_chart, consultations, consultation_count,
                         consultation_channels, meetings, deliverables, issues, proposals
    cover_letter         number, enclosed (no, name)

The builders below show each row's fields.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any

from docx.opc.exceptions import OpcError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage  # type: ignore[import-untyped]  # no py.typed
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from banso.documents import chart
from banso.engine.era import format_date, format_fiscal_year, format_year
from banso.engine.errors import InvalidValue
from banso.engine.lazylog import get_logger
from banso.services import content as c
from banso.workflows.programme import monthly_label as month_label

log = get_logger()

TEMPLATES = Path(__file__).parent / "templates"

# The template each kind of content is laid out with.
NAMES: dict[type, str] = {
    c.OrgChart: "org_chart",
    c.ImplementationPlan: "implementation_plan",
    c.SupportPlan: "support_plan",
    c.MonthlyReport: "monthly_report",
    c.CompletionReport: "completion_report",
    c.CoverLetter: "cover_letter",
}

NONE = "－"
PICTURE_WIDTH = Mm(160)
# In the picture's place when no Japanese font is installed to draw it with.
NO_PICTURE = "（日本語フォントが見つからないため、図を省略しました。内容は次の表のとおりです。）"

Context = dict[str, Any]
Picture = Callable[[bytes | None], object]

WordContent = (
    c.OrgChart
    | c.ImplementationPlan
    | c.SupportPlan
    | c.MonthlyReport
    | c.CompletionReport
    | c.CoverLetter
)


def template_path(name: str, templates_dir: Path | None) -> Path:
    """The contractor's ``<name>.docx`` in ``templates_dir`` if there is one, else ours."""
    if templates_dir is not None:
        own = templates_dir / f"{name}.docx"
        if own.is_file():
            return own
    return TEMPLATES / f"{name}.docx"


def render(content: c.Content, templates_dir: Path | None) -> bytes:
    """``content`` laid out in its Word template, as the bytes of a .docx file."""
    name = NAMES.get(type(content))
    if name is None:
        raise InvalidValue("format", "docx", f"a deliverable made in Word, not {type(content)}")
    path = template_path(name, templates_dir)
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
    except (OpcError, OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InvalidValue(f"template {path}", str(exc), "a Word (.docx) file") from exc

    def picture(png: bytes | None) -> object:
        if png is None:
            log.warning("document.picture_omitted", template=name, reason="no_cjk_font")
            return NO_PICTURE
        return InlineImage(template, BytesIO(png), width=PICTURE_WIDTH)

    assert isinstance(content, WordContent)
    context = _CONTEXTS[type(content)](content, picture)
    try:
        # Templates may come from the user's folder: rendered in Jinja2's sandbox.
        sandbox = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
        template.render(context, jinja_env=sandbox)
    except TemplateError as exc:
        raise InvalidValue(
            f"template {path}", str(exc), "docxtpl tags naming the keys banso.documents.word lists"
        ) from exc
    props = template.docx.core_properties
    props.title = content.head.title
    props.subject = content.head.programme
    props.author = props.last_modified_by = content.head.contractor
    # The date the document bears (a renderer has no clock of its own); python-docx writes
    # it as 0:00 UTC, which is the same day in Tokyo.
    props.created = props.modified = datetime.combine(content.head.issued, time())
    out = BytesIO()
    template.save(out)
    return out.getvalue()


# -- how values are written ---------------------------------------------------------


def _date(d: date | None) -> str:
    return format_date(d) if d is not None else NONE


def _span(start: date, end: date) -> str:
    return f"{format_date(start)}から{format_date(end)}まで"


def _count(n: int) -> str:
    return f"{n:,}"


def _hours(h: float) -> str:
    return f"{h:,.1f}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else NONE


def _text(value: str | None) -> str:
    return value.strip() if value and value.strip() else NONE


def _month(period: str) -> str:
    """令和8年10月 for "2026-10"."""
    first = date.fromisoformat(f"{period}-01")
    return f"{format_year(first)}{first.month}月"


def _next_period(period: str) -> str:
    first = date.fromisoformat(f"{period}-01")
    year, month = (first.year + 1, 1) if first.month == 12 else (first.year, first.month + 1)
    return f"{year:04d}-{month:02d}"


def _month_end(period: str) -> date:
    first = date.fromisoformat(f"{_next_period(period)}-01")
    return date.fromordinal(first.toordinal() - 1)


def _tally(labels: Iterable[str]) -> str:
    """ "メール 1件、電話 1件", in the order the labels first appear."""
    counts = Counter(labels)
    return "、".join(f"{label} {n:,}件" for label, n in counts.items()) or "なし"


def _addressee(addressee: str) -> str:
    """An organisation takes 御中; a line that already ends in 様 or 御中 stays as it is."""
    text = addressee.strip()
    return text if text.endswith(("様", "御中", "殿")) else f"{text} 御中"


def _head(head: c.Head) -> Context:
    return {
        "programme": head.programme,
        "fiscal_year": format_fiscal_year(head.fiscal_year),
        "contractor": head.contractor,
        "addressee": _addressee(head.addressee),
        "issued": format_date(head.issued),
        "title": head.title,
        "version": f"第{head.version}版",
    }


def _fields(member: c.Member) -> str:
    return "、".join(member.fields) or NONE


def _company(member: c.Member) -> str:
    if not member.subcontractor:
        return member.company
    ref = f"県承認 {member.approval_ref}" if member.approval_ref else "県承認待ち"
    return f"{member.company}\n（再委託先・{ref}）"


def _quota(quota: c.QuotaUse) -> Context:
    return {
        "used": _count(quota.used),
        "held": _count(quota.held),
        "total": _count(quota.total),
        "share": _share(quota.used, quota.total),
        "remaining": _count(max(quota.total - quota.used, 0)),
        "standardization_used": _count(quota.standardization_used),
        "standardization": _count(quota.standardization),
        "standardization_share": _share(quota.standardization_used, quota.standardization),
        "standardization_remaining": _count(
            max(quota.standardization - quota.standardization_used, 0)
        ),
    }


# The forecast's bars in its table: a cell of at most this many marks.
FORECAST_MARKS = 10


def _forecast_bar(expected: int, possible: int, per_mark: int) -> str:
    """■ for the plans' rest, □ for what the cap allows beyond it; ！ when the plans need
    more than the cap allows."""
    plans = -(-min(expected, possible) // per_mark) if expected else 0
    room = -(-max(possible - expected, 0) // per_mark) if possible > expected else 0
    return "■" * plans + "□" * room + ("！" if expected > possible else "")


def _forecast(f: c.Forecast | None) -> Context | None:
    """年度末までの見通し in §4: two lines, one row per theme with its bar, the warnings."""
    if f is None:
        return None
    top = max([*(max(t.expected, t.possible) for t in f.themes), 1])
    per_mark = -(-top // FORECAST_MARKS)
    left = f.budget - f.used
    return {
        "as_of": format_date(f.as_of),
        "end": format_date(f.end),
        "budget_line": (
            f"予算{_count(f.budget)}回のうち使用済み{_count(f.used)}回、残り{_count(left)}回。"
            f"承認済みの計画の残りは{_count(f.expected)}回、月{f.monthly_cap}回の上限の範囲で"
            f"進行中の案件にまだ可能な派遣は{_count(f.possible)}回です。"
        ),
        "standardization_line": (
            f"標準化支援は目標{_count(f.standardization_target)}回に対し使用済み"
            f"{_count(f.standardization_used)}回、計画どおりで"
            f"{_count(f.standardization_used + f.standardization_expected)}回、"
            f"上限と予算の範囲で最大{_count(f.standardization_at_most)}回の見通しです。"
        ),
        "themes": [
            {
                "theme": t.theme_name + ("（標準化）" if t.standardization else ""),
                "engagements": _count(t.engagements),
                "used": _count(t.used),
                "expected": _count(t.expected),
                "possible": _count(t.possible),
                "bar": _forecast_bar(t.expected, t.possible, per_mark),
            }
            for t in f.themes
        ],
        "engagements": _count(sum(t.engagements for t in f.themes)),
        "used": _count(f.used),
        "expected": _count(f.expected),
        "possible": _count(f.possible),
        "legend": (
            f"見通し：■ 計画の残り　□ 上限の範囲でさらに可能　！ 計画が上限を超える"
            f"（記号1つ＝{per_mark}回まで）"
        ),
        "warnings": list(f.warnings),
    }


def _consultation_rows(lines: Iterable[c.ConsultationLine]) -> list[Context]:
    return [
        {
            "topic": line.topic,
            "org": line.org_name,
            "channel": line.channel or NONE,
            "state": line.state,
        }
        for line in lines
    ]


# -- the contexts ---------------------------------------------------------------------


def _org_chart(content: c.OrgChart, picture: Picture) -> Context:
    lead = content.lead
    people = [lead] if lead is not None else []
    people += [m for m in content.members if lead is None or m.email != lead.email]
    return {
        "head": _head(content.head),
        "org_chart_image": picture(chart.org_chart_png(content, chart.cjk_font())),
        "lead": None
        if lead is None
        else {
            "role": lead.role,
            "name": lead.name,
            "company": lead.company,
            "phone": lead.phone or NONE,
            "email": lead.email,
        },
        "members": [
            {
                "no": str(i),
                "role": m.role,
                "name": m.name,
                "company": _company(m),
                "fields": _fields(m),
                "contact": "\n".join(filter(None, (m.phone, m.email))),
            }
            for i, m in enumerate(people, start=1)
        ],
        "subcontractors": [
            {
                "name": s.name,
                "scope": _text(s.scope),
                "approved_on": _date(s.approved_on),
                "approval_ref": s.approval_ref or "承認待ち",
            }
            for s in content.subcontractors
        ],
    }


def _implementation_plan(content: c.ImplementationPlan, picture: Picture) -> Context:
    return {
        "head": _head(content.head),
        "purpose": _text(content.purpose),
        "period": _span(*content.period),
        "scope": list(content.scope),
        "team": [
            {"role": m.role, "name": m.name, "company": _company(m), "fields": _fields(m)}
            for m in content.team
        ],
        "schedule": [{"on": format_date(s.on), "what": s.what} for s in content.schedule],
        "quotas": {
            "total": _count(content.quotas.total),
            "standardization": _count(content.quotas.standardization),
            "monthly_cap": _count(content.quotas.monthly_cap),
        },
        "confidentiality": _text(content.confidentiality),
        "subcontracting": _text(content.subcontracting),
    }


def _support_plan(content: c.SupportPlan, picture: Picture) -> Context:
    consultant = content.consultant
    planned = content.planned_dispatches
    return {
        "head": _head(content.head),
        "organisation": " ".join(filter(None, (content.org_name, content.department))),
        "theme": content.theme_name,
        "hearing_on": _date(content.hearing_on),
        "findings": _text(content.findings),
        "goals": _text(content.goals),
        "planned": f"計{planned:,}回" if planned is not None else "未定（県と協議中）",
        "months": [
            {
                "month": _month(m.month),
                "onsite": _count(m.onsite),
                "web": _count(m.web),
                "total": _count(m.onsite + m.web),
            }
            for m in content.by_month
        ],
        "month_totals": {
            "onsite": _count(sum(m.onsite for m in content.by_month)),
            "web": _count(sum(m.web for m in content.by_month)),
            "total": _count(sum(m.onsite + m.web for m in content.by_month)),
        },
        "consultant": "調整中"
        if consultant is None
        else f"{consultant.name}（{consultant.company}）",
        "period": _span(*content.period),
        "approval": None
        if content.approval is None
        else {"on": format_date(content.approval.on), "by": content.approval.by},
    }


def _monthly_report(content: c.MonthlyReport, picture: Picture) -> Context:
    start = date.fromisoformat(f"{content.period}-01")
    meeting = content.meeting
    fy = content.head.fiscal_year
    return {
        "head": _head(content.head),
        "month": month_label(content.period),
        "span": f"{format_date(start)}～{format_date(_month_end(content.period))}",
        "dispatches": [
            {
                "org": d.org_name,
                "theme": d.theme_name,
                "count": _count(d.count),
                "hours": _hours(d.hours),
                "onsite": _count(d.onsite),
                "web": _count(d.web),
            }
            for d in content.dispatches
        ],
        "dispatch_totals": {
            "count": _count(sum(d.count for d in content.dispatches)),
            "hours": _hours(sum(d.hours for d in content.dispatches)),
            "onsite": _count(sum(d.onsite for d in content.dispatches)),
            "web": _count(sum(d.web for d in content.dispatches)),
        },
        "work": [
            {
                "org": w.org_name,
                "theme": w.theme_name,
                "hours": _hours(w.hours),
                "entries": _count(w.entries),
            }
            for w in content.work
        ],
        "work_total": _hours(sum(w.hours for w in content.work)),
        "consultations": _consultation_rows(content.consultations),
        "consultation_count": _count(len(content.consultations)),
        "consultation_channels": _tally(
            line.channel or "対応方法未記録" for line in content.consultations
        ),
        "engagements": [
            {
                "org": e.org_name,
                "theme": e.theme_name,
                "state": e.state,
                "consultant": e.consultant or "調整中",
                "held": _count(e.held),
            }
            for e in content.engagements
        ],
        "quota": _quota(content.quota),
        "quota_chart": picture(chart.quota_chart_png(content.quota, fy, chart.cjk_font())),
        "forecast": _forecast(content.forecast),
        "deadlines": [
            {
                "title": d.title,
                "due": format_date(d.due),
                "status": d.status,
                "met_on": _date(d.met_on),
            }
            for d in content.deadlines
        ],
        "deadline_count": _count(len(content.deadlines)),
        "deadline_summary": _tally(d.status for d in content.deadlines),
        "meeting": None
        if meeting is None
        else {
            "kind": meeting.kind,
            "on": format_date(meeting.on),
            "state": meeting.state,
            "minutes": _text(meeting.minutes),
        },
        "issues": _text(content.issues) if content.issues.strip() else "特になし。",
        "next_month": [
            {"on": format_date(p.on), "org": p.org_name, "theme": p.theme_name, "mode": p.mode}
            for p in content.next_month
        ],
        "next_month_name": _month(_next_period(content.period)),
        "contract_ends": content.contract_ends,
        "contract_end": format_date(content.head.period()[1]),
    }


def _completion_report(content: c.CompletionReport, picture: Picture) -> Context:
    fy = content.head.fiscal_year
    return {
        "head": _head(content.head),
        "span": _span(*content.head.period()),
        "engagements": [
            {
                "org": e.org_name,
                "theme": e.theme_name,
                "consultant": e.consultant or NONE,
                "held": _count(e.held),
                "state": e.state,
                "outcome": _text(e.outcome),
            }
            for e in content.engagements
        ],
        "themes": [
            {"theme": t.theme_name, "held": _count(t.held), "hours": _hours(t.hours)}
            for t in content.themes
        ],
        "theme_totals": {
            "held": _count(sum(t.held for t in content.themes)),
            "hours": _hours(sum(t.hours for t in content.themes)),
        },
        "months": [
            {"month": _month(period), "held": _count(held)}
            for period, held in content.quota.by_month
        ],
        "month_total": _count(sum(held for _, held in content.quota.by_month)),
        "quota": _quota(content.quota),
        "quota_chart": picture(chart.quota_chart_png(content.quota, fy, chart.cjk_font())),
        "consultations": _consultation_rows(content.consultations),
        "consultation_count": _count(len(content.consultations)),
        "consultation_channels": _tally(
            line.channel or "対応方法未記録" for line in content.consultations
        ),
        "meetings": [
            {"kind": m.kind, "on": format_date(m.on), "state": m.state} for m in content.meetings
        ],
        "deliverables": [
            {
                "title": d.title,
                "due": _date(d.due),
                "submitted_on": _date(d.submitted_on),
                "approved_on": _date(d.approved_on),
                "state": d.state,
            }
            for d in content.deliverables
        ],
        "issues": _text(content.issues) if content.issues.strip() else "特になし。",
        "proposals": _text(content.proposals) if content.proposals.strip() else "特になし。",
    }


def _cover_letter(content: c.CoverLetter, picture: Picture) -> Context:
    return {
        "head": _head(content.head),
        "number": content.number,
        "enclosed": [
            {"no": str(i), "name": name} for i, name in enumerate(content.enclosed, start=1)
        ],
    }


_CONTEXTS: dict[type, Callable[[Any, Picture], Context]] = {
    c.OrgChart: _org_chart,
    c.ImplementationPlan: _implementation_plan,
    c.SupportPlan: _support_plan,
    c.MonthlyReport: _monthly_report,
    c.CompletionReport: _completion_report,
    c.CoverLetter: _cover_letter,
}
