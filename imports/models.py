from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV (spreadsheet text)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being checked and saved")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class CaseImport(models.Model):
    """A file of cases brought in by one person for their agency: checked row by row, then
    saved all together or not at all. Only the person who sent it sees it."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The agency that owns the imported cases: the importer's when they sent the file.
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    # Who holds a row's case when its ``owner`` column is empty; null: the importer.
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    file_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=8, choices=ImportFormat)
    # The file's SHA-256, kept (and in the audit trail) after its content is dropped.
    sha256 = models.CharField(max_length=64)
    # The file itself until the worker has read it; emptied then: it holds children's details.
    content = models.BinaryField(default=bytes, editable=False)
    dry_run = models.BooleanField(default=False)
    # The errors' language: the sender's when they sent the file.
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=8, choices=ImportStatus, default=ImportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # [{"row", "field", "message"}], by row then column; the file's first data row is row 2.
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_in_0_100"),
        ]
        indexes = [
            # The import page and GET /imports/{id}/: the requester's own, newest first.
            models.Index(fields=["requested_by", "-id"], name="import_requester_idx"),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}
