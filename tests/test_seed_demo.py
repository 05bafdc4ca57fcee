"""The demonstration dataset: a login for every role and for the NGO's staff, a referral the
NGO can answer, and children named unlike any of the staff."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accounts.choices import AgencyType, Role
from accounts.models import User
from cases.models import Child
from referrals.choices import ReferralStatus
from referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings: Any, tmp_path: Path) -> str:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_one_login_per_role_and_for_the_ngo_staff(seeded: str) -> None:
    logins = dict(line.split() for line in seeded.splitlines()[1:] if line.strip())
    assert set(Role.values) <= set(logins)
    ngo = {
        (user.role, user.agency.type if user.agency else None)
        for user in User.objects.filter(username__startswith="ngo_").select_related("agency")
    }
    assert ngo == {(Role.SUPERVISOR, AgencyType.NGO), (Role.SOCIAL_WORKER, AgencyType.NGO)}
    worker = User.objects.get(username="ngo_social_worker")
    assert worker.supervisor is not None
    assert worker.supervisor.username == "ngo_supervisor"
    assert len(set(logins.values())) == len(logins), "each login has its own password"


def test_a_referral_to_the_ngo_waits_for_its_answer(seeded: str) -> None:
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.SENT
    assert referral.to_agency.type == AgencyType.NGO
    assert referral.to_agency_id == User.objects.get(username="ngo_supervisor").agency_id


def test_children_are_named_unlike_the_staff(seeded: str) -> None:
    staff = {
        word for name in User.objects.values_list("full_name", flat=True) for word in name.split()
    }
    for child in Child.objects.all():
        assert not {child.given_name, child.family_name} & staff, child.given_name


def test_a_second_run_changes_nothing(seeded: str, settings: Any) -> None:
    users = User.objects.count()
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "already has users" in again.getvalue()
    assert User.objects.count() == users
