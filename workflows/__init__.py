"""The programme's rules: the five workflows, quotas, who may do what. Rule: pure, imports
`engine` only.

Only ``engine`` and the standard library are imported here; whatever a rule
needs from the database arrives as ``GuardContext.facts``, a frozen dataclass
declared beside the rule that judges it (``ConsultantFacts``, ``DispatchTally``,
``DispatchFacts``, ``MonthlyMeetingFacts``) and computed by the caller inside
the same transaction. A refusal is a list of ``engine.errors.Unmet``: what is
wrong, and the input (``field``) or remedy (a trigger or action name) that
would put it right; how those are typed is the caller's to say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from banso.engine.workflow import WorkflowDefinition
    from banso.workflows.deliverable import DELIVERABLE_KINDS
    from banso.workflows.meeting import MEETING_KINDS
    from banso.workflows.quotas import Quotas

    DEFINITIONS: tuple[WorkflowDefinition, ...]


def __getattr__(name: str) -> Any:
    """The package's names, loaded when first asked for: a module that needs one
    rule (``workflows.validation``, to read the settings) does not pay for
    the five workflows."""
    if name == "DEFINITIONS":
        from banso.workflows import (
            consultation,
            deliverable,
            dispatch,
            engagement,
            meeting,
            worklog,
        )

        value: Any = (
            engagement.DEFINITION,
            dispatch.DEFINITION,
            consultation.DEFINITION,
            deliverable.DEFINITION,
            meeting.DEFINITION,
            worklog.DEFINITION,
        )
    elif name == "DELIVERABLE_KINDS":
        from banso.workflows import deliverable

        value = deliverable.DELIVERABLE_KINDS
    elif name == "MEETING_KINDS":
        from banso.workflows import meeting

        value = meeting.MEETING_KINDS
    elif name == "Quotas":
        from banso.workflows import quotas

        value = quotas.Quotas
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = ["DEFINITIONS", "DELIVERABLE_KINDS", "MEETING_KINDS", "Quotas"]
