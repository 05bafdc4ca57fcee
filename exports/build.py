"""Building an export's file, the Celery task's work, and sweeping old files away.

The build walks the requester's visible cases that the case list's filters find, by key in
chunks (never a list of them all), computes the requester's access to each chunk at once, and
writes each case's row with only the fields whose section that access shows. The file grows
under a temporary name in the private exports directory and takes its own name when complete;
progress is saved after each chunk in its own short statement, so a reader sees it move. The
end is one transaction: the export marked done, and the trail's events, one for the export and
one in each exported case's history."""

from __future__ import annotations

import logging
import os
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from cases.models import Case
from cases.policy import case_accesses, may_export_cases
from cases.prefetched import load_details
from cases.selectors.case import concern_types
from core.replica import reading_from_replica
from core.web import localized
from exports.fields import Cells, catalogue, cell_text
from exports.files import rows_writer
from exports.models import CaseExport, ExportStatus
from exports.selectors import cases_to_export, export_rows

logger = logging.getLogger(__name__)

# Cases read, and their access computed, at a time: the worker holds one chunk, never them all.
CHUNK = 1000
# What deciding a case's access reads of it (cases.policy.case_accesses).
ACCESS_FIELDS = ("id", "owner_id", "agency_id", "location_path", "restricted")
# A queued export not started after this long lost its task message: the sweep queues it again.
QUEUE_GRACE = timedelta(minutes=10)
# A running export not finished after this long lost its worker: the sweep fails it.
STALLED = timedelta(hours=2)


class ExportRefusedError(Exception):
    """Why an export cannot be written, told to its requester."""


def _claim(export_id: int) -> CaseExport | None:
    """The export, now running; None when it is not waiting (another message built it)."""
    claimed = CaseExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=0, rows=0
    )
    if not claimed:
        return None
    return CaseExport.objects.select_related("requested_by__agency", "requested_by__location").get(
        pk=export_id
    )


def _chunks(cases: QuerySet[Case]) -> Iterator[list[Case]]:
    """``cases`` by ascending id, CHUNK at a time: each chunk starts after the last id read."""
    last = 0
    while chunk := list(cases.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield chunk
        last = chunk[-1].pk


def _contents(user: User, case_ids: list[int]) -> dict[int, Case]:
    """The cases ``case_ids`` with what a row reads, from the replica when there is one; those
    it does not hold yet (a case registered a moment ago) from the primary."""
    with reading_from_replica(user_id=user.pk):
        found = export_rows(case_ids).in_bulk()
        load_details(found.values(), concerns=True)
    if missing := [pk for pk in case_ids if pk not in found]:
        fresh = export_rows(missing).in_bulk()
        load_details(fresh.values(), concerns=True)
        found.update(fresh)
    return found


def _too_many(limit: int) -> ExportRefusedError:
    return ExportRefusedError(
        _("More than %(limit)d cases match now: narrow the filters and ask again.")
        % {"limit": limit}
    )


def _write(export: CaseExport, temporary: Path) -> array[int]:
    """Writes the export to ``temporary``; returns the ids of the cases written."""
    user = export.requested_by
    if not may_export_cases(user):
        raise ExportRefusedError(_("You may no longer export cases."))
    try:
        cases = cases_to_export(user=user, filters=export.filters)
    except ValidationError as error:
        raise ExportRefusedError(" ".join(error.messages)) from error
    limit = settings.EXPORT_MAX_ROWS
    total = cases.order_by()[: limit + 1].count()
    if total > limit:
        raise _too_many(limit)
    fields = [catalogue()[name] for name in export.fields]
    cells = Cells(
        {concern.code: localized(concern.label_en, concern.label_km) for concern in concern_types()}
    )
    written: array[int] = array("q")
    with rows_writer(export.format, temporary) as write:
        write([str(field.label) for field in fields])
        # Which cases, and what of each the requester sees, are decided on the primary: a
        # case restricted or transferred a moment ago may not have reached a replica. What the
        # rows hold is read from the replica when there is one (core.replica).
        deciding = cases.only(*ACCESS_FIELDS)
        for chunk in _chunks(deciding):
            accesses = case_accesses(user, chunk)
            contents = _contents(user, [case.pk for case in chunk])
            for case in (contents[decided.pk] for decided in chunk):
                access = accesses[case.pk]
                write(
                    [
                        cell_text(field.value(case, cells)) if field.shown(access) else ""
                        for field in fields
                    ]
                )
                written.append(case.pk)
            if len(written) > limit:
                raise _too_many(limit)
            # Committed at once (the build runs outside a transaction): the page shows it.
            CaseExport.objects.filter(pk=export.pk).update(
                progress=min(99, len(written) * 100 // max(total, 1)), rows=len(written)
            )
    return written


@transaction.atomic(durable=True)
def _finish(export: CaseExport, file_name: str, case_ids: array[int]) -> None:
    """Marks the export done and records it: one event for the export, one in each case's
    history. Refused when the sweep has meanwhile given the export up."""
    now = timezone.now()
    done = CaseExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE,
        progress=100,
        rows=len(case_ids),
        file_name=file_name,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_EXPIRY_HOURS),
    )
    if not done:
        raise ExportRefusedError(_("The export took too long and was stopped. Ask again."))
    actor = export.requested_by
    audit.record(
        actor=actor,
        action="export.create",
        obj=export,
        changes={
            "export": export.pk,
            "reason": export.reason,
            "rows": len(case_ids),
            "format": export.format,
            "fields": export.fields,
            "filters": export.filters,
        },
    )
    audit.record_many(
        actor=actor,
        action="case.export",
        obj=export,
        case_ids=case_ids,
        changes={"export": export.pk, "reason": export.reason},
    )


