"""The admin site: configuration only, for system admins only, every change audited."""

from __future__ import annotations

from django.contrib import admin
from django.test import Client

from accounts.models import ServiceType, User
from audit.models import AuditEvent
from cases.models import Case, Child, ConcernType
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
        {"code": "shelter", "label_en": "Emergency shelter", "label_km": "ជម្រកបន្ទាន់",
         "is_active": "on", "order": 0},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    assert ServiceType.objects.get(code="shelter").label_km == "ជម្រកបន្ទាន់"
    event = AuditEvent.objects.get(action="servicetype.update")
    assert event.actor_id == world.system_admin.pk
    assert event.changes["label_en"] == "Emergency shelter"


def test_concerns_are_managed_in_the_admin_and_audited(world: World) -> None:
    client = _admin_client(world.system_admin)
    response = client.post(
        "/admin/cases/concerntype/add/",
        {"code": "cyberbullying", "label_en": "Cyberbullying", "label_km": "ការគំរាមកំហែងតាមអ៊ីនធឺណិត",
         "is_active": "on", "order": 30},
    )  # fmt: skip
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
