"""Codes fixed by the API contract (docs/api.md) for placements and follow-ups."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlacementType(models.TextChoices):
    PARENTS = "parents", _("With parents")
    KINSHIP = "kinship", _("Kinship care")
    FOSTER = "foster", _("Foster care")
    RESIDENTIAL_CARE = "residential_care", _("Residential care facility")
    SHELTER = "shelter", _("Shelter")
    INDEPENDENT = "independent", _("Independent living")
    DETENTION = "detention", _("Detention")
    OTHER = "other", _("Other")


# Care away from any family, which a child is reintegrated from.
INSTITUTIONAL_PLACEMENTS = frozenset(
    {PlacementType.RESIDENTIAL_CARE, PlacementType.SHELTER, PlacementType.DETENTION}
)
# Where a child is reintegrated to.
FAMILY_PLACEMENTS = frozenset({PlacementType.PARENTS, PlacementType.KINSHIP, PlacementType.FOSTER})


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", _("Stable")
    AT_RISK = "at_risk", _("At risk")
    BREAKDOWN = "breakdown", _("Breakdown")


# Outcomes that call for the owner's attention and a new risk assessment.
CONCERNING_OUTCOMES = frozenset({FollowUpOutcome.AT_RISK, FollowUpOutcome.BREAKDOWN})


class WellbeingDomain(models.TextChoices):
    SAFETY = "safety", _("Safety")
    CARE = "care", _("Care")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education and school attendance")
    FAMILY_RELATIONSHIPS = "family_relationships", _("Family relationships")
    ECONOMIC = "economic", _("Economic situation")
    CHILD_VIEW = "child_view", _("The child's own view")


SCORE_MIN, SCORE_MAX = 1, 5  # 1 very poor .. 5 good
