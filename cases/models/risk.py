from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import RiskLevel
from cases.models.case import Case


class RiskInstrument(models.Model):
    """A versioned structured risk assessment: questions, options with scores, and the bands
    that turn a score into a risk level. Assessments keep the version they were made with, so
    editing the current instrument means publishing a new version."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_risk_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RiskBand(models.Model):
    """Where a level starts, as a share of the highest possible score, and what it demands."""

    instrument = models.ForeignKey(RiskInstrument, on_delete=models.CASCADE, related_name="bands")
    level = models.CharField(max_length=8, choices=RiskLevel.choices)
    from_percent = models.PositiveSmallIntegerField(
        help_text=_("A score at or above this share of the maximum reaches this level.")
    )
    respond_within_hours = models.PositiveIntegerField()
    reassess_after_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["from_percent"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "level"], name="risk_band_unique"),
            models.CheckConstraint(condition=Q(from_percent__lte=100), name="risk_band_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.level} from {self.from_percent}%"


class RiskQuestion(models.Model):
    instrument = models.ForeignKey(
        RiskInstrument, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(max_length=48)
    order = models.PositiveSmallIntegerField(default=0)
    domain = models.CharField(max_length=48, help_text=_("e.g. immediate safety, exploitation"))
    text_en = models.CharField(max_length=300)
    text_km = models.CharField(max_length=300)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="risk_question_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class RiskOption(models.Model):
    question = models.ForeignKey(RiskQuestion, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=48)
    order = models.PositiveSmallIntegerField(default=0)
    label_en = models.CharField(max_length=200)
    label_km = models.CharField(max_length=200)
    score = models.PositiveSmallIntegerField()
    minimum_level = models.CharField(
        max_length=8,
        choices=RiskLevel.choices,
        blank=True,
        help_text=_(
            "Choosing this answer sets the risk to at least this level, whatever the "
            "total (a child in immediate danger is never 'low')."
        ),
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="risk_option_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.score})"


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(help_text=_("question code -> option code"))
    score = models.PositiveIntegerField()
    max_score = models.PositiveIntegerField()
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices)
    respond_within_hours = models.PositiveIntegerField()
    respond_by = models.DateTimeField()
    reassess_by = models.DateField()
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [
            # A case's assessments, latest first.
            models.Index(fields=["case", "-assessed_at"], name="risk_assessment_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.risk_level} ({self.score}/{self.max_score})"
