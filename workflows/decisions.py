"""Which triggers are the prefecture's decisions (and so may be recorded on its behalf).

A trigger only the prefecture may fire is its decision: approving or returning a
deliverable, approving a support plan, agreeing to an expert, and whatever
prefecture-only trigger a workflow declares later. The lead may record such a
decision on the prefecture's behalf; no other trigger may be recorded so.
"""

from __future__ import annotations

from banso.engine.workflow import WorkflowDefinition
from banso.workflows.roles import PREFECTURE


def is_prefecture_decision(
    definition: WorkflowDefinition, trigger: str, state: str | None = None
) -> bool:
    """Every transition of ``trigger`` (from ``state``, if given) is the prefecture's alone."""
    found = [
        t
        for t in definition.transitions
        if t.trigger == trigger and (state is None or state in t.source)
    ]
    return bool(found) and all(t.roles == (PREFECTURE,) for t in found)


def prefecture_decisions(definition: WorkflowDefinition) -> tuple[str, ...]:
    """The triggers of ``definition`` that are prefecture decisions, sorted."""
    return tuple(t for t in definition.triggers() if is_prefecture_decision(definition, t))
