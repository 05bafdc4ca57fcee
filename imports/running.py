"""Running an import, the Celery task's work: every row checked first; then, unless a dry
run, every row saved in one transaction, or none."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imports.checking import check_rows, prefetch_known, unchanged
from imports.files import UnreadableFileError, read_sheet
from imports.models import CaseImport, ImportStatus
from imports.saving import save_rows

logger = logging.getLogger(__name__)

# Where the bar stands once the file is read, and once every row is checked; saving fills
# the rest.
READ_AT = 5
CHECKED_AT = 40
# A queued import not started after this long lost its task message: the sweep queues it again.
QUEUE_GRACE = timedelta(minutes=10)
# A running import not finished after this long lost its worker (10,000 rows take about a
# minute): the sweep fails it. Its rows were saved in one transaction, so none were.
STALLED = timedelta(minutes=30)


class _Progress:
    """Writes progress through a connection of its own: the rows are saved in one long
    transaction, and the page must see the bar move before it commits."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.connection = connections.create_connection("default")

    def __call__(self, percent: int, rows: int | None = None) -> None:
        table = CaseImport._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, rows = COALESCE(%s, rows) WHERE id = %s",  # noqa: S608 - table name from the model
                [min(99, percent), rows, self.import_id],
            )

    def close(self) -> None:
        self.connection.close()


def _claim(import_id: int) -> CaseImport | None:
    claimed = CaseImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return None
    return CaseImport.objects.select_related(
        "requested_by__agency", "default_owner__agency", "agency"
    ).get(pk=import_id)


def _finish(case_import: CaseImport, **values: Any) -> None:
    CaseImport.objects.filter(pk=case_import.pk).update(
        finished_at=timezone.now(), content=b"", **values
    )


def import_run(*, import_id: int) -> CaseImport | None:
    """Checks every row, then saves them all (or, for a dry run, only counts what it would
    do). Any error: nothing saved, every error listed, in the language of the person who sent
    the file. Does nothing for an import that is not waiting (another message ran it)."""
    case_import = _claim(import_id)
    if case_import is None:
        return None
    with translation.override(case_import.language or settings.LANGUAGE_CODE):
        _run(case_import)
    return CaseImport.objects.defer("content").get(pk=import_id)


def _run(case_import: CaseImport) -> None:
    try:
        sheet = read_sheet(bytes(case_import.content))
    except UnreadableFileError as error:
        _finish(case_import, status=ImportStatus.FAILED, error=str(error))
        return
    progress = _Progress(case_import.pk)
    try:
        progress(READ_AT, len(sheet.rows))
        checked = check_rows(
            sheet=sheet,
            agency=case_import.agency,
            importer=case_import.requested_by,
            default_owner=case_import.default_owner,
            progress=lambda share: progress(READ_AT + round((CHECKED_AT - READ_AT) * share)),
        )
        progress(CHECKED_AT)
        counts = {"rows": len(sheet.rows), "created": 0, "updated": 0, "unchanged": 0}
        if checked.errors:
            _finish(
                case_import,
                status=ImportStatus.DONE,
                progress=100,
                errors=checked.errors,
                rows=len(sheet.rows),
            )
        elif case_import.dry_run:
            prefetch_known(checked.rows)
            for row in checked.rows:
                if row.case is None:
                    counts["created"] += 1
                else:
                    counts["unchanged" if unchanged(row) else "updated"] += 1
            _finish(case_import, status=ImportStatus.DONE, progress=100, **counts)
        else:
            total = max(len(checked.rows), 1)
            prefetch_known(checked.rows)
            with transaction.atomic(durable=True):
                counts = save_rows(
                    case_import,
                    checked.rows,
                    lambda saved: progress(CHECKED_AT + (100 - CHECKED_AT) * saved // total),
                )
                _finish(case_import, status=ImportStatus.DONE, progress=100, **counts)
    except (ValidationError, PermissionDenied, Http404) as error:
        # A row the checks let through but the services refused: nothing was saved.
        message = " ".join(getattr(error, "messages", [str(error)]))
        _finish(case_import, status=ImportStatus.FAILED, error=message)
    except Exception:
        logger.exception("Import %s could not be run.", case_import.pk)
        _finish(
            case_import,
            status=ImportStatus.FAILED,
            error=_("The import could not be run. Nothing was saved. Tell your administrator."),
        )
    finally:
        progress.close()


@dataclass(frozen=True)
class Sweep:
    stalled: int  # running imports whose worker was lost, now failed
    requeue: list[int]  # queued imports whose task message was lost


def import_sweep(*, now: datetime | None = None) -> Sweep:
    """Fails the imports whose worker died, dropping the file they still hold (children's
    details), and names those waiting too long to be queued again."""
    now = now or timezone.now()
    stalled = 0
    for case_import in CaseImport.objects.filter(
        status=ImportStatus.RUNNING, started_at__lt=now - STALLED
    ).only("pk", "language"):
        with translation.override(case_import.language or settings.LANGUAGE_CODE):
            message = _("The import stopped before it finished. Nothing was saved. Send it again.")
        # Only if still running: a worker finishing just now keeps its result.
        stalled += CaseImport.objects.filter(pk=case_import.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, error=message, finished_at=now, content=b""
        )
    requeue = CaseImport.objects.filter(
        status=ImportStatus.QUEUED, created_at__lt=now - QUEUE_GRACE
    ).values_list("pk", flat=True)
    return Sweep(stalled=stalled, requeue=list(requeue))
