"""The gazetteer import: the sample file, idempotence, all-or-nothing validation, bulk writes,
the operator command and the audit trail."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import DjangoAssertNumQueries

from accounts.choices import LocationLevel
from accounts.gazetteer import COLUMNS, GazetteerImportResult, gazetteer_import
from accounts.models import Location
from audit.models import AuditEvent
from tests.conftest import World
from tests.factories import LocationFactory, province

SAMPLE = Path(settings.BASE_DIR) / "accounts" / "data" / "gazetteer_sample.csv"
SAMPLE_SIZE = 31
HEADER = ",".join(COLUMNS)


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as sample:
        return list(csv.DictReader(sample))


def row(
    code: str, parent_code: str, level: str, name_en: str = "Test place", name_km: str = "ភូមិសាកល្បង"
) -> dict[str, str]:
    return {
        "code": code,
        "parent_code": parent_code,
        "level": level,
        "name_en": name_en,
        "name_km": name_km,
    }


def villages_file(count: int) -> list[dict[str, str]]:
    """A district of Phnom Penh with one commune of ``count`` villages."""
    return [
        row("1299", "12", LocationLevel.DISTRICT),
        row("129901", "1299", LocationLevel.COMMUNE),
        *(row(f"129901{n:04d}", "129901", LocationLevel.VILLAGE) for n in range(count)),
    ]


def gazetteer() -> list[tuple[object, ...]]:
    """Every location as (id, code, parent code, level, names, path), to compare before/after."""
    return list(
        Location.objects.order_by("code").values_list(
            "id", "code", "parent__code", "level", "name_en", "name_km", "path"
        )
    )


def lineage(location: Location | None) -> Iterator[Location]:
    """The location, its parent, its parent's parent... up to the province."""
    while location is not None:
        yield location
        location = location.parent


