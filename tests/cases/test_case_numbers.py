"""Case numbers: ``<province code>-<year>-<5 digits>``, one sequence per province and year, and
never the same number twice, even for registrations at the same instant."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from accounts.choices import LocationLevel, Role
from accounts.models import Location, User
from cases.models import Case, ConcernType
from cases.services.case import case_open, next_case_number
from tests.factories import LocationFactory, UserFactory, province

NUMBER = re.compile(r"(?P<province>\d{2})-(?P<year>\d{4})-(?P<serial>\d{5})")


def _open(actor: User, village: Location) -> Case:
    return case_open(
        actor=actor,
        child={
            "given_name": "Rithy",
            "family_name": "Long",
            "sex": "male",
            "estimated_age": 9,
            "location": village,
        },
        concerns=["street_connected"],
        source="community",
    )


def _parts(case: Case) -> dict[str, Any]:
    match = NUMBER.fullmatch(case.case_number)
    assert match, case.case_number
    return {**match.groupdict(), "serial": int(match["serial"])}


def test_a_case_number_is_the_province_code_the_year_and_five_digits(db: None) -> None:
    case = _open(UserFactory.create(), LocationFactory.village_in(province("01")))
    parts = _parts(case)
    assert parts["province"] == "01"
    assert parts["year"] == str(timezone.localdate().year)


def test_numbers_in_a_province_follow_one_another(db: None) -> None:
    worker, village = UserFactory.create(), LocationFactory.village_in(province("12"))
    serials = [_parts(_open(worker, village))["serial"] for _ in range(3)]
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2]


def test_each_province_has_its_own_sequence(db: None) -> None:
    worker = UserFactory.create()
    phnom_penh, siem_reap = (LocationFactory.village_in(province(code)) for code in ("12", "17"))
    first_pp = _parts(_open(worker, phnom_penh))
    first_sr = _parts(_open(worker, siem_reap))
    second_pp = _parts(_open(worker, phnom_penh))
    assert (first_pp["province"], first_sr["province"]) == ("12", "17")
    assert first_sr["serial"] == 1
    assert second_pp["serial"] == first_pp["serial"] + 1


def test_each_year_starts_a_new_sequence(db: None) -> None:
    assert next_case_number(province_code="12", year=2031) == "12-2031-00001"
    assert next_case_number(province_code="12", year=2031) == "12-2031-00002"
    assert next_case_number(province_code="12", year=2032) == "12-2032-00001"


def test_the_year_is_cambodias_on_new_years_eve(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 01:00 on 1 January in Phnom Penh it is still the old year in UTC."""
    moment = datetime(2030, 12, 31, 18, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    case = _open(UserFactory.create(), LocationFactory.village_in(province("12")))
    assert _parts(case)["year"] == "2031"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registrations_at_the_same_instant_get_different_numbers() -> None:
    """Two workers, each on their own database connection, register in the same province at
    once; a count-then-insert numbering would give both the same number."""
    # A transactional test may follow another one's flush, which empties the reference data
    # the migrations loaded.
    phnom_penh, _ = Location.objects.get_or_create(
        code="12",
        level=LocationLevel.PROVINCE,
        defaults={"name_en": "Phnom Penh", "name_km": "ភ្នំពេញ", "path": "12/"},
    )
    ConcernType.objects.get_or_create(
        code="street_connected", defaults={"label_en": "Street-connected", "label_km": "ផ្លូវ"}
    )
    village = LocationFactory.village_in(phnom_penh)
    workers = [UserFactory.create(role=Role.SOCIAL_WORKER) for _ in range(2)]
    start = threading.Barrier(len(workers))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def register(worker: User) -> None:
        try:
            start.wait(timeout=10)
            numbers.append(_open(worker, village).case_number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(numbers)) == 2
    assert sorted(_parts(Case.objects.get(case_number=n))["serial"] for n in numbers) == [1, 2]
