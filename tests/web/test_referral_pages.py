"""The referral pages through Django's test client: the inbox and outbox, a referral and the
actions its reader may take, making a referral from a case, and the supervisor's queue. The
same reach as the API (404 outside it), the same refusals (403, 409 as a message, 400 beside
the field), and lists whose cost does not grow with their length."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Agency, AgencyService, User
from cases.models import Case, CasePlan, Consent
from cases.services.access import case_set_grants
from referrals import services
from referrals.models import Referral
from tests.conftest import World
from tests.factories import CaseFactory, UserFactory
from tests.web.conftest import signed_in


def consent_to_referral(case: Case) -> None:
    Consent.objects.create(
        case=case,
        given_by="caregiver",
        giver_name="Sok Dara",
        scope=["referral"],
        date=timezone.localdate(),
        recorded_by=case.owner,
    )


def refer(world: World, case: Case | None = None, to: Agency | None = None) -> Referral:
    """The worker refers her case to the other NGO for shelter, with the family's consent."""
    case = case or world.own_case
    consent_to_referral(case)
    return services.referral_create(
        actor=case.owner,
        case=case,
        to_agency=to or world.other_ngo,
        type="service",
        urgency="urgent",
        services=["shelter"],
        reason="Needs a safe place tonight.",
        shared_sections=["profile", "concerns"],
    )


@pytest.fixture
def colleague(world: World) -> User:
    """A social worker of the receiving NGO, to be given the child."""
    return UserFactory.create(username="colleague", agency=world.other_ngo)


def act(user: User, referral: Referral, action: str, **data: Any) -> Any:
    return signed_in(user).post(f"/referrals/{referral.pk}/{action}/", data)


# --- Inbox and outbox ----------------------------------------------------------------------------


def test_the_receiver_sees_the_referral_in_its_inbox_with_a_summary_of_the_child_only(
    world: World,
) -> None:
    referral = refer(world)
    child = world.own_case.child

    page = signed_in(world.other_worker).get("/referrals/").content.decode()

    assert f"/referrals/{referral.pk}/" in page
    assert "From Hope Shelter" in page
    assert child.initials in page
    assert child.given_name not in page
    assert child.given_name_km not in page
    assert world.own_case.case_number not in page


def test_the_sender_sees_it_in_the_outbox_with_the_case_number(world: World) -> None:
    referral = refer(world)
    client = signed_in(world.worker)

    outgoing = client.get("/referrals/?direction=outgoing").content.decode()
    incoming = client.get("/referrals/").content.decode()

    assert f"/referrals/{referral.pk}/" in outgoing
    assert world.own_case.case_number in outgoing
    assert f"/referrals/{referral.pk}/" not in incoming


def test_the_status_filter_narrows_the_list(world: World) -> None:
    referral = refer(world)
    client = signed_in(world.other_worker)

    assert f"/referrals/{referral.pk}/" in client.get("/referrals/?status=sent").content.decode()
    accepted_only = client.get("/referrals/?status=accepted").content.decode()
    assert f"/referrals/{referral.pk}/" not in accepted_only


@pytest.mark.parametrize("persona", ["commune_member", "analyst", "police", "system_admin"])
def test_the_lists_open_empty_for_those_without_referrals(world: World, persona: str) -> None:
    refer(world)
    client = signed_in(getattr(world, persona))

    for direction in ("incoming", "outgoing"):
        answer = client.get(f"/referrals/?direction={direction}")
        assert answer.status_code == 200
        assert "No referrals." in answer.content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_the_same_queries_for_1_and_20_referrals(
    world: World, count: int, django_assert_max_num_queries: Any
) -> None:
    for _number in range(count):
        refer(world, case=CaseFactory.create(owner=world.worker, location=world.pp_village))
    client = signed_in(world.other_worker)

    # The page (11), and its reading in the audit trail (4).
    with django_assert_max_num_queries(15):
        answer = client.get("/referrals/")

    assert answer.content.decode().count('href="/referrals/') >= count


