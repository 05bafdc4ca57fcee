"""Administration in the browser: who reaches which page (403 and 404 as the API answers), and
what each page does through the services: accounts created with a temporary password shown
once or a link by email, edited, deactivated (the supervisor asked to move the cases, the
request settled once they are moved), passwords and two-factor reset, agencies edited within
an agency admin's limits. Every change is in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import Agency, ApiToken, User
from accounts.services import token_issue
from audit.models import AuditEvent
from cases.choices import Stage, Status
from cases.models import Case
from notifications.email import path_of
from notifications.models import Notification, NotificationKind
from tests.conftest import World, api_client
from tests.factories import CaseFactory, UserFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 2026"


def _user_page(person: User) -> str:
    return reverse("manage-user", kwargs={"pk": person.pk})


def _action(person: User, action: str) -> str:
    return reverse("manage-user-action", kwargs={"pk": person.pk, "action": action})


def _events(action: str, person: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(person.pk)))


def _signs_in(username: str, password: str) -> bool:
    """Through the sign-in page, as a person would (and as the lockout counts)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _new_person(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "username": "sokha.chan",
        "full_name": "Sokha Chan",
        "email": "sokha@example.org",
        "role": Role.SOCIAL_WORKER,
        "agency": world.ngo.pk,
        "location": "",
        "supervisor": world.supervisor.pk,
        "preferred_language": "km",
        "password_by": "temporary",
        **overrides,
    }


# --- Who reaches what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["worker", "supervisor", "analyst", "commune_member", "police", "dosvy_officer"]
)
@pytest.mark.parametrize(
    "page", ["manage-users", "manage-user-new", "manage-agencies", "manage-agency-new"]
)
def test_only_admins_reach_the_administration(world: World, persona: str, page: str) -> None:
    response = signed_in(getattr(world, persona)).get(reverse(page))
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["worker", "supervisor", "analyst"])
def test_a_person_page_is_forbidden_to_non_admins_even_their_own(
    world: World, persona: str
) -> None:
    person = getattr(world, persona)
    assert signed_in(person).get(_user_page(person)).status_code == 403
    assert signed_in(person).post(_action(world.teammate, "deactivate")).status_code == 403


def test_an_agency_admin_does_not_reach_other_agencies_people(world: World) -> None:
    admin = signed_in(world.agency_admin)
    for outsider in (world.other_worker, world.dosvy_officer, world.system_admin):
        assert admin.get(_user_page(outsider)).status_code == 404
        assert admin.post(_action(outsider, "deactivate")).status_code == 404
        assert admin.post(_action(outsider, "temporary-password")).status_code == 404
    assert admin.get(reverse("manage-user", kwargs={"pk": 999_999})).status_code == 404
    outsider = User.objects.get(pk=world.other_worker.pk)
    assert outsider.is_active
    # As the API answers.
    assert api_client(world.agency_admin).get(f"/api/v1/users/{outsider.pk}/").status_code == 404


def test_an_agency_admin_lists_only_her_agency(world: World) -> None:
    response = signed_in(world.agency_admin).get(reverse("manage-users"), {"status": "all"})
    assert response.status_code == 200
    listed = {person.pk for person in response.context["page"].object_list}
    assert listed == set(User.objects.filter(agency=world.ngo).values_list("pk", flat=True))
    assert world.other_worker.full_name not in response.content.decode()


def test_the_system_admin_lists_everybody_and_filters(world: World) -> None:
    admin = signed_in(world.system_admin)
    everybody = admin.get(reverse("manage-users"))
    assert len(everybody.context["page"].object_list) == User.objects.filter(is_active=True).count()
    supervisors = admin.get(reverse("manage-users"), {"role": Role.SUPERVISOR})
    assert {p.pk for p in supervisors.context["page"].object_list} == set(
        User.objects.filter(role=Role.SUPERVISOR).values_list("pk", flat=True)
    )
    found = admin.get(reverse("manage-users"), {"q": "other_work"})
    assert [p.pk for p in found.context["page"].object_list] == [world.other_worker.pk]


