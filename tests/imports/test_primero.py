"""A Primero (CPIMS+) case export imports as it comes: its own column names (docs/interop.md),
its multi-selects written as lists, its codes mapped to ours, what has no place here kept in
the summary; idempotent by Primero's case id."""

from __future__ import annotations

import pytest

from cases.models import Case
from tests.conftest import World
from tests.imports.conftest import csv_bytes, imported

pytestmark = pytest.mark.django_db

# The columns a Primero case CSV export writes: "id", then each exported field by its name.
PRIMERO_HEADER = [
    "id",
    "case_id",
    "short_id",
    "case_id_display",
    "status",
    "name",
    "name_first",
    "name_middle",
    "name_last",
    "name_nickname",
    "registration_date",
    "sex",
    "age",
    "date_of_birth",
    "estimated",
    "nationality",
    "address_current",
    "location_current",
    "risk_level",
    "protection_concerns",
    "owned_by",
]


def _primero_rows(village_code: str) -> list[dict[str, str]]:
    return [
        {
            "id": "5f1c8a2e-0b7d-4c51-9a1e-2f0d6c3b9e11",
            "case_id": "a4d2c6f0-93e1-4b7a-8c55-1e0f3d2b7a90",
            "short_id": "b7a90e1",
            "case_id_display": "b7a90e1",
            "status": "open",
            "name": "Sreypov Sok",
            "name_first": "Sreypov",
            "name_middle": "",
            "name_last": "Sok",
            "name_nickname": "Pov",
            "registration_date": "2026-03-02",
            "sex": "female",
            "age": "11",
            "date_of_birth": "2014-05-09",
            "estimated": "false",
            "nationality": '["nationality1"]',
            "address_current": "House 12, Street 5",
            "location_current": village_code,
            "risk_level": "high",
            "protection_concerns": '["sexually_exploited", "caafag", "worst_forms_of_child_labor"]',
            "owned_by": "primero_cp_worker",
        },
        {
            "id": "7e3b1d44-6a2f-4f0e-b1c9-8d5a2e7f6c01",
            "case_id": "0c9e8d7f-1a2b-4c3d-9e8f-7a6b5c4d3e2f",
            "short_id": "d3e2f0c",
            "case_id_display": "d3e2f0c",
            "status": "open",
            "name": "Dara Chan",
            "name_first": "",
            "name_middle": "",
            "name_last": "",
            "name_nickname": "",
            "registration_date": "2026-04-11",
            "sex": "male",
            "age": "9",
            "date_of_birth": "",
            "estimated": "true",
            "nationality": "",
            "address_current": "",
            "location_current": village_code,
            "risk_level": "",
            "protection_concerns": '["street_child"]',
            "owned_by": "worker",
        },
    ]


def test_a_primero_case_export_imports_as_it_comes(world: World) -> None:
    content = csv_bytes(_primero_rows(world.pp_village.code), header=PRIMERO_HEADER)

    detail = imported(world.supervisor, content)

    assert detail["errors"] == []
    assert (detail["rows"], detail["created"]) == (2, 2)
    first = Case.objects.get(
        external_ids__system="primero",
        external_ids__external_id="a4d2c6f0-93e1-4b7a-8c55-1e0f3d2b7a90",
    )
    child = first.child
    assert (child.given_name, child.family_name, child.sex) == ("Sreypov", "Sok", "female")
    assert child.date_of_birth is not None
    assert child.date_of_birth.isoformat() == "2014-05-09"
    assert child.location_id == world.pp_village.pk
    assert sorted(first.concern_rows.values_list("concern_id", flat=True)) == [
        "child_labour",
        "commercial_sexual_exploitation",
        "other",
    ]
    # What has no place of its own is kept: the display id, the unmapped concern, the risk.
    assert "b7a90e1" in first.summary
    assert "caafag" in first.summary
    assert "Primero risk level: high" in first.summary
    # Primero's owner is no person here: the importer holds the case.
    assert first.owner_id == world.supervisor.pk

    second = Case.objects.get(external_ids__external_id="0c9e8d7f-1a2b-4c3d-9e8f-7a6b5c4d3e2f")
    assert (second.child.given_name, second.child.family_name) == ("Dara", "Chan")
    assert second.child.estimated_age == 9
    assert list(second.concern_rows.values_list("concern_id", flat=True)) == ["street_connected"]
    # "worker" is a case worker of the supervisor's agency: she holds it.
    assert second.owner_id == world.worker.pk


def test_the_same_primero_export_again_adds_nothing(world: World) -> None:
    content = csv_bytes(_primero_rows(world.pp_village.code), header=PRIMERO_HEADER)
    imported(world.supervisor, content)
    before = Case.objects.count()

    again = imported(world.supervisor, content)

    assert (again["created"], again["unchanged"], again["errors"]) == (0, 2, [])
    assert Case.objects.count() == before
