"""Reads of a case's plans, services, notes and consent. Each starts from the case as the caller
sees it (404 when they do not) and then the section of the file it belongs to (403)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from cases.choices import ConsentScope, Section
from cases.models import Case, CaseNote, CasePlan, CaseService, Consent, PlanAction, PlanGoal
from cases.policy import case_get
from core.ids import as_id


def _plans() -> QuerySet[CasePlan]:
    # Three queries for any number of plans, goals and actions, each action with the person
    # responsible for it.
    actions = PlanAction.objects.select_related("responsible")
    return CasePlan.objects.prefetch_related(
        Prefetch(
            "goals",
            queryset=PlanGoal.objects.prefetch_related(Prefetch("actions", queryset=actions)),
        )
    )


# ``*_of(case)`` read the records of a case the caller opened through the door with their
# section (the case file's tabs); ``*_list(user, case_id)`` open it first (the API).


def plans_of(case: Case) -> QuerySet[CasePlan]:
    return _plans().filter(case=case)


def services_of(case: Case) -> QuerySet[CaseService]:
    return CaseService.objects.filter(case=case)


def notes_of(case: Case) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(case=case)


def consents_of(case: Case) -> QuerySet[Consent]:
    return Consent.objects.filter(case=case)


def plan_list(*, user: User, case_id: int | str) -> QuerySet[CasePlan]:
    case, _access = case_get(user, case_id, section=Section.CASE_PLAN, read=Section.CASE_PLAN)
    return plans_of(case)


def plan_detail(*, user: User, case_id: int | str, plan_id: int | str) -> CasePlan:
    case, _access = case_get(user, case_id, section=Section.CASE_PLAN, read=Section.CASE_PLAN)
    plan = get_object_or_404(_plans().filter(case=case), pk=plan_id)
    plan.case = case
    return plan


def plan_in_case(*, case: Case, plan_id: int | str) -> CasePlan:
    """A plan of ``case``, which the caller opened through the door with its plan section or
    the right to write the plan (404 for a plan of another case)."""
    return get_object_or_404(_plans().filter(case=case), pk=as_id(plan_id))


def plan_people(case: Case) -> QuerySet[User]:
    """Who may be made responsible for an action of the plan of ``case``: the active people of
    its agency, as the plan services require."""
    return User.objects.filter(is_active=True, agency_id=case.agency_id).order_by(
        "full_name", "username"
    )


def people_named(ids: Iterable[int]) -> QuerySet[User]:
    """The active people of ``ids``: those a plan posted names as responsible, read before its
    case is opened. The service that opens the case refuses whoever is not of its agency."""
    return User.objects.filter(is_active=True, pk__in=list(ids)).order_by("full_name", "username")


def plan_of(*, plan_id: int) -> CasePlan:
    """A plan with its goals and actions, to answer a write the caller was allowed to make."""
    return _plans().get(pk=plan_id)


def service_list(*, user: User, case_id: int | str) -> QuerySet[CaseService]:
    case, _access = case_get(user, case_id, section=Section.NOTES, read=Section.NOTES)
    return services_of(case)


def service_detail(*, user: User, case_id: int | str, service_id: int | str) -> CaseService:
    case, _access = case_get(user, case_id, section=Section.NOTES, read=Section.NOTES)
    record = get_object_or_404(CaseService.objects.filter(case=case), pk=service_id)
    record.case = case
    return record


def note_list(*, user: User, case_id: int | str) -> QuerySet[CaseNote]:
    case, _access = case_get(user, case_id, section=Section.NOTES, read=Section.NOTES)
    return notes_of(case)


def consent_list(*, user: User, case_id: int | str) -> QuerySet[Consent]:
    case, _access = case_get(user, case_id, section=Section.NOTES, read=Section.NOTES)
    return consents_of(case)


def consent_detail(*, user: User, case_id: int | str, consent_id: int | str) -> Consent:
    case, _access = case_get(user, case_id, section=Section.NOTES, read=Section.NOTES)
    consent = get_object_or_404(Consent.objects.filter(case=case), pk=consent_id)
    consent.case = case
    return consent


def consent_covers(case: Case, scope: str) -> bool:
    """Whether a consent that has not been withdrawn covers ``scope`` for ``case``. The scopes
    are compared in Python, as JSON containment is not available on every database; a case has
    a handful of consents."""
    if scope not in ConsentScope.values:
        raise ValueError(f"Unknown consent scope: {scope}")
    scopes = Consent.objects.filter(case=case, withdrawn=False).values_list("scope", flat=True)
    return any(scope in given for given in scopes)