def test_the_people_list_costs_the_same_for_many_people(
    world: World, django_assert_max_num_queries: Any
) -> None:
    admin = signed_in(world.system_admin)
    admin.get(reverse("manage-users"))  # the session, warmed
    with django_assert_max_num_queries(9) as few:
        admin.get(reverse("manage-users"))
    for number in range(30):
        UserFactory.create(username=f"extra{number}", agency=world.ngo, supervisor=world.supervisor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin.get(reverse("manage-users"))
    assert len(response.context["page"].object_list) > 30


def test_agency_pages_answer_as_the_api(world: World) -> None:
    admin = signed_in(world.agency_admin)
    own = reverse("manage-agency", kwargs={"pk": world.ngo.pk})
    other = reverse("manage-agency", kwargs={"pk": world.other_ngo.pk})
    assert admin.get(own).status_code == 200
    assert admin.get(other).status_code == 403
    assert admin.post(other, {"services": ["shelter"]}).status_code == 403
    assert admin.get(reverse("manage-agency", kwargs={"pk": 999_999})).status_code == 404
    listed = admin.get(reverse("manage-agencies")).context["page"].object_list
    assert [agency.pk for agency in listed] == [world.ngo.pk]
    api = api_client(world.agency_admin)
    assert api.patch(f"/api/v1/agencies/{world.other_ngo.pk}/", {"services": []}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("manage-users"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Creating accounts ----------------------------------------------------------------------


def test_a_temporary_password_is_shown_once_and_must_be_changed(world: World) -> None:
    response = signed_in(world.agency_admin).post(reverse("manage-user-new"), _new_person(world))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    person = User.objects.get(username="sokha.chan")
    password = response.context["password"]
    assert password in response.content.decode()
    assert person.check_password(password)
    assert person.must_change_password
    assert person.agency == world.ngo
    assert person.supervisor == world.supervisor
    assert person.preferred_language == "km"
    # Stored only hashed: the person's page never shows it again.
    assert password not in signed_in(world.agency_admin).get(_user_page(person)).content.decode()
    (created,) = _events("user.create", person)
    assert created.actor_id == world.agency_admin.pk
    assert password not in str(created.changes)


def test_an_account_can_get_a_link_by_email_instead(world: World) -> None:
    response = signed_in(world.system_admin).post(
        reverse("manage-user-new"), _new_person(world, password_by="email")
    )
    person = User.objects.get(username="sokha.chan")
    assert response.status_code == 302
    assert response["Location"] == _user_page(person)
    (email,) = mail.outbox
    assert email.to == ["sokha@example.org"]
    assert not person.must_change_password
    assert _events("user.password_link", person)


def test_a_link_needs_an_email_address(world: World) -> None:
    response = signed_in(world.system_admin).post(
        reverse("manage-user-new"), _new_person(world, password_by="email", email="")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert not User.objects.filter(username="sokha.chan").exists()


def test_an_agency_admin_cannot_make_a_system_admin(world: World) -> None:
    admin = signed_in(world.agency_admin)
    form = admin.get(reverse("manage-user-new")).content.decode()
    assert 'value="system_admin"' not in form
    response = admin.post(reverse("manage-user-new"), _new_person(world, role=Role.SYSTEM_ADMIN))
    assert response.status_code == 403
    assert not User.objects.filter(username="sokha.chan").exists()


def test_an_agency_admin_creates_people_of_her_agency_only(world: World) -> None:
    # The agency is hers whatever the form says.
    signed_in(world.agency_admin).post(
        reverse("manage-user-new"), _new_person(world, agency=world.other_ngo.pk, supervisor="")
    )
    assert User.objects.get(username="sokha.chan").agency == world.ngo


def test_bad_input_is_listed_and_nothing_is_saved(world: World) -> None:
    response = signed_in(world.system_admin).post(
        reverse("manage-user-new"),
        _new_person(
            world,
            username=world.worker.username.upper(),
            role=Role.COMMUNE_COMMITTEE,
            agency=world.ccwc.pk,
            supervisor="",
            location="no such place",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "username" in errors
    assert "location" in errors
    assert "data-error-summary" in response.content.decode()
    assert User.objects.count() == User.objects.exclude(username="sokha.chan").count()


def test_a_place_is_found_by_code_or_khmer_name(world: World) -> None:
    signed_in(world.system_admin).post(
        reverse("manage-user-new"),
        _new_person(
            world,
            role=Role.COMMUNE_COMMITTEE,
            agency=world.ccwc.pk,
            supervisor="",
            location=world.pp_commune.name_km,
        ),
    )
    assert User.objects.get(username="sokha.chan").location == world.pp_commune


# --- Editing, deactivating ------------------------------------------------------------------


def test_an_edit_is_saved_and_audited(world: World) -> None:
    admin = signed_in(world.agency_admin)
    form = admin.get(_user_page(world.teammate)).context["form"]
    data = {**{name: value for name, value in form.initial.items() if value is not None}}
    data.update(
        full_name="Dara Teammate",
        role=Role.SUPERVISOR,
        supervisor="",
        agency=world.ngo.pk,
        location="",
    )
    response = admin.post(_user_page(world.teammate), data)
    assert response.status_code == 302
    teammate = User.objects.get(pk=world.teammate.pk)
    assert (teammate.full_name, teammate.role, teammate.supervisor) == (
        "Dara Teammate",
        Role.SUPERVISOR,
        None,
    )
    (event,) = _events("user.update", teammate)
    assert event.changes["role"] == [Role.SOCIAL_WORKER, Role.SUPERVISOR]


def test_a_stale_edit_is_refused(world: World) -> None:
    admin = signed_in(world.agency_admin)
    stale = admin.get(_user_page(world.teammate)).context["form"].initial["version"]
    admin.post(_action(world.teammate, "temporary-password"))
    response = admin.post(
        _user_page(world.teammate),
        {"full_name": "Too late", "role": Role.SOCIAL_WORKER, "version": stale},
    )
    assert response.status_code in (409, 412)
    assert User.objects.get(pk=world.teammate.pk).full_name != "Too late"


def test_deactivating_asks_the_supervisor_to_move_the_cases(world: World) -> None:
    token = ApiToken.objects.create(
        user=world.worker, key_hash="x" * 64, prefix="cpims_x", expires_at="2099-01-01T00:00Z"
    )
    CaseFactory.create(owner=world.worker, location=world.pp_village)
    response = signed_in(world.agency_admin).post(_action(world.worker, "deactivate"))
    assert response.status_code == 302
    worker = User.objects.get(pk=world.worker.pk)
    assert not worker.is_active
    # The cases stay with the worker.
    assert Case.objects.get(pk=world.own_case.pk).owner_id == worker.pk
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    (asked,) = Notification.objects.filter(kind=NotificationKind.WORKER_DEACTIVATED)
    assert asked.recipient_id == world.supervisor.pk
    assert asked.worker_id == worker.pk
    # The notification leads to the page that moves the cases, which takes the inactive worker.
    supervisor = signed_in(world.supervisor)
    reassign = reverse("case-reassign-page", kwargs={"worker_id": worker.pk})
    assert path_of(asked) == reassign
    page = supervisor.get(reassign)
    assert page.status_code == 200
    open_cases = [row.case.pk for row in page.context["rows"]]
    assert len(open_cases) >= 2
    # Cases the supervisor may not assign (a restricted one) are closed here, so that moving
    # hers moves them all.
    Case.objects.filter(owner=worker, status=Status.OPEN).exclude(pk__in=open_cases).update(
        status=Status.CLOSED, stage=Stage.CLOSURE, closed_at=timezone.now()
    )
    first = supervisor.post(reassign, {"cases": open_cases[:1], "owner": world.teammate.pk})
    assert first.status_code == 302
    assert Notification.objects.get(pk=asked.pk).read_at is None
    last = supervisor.post(reassign, {"cases": open_cases[1:], "owner": world.teammate.pk})
    assert last.status_code == 302
    assert Notification.objects.get(pk=asked.pk).read_at is not None
    assert _events("user.update", worker)[0].changes["is_active"] == [True, False]


def test_deactivating_someone_without_cases_asks_nothing(world: World) -> None:
    newcomer = UserFactory.create(agency=world.ngo, supervisor=world.supervisor)
    signed_in(world.agency_admin).post(_action(newcomer, "deactivate"))
    assert not User.objects.get(pk=newcomer.pk).is_active
    assert not Notification.objects.filter(kind=NotificationKind.WORKER_DEACTIVATED).exists()


def test_without_a_supervisor_the_agency_admins_are_asked(world: World) -> None:
    User.objects.filter(pk=world.worker.pk).update(supervisor=None)
    signed_in(world.system_admin).post(_action(world.worker, "deactivate"))
    (asked,) = Notification.objects.filter(kind=NotificationKind.WORKER_DEACTIVATED)
    assert asked.recipient_id == world.agency_admin.pk


def test_a_deactivated_account_cannot_sign_in_until_reactivated(world: World) -> None:
    world.worker.set_password(PASSWORD)
    world.worker.save()
    admin = signed_in(world.agency_admin)
    admin.post(_action(world.worker, "deactivate"))
    assert not _signs_in("worker", PASSWORD)
    admin.post(_action(world.worker, "reactivate"))
    assert _signs_in("worker", PASSWORD)


def test_nobody_deactivates_themselves(world: World) -> None:
    response = signed_in(world.agency_admin).post(_action(world.agency_admin, "deactivate"))
    assert response.status_code == 403
    assert User.objects.get(pk=world.agency_admin.pk).is_active


# --- Passwords, two-factor, lockout ---------------------------------------------------------


def test_a_temporary_password_replaces_the_old_one(world: World, rf: Any) -> None:
    world.worker.set_password(PASSWORD)
    world.worker.save()
    issued = token_issue(request=rf.post("/"), username="worker", password=PASSWORD)
    response = signed_in(world.agency_admin).post(_action(world.worker, "temporary-password"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    worker = User.objects.get(pk=world.worker.pk)
    assert worker.check_password(response.context["password"])
    assert not worker.check_password(PASSWORD)
    assert worker.must_change_password
    assert ApiToken.objects.get(pk=issued.record.pk).revoked_at is not None
    (event,) = _events("user.password_temporary", worker)
    assert response.context["password"] not in str(event.changes)


def test_a_link_by_email_is_sent_in_the_persons_language(world: World) -> None:
    User.objects.filter(pk=world.worker.pk).update(
        email="worker@example.org", preferred_language="km"
    )
    response = signed_in(world.agency_admin).post(_action(world.worker, "send-link"))
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["worker@example.org"]
    assert "/accounts/password/reset/" in email.body
    assert _events("user.password_link", world.worker)


def test_two_factor_is_reset_by_an_admin(world: World) -> None:
    TOTPDevice.objects.create(user=world.worker, name="app", confirmed=True)
    page = signed_in(world.agency_admin).get(_user_page(world.worker)).content.decode()
    assert _action(world.worker, "reset-two-factor") in page
    signed_in(world.agency_admin).post(_action(world.worker, "reset-two-factor"))
    assert not TOTPDevice.objects.filter(user=world.worker).exists()
    assert _events("two_factor.reset", world.worker)
    # Not for another agency's people.
    TOTPDevice.objects.create(user=world.other_worker, name="app", confirmed=True)
    signed_in(world.agency_admin).post(_action(world.other_worker, "reset-two-factor"))
    assert TOTPDevice.objects.filter(user=world.other_worker).exists()


def test_failed_sign_ins_are_cleared(world: World) -> None:
    for _attempt in range(3):
        assert not _signs_in("worker", "wrong")
    page = signed_in(world.agency_admin).get(_user_page(world.worker))
    assert page.context["failed_sign_ins"] == 3
    signed_in(world.agency_admin).post(_action(world.worker, "unlock"))
    assert (
        signed_in(world.agency_admin).get(_user_page(world.worker)).context["failed_sign_ins"] == 0
    )
    assert AuditEvent.objects.filter(action="user.unlock").exists()


# --- Agencies -------------------------------------------------------------------------------


def test_an_agency_admin_keeps_her_directory_entry(world: World) -> None:
    admin = signed_in(world.agency_admin)
    page = reverse("manage-agency", kwargs={"pk": world.ngo.pk})
    form = admin.get(page).context["form"]
    assert "name" not in form.fields
    assert "is_active" not in form.fields
    response = admin.post(
        page,
        {
            "services": ["shelter", "psychosocial"],
            "coverage": [world.phnom_penh.pk],
            "requires_referral_approval": "on",
            "name": "Renamed by the agency",
            "version": form.initial["version"],
        },
    )
    assert response.status_code == 302
    ngo = Agency.objects.get(pk=world.ngo.pk)
    assert ngo.name != "Renamed by the agency"
    assert sorted(ngo.service_rows.values_list("service_id", flat=True)) == [
        "psychosocial",
        "shelter",
    ]
    assert list(ngo.coverage.all()) == [world.phnom_penh]
    assert ngo.requires_referral_approval
    assert AuditEvent.objects.filter(action="agency.update", object_id=str(ngo.pk)).exists()


def test_the_api_gives_an_agency_admin_the_same_limits(world: World) -> None:
    api = api_client(world.agency_admin)
    url = f"/api/v1/agencies/{world.ngo.pk}/"
    assert api.patch(url, {"services": ["shelter"]}, format="json").status_code == 200
    assert api.patch(url, {"name": "Renamed"}, format="json").status_code == 403
    assert api.patch(url, {"is_active": False}, format="json").status_code == 403
    assert Agency.objects.get(pk=world.ngo.pk).is_active


def test_the_system_admin_adds_and_edits_agencies(world: World) -> None:
    admin = signed_in(world.system_admin)
    response = admin.post(
        reverse("manage-agency-new"),
        {
            "name": "Children's Legal Aid",
            "type": "ngo",
            "location": world.phnom_penh.code,
            "services": ["legal_aid"],
            "coverage": [world.phnom_penh.pk, world.banteay_meanchey.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Children's Legal Aid")
    assert agency.location == world.phnom_penh
    assert set(agency.coverage.all()) == {world.phnom_penh, world.banteay_meanchey}
    assert AuditEvent.objects.filter(action="agency.create", object_id=str(agency.pk)).exists()
    page = reverse("manage-agency", kwargs={"pk": agency.pk})
    initial = admin.get(page).context["form"].initial
    admin.post(
        page,
        {
            "name": "Children's Legal Aid Cambodia",
            "type": "ngo",
            "location": "",
            "services": ["legal_aid"],
            "coverage": [],
            "version": initial["version"],
        },
    )
    agency.refresh_from_db()
    assert agency.name == "Children's Legal Aid Cambodia"
    assert agency.location is None
    assert not agency.is_active


def test_the_api_lists_people_by_role_agency_and_state(world: World) -> None:
    api = api_client(world.system_admin)
    by_role = api.get("/api/v1/users/", {"role": Role.SUPERVISOR}).json()
    assert {row["id"] for row in by_role["results"]} == set(
        User.objects.filter(role=Role.SUPERVISOR).values_list("pk", flat=True)
    )
    by_agency = api.get("/api/v1/users/", {"agency": world.other_ngo.pk}).json()
    assert [row["id"] for row in by_agency["results"]] == [world.other_worker.pk]
    User.objects.filter(pk=world.teammate.pk).update(is_active=False)
    inactive = api.get("/api/v1/users/", {"is_active": "false"}).json()
    assert [row["id"] for row in inactive["results"]] == [world.teammate.pk]
    assert api_client(world.worker).get("/api/v1/users/").status_code == 403


def test_the_api_takes_the_persons_language(world: World) -> None:
    api = api_client(world.agency_admin)
    body = {
        "username": "dara.api",
        "password": PASSWORD,
        "full_name": "Dara",
        "role": Role.SOCIAL_WORKER,
        "agency": world.ngo.pk,
        "preferred_language": "km",
    }
    assert api.post("/api/v1/users/", body, format="json").status_code == 201
    created = User.objects.get(username="dara.api")
    assert created.preferred_language == "km"
    refused = api.patch(f"/api/v1/users/{created.pk}/", {"preferred_language": "fr"}, format="json")
    assert refused.status_code == 400
    assert "preferred_language" in refused.json()


def test_the_admin_site_sends_an_agency_admin_to_her_pages(world: World) -> None:
    response = signed_in(world.agency_admin).get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("manage-users")
    assert response.status_code == 200
    assert signed_in(world.worker).get("/admin/", follow=True).status_code == 403
