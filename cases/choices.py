"""Codes fixed by the API contract (docs/api.md) for children and cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class BirthRegistration(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    NOT_REGISTERED = "not_registered", _("Not registered")
    UNKNOWN = "unknown", _("Unknown")


class Relation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    STEPPARENT = "stepparent", _("Stepparent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    GUARDIAN = "guardian", _("Legal guardian")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLAN = "case_plan", _("Case plan")
    IMPLEMENTATION = "implementation", _("Implementation")
    REINTEGRATION = "reintegration", _("Reintegration")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSURE = "closure", _("Closure")


# The moves a case may make by editing its stage. Some moves happen only through their own
# action: assessment and an approved plan move the case on, and closure has its own approval.
STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.INTAKE: frozenset({Stage.ASSESSMENT}),
    Stage.ASSESSMENT: frozenset({Stage.CASE_PLAN}),
    Stage.CASE_PLAN: frozenset({Stage.IMPLEMENTATION}),
    Stage.IMPLEMENTATION: frozenset({Stage.REINTEGRATION, Stage.FOLLOW_UP, Stage.CASE_PLAN}),
    Stage.REINTEGRATION: frozenset({Stage.FOLLOW_UP, Stage.IMPLEMENTATION}),
    Stage.FOLLOW_UP: frozenset({Stage.IMPLEMENTATION, Stage.ASSESSMENT}),
    Stage.CLOSURE: frozenset(),
}


class Source(models.TextChoices):
    HELPLINE = "helpline", _("Child helpline")
    POLICE = "police", _("Police")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    COMMUNITY = "community", _("Community")
    CCWC = "ccwc", _("Commune committee")
    SELF = "self", _("The child")
    FAMILY = "family", _("Family")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


class LabourSector(models.TextChoices):
    BRICK_KILN = "brick_kiln", _("Brick kiln")
    FISHING = "fishing", _("Fishing")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    ENTERTAINMENT = "entertainment", _("Entertainment")
    CONSTRUCTION = "construction", _("Construction")
    AGRICULTURE = "agriculture", _("Agriculture")
    BEGGING_STREET_VENDING = "begging_street_vending", _("Begging or street vending")
    SCAVENGING = "scavenging", _("Scavenging")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    OTHER = "other", _("Other")


CHILD_LABOUR = "child_labour"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]
# Levels at which an immediate safety plan must be recorded with the assessment.
SAFETY_PLAN_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})


class ClosureReason(models.TextChoices):
    REINTEGRATED = "reintegrated", _("Reintegrated")
    TRANSFERRED = "transferred", _("Transferred")
    REACHED_18 = "reached_18", _("Reached 18")
    FAMILY_RELOCATED = "family_relocated", _("Family relocated")
    CHILD_DIED = "child_died", _("Child died")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class NoteKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE_VISIT = "office_visit", _("Office visit")
    PHONE = "phone", _("Phone call")
    MEETING = "meeting", _("Meeting")
    COURT = "court", _("Court")
    SAFETY_PLAN = "safety_plan", _("Immediate safety plan")
    REFERRAL_OUTCOME = "referral_outcome", _("Outcome reported by a referral's receiver")
    OTHER = "other", _("Other")


# Kinds that only the system writes (with a risk assessment, or a referral's outcome).
SYSTEM_NOTE_KINDS = frozenset({NoteKind.SAFETY_PLAN, NoteKind.REFERRAL_OUTCOME})


class ConsentGiver(models.TextChoices):
    CHILD = "child", _("The child")
    CAREGIVER = "caregiver", _("Caregiver")


class ConsentScope(models.TextChoices):
    DATA_SHARING = "data_sharing", _("Data sharing")
    REFERRAL = "referral", _("Referral")
    SERVICES = "services", _("Services")


class Section(models.TextChoices):
    """Parts of a case file that are shown, shared and granted separately."""

    PROFILE = "profile", _("Profile and family")
    CONCERNS = "concerns", _("Concerns and narrative")
    RISK = "risk", _("Risk assessments")
    CASE_PLAN = "case_plan", _("Case plan")
    NOTES = "notes", _("Notes, services and consent")
    PLACEMENTS = "placements", _("Placements")
    FOLLOW_UPS = "follow_ups", _("Follow-ups")
    DOCUMENTS = "documents", _("Documents")
    REPATRIATION = "repatriation", _("Repatriation")
    LEGAL = "legal", _("Legal proceedings")
