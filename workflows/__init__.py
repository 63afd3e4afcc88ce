"""Banso's pure workflow rules: the five kinds of record and how they move.

Only ``engine`` and the standard library are imported here; whatever a rule
needs from the database arrives as ``GuardContext.facts``, computed by the
caller inside the same transaction.
"""

from __future__ import annotations

from engine.workflow import WorkflowDefinition
from workflows import consultation, deliverable, dispatch, engagement, meeting
from workflows.deliverable import DELIVERABLE_KINDS
from workflows.meeting import MEETING_KINDS
from workflows.quotas import Quotas

DEFINITIONS: tuple[WorkflowDefinition, ...] = (
    engagement.DEFINITION,
    dispatch.DEFINITION,
    consultation.DEFINITION,
    deliverable.DEFINITION,
    meeting.DEFINITION,
)

__all__ = ["DEFINITIONS", "DELIVERABLE_KINDS", "MEETING_KINDS", "Quotas"]
