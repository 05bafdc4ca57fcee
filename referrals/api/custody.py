"""Formal transfers of a child's custody to a shelter, under the case."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.authentication import actor_of
from accounts.models import Agency
from cases.choices import Section
from cases.policy import case_get
from referrals.custody import custody_transfer_record
from referrals.models import CustodyTransfer, Referral
from referrals.selectors import custody_transfers_of, referrals_of


class CustodyTransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustodyTransfer
        fields = [
            "id",
            "case",
            "referral",
            "to_agency",
            "legal_basis",
            "authorising_official",
            "authorising_official_title",
            "date",
            "family_consent",
            "no_consent_reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class CaseReferralField(serializers.PrimaryKeyRelatedField):
    """A referral of the case in the context: another case's referral is "not found", so the
    answer tells nothing about referrals the caller cannot see."""

    def get_queryset(self) -> QuerySet[Referral]:
        return referrals_of(self.context["case"])


class CustodyTransferCreateSerializer(serializers.Serializer):
    to_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        help_text="An active agency offering shelter or care.",
    )
    legal_basis = serializers.CharField()
    authorising_official = serializers.CharField(max_length=200)
    authorising_official_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    date = serializers.DateField(help_text="Not in the future.")
    family_consent = serializers.BooleanField()
    no_consent_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed, not only blanks, when family_consent is false.",
    )
    referral = CaseReferralField(
        queryset=Referral.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A referral of this case to the same agency, if the transfer follows one.",
    )


class CustodyTransferListView(generics.ListAPIView[CustodyTransfer]):
    """Formal transfers of the child's custody to a shelter. Reading needs the placements
    section of the case; recording, the case's owner or supervisor, or the receiving shelter
    of an accepted referral."""

    serializer_class = CustodyTransferSerializer

    def get_queryset(self) -> QuerySet[CustodyTransfer]:
        if getattr(self, "swagger_fake_view", False):
            return CustodyTransfer.objects.none()
        case, _access = case_get(
            actor_of(self.request),
            self.kwargs["case_id"],
            section=Section.PLACEMENTS,
            read=Section.PLACEMENTS,
        )
        return custody_transfers_of(case)

    @extend_schema(
        request=CustodyTransferCreateSerializer, responses={201: CustodyTransferSerializer}
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Records a transfer of the child's custody to an active agency offering shelter or
        alternative care, with its legal basis, the authorising official and the family's consent or
        why it was done without (400 otherwise): for the case's owner and her supervisor, or the
        receiving agency itself when it holds the child through an accepted referral (403). 409 on a
        closed case; the transfer goes into the audit trail."""
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        data = CustodyTransferCreateSerializer(data=request.data, context={"case": case})
        data.is_valid(raise_exception=True)
        transfer = custody_transfer_record(actor=actor, case=case, **data.validated_data)
        return Response(CustodyTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)