def as_csv(rows: list[dict[str, str]]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


def test_the_sample_creates_districts_communes_and_villages_under_the_migrated_provinces(
    db: None,
) -> None:
    result = gazetteer_import(rows=sample_rows(), actor=None)

    assert result == GazetteerImportResult(created=SAMPLE_SIZE, updated=0, unchanged=0)
    imported = Location.objects.exclude(level=LocationLevel.PROVINCE).select_related("parent")
    assert Counter(location.level for location in imported) == {
        LocationLevel.DISTRICT: 7,
        LocationLevel.COMMUNE: 14,
        LocationLevel.VILLAGE: 10,
    }
    for location in imported:
        assert location.path == Location.path_for(parent=location.parent, code=location.code)
        location.full_clean()
    village = Location.objects.get(code="12020202")
    assert village.path == "12/1202/120202/12020202/"
    assert (village.name_en, village.name_km) == ("Phum 2", "ភូមិ២")
    assert Location.objects.get(code="120202").name_km == "វត្តភ្នំ"
    assert Location.objects.get(code="1202").parent == province("12")
    assert Location.objects.get(code="17100201").path == "17/1710/171002/17100201/"
    assert Location.objects.get(code="0106").path == "01/0106/"


def test_reimporting_the_same_file_changes_nothing(db: None) -> None:
    gazetteer_import(rows=sample_rows(), actor=None)
    before = gazetteer()

    result = gazetteer_import(rows=sample_rows(), actor=None)

    assert result == GazetteerImportResult(created=0, updated=0, unchanged=SAMPLE_SIZE)
    assert gazetteer() == before


def test_rows_may_come_in_any_order(db: None) -> None:
    rows = sample_rows()

    result = gazetteer_import(rows=list(reversed(rows)), actor=None)

    assert result.created == SAMPLE_SIZE
    imported = {
        location.code: location
        for location in Location.objects.filter(
            code__in=[entry["code"] for entry in rows]
        ).select_related("parent")
    }
    for entry in rows:
        location = imported[entry["code"]]
        assert location.parent is not None
        assert location.parent.code == entry["parent_code"]
        assert location.path == location.parent.path + entry["code"] + "/"


def test_a_parent_may_already_be_in_the_database_or_in_the_same_file(db: None) -> None:
    gazetteer_import(rows=sample_rows(), actor=None)

    result = gazetteer_import(
        rows=[
            row("12010103", "120101", LocationLevel.VILLAGE),  # parent from the first import
            row("120103", "1201", LocationLevel.COMMUNE),
            row("12010301", "120103", LocationLevel.VILLAGE),  # parent from this file
        ],
        actor=None,
    )

    assert result == GazetteerImportResult(created=3, updated=0, unchanged=0)
    assert Location.objects.get(code="12010103").path == "12/1201/120101/12010103/"
    assert Location.objects.get(code="12010301").path == "12/1201/120103/12010301/"


def test_a_renamed_location_is_updated_and_the_others_are_left_unchanged(db: None) -> None:
    gazetteer_import(rows=sample_rows(), actor=None)
    rows = sample_rows()
    voat_phnum = next(entry for entry in rows if entry["code"] == "120202")
    voat_phnum["name_en"] = "Wat Phnom"

    result = gazetteer_import(rows=rows, actor=None)

    assert result == GazetteerImportResult(created=0, updated=1, unchanged=SAMPLE_SIZE - 1)
    renamed = Location.objects.get(code="120202")
    assert (renamed.name_en, renamed.name_km) == ("Wat Phnom", "វត្តភ្នំ")


def test_moving_a_location_to_another_parent_is_refused(db: None) -> None:
    gazetteer_import(rows=sample_rows(), actor=None)
    before = gazetteer()

    with pytest.raises(ValidationError) as refused:
        gazetteer_import(rows=[row("120101", "1202", LocationLevel.COMMUNE)], actor=None)

    assert refused.value.messages == [
        "line 2: 120101 is in 1201 in the gazetteer; moving a location to another parent (1202) "
        "is not allowed"
    ]
    assert gazetteer() == before


[ROW_WITH_MORE_VALUES_THAN_COLUMNS] = csv.DictReader(
    io.StringIO(f"{HEADER}\n129902,1299,commune,Test place,ភូមិសាកល្បង,stray\n")
)
GOOD_ROWS = [
    row("1299", "12", LocationLevel.DISTRICT),
    row("129901", "1299", LocationLevel.COMMUNE),
]
BAD_LINE = len(GOOD_ROWS) + 2


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        pytest.param(
            row("129902", "1299", "hamlet"),
            "unknown level 'hamlet' (expected one of: province, district, commune, village)",
            id="unknown level",
        ),
        pytest.param(
            row("129902", "1299", LocationLevel.COMMUNE, name_en=" "),
            "name_en is missing",
            id="no English name",
        ),
        pytest.param(
            row("129902", "1299", LocationLevel.COMMUNE, name_km=""),
            "name_km is missing",
            id="no Khmer name",
        ),
        pytest.param(
            row("129902", "1299", LocationLevel.COMMUNE, name_en="x" * 121),
            "name_en is longer than 120 characters",
            id="name too long",
        ),
        pytest.param(
            row("12990101", "129999", LocationLevel.VILLAGE),
            "parent_code 129999 is neither in the file nor in the gazetteer",
            id="parent missing",
        ),
        pytest.param(
            row("129902", "12", LocationLevel.COMMUNE),
            "the parent of a commune must be a district, but 12 is a province",
            id="parent of the wrong level in the database",
        ),
        pytest.param(
            row("12990101", "1299", LocationLevel.VILLAGE),
            "the parent of a village must be a commune, but 1299 is a district",
            id="parent of the wrong level in the file",
        ),
        pytest.param(
            row("1299/02", "1299", LocationLevel.COMMUNE),
            "a code cannot contain '/' (1299/02)",
            id="code with a slash",
        ),
        pytest.param(
            row("1299 02", "1299", LocationLevel.COMMUNE),
            "code 1299 02 is not 1 to 16 letters, digits or '-'",
            id="code with a space",
        ),
        pytest.param(row("", "1299", LocationLevel.COMMUNE), "code is missing", id="code missing"),
        pytest.param(
            row("129901", "1299", LocationLevel.COMMUNE),
            "code 129901 is already on line 3",
            id="duplicate code",
        ),
        pytest.param(
            row("1298", "", LocationLevel.DISTRICT),
            "a district needs a parent_code",
            id="district without parent",
        ),
        pytest.param(
            row("26", "12", LocationLevel.PROVINCE),
            "a province has no parent_code",
            id="province with a parent",
        ),
        pytest.param(
            row("01", "12", LocationLevel.DISTRICT),
            "01 is a province in the gazetteer; its level cannot change to district",
            id="level of a known code changed",
        ),
        pytest.param(
            ROW_WITH_MORE_VALUES_THAN_COLUMNS,
            "the row has more values than the header has columns",
            id="more values than columns",
        ),
    ],
)
def test_a_bad_row_is_reported_by_its_line_and_nothing_is_saved(
    db: None, bad_row: dict[str, str], problem: str
) -> None:
    before, events = gazetteer(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        gazetteer_import(rows=[*GOOD_ROWS, bad_row], actor=None)

    assert refused.value.messages == [f"line {BAD_LINE}: {problem}"]
    assert gazetteer() == before
    assert AuditEvent.objects.count() == events


def test_every_problem_in_the_file_is_reported_at_once_and_a_bad_parent_only_once(
    db: None,
) -> None:
    with pytest.raises(ValidationError) as refused:
        gazetteer_import(
            rows=[
                row("1299", "12", LocationLevel.DISTRICT, name_km=""),
                row("129901", "1299", LocationLevel.COMMUNE),  # fine, but its parent is not
                row("1298", "12", "srok", name_en=""),
                row("1297", "12", LocationLevel.DISTRICT),
            ],
            actor=None,
        )

    assert refused.value.messages == [
        "line 2: name_km is missing",
        "line 4: unknown level 'srok' (expected one of: province, district, commune, village)",
        "line 4: name_en is missing",
    ]
    assert not Location.objects.filter(code__in=["1297", "1298", "1299", "129901"]).exists()


def test_a_file_without_rows_is_refused(db: None) -> None:
    with pytest.raises(ValidationError) as refused:
        gazetteer_import(rows=[], actor=None)

    assert refused.value.messages == ["The file has no rows below its header."]


def test_a_subtree_query_returns_exactly_the_province_and_its_descendants(world: World) -> None:
    gazetteer_import(rows=sample_rows(), actor=None)
    # A code that is a prefix of another province's code must not pull that province in.
    LocationFactory.village_in(LocationFactory.create(code="1", level=LocationLevel.PROVINCE))
    phnom_penh = province("12")
    descendants = {
        location.code
        for location in Location.objects.select_related("parent__parent__parent")
        if phnom_penh in lineage(location)
    }

    subtree = Location.objects.filter(path__startswith=phnom_penh.path)

    assert set(subtree.values_list("code", flat=True)) == descendants
    assert len(descendants) == 1 + 17 + 3  # Phnom Penh, its sample places, the world's village
    assert world.pp_village.code in descendants
    assert world.bmc_village.code not in descendants


@pytest.mark.parametrize("villages", [200, 2000])
def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(
    db: None, villages: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """Rows are written in batches of up to 2,000 per statement, never one statement per row."""
    rows = villages_file(villages)
    with django_assert_max_num_queries(10):
        created = gazetteer_import(rows=rows, actor=None)
    renamed = [{**entry, "name_en": entry["name_en"] + " (renamed)"} for entry in rows]
    with django_assert_max_num_queries(10):
        updated = gazetteer_import(rows=renamed, actor=None)

    assert created.created == updated.updated == villages + 2
    assert Location.objects.filter(path__startswith="12/1299/129901/").count() == villages + 1


def test_khmer_names_round_trip_byte_for_byte(db: None, tmp_path: Path) -> None:
    # Subscript consonants, a vowel sign, a zero-width space between words and a decomposed
    # accent in the English name: only the whitespace around each value is taken off.
    khmer = "ព្រែក\u200bស្ដៅ"
    english = "Pre\u0301k Sdau"
    csv_file = tmp_path / "gazetteer.csv"
    csv_file.write_text(
        as_csv([row("1299", "12", LocationLevel.DISTRICT, f"  {english}\t", f" {khmer}\u00a0")]),
        encoding="utf-8-sig",
    )

    call_command("import_gazetteer", str(csv_file), stdout=io.StringIO())

    stored = Location.objects.get(code="1299")
    assert stored.name_km.encode() == khmer.encode()
    assert stored.name_en.encode() == english.encode()


def test_a_user_who_is_not_a_system_admin_cannot_import(world: World) -> None:
    before, events = gazetteer(), AuditEvent.objects.count()

    for user in (world.worker, world.agency_admin, world.dosvy_officer):
        with pytest.raises(PermissionDenied):
            gazetteer_import(rows=sample_rows(), actor=user)

    assert gazetteer() == before
    assert AuditEvent.objects.count() == events


def test_an_import_records_one_audit_event_with_its_counts(world: World) -> None:
    gazetteer_import(rows=sample_rows(), actor=world.system_admin)
    rows = sample_rows()
    rows[0]["name_en"] = "Chamkarmon"
    gazetteer_import(rows=[*rows, row("120103", "1201", LocationLevel.COMMUNE)], actor=None)

    first, second = AuditEvent.objects.filter(action="gazetteer.import").order_by("id")
    assert first.actor_id == world.system_admin.pk
    assert first.changes == {"created": SAMPLE_SIZE, "updated": 0, "file_rows": SAMPLE_SIZE}
    assert (second.actor_id, second.actor_username) == (None, "")
    assert second.changes == {"created": 1, "updated": 1, "file_rows": SAMPLE_SIZE + 1}
    assert not AuditEvent.objects.filter(action="location.create").exists()


def test_the_command_imports_a_file_and_says_what_changed(db: None, tmp_path: Path) -> None:
    csv_file = tmp_path / "gazetteer.csv"
    # With the byte order mark some spreadsheet programs write before UTF-8 text.
    csv_file.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    outputs = [io.StringIO(), io.StringIO()]

    for output in outputs:
        call_command("import_gazetteer", str(csv_file), stdout=output)

    assert outputs[0].getvalue() == (
        f"Gazetteer imported: {SAMPLE_SIZE} created, 0 updated, 0 unchanged.\n"
    )
    assert outputs[1].getvalue() == (
        f"Gazetteer imported: 0 created, 0 updated, {SAMPLE_SIZE} unchanged.\n"
    )
    assert Location.objects.get(code="1201").name_km == "ចំការមន"


def test_the_command_reads_standard_input_given_a_dash(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SAMPLE.read_bytes())))
    output = io.StringIO()

    call_command("import_gazetteer", "-", stdout=output)

    assert output.getvalue().startswith(f"Gazetteer imported: {SAMPLE_SIZE} created")


