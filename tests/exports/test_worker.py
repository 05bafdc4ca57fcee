"""Exports end to end through a real Celery worker thread on the Redis broker: asked for
through the API, written by the worker, followed to 100 percent, downloaded by the requester
and opened, in CSV and XLSX, with the header row in Khmer for a requester who reads Khmer."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from audit.models import AuditEvent
from audit.services import verify_chain
from cases.models import Child
from exports.models import CaseExport
from tests.conftest import World, api_client
from tests.exports.conftest import REASON
from tests.notifications.conftest import wait_until

# serialized_rollback: the provinces and concern types of the migrations come back after each
# test empties the tables.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("celery_worker_thread"),
]

EXPORTS = "/api/v1/exports/"
FIELDS = ["case_number", "child.given_name_km", "child.sex", "stage"]
KHMER_NAME = "សុខ ស្រីពៅ"


def _export_through_the_worker(world: World, export_format: str) -> dict[str, Any]:
    """Asks as the Phnom Penh office's supervisor, who reads Khmer; waits for the worker."""
    world.dosvy_officer.preferred_language = "km"
    world.dosvy_officer.save(update_fields=["preferred_language"])
    Child.objects.filter(pk=world.own_case.child_id).update(given_name_km=KHMER_NAME)
    client = api_client(world.dosvy_officer)
    asked = client.post(
        EXPORTS,
        {"filters": {}, "fields": FIELDS, "reason": REASON, "format": export_format},
        format="json",
    )
    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "queued"
    pk = asked.json()["id"]
    wait_until(lambda: CaseExport.objects.get(pk=pk).status in {"done", "failed"})
    return dict(client.get(f"{EXPORTS}{pk}/").json())


def _khmer_header() -> list[str]:
    with translation.override("km"):
        return [_("Case number"), _("Given name (Khmer)"), _("Sex"), _("Stage")]


def _download(world: World, detail: dict[str, Any]) -> bytes:
    answer = api_client(world.dosvy_officer).get(detail["download"])
    assert answer.status_code == 200
    return bytes(answer.getvalue())


def test_a_csv_export_is_written_by_the_worker_with_khmer_headers_and_names(
    world: World,
) -> None:
    detail = _export_through_the_worker(world, "csv")

    assert (detail["status"], detail["progress"], detail["rows"]) == ("done", 100, 3)
    content = _download(world, detail).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(content)))
    assert header == _khmer_header()
    assert header[1] != "Given name (Khmer)"  # the Khmer translation, not the English
    own = next(row for row in rows if row[0] == world.own_case.case_number)
    assert own[1] == KHMER_NAME
    assert {row[0] for row in rows} == {
        world.own_case.case_number,
        world.teammates_case.case_number,
        world.other_agency_case.case_number,
    }
    created = AuditEvent.objects.get(action="export.create")
    assert (created.changes["reason"], created.changes["rows"]) == (REASON, 3)
    assert AuditEvent.objects.filter(action="case.export", case_id=world.own_case.pk).exists()
    assert verify_chain() is None


def test_an_xlsx_export_opens_with_openpyxl_with_khmer_headers_and_names(world: World) -> None:
    detail = _export_through_the_worker(world, "xlsx")

    assert (detail["status"], detail["progress"]) == ("done", 100)
    workbook = load_workbook(io.BytesIO(_download(world, detail)), read_only=True)
    sheet = workbook.active
    assert sheet is not None
    with translation.override("km"):
        assert sheet.title == _("Cases")
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == _khmer_header()
    own = next(row for row in rows if row[0] == world.own_case.case_number)
    assert own[1] == KHMER_NAME
    assert world.other_province_case.case_number not in {row[0] for row in rows}
