"""The case pages through Django's test client: who sees what, forms that keep what was typed,
and the bounded cost of the list."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import RiskLevel, Stage
from cases.models import Case, CaseNote, CasePlan, Child, PlanGoal, RiskAssessment
from tests.conftest import World
from tests.factories import CaseFactory, ChildFactory
from tests.web.conftest import signed_in

GIVEN_KM, FAMILY_KM = "ស្រីមុំ", "ច័ន្ទ"
# The answers of the default instrument that come out low, and one that is critical.
LOW_ANSWERS = {
    "q_immediate_danger": "no",
    "q_harm_severity": "minor",
    "q_child_age": "12_14",
    "q_disability": "no",
    "q_caregiver_protection": "able",
    "q_perpetrator_access": "none",
    "q_debt_bondage": "no",
    "q_confinement": "no",
    "q_deception": "no",
    "q_documents_withheld": "no",
    "q_previous_harm": "no",
}
CASE_TABS = [
    "profile",
    "concerns",
    "risk",
    "plan",
    "services",
    "notes",
    "consent",
    "placements",
    "history",
]


def intake(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "given_name_km": GIVEN_KM,
        "family_name_km": FAMILY_KM,
        "given_name": "Srey Mom",
        "family_name": "Chan",
        "sex": "female",
        "estimated_age": "12",
        "location": str(world.pp_village.pk),
        "birth_registration": "unknown",
        "concerns": ["labour_trafficking"],
        "source": "police",
        "summary": "Found at a brick kiln.",
        "family-TOTAL_FORMS": "1",
        "family-INITIAL_FORMS": "0",
        "family-0-name_km": "ច័ន្ទ ធីតា",
        "family-0-relation": "mother",
    }
    data.update(changes)
    return data


# --- Reach: the owner sees, a stranger gets 404 -------------------------------------------------


@pytest.mark.parametrize("tab", CASE_TABS)
def test_the_owner_opens_every_tab_of_her_case(world: World, tab: str) -> None:
    answer = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/{tab}/")

    assert answer.status_code == 200
    assert world.own_case.case_number in answer.content.decode()


@pytest.mark.parametrize(
    "path", ["", "profile/", "notes/", "history/", "print/", "risk/new/", "plan/new/"]
)
@pytest.mark.parametrize("persona", ["other_worker", "bmc_worker", "commune_member", "analyst"])
def test_a_case_outside_the_readers_reach_answers_404(
    world: World, persona: str, path: str
) -> None:
    client = signed_in(getattr(world, persona))

    assert client.get(f"/cases/{world.own_case.pk}/{path}").status_code == 404


def test_a_restricted_case_answers_404_to_the_supervisor_not_named_on_it(world: World) -> None:
    client = signed_in(world.supervisor)

    assert client.get(f"/cases/{world.restricted_case.pk}/").status_code == 404
    assert signed_in(world.worker).get(f"/cases/{world.restricted_case.pk}/").status_code == 200


def test_writing_to_a_case_out_of_reach_answers_404_and_saves_nothing(world: World) -> None:
    client = signed_in(world.other_worker)
    today = timezone.localdate().isoformat()

    answer = client.post(
        f"/cases/{world.own_case.pk}/notes/add/", {"kind": "phone", "date": today, "text": "x"}
    )

    assert answer.status_code == 404
    assert not CaseNote.objects.exists()


def test_the_agency_admin_sees_the_administrative_fields_and_no_child(world: World) -> None:
    client = signed_in(world.agency_admin)
    child = world.own_case.child

    page = client.get(f"/cases/{world.own_case.pk}/").content.decode()

    assert world.own_case.case_number in page
    assert child.given_name not in page
    assert child.given_name_km not in page
    assert client.get(f"/cases/{world.own_case.pk}/profile/").status_code == 403
    assert client.get(f"/cases/{world.own_case.pk}/print/").status_code == 200
    assert child.given_name not in client.get(f"/cases/{world.own_case.pk}/print/").content.decode()


def test_reading_the_case_file_is_written_to_the_audit_trail(world: World) -> None:
    signed_in(world.worker).get(f"/cases/{world.own_case.pk}/notes/")

    actions = list(
        AuditEvent.objects.filter(case_id=world.own_case.pk).values_list("action", flat=True)
    )
    assert actions == ["case.view_notes"]  # once, naming what was read


def test_a_tab_asked_for_by_htmx_comes_without_the_layout(world: World) -> None:
    client = signed_in(world.worker)

    fragment = client.get(f"/cases/{world.own_case.pk}/notes/", headers={"HX-Request": "true"})
    whole = client.get(f"/cases/{world.own_case.pk}/notes/")

    assert "<html" not in fragment.content.decode()
    assert 'id="tab-panel"' in fragment.content.decode()
    assert "<html" in whole.content.decode()
    assert "HX-Request" in fragment["Vary"]


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_my_cases_and_not_the_others(world: World) -> None:
    page = signed_in(world.worker).get("/cases/").content.decode()

    assert world.own_case.case_number in page
    assert world.restricted_case.case_number in page
    assert world.other_agency_case.case_number not in page
    assert world.other_province_case.case_number not in page


def test_the_list_finds_a_child_by_her_khmer_name_and_by_her_latin_name(world: World) -> None:
    mine = CaseFactory.create(
        owner=world.worker,
        location=world.pp_village,
        child=ChildFactory.create(
            given_name="Dara", given_name_km="តារា", location=world.pp_village
        ),
    )
    client = signed_in(world.worker)

    for text in ["តារា", "dara"]:
        page = client.get("/cases/", {"q": text}).content.decode()
        assert mine.case_number in page
        assert world.own_case.case_number not in page


def test_a_supervisor_finds_the_children_of_her_territory_by_name(world: World) -> None:
    """Her search is read by a compiled statement (cases.selectors.case.NameSearchList): the
    cases of her province so named, with their place, and not those of another province or a
    restricted one."""
    named = {
        key: CaseFactory.create(
            owner=owner,
            location=place,
            restricted=restricted,
            child=ChildFactory.create(given_name="Sophal", given_name_km="សុផល", location=place),
        )
        for key, owner, place, restricted in [
            ("worker", world.worker, world.pp_village, False),
            ("other agency", world.other_worker, world.pp_village, False),
            ("other province", world.bmc_worker, world.bmc_village, False),
            ("restricted", world.worker, world.pp_village, True),
        ]
    }
    client = signed_in(world.dosvy_officer)

    for text in ["sophal", "សុផល"]:
        page = client.get("/cases/", {"q": text}).content.decode()
        assert named["worker"].case_number in page
        assert named["other agency"].case_number in page
        assert world.pp_village.name_en in page
        assert named["other province"].case_number not in page
        assert named["restricted"].case_number not in page
        assert world.own_case.case_number not in page


def test_the_list_filters_by_stage_and_risk_level(world: World) -> None:
    high = CaseFactory.create(
        owner=world.worker,
        location=world.pp_village,
        risk_level=RiskLevel.HIGH,
        stage=Stage.ASSESSMENT,
    )
    client = signed_in(world.worker)

    page = client.get("/cases/", {"risk_level": "high", "stage": "assessment"}).content.decode()

    assert high.case_number in page
    assert world.own_case.case_number not in page


def test_a_long_list_says_more_than_and_the_last_page_gives_the_total(world: World) -> None:
    CaseFactory.create_batch(30, owner=world.worker, location=world.pp_village)
    total = Case.objects.filter(owner=world.worker).count()  # the 30, her own, the restricted
    client = signed_in(world.worker)

    first = client.get("/cases/").content.decode()
    last = client.get("/cases/", {"page": 2}).content.decode()

    assert "More than 25 cases" in first
    assert "Page 1<" in first
    assert 'rel="next"' in first
    assert f"{total} cases" in last
    assert "Page 2 of 2" in last
    assert 'rel="next"' not in last
    assert client.get("/cases/", {"page": 9}).content.decode().count("Page 1<") == 1


@pytest.mark.parametrize("extra_cases", [0, 30])
def test_the_list_runs_a_bounded_number_of_queries(
    world: World, extra_cases: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(extra_cases):
        CaseFactory.create(owner=world.worker, location=world.pp_village)
    client = signed_in(world.worker)

    # The same with 0 or 30 more cases: the page (14) and its reading in the audit trail (4).
    with django_assert_max_num_queries(18):
        answer = client.get("/cases/")

    assert answer.status_code == 200


# --- Registration ----------------------------------------------------------------------------


def test_a_social_worker_registers_a_child_with_her_khmer_name(world: World) -> None:
    answer = signed_in(world.worker).post("/cases/new/", intake(world))

    assert answer.status_code == 302
    case = Case.objects.get(child__given_name_km=GIVEN_KM)
    assert answer["Location"] == f"/cases/{case.pk}/"
    assert case.owner == world.worker
    assert case.child.family.get().name_km == "ច័ន្ទ ធីតា"
    assert [row.concern_id for row in case.concern_rows.all()] == ["labour_trafficking"]


def test_a_form_with_errors_says_where_and_keeps_what_was_typed(world: World) -> None:
    future = (timezone.localdate() + timedelta(days=5)).isoformat()

    answer = signed_in(world.worker).post(
        "/cases/new/", intake(world, date_of_birth=future, estimated_age="", concerns=[])
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "The date of birth cannot be in the future." in page
    assert "Choose at least one concern." in page
    assert GIVEN_KM in page
    assert "Found at a brick kiln." in page
    assert 'aria-invalid="true"' in page
    assert not Child.objects.filter(given_name_km=GIVEN_KM).exists()


def test_a_similar_child_is_shown_before_saving_and_registered_only_when_confirmed(
    world: World,
) -> None:
    client = signed_in(world.worker)
    client.post("/cases/new/", intake(world))

    warned = client.post("/cases/new/", intake(world, given_name="Srey Mum"))

    assert warned.status_code == 200
    assert "This child may already be known" in warned.content.decode()
    assert Case.objects.filter(child__family_name="Chan").count() == 1
    fingerprint = warned.context["fingerprint"]

    confirmed = client.post(
        "/cases/new/", intake(world, given_name="Srey Mum", confirmed=fingerprint)
    )

    assert confirmed.status_code == 302
    assert Case.objects.filter(child__family_name="Chan").count() == 2


def test_finding_a_place_keeps_the_form_and_saves_nothing(world: World) -> None:
    answer = signed_in(world.worker).post(
        "/cases/new/", intake(world, location="", place_q=world.pp_village.name_en, find_place="1")
    )

    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'value="{world.pp_village.pk}"' in page
    assert GIVEN_KM in page
    assert "This field is required." not in page
    assert not Child.objects.filter(given_name_km=GIVEN_KM).exists()


def test_roles_that_do_not_register_children_are_refused_the_form(world: World) -> None:
    assert signed_in(world.agency_admin).get("/cases/new/").status_code == 403
    assert signed_in(world.worker).get("/cases/new/").status_code == 200


# --- Risk, notes and plan ----------------------------------------------------------------------


def test_the_owner_assesses_risk_and_sees_the_result(world: World) -> None:
    client = signed_in(world.worker)
    form = client.get(f"/cases/{world.own_case.pk}/risk/new/")
    instrument = form.context["form"]["instrument"].value()

    answer = client.post(
        f"/cases/{world.own_case.pk}/risk/new/", {"instrument": instrument, **LOW_ANSWERS}
    )

    assessment = RiskAssessment.objects.get(case=world.own_case)
    assert answer["Location"] == f"/cases/{world.own_case.pk}/risk/{assessment.pk}/"
    result = client.get(answer["Location"]).content.decode()
    assert "Low" in result
    assert f"{assessment.score} of {assessment.max_score}" in result


def test_a_high_risk_without_a_safety_plan_is_refused_beside_the_field(world: World) -> None:
    client = signed_in(world.worker)
    instrument = client.get(f"/cases/{world.own_case.pk}/risk/new/").context["form"]["instrument"]
    answers = {**LOW_ANSWERS, "q_confinement": "yes", "q_immediate_danger": "yes"}

    answer = client.post(
        f"/cases/{world.own_case.pk}/risk/new/",
        {"instrument": instrument.value(), "notes": "Locked in at night", **answers},
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "record the immediate safety plan" in page
    assert "Locked in at night" in page
    assert not RiskAssessment.objects.exists()


def test_an_oversight_supervisor_reads_the_risk_but_is_not_offered_to_assess(world: World) -> None:
    client = signed_in(world.dosvy_officer)

    assert client.get(f"/cases/{world.own_case.pk}/risk/").status_code == 200
    assert client.get(f"/cases/{world.own_case.pk}/risk/new/").status_code == 403


def test_a_note_is_added_and_a_blank_one_is_refused_beside_the_field(world: World) -> None:
    client = signed_in(world.worker)
    today = timezone.localdate().isoformat()
    url = f"/cases/{world.own_case.pk}/notes/add/"

    refused = client.post(url, {"kind": "home_visit", "date": today, "text": "   "})
    saved = client.post(url, {"kind": "home_visit", "date": today, "text": "ជួបម្ដាយ"})

    assert refused.status_code == 400
    assert "A note needs some text." in refused.content.decode()
    assert saved.status_code == 302
    assert CaseNote.objects.get(case=world.own_case).text == "ជួបម្ដាយ"


def test_a_plan_is_written_sent_and_approved_by_the_supervisor(world: World) -> None:
    owner, supervisor = signed_in(world.worker), signed_in(world.supervisor)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    case_id = world.own_case.pk

    written = owner.post(
        f"/cases/{case_id}/plan/new/",
        {
            "goals": "1",
            "goal-0-actions": "1",
            "goal-0-description": "Back to school",
            "goal-0-action-0-description": "Enrol her",
            "goal-0-action-0-responsible": world.worker.pk,
            "goal-0-action-0-due_date": due,
        },
    )
    plan = CasePlan.objects.get(case_id=case_id)
    sent = owner.post(f"/cases/{case_id}/plan/{plan.pk}/submit/")
    approved = supervisor.post(f"/cases/{case_id}/plan/{plan.pk}/approve/", {"comment": "Good"})

    assert [written.status_code, sent.status_code, approved.status_code] == [302, 302, 302]
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert "Enrol her" in owner.get(f"/cases/{case_id}/plan/").content.decode()


def test_a_plan_with_an_action_missing_its_date_keeps_the_rows_and_says_where(
    world: World,
) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/plan/new/",
        {
            "goals": "1",
            "goal-0-actions": "1",
            "goal-0-description": "Safe at home",
            "goal-0-action-0-description": "Visit weekly",
            "goal-0-action-0-responsible": world.worker.pk,
        },
    )

    assert answer.status_code == 400
    form = answer.context["form"]
    assert form.errors["goal-0-action-0-due_date"] == ["Give a due date."]
    assert "Visit weekly" in answer.content.decode()
    assert not CasePlan.objects.exists()


def test_rejecting_a_plan_without_a_comment_is_refused_beside_the_comment(world: World) -> None:
    owner, supervisor = signed_in(world.worker), signed_in(world.supervisor)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    case_id = world.own_case.pk
    owner.post(
        f"/cases/{case_id}/plan/new/",
        {
            "goals": "1",
            "goal-0-actions": "1",
            "goal-0-description": "Back to school",
            "goal-0-action-0-description": "Enrol her",
            "goal-0-action-0-responsible": world.worker.pk,
            "goal-0-action-0-due_date": due,
        },
    )
    plan = CasePlan.objects.get(case_id=case_id)
    owner.post(f"/cases/{case_id}/plan/{plan.pk}/submit/")

    answer = supervisor.post(f"/cases/{case_id}/plan/{plan.pk}/reject/", {"comment": ""})

    assert answer.status_code == 400
    assert "Say why the plan is rejected." in answer.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"


# --- Printing ---------------------------------------------------------------------------------


def test_the_printable_summary_shows_the_child_to_the_owner_and_records_the_print(
    world: World,
) -> None:
    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/print/").content.decode()

    assert world.own_case.child.given_name in page
    assert AuditEvent.objects.filter(case_id=world.own_case.pk, action="case.view_print").exists()


def test_adding_a_goal_row_keeps_what_was_typed_and_saves_nothing(world: World) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/plan/new/",
        {
            "goals": "1",
            "goal-0-actions": "1",
            "goal-0-description": "Back to school",
            "add": "goal",
        },
    )

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Back to school" in page
    assert 'name="goal-1-description"' in page
    assert not CasePlan.objects.exists()


def test_a_draft_plan_opens_for_editing_with_its_goals(world: World) -> None:
    client = signed_in(world.worker)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.post(
        f"/cases/{world.own_case.pk}/plan/new/",
        {
            "goals": "1",
            "goal-0-actions": "1",
            "goal-0-description": "Back to school",
            "goal-0-action-0-description": "Enrol her",
            "goal-0-action-0-responsible": world.worker.pk,
            "goal-0-action-0-due_date": due,
        },
    )
    plan = CasePlan.objects.get()

    page = client.get(f"/cases/{world.own_case.pk}/plan/{plan.pk}/edit/").content.decode()

    assert "Back to school" in page
    assert "Enrol her" in page
    assert (
        signed_in(world.other_worker)
        .get(f"/cases/{world.own_case.pk}/plan/{plan.pk}/edit/")
        .status_code
        == 404
    )


def _plan_rows(world: World, goal: str) -> dict[str, object]:
    return {
        "goals": "1",
        "goal-0-actions": "1",
        "goal-0-description": goal,
        "goal-0-action-0-description": "Enrol her",
        "goal-0-action-0-responsible": world.worker.pk,
        "goal-0-action-0-due_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }


def test_a_plan_saved_meanwhile_by_someone_else_is_not_overwritten_from_the_page(
    world: World,
) -> None:
    worker, supervisor = signed_in(world.worker), signed_in(world.supervisor)
    case_id = world.own_case.pk
    worker.post(f"/cases/{case_id}/plan/new/", _plan_rows(world, "Back to school"))
    plan = CasePlan.objects.get()
    url = f"/cases/{case_id}/plan/{plan.pk}/edit/"
    opened = worker.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', opened)
    assert version is not None
    seen = {"version": version.group(1)}
    assert supervisor.post(url, {**_plan_rows(world, "Safe at home"), **seen}).status_code == 302

    stale = worker.post(url, {**_plan_rows(world, "Words of the worker"), **seen})

    assert stale.status_code == 412
    page = stale.content.decode()
    assert "Someone else saved this case" in page
    assert "Words of the worker" in page
    assert [goal.description for goal in PlanGoal.objects.filter(plan=plan)] == ["Safe at home"]
    assert AuditEvent.objects.filter(action="plan.update").count() == 1
    again = worker.post(url, stale.context["form"].data)
    assert again.status_code == 302
    assert [goal.description for goal in PlanGoal.objects.filter(plan=plan)] == [
        "Words of the worker"
    ]


def test_the_place_search_offers_communes_and_villages_by_code(world: World) -> None:
    answer = signed_in(world.worker).get("/cases/places/", {"place_q": world.pp_village.code})

    assert f'value="{world.pp_village.pk}"' in answer.content.decode()
    assert "<html" not in answer.content.decode()
