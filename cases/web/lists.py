"""The case list: the reader's cases, filtered as the API filters them."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from cases.api.filters import CaseFilter, compiled_case_list, searches
from cases.models import Case
from cases.policy import (
    CaseAccess,
    case_accesses,
    may_export_cases,
)
from cases.prefetched import concern_codes_of, load_details
from cases.selectors import case as case_selectors
from cases.selectors.case import NameSearchList, StatusList, concern_types
from cases.services.case import (
    CASE_HOLDER_ROLES,
    case_record_list_read,
)
from cases.web.case_file import (
    concern_labels,
)
from cases.web.forms import (
    CaseFilterForm,
)
from core.api.filters import asked_only
from core.pagination import KeysFirstPaginator, LookAheadPaginator
from core.web import render_page, user_of

PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseRow:
    case: Case
    access: CaseAccess
    concerns: list[str]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    all_concerns = list(concern_types())
    labels = concern_labels(all_concerns)
    chosen = request.GET.get("concern")
    form = CaseFilterForm(
        request.GET or None,
        # A retired concern stays offered while it is the one filtered by.
        concerns=[c for c in all_concerns if c.is_active or c.code == chosen],
    )
    # The API's own filters and compiled list, so the page and GET /api/v1/cases/ agree.
    cases: QuerySet[Case] | StatusList | NameSearchList | None = compiled_case_list(
        user, request.GET, place=True
    )
    if cases is None:
        cases = asked_only(CaseFilter, request.GET)(
            request.GET, queryset=case_selectors.case_list(user=user, place=True), request=request
        ).qs
    paginator = KeysFirstPaginator if searches(request.GET) else LookAheadPaginator
    page = paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    case_record_list_read(
        actor=user,
        what="case",
        query=request.GET.dict(),
        case_ids=[case.pk for case in page.object_list],
    )
    load_details(page.object_list, concerns=True)
    accesses = case_accesses(user, page.object_list)
    rows = [
        CaseRow(
            case=case,
            access=accesses[case.pk],
            concerns=[labels.get(code, code) for code in concern_codes_of(case)],
        )
        for case in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
        "can_register": user.role in CASE_HOLDER_ROLES and user.agency_id is not None,
        "can_export": may_export_cases(user),
    }
    return render_page(request, "cases/case_list.html", "cases/_case_results.html", context)
