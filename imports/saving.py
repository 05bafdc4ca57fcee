"""Saving the checked rows of an import, inside the import's one transaction.

New cases are registered in bulk, as ``cases.services.case.case_register`` registers one (the
same child, case, concerns, external ids, case numbers from the same sequences and the same
``case.create`` event in each case's history) but with a statement per thousand rows instead
of some thirty per row: ten thousand rows must save in well under two minutes. Rows naming a
known case are changed through the case edit service's own work, or left alone when they hold
nothing new."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from audit import services as audit
from cases.events import concerns_written
from cases.models import Case, CaseConcern, CaseNumberSequence, Child
from cases.models.external import CaseExternalId
from cases.services.case import case_edit
from imports.checking import Row, unchanged
from imports.models import CaseImport
from notifications.models import CASE_UPDATED
from notifications.webhooks import webhook_emit

BATCH = 1000


def _case_numbers(provinces: Sequence[str], year: int) -> Iterator[str]:
    """A case number for each of ``provinces`` (one per row, in order), each province's taken
    at once from its sequence by one atomic UPSERT, as next_case_number takes one."""
    wanted = Counter(provinces)
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    first: dict[str, int] = {}
    with connection.cursor() as cursor:
        for province, count in wanted.items():
            prefix = f"{province}-{year}"
            cursor.execute(
                f"INSERT INTO {table} (prefix, last) VALUES (%s, %s) "  # noqa: S608 - table name from the model, values bound
                f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + %s RETURNING last",
                [prefix, count, count],
            )
            (last,) = cursor.fetchone()
            first[province] = last - count + 1
    for province in provinces:
        number = first[province]
        first[province] += 1
        yield f"{province}-{year}-{number:05d}"


def _child_values(child: Child) -> dict[str, Any]:
    """What case_register's event records of the child, identifiers masked."""
    values = {field: getattr(child, field) for field in Child.INPUT_FIELDS if field != "location"}
    values["location"] = child.location_id
    return {
        field: audit.MASK if field in Child.MASKED_FIELDS else value
        for field, value in values.items()
    }


def _register(case_import: CaseImport, rows: Sequence[Row]) -> list[Case]:
    """New cases for ``rows``, owned by each row's owner in the import's agency."""
    actor = case_import.requested_by
    children = []
    for row in rows:
        child = Child.from_input(row.child)
        children.append(child)
    Child.objects.bulk_create(children, batch_size=BATCH)
    year = timezone.localdate().year
    numbers = _case_numbers([child.location.path.split("/", 1)[0] for child in children], year)
    cases = [
        Case(
            case_number=number,
            child=child,
            source=row.source,
            summary=row.summary,
            agency_id=case_import.agency_id,
            owner=row.owner,
            location=child.location,
            # Case.save() derives it; bulk_create does not call save().
            location_path=child.location.path,
            created_by=actor,
        )
        for row, child, number in zip(rows, children, numbers, strict=True)
    ]
    Case.objects.bulk_create(cases, batch_size=BATCH)
    CaseConcern.objects.bulk_create(
        (
            CaseConcern(case=case, concern_id=code)
            for case, row in zip(cases, rows, strict=True)
            for code in row.concerns
        ),
        batch_size=BATCH,
    )
    concerns_written.send(sender=Case, case_ids=[case.pk for case in cases])
    CaseExternalId.objects.bulk_create(
        (
            CaseExternalId(case=case, system=row.system, external_id=row.external_id)
            for case, row in zip(cases, rows, strict=True)
            if row.system
        ),
        batch_size=BATCH,
    )
    audit.record_each(
        actor=actor,
        action="case.create",
        masked=Child.MASKED_FIELDS,
        events=[
            (
                case,
                {
                    "case_number": case.case_number,
                    "source": row.source,
                    "concerns": row.concerns,
                    "restricted": False,
                    "child": _child_values(case.child),
                    "import": case_import.pk,
                    **(
                        {"external_ids": [{"system": row.system, "id": row.external_id}]}
                        if row.system
                        else {}
                    ),
                },
            )
            for case, row in zip(cases, rows, strict=True)
        ],
    )
    # A new case has no deadline yet (no assessment, plan or risk level), so no reminder to
    # schedule; partners' endpoints hear of it as of any new case.
    for case, row in zip(cases, rows, strict=True):
        payload = {
            "case": {
                "id": case.pk,
                "external_ids": [{"system": row.system, "id": row.external_id}]
                if row.system
                else [],
                "updated_at": case.updated_at.isoformat(),
            }
        }
        if not webhook_emit(event=CASE_UPDATED, agency_ids={case.agency_id}, payload=payload):
            # No endpoint of the agency listens: the rest would find none either.
            break
    return cases


def save_rows(
    case_import: CaseImport, rows: Sequence[Row], progress: Callable[[int], None]
) -> dict[str, int]:
    """Saves ``rows`` inside the caller's transaction; returns the counts."""
    new = [row for row in rows if row.case is None]
    known = [row for row in rows if row.case is not None]
    created: list[Case] = []
    for start in range(0, len(new), BATCH):
        created += _register(case_import, new[start : start + BATCH])
        progress(len(created))
    updated: list[int] = []
    same = 0
    for row in known:
        case = row.case
        if case is None or unchanged(row):
            same += 1
            continue
        # Inside this transaction: the file is saved all together or not at all. The case's
        # holder edits it, as the one the edit rule always lets.
        case_edit(
            actor=case.owner,
            case=case,
            changes={
                "child": dict(row.child),
                "concerns": row.concerns,
                "source": row.source,
                "summary": row.summary,
            },
        )
        updated.append(case.pk)
        if len(updated) % 100 == 0:
            progress(len(created) + len(updated) + same)
    actor = case_import.requested_by
    counts = {
        "rows": len(rows),
        "created": len(created),
        "updated": len(updated),
        "unchanged": same,
    }
    audit.record(
        actor=actor,
        action="import.done",
        obj=case_import,
        changes={"sha256": case_import.sha256, "file_name": case_import.file_name, **counts},
    )
    if updated:
        # Beside each case.update (whose actor is the case's holder): who brought the change.
        audit.record_many(
            actor=actor,
            action="case.import",
            obj=case_import,
            case_ids=updated,
            changes={"import": case_import.pk, "sha256": case_import.sha256},
        )
    return counts
