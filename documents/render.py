"""The renderer Banso uses (services.ports.DocumentRenderer): each kind of content to
its formats, editable first. Each format's library loads only when that format is made.
"""

from __future__ import annotations

from pathlib import Path

from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase
from banso.services import content as c
from banso.services.ports import MEDIA_TYPES, DocumentFile

# What each deliverable comes in (spec §9: editable; a PDF for filing the reports).
FORMATS: dict[type, tuple[str, ...]] = {
    c.OrgChart: ("docx",),
    c.ImplementationPlan: ("docx",),
    c.Roster: ("xlsx",),
    c.SupportPlan: ("docx",),
    c.MonthlyReport: ("docx", "pdf"),
    c.CompletionReport: ("docx", "pdf"),
    c.ReportSlides: ("pptx",),
    c.CoverLetter: ("docx",),
}


class Renderer:
    """``templates_dir`` holds the contractor's own templates (same names as the shipped
    ones in documents/templates); any it lacks come from the shipped set."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self.templates_dir = templates_dir

    def formats(self, content: object) -> tuple[str, ...]:
        return FORMATS[type(content)]

    def render(self, content: object, fmt: str) -> DocumentFile:
        from banso.documents.naming import filename

        if fmt not in FORMATS.get(type(content), ()):
            allowed = ", ".join(FORMATS.get(type(content), ())) or "none"
            raise InvalidValue(
                "--format", fmt, Phrase("one of {allowed} for this deliverable", allowed=allowed)
            )
        assert isinstance(content, c.OrgChart | c.ImplementationPlan | c.Roster | c.SupportPlan
                          | c.MonthlyReport | c.CompletionReport | c.ReportSlides
                          | c.CoverLetter)  # fmt: skip
        data = self._bytes(content, fmt)
        return DocumentFile(filename(content, fmt), MEDIA_TYPES[fmt], data)

    def _bytes(self, content: c.Content, fmt: str) -> bytes:
        if fmt == "docx":
            from banso.documents import word

            return word.render(content, self.templates_dir)
        if fmt == "xlsx":
            from banso.documents import excel

            assert isinstance(content, c.Roster)
            return excel.render(content)
        if fmt == "pptx":
            from banso.documents import slides

            assert isinstance(content, c.ReportSlides)
            return slides.render(content)
        from banso.documents import pdf

        assert isinstance(content, c.MonthlyReport | c.CompletionReport)
        return pdf.render(content, self.templates_dir)
