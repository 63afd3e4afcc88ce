"""The on-behalf options read their --date as every other date option does
(workflows.parse): the forms the Japanese message offers are accepted."""

from __future__ import annotations

from datetime import date

import pytest

from banso.admin.decisions import on_behalf_from
from banso.engine.errors import InvalidValue


def values(day: str) -> dict[str, object]:
    return {"on_behalf_of": "kikaku@pref.okayama.example.jp", "decided_on": day,
            "ref": "岡企第123号", "evidence": None}  # fmt: skip


@pytest.mark.parametrize("day", ["2026-04-15", "2026/4/15", "令和8年4月15日", "R8.4.15",
                                 "２０２６年４月１５日"])  # fmt: skip
def test_the_decision_date_takes_the_peoples_forms(day: str) -> None:
    behalf = on_behalf_from(values(day))
    assert behalf is not None
    assert behalf.day == date(2026, 4, 15)


def test_a_date_that_is_no_date_is_refused_on_date() -> None:
    with pytest.raises(InvalidValue) as caught:
        on_behalf_from(values("4月15日"))
    assert caught.value.where == "--date"


def test_a_reference_is_needed_unless_the_command_says_the_act_may_have_none() -> None:
    given = values("2026/4/15")
    given["ref"] = None
    with pytest.raises(InvalidValue) as caught:
        on_behalf_from(dict(given))
    assert caught.value.where == "--ref"
    behalf = on_behalf_from(dict(given), ref_required=False)  # consultation new
    assert behalf is not None and behalf.ref is None


def test_no_date_is_refused_on_date_even_when_no_reference_is_needed() -> None:
    given = values("2026/4/15")
    given["decided_on"] = None
    with pytest.raises(InvalidValue) as caught:
        on_behalf_from(given, ref_required=False)
    assert caught.value.where == "--date"
