from __future__ import annotations

from rest_framework import serializers

from documents.choices import DocumentKind
from documents.models import Document


def _link(help_text: str) -> serializers.IntegerField:
    """The id of a record of the same case the document is attached to (optional)."""
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text=help_text
    )


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PDF, JPEG or PNG file (told by its content, not its name), up to the "
        "size limit (10 MB unless configured otherwise)."
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    # Kept as written (Khmer included), but for the blanks around it.
    title = serializers.CharField(max_length=200)
    consent = _link("A consent of the case this signed consent form records.")
    custody_transfer = _link("A custody transfer of the case this custody order authorises.")
    placement = _link("A placement of the case this gatekeeping decision is for.")


class DocumentSerializer(serializers.ModelSerializer):
    withdrawn = serializers.BooleanField(
        read_only=True,
        help_text="Withdrawn documents are listed only to the case's owner and her supervisor.",
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "kind",
            "title",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "consent",
            "custody_transfer",
            "placement",
            "withdrawn",
            "withdrawn_at",
            "withdrawn_by",
            "withdraw_reason",
        ]
        read_only_fields = fields


class DocumentWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
