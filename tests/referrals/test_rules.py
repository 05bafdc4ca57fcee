"""One rule per referral action: the API's ``actions``, the page's forms and the services agree."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.choices import Role
from core.errors import StateConflictError
from referrals import services
from referrals.models import Referral
from tests.conftest import World, api_client
from tests.factories import UserFactory


@pytest.fixture
def sent(world: World) -> Referral:
    """The NGO supervisor refers her team's case to the other NGO, whose supervisor answers."""
    UserFactory.create(username="receiving_supervisor", role=Role.SUPERVISOR,
                       agency=world.other_ngo)  # fmt: skip
    return services.referral_create(
        actor=world.supervisor, case=world.own_case, to_agency=world.other_ngo, type="service",
        urgency="urgent", services=["shelter"], reason="Safety", shared_sections=["profile"],
        consent_override_reason="Emergency",
    )  # fmt: skip


def _actions(user: Any, referral: Referral) -> list[str]:
    answer = api_client(user).get(f"/api/v1/referrals/{referral.pk}/")
    assert answer.status_code == 200
    return list(answer.json()["actions"])


def test_each_side_may_do_what_the_referral_state_allows(world: World, sent: Referral) -> None:
    assert _actions(world.supervisor, sent) == ["cancel"]
    assert _actions(world.other_worker, sent) == ["accept", "decline"]
    services.referral_accept(
        actor=world.other_worker, referral=sent, assigned_to=world.other_worker
    )
    assert _actions(world.other_worker, sent) == ["complete"]
    assert _actions(world.supervisor, sent) == []


def test_the_page_offers_the_forms_of_the_actions_and_the_service_refuses_the_rest(
    world: World, sent: Referral, client: Any
) -> None:
    client.force_login(world.supervisor)
    page = client.get(f"/referrals/{sent.pk}/").content.decode()
    assert f"/referrals/{sent.pk}/cancel/" in page
    assert f"/referrals/{sent.pk}/accept/" not in page
    with pytest.raises(PermissionDenied):  # the state allows it, the person may not
        services.referral_accept(
            actor=world.supervisor, referral=sent, assigned_to=world.supervisor
        )
    services.referral_cancel(actor=world.supervisor, referral=sent, reason="Changed plans")
    with pytest.raises(StateConflictError):  # the person may, the state no longer allows it
        services.referral_cancel(actor=world.supervisor, referral=sent, reason="Again")
