"""One plan record: the 支援計画書 and the engagement's plan say the same thing.

The specification asks for one 支援計画書 per supported organisation (§9 No.4
支援計画書（支援対象ごと）) with a section per theme; the setting
``support_plan_per`` may make it one per engagement instead. Either way the
deliverable moves with the engagements it covers: drafting a plan submits it,
and it is approved when no plan it covers still waits for the prefecture.
"""

from __future__ import annotations

from collections.abc import Iterable

from banso.engine.workflow import RecordView
from banso.workflows import engagement
from banso.workflows.checks import is_blank

PER_ORGANISATION = "organisation"
PER_ENGAGEMENT = "engagement"
PLAN_SCOPES = (PER_ORGANISATION, PER_ENGAGEMENT)


def awaits_approval(view: RecordView) -> bool:
    """An engagement whose drafted plan the prefecture has not approved yet."""
    return view.state == engagement.HEARING and not is_blank(view.data.get("goals"))


def document_approved(covered: Iterable[RecordView]) -> bool:
    """The document is approved when none of the plans it covers awaits approval."""
    return not any(awaits_approval(v) for v in covered)
