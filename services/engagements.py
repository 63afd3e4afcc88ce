"""Engagements: one organisation × one theme, from request to reported outcome (§6(2))."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from banso.engine.errors import InvalidValue, NotFound, Refused
from banso.engine.phrase import Phrase
from banso.engine.runner import Outcome
from banso.engine.workflow import Actor, RecordView
from banso.services.context import Services
from banso.services.dates import check_within_programme
from banso.services.identity import acting, acting_to_fire, person_named
from banso.services.plans import plan_deliverable_data
from banso.services.ports import Org, Theme, UnitOfWork
from banso.services.themes import family_engagements, top_theme
from banso.services.transitions import fire_in
from banso.workflows.engagement import PROPOSE_EXPERT, PROPOSED_FIELD
from banso.workflows.programme import (
    CLOSED_ENGAGEMENT,
    HEARING_BY_DAYS,
    HEARING_BY_PREFERRED,
    hearing_due,
)

HEARING_BY = (HEARING_BY_PREFERRED, HEARING_BY_DAYS)


def org_named(uow: UnitOfWork, code: str) -> Org:
    org = uow.directory.org(code)
    if org is None:
        raise NotFound("organisation with code", code)
    return org


def theme_named(uow: UnitOfWork, code: str) -> Theme:
    theme = uow.directory.theme(code)
    if theme is None:
        raise NotFound("theme with code", code)
    return theme


def open_engagement(uow: UnitOfWork, org_id: int, theme_id: int) -> RecordView | None:
    """The engagement of this organisation on this theme that is still going, if any."""
    found = uow.records.find(
        "engagement", where={"org_id": org_id, "theme_id": theme_id}, not_states=CLOSED_ENGAGEMENT
    )
    return found[0] if found else None


def create_engagement(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    org: Org,
    theme: Theme,
    payload: Mapping[str, Any] | None = None,
    **data: Any,
) -> Outcome:
    """A new engagement, with its support-plan deliverable (spec §9 No.4) unless its
    organisation's document covers it already (`services.plans`)."""
    outcome = services.runner.create(
        uow,
        "engagement",
        actor=actor,
        data={"org_id": org.id, "theme_id": theme.id, **data},
        payload=payload,
    )
    plan = plan_deliverable_data(uow, org, theme, outcome.record.id)
    if plan is not None:
        services.runner.create(uow, "deliverable", actor=actor, data=plan)
    return outcome


def new_engagement(
    services: Services, user: str | None, org_code: str, theme_code: str, request: str | None
) -> Outcome:
    """Open an engagement in `requested` (lead or prefecture)."""
    with services.uow() as uow:
        actor = acting(uow, user, "open an engagement")
        org, theme = org_named(uow, org_code), theme_named(uow, theme_code)
        existing = open_engagement(uow, org.id, theme.id)
        if existing is not None:
            raise Refused(
                Phrase(
                    "{org} × {theme} already has engagement {id} ({state}); withdraw or report "
                    "it before opening another",
                    org=org_code,
                    theme=theme_code,
                    id=existing.id,
                    state=existing.state,
                    org_name=org.name,
                    theme_name=theme.name,
                    label=services.runner.definition("engagement").label_of(existing.state),
                )
            )
        outcome = create_engagement(services, uow, actor, org, theme, request=request)
        notes = family_notes(uow, outcome.record, theme)
        uow.commit()
    return replace(outcome, notes=notes) if notes else outcome


def family_notes(uow: UnitOfWork, new: RecordView, theme: Theme) -> tuple[str, ...]:
    """Opening an engagement next to one on the same top-level theme says that they
    share the monthly cap and the consultant."""
    going = [
        e
        for e in family_engagements(uow, new.data["org_id"], theme.id, going_only=True)
        if e.id != new.id
    ]
    if not going:
        return ()
    top = top_theme(uow, theme.id)
    others = ", ".join(
        f"{e.id} ({uow.directory.theme_by_id(e.data['theme_id']).code})"  # type: ignore[union-attr]
        for e in going
    )
    return (
        Phrase(
            "engagement {id} counts with engagement {others} on {code} ({name}): "
            "a sub-theme shares its top-level theme's monthly cap and consultant",
            id=new.id,
            others=others,
            code=top.code,
            name=top.name,
        ),
    )


def schedule_hearing(
    services: Services,
    user: str | None,
    engagement_id: int,
    *,
    at: datetime,
    consultant: str,
    override: str | None = None,
    invite: Mapping[str, Any] | None = None,
) -> Outcome:
    """Schedule (or move) the online hearing with a consultant (lead); ``invite``: the
    invitation's URL, end, purpose … (see admin.invite_options)."""
    with services.uow() as uow:
        person = person_named(uow, consultant)
        actor = acting_to_fire(uow, user, "engagement", engagement_id, "schedule_hearing")
        check_within_programme(uow, "--at", at)
        outcome = fire_in(
            services,
            uow,
            actor,
            "engagement",
            engagement_id,
            "schedule_hearing",
            payload={"at": at, "consultant": consultant, "override": override},
            changes={
                "hearing_at": at,
                "consultant_id": person.id,
                "hearing_invite": dict(invite or {}),
            },
        )
        uow.commit()
    return outcome


