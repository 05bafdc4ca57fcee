"""The case file's forms through Django's test client: placements and reintegration, services,
consent, editing the case, assignment and closure. Each works for the people the services allow,
answers 403 or 404 to the others, and keeps what was typed when it is refused."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Case, CaseService, Consent
from cases.services.access import case_set_grants
from reintegration.models import FollowUp, Placement, Reintegration
from tests.conftest import World
from tests.factories import CaseFactory
from tests.reintegration.helpers import family_placement, months_ago, reintegrate
from tests.web.conftest import signed_in


def days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


# --- Placements and reintegration ---------------------------------------------------------------


def test_the_owner_records_placements_and_a_reintegration_whose_visits_link_to_follow_ups(
    world: World,
) -> None:
    client = signed_in(world.worker)
    case_id = world.own_case.pk

    shelter = client.post(
        f"/cases/{case_id}/placements/add/",
        {
            "type": "shelter",
            "start_date": days_ago(120),
            "caregiver": "Hope Shelter",
            "agency": world.ngo.pk,
        },
    )
    home = client.post(
        f"/cases/{case_id}/placements/add/",
        {
            "type": "parents",
            "start_date": days_ago(10),
            "location": world.pp_village.pk,
            "caregiver": "ម្ដាយ Sokha",
        },
    )
    family = Placement.objects.get(case_id=case_id, type="parents")
    returned = client.post(
        f"/cases/{case_id}/reintegrations/add/",
        {
            "placement": family.pk,
            "date": days_ago(10),
            "follow_up_worker": world.worker.pk,
            "commune_focal_point": world.commune_member.pk,
            "readiness_assessment": "Ready",
        },
    )

    assert [shelter.status_code, home.status_code, returned.status_code] == [302, 302, 302]
    assert returned["Location"] == f"/cases/{case_id}/placements/"
    assert Placement.objects.get(case_id=case_id, type="shelter").end_date == family.start_date
    reintegration = Reintegration.objects.get(case_id=case_id)
    assert reintegration.commune_focal_point == world.commune_member
    page = client.get(f"/cases/{case_id}/placements/").content.decode()
    assert "The reintegration is recorded" in page
    for visit in FollowUp.objects.filter(reintegration=reintegration):
        assert f'href="/follow-ups/{visit.pk}/"' in page


def test_residential_care_without_gatekeeping_is_refused_beside_the_fields_keeping_the_input(
    world: World,
) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/placements/add/",
        {
            "type": "residential_care",
            "start_date": days_ago(3),
            "caregiver": "Sunrise Home",
            "gatekeeping_reason": "No relative can take her",
        },
    )

    assert answer.status_code == 400
    form = answer.context["placement_form"]
    assert form.errors["gatekeeping_alternatives"] == ["Required for residential care."]
    assert form.errors["gatekeeping_approved_by"] == ["Required for residential care."]
    page = answer.content.decode()
    assert "Sunrise Home" in page
    assert "No relative can take her" in page
    assert not Placement.objects.exists()


def test_residential_care_approved_by_the_supervisor_is_recorded(world: World) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/placements/add/",
        {
            "type": "residential_care",
            "start_date": days_ago(3),
            "caregiver": "Sunrise Home",
            "gatekeeping_reason": "No relative can take her",
            "gatekeeping_alternatives": "Kinship care with the aunt: refused",
            "gatekeeping_approved_by": world.supervisor.pk,
        },
    )

    assert answer.status_code == 302
    placement = Placement.objects.get(case=world.own_case)
    assert placement.gatekeeping_approved_by == world.supervisor


def test_the_services_refusal_of_a_placement_is_shown_beside_its_field(world: World) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/placements/add/",
        {
            "type": "kinship",
            "start_date": days_ago(3),
            "end_date": days_ago(30),
            "caregiver": "Aunt Chanthou",
        },
    )

    assert answer.status_code == 400
    assert answer.context["placement_form"].errors["end_date"] == [
        "The end date is before the start date."
    ]
    assert "Aunt Chanthou" in answer.content.decode()
    assert not Placement.objects.exists()


def test_finding_the_place_of_a_placement_keeps_the_form_and_saves_nothing(world: World) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/placements/add/",
        {
            "type": "parents",
            "start_date": days_ago(3),
            "caregiver": "ម្ដាយ Sokha",
            "place_q": world.pp_village.code,
            "find_place": "1",
        },
    )

    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'value="{world.pp_village.pk}"' in page
    assert "ម្ដាយ Sokha" in page
    assert "This field is required." not in page
    assert not Placement.objects.exists()


def test_a_reintegration_before_the_family_placement_is_refused_beside_the_date(
    world: World,
) -> None:
    home = family_placement(world, world.own_case, on=months_ago(1))

    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/reintegrations/add/",
        {
            "placement": home.pk,
            "date": months_ago(2).isoformat(),
            "follow_up_worker": world.worker.pk,
            "family_assessment": "The mother is ready",
        },
    )

    assert answer.status_code == 400
    assert "on or after the family placement begins" in str(
        answer.context["reintegration_form"].errors["date"]
    )
    assert "The mother is ready" in answer.content.decode()
    assert not Reintegration.objects.exists()


@pytest.mark.parametrize("path", ["placements/add/", "reintegrations/add/"])
def test_placements_are_recorded_only_by_those_who_manage_the_case(world: World, path: str) -> None:
    body = {"type": "parents", "start_date": days_ago(3)}

    oversight = signed_in(world.dosvy_officer).post(f"/cases/{world.own_case.pk}/{path}", body)
    stranger = signed_in(world.other_worker).post(f"/cases/{world.own_case.pk}/{path}", body)

    assert oversight.status_code == 403
    assert stranger.status_code == 404
    assert not Placement.objects.exists()


def test_the_oversight_supervisor_reads_the_placements_without_the_forms(world: World) -> None:
    reintegrate(world, on=months_ago(2), case=world.own_case)

    answer = signed_in(world.dosvy_officer).get(f"/cases/{world.own_case.pk}/placements/")

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "ម្ដាយ Sokha" in page
    assert "Record a placement" not in page


def test_a_follow_up_worker_of_another_agency_gets_the_tab_and_nothing_of_the_notes(
    world: World,
) -> None:
    reintegrate(world, on=months_ago(2), case=world.own_case, follow_up_worker=world.other_worker)
    client = signed_in(world.other_worker)

    answer = client.get(f"/cases/{world.own_case.pk}/placements/")

    assert answer.status_code == 200
    # Custody transfers belong to the placements section, as in the API.
    assert [tab.slug for tab in answer.context["tabs"]] == ["profile", "placements", "custody"]
    assert "Record a reintegration" not in answer.content.decode()
    assert client.get(f"/cases/{world.own_case.pk}/notes/").status_code == 403


def test_a_reader_given_the_follow_ups_alone_sees_the_visits_and_no_placement(
    world: World,
) -> None:
    reintegration = reintegrate(world, on=months_ago(2), case=world.own_case)
    case_set_grants(
        actor=world.worker,
        case=world.own_case,
        grantee=world.other_worker,
        sections=["follow_ups"],
        contribute=False,
        reason="referral",
    )

    answer = signed_in(world.other_worker).get(f"/cases/{world.own_case.pk}/placements/")

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "ម្ដាយ Sokha" not in page
    for visit in FollowUp.objects.filter(reintegration=reintegration):
        assert f'href="/follow-ups/{visit.pk}/"' in page


def test_the_agency_admin_has_no_placements_tab(world: World) -> None:
    client = signed_in(world.agency_admin)

    assert client.get(f"/cases/{world.own_case.pk}/placements/").status_code == 403


@pytest.mark.parametrize("returns", [1, 3])
def test_the_placements_tab_runs_a_bounded_number_of_queries(
    world: World, returns: int, django_assert_max_num_queries: Any
) -> None:
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    for number in range(returns):
        reintegrate(world, on=months_ago(30 - 8 * number), case=case)
    client = signed_in(world.worker)

    with django_assert_max_num_queries(46):  # the same with one return or three
        answer = client.get(f"/cases/{case.pk}/placements/")

    assert answer.status_code == 200


# --- Services -----------------------------------------------------------------------------------


def test_the_owner_records_a_service_and_changes_its_status(world: World) -> None:
    client = signed_in(world.worker)
    case_id = world.own_case.pk

    added = client.post(
        f"/cases/{case_id}/services/add/",
        {
            "service": "shelter",
            "status": "planned",
            "start_date": days_ago(2),
            "notes": "Two weeks",
        },
    )
    record = CaseService.objects.get(case_id=case_id)
    changed = client.post(
        f"/cases/{case_id}/services/{record.pk}/status/",
        {f"service-{record.pk}-status": "delivered"},
    )

    assert [added.status_code, changed.status_code] == [302, 302]
    record.refresh_from_db()
    assert record.status == "delivered"
    assert "The service is updated." in client.get(f"/cases/{case_id}/services/").content.decode()


def test_the_printable_summary_shows_services_consent_and_placements_without_forms(
    world: World,
) -> None:
    CaseService.objects.create(
        case=world.own_case, service_id="shelter", agency=world.ngo, recorded_by=world.worker
    )
    reintegrate(world, on=months_ago(2), case=world.own_case)

    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/print/").content.decode()

    assert "ម្ដាយ Sokha" in page
    assert "Visit 1" in page
    assert re.search(r'href="/follow-ups/\d', page) is None  # a visit's page is not for paper
    assert "Record a placement" not in page

    assert "Change the status" not in page
    assert "Record a service" not in page
    assert "Record a consent" not in page
    assert '<form method="post" action="/cases/' not in page


def test_a_service_ending_before_it_starts_is_refused_beside_the_end_date(world: World) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/services/add/",
        {
            "service": "shelter",
            "status": "planned",
            "start_date": days_ago(2),
            "end_date": days_ago(9),
            "notes": "Two weeks at the shelter",
        },
    )

    assert answer.status_code == 400
    assert answer.context["service_form"].errors["end_date"] == [
        "The end date is before the start date."
    ]
    assert "Two weeks at the shelter" in answer.content.decode()
    assert not CaseService.objects.exists()


def test_services_are_changed_only_by_those_who_may(world: World) -> None:
    record = CaseService.objects.create(
        case=world.own_case, service_id="shelter", agency=world.ngo, recorded_by=world.worker
    )
    url = f"/cases/{world.own_case.pk}/services/{record.pk}/status/"
    body = {f"service-{record.pk}-status": "cancelled"}

    assert signed_in(world.dosvy_officer).post(url, body).status_code == 403
    assert signed_in(world.other_worker).post(url, body).status_code == 404
    assert (
        signed_in(world.other_worker)
        .post(f"/cases/{world.own_case.pk}/services/add/", {"service": "shelter"})
        .status_code
        == 404
    )
    record.refresh_from_db()
    assert record.status == "planned"


# --- Consent ------------------------------------------------------------------------------------


def test_the_owner_records_a_consent_and_withdraws_it(world: World) -> None:
    client = signed_in(world.worker)
    case_id = world.own_case.pk

    recorded = client.post(
        f"/cases/{case_id}/consent/add/",
        {
            "given_by": "caregiver",
            "giver_name": "ម្ដាយ",
            "scope": ["referral", "services"],
            "date": days_ago(5),
        },
    )
    consent = Consent.objects.get(case_id=case_id)
    withdrawn = client.post(f"/cases/{case_id}/consent/{consent.pk}/withdraw/")
    again = client.post(f"/cases/{case_id}/consent/{consent.pk}/withdraw/")

    assert [recorded.status_code, withdrawn.status_code, again.status_code] == [302, 302, 302]
    consent.refresh_from_db()
    assert consent.scope == ["referral", "services"]
    assert consent.withdrawn_on == timezone.localdate()
    page = client.get(f"/cases/{case_id}/consent/").content.decode()
    assert "This consent is already withdrawn." in page


def test_a_consent_naming_nothing_is_refused_and_keeps_the_name(world: World) -> None:
    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/consent/add/",
        {
            "given_by": "caregiver",
            "giver_name": "ច័ន្ទ ធីតា",
            "date": days_ago(5),
        },
    )

    assert answer.status_code == 400
    assert answer.context["consent_form"].errors["scope"] == [
        "Name at least one thing consented to."
    ]
    assert "ច័ន្ទ ធីតា" in answer.content.decode()
    assert not Consent.objects.exists()


def test_a_withdrawal_dated_in_the_future_is_refused_beside_its_date(world: World) -> None:
    consent = Consent.objects.create(
        case=world.own_case,
        given_by="child",
        scope=["referral"],
        date=timezone.localdate(),
        recorded_by=world.worker,
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    answer = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/consent/{consent.pk}/withdraw/",
        {f"consent-{consent.pk}-date": tomorrow},
    )

    assert answer.status_code == 400
    assert "This date is in the future." in answer.content.decode()
    consent.refresh_from_db()
    assert not consent.withdrawn


def test_consent_is_recorded_and_withdrawn_only_by_those_who_manage_the_case(
    world: World,
) -> None:
    consent = Consent.objects.create(
        case=world.own_case,
        given_by="child",
        scope=["referral"],
        date=timezone.localdate(),
        recorded_by=world.worker,
    )
    body = {"given_by": "child", "scope": ["referral"], "date": days_ago(1)}
    withdraw = f"/cases/{world.own_case.pk}/consent/{consent.pk}/withdraw/"

    assert signed_in(world.dosvy_officer).post(withdraw).status_code == 403
    assert signed_in(world.other_worker).post(withdraw).status_code == 404
    add = f"/cases/{world.own_case.pk}/consent/add/"
    assert signed_in(world.dosvy_officer).post(add, body).status_code == 403
    consent.refresh_from_db()
    assert not consent.withdrawn
    assert Consent.objects.count() == 1


# --- Editing the case and its child -------------------------------------------------------------


def edit_form(client: Any, case_id: int) -> dict[str, Any]:
    """The edit form as the page fills it, ready to post back."""
    form = client.get(f"/cases/{case_id}/edit/").context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value if isinstance(value, list) else "on" if value is True else str(value)
    return data


def test_the_owner_corrects_the_childs_name_and_moves_the_stage(world: World) -> None:
    client = signed_in(world.worker)
    case = world.own_case
    data = edit_form(client, case.pk)

    answer = client.post(
        f"/cases/{case.pk}/edit/",
        {
            **data,
            "given_name_km": "ស្រីនាង",
            "concerns": ["labour_trafficking"],
            "stage": "assessment",
        },
    )

    assert answer.status_code == 302
    case.refresh_from_db()
    case.child.refresh_from_db()
    assert case.child.given_name_km == "ស្រីនាង"
    assert case.stage == "assessment"
    assert [row.concern_id for row in case.concern_rows.all()] == ["labour_trafficking"]


def test_an_edit_refused_by_the_childs_rules_keeps_what_was_typed(world: World) -> None:
    client = signed_in(world.worker)
    data = edit_form(client, world.own_case.pk)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    answer = client.post(
        f"/cases/{world.own_case.pk}/edit/",
        {
            **data,
            "date_of_birth": future,
            "estimated_age": "",
            "summary": "Seen at the market",
            "concerns": ["labour_trafficking"],
        },
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "The date of birth cannot be in the future." in page
    assert "Seen at the market" in page
    world.own_case.refresh_from_db()
    assert world.own_case.summary == ""


def test_an_edit_of_a_case_changed_meanwhile_is_refused_and_keeps_the_input(
    world: World,
) -> None:
    client = signed_in(world.worker)
    data = edit_form(client, world.own_case.pk)
    signed_in(world.supervisor).post(
        f"/cases/{world.own_case.pk}/edit/",
        {
            **data,
            "summary": "Words of the supervisor",
            "concerns": ["labour_trafficking"],
        },
    )

    stale = client.post(
        f"/cases/{world.own_case.pk}/edit/",
        {
            **data,
            "summary": "Words of the worker",
            "concerns": ["labour_trafficking"],
        },
    )

    assert stale.status_code == 412
    page = stale.content.decode()
    assert "Someone else saved this case" in page
    assert "Words of the worker" in page
    world.own_case.refresh_from_db()
    assert world.own_case.summary == "Words of the supervisor"
    again = client.post(f"/cases/{world.own_case.pk}/edit/", stale.context["form"].data)
    assert again.status_code == 302


def test_the_edit_page_is_for_those_who_manage_the_case(world: World) -> None:
    url = f"/cases/{world.own_case.pk}/edit/"

    assert signed_in(world.dosvy_officer).get(url).status_code == 403
    assert signed_in(world.other_worker).get(url).status_code == 404
    assert signed_in(world.supervisor).get(url).status_code == 200


# --- Assignment, closure, reopening -------------------------------------------------------------


def act(client: Any, case_id: int, action: str, **data: Any) -> Any:
    """Posts an action on the case as it is now (its current version)."""
    version = Case.objects.get(pk=case_id).version
    return client.post(f"/cases/{case_id}/do/{action}/", {"version": version, **data})


def test_the_supervisor_gives_the_case_to_a_teammate(world: World) -> None:
    answer = act(signed_in(world.supervisor), world.own_case.pk, "assign", owner=world.teammate.pk)

    assert answer.status_code == 302
    world.own_case.refresh_from_db()
    assert world.own_case.owner == world.teammate


def test_assigning_to_someone_outside_the_agency_is_refused_beside_the_field(world: World) -> None:
    answer = act(
        signed_in(world.supervisor), world.own_case.pk, "assign", owner=world.other_worker.pk
    )

    assert answer.status_code == 400
    assert answer.context["assign_form"].errors["owner"]
    world.own_case.refresh_from_db()
    assert world.own_case.owner == world.worker


def test_only_those_who_assign_are_offered_and_allowed_to(world: World) -> None:
    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/").content.decode()

    assert "Give the case to another worker" not in page
    assert (
        act(
            signed_in(world.worker), world.own_case.pk, "assign", owner=world.teammate.pk
        ).status_code
        == 403
    )
    assert (
        act(
            signed_in(world.other_worker), world.own_case.pk, "assign", owner=world.teammate.pk
        ).status_code
        == 404
    )
    assert "Give the case to another worker" in (
        signed_in(world.agency_admin).get(f"/cases/{world.own_case.pk}/").content.decode()
    )


def test_closure_is_asked_for_refused_asked_again_approved_and_the_case_reopened(
    world: World,
) -> None:
    owner, supervisor = signed_in(world.worker), signed_in(world.supervisor)
    case_id = world.own_case.pk

    asked = act(owner, case_id, "close", reason="reintegrated", note="Home and at school")
    refused_without_comment = act(supervisor, case_id, "reject-closure", comment="")
    refused = act(supervisor, case_id, "reject-closure", comment="One more visit first")
    asked_again = act(owner, case_id, "close", reason="reintegrated")
    approved = act(supervisor, case_id, "approve-closure")
    reopened_without_reason = act(owner, case_id, "reopen", reason=" ")
    reopened = act(owner, case_id, "reopen", reason="Back on the street")

    assert asked.status_code == 302
    assert refused_without_comment.status_code == 400
    assert "Say why the closure is refused." in refused_without_comment.content.decode()
    assert [refused.status_code, asked_again.status_code, approved.status_code] == [302] * 3
    assert reopened_without_reason.status_code == 400
    assert "Say why the case is reopened." in reopened_without_reason.content.decode()
    assert reopened.status_code == 302
    world.own_case.refresh_from_db()
    assert (world.own_case.status, world.own_case.stage) == ("open", "assessment")


def test_the_owner_cannot_decide_her_own_closure_request(world: World) -> None:
    owner = signed_in(world.worker)
    act(owner, world.own_case.pk, "close", reason="reintegrated")

    assert act(owner, world.own_case.pk, "approve-closure").status_code == 403
    world.own_case.refresh_from_db()
    assert world.own_case.status == "open"


def test_an_action_on_a_case_changed_meanwhile_is_refused_with_a_message(world: World) -> None:
    seen = world.own_case.version
    act(signed_in(world.worker), world.own_case.pk, "close", reason="reintegrated")

    answer = signed_in(world.supervisor).post(
        f"/cases/{world.own_case.pk}/do/assign/",
        {"version": seen, "owner": world.teammate.pk},
        follow=True,
    )

    assert "Someone else saved this case" in answer.content.decode()
    world.own_case.refresh_from_db()
    assert world.own_case.owner == world.worker


def test_while_visits_run_the_owner_is_told_only_the_supervisor_closes(world: World) -> None:
    reintegrate(world, on=months_ago(1), case=world.own_case)

    owner_page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/").content.decode()
    closed = act(signed_in(world.supervisor), world.own_case.pk, "close", reason="reintegrated")

    assert "Ask for closure" not in owner_page
    assert "only the owner's supervisor can close the case now" in owner_page
    assert closed.status_code == 302
    world.own_case.refresh_from_db()
    assert world.own_case.status == "closed"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("services/add/", {"service": "shelter"}),
        ("consent/add/", {"given_by": "child", "scope": ["referral"]}),
        ("edit/", {"summary": "x"}),
        ("do/close/", {"reason": "reintegrated"}),
        ("do/approve-closure/", {}),
        ("do/reopen/", {"reason": "x"}),
    ],
)
def test_each_form_answers_403_to_a_reader_who_may_not_and_404_to_a_stranger(
    world: World, path: str, body: dict[str, Any]
) -> None:
    version = {"version": world.own_case.version}
    url = f"/cases/{world.own_case.pk}/{path}"

    assert signed_in(world.dosvy_officer).post(url, {**body, **version}).status_code == 403
    assert signed_in(world.other_worker).post(url, {**body, **version}).status_code == 404
    assert not CaseService.objects.exists()
    assert not Consent.objects.exists()
    world.own_case.refresh_from_db()
    assert (world.own_case.status, world.own_case.summary) == ("open", "")
    assert world.own_case.closure_requested_at is None
