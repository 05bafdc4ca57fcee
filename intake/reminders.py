"""The reminder of community intake, run by the sweep (notifications.reminders):

- ``triage_overdue``: a child reported at risk whom the office has neither opened a case for
  nor closed by the report's ``triage_by`` reminds the office's supervisors, once.
"""

from __future__ import annotations

from datetime import datetime

from intake.choices import ReportStatus
from intake.models import ConcernReport
from intake.services import office_supervisors
from notifications.models import NotificationKind
from notifications.outbox import Notice
from notifications.reminders import Batch, register


def triage_reminders(now: datetime, limit: int) -> Batch:
    reports = list(
        ConcernReport.objects.filter(remind_at__isnull=False, remind_at__lte=now)
        .select_for_update(skip_locked=True)
        .order_by("remind_at")[:limit]
    )
    notices: list[Notice] = []
    supervisors: dict[int, list[int]] = {}
    for report in reports:
        report.remind_at = None
        if report.status != ReportStatus.NEW:
            continue
        if report.office_id not in supervisors:
            supervisors[report.office_id] = office_supervisors(report.office_id)
        notices.extend(
            Notice(
                kind=NotificationKind.TRIAGE_OVERDUE,
                recipient_id=supervisor,
                subject=f"concern_report:{report.pk}",
                period="first",
                concern_report_id=report.pk,
                due_at=report.triage_by,
            )
            for supervisor in supervisors[report.office_id]
        )
    ConcernReport.objects.bulk_update(reports, ["remind_at"])
    return Batch(claimed=len(reports), notices=notices)


register("concern_reports", triage_reminders)
