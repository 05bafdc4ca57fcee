"""Bringing cases in through the API: every row checked first and every error listed by row and
column with nothing saved; all saved once fixed; nothing new on a second import; a Primero
export as it comes; dry runs; who may import and who sees an import."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from audit.services import verify_chain
from cases.models import Case, CaseExternalId, Child
from imports.checking import CELLS_SHARE, PROGRESS_ROWS, check_rows
from imports.columns import COLUMNS, KHMER_LABELS, template_header
from imports.files import read_sheet
from imports.models import CaseImport
from imports.running import import_sweep
from imports.services import import_request
from tests.conftest import World, api_client
from tests.imports.conftest import IMPORTS, csv_bytes, imported, row, send

pytestmark = pytest.mark.django_db

# Rows of the 1,000-row file given an error, with the column and the bad value.
BROKEN = {
    10: ("sex", "girl"),
    120: ("date_of_birth", "31/02/2015"),
    250: ("concerns", "neglect;no_such_concern"),
    333: ("location_code", "99999999"),
    480: ("source", "neighbour"),
    512: ("estimated_age", "about ten"),
    640: ("date_of_birth", "2099-01-01"),
    777: ("owner", "nobody_here"),
}


def _thousand(world: World, *, broken: bool) -> bytes:
    rows = []
    for number in range(1, 1001):
        values = {}
        if broken and number in BROKEN:
            column, value = BROKEN[number]
            values[column] = value
        rows.append(row(number, world.pp_village, **values))
    return csv_bytes(rows)


def test_a_thousand_rows_with_errors_save_nothing_and_list_every_error(world: World) -> None:
    cases_before = Case.objects.count()

    detail = imported(world.supervisor, _thousand(world, broken=True))

    assert detail["status"] == "done"
    assert detail["rows"] == 1000
    assert (detail["created"], detail["updated"]) == (0, 0)
    # The file's row: the header is row 1, child n is on row n + 1.
    assert {(e["row"], e["field"]) for e in detail["errors"]} == {
        (number + 1, column) for number, (column, _value) in BROKEN.items()
    }
    assert all(e["message"] for e in detail["errors"])
    assert Case.objects.count() == cases_before
    assert not CaseExternalId.objects.exists()


def test_the_fixed_file_saves_every_row_and_a_second_import_adds_nothing(world: World) -> None:
    cases_before = Case.objects.count()
    content = _thousand(world, broken=False)

    first = imported(world.supervisor, content)

    assert first["errors"] == []
    assert (first["status"], first["progress"], first["rows"], first["created"]) == (
        "done",
        100,
        1000,
        1000,
    )
    assert Case.objects.count() == cases_before + 1000
    case = Case.objects.get(external_ids__system="ngo-sheet", external_ids__external_id="S-7")
    assert case.agency_id == world.ngo.pk
    assert case.owner_id == world.supervisor.pk
    assert sorted(case.concern_rows.values_list("concern_id", flat=True)) == [
        "neglect",
        "out_of_school",
    ]
    assert AuditEvent.objects.filter(action="case.create", case_id=case.pk).exists()
    done = AuditEvent.objects.get(action="import.done")
    assert done.changes["sha256"] == hashlib.sha256(content).hexdigest()
    assert (done.changes["rows"], done.changes["created"]) == (1000, 1000)
    assert verify_chain() is None

    again = imported(world.supervisor, content)

    assert again["errors"] == []
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1000)
    assert Case.objects.count() == cases_before + 1000


def test_a_changed_row_updates_its_case_through_the_case_edit(world: World) -> None:
    imported(world.supervisor, csv_bytes([row(1, world.pp_village), row(2, world.pp_village)]))

    changed = imported(
        world.supervisor,
        csv_bytes(
            [row(1, world.pp_village, summary="Moved in with her aunt"), row(2, world.pp_village)]
        ),
    )

    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    case = Case.objects.get(external_ids__external_id="S-1")
    assert case.summary == "Moved in with her aunt"
    assert AuditEvent.objects.filter(action="case.update", case_id=case.pk).exists()


def test_a_dry_run_counts_what_it_would_do_and_saves_nothing(world: World) -> None:
    cases_before = Case.objects.count()

    detail = imported(
        world.supervisor, csv_bytes([row(n, world.pp_village) for n in range(1, 6)]), dry_run=True
    )

    assert (detail["status"], detail["created"], detail["errors"]) == ("done", 5, [])
    assert Case.objects.count() == cases_before
    assert not AuditEvent.objects.filter(action="import.done").exists()


def test_duplicates_in_the_file_and_in_the_database_are_errors(world: World) -> None:
    known = Child.objects.get(pk=world.own_case.child_id)
    rows = [
        row(1, world.pp_village),
        # Row 3 of the file: the same child as row 2, under another external id.
        row(1, world.pp_village, external_id="S-other"),
        row(
            3,
            world.pp_village,
            given_name=known.given_name,
            family_name=known.family_name,
            given_name_km=known.given_name_km,
            family_name_km=known.family_name_km,
            sex=known.sex,
            date_of_birth=known.date_of_birth.isoformat() if known.date_of_birth else "",
            estimated_age=str(known.age) if not known.date_of_birth else "",
        ),
    ]

    detail = imported(world.supervisor, csv_bytes(rows))

    messages: dict[int, list[str]] = defaultdict(list)
    for error in detail["errors"]:
        messages[error["row"]].append(error["message"])
    assert set(messages) == {3, 4}
    assert any("row 2" in message for message in messages[3])
    assert any(world.own_case.case_number in message for message in messages[4])
    assert detail["created"] == 0


def test_a_child_known_under_a_name_spelt_a_little_differently_is_found(world: World) -> None:
    """The import weighs names as the registration form does: by similarity, not equality."""
    known = Child.objects.get(pk=world.own_case.child_id)
    known.given_name, known.family_name = "Sreymom", "Chhoeun"
    known.given_name_km = known.family_name_km = ""
    known.save()
    misspelt = row(
        1,
        world.pp_village,
        given_name="Sreymum",
        family_name="Chhoeun",
        given_name_km="",
        family_name_km="",
        sex=known.sex,
        date_of_birth=known.date_of_birth.isoformat() if known.date_of_birth else "",
        estimated_age=str(known.age) if not known.date_of_birth else "",
    )
    elsewhere = {**misspelt, "external_id": "S-elsewhere", "location_code": world.bmc_village.code}

    detail = imported(world.supervisor, csv_bytes([misspelt, elsewhere]))

    flagged = {error["row"]: error["message"] for error in detail["errors"]}
    # Row 3, in another district, is not weighed against the child of Phnom Penh.
    assert list(flagged) == [2]
    assert world.own_case.case_number in flagged[2]


def test_khmer_names_khmer_digits_and_day_month_year_dates_round_trip(world: World) -> None:
    content = csv_bytes(
        [
            row(
                1,
                world.pp_village,
                given_name="",
                family_name="",
                given_name_km="ស្រីពៅ",
                family_name_km="សុខ",
                date_of_birth="២៥/០៣/២០១៤",
            ),
            row(2, world.pp_village, date_of_birth="", estimated_age="១២"),
        ]
    )

    detail = imported(world.supervisor, content)

    assert detail["errors"] == []
    child = Case.objects.get(external_ids__external_id="S-1").child
    assert (child.given_name_km, child.family_name_km) == ("ស្រីពៅ", "សុខ")
    assert child.date_of_birth is not None
    assert child.date_of_birth.isoformat() == "2014-03-25"
    assert Case.objects.get(external_ids__external_id="S-2").child.estimated_age == 12


def test_an_owner_column_names_a_case_worker_of_the_agency(world: World) -> None:
    detail = imported(
        world.agency_admin,
        csv_bytes(
            [
                row(1, world.pp_village, owner="worker"),
                row(2, world.pp_village, owner="other_worker"),
                row(3, world.pp_village),
            ]
        ),
    )

    # Another agency's worker, and no owner for an agency admin, who holds no cases.
    assert [(e["row"], e["field"]) for e in detail["errors"]] == [(3, "owner"), (4, "owner")]


def test_an_xlsx_file_with_the_template_header_imports(world: World) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(template_header())
    values = row(1, world.pp_village)
    sheet.append([values[name] for name in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    detail = imported(world.supervisor, buffer.getvalue())

    assert (detail["errors"], detail["created"]) == ([], 1)


def test_another_person_gets_404_on_an_import(world: World) -> None:
    answer = send(world.supervisor, csv_bytes([row(1, world.pp_village)]))
    pk = answer.json()["id"]

    assert api_client(world.agency_admin).get(f"{IMPORTS}{pk}/").status_code == 404
    assert api_client(world.dosvy_officer).get(f"{IMPORTS}{pk}/").status_code == 404
    assert api_client(world.supervisor).get(f"{IMPORTS}{pk}/").status_code == 200


def test_a_social_worker_may_not_import(world: World) -> None:
    answer = send(world.worker, csv_bytes([row(1, world.pp_village)]))

    assert answer.status_code == 403


@pytest.mark.parametrize("template_format", ["csv", "xlsx"])
def test_the_template_downloads_with_the_fixed_columns(world: World, template_format: str) -> None:
    answer = api_client(world.worker).get(f"{IMPORTS}template/?format={template_format}")

    assert answer.status_code == 200
    content = answer.content
    if template_format == "csv":
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        header = [str(cell) for cell in next(sheet.iter_rows(values_only=True))]
    assert [cell.split(" (")[0] for cell in header] == list(COLUMNS)
    assert KHMER_LABELS["given_name_km"] in header[COLUMNS.index("given_name_km")]


# --- Progress while checking, and the sweep -----------------------------------------------------


def test_checking_a_long_file_moves_the_bar_before_the_duplicate_check(world: World) -> None:
    content = csv_bytes([row(n, world.pp_village) for n in range(1, PROGRESS_ROWS * 3 + 2)])
    shares: list[float] = []

    checked = check_rows(
        sheet=read_sheet(content),
        agency=world.ngo,
        importer=world.supervisor,
        default_owner=world.worker,
        progress=shares.append,
    )

    assert checked.errors == []
    # Every PROGRESS_ROWS rows while the cells are read, then once before the duplicate check.
    assert len(shares) == 4
    assert shares == sorted(shares)
    assert 0 < shares[0] < shares[-1] == CELLS_SHARE


def test_the_sweep_fails_an_import_whose_worker_died_and_queues_again_a_lost_one(
    world: World,
) -> None:
    content = csv_bytes([row(1, world.pp_village)])
    waiting = import_request(actor=world.supervisor, content=content, queue=False)
    running = import_request(actor=world.supervisor, content=content, queue=False)
    recent = import_request(actor=world.supervisor, content=content, queue=False)
    long_ago = timezone.now() - timedelta(hours=1)
    CaseImport.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    CaseImport.objects.filter(pk=running.pk).update(status="running", started_at=long_ago)
    CaseImport.objects.filter(pk=recent.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=5)
    )

    sweep = import_sweep()

    assert sweep.requeue == [waiting.pk]
    assert sweep.stalled == 1
    failed = CaseImport.objects.get(pk=running.pk)
    assert (failed.status, bytes(failed.content)) == ("failed", b"")
    assert "Nothing was saved" in failed.error
    assert CaseImport.objects.get(pk=recent.pk).status == "running"
    # What the person reads: the failure, through the API.
    detail = api_client(world.supervisor).get(f"{IMPORTS}{running.pk}/").json()
    assert detail["status"] == "failed"
