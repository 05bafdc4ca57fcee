"""The admin site: configuration only, for system admins only, every change audited."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import admin
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ServiceType, User
from accounts.two_factor import secret_of
from audit.models import AuditEvent
from cases.models import Case, Child, ConcernType
from cases.services.case import case_open
from tests.conftest import World


def _admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_system_admin_made_through_the_api_can_edit_configuration(world: World) -> None:
    assert not world.system_admin.is_superuser
    client = _admin_client(world.system_admin)
    response = client.post(
        "/admin/accounts/servicetype/shelter/change/",
        {
            "code": "shelter",
            "label_en": "Emergency shelter",
            "label_km": "ជម្រកបន្ទាន់",
            "is_active": "on",
            "order": 0,
        },
    )
    assert response.status_code == 302, response.content
    assert ServiceType.objects.get(code="shelter").label_km == "ជម្រកបន្ទាន់"
    event = AuditEvent.objects.get(action="servicetype.update")
    assert event.actor_id == world.system_admin.pk
    assert event.changes["label_en"] == "Emergency shelter"


def test_concerns_are_managed_in_the_admin_and_audited(world: World) -> None:
    client = _admin_client(world.system_admin)
    response = client.post(
        "/admin/cases/concerntype/add/",
        {
            "code": "cyberbullying",
            "label_en": "Cyberbullying",
            "label_km": "ការគំរាមកំហែងតាមអ៊ីនធឺណិត",
            "is_active": "on",
            "order": 30,
        },
    )
    assert response.status_code == 302, response.content
    assert ConcernType.objects.filter(code="cyberbullying").exists()
    assert AuditEvent.objects.filter(action="concerntype.create").exists()


def test_staff_who_are_not_system_admins_cannot_reach_configuration(world: World) -> None:
    world.supervisor.is_staff = True
    world.supervisor.save()
    client = _admin_client(world.supervisor)
    assert client.get("/admin/accounts/servicetype/").status_code == 403
    assert (
        client.post("/admin/cases/concerntype/neglect/delete/", {"post": "yes"}).status_code == 403
    )
    assert ConcernType.objects.filter(code="neglect").exists()


def test_case_data_is_not_in_the_admin() -> None:
    assert Case not in admin.site._registry
    assert Child not in admin.site._registry


def _first_system_admin(world: World) -> Client:
    """The system admin made with createsuperuser, whom Django's permissions allow everything."""
    world.system_admin.is_superuser = True
    world.system_admin.save()
    return _admin_client(world.system_admin)


def _case_create_event(world: World) -> AuditEvent:
    case = case_open(
        actor=world.worker,
        child={
            "given_name": "Sophea",
            "family_name": "Chan",
            "given_name_km": "ស្រីមុំ",
            "family_name_km": "ច័ន្ទ",
            "sex": "female",
            "estimated_age": 12,
            "location": world.pp_village,
            "address": "Street 271, house 12",
        },
        concerns=["neglect"],
        source="community",
    )
    return AuditEvent.objects.get(action="case.create", case_id=case.pk)


def test_the_audit_event_of_a_new_case_names_the_changed_fields_but_not_the_child(
    world: World,
) -> None:
    event = _case_create_event(world)
    response = _first_system_admin(world).get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "case.create" in page
    assert "worker" in page  # the actor
    assert "given_name" in page  # which fields changed
    for detail in ("Sophea", "ស្រីមុំ", "Street 271", "neglect"):
        assert detail not in page


def test_audit_events_cannot_be_filtered_by_a_childs_details(world: World) -> None:
    _case_create_event(world)
    client = _first_system_admin(world)
    response = client.get("/admin/audit/auditevent/?changes__child__given_name=Sophea")
    assert response.status_code == 400
    assert (
        "case.create" in client.get("/admin/audit/auditevent/?action=case.create").content.decode()
    )


def test_the_two_factor_device_page_shows_no_secret_and_cannot_remove_the_device(
    world: World,
) -> None:
    device = TOTPDevice.objects.create(user=world.worker, name="Authenticator app", confirmed=True)
    client = _first_system_admin(world)
    response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(world.worker) in page
    assert device.key not in page
    assert secret_of(device) not in page
    assert (
        client.get(f"/admin/otp_totp/totpdevice/?key__startswith={device.key[:2]}").status_code
        == 400
    )
    assert (
        client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action__startswith="two_factor").exists()


def _lockout(user: User) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.1.2.3",
        user_agent="phone",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=10,
    )


def test_a_lockout_cannot_be_deleted_in_the_admin(world: World) -> None:
    attempt = _lockout(world.worker)
    client = _first_system_admin(world)
    delete_page = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    assert client.post(delete_page, {"post": "yes"}).status_code == 403
    client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_unlocking_an_account_in_the_admin_is_audited(world: World) -> None:
    attempt = _lockout(world.worker)
    response = _first_system_admin(world).post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=world.worker.username).exists()
    event = AuditEvent.objects.get(action="user.unlock")
    assert (event.actor_id, event.object_type, event.object_id) == (
        world.system_admin.pk,
        "accounts.user",
        str(world.worker.pk),
    )
    assert event.changes == {"username": "worker", "failed_attempts_removed": 1}