def _fail(export: CaseExport, message: str) -> None:
    CaseExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=message, file_name="", finished_at=timezone.now()
    )


def export_build(*, export_id: int) -> None:
    """Builds the export's file and marks it done, or failed with the reason; a failed export
    leaves no file. Does nothing for an export that is not waiting to be built."""
    export = _claim(export_id)
    if export is None:
        return
    directory = Path(settings.EXPORTS_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Created readable by this user only, in the private directory, under a name no one guesses.
    handle, name = tempfile.mkstemp(dir=directory, prefix=f"{export.pk}-", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    final = temporary.with_suffix(f".{export.format}")
    try:
        with translation.override(export.language):
            case_ids = _write(export, temporary)
            temporary.replace(final)
            _finish(export, final.name, case_ids)
    except Exception as error:
        temporary.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        if isinstance(error, ExportRefusedError):
            _fail(export, str(error))
            return
        logger.exception("Export %s could not be written.", export.pk)
        with translation.override(export.language):
            _fail(
                export, _("The export could not be written. Ask again, or tell your administrator.")
            )


@dataclass(frozen=True)
class Sweep:
    deleted: int  # expired files deleted
    requeue: list[int]  # queued exports whose task message was lost


def export_sweep(*, now: datetime | None = None) -> Sweep:
    """Deletes the files of exports expired by ``now``, fails the exports whose worker died
    (and their partial files), and names those waiting too long to be queued again."""
    now = now or timezone.now()
    directory = Path(settings.EXPORTS_DIR)
    expired = CaseExport.objects.filter(expires_at__lte=now).exclude(file_name="")
    deleted = 0
    for export in expired.only("pk", "file_name"):
        export.path.unlink(missing_ok=True)
        CaseExport.objects.filter(pk=export.pk, file_name=export.file_name).update(file_name="")
        deleted += 1
    stalled = CaseExport.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=now - STALLED
    ).only("pk", "language")
    for export in stalled:
        for part in directory.glob(f"{export.pk}-*.part"):
            part.unlink(missing_ok=True)
        with translation.override(export.language):
            _fail(export, _("The export took too long and was stopped. Ask again."))
    requeue = CaseExport.objects.filter(
        status=ExportStatus.QUEUED, created_at__lt=now - QUEUE_GRACE
    ).values_list("pk", flat=True)
    return Sweep(deleted=deleted, requeue=list(requeue))
