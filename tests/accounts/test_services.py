"""The account services on their own: password hashing and rules, token life, what each write
checks, records and leaves behind when refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone
from pytest_django import Settings

from accounts import services
from accounts.choices import AgencyType, Role, ServiceCode
from accounts.models import Agency, ApiToken, User
from audit.models import AuditEvent
from cpims import settings as project_settings
from tests.conftest import World
from tests.factories import PASSWORD

NEW_PASSWORD = "a long and unusual passphrase"


def _sign_in_request() -> HttpRequest:
    return RequestFactory().post("/api/v1/auth/token/")


def _create_user(world: World, actor: User | None = None, **overrides: Any) -> User:
    arguments: dict[str, Any] = {
        "username": "new_worker",
        "password": NEW_PASSWORD,
        "full_name": "Sok Dara",
        "agency": world.ngo,
        "role": Role.SOCIAL_WORKER,
    } | overrides
    return services.user_create(actor=actor or world.system_admin, **arguments)


# --- Passwords ---------------------------------------------------------------------------------


def test_a_user_created_through_the_service_gets_an_argon2_hash(
    world: World, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS

    user = _create_user(world)

    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2")
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("password", ["short", "qwertyuiop", "12345678901234", "new_worker1"])
def test_the_password_rules_refuse_a_weak_password(world: World, password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _create_user(world, password=password)

    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="new_worker").exists()


# --- Users -------------------------------------------------------------------------------------


def test_creating_a_user_records_one_audit_event_without_the_password(world: World) -> None:
    user = _create_user(world, email="dara@example.org")

    event = AuditEvent.objects.get(action="user.create")
    assert event.object_id == str(user.pk)
    assert event.actor_id == world.system_admin.pk
    assert "password" not in event.changes
    assert NEW_PASSWORD not in str(event.changes)
    assert user.password not in str(event.changes)


def test_a_user_refused_by_the_model_rules_leaves_nothing_behind(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        _create_user(world, role=Role.COMMUNE_COMMITTEE, location=world.phnom_penh)

    assert "location" in refused.value.message_dict
    assert not User.objects.filter(username="new_worker").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_only_a_system_admin_gets_staff_access(world: World) -> None:
    admin = _create_user(world, username="admin2", role=Role.SYSTEM_ADMIN, agency=None)
    worker = _create_user(world)

    assert admin.is_staff
    assert not worker.is_staff


def test_agency_admin_cannot_create_user_in_another_agency(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _create_user(world, actor=world.agency_admin, agency=world.other_ngo)

    assert not User.objects.filter(username="new_worker").exists()


def test_a_social_worker_cannot_create_users(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _create_user(world, actor=world.worker)


def test_a_username_cannot_be_changed(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.user_update(actor=world.system_admin, user=world.worker, username="boss")

    assert "username" in refused.value.message_dict
    world.worker.refresh_from_db()
    assert world.worker.username == "worker"


def test_nobody_deactivates_themselves(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.user_update(actor=world.agency_admin, user=world.agency_admin, is_active=False)


def _issue_token(user: User) -> services.IssuedToken:
    return services.token_issue(
        request=_sign_in_request(), username=user.username, password=PASSWORD
    )


@pytest.mark.parametrize(
    "change", [{"password": NEW_PASSWORD}, {"is_active": False}], ids=["password", "deactivation"]
)
def test_a_password_change_or_deactivation_revokes_only_that_users_tokens(
    world: World, change: dict[str, Any]
) -> None:
    workers = _issue_token(world.worker)
    teammates = _issue_token(world.teammate)

    services.user_update(actor=world.agency_admin, user=world.worker, **change)

    workers.record.refresh_from_db()
    teammates.record.refresh_from_db()
    assert workers.record.revoked_at is not None
    assert teammates.record.revoked_at is None


def test_renaming_a_user_keeps_their_tokens(world: World) -> None:
    issued = _issue_token(world.worker)

    services.user_update(actor=world.agency_admin, user=world.worker, full_name="Chan Sophea")

    assert services.token_lookup(issued.token) is not None


# --- Tokens ------------------------------------------------------------------------------------


def test_issuing_a_token_stores_its_hash_and_signs_the_user_in(world: World) -> None:
    issued = _issue_token(world.worker)

    assert issued.token.startswith(services.TOKEN_PREFIX)
    assert issued.expires_at > timezone.now()
    record = ApiToken.objects.get()
    assert record.key_hash != issued.token
    assert issued.token not in str(ApiToken.objects.values().get())
    world.worker.refresh_from_db()
    assert world.worker.last_login is not None
    event = AuditEvent.objects.get(action="token.issue")
    assert issued.token not in str(event.changes)


def test_a_failed_token_request_is_counted_towards_the_lockout(world: World) -> None:
    with pytest.raises(ValidationError):
        services.token_issue(request=_sign_in_request(), username="worker", password="wrong")

    attempt = AccessAttempt.objects.get(username="worker")
    assert attempt.failures_since_start == 1
    assert not ApiToken.objects.exists()


def test_a_successful_token_request_clears_the_failure_count(world: World) -> None:
    with pytest.raises(ValidationError):
        services.token_issue(request=_sign_in_request(), username="worker", password="wrong")

    _issue_token(world.worker)

    assert not AccessAttempt.objects.filter(username="worker").exists()


def test_token_lookup_returns_the_token_and_notes_its_use(world: World) -> None:
    issued = _issue_token(world.worker)

    found = services.token_lookup(issued.token)

    assert found is not None
    assert found.user == world.worker
    assert found.last_used_at is not None


@pytest.mark.parametrize("state", ["expired", "revoked", "user_inactive", "unknown"])
def test_token_lookup_finds_no_unusable_token(world: World, state: str) -> None:
    issued = _issue_token(world.worker)
    raw = issued.token
    if state == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "revoked":
        services.token_revoke(actor=world.worker, token=issued.record)
    elif state == "user_inactive":
        User.objects.filter(pk=world.worker.pk).update(is_active=False)
    else:
        raw += "x"

    assert services.token_lookup(raw) is None


def test_only_the_owner_revokes_a_token(world: World) -> None:
    issued = _issue_token(world.worker)

    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=world.system_admin, token=issued.record)

    issued.record.refresh_from_db()
    assert issued.record.revoked_at is None


# --- Agencies ----------------------------------------------------------------------------------


def _create_agency(world: World, **overrides: Any) -> Agency:
    arguments: dict[str, Any] = {
        "name": "Safe Haven",
        "type": AgencyType.NGO,
        "location": world.phnom_penh,
        "services": [ServiceCode.SHELTER, ServiceCode.SHELTER, ServiceCode.MEDICAL],
        "coverage": [world.phnom_penh],
    } | overrides
    return services.agency_create(actor=world.system_admin, **arguments)


def _services_of(agency: Agency) -> set[str]:
    return set(agency.service_rows.values_list("service", flat=True))


def test_an_agency_is_created_with_its_services_once_each(world: World) -> None:
    agency = _create_agency(world, is_active=False, requires_referral_approval=True)

    assert _services_of(agency) == {ServiceCode.SHELTER, ServiceCode.MEDICAL}
    assert list(agency.coverage.all()) == [world.phnom_penh]
    assert not agency.is_active
    assert agency.requires_referral_approval
    assert AuditEvent.objects.filter(action="agency.create", object_id=str(agency.pk)).exists()


def test_an_agency_update_replaces_services_and_coverage(world: World) -> None:
    agency = _create_agency(world)

    services.agency_update(
        actor=world.system_admin,
        agency=agency,
        services=[ServiceCode.MEDICAL, ServiceCode.LEGAL_AID],
        coverage=[world.banteay_meanchey],
    )

    assert _services_of(agency) == {ServiceCode.MEDICAL, ServiceCode.LEGAL_AID}
    assert list(agency.coverage.all()) == [world.banteay_meanchey]


def test_an_invalid_agency_update_changes_nothing(world: World) -> None:
    agency = _create_agency(world)

    with pytest.raises(ValidationError):
        services.agency_update(actor=world.system_admin, agency=agency, type="castle", services=[])

    assert _services_of(agency) == {ServiceCode.SHELTER, ServiceCode.MEDICAL}
    assert Agency.objects.get(pk=agency.pk).type == AgencyType.NGO


def test_an_agency_field_outside_the_editable_ones_is_refused(world: World) -> None:
    agency = _create_agency(world)

    with pytest.raises(ValidationError) as refused:
        services.agency_update(actor=world.system_admin, agency=agency, created_at=timezone.now())

    assert "created_at" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "worker"])
def test_only_a_system_admin_writes_agencies(world: World, persona: str) -> None:
    actor = getattr(world, persona)

    with pytest.raises(PermissionDenied):
        services.agency_create(actor=actor, name="Rogue", type=AgencyType.NGO)
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=actor, agency=world.ngo, name="Rogue")

    assert not Agency.objects.filter(name="Rogue").exists()
