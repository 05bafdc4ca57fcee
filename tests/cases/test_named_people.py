"""Who is named on a restricted case, and who says so: its owner and her supervisor once named
add and remove the people the work needs; nobody else can, and only people who handle cases can
be named. Each change is in the audit trail, and a person taken off finds the case missing."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role
from audit.models import AuditEvent
from cases.models import CaseNamedUser
from tests.conftest import World, api_client
from tests.factories import UserFactory


def _url(world: World, user_id: int | None = None) -> str:
    base = f"/api/v1/cases/{world.restricted_case.pk}/named-people/"
    return base if user_id is None else f"{base}{user_id}/"


def test_the_owner_names_her_supervisor_who_then_sees_and_approves_on_the_case(
    world: World,
) -> None:
    case_url = f"/api/v1/cases/{world.restricted_case.pk}/"
    assert api_client(world.supervisor).get(case_url).status_code == 404
    named = api_client(world.worker).post(_url(world), {"user": world.supervisor.pk})
    assert named.status_code == 201, named.content
    assert named.json()["user"] == world.supervisor.pk
    assert named.json()["named_by"] == world.worker.pk
    answer = api_client(world.supervisor).get(case_url)
    assert answer.status_code == 200
    assert answer.json()["access"]["approve"] is True
    event = AuditEvent.objects.get(action="case.name_person")
    assert (event.case_id, event.changes) == (
        world.restricted_case.pk,
        {"named": world.supervisor.pk},
    )


def test_the_list_of_named_people_is_for_those_who_see_the_case(world: World) -> None:
    listed = api_client(world.worker).get(_url(world))
    assert listed.status_code == 200
    assert [row["user"] for row in listed.json()] == [world.worker.pk]
    for outsider in (world.supervisor, world.agency_admin, world.dosvy_officer):
        assert api_client(outsider).get(_url(world)).status_code == 404


def test_people_who_never_handle_cases_cannot_be_named(world: World) -> None:
    for person in (world.agency_admin, world.analyst, world.commune_member, world.system_admin):
        answer = api_client(world.worker).post(_url(world), {"user": person.pk})
        assert answer.status_code == 400, person.role
        assert "user" in answer.json()
    stranger = api_client(world.worker).post(_url(world), {"user": world.other_worker.pk})
    assert stranger.status_code == 400
    assert list(
        CaseNamedUser.objects.filter(case=world.restricted_case).values_list("user_id", flat=True)
    ) == [world.worker.pk]


def test_the_office_overseeing_the_place_can_be_named(world: World) -> None:
    answer = api_client(world.worker).post(_url(world), {"user": world.dosvy_officer.pk})
    assert answer.status_code == 201
    far_office = api_client(world.worker).post(_url(world), {"user": world.bmc_worker.pk})
    assert far_office.status_code == 400


def test_only_a_named_manager_of_the_case_changes_its_names(world: World) -> None:
    colleague = UserFactory.create(
        username="colleague", agency=world.ngo, supervisor=world.supervisor
    )
    api_client(world.worker).post(_url(world), {"user": colleague.pk})
    # A named colleague sees the case but manages nothing on it.
    refused = api_client(colleague).post(_url(world), {"user": world.teammate.pk})
    assert refused.status_code == 403
    removed = api_client(colleague).delete(_url(world, world.worker.pk))
    assert removed.status_code == 403


def test_a_person_taken_off_the_case_finds_it_missing(world: World) -> None:
    api_client(world.worker).post(_url(world), {"user": world.teammate.pk})
    case_url = f"/api/v1/cases/{world.restricted_case.pk}/"
    assert api_client(world.teammate).get(case_url).status_code == 200
    assert api_client(world.worker).delete(_url(world, world.teammate.pk)).status_code == 204
    assert api_client(world.teammate).get(case_url).status_code == 404
    assert AuditEvent.objects.filter(
        action="case.unname_person", changes={"unnamed": world.teammate.pk}
    ).exists()


def test_the_owner_stays_named(world: World) -> None:
    api_client(world.worker).post(_url(world), {"user": world.supervisor.pk})
    answer = api_client(world.supervisor).delete(_url(world, world.worker.pk))
    assert answer.status_code == 409
    assert CaseNamedUser.objects.filter(case=world.restricted_case, user=world.worker).exists()


def test_an_unrestricted_case_has_no_names_to_change(world: World) -> None:
    url = f"/api/v1/cases/{world.own_case.pk}/named-people/"
    assert api_client(world.worker).post(url, {"user": world.teammate.pk}).status_code == 409


def test_unknown_people_are_a_clear_error(world: World) -> None:
    assert api_client(world.worker).post(_url(world), {"user": 999999}).status_code == 400
    assert api_client(world.worker).delete(_url(world, 999999)).status_code == 404
    unnamed = UserFactory.create(username="unnamed", agency=world.ngo, role=Role.SOCIAL_WORKER)
    assert api_client(world.worker).delete(_url(world, unnamed.pk)).status_code == 400


# --- The page ----------------------------------------------------------------------------------


def test_the_owner_names_and_takes_off_a_colleague_on_the_page(world: World, client: Any) -> None:
    page = f"/cases/{world.restricted_case.pk}/named/"
    client.force_login(world.worker)
    assert page in client.get(f"/cases/{world.restricted_case.pk}/").content.decode()
    shown = client.get(page).content.decode()
    assert world.supervisor.full_name in shown  # offered: the owner's agency
    assert world.other_worker.full_name not in shown  # another agency: not offered
    assert client.post(page, {"user": world.supervisor.pk}).status_code == 302
    assert CaseNamedUser.objects.filter(case=world.restricted_case, user=world.supervisor).exists()
    assert client.post(page, {"remove": world.supervisor.pk}).status_code == 302
    assert not CaseNamedUser.objects.filter(
        case=world.restricted_case, user=world.supervisor
    ).exists()
    assert client.post(page, {"user": world.other_worker.pk}).status_code == 400
    assert client.post(page, {"remove": "²"}).status_code == 404


def test_the_page_is_missing_to_the_unnamed_and_for_unrestricted_cases(
    world: World, client: Any
) -> None:
    client.force_login(world.supervisor)
    assert client.get(f"/cases/{world.restricted_case.pk}/named/").status_code == 404
    client.force_login(world.worker)
    assert client.get(f"/cases/{world.own_case.pk}/named/").status_code == 404


def test_a_named_colleague_reads_the_page_without_the_forms(world: World, client: Any) -> None:
    api_client(world.worker).post(_url(world), {"user": world.teammate.pk})
    client.force_login(world.teammate)
    page = f"/cases/{world.restricted_case.pk}/named/"
    shown = client.get(page).content.decode()
    assert world.worker.full_name in shown
    assert 'name="remove"' not in shown
    assert client.post(page, {"user": world.supervisor.pk}).status_code == 403
