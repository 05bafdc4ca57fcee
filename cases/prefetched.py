"""Related rows of a page of cases, read once for the page as plain values and kept on each
case.

Django's prefetch builds a model instance for every related row and a filtered queryset for
every case of the page; a list only shows a few of their values. :func:`load_details` reads
each relation in one ``values_list`` query for the whole page, keyed by an array parameter, and
keeps the values on the cases. The readers below use them, and fall back to a query of their
own for a case loaded otherwise (one case in a service), so a page that forgets to load shows
the same values, at a query per case that the query-count tests catch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from cases.models import Case, CaseConcern, CaseExternalId, Child, FamilyMember
from core.compiled import CompiledQuery
from core.lookups import IdList

CONCERNS = "listed_concerns"
FAMILY = "listed_family"
EXTERNAL_IDS = "listed_external_ids"

# What a case shows of each family member, in this order.
FAMILY_FIELDS = (
    "id",
    "name",
    "name_km",
    "relation",
    "contact",
    "lives_with_child",
    "is_caregiver",
    "notes",
)


# Every page runs these three with one shape: compiled once (core.compiled).
_CONCERNS_OF_CASES = CompiledQuery(
    lambda ids: (
        CaseConcern.objects.filter(case_id__any_of=ids)
        .order_by("case_id", "concern_id")
        .values_list("case_id", "concern_id")
    ),
    ids=IdList,
)
_FAMILY_OF_CHILDREN = CompiledQuery(
    lambda ids: (
        FamilyMember.objects.filter(child_id__any_of=ids)
        .order_by("child_id", "id")
        .values_list("child_id", *FAMILY_FIELDS)
    ),
    ids=IdList,
)
_EXTERNAL_IDS_OF_CASES = CompiledQuery(
    lambda ids: (
        CaseExternalId.objects.filter(case_id__any_of=ids)
        .order_by("case_id", "system", "external_id")
        .values_list("case_id", "system", "external_id")
    ),
    ids=IdList,
)


def _concerns_by_case(case_ids: IdList) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = defaultdict(list)
    for case_id, code in _CONCERNS_OF_CASES.rows(ids=case_ids):
        codes[case_id].append(code)
    return codes


def _family_by_child(child_ids: IdList) -> dict[int, list[dict[str, Any]]]:
    family: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for child_id, *values in _FAMILY_OF_CHILDREN.rows(ids=child_ids):
        family[child_id].append(dict(zip(FAMILY_FIELDS, values, strict=True)))
    return family


def _external_ids_by_case(case_ids: IdList) -> dict[int, list[dict[str, str]]]:
    named: dict[int, list[dict[str, str]]] = defaultdict(list)
    for case_id, system, external_id in _EXTERNAL_IDS_OF_CASES.rows(ids=case_ids):
        named[case_id].append({"system": system, "id": external_id})
    return named


def load_details(
    cases: Iterable[Case],
    *,
    concerns: bool = False,
    family: bool = False,
    external_ids: bool = False,
) -> None:
    """Reads what is asked of ``cases`` (concern codes, the child's family, external ids) in
    one query per relation, and keeps it on each case for the readers below. ``family`` needs
    the child loaded with the case (``select_related("child")``)."""
    cases = [case for case in cases if case is not None]
    if not cases:
        return
    # Sent as one array's text: psycopg writes a list of ints item by item, in Python.
    case_ids = IdList(case.pk for case in cases)
    if concerns:
        codes = _concerns_by_case(case_ids)
        for case in cases:
            case.__dict__[CONCERNS] = codes.get(case.pk, [])
    if family:
        members = _family_by_child(IdList(case.child_id for case in cases))
        for case in cases:
            case.child.__dict__[FAMILY] = members.get(case.child_id, [])
    if external_ids:
        named = _external_ids_by_case(case_ids)
        for case in cases:
            case.__dict__[EXTERNAL_IDS] = named.get(case.pk, [])


def concern_codes_of(case: Case) -> list[str]:
    """The case's concern codes, in code order."""
    listed = case.__dict__.get(CONCERNS)
    return listed if listed is not None else _concerns_by_case(IdList([case.pk])).get(case.pk, [])


def family_of(child: Child) -> list[dict[str, Any]]:
    """The child's family members as :data:`FAMILY_FIELDS`, in the order they were recorded."""
    listed = child.__dict__.get(FAMILY)
    return listed if listed is not None else _family_by_child(IdList([child.pk])).get(child.pk, [])


def external_ids_of(case: Case) -> list[dict[str, str]]:
    """``[{"system", "id"}]``, by system."""
    listed = case.__dict__.get(EXTERNAL_IDS)
    if listed is not None:
        return listed
    return _external_ids_by_case(IdList([case.pk])).get(case.pk, [])
