"""Related rows of a page of cases, read once for the page and kept on each row as a plain
list.

Django's prefetch into a related manager's cache builds a filtered queryset for every row (a
tenth of a case list request's time went there); a prefetch into a list attribute costs nothing
per row. The lists use these prefetches, and every reader goes through the functions below,
which fall back to the relation for a case loaded otherwise (the door's, a service's)."""

from __future__ import annotations

from django.db.models import Prefetch

from cases.models import Case, CaseConcern, CaseExternalId, Child, FamilyMember

CONCERNS = "listed_concerns"
FAMILY = "listed_family"
EXTERNAL_IDS = "listed_external_ids"


def concerns_prefetch(path: str = "") -> Prefetch:
    """The concerns of each case (``path`` leads to the case: "case__" from a referral)."""
    return Prefetch(
        f"{path}concern_rows",
        queryset=CaseConcern.objects.order_by("concern_id"),
        to_attr=CONCERNS,
    )


def family_prefetch() -> Prefetch:
    """The family of each case's child, in the order it was recorded."""
    return Prefetch("child__family", queryset=FamilyMember.objects.order_by("id"), to_attr=FAMILY)


def external_ids_prefetch() -> Prefetch:
    return Prefetch("external_ids", queryset=CaseExternalId.objects.all(), to_attr=EXTERNAL_IDS)


def concern_rows_of(case: Case) -> list[CaseConcern]:
    listed = case.__dict__.get(CONCERNS)
    return listed if listed is not None else list(case.concern_rows.all())


def family_of(child: Child) -> list[FamilyMember]:
    listed = child.__dict__.get(FAMILY)
    return listed if listed is not None else list(child.family.all())


def external_ids_rows_of(case: Case) -> list[CaseExternalId]:
    listed = case.__dict__.get(EXTERNAL_IDS)
    return listed if listed is not None else list(case.external_ids.all())
