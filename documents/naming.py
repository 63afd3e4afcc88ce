"""File names of the deliverables, as the prefecture files them:
``月次業務報告書_令和8年10月分_第2版.docx``."""

from __future__ import annotations

import re

from banso.services import content as c
from banso.workflows.programme import monthly_label as month_label

# The name each kind of content is filed under.
BASES: dict[type, str] = {
    c.OrgChart: "業務実施体制図",
    c.ImplementationPlan: "業務実施計画書",
    c.Roster: "専門人材一覧表",
    c.SupportPlan: "支援計画書",
    c.MonthlyReport: "月次業務報告書",
    c.CompletionReport: "業務完了報告書",
    c.ReportSlides: "事業報告会資料",
    c.CoverLetter: "送付状",
}

# Characters Windows does not allow in a file name, and the separators we use.
_UNSAFE = re.compile(r'[\\/:*?"<>|\s_]+')


def _part(text: str) -> str:
    return _UNSAFE.sub("・", text).strip("・")


def filename(content: c.Content, ext: str) -> str:
    """``{name}_{what it is about}_第{version}版.{ext}``."""
    base = BASES[type(content)]
    about: list[str] = []
    if isinstance(content, c.MonthlyReport):
        about.append(month_label(content.period))
    elif isinstance(content, c.SupportPlan):
        about.append(_part(f"{content.org_name}・{content.theme_name}"))
    elif isinstance(content, c.CoverLetter):
        about.append(_part(content.number))
    parts = [base, *about, f"第{content.head.version}版"]
    return "_".join(parts) + f".{ext}"
