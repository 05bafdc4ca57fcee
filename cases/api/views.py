from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.api.authentication import actor_of
from cases import selectors
from cases.api.filters import CaseFilter
from cases.api.list_reads import RecordsListReads
from cases.api.serializers import (
    AssignSerializer,
    CaseCreateSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    CloseSerializer,
    CommentSerializer,
    HistoryEventSerializer,
    PossibleDuplicateSerializer,
    ReasonSerializer,
)
from cases.models import Case
from cases.policy import CaseAccess, case_access, case_accesses
from cases.services import case as case_services
from core.api.conditional import PreconditionFailed
from core.api.pagination import StandardPagination
from core.idempotency import idempotent


def case_etag(case: Case) -> str:
    return f'"{case.pk}-{case.version}"'


def _check_if_match(request: Request, case: Case) -> None:
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return
    if case_etag(case) not in {tag.strip().removeprefix("W/") for tag in header.split(",")}:
        raise PreconditionFailed()


class CaseViewSet(
    RecordsListReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Case],
):
    """Cases the caller may see, each showing only the sections the caller may see. Any other
    case answers 404, as a missing one does. Each page listed is recorded in the audit trail."""

    list_read = "case"
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    queryset = Case.objects.none()  # for the schema; requests use get_queryset()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list(user=actor_of(self.request))

    def _represent(self, cases: list[Case], *, many: bool = False) -> Any:
        accesses = case_accesses(actor_of(self.request), cases)
        serializer = CaseSerializer(
            cases if many else cases[0], many=many, context={"accesses": accesses}
        )
        return serializer.data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._represent(list(page or []), many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = selectors.case_detail(user=actor_of(request), case_id=kwargs["pk"])
        case_services.case_record_view(actor=actor_of(request), case=case)
        return Response(self._represent([case]), headers={"ETag": case_etag(case)})

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, scope="cases.create", create=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        actor = actor_of(request)
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_services.case_open(actor=actor, **data.validated_data)
        duplicates = selectors.possible_duplicates(user=actor, child=case.child)
        body = self._represent([selectors.case_detail(user=actor, case_id=case.pk)])
        body["possible_duplicates"] = PossibleDuplicateSerializer(duplicates, many=True).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": case_etag(case)})

    def _locked_change(self, request: Request, pk: str, change: Callable[[Case], Case]) -> Response:
        """Locks the case, checks If-Match, applies ``change``, answers with the new state."""
        actor = actor_of(request)
        with transaction.atomic():
            case = selectors.case_for_update(user=actor, case_id=pk)
            _check_if_match(request, case)
            change(case)
        try:
            case = selectors.case_detail(user=actor, case_id=pk)
        except Http404:
            # The action took the case out of the caller's reach (given to a worker outside her
            # team): it is done, and the answer confirms it with the administrative fields only.
            serializer = CaseSerializer(case, context={"accesses": {case.pk: CaseAccess()}})
            return Response(serializer.data)
        return Response(self._represent([case]), headers={"ETag": case_etag(case)})

    def _validated(
        self, serializer_class: type[Serializer], request: Request, **kwargs: Any
    ) -> Any:
        data = serializer_class(data=request.data, **kwargs)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        actor = actor_of(request)
        current = selectors.case_detail(user=actor, case_id=pk)
        changes = self._validated(
            CaseUpdateSerializer, request, partial=True, context={"child": current.child}
        )
        return self._locked_change(
            request, pk, lambda case: case_services.case_update(actor=actor, case=case,
                                                                changes=changes)
        )  # fmt: skip

    @extend_schema(request=AssignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        owner = self._validated(AssignSerializer, request)["owner"]
        return self._locked_change(
            request, pk,
            lambda case: case_services.case_assign(actor=actor_of(request), case=case, owner=owner),
        )  # fmt: skip

    @extend_schema(request=CloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        data = self._validated(CloseSerializer, request)
        return self._locked_change(
            request, pk,
            lambda case: case_services.case_request_closure(actor=actor_of(request), case=case,
                                                            **data),
        )  # fmt: skip

    @extend_schema(request=CommentSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="close/approve")
    def close_approve(self, request: Request, pk: str) -> Response:
        data = self._validated(CommentSerializer, request)
        return self._locked_change(
            request, pk,
            lambda case: case_services.case_approve_closure(actor=actor_of(request), case=case,
                                                            **data),
        )  # fmt: skip

    @extend_schema(request=CommentSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="close/reject")
    def close_reject(self, request: Request, pk: str) -> Response:
        data = self._validated(CommentSerializer, request)
        return self._locked_change(
            request, pk,
            lambda case: case_services.case_reject_closure(actor=actor_of(request), case=case,
                                                           **data),
        )  # fmt: skip

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        data = self._validated(ReasonSerializer, request)
        return self._locked_change(
            request, pk,
            lambda case: case_services.case_reopen(actor=actor_of(request), case=case, **data),
        )  # fmt: skip

    @extend_schema(request=None, responses=HistoryEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        actor = actor_of(request)
        case = selectors.case_detail(user=actor, case_id=pk)
        if not case_access(actor, case).history:
            raise PermissionDenied("Your access to this case does not include its history.")
        case_services.case_record_view(actor=actor, case=case, what="history")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.case_history(case=case), request, view=self)
        return paginator.get_paginated_response(HistoryEventSerializer(page, many=True).data)
