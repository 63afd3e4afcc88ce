"""Records: add/get/write with the optimistic version, find and count, the schema's refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON as SqlJSON
from sqlalchemy import TypeDecorator, inspect

from banso.engine.clock import TOKYO
from banso.engine.errors import InvalidValue, NotFound
from banso.engine.workflow import RecordView
from banso.services.ports import Records
from banso.storage.models import RECORD_CLASSES
from tests.contract.backends import NAIVE, NOT_JSON, NOW, VIOLATION, Backend, Seed
from tests.support.fakes import JSON, RECORD_COLUMNS, SYSTEM_COLUMNS

VISIT = datetime(2026, 6, 3, 13, 30, tzinfo=TOKYO)


def dispatch(records: Records, seed: Seed, engagement: int, **data: Any) -> int:
    values = {
        "engagement_id": engagement,
        "consultant_id": seed.consultant,
        "at": VISIT,
        "mode": "onsite",
        "month": "2026-06",
        "fiscal_year": 2026,
        **data,
    }
    state = values.pop("state", "planned")
    return records.add("dispatch", state, values, NOW)


def ids(views: list[RecordView]) -> list[int]:
    return [v.id for v in views]


def engagement(records: Records, seed: Seed, **data: Any) -> int:
    return records.add(
        "engagement", "requested", {"org_id": seed.org, "theme_id": seed.theme, **data}, NOW
    )


def test_the_fakes_know_exactly_the_columns_of_the_sql_models() -> None:
    def sql_columns(kind: str) -> dict[str, tuple[object, bool, int | None, str | None]]:
        out = {}
        for col in inspect(RECORD_CLASSES[kind], raiseerr=True).columns:
            if col.key in SYSTEM_COLUMNS:
                continue
            kind_ = col.type.impl if isinstance(col.type, TypeDecorator) else col.type
            python = JSON if isinstance(kind_, SqlJSON) else kind_.python_type
            refs = [fk.column.table.name for fk in col.foreign_keys]
            out[col.key] = (python, bool(col.nullable), getattr(col.type, "length", None),
                            refs[0] if refs else None)  # fmt: skip
        return out

    assert set(RECORD_COLUMNS) == set(RECORD_CLASSES)
    for kind, columns in RECORD_COLUMNS.items():
        fake = {n: (c.type, c.nullable, c.length, c.references) for n, c in columns.items()}
        assert fake == sql_columns(kind), kind
    system = {c.key for c in inspect(RECORD_CLASSES["dispatch"], raiseerr=True).columns} - set(
        RECORD_COLUMNS["dispatch"]
    )
    assert system == set(SYSTEM_COLUMNS)


def test_a_new_record_reads_back_at_version_0_with_every_field(
    backend: Backend, master: Seed
) -> None:
    with backend.uow() as uow:
        eid = engagement(
            uow.records, master, preferred_months=("2026-05", "2026-06"), hearing_at=VISIT
        )
        did = dispatch(uow.records, master, eid, hours=2)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        view = uow.records.get("engagement", eid)
        visit = uow.records.get("dispatch", did)
    assert (view.kind, view.id, view.state, view.version) == ("engagement", eid, "requested", 0)
    assert view.data == {
        "org_id": master.org,
        "theme_id": master.theme,
        "consultant_id": None,
        "proposed_consultant_id": None,
        "agreed_consultant_id": None,
        "request": None,
        "contact_name": None,
        "contact_email": None,
        "contact_dept": None,
        "preferred_months": ["2026-05", "2026-06"],  # JSON gives a list back
        "preferred_from": None,
        "preferred_to": None,
        "hearing_at": VISIT,
        "hearing_invite": None,
        "findings": None,
        "goals": None,
        "planned_dispatches": None,
        "outcome": None,
        "reason": None,
    }
    assert view.data["hearing_at"].utcoffset() == timedelta(0)  # stored and read as UTC
    assert visit.data["standardization"] is False  # the column default
    assert visit.data["hours"] == 2.0 and isinstance(visit.data["hours"], float)


def test_unknown_ids_kinds_and_fields_are_refused(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        with pytest.raises(NotFound):
            uow.records.get("engagement", 999)
        with pytest.raises(NotFound):
            uow.records.get("invoice", 1)
        with pytest.raises(InvalidValue):
            engagement(uow.records, master, colour="blue")
        with pytest.raises(InvalidValue):
            engagement(uow.records, master, version=3)  # system columns are the runner's


def test_write_bumps_the_version_once_and_refuses_a_stale_one(
    backend: Backend, master: Seed
) -> None:
    with backend.uow() as uow:
        eid = engagement(uow.records, master, request="生成AI")
        uow.commit()
    later = NOW + timedelta(hours=1)
    with backend.uow() as uow:
        assert uow.records.write(
            "engagement", eid, seen_version=0, state="hearing",
            changes={"consultant_id": master.consultant, "hearing_at": VISIT}, at=later,
        )  # fmt: skip
        uow.commit()
    with backend.uow() as uow:
        # Someone who read version 0 writes after that change: no row matches.
        assert not uow.records.write(
            "engagement", eid, seen_version=0, state="withdrawn", changes={}, at=later
        )
        assert not uow.records.write(
            "engagement", 999, seen_version=0, state="withdrawn", changes={}, at=later
        )
        with pytest.raises(InvalidValue):
            uow.records.write(
                "engagement", eid, seen_version=1, state="hearing", changes={"nope": 1}, at=later
            )
        uow.commit()
    with backend.uow(readonly=True) as uow:
        view = uow.records.get("engagement", eid)
    assert (view.state, view.version) == ("hearing", 1)
    assert view.data["consultant_id"] == master.consultant
    assert view.data["request"] == "生成AI"  # untouched fields stay


def test_find_filters_by_fields_and_states_and_orders_by_fields_then_id(
    backend: Backend, master: Seed
) -> None:
    with backend.uow() as uow:
        eid = engagement(uow.records, master)
        r = uow.records
        late = dispatch(r, master, eid, at=VISIT + timedelta(days=7))
        early = dispatch(r, master, eid, state="held", summary="済")
        july = dispatch(r, master, eid, at=VISIT + timedelta(days=30), month="2026-07")
        gone = dispatch(r, master, eid, state="cancelled", consultant_id=master.other_consultant)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        find = uow.records.find
        assert ids(find("dispatch")) == sorted([late, early, july, gone])
        assert ids(find("dispatch", where={"month": "2026-06"}, order_by=("at",))) == [
            *sorted([early, gone]),
            late,
        ]
        assert ids(find("dispatch", where={"summary": None}, states=("planned",))) == sorted(
            [late, july]
        )
        assert ids(find("dispatch", not_states=("cancelled",), order_by=("month", "at"))) == [
            early,
            late,
            july,
        ]
        assert ids(find("dispatch", where={"state": "held", "engagement_id": eid})) == [early]
        assert find("dispatch", states=()) == []
        assert (
            find("dispatch", where={"consultant_id": master.consultant}, states=("cancelled",))
            == []
        )
        with pytest.raises(InvalidValue):
            find("dispatch", where={"colour": "blue"})
        with pytest.raises(InvalidValue):
            find("dispatch", order_by=("colour",))


def test_count_filters_like_find(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        eid = engagement(uow.records, master)
        for state in ("planned", "held", "cancelled"):
            dispatch(uow.records, master, eid, state=state)
        dispatch(uow.records, master, eid, standardization=True, fiscal_year=2027)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        count = uow.records.count
        assert count("dispatch") == 4
        assert count("dispatch", where={"fiscal_year": 2026}) == 3
        assert count("dispatch", where={"fiscal_year": 2026}, states=("planned", "held")) == 2
        assert count("dispatch", where={"standardization": True}) == 1
        assert count("dispatch", where={"summary": None}) == 4
        assert count("engagement", where={"consultant_id": None}) == 1


def test_count_refuses_an_unknown_field_as_find_does(
    request: pytest.FixtureRequest, backend: Backend
) -> None:
    with backend.uow(readonly=True) as uow, pytest.raises(InvalidValue):
        uow.records.count("dispatch", where={"colour": "blue"})


def test_the_schema_refuses_naive_times_missing_fields_and_dangling_keys(
    backend: Backend, master: Seed
) -> None:
    naive = datetime(2026, 6, 3, 13, 30)
    with backend.uow() as uow, pytest.raises(NAIVE):
        engagement(uow.records, master, hearing_at=naive)
    with backend.uow() as uow, pytest.raises(NOT_JSON):
        engagement(uow.records, master, preferred_months=[VISIT])  # JSON has no datetimes
    with backend.uow() as uow, pytest.raises(VIOLATION):
        uow.records.add("deliverable", "pending", {"kind": "org_chart"}, NOW)  # no title
    with backend.uow() as uow, pytest.raises(VIOLATION):
        uow.records.add("engagement", "requested", {"org_id": 999, "theme_id": master.theme}, NOW)
    with backend.uow(readonly=True) as uow:
        assert uow.records.count("engagement") == uow.records.count("deliverable") == 0


def test_times_read_back_as_the_same_instant_in_utc(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        eid = engagement(uow.records, master, hearing_at=VISIT)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        found = uow.records.find("engagement", where={"hearing_at": VISIT.astimezone(UTC)})
    assert [v.id for v in found] == [eid]
    assert found[0].data["hearing_at"].tzinfo is not None
