"""Documents kept on a case (a birth certificate, a signed consent form, a court order): the
record here, the file itself encrypted in the documents storage (documents.vault). Access is
the case's: the ``documents`` section of the access policy (cases.policy)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Consent
from documents.choices import DocumentKind, DocumentType
from referrals.models import CustodyTransfer
from reintegration.models import Placement

# The record a document may be attached to, by the field naming it, and the one kind of
# document each takes: a signed consent form to a consent, a custody order to a custody
# transfer, a gatekeeping decision to a placement.
LINK_KINDS = {
    "consent": DocumentKind.CONSENT_FORM,
    "custody_transfer": DocumentKind.CUSTODY_ORDER,
    "placement": DocumentKind.GATEKEEPING_DECISION,
}


class Document(models.Model):
    """One uploaded file of a case. Never deleted: a document put in by mistake is withdrawn
    (kept, hidden from all but the case's managers, and in the audit trail)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    content_type = models.CharField(max_length=30, choices=DocumentType.choices)
    size = models.PositiveIntegerField(help_text=_("Bytes of the file as uploaded."))
    sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the file as uploaded."))
    # The encrypted file's name in the documents storage; never shown.
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    custody_transfer = models.ForeignKey(
        CustodyTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdraw_reason = models.TextField(blank=True)

    class Meta:
        # The case's documents, newest first: the foreign key's index on case serves it.
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | (
                    Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                    & ~Q(withdraw_reason="")
                ),
                name="document_withdrawal_says_who_when_and_why",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_is_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk} ({self.kind}) of case {self.case_id}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for field, kind in LINK_KINDS.items():
            linked = getattr(self, field)
            if linked is None:
                continue
            if linked.case_id != self.case_id:
                errors[field] = [gettext("This record belongs to another case.")]
            elif self.kind != kind:
                errors[field] = [
                    gettext("Only a document of the kind “%(kind)s” is attached to this record.")
                    % {"kind": kind.label}
                ]
        if errors:
            raise ValidationError(errors)
