"""Legal proceedings under /cases/{id}/legal-proceedings/. Reads go through legal.selectors
(404 for a case out of reach, 403 when its legal section is not open to the caller); writes
through legal.services, which check the right to write, the case's state and the input."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import actor_of
from cases.policy import case_ref
from core.api.conditional import etag, expected_version
from core.api.schema import honours_if_match, sends_etag
from legal import selectors, services
from legal.api.serializers import (
    HearingCreateSerializer,
    HearingSerializer,
    LegalProceedingCreateSerializer,
    LegalProceedingSerializer,
    LegalProceedingUpdateSerializer,
)
from legal.models import Hearing, LegalProceeding


def _answer(proceeding: LegalProceeding, code: int = status.HTTP_200_OK) -> Response:
    """The proceeding as the service left it, with its history and the ETag of that version."""
    written = selectors.proceeding_of(proceeding_id=proceeding.pk)
    return Response(
        LegalProceedingSerializer(written).data, status=code, headers={"ETag": etag(written)}
    )


class LegalProceedingListView(generics.ListAPIView[LegalProceeding]):
    """The case's court proceedings, newest first, each with its defendant's status history:
    needs the legal section (403), never open to commune committees."""

    serializer_class = LegalProceedingSerializer

    def get_queryset(self) -> QuerySet[LegalProceeding]:
        if getattr(self, "swagger_fake_view", False):
            return LegalProceeding.objects.none()
        return selectors.proceeding_list(
            user=actor_of(self.request), case_id=self.kwargs["case_id"]
        )

    @extend_schema(
        request=LegalProceedingCreateSerializer, responses={201: LegalProceedingSerializer}
    )
    @sends_etag
    def post(self, request: Request, case_id: int) -> Response:
        """Records a court proceeding in which the child is a victim, a witness or accused: for
        those who may add to the case (its owner, her supervisor, and the people working on it
        through an accepted referral) and see its legal section (403 otherwise; 409 on a closed
        case). Amounts of restitution are in riel. A first ``defendant_status`` starts the
        status history."""
        data = LegalProceedingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proceeding = services.legal_proceeding_create(
            actor=actor_of(request), case=case_ref(case_id), **data.validated_data
        )
        return _answer(proceeding, status.HTTP_201_CREATED)


class LegalProceedingDetailView(APIView):
    @extend_schema(responses=LegalProceedingSerializer)
    @sends_etag
    def get(self, request: Request, case_id: int, pk: int) -> Response:
        """One proceeding of the case with its defendant's status history and its ``ETag``:
        needs the legal section (403), and a proceeding of another case answers 404. The
        reading goes into the audit trail."""
        proceeding = selectors.proceeding_detail(
            user=actor_of(request), case_id=case_id, proceeding_id=pk
        )
        return Response(
            LegalProceedingSerializer(proceeding).data, headers={"ETag": etag(proceeding)}
        )

    @extend_schema(request=LegalProceedingUpdateSerializer, responses=LegalProceedingSerializer)
    @honours_if_match
    def patch(self, request: Request, case_id: int, pk: int) -> Response:
        """Changes a proceeding; a new ``defendant_status`` is added to its history, never
        written over the old one. For those who may add to the case and see its legal section
        (403 otherwise; 409 on a closed case); with ``If-Match``, refused (412) when it changed
        since."""
        data = LegalProceedingUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        proceeding = services.legal_proceeding_update(
            actor=actor_of(request),
            proceeding=LegalProceeding(pk=pk, case_id=case_id),
            expected_version=expected_version(request, pk),
            **data.validated_data,
        )
        return _answer(proceeding)


class HearingListView(generics.ListAPIView[Hearing]):
    """The hearings of a proceeding, by date: needs the case's legal section (403), and a
    proceeding of another case answers 404."""

    serializer_class = HearingSerializer

    def get_queryset(self) -> QuerySet[Hearing]:
        if getattr(self, "swagger_fake_view", False):
            return Hearing.objects.none()
        return selectors.hearing_list(
            user=actor_of(self.request),
            case_id=self.kwargs["case_id"],
            proceeding_id=self.kwargs["pk"],
        )

    @extend_schema(request=HearingCreateSerializer, responses={201: HearingSerializer})
    def post(self, request: Request, case_id: int, pk: int) -> Response:
        """Records a hearing with the protection the child had (testimony by video link, and
        any other): for those who may add to the case and see its legal section (403
        otherwise; 409 on a closed case). A hearing within ``REMINDER_LEAD_DAYS`` reminds the
        case's owner (``hearing_due``), once per hearing date."""
        data = HearingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hearing = services.hearing_create(
            actor=actor_of(request),
            proceeding=LegalProceeding(pk=pk, case_id=case_id),
            **data.validated_data,
        )
        return Response(HearingSerializer(hearing).data, status=status.HTTP_201_CREATED)
