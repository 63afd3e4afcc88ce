"""Golden files: one rendered example of every mail kind, kept under
tests/golden/mail/<kind>.txt and reviewed by eye once.

A deliberate change of a template makes this test fail with the difference.
Regenerate the files, then read the diff before committing:

    BANSO_REGENERATE_GOLDEN=1 .venv/bin/pytest -q tests/unit/test_mail_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from banso.notifications.render import KINDS, MailRenderer
from tests.support.mail_examples import example

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "mail"
REGENERATE = os.environ.get("BANSO_REGENERATE_GOLDEN") == "1"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_renders_as_its_golden_file(kind: str) -> None:
    subject, text = MailRenderer().render(kind, example(kind))
    rendered = f"Subject: {subject}\n\n{text}"
    path = GOLDEN / f"{kind}.txt"
    if REGENERATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"no golden file for {kind}: regenerate (see the module docstring)"
    assert rendered == path.read_text(encoding="utf-8")


def test_no_golden_file_is_left_without_its_kind() -> None:
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(KINDS)
