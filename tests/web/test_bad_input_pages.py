"""The pages given input no browser of theirs would send (a page number past any list, a place
id written with a superscript digit, an impossible date, a tampered row count, a NUL in the
address): the form comes back with its errors, or a clear 400, never a server error."""

from __future__ import annotations

import pytest

from cases.models import Child
from tests.conftest import World
from tests.web.conftest import signed_in
from tests.web.test_case_pages import GIVEN_KM, intake

HUGE_PAGE = 2**62


@pytest.mark.parametrize("url", ["/cases/", "/referrals/", "/follow-ups/"])
def test_a_huge_page_number_on_a_list_page_shows_the_first_page(world: World, url: str) -> None:
    answer = signed_in(world.dosvy_officer).get(url, {"page": HUGE_PAGE})

    assert answer.status_code == 200


def test_a_place_id_with_a_superscript_digit_chooses_no_place(world: World) -> None:
    answer = signed_in(world.worker).get("/cases/places/", {"location": "²"})

    assert answer.status_code == 200
    assert answer.context["chosen"] is None


def test_a_nul_in_the_address_is_a_bad_request(world: World) -> None:
    answer = signed_in(world.worker).get("/cases/", {"concern": "\x00"})

    assert answer.status_code == 400
    assert "NUL" in answer.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_registration", None, "This field is required."),
        ("date_of_birth", "2024-02-31", "Enter the date as day/month/year"),
        ("estimated_age", "abc", "Enter a whole number."),
        ("estimated_age", "-5", "greater than or equal to 0"),
        ("estimated_age", str(10**30), "less than or equal to 120"),
    ],
)
def test_a_registration_with_a_wrong_field_comes_back_with_the_error_beside_it(
    world: World, field: str, value: str | None, message: str
) -> None:
    data = intake(world)
    if value is None:
        del data[field]
    else:
        data[field] = value

    answer = signed_in(world.worker).post("/cases/new/", data)

    assert answer.status_code == 400
    assert message in answer.context["form"].errors[field][0]
    assert GIVEN_KM in answer.content.decode()
    assert not Child.objects.filter(given_name_km=GIVEN_KM).exists()


def test_a_family_row_count_that_is_not_a_number_is_refused_not_a_crash(world: World) -> None:
    client = signed_in(world.worker)

    more_rows = client.post(
        "/cases/new/", intake(world, **{"family-TOTAL_FORMS": "abc", "add_family": "1"})
    )
    saved = client.post("/cases/new/", intake(world, **{"family-TOTAL_FORMS": "abc"}))

    assert more_rows.status_code == 200
    assert more_rows.context["family"].total_form_count() == 2
    assert saved.status_code == 400
    assert not Child.objects.filter(given_name_km=GIVEN_KM).exists()