def test_the_command_exits_non_zero_naming_each_bad_line_and_saves_nothing(
    db: None, tmp_path: Path
) -> None:
    csv_file = tmp_path / "gazetteer.csv"
    csv_file.write_text(
        as_csv(
            [
                row("1299", "12", LocationLevel.DISTRICT),
                row("129901", "1299", "khum"),
                row("129902", "1299", LocationLevel.COMMUNE, name_km=""),
            ]
        ),
        encoding="utf-8",
    )
    before, errors = gazetteer(), io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_gazetteer", str(csv_file), stderr=errors)

    # manage.py turns a CommandError into this exit status.
    assert failed.value.returncode == 1
    assert str(failed.value) == "Gazetteer not imported: 2 problem(s), nothing was saved."
    assert errors.getvalue().splitlines() == [
        "line 3: unknown level 'khum' (expected one of: province, district, commune, village)",
        "line 4: name_km is missing",
    ]
    assert gazetteer() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "code,parent,level,name_en,name_km\n1299,12,district,A,ក\n".encode(),
            f"The first row must be the header {HEADER}; missing: parent_code.",
            id="wrong header",
        ),
        pytest.param(b"", f"The first row must be the header {HEADER}", id="empty file"),
        pytest.param(
            as_csv([row("1299", "12", LocationLevel.DISTRICT)]).encode("utf-16"),
            "is not UTF-8 text",
            id="not UTF-8",
        ),
    ],
)
def test_the_command_refuses_a_file_it_cannot_read(
    db: None, tmp_path: Path, content: bytes, message: str
) -> None:
    csv_file = tmp_path / "gazetteer.csv"
    csv_file.write_bytes(content)
    before = gazetteer()

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_gazetteer", str(csv_file))

    assert gazetteer() == before


def test_the_command_refuses_a_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_gazetteer", str(tmp_path / "missing.csv"))
