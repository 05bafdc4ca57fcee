"""People: who may list, read, create and edit whom, what a bad request gets, what is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Agency, User
from audit.models import AuditEvent
from tests.conftest import World, api_client
from tests.factories import PASSWORD, UserFactory

USERS_URL = "/api/v1/users/"
ME_FIELDS = {"id", "username", "full_name", "agency", "role", "location", "supervisor"}
NEW_PASSWORD = "a long and unusual passphrase"


def _detail(user: User) -> str:
    return f"{USERS_URL}{user.pk}/"


def _new_user(world: World, **overrides: Any) -> dict[str, Any]:
    """A valid creation request for a social worker of the worker's NGO."""
    return {
        "username": "new_worker",
        "password": NEW_PASSWORD,
        "full_name": "Sok Dara",
        "email": "dara@example.org",
        "agency": world.ngo.pk,
        "role": Role.SOCIAL_WORKER,
        "location": world.phnom_penh.pk,
        "supervisor": world.supervisor.pk,
    } | overrides


def _usernames(response: Any) -> set[str]:
    return {row["username"] for row in response.json()["results"]}


# --- Me ----------------------------------------------------------------------------------------


def test_me_returns_the_contract_fields(world: World) -> None:
    response = api_client(world.worker).get(f"{USERS_URL}me/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= ME_FIELDS
    assert body["id"] == world.worker.pk
    assert body["username"] == "worker"
    assert body["agency"] == world.ngo.pk
    assert body["role"] == Role.SOCIAL_WORKER
    assert body["supervisor"] == world.supervisor.pk
    assert body["location"] is None
    assert "password" not in body


# --- System admin ------------------------------------------------------------------------------


def test_system_admin_lists_every_user(world: World) -> None:
    response = api_client(world.system_admin).get(USERS_URL, {"page_size": 200})

    assert response.status_code == 200
    assert _usernames(response) == set(User.objects.values_list("username", flat=True))
    assert set(response.json()) >= {"results", "next", "previous"}


def test_system_admin_creates_a_user_with_agency_location_and_supervisor_by_id(
    world: World,
) -> None:
    response = api_client(world.system_admin).post(USERS_URL, _new_user(world), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= ME_FIELDS
    assert "password" not in body
    assert body["agency"] == world.ngo.pk
    assert body["location"] == world.phnom_penh.pk
    assert body["supervisor"] == world.supervisor.pk
    created = User.objects.get(username="new_worker")
    assert created.pk == body["id"]
    assert created.full_name == "Sok Dara"
    assert created.check_password(NEW_PASSWORD)
    assert not created.is_staff


def test_system_admin_creates_another_system_admin_without_an_agency(world: World) -> None:
    request = _new_user(
        world, username="admin2", role=Role.SYSTEM_ADMIN, agency=None, supervisor=None
    )

    response = api_client(world.system_admin).post(USERS_URL, request, format="json")

    assert response.status_code == 201, response.content
    assert User.objects.get(username="admin2").role == Role.SYSTEM_ADMIN


def test_system_admin_can_edit_a_user(world: World) -> None:
    response = api_client(world.system_admin).patch(
        _detail(world.other_worker),
        {"full_name": "ស្រី មុំ", "role": Role.SUPERVISOR, "location": world.phnom_penh.pk},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "ស្រី មុំ"
    world.other_worker.refresh_from_db()
    assert world.other_worker.role == Role.SUPERVISOR
    assert world.other_worker.location == world.phnom_penh
    assert world.other_worker.full_name == "ស្រី មុំ"


def test_nobody_changes_their_own_role(world: World) -> None:
    response = api_client(world.system_admin).patch(
        _detail(world.system_admin), {"role": Role.SOCIAL_WORKER}, format="json"
    )

    assert response.status_code == 403
    world.system_admin.refresh_from_db()
    assert world.system_admin.role == Role.SYSTEM_ADMIN


def test_an_invalid_edit_is_refused_and_changes_nothing(world: World) -> None:
    response = api_client(world.system_admin).patch(
        _detail(world.worker), {"role": Role.COMMUNE_COMMITTEE, "full_name": "X"}, format="json"
    )

    assert response.status_code == 400
    assert "location" in response.json()
    world.worker.refresh_from_db()
    assert world.worker.role == Role.SOCIAL_WORKER
    assert world.worker.full_name != "X"


# --- Agency admin ------------------------------------------------------------------------------


def test_agency_admin_lists_only_her_agency(world: World) -> None:
    response = api_client(world.agency_admin).get(USERS_URL, {"page_size": 200})

    assert response.status_code == 200
    assert _usernames(response) == {"worker", "teammate", "supervisor", "agency_admin"}


def test_agency_admin_creates_a_user_in_her_agency(world: World) -> None:
    response = api_client(world.agency_admin).post(USERS_URL, _new_user(world), format="json")

    assert response.status_code == 201, response.content
    assert User.objects.get(username="new_worker").agency == world.ngo


def test_agency_admin_cannot_create_user_in_another_agency(world: World) -> None:
    before = User.objects.count()

    response = api_client(world.agency_admin).post(
        USERS_URL, _new_user(world, agency=world.other_ngo.pk, supervisor=None), format="json"
    )

    assert response.status_code == 403
    assert User.objects.count() == before


def test_agency_admin_cannot_create_a_system_admin(world: World) -> None:
    before = User.objects.count()

    response = api_client(world.agency_admin).post(
        USERS_URL, _new_user(world, role=Role.SYSTEM_ADMIN, supervisor=None), format="json"
    )

    assert response.status_code == 403
    assert User.objects.count() == before


def test_agency_admin_cannot_see_another_agencys_user(world: World) -> None:
    client = api_client(world.agency_admin)

    assert client.get(_detail(world.other_worker)).status_code == 404
    assert client.patch(_detail(world.other_worker), {"full_name": "X"}).status_code == 404
    assert client.get(_detail(world.system_admin)).status_code == 404
    world.other_worker.refresh_from_db()
    assert world.other_worker.full_name != "X"


def test_agency_admin_can_edit_her_agencys_user(world: World) -> None:
    response = api_client(world.agency_admin).patch(
        _detail(world.worker), {"supervisor": None, "email": "w@example.org"}, format="json"
    )

    assert response.status_code == 200, response.content
    world.worker.refresh_from_db()
    assert world.worker.supervisor is None
    assert world.worker.email == "w@example.org"


def test_agency_admin_cannot_move_a_user_to_another_agency(world: World) -> None:
    response = api_client(world.agency_admin).patch(
        _detail(world.worker), {"agency": world.other_ngo.pk, "supervisor": None}, format="json"
    )

    assert response.status_code == 403
    world.worker.refresh_from_db()
    assert world.worker.agency == world.ngo


def test_agency_admin_cannot_promote_a_user_to_system_admin(world: World) -> None:
    response = api_client(world.agency_admin).patch(
        _detail(world.worker), {"role": Role.SYSTEM_ADMIN}, format="json"
    )

    assert response.status_code == 403
    world.worker.refresh_from_db()
    assert world.worker.role == Role.SOCIAL_WORKER


# --- Everybody else ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["worker", "supervisor", "dosvy_officer", "analyst", "police"])
def test_a_user_who_is_no_admin_cannot_list_or_create_users(world: World, persona: str) -> None:
    client = api_client(getattr(world, persona))
    before = User.objects.count()

    assert client.get(USERS_URL).status_code == 403
    assert client.post(USERS_URL, _new_user(world), format="json").status_code == 403
    assert User.objects.count() == before


def test_a_user_who_is_no_admin_is_refused_before_her_input_is_read(world: World) -> None:
    client = api_client(world.worker)

    assert client.post(USERS_URL, {"role": "chief"}, format="json").status_code == 403
    assert client.patch(_detail(world.worker), {"role": "chief"}, format="json").status_code == 403


def test_a_social_worker_reads_her_own_record_only(world: World) -> None:
    client = api_client(world.worker)

    own = client.get(_detail(world.worker))
    assert own.status_code == 200
    assert own.json()["username"] == "worker"
    assert client.get(_detail(world.teammate)).status_code == 404
    assert client.get(_detail(world.supervisor)).status_code == 404


def test_a_social_worker_cannot_edit_her_own_record(world: World) -> None:
    response = api_client(world.worker).patch(
        _detail(world.worker), {"role": Role.AGENCY_ADMIN, "full_name": "X"}, format="json"
    )

    assert response.status_code == 403
    world.worker.refresh_from_db()
    assert world.worker.role == Role.SOCIAL_WORKER
    assert world.worker.full_name != "X"


def test_an_unknown_user_is_not_found(world: World) -> None:
    assert api_client(world.system_admin).get(f"{USERS_URL}999999/").status_code == 404


# --- Invalid input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "chief"}, "role"),
        ({"supervisor": "other_worker"}, "supervisor"),
        ({"role": Role.COMMUNE_COMMITTEE, "supervisor": None, "location": None}, "location"),
        ({"role": Role.COMMUNE_COMMITTEE, "supervisor": None}, "location"),
        ({"username": "worker"}, "username"),
        ({"username": "WORKER"}, "username"),
        ({"username": "has space"}, "username"),
        ({"agency": None, "supervisor": None}, "agency"),
        ({"agency": 999999}, "agency"),
        ({"location": 999999}, "location"),
        ({"email": "not-an-email"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"password": "short1"}, "password"),
        ({"password": "qwertyuiop"}, "password"),
        ({"password": "1234567890123"}, "password"),
        ({"password": "new_worker_1"}, "password"),
    ],
)
def test_invalid_user_input_is_a_400_naming_the_field_and_creates_nobody(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    if overrides.get("supervisor") == "other_worker":
        overrides = overrides | {"supervisor": world.other_worker.pk}
    before = User.objects.count()

    response = api_client(world.system_admin).post(
        USERS_URL, _new_user(world, **overrides), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert User.objects.count() == before


@pytest.mark.parametrize("missing", ["username", "password", "role"])
def test_a_missing_required_field_is_named(world: World, missing: str) -> None:
    request = _new_user(world)
    del request[missing]

    response = api_client(world.system_admin).post(USERS_URL, request, format="json")

    assert response.status_code == 400
    assert missing in response.json()


def test_agency_admin_cannot_tell_another_agencys_user_from_a_missing_one(world: World) -> None:
    client = api_client(world.agency_admin)

    other = client.post(USERS_URL, _new_user(world, supervisor=world.other_worker.pk))
    missing = client.post(USERS_URL, _new_user(world, supervisor=999999))

    assert other.status_code == missing.status_code == 400
    assert other.json()["supervisor"] == [
        message.replace("999999", str(world.other_worker.pk))
        for message in missing.json()["supervisor"]
    ]
    assert not User.objects.filter(username="new_worker").exists()


def test_a_commune_committee_member_can_be_created_with_a_commune(world: World) -> None:
    request = _new_user(
        world,
        agency=world.ccwc.pk,
        role=Role.COMMUNE_COMMITTEE,
        supervisor=None,
        location=world.pp_commune.pk,
    )

    response = api_client(world.system_admin).post(USERS_URL, request, format="json")

    assert response.status_code == 201, response.content


def test_a_weak_new_password_on_edit_is_refused(world: World) -> None:
    response = api_client(world.agency_admin).patch(
        _detail(world.worker), {"password": "short"}, format="json"
    )

    assert response.status_code == 400
    assert "password" in response.json()
    world.worker.refresh_from_db()
    assert world.worker.check_password(PASSWORD)


# --- Audit -------------------------------------------------------------------------------------


def test_creating_a_user_is_audited_without_the_password(world: World) -> None:
    response = api_client(world.agency_admin).post(USERS_URL, _new_user(world), format="json")
    assert response.status_code == 201

    event = AuditEvent.objects.get(action="user.create")
    assert event.actor_id == world.agency_admin.pk
    assert event.object_type == "accounts.user"
    assert event.object_id == str(response.json()["id"])
    assert event.changes["username"] == "new_worker"
    assert event.changes["agency"] == world.ngo.pk
    assert event.changes.get("password", "***") == "***"
    assert NEW_PASSWORD not in str(event.changes)


def test_editing_a_user_is_audited_with_the_password_masked(world: World) -> None:
    response = api_client(world.system_admin).patch(
        _detail(world.worker), {"full_name": "Chan Sophea", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200, response.content

    event = AuditEvent.objects.get(action="user.update")
    assert event.actor_id == world.system_admin.pk
    assert event.object_id == str(world.worker.pk)
    assert event.changes["full_name"][1] == "Chan Sophea"
    assert event.changes["password"] == "***"
    assert NEW_PASSWORD not in str(event.changes)


def test_a_refused_user_write_leaves_no_audit_event(world: World) -> None:
    api_client(world.system_admin).post(
        USERS_URL, _new_user(world, role=Role.COMMUNE_COMMITTEE, supervisor=None), format="json"
    )
    api_client(world.agency_admin).patch(_detail(world.worker), {"role": Role.SYSTEM_ADMIN})

    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


# --- createsuperuser ---------------------------------------------------------------------------


def test_createsuperuser_makes_a_system_admin_who_can_create_agencies_at_once(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")

    call_command("createsuperuser", interactive=False, verbosity=0)

    root = User.objects.get(username="root")
    assert root.role == Role.SYSTEM_ADMIN
    assert root.agency is None
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "root", "password": NEW_PASSWORD}, format="json"
    )
    assert token.status_code == 200, token.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    response = client.post(
        "/api/v1/agencies/", {"name": "First Agency", "type": "mosvy"}, format="json"
    )
    assert response.status_code == 201, response.content


# --- Nobody is given a territory their agency does not cover ----------------------------------


def _admin_of(agency: Agency, username: str) -> User:
    return UserFactory.create(username=username, role=Role.AGENCY_ADMIN, agency=agency)


def test_a_provincial_office_admin_cannot_make_a_supervisor_of_another_province(
    world: World,
) -> None:
    admin = _admin_of(world.dosvy_pp, "dosvy_pp_admin")
    request = _new_user(
        world,
        agency=world.dosvy_pp.pk,
        role=Role.SUPERVISOR,
        supervisor=None,
        location=world.banteay_meanchey.pk,
    )

    response = api_client(admin).post(USERS_URL, request, format="json")

    assert response.status_code == 400
    assert "location" in response.json()
    assert not User.objects.filter(username="new_worker").exists()
    far_case = f"/api/v1/cases/{world.other_province_case.pk}/"
    inside = _new_user(
        world,
        agency=world.dosvy_pp.pk,
        role=Role.SUPERVISOR,
        supervisor=None,
        location=world.pp_village.pk,
    )
    assert api_client(admin).post(USERS_URL, inside, format="json").status_code == 201
    made = User.objects.get(username="new_worker")
    assert api_client(made).get(far_case).status_code == 404


def test_an_admin_cannot_move_a_provincial_supervisor_to_another_province(world: World) -> None:
    admin = _admin_of(world.dosvy_pp, "dosvy_pp_admin")
    response = api_client(admin).patch(
        _detail(world.dosvy_officer), {"location": world.bmc_village.pk}, format="json"
    )
    assert response.status_code == 400
    world.dosvy_officer.refresh_from_db()
    assert world.dosvy_officer.location == world.phnom_penh


def test_a_commune_committee_admin_cannot_make_a_member_for_another_provinces_commune(
    world: World,
) -> None:
    admin = _admin_of(world.ccwc, "ccwc_admin")
    far_commune = world.bmc_village.parent
    assert far_commune is not None
    request = _new_user(
        world,
        agency=world.ccwc.pk,
        role=Role.COMMUNE_COMMITTEE,
        supervisor=None,
        location=far_commune.pk,
    )

    response = api_client(admin).post(USERS_URL, request, format="json")

    assert response.status_code == 400
    assert "location" in response.json()
    same = _new_user(
        world,
        agency=world.ccwc.pk,
        role=Role.COMMUNE_COMMITTEE,
        supervisor=None,
        location=world.pp_commune.pk,
    )
    assert api_client(admin).post(USERS_URL, same, format="json").status_code == 201


def test_a_system_admin_cannot_give_an_office_a_territory_it_does_not_cover(world: World) -> None:
    request = _new_user(
        world,
        agency=world.dosvy_bmc.pk,
        role=Role.SUPERVISOR,
        supervisor=None,
        location=world.phnom_penh.pk,
    )
    response = api_client(world.system_admin).post(USERS_URL, request, format="json")
    assert response.status_code == 400
    national = _new_user(
        world,
        agency=world.mosvy.pk,
        role=Role.SUPERVISOR,
        supervisor=None,
        location=world.banteay_meanchey.pk,
    )
    assert (
        api_client(world.system_admin).post(USERS_URL, national, format="json").status_code == 201
    )
