"""The slow suites' one summary line (tests/support/tally.py, printed by tests/conftest.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support import tally


def test_the_line_names_only_what_was_counted_in_a_fixed_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tally, "FIGURES", Counter())
    assert tally.summary() is None
    tally.count("races", 6)
    tally.count("faults", 1_100)
    tally.count("races", 50)
    assert tally.summary() == "slow suites: faults 1,100 cases, races 56 bursts"
    with pytest.raises(KeyError, match="unknown figure"):
        tally.count("bursts")