# --- One referral: reach ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teammate", "bmc_worker", "commune_member", "analyst"])
def test_a_referral_outside_the_readers_reach_answers_404(world: World, persona: str) -> None:
    referral = refer(world)
    client = signed_in(getattr(world, persona))

    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_the_receiver_is_offered_accept_and_decline_and_not_cancel(world: World) -> None:
    referral = refer(world)

    page = signed_in(world.other_worker).get(f"/referrals/{referral.pk}/").content.decode()

    assert f'action="/referrals/{referral.pk}/accept/"' in page
    assert f'action="/referrals/{referral.pk}/decline/"' in page
    assert f'action="/referrals/{referral.pk}/cancel/"' not in page
    assert "data-confirm=" in page
    assert world.own_case.child.given_name not in page
    assert f"/cases/{world.own_case.pk}/" not in page  # the case, only once accepted


def test_the_referral_page_speaks_the_readers_language(world: World) -> None:
    referral = refer(world)
    client = signed_in(world.other_worker, language="km")

    page = client.get(f"/referrals/{referral.pk}/").content.decode()

    assert '<html lang="km">' in page
    assert "បានផ្ញើ" in page  # sent
    assert "ជម្រកសុវត្ថិភាព" in page  # the service asked for, in Khmer


def test_the_sender_is_offered_cancel_and_not_accept(world: World) -> None:
    referral = refer(world)

    page = signed_in(world.worker).get(f"/referrals/{referral.pk}/").content.decode()

    assert f'action="/referrals/{referral.pk}/cancel/"' in page
    assert f'action="/referrals/{referral.pk}/accept/"' not in page
    assert world.own_case.case_number in page


def test_the_receiving_agency_admin_reads_it_and_is_offered_no_action(world: World) -> None:
    admin = UserFactory.create(
        username="other_admin", role=Role.AGENCY_ADMIN, agency=world.other_ngo
    )
    referral = refer(world)

    page = signed_in(admin).get(f"/referrals/{referral.pk}/").content.decode()

    assert "Needs a safe place tonight." in page
    assert "/accept/" not in page
    assert "/decline/" not in page


# --- One referral: actions -------------------------------------------------------------------


def test_the_receiver_accepts_giving_the_child_to_a_colleague(
    world: World, colleague: User
) -> None:
    referral = refer(world)

    answer = act(world.other_worker, referral, "accept", assigned_to=colleague.pk)

    assert answer.status_code == 302
    assert answer["Location"] == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to_id) == ("accepted", colleague.pk)
    page = signed_in(colleague).get(f"/referrals/{referral.pk}/").content.decode()
    assert f"/cases/{world.own_case.pk}/" in page
    assert f'action="/referrals/{referral.pk}/complete/"' in page
    assert signed_in(colleague).get(f"/cases/{world.own_case.pk}/").status_code == 200


def test_the_child_cannot_be_given_to_someone_outside_the_receiving_agency(
    world: World,
) -> None:
    referral = refer(world)

    answer = act(world.other_worker, referral, "accept", assigned_to=world.teammate.pk)

    assert answer.status_code == 400
    assert 'id="accept_assigned_to_error"' in answer.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_the_sender_cannot_accept_its_own_referral(world: World, colleague: User) -> None:
    referral = refer(world)

    answer = act(world.worker, referral, "accept", assigned_to=colleague.pk)

    assert answer.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_declining_needs_a_reason_and_keeps_the_referral_until_given(world: World) -> None:
    referral = refer(world)

    refused = act(world.other_worker, referral, "decline", reason="  ")
    assert refused.status_code == 400
    assert "Nothing was saved" in refused.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "sent"

    done = act(world.other_worker, referral, "decline", reason="No bed free this month.")
    assert done.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "No bed free this month.")
    outbox = signed_in(world.worker).get(f"/referrals/{referral.pk}/").content.decode()
    assert "No bed free this month." in outbox


def test_the_sender_cancels_before_acceptance(world: World) -> None:
    referral = refer(world)

    answer = act(world.worker, referral, "cancel", reason="The family found a place.")

    assert answer.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "cancelled"


def test_cancelling_after_acceptance_is_refused_with_a_message(
    world: World, colleague: User
) -> None:
    referral = refer(world)
    services.referral_accept(actor=world.other_worker, referral=referral, assigned_to=colleague)
    client = signed_in(world.worker)

    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'action="/referrals/{referral.pk}/cancel/"' not in page
    answer = client.post(f"/referrals/{referral.pk}/cancel/", {"reason": "Too late"}, follow=True)

    assert answer.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    assert 'class="message error"' in answer.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "accepted"


