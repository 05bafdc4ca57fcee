"""Codes fixed by the API contract (docs/api.md): roles, agency types, location levels, services."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune committee member")
    VILLAGE_CHIEF = "village_chief", _("Village chief")
    POLICE = "police", _("Police officer")
    LABOUR_INSPECTOR = "labour_inspector", _("Labour inspector")
    HELPLINE_OPERATOR = "helpline_operator", _("Helpline operator")
    DATA_ANALYST = "data_analyst", _("Data analyst")
    SYSTEM_ADMIN = "system_admin", _("System admin")


class AgencyType(models.TextChoices):
    MOSVY = "mosvy", _("Ministry of Social Affairs (MoSVY)")
    DOSVY = "dosvy", _("Provincial social affairs department (DoSVY)")
    POLICE = "police", _("Police (anti-human trafficking and juvenile protection)")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate (MOLVT)")
    MOWA = "mowa", _("Ministry of Women's Affairs")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    JUSTICE = "justice", _("Court or prosecutor")
    IMMIGRATION = "immigration", _("Immigration and repatriation")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune committee for women and children")
    NGO = "ngo", _("NGO")
    UN_AGENCY = "un_agency", _("UN agency")
    HELPLINE = "helpline", _("Child helpline")


class EmailDelivery(models.TextChoices):
    """How a person wants their notifications by email (in-app ones always arrive)."""

    IMMEDIATE = "immediate", _("Each notification as it comes")
    DIGEST = "digest", _("One daily digest")
    NONE = "none", _("No email")


# Government social-affairs offices oversee every case in their territory.
OVERSIGHT_AGENCY_TYPES = frozenset({AgencyType.MOSVY, AgencyType.DOSVY})


class LocationLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (khan)")
    COMMUNE = "commune", _("Commune (sangkat)")
    VILLAGE = "village", _("Village")


LEVEL_ORDER = [
    LocationLevel.PROVINCE,
    LocationLevel.DISTRICT,
    LocationLevel.COMMUNE,
    LocationLevel.VILLAGE,
]


class ServiceCode(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EDUCATION = "education", _("Education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    REPATRIATION = "repatriation", _("Repatriation")
    CASH_SUPPORT = "cash_support", _("Cash support")
    LIVELIHOOD = "livelihood", _("Livelihood support")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    FOLLOW_UP = "follow_up", _("Follow-up")
    INVESTIGATION = "investigation", _("Investigation")
