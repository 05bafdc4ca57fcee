from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import OVERSIGHT_AGENCY_TYPES, AgencyType

# Agencies whose identification of a victim is formal: the police and the social-affairs offices.
COMPETENT_AGENCY_TYPES = frozenset({AgencyType.POLICE, *OVERSIGHT_AGENCY_TYPES})

# The concerns that make a case a trafficking case (cases/migrations/0003_concern_types.py).
TRAFFICKING_CONCERNS = ("sex_trafficking", "labour_trafficking")


class VictimStatus(models.TextChoices):
    PRESUMED = "presumed", _("Presumed victim")
    IDENTIFIED = "identified", _("Identified victim")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")


class Indicator(models.TextChoices):
    """The indicators of trafficking a worker ticks (codes of docs/api.md)."""

    DECEPTION = "deception", _("Deceived about the work or the journey")
    COERCION = "coercion", _("Threatened, forced or held by violence")
    DEBT_BONDAGE = "debt_bondage", _("Made to work off a debt")
    CONFINEMENT = "confinement", _("Not free to leave")
    WITHHELD_DOCUMENTS = "withheld_documents", _("Identity papers taken away")
    COMMERCIAL_SEX_UNDER_18 = "commercial_sex_under_18", _("A child in commercial sex")
    FORCED_LABOUR = "forced_labour", _("Forced to work")
    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Poverty or age taken advantage of")
    SOLD_FOR_MARRIAGE = "sold_for_marriage", _("Sold or promised for marriage")
    MOVED_ACROSS_BORDER = "moved_across_border", _("Moved across a border")


class Direction(models.TextChoices):
    TO_CAMBODIA = "to_cambodia", _("Home to Cambodia")
    FROM_CAMBODIA = "from_cambodia", _("From Cambodia to the child's country")


class RepatriationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DOCUMENTS_READY = "documents_ready", _("Documents ready")
    TRAVELLING = "travelling", _("Travelling")
    RECEIVED = "received", _("Received")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


# The chain a repatriation moves along, one step at a time; cancelled from any step before the
# last.
REPATRIATION_CHAIN = (
    RepatriationStatus.REQUESTED,
    RepatriationStatus.DOCUMENTS_READY,
    RepatriationStatus.TRAVELLING,
    RepatriationStatus.RECEIVED,
    RepatriationStatus.HANDED_OVER,
)
REPATRIATION_ENDED = (RepatriationStatus.HANDED_OVER, RepatriationStatus.CANCELLED)


class CrossingKind(models.TextChoices):
    BORDER_POINT = "border_point", _("Border crossing")
    TRANSIT_CENTRE = "transit_centre", _("Transit centre")


# The countries most children cross back from, first; the API takes any two-letter code.
COUNTRIES = (
    ("TH", _("Thailand")),
    ("VN", _("Vietnam")),
    ("MY", _("Malaysia")),
    ("LA", _("Laos")),
    ("CN", _("China")),
    ("KR", _("South Korea")),
    ("SG", _("Singapore")),
    ("ID", _("Indonesia")),
    ("JP", _("Japan")),
    ("SA", _("Saudi Arabia")),
)
