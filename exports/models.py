from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (spreadsheet text)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class CaseExport(models.Model):
    """A file of cases asked for by one person, with the reason they gave: the cases they saw
    through the case list's filters when it was built, with only the fields of the sections
    they see. Only they may download it, until ``expires_at``; then its file is deleted."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The case list's filters (cases.api.filters.CaseFilter), as validated.
    filters = models.JSONField(default=dict, blank=True)
    # Names of exports.fields.CATALOGUE, in the order of the file's columns.
    fields = models.JSONField(default=list)
    reason = models.TextField()
    format = models.CharField(max_length=8, choices=ExportFormat)
    # The header row's language: the requester's when they asked.
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=ExportStatus, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    # Relative to settings.EXPORTS_DIR; empty before the file is written and once deleted.
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_in_0_100"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(expires_at__isnull=False),
                name="export_done_expires",
            ),
        ]
        indexes = [
            # GET /exports/: the requester's own, newest first.
            models.Index(fields=["requested_by", "-id"], name="export_requester_idx"),
            # The sweep: files to delete once expired.
            models.Index(
                fields=["expires_at"],
                name="export_file_expiry_idx",
                condition=~Q(file_name=""),
            ),
            # The sweep: exports waiting or running for too long (a lost task message, a
            # worker that died).
            models.Index(
                fields=["status", "created_at"],
                name="export_unfinished_idx",
                condition=Q(status__in=["queued", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.get_status_display()})"

    def downloadable(self, now: datetime | None = None) -> bool:
        return (
            self.status == ExportStatus.DONE
            and bool(self.file_name)
            and self.expires_at is not None
            and self.expires_at > (now or timezone.now())
        )

    @property
    def path(self) -> Path:
        return Path(settings.EXPORTS_DIR) / self.file_name

    @property
    def download_name(self) -> str:
        """The name the browser saves the file under."""
        return f"cases-export-{self.pk}.{self.format}"
