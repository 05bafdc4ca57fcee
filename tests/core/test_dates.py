"""Dates typed day first in both languages (dd/mm/yyyy, yyyy-mm-dd, Khmer digits), refused with
the shape to type, and shown in one style per language on every page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.forms import Form
from django.template import Context, Template
from django.utils import translation

from cases.models import CaseNote
from cases.web.forms import CaseIntakeForm
from core.web import DateField, DateInput, typed_date
from tests.conftest import World
from tests.web.conftest import signed_in

CHRISTMAS = date(2026, 12, 25)
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")  # settings.TIME_ZONE: the pages show its time


class DayForm(Form):
    day = DateField(label="Day")


def read(typed: str, language: str = "en") -> date | None:
    with translation.override(language):
        form = DayForm({"day": typed})
        assert form.is_valid(), form.errors
        day: date | None = form.cleaned_data["day"]
        return day


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize(
    "typed",
    [
        "25/12/2026",
        "25/12/2026 ",
        "2026-12-25",
        "២៥/១២/២០២៦",
        "២០២៦-១២-២៥",
        "25122026",
        "២៥១២២០២៦",
        "25-12-2026",
        "25.12.2026",
        "25 12 2026",
    ],
)
def test_a_date_is_read_day_first_in_either_language(typed: str, language: str) -> None:
    assert read(typed, language) == CHRISTMAS


@pytest.mark.parametrize("language", ["en", "km"])
def test_a_single_digit_day_and_month_are_read_too(language: str) -> None:
    assert read("5/1/2026", language) == date(2026, 1, 5)


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_day_comes_before_the_month_even_where_both_could_be_either(language: str) -> None:
    assert read("03/04/2026", language) == date(2026, 4, 3)


@pytest.mark.parametrize(
    "typed", ["12/25/2026", "31/02/2026", "25/12/26", "yesterday", "2026/12/25", "1122026"]
)
def test_what_is_no_day_first_date_is_refused_saying_how_to_type_one(typed: str) -> None:
    form = DayForm({"day": typed})

    assert not form.is_valid()
    assert form.errors["day"] == ["Enter the date as day/month/year, for example 25/12/2026."]


def test_an_empty_optional_date_is_none() -> None:
    class Optional(Form):
        day = DateField(required=False)

    form = Optional({"day": "  "})

    assert form.is_valid()
    assert form.cleaned_data["day"] is None


def test_khmer_digits_and_digits_alone_are_made_into_the_typed_shape() -> None:
    assert typed_date(" ០៦/១២/២០២៦ ") == "06/12/2026"
    assert typed_date("06122026") == "06/12/2026"
    assert typed_date("2026-12-06") == "2026-12-06"


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_input_is_text_for_a_number_pad_and_shows_the_date_day_first(language: str) -> None:
    with translation.override(language):
        html = DateInput().render("day", CHRISTMAS)

    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    assert 'value="25/12/2026"' in html
    assert "placeholder=" in html
    assert 'type="date"' not in html


def test_the_childs_date_of_birth_is_a_day_first_date_too() -> None:
    field = CaseIntakeForm.base_fields["date_of_birth"]

    assert isinstance(field, DateField)
    assert isinstance(field.widget, DateInput)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "25 Dec 2026 | 25 Dec 2026, 14:30 | December 2026 | 25/12/2026"),
        ("km", "25 ធ្នូ 2026 | 25 ធ្នូ 2026, 14:30 | ធ្នូ 2026 | 25/12/2026"),
    ],
)
def test_dates_are_shown_in_one_style_per_language(language: str, shown: str) -> None:
    template = Template(
        '{{ day|date }} | {{ moment|date:"DATETIME_FORMAT" }} | '
        '{{ day|date:"YEAR_MONTH_FORMAT" }} | {{ day|date:"SHORT_DATE_FORMAT" }}'
    )
    with translation.override(language):
        text = template.render(
            Context({"day": CHRISTMAS, "moment": datetime(2026, 12, 25, 14, 30, tzinfo=PHNOM_PENH)})
        )

    assert text == shown


def test_a_note_dated_in_khmer_digits_is_saved_and_shown_with_the_khmer_month(
    world: World,
) -> None:
    client = signed_in(world.worker, "km")
    url = f"/cases/{world.own_case.pk}/notes/add/"

    saved = client.post(url, {"kind": "home_visit", "date": "០១/១២/២០២៦", "text": "ជួបម្ដាយ"})
    page = client.get(f"/cases/{world.own_case.pk}/notes/").content.decode()

    assert saved.status_code == 302
    assert CaseNote.objects.get(case=world.own_case).date == date(2026, 12, 1)
    assert "1 ធ្នូ 2026" in page


def test_a_note_dated_month_first_is_refused_beside_the_field(world: World) -> None:
    client = signed_in(world.worker)
    url = f"/cases/{world.own_case.pk}/notes/add/"

    refused = client.post(url, {"kind": "home_visit", "date": "11/30/2026", "text": "Visit"})

    assert refused.status_code == 400
    assert "Enter the date as day/month/year" in refused.content.decode()
    assert not CaseNote.objects.exists()
