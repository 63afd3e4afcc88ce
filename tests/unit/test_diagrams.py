"""docs/diagrams/*.svg are what the workflow definitions draw now (tools/diagrams.py).

A definition changed without ``.venv/bin/python tools/diagrams.py`` being run fails
here: the diagrams are regenerated in memory and compared with the files.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from banso.engine.outbox import Notify
from banso.engine.workflow import State, WorkflowDefinition
from banso.workflows import DEFINITIONS, engagement
from tools.diagrams import FONT, OUT, diagrams, render

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
REGENERATE = "stale; run `.venv/bin/python tools/diagrams.py` and commit docs/diagrams/"


def test_every_diagram_is_what_its_definition_draws() -> None:
    wanted = diagrams()
    assert sorted(p.name for p in OUT.glob("*.svg")) == sorted(wanted), REGENERATE
    for name, text in wanted.items():
        assert (OUT / name).read_text("utf-8") == text, f"docs/diagrams/{name}: {REGENERATE}"


def test_the_drawing_does_not_depend_on_the_run() -> None:
    assert diagrams() == diagrams()


def test_a_diagram_names_every_state_and_trigger_in_japanese() -> None:
    for definition in DEFINITIONS:
        root = ET.fromstring(render(definition))
        assert root.get("font-family") == FONT
        assert "Noto Sans CJK JP" in FONT
        texts = {t.text for t in root.iter(f"{SVG}text")}
        words = " ".join(t for t in texts if t)
        for state in definition.states.values():
            assert state.label in texts and state.name in texts, (definition.kind, state)
        for transition in definition.transitions:
            assert transition.label in words, (definition.kind, transition.trigger)
            if any(isinstance(e, Notify) for e in transition.effects):
                # The trigger's line on the diagram carries the mail mark.
                assert any(
                    t.startswith((transition.label, "↻ " + transition.label)) and "✉" in t
                    for t in texts
                    if t
                ), (definition.kind, transition.trigger)


def test_a_changed_definition_draws_another_diagram() -> None:
    """The comparison above can fail: one more state or a renamed one shows."""
    base = engagement.DEFINITION
    before = render(base)
    states = list(base.states.values())
    renamed = [replace(s, label="再ヒアリング") if s.name == "hearing" else s for s in states]
    for changed in (
        [*states, State("paused", "一時停止")],
        renamed,
    ):
        other = WorkflowDefinition(
            kind=base.kind,
            label=base.label,
            states=changed,
            initial=base.initial,
            transitions=base.transitions,
            create_roles=base.create_roles,
        )
        assert render(other) != before
