"""What the risk answers come to before saving: the form's preview scores them as saving does,
behind the same door, writes nothing; and the child's age band comes filled in from the case
file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import RISK_ORDER, SAFETY_PLAN_LEVELS, RiskLevel
from cases.models import Case, Child, RiskAssessment, RiskInstrument
from cases.services.risk import risk_answers_from_case_file, risk_preview, risk_score
from tests.cases.test_risk import (
    SAFETY_PLAN,
    answers_at,
    current_instrument,
    highest_answers,
    lowest_answers,
)
from tests.conftest import World
from tests.web.conftest import signed_in

LEVEL = re.compile(r'class="badge risk-(?P<level>\w+)"')


def form_data(instrument: RiskInstrument, answers: Mapping[str, str]) -> dict[str, str]:
    return {"instrument": str(instrument.pk), **{f"q_{q}": a for q, a in answers.items()}}


def preview(client: Client, case: Case, data: Mapping[str, str]) -> tuple[int, str]:
    answer = client.post(f"/cases/{case.pk}/risk/preview/", data, headers={"HX-Request": "true"})
    return answer.status_code, answer.content.decode()


def shown_level(page: str) -> str:
    match = LEVEL.search(page)
    assert match, page
    return match["level"]


# --- The same level as saving ------------------------------------------------------------------


@pytest.mark.parametrize("level", RISK_ORDER)
def test_the_preview_shows_the_level_that_saving_the_same_answers_records(
    world: World, level: str
) -> None:
    instrument = current_instrument()
    answers = answers_at(instrument, level)
    client = signed_in(world.worker)

    status, page = preview(client, world.own_case, form_data(instrument, answers))
    saved = client.post(
        f"/cases/{world.own_case.pk}/risk/new/",
        {**form_data(instrument, answers), "safety_plan": SAFETY_PLAN},
    )

    assert status == 200
    assert saved.status_code == 302
    assessment = RiskAssessment.objects.get(case=world.own_case)
    assert shown_level(page) == assessment.risk_level == level
    needs_plan = level in SAFETY_PLAN_LEVELS
    assert ("A safety plan is required" in page) is needs_plan
    assert ('data-required="true"' in page) is needs_plan
    assert ("No safety plan is required at this level." in page) is (not needs_plan)
    band = next(b for b in instrument.bands.all() if b.level == level)
    assert f"{band.respond_within_hours} hour" in page
    assert f"{band.reassess_after_days} day" in page


@pytest.mark.django_db
def test_a_complete_preview_is_the_score_itself() -> None:
    instrument = current_instrument()
    for answers in (lowest_answers(instrument), highest_answers(instrument)):
        shown = risk_preview(instrument=instrument, answers=answers)
        assert shown.complete
        assert shown.result == risk_score(instrument=instrument, answers=answers)


@pytest.mark.django_db
def test_a_partial_preview_never_shows_more_than_any_way_of_finishing_the_answers() -> None:
    instrument = current_instrument()
    questions = [q.code for q in instrument.questions.all()]
    highest = highest_answers(instrument)
    lowest = lowest_answers(instrument)
    for given in range(len(questions)):
        so_far = {code: highest[code] for code in questions[:given]}
        shown = risk_preview(instrument=instrument, answers=so_far)
        assert not shown.complete
        assert shown.answered == given
        for rest in (lowest, highest):
            finished = risk_score(instrument=instrument, answers={**rest, **so_far})
            assert RISK_ORDER.index(RiskLevel(shown.result.level)) <= RISK_ORDER.index(
                RiskLevel(finished.level)
            )


def test_a_child_in_immediate_danger_calls_for_a_safety_plan_at_the_first_answer(
    world: World,
) -> None:
    instrument = current_instrument()

    status, page = preview(
        signed_in(world.worker),
        world.own_case,
        form_data(instrument, {"immediate_danger": "yes"}),
    )

    assert status == 200
    assert shown_level(page) == RiskLevel.CRITICAL
    assert "Risk level so far, at least" in page
    assert "A safety plan is required" in page
    assert f"1 of {len(instrument.questions.all())} questions answered." in page


def test_answers_that_are_not_options_count_as_not_given(world: World) -> None:
    instrument = current_instrument()

    status, page = preview(
        signed_in(world.worker),
        world.own_case,
        form_data(instrument, {"immediate_danger": "surely", "nonsense": "yes"}),
    )

    assert status == 200
    assert shown_level(page) == RiskLevel.LOW
    assert f"0 of {len(instrument.questions.all())} questions answered." in page


def test_the_level_is_named_in_khmer_not_by_its_code(world: World) -> None:
    instrument = current_instrument()
    client = signed_in(world.worker, "km")

    _status, page = preview(
        client, world.own_case, form_data(instrument, answers_at(instrument, RiskLevel.HIGH))
    )

    assert ">ខ្ពស់<" in page
    assert ">High<" not in page
    assert ">high<" not in page


# --- The same door as the form, and nothing written --------------------------------------------


def test_the_preview_writes_nothing_and_records_nothing(world: World) -> None:
    instrument = current_instrument()
    client = signed_in(world.worker)
    version = Case.objects.get(pk=world.own_case.pk).version
    events = AuditEvent.objects.count()

    status, _page = preview(
        client, world.own_case, form_data(instrument, highest_answers(instrument))
    )

    assert status == 200
    assert AuditEvent.objects.count() == events
    assert not RiskAssessment.objects.exists()
    assert Case.objects.get(pk=world.own_case.pk).version == version


@pytest.mark.parametrize("case", ["other_agency_case", "other_province_case", "missing"])
def test_a_case_out_of_reach_answers_404_as_a_missing_one(world: World, case: str) -> None:
    instrument = current_instrument()
    pk = 987654 if case == "missing" else getattr(world, case).pk

    answer = signed_in(world.worker).post(
        f"/cases/{pk}/risk/preview/", form_data(instrument, lowest_answers(instrument))
    )

    assert answer.status_code == 404
    assert b"risk-" not in answer.content


def test_a_reader_who_may_not_assess_is_refused_as_on_the_form(world: World) -> None:
    instrument = current_instrument()
    client = signed_in(world.dosvy_officer)

    answer = client.post(
        f"/cases/{world.own_case.pk}/risk/preview/",
        form_data(instrument, lowest_answers(instrument)),
    )

    assert answer.status_code == 403
    assert client.get(f"/cases/{world.own_case.pk}/risk/new/").status_code == 403


def test_the_preview_only_answers_a_post(world: World) -> None:
    assert (
        signed_in(world.worker).get(f"/cases/{world.own_case.pk}/risk/preview/").status_code == 405
    )


def test_the_preview_needs_a_signed_in_person(world: World) -> None:
    answer = Client().post(f"/cases/{world.own_case.pk}/risk/preview/", {})

    assert answer.status_code == 302
    assert not RiskAssessment.objects.exists()


# --- The form itself ---------------------------------------------------------------------------


def test_the_form_shows_what_the_answers_come_to_after_a_refused_save(world: World) -> None:
    instrument = current_instrument()
    answers = answers_at(instrument, RiskLevel.CRITICAL)

    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/risk/new/", form_data(instrument, answers)
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert shown_level(page) == RiskLevel.CRITICAL
    assert re.search(
        r'<textarea[^>]*name="safety_plan"[^>]*aria-required="true"', page
    ) or re.search(r'<textarea[^>]*aria-required="true"[^>]*name="safety_plan"', page)


def test_the_form_asks_the_preview_on_every_change(world: World) -> None:
    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/risk/new/").content.decode()

    assert f'hx-post="/cases/{world.own_case.pk}/risk/preview/"' in page
    assert 'aria-live="polite"' in page


# --- The age band from the case file ----------------------------------------------------------


def set_age(child: Child, *, born: date | None = None, estimated: int | None = None) -> None:
    child.date_of_birth = born
    child.estimated_age = estimated
    child.age_estimated_on = timezone.localdate() if estimated is not None else None
    child.save()


def born_years_ago(years: int) -> date:
    today = timezone.localdate()
    # A day past the birthday, so the age is ``years`` whatever today is (29 February too).
    return today.replace(year=today.year - years, day=1) - timedelta(days=1)


@pytest.mark.parametrize(
    ("years", "band"),
    [
        (2, "under_6"),
        (5, "under_6"),
        (6, "6_11"),
        (11, "6_11"),
        (12, "12_14"),
        (14, "12_14"),
        (15, "15_17"),
        (17, "15_17"),
    ],
)
def test_the_age_band_is_worked_out_from_the_date_of_birth(
    world: World, years: int, band: str
) -> None:
    child = world.own_case.child
    set_age(child, born=born_years_ago(years))

    answers = risk_answers_from_case_file(instrument=current_instrument(), child=child)

    assert child.age == years
    assert answers == {"child_age": band}


def test_the_age_band_follows_an_estimated_age_as_the_child_grows(world: World) -> None:
    child = world.own_case.child
    set_age(child, estimated=11)
    instrument = current_instrument()
    today = timezone.localdate()

    assert risk_answers_from_case_file(instrument=instrument, child=child) == {"child_age": "6_11"}
    assert risk_answers_from_case_file(
        instrument=instrument, child=child, today=today + timedelta(days=366)
    ) == {"child_age": "12_14"}


def test_no_age_band_is_filled_in_for_an_age_the_instrument_has_no_answer_for(
    world: World,
) -> None:
    child = world.own_case.child
    set_age(child, estimated=17)

    answers = risk_answers_from_case_file(
        instrument=current_instrument(),
        child=child,
        today=timezone.localdate() + timedelta(days=800),
    )

    assert answers == {}


def test_the_form_comes_with_the_age_band_chosen_and_says_where_it_came_from(
    world: World,
) -> None:
    child = world.own_case.child
    set_age(child, born=born_years_ago(8))

    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/risk/new/").content.decode()

    chosen = re.findall(r'<input[^>]*name="q_child_age"[^>]*>', page)
    assert [tag for tag in chosen if "checked" in tag] == [
        tag for tag in chosen if 'value="6_11"' in tag
    ]
    assert len([tag for tag in chosen if "checked" in tag]) == 1
    assert "Filled in from the case file" in page
    # Nothing else is answered for the worker.
    assert len(re.findall(r"<input[^>]*checked[^>]*>", page)) == 1
    assert "1 of " in page


def test_the_filled_in_age_band_can_be_changed(world: World) -> None:
    child = world.own_case.child
    set_age(child, born=born_years_ago(8))
    instrument = current_instrument()
    answers = {**lowest_answers(instrument), "child_age": "15_17"}

    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/risk/new/", form_data(instrument, answers)
    )

    assert answer.status_code == 302
    assert RiskAssessment.objects.get(case=world.own_case).answers["child_age"] == "15_17"
