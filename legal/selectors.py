"""Reads of a case's legal proceedings. Each starts from the case as the caller sees it (404
when they do not) and then its legal section (403); each read goes into the audit trail."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get
from core.ids import as_id
from legal.models import DefendantStatusChange, Hearing, LegalProceeding


def _open(user: User, case_id: int | str) -> Case:
    case, _access = case_get(user, case_id, section=Section.LEGAL, read=Section.LEGAL)
    return case


def _with_history() -> QuerySet[LegalProceeding]:
    # Two queries for any number of proceedings: the rows, then all their status changes.
    return LegalProceeding.objects.prefetch_related(
        Prefetch("status_changes", queryset=DefendantStatusChange.objects.order_by("date", "id"))
    )


def proceedings_of(case: Case) -> QuerySet[LegalProceeding]:
    """The proceedings of a case the caller opened through the door with its legal section,
    each with its status history."""
    return _with_history().filter(case=case)


def proceeding_list(*, user: User, case_id: int | str) -> QuerySet[LegalProceeding]:
    return proceedings_of(_open(user, case_id))


def _one(case: Case, proceeding_id: int | str) -> LegalProceeding:
    pk = as_id(proceeding_id)
    proceeding = None if pk is None else proceedings_of(case).filter(pk=pk).first()
    if proceeding is None:
        raise Http404("No such legal proceeding.")
    proceeding.case = case
    return proceeding


def proceeding_detail(
    *, user: User, case_id: int | str, proceeding_id: int | str
) -> LegalProceeding:
    return _one(_open(user, case_id), proceeding_id)


def proceeding_of(*, proceeding_id: int) -> LegalProceeding:
    """A proceeding a service has just written, with its history, to answer with."""
    return _with_history().get(pk=proceeding_id)


def hearing_list(*, user: User, case_id: int | str, proceeding_id: int | str) -> QuerySet[Hearing]:
    """The hearings of a proceeding of the case, by date (404 for a proceeding of another
    case)."""
    case = _open(user, case_id)
    pk = as_id(proceeding_id)
    if pk is None or not LegalProceeding.objects.filter(pk=pk, case=case).exists():
        raise Http404("No such legal proceeding.")
    return Hearing.objects.filter(proceeding_id=pk).order_by("date", "id")