def test_the_assigned_worker_completes_with_an_outcome(world: World, colleague: User) -> None:
    referral = refer(world)
    services.referral_accept(actor=world.other_worker, referral=referral, assigned_to=colleague)

    missing = act(colleague, referral, "complete", outcome="")
    assert missing.status_code == 400
    done = act(colleague, referral, "complete", outcome="Two weeks in the shelter; back home.")

    assert done.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "completed"
    page = signed_in(colleague).get(f"/referrals/{referral.pk}/").content.decode()
    assert "Two weeks in the shelter; back home." in page
    assert signed_in(colleague).get(f"/cases/{world.own_case.pk}/").status_code == 404


def test_the_supervisor_approves_a_referral_that_waits_for_approval(world: World) -> None:
    Agency.objects.filter(pk=world.ngo.pk).update(requires_referral_approval=True)
    world.worker.refresh_from_db()
    referral = refer(world)
    assert referral.status == "pending_approval"
    assert signed_in(world.other_worker).get(f"/referrals/{referral.pk}/").status_code == 404
    worker_page = signed_in(world.worker).get(f"/referrals/{referral.pk}/").content.decode()
    assert "/approve/" not in worker_page

    page = signed_in(world.supervisor).get(f"/referrals/{referral.pk}/").content.decode()
    assert f'action="/referrals/{referral.pk}/approve/"' in page
    assert act(world.worker, referral, "approve").status_code == 403
    answer = act(world.supervisor, referral, "approve")

    assert answer.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_an_unknown_action_answers_404_and_an_action_is_only_posted(
    world: World,
) -> None:
    referral = refer(world)
    client = signed_in(world.worker)

    assert client.post(f"/referrals/{referral.pk}/delete/").status_code == 404
    assert client.get(f"/referrals/{referral.pk}/cancel/").status_code == 405


# --- Making a referral -----------------------------------------------------------------------


@pytest.fixture
def shelter(world: World) -> Agency:
    """The other NGO offers shelter across Phnom Penh."""
    AgencyService.objects.create(agency=world.other_ngo, service_id="shelter")
    world.other_ngo.coverage.set([world.phnom_penh])
    return world.other_ngo


def referral_form(shelter: Agency, **changes: Any) -> dict[str, Any]:
    data = {
        "services": ["shelter"],
        "to_agency": str(shelter.pk),
        "type": "service",
        "urgency": "urgent",
        "reason": "Needs a safe place tonight.",
        "shared_sections": ["profile", "concerns"],
    }
    data.update(changes)
    return data


def test_the_form_suggests_the_directorys_agencies_for_the_services_chosen(
    world: World, shelter: Agency
) -> None:
    consent_to_referral(world.own_case)
    client = signed_in(world.worker)
    url = f"/referrals/new/?case={world.own_case.pk}"

    page = client.get(url).content.decode()
    assert page.count('name="to_agency"') >= 1
    suggested = client.post(url, {"services": ["shelter"], "suggest": "1"})

    assert suggested.status_code == 200
    content = suggested.content.decode()
    assert f'value="{shelter.pk}"' in content
    assert "Nothing was saved" not in content
    assert 'name="consent_override_reason"' not in content  # the consent is recorded
    assert not Referral.objects.exists()


def test_the_worker_makes_a_referral_through_the_page(world: World, shelter: Agency) -> None:
    consent_to_referral(world.own_case)

    answer = signed_in(world.worker).post(
        f"/referrals/new/?case={world.own_case.pk}", referral_form(shelter)
    )

    referral = Referral.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/referrals/{referral.pk}/"
    assert (referral.to_agency_id, referral.status, referral.services) == (
        shelter.pk,
        "sent",
        ["shelter"],
    )
    assert referral.shared_sections == ["profile", "concerns"]


def test_a_refused_referral_keeps_what_was_typed(world: World, shelter: Agency) -> None:
    consent_to_referral(world.own_case)

    answer = signed_in(world.worker).post(
        f"/referrals/new/?case={world.own_case.pk}",
        referral_form(shelter, reason="", urgency="emergency"),
    )

    content = answer.content.decode()
    assert answer.status_code == 400
    assert "Nothing was saved" in content
    assert f'value="{shelter.pk}" id="id_to_agency_0" required checked' in content
    assert '<option value="emergency" selected>' in content
    assert not Referral.objects.exists()