def propose_expert(
    services: Services,
    user: str | None,
    engagement_id: int,
    *,
    consultant: str,
    override: str | None = None,
    reason: str | None = None,
) -> Outcome:
    """Propose the consultant for an engagement to the prefecture (lead; §6(2)① 県と協議);
    ``reason``: why this consultant, in the words the prefecture's mail carries."""
    with services.uow() as uow:
        person = person_named(uow, consultant)
        actor = acting_to_fire(uow, user, "engagement", engagement_id, PROPOSE_EXPERT)
        outcome = fire_in(
            services, uow, actor, "engagement", engagement_id, PROPOSE_EXPERT,
            payload={"consultant": consultant, "override": override,
                     "reason": " ".join((reason or "").split()) or None},
            changes={PROPOSED_FIELD: person.id},
        )  # fmt: skip
        uow.commit()
    return outcome


class SurveyEntry(Protocol):
    """One row of the demand survey, as the reader in `documents` gives it."""

    @property
    def row(self) -> int: ...
    @property
    def org_code(self) -> str: ...
    @property
    def theme_code(self) -> str: ...
    @property
    def request(self) -> str: ...
    @property
    def contact_name(self) -> str: ...
    @property
    def contact_email(self) -> str: ...
    @property
    def preferred_months(self) -> tuple[str, ...]: ...
    @property
    def contact_dept(self) -> str: ...


@dataclass(frozen=True)
class SurveyVocabulary:
    """What the survey reader checks cells against: codes and names people type."""

    orgs: dict[str, str]  # code or name → code
    themes: dict[str, str]
    contract_months: tuple[str, str]  # "YYYY-MM" of the contract's first and last month


def survey_vocabulary(services: Services, user: str | None) -> SurveyVocabulary:
    """Checked before the file is read, so that who is acting is known first."""
    with services.uow(readonly=True) as uow:
        acting(uow, user, "import the survey")
        orgs = uow.directory.orgs()
        themes = uow.directory.themes()
        contract = uow.settings.get("contract") or {}
    return SurveyVocabulary(
        orgs={o.code: o.code for o in orgs} | {o.name: o.code for o in orgs},
        themes={t.code: t.code for t in themes} | {t.name: t.code for t in themes},
        contract_months=(contract["start"][:7], contract["end"][:7]),
    )


@dataclass(frozen=True)
class SurveyImport:
    created: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]


def import_survey(
    services: Services,
    user: str | None,
    rows: Sequence[SurveyEntry],
    hearing_by: str | date = HEARING_BY_PREFERRED,
    progress: Callable[[int], None] | None = None,
) -> SurveyImport:
    """Every checked row becomes an engagement in `requested`, in one unit of work; a row
    whose organisation × theme is already going is reported, not created.

    ``hearing_by`` says when each hearing is due: ``preferred`` (the start of the row's
    preferred period, the setting's business days for a row without one), a date for
    every row, or ``days`` (the setting's business days from the import).
    ``progress(n)`` is told as the n-th row is taken up (the command's progress bar)."""
    if not isinstance(hearing_by, date) and hearing_by not in HEARING_BY:
        raise InvalidValue(
            "--hearing-by",
            hearing_by,
            Phrase("{choices} or a date", choices=" or ".join(HEARING_BY)),
        )
    created: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    with services.uow() as uow:
        actor = acting(uow, user, "import the survey")
        for done, row in enumerate(rows, start=1):
            if progress is not None:
                progress(done)
            org, theme = org_named(uow, row.org_code), theme_named(uow, row.theme_code)
            existing = open_engagement(uow, org.id, theme.id)
            entry = {"row": row.row, "org": org.code, "theme": theme.code}
            if existing is not None:
                duplicates.append({**entry, "engagement": existing.id})
                continue
            months = tuple(row.preferred_months)
            due = hearing_due(months, hearing_by)
            outcome = create_engagement(
                services,
                uow,
                actor,
                org,
                theme,
                payload={"due_dates": {"hearing": {"due": due[0], "basis": due[1]}}}
                if due
                else None,
                request=row.request,
                contact_name=row.contact_name,
                contact_email=row.contact_email,
                contact_dept=row.contact_dept or None,
                preferred_months=list(months),
                preferred_from=months[0] if months else None,
                preferred_to=months[-1] if months else None,
            )
            created.append(
                {"row": row.row, "engagement": outcome.record.id, "org": org.code,
                 "theme": theme.code}
            )  # fmt: skip
        uow.commit()
    return SurveyImport(created, duplicates)
