"""Themes as the programme counts them: a sub-theme counts with its top-level theme."""

from __future__ import annotations

from banso.engine.workflow import RecordView
from banso.services.ports import Theme, UnitOfWork
from banso.workflows import engagement
from banso.workflows.programme import CLOSED_ENGAGEMENT, top_level_theme


def top_theme(uow: UnitOfWork, theme_id: int) -> Theme:
    """The top-level theme of ``theme_id`` (itself when it has no parent)."""
    parent_of = {t.id: t.parent_id for t in uow.directory.themes()}
    found = uow.directory.theme_by_id(top_level_theme(theme_id, parent_of))
    assert found is not None  # a foreign key
    return found


def family_theme_ids(uow: UnitOfWork, theme_id: int) -> set[int]:
    """Every theme with the same top-level theme as ``theme_id``, itself included."""
    themes = uow.directory.themes()
    parent_of = {t.id: t.parent_id for t in themes}
    top = top_level_theme(theme_id, parent_of)
    return {t.id for t in themes if top_level_theme(t.id, parent_of) == top}


def family_engagements(
    uow: UnitOfWork, org_id: int, theme_id: int, *, going_only: bool = False
) -> list[RecordView]:
    """The organisation's engagements on ``theme_id``'s top-level theme or its sub-themes."""
    found: list[RecordView] = []
    for tid in sorted(family_theme_ids(uow, theme_id)):
        found += uow.records.find(
            engagement.KIND,
            where={"org_id": org_id, "theme_id": tid},
            not_states=CLOSED_ENGAGEMENT if going_only else None,
        )
    return sorted(found, key=lambda e: e.id)
