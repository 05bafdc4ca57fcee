"""Reads of exports: a person's own, and the cases an export holds, found through the case
list's own filters among the cases the person sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from cases.api.filters import CaseFilter
from cases.models import Case
from cases.policy import visible_cases
from core.ids import as_id
from exports.models import CaseExport


@dataclass(frozen=True)
class _Caller:
    """The request the case filters ask who is filtering (``request.user``)."""

    user: User


def export_filters(filters: Any) -> dict[str, str]:
    """``filters`` as the case list takes them (its query string's names and values), or a
    ValidationError naming what is not one of them."""
    if not isinstance(filters, Mapping):
        raise ValidationError({"filters": [_("Give the filters as names and values.")]})
    known = CaseFilter.base_filters
    unknown = sorted(str(name) for name in filters if name not in known)
    if unknown:
        raise ValidationError(
            {
                "filters": [
                    _("Unknown filter: %(unknown)s. The case list filters by %(known)s.")
                    % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
                ]
            }
        )
    if any(
        not isinstance(value, str | int) or isinstance(value, bool) for value in filters.values()
    ):
        raise ValidationError({"filters": [_("Each filter's value is a text or a number.")]})
    return {name: str(value) for name, value in filters.items() if str(value).strip()}


def cases_to_export(*, user: User, filters: Mapping[str, str]) -> QuerySet[Case]:
    """The cases ``user`` sees that the case list would show with ``filters``."""
    filter_set = CaseFilter(filters, queryset=visible_cases(user), request=_Caller(user))
    if not filter_set.is_valid():
        raise ValidationError(
            {
                "filters": [
                    f"{name}: {message}"
                    for name, messages in filter_set.errors.items()
                    for message in messages
                ]
            }
        )
    return filter_set.qs


def export_rows(case_ids: list[int]) -> QuerySet[Case]:
    """The cases ``case_ids`` (chosen by :func:`cases_to_export`) with what a row of the export
    reads: the child, the places, the agency, the owner (the concerns are read for a chunk by
    cases.prefetched.load_details)."""
    return Case.objects.filter(pk__in=case_ids).select_related(
        "child__location", "location", "agency", "owner"
    )


def exports_of(*, user: User) -> QuerySet[CaseExport]:
    """The exports ``user`` asked for, newest first (nobody sees another's)."""
    return CaseExport.objects.filter(requested_by_id=user.pk).order_by("-id")


def export_of(*, user: User, export_id: int | str) -> CaseExport:
    """One of ``user``'s exports; Http404 for another person's, as for a missing one."""
    pk = as_id(export_id)
    export = exports_of(user=user).filter(pk=pk).first() if pk is not None else None
    if export is None:
        raise Http404("No such export.")
    return export
