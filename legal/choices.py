from django.db import models
from django.utils.translation import gettext_lazy as _


class ChildRole(models.TextChoices):
    """The child's part in the proceeding."""

    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    ACCUSED = "accused", _("Accused")


class DefendantStatus(models.TextChoices):
    AT_LARGE = "at_large", _("At large")
    ARRESTED = "arrested", _("Arrested")
    JUDICIAL_SUPERVISION = "judicial_supervision", _("Under judicial supervision")
    DETAINED = "detained", _("Detained")
    ABSCONDED = "absconded", _("Absconded")
    ACQUITTED = "acquitted", _("Acquitted")
    CONVICTED = "convicted", _("Convicted")
    SETTLED_OUT_OF_COURT = "settled_out_of_court", _("Settled out of court")
    CHARGES_DROPPED = "charges_dropped", _("Charges dropped")


class HearingKind(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation hearing")
    TRIAL = "trial", _("Trial hearing")
    VERDICT = "verdict", _("Verdict")
    APPEAL = "appeal", _("Appeal hearing")
    OTHER = "other", _("Other hearing")