def test_without_consent_the_worker_must_give_a_reason_that_only_a_supervisor_may_use(
    world: World, shelter: Agency
) -> None:
    url = f"/referrals/new/?case={world.own_case.pk}"
    page = signed_in(world.worker).get(url).content.decode()
    assert 'name="consent_override_reason"' in page

    missing = signed_in(world.worker).post(url, referral_form(shelter))
    assert missing.status_code == 400
    assert "No recorded consent covers referral" in missing.content.decode()
    by_worker = signed_in(world.worker).post(
        url, referral_form(shelter, consent_override_reason="Child in danger tonight.")
    )
    assert by_worker.status_code == 403
    by_supervisor = signed_in(world.supervisor).post(
        url, referral_form(shelter, consent_override_reason="Child in danger tonight.")
    )

    assert by_supervisor.status_code == 302
    assert Referral.objects.get().consent_override_reason == "Child in danger tonight."


def test_a_second_live_referral_to_the_same_agency_is_refused_on_the_form(
    world: World, shelter: Agency
) -> None:
    refer(world, to=shelter)

    answer = signed_in(world.worker).post(
        f"/referrals/new/?case={world.own_case.pk}", referral_form(shelter)
    )

    assert answer.status_code == 400
    assert "already referred to this agency" in answer.content.decode()
    assert Referral.objects.count() == 1


def test_making_a_referral_answers_404_outside_reach_and_403_without_the_right(
    world: World,
) -> None:
    url = f"/referrals/new/?case={world.own_case.pk}"

    assert signed_in(world.other_worker).get(url).status_code == 404
    assert signed_in(world.agency_admin).get(url).status_code == 403
    assert signed_in(world.worker).get("/referrals/new/").status_code == 404


# --- The supervisor's queue ------------------------------------------------------------------


def test_the_supervisor_queue_shows_what_waits_for_them(world: World) -> None:
    Agency.objects.filter(pk=world.ngo.pk).update(requires_referral_approval=True)
    world.worker.refresh_from_db()
    to_approve = refer(world)
    incoming = refer(world, case=world.other_agency_case, to=world.ngo)
    late = refer(world, case=world.other_agency_case, to=world.dosvy_pp)
    Referral.objects.filter(pk=late.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    Referral.objects.filter(pk=incoming.pk).update(respond_by=timezone.now() - timedelta(hours=2))
    CasePlan.objects.create(
        case=world.teammates_case,
        status="submitted",
        created_by=world.teammate,
        submitted_by=world.teammate,
        submitted_at=timezone.now(),
    )
    Case.objects.filter(pk=world.own_case.pk).update(
        closure_reason="reintegrated",
        closure_requested_by=world.worker,
        closure_requested_at=timezone.now(),
    )

    page = signed_in(world.supervisor).get("/referrals/queue/").content.decode()

    assert f"/referrals/{to_approve.pk}/" in page
    assert page.count(f"/referrals/{incoming.pk}/") == 2  # to answer, and overdue
    assert f"/referrals/{late.pk}/" not in page  # between two other agencies
    assert f"/cases/{world.teammates_case.pk}/plan/" in page
    assert f'/cases/{world.own_case.pk}/"' in page
    assert world.own_case.child.given_name not in page


def test_the_queue_is_for_supervisors_and_agency_admins(world: World) -> None:
    assert signed_in(world.worker).get("/referrals/queue/").status_code == 403
    assert signed_in(world.agency_admin).get("/referrals/queue/").status_code == 200


def test_the_case_file_lists_the_referrals_of_the_case_for_its_owner(world: World) -> None:
    referral = refer(world, case=world.own_case, to=world.other_ngo)
    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/referrals/")

    assert page.status_code == 200
    assert f"/referrals/{referral.pk}/" in page.content.decode()
    assert f"/referrals/new/?case={world.own_case.pk}" in page.content.decode()


def test_the_referrals_tab_is_not_open_to_a_grant_holder_with_a_section_only(
    world: World,
) -> None:
    case_set_grants(
        actor=world.worker,
        case=world.own_case,
        grantee=world.other_worker,
        sections={"profile"},
        contribute=False,
        reason="referral",
    )

    page = signed_in(world.other_worker).get(f"/cases/{world.own_case.pk}/referrals/")

    assert page.status_code == 403
