from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.choices import PlanStatus
from cases.models.case import Case
from core.versions import VersionField


class CasePlan(models.Model):
    """The family service plan: goals and actions, approved by the owner's supervisor."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    # Bumped by every change of the plan or of its goals: the ETag, and the edit form's check.
    version = VersionField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Nobody approves or rejects their own submission.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("submitted_by")),
                name="plan_not_decided_by_submitter",
            ),
            # One plan in the making at a time (the service also locks the case for this).
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED]),
                name="one_plan_in_the_making",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} of case {self.case_id} ({self.status})"


class PlanGoal(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class PlanAction(models.Model):
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            # Reminders: open actions by due date.
            models.Index(
                fields=["due_date"],
                condition=Q(done_at__isnull=True),
                name="plan_action_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]
