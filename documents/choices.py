from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    ID_DOCUMENT = "id_document", _("Identity document")
    CONSENT_FORM = "consent_form", _("Signed consent form")
    CUSTODY_ORDER = "custody_order", _("Custody order")
    COURT_ORDER = "court_order", _("Court order")
    GATEKEEPING_DECISION = "gatekeeping_decision", _("Gatekeeping decision")
    MEDICAL_REPORT = "medical_report", _("Medical report")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other document")


class DocumentType(models.TextChoices):
    """The formats accepted, as their media types: told apart by the file's first bytes."""

    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
