"""The child's fields are declared once, on the model: the web form and the API's input are made
from them, refuse the same things with the same words, and an unsaved child derives what a saved
one does."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from cases.api.serializers import ChildInputSerializer, ChildUpdateSerializer
from cases.models import Child
from cases.selectors.case import concern_types
from cases.web.forms import CaseEditForm, CaseIntakeForm
from tests.api.test_cases_api import CASES, case_url, intake_body
from tests.conftest import World, api_client
from tests.web.conftest import signed_in
from tests.web.test_case_file_forms import edit_form
from tests.web.test_case_pages import intake

# Kept by the system, never entered: when an estimate was made, and when the child was recorded.
NOT_ENTERED = {"age_estimated_on", "created_at"}


def test_every_editable_field_of_the_child_is_entered_or_kept_by_the_system() -> None:
    editable = {field.name for field in Child._meta.concrete_fields if field.editable}
    editable.discard("id")

    assert editable - set(Child.INPUT_FIELDS) == NOT_ENTERED
    assert set(Child.MASKED_FIELDS) <= set(Child.INPUT_FIELDS)


@pytest.mark.parametrize("serializer", [ChildInputSerializer, ChildUpdateSerializer])
def test_the_api_takes_exactly_the_fields_entered_about_a_child(
    serializer: type[serializers.Serializer],
) -> None:
    assert list(serializer().fields) == list(Child.INPUT_FIELDS)


@pytest.mark.parametrize("form", [CaseIntakeForm, CaseEditForm])
def test_the_form_takes_exactly_the_fields_entered_about_a_child(form: type[forms.Form]) -> None:
    model_fields = {field.name for field in Child._meta.get_fields()}
    child_fields = [name for name in form.base_fields if name in model_fields]

    assert child_fields == list(Child.INPUT_FIELDS)


def test_the_edit_page_shows_an_input_for_every_field_entered_about_a_child(
    world: World,
) -> None:
    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/edit/").content.decode()

    missing = [field for field in Child.INPUT_FIELDS if f'name="{field}"' not in page]
    assert missing == []


def _model_message(age: int) -> list[str]:
    with pytest.raises(ValidationError) as error:
        Child._meta.get_field("estimated_age").run_validators(age)
    return error.value.messages


def test_an_estimated_age_over_120_is_refused_by_the_api_and_the_pages_alike(
    world: World,
) -> None:
    expected = _model_message(121)
    api = api_client(world.worker)
    client = signed_in(world.worker)

    created = api.post(CASES, intake_body(world.pp_village, estimated_age=121))
    patched = api.patch(case_url(world.own_case.pk), {"child": {"estimated_age": 121}})
    new_page = client.post("/cases/new/", intake(world, estimated_age="121"))
    edit_page = client.post(
        f"/cases/{world.own_case.pk}/edit/",
        {**edit_form(client, world.own_case.pk), "estimated_age": "121"},
    )

    assert expected == ["Ensure this value is less than or equal to 120."]
    assert (created.status_code, patched.status_code) == (400, 400)
    assert created.json()["child"]["estimated_age"] == expected
    assert patched.json()["child"]["estimated_age"] == expected
    assert (new_page.status_code, edit_page.status_code) == (400, 400)
    assert new_page.context["form"].errors["estimated_age"] == expected
    assert edit_page.context["form"].errors["estimated_age"] == expected
    assert 'max="120"' in new_page.content.decode()
    assert not Child.objects.filter(estimated_age=121).exists()


def test_an_unsaved_child_derives_what_the_saved_one_does(world: World) -> None:
    # A zero-width space inside the Khmer name, accents and double spaces in the Latin one.
    data = intake(
        world,
        given_name="  Sreÿ  Mom ",
        family_name="CHÂN",
        given_name_km="ស្រី\u200bមុំ",
        languages="km, vi ,",
    )
    form = CaseIntakeForm(data, concerns=concern_types(active_only=True))
    assert form.is_valid(), form.errors
    unsaved = form.unsaved_child()

    answer = signed_in(world.worker).post("/cases/new/", {**data, "confirmed": form.fingerprint()})
    assert answer.status_code == 302
    saved = Child.objects.get(given_name_km="ស្រី\u200bមុំ")

    def derived(child: Child) -> tuple[object, ...]:
        return (
            child.location_path,
            child.search_name,
            child.search_name_km,
            child.age_estimated_on,
            child.languages,
        )

    assert derived(unsaved) == derived(saved)
    assert derived(saved)[1:3] == ("srey mom chan", "ច័ន្ទស្រីមុំ")


def test_what_is_not_entered_about_a_child_is_refused_when_building_one(world: World) -> None:
    with pytest.raises(TypeError):
        Child.from_input({"given_name": "Dara", "search_name": "someone else"})
