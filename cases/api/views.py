from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.api.authentication import actor_of
from accounts.reach import reach_of
from cases.api.filters import CaseFilter, compiled_case_list, searches
from cases.api.list_reads import RecordsListReads
from cases.api.serializers import (
    AssignSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseGoneSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    CloseSerializer,
    CommentSerializer,
    GoneSinceSerializer,
    HistoryEventSerializer,
    ReasonSerializer,
)
from cases.api.sync import CURSOR_PARAM, SYNC_PARAM, UpdatedSincePagination
from cases.models import Case
from cases.policy import CaseAccess, case_accesses, case_get, case_ref
from cases.prefetched import load_details
from cases.selectors import case as case_selectors
from cases.selectors.sync import cases_gone
from cases.services import case as case_services
from core.api.conditional import etag, expected_version
from core.api.pagination import JoinsAfterPagination, KeysFirstPagination, StandardPagination
from core.api.schema import honours_if_match, idempotent_creation, sends_etag
from core.idempotency import idempotent


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
        return case_selectors.case_list(user=actor_of(self.request))

    @property
    def paginator(self) -> BasePagination | None:
        """The changed-cases list (``?updated_since=``) is paged by cursor, the others by
        page number; a search's matches, which no index gives in order, by their keys first.
        The cases of a caller without a territory are a set of ids (her own, her team's, those
        granted): each is read to be sorted, so the page is cut before the children are
        joined. A territory's are walked in order on the date index and stop at the page's
        end, joined as they are read (cut first, the page's rows would be read twice)."""
        if not hasattr(self, "_paginator"):
            paginator: BasePagination = StandardPagination()
            if self.action == "list":
                params = self.request.query_params
                if SYNC_PARAM in params:
                    paginator = UpdatedSincePagination()
                elif searches(params):
                    paginator = KeysFirstPagination()
                elif reach_of(actor_of(self.request)).jurisdiction_path is None:
                    paginator = JoinsAfterPagination()
            self._paginator = paginator
        return self._paginator

    def _represent(
        self,
        cases: list[Case],
        *,
        many: bool = False,
        access: CaseAccess | None = None,
        serializer_class: type[CaseSerializer] = CaseSerializer,
        **context: Any,
    ) -> Any:
        """The cases as the caller may see them; ``access`` when the door already gave it (one
        case), so it is not computed twice."""
        user = actor_of(self.request)
        accesses = {cases[0].pk: access} if access is not None else case_accesses(user, cases)
        serializer = serializer_class(
            cases if many else cases[0],
            many=many,
            context={"accesses": accesses, "user": user, **context},
        )
        return serializer.data

    @extend_schema(
        parameters=[
            OpenApiParameter(
                CURSOR_PARAM,
                str,
                description="With updated_since: where the page starts, as the previous "
                "page's next link gives it (any other value answers 400).",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The cases the caller sees, newest first, filtered as asked. With ``updated_since``,
        the cases changed since then, oldest change first, paged by a cursor in ``next``: a
        case changed while paging comes again later, none is skipped (docs/api.md, Keeping in
        step with CPIMS)."""
        query = request.query_params
        # The statement of this shape, compiled once (selectors.StatusList, NameSearchList).
        compiled = compiled_case_list(actor_of(request), query)
        listed = self.filter_queryset(self.get_queryset()) if compiled is None else compiled
        cases = list(self.paginate_queryset(listed) or [])
        # The API shows every case's external ids; the pages do not need them.
        load_details(cases, concerns=True, family=True, external_ids=True)
        return self.get_paginated_response(self._represent(cases, many=True))

    @sends_etag
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One case as the caller may see it: the sections open to them, and ``actions``, what they
        may do on it now. A case out of their reach answers 404, exactly as a missing one; each
        reading goes into the audit trail, and the answer carries the case's ``ETag``."""
        case, access = case_get(actor_of(request), kwargs["pk"], detail=True, read="file")
        return Response(self._represent([case], access=access), headers={"ETag": etag(case)})

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseCreatedSerializer})
    @idempotent_creation
    @sends_etag
    def create(self, request: Request) -> Response:
        """Registers a child and opens a case in the caller's agency, owned by the caller: for
        social workers, supervisors, police officers, labour inspectors and helpline operators of an
        agency (403 for anyone else). The answer lists ``possible_duplicates``, children of the same
        district who may be this one, naming another agency's case only to those who may open it; an
        ``Idempotency-Key`` replays the first answer rather than registering the child twice."""
        return idempotent(request, scope="cases.create", create=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        actor = actor_of(request)
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_services.case_open(actor=actor, **data.validated_data)
        duplicates = case_selectors.possible_duplicates(user=actor, child=case.child)
        case, access = case_get(actor, case.pk, detail=True)
        body = self._represent(
            [case],
            access=access,
            serializer_class=CaseCreatedSerializer,
            possible_duplicates=duplicates,
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": etag(case)})

    def _answer(self, request: Request, case: Case) -> Response:
        """The case as it now is, after the service changed it in its own transaction."""
        try:
            case, access = case_get(actor_of(request), case.pk, detail=True)
        except Http404:
            # The action took the case out of the caller's reach (given to a worker outside her
            # team): it is done, and the answer confirms it with the administrative fields only.
            context = {"accesses": {case.pk: CaseAccess()}, "user": actor_of(request)}
            return Response(CaseSerializer(case, context=context).data)
        return Response(self._represent([case], access=access), headers={"ETag": etag(case)})

    def _validated(
        self, serializer_class: type[Serializer], request: Request, **kwargs: Any
    ) -> Any:
        data = serializer_class(data=request.data, **kwargs)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    @honours_if_match
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edits the case's stage, source, summary, labour sector, concerns and child: for its owner
        and the owner's supervisor (403 otherwise; 409 on a closed case). A stage move the case's
        path does not allow answers 409 (closure comes only through an approved closure request),
        and a stale ``If-Match`` 412; each change goes into the audit trail."""
        actor = actor_of(request)
        current, _access = case_get(actor, pk, action="edit")
        changes = self._validated(
            CaseUpdateSerializer, request, partial=True, context={"child": current.child}
        )
        case = case_services.case_update(
            actor=actor,
            case=current,
            changes=changes,
            expected_version=expected_version(request, current.pk),
        )
        return self._answer(request, case)

    @extend_schema(request=AssignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    @honours_if_match
    def assign(self, request: Request, pk: str) -> Response:
        """Gives the case to another active case worker of its agency (400 for anyone else): for the
        owner's supervisor and the agency's admin (403 otherwise; 409 on a closed case, 412 on a
        stale ``If-Match``). On a restricted case the new owner is named on it; when the case leaves
        the caller's reach, the answer shows its administrative fields only."""
        owner = self._validated(AssignSerializer, request)["owner"]
        case = case_services.case_assign(
            actor=actor_of(request),
            case=case_ref(pk),
            owner=owner,
            expected_version=expected_version(request, pk),
        )
        return self._answer(request, case)

    @extend_schema(request=CloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    @honours_if_match
    def close(self, request: Request, pk: str) -> Response:
        """The owner asks for the case's closure, and the owner's supervisor is notified to decide
        it (403 for anyone else). While follow-up visits are still due, only the owner's supervisor
        may close, and the case closes at once, ending the commune committees' sight of it. 409 when
        the case is closed or its closure already asked for, or, for the owner, while visits are
        due; 412 on a stale ``If-Match``."""
        data = self._validated(CloseSerializer, request)
        case = case_services.case_request_closure(
            actor=actor_of(request),
            case=case_ref(pk),
            expected_version=expected_version(request, pk),
            **data,
        )
        return self._answer(request, case)

    @extend_schema(request=CommentSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="close/approve")
    @honours_if_match
    def close_approve(self, request: Request, pk: str) -> Response:
        """Closes a case whose owner asked for it: for the owner's supervisor, never on her own
        request (403). 409 when no closure waits for a decision, 412 on a stale ``If-Match``; the
        commune committees that followed the child up stop seeing the case."""
        data = self._validated(CommentSerializer, request)
        case = case_services.case_approve_closure(
            actor=actor_of(request),
            case=case_ref(pk),
            expected_version=expected_version(request, pk),
            **data,
        )
        return self._answer(request, case)

    @extend_schema(request=CommentSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="close/reject")
    @honours_if_match
    def close_reject(self, request: Request, pk: str) -> Response:
        """Refuses a closure request, saying why in ``comment`` (400 without one): the case stays
        open and its owner may ask again. For the owner's supervisor, never on her own request
        (403); 409 when no closure waits for a decision, 412 on a stale ``If-Match``."""
        data = self._validated(CommentSerializer, request)
        case = case_services.case_reject_closure(
            actor=actor_of(request),
            case=case_ref(pk),
            expected_version=expected_version(request, pk),
            **data,
        )
        return self._answer(request, case)

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    @honours_if_match
    def reopen(self, request: Request, pk: str) -> Response:
        """Reopens a closed case for a new assessment (its stage goes back to ``assessment``),
        saying why: for its owner and the owner's supervisor (403 otherwise). 409 when the case is
        open, 412 on a stale ``If-Match``."""
        data = self._validated(ReasonSerializer, request)
        case = case_services.case_reopen(
            actor=actor_of(request),
            case=case_ref(pk),
            expected_version=expected_version(request, pk),
            **data,
        )
        return self._answer(request, case)

    @extend_schema(
        request=None,
        parameters=[GoneSinceSerializer],
        responses=CaseGoneSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"])
    def gone(self, request: Request) -> Response:
        """The cases that left the caller's reach at or after ``since`` (400 without it): given
        to another agency or to a worker out of the caller's team, a referral's grant ended,
        taken off a restricted case. Each with its external ids and when it left; a partner
        system forgets them. A case back in reach since is left out."""
        since = GoneSinceSerializer(data=request.query_params)
        since.is_valid(raise_exception=True)
        paginator = StandardPagination()
        gone = cases_gone(user=actor_of(request), since=since.validated_data["since"])
        page = paginator.paginate_queryset(gone, request, view=self) or []
        load_details([departure.case for departure in page], external_ids=True)
        return paginator.get_paginated_response(CaseGoneSerializer(page, many=True).data)

    @extend_schema(request=None, responses=HistoryEventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        """The case's audit trail, oldest first: who did what, when. For those who see the whole
        file (its owner, the owner's supervisor, an office whose territory holds it, the people
        named on a restricted case); anybody else who sees the case gets 403. The reading is itself
        recorded."""
        actor = actor_of(request)
        case, _access = case_get(actor, pk, need="history", read="history")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(
            case_selectors.case_history(case=case), request, view=self
        )
        return paginator.get_paginated_response(HistoryEventSerializer(page, many=True).data)
