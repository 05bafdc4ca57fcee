"""The case, referral and follow-up serializers build each row in one pass, for speed. DRF's walk of
the declared fields (the schema) is the reference: for every kind of reader, the two give the
same keys, in the same order, with the same values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework import serializers

from accounts.models import User
from cases.api.serializers import CaseSerializer
from cases.choices import ClosureReason, RiskLevel
from cases.models import Case, CaseConcern, CaseExternalId, FamilyMember
from cases.policy import case_accesses
from cases.prefetched import load_details
from referrals.api.serializers import ReferralSerializer
from referrals.models import Referral
from referrals.selectors import referral_list
from reintegration import services as reintegration_services
from reintegration.api.serializers import FOLLOW_UP_COLUMNS, FollowUpSerializer
from reintegration.models import FollowUp
from tests.api.test_referrals_api import _consent, _intake, _refer
from tests.conftest import World, api_client
from tests.reintegration.helpers import SCORES, months_ago, reintegrate, visits


def _walked(serializer: serializers.Serializer, instance: Any) -> dict[str, Any]:
    """What DRF's own field-by-field walk makes of ``instance``."""
    return dict(serializers.Serializer.to_representation(serializer, instance))


def _a_full_case(world: World) -> Case:
    case = world.own_case
    case.risk_level = RiskLevel.HIGH
    case.respond_by = timezone.now() + timedelta(hours=5)
    case.reassess_by = timezone.localdate() + timedelta(days=30)
    case.closure_reason = ClosureReason.REINTEGRATED
    case.closure_requested_at = timezone.now()
    case.closure_requested_by = world.worker
    case.summary = "ក្មេងស្រី, found at the market"
    case.save()
    for code in ("out_of_school", "child_labour"):
        CaseConcern.objects.create(case=case, concern_id=code)
    FamilyMember.objects.create(
        child=case.child, name="Chan Dara", name_km="ច័ន្ទ ដារា", relation="mother"
    )
    FamilyMember.objects.create(child=case.child, name="Chan Vuthy", relation="brother")
    CaseExternalId.objects.create(case=case, system="primero", external_id="P-1")
    return case


@pytest.mark.parametrize(
    "reader", ["worker", "supervisor", "agency_admin", "dosvy_officer", "granted_concerns"]
)
def test_a_case_is_represented_as_the_declared_fields_would(world: World, reader: str) -> None:
    case = _a_full_case(world)
    if reader == "granted_concerns":
        user: User = world.other_worker
        assign_perm("view_case_concerns", user, case)
    else:
        user = getattr(world, reader)
    fresh = Case.objects.select_related("child", "location").get(pk=case.pk)
    load_details([fresh], concerns=True, family=True, external_ids=True)
    accesses = case_accesses(user, [fresh])
    serializer = CaseSerializer(fresh, context={"accesses": accesses, "user": user})

    built, walked = serializer.data, _walked(serializer, fresh)

    assert list(built) == list(walked)
    assert built == walked
    # The reader kinds differ in what they get, so each branch of the one pass is run.
    assert ("child" in built) == accesses[case.pk].identity
    assert ("concerns" in built) == accesses[case.pk].sees("concerns")


@pytest.mark.parametrize("reader", ["sender", "receiver_before", "receiver_after"])
def test_a_referral_is_represented_as_the_declared_fields_would(world: World, reader: str) -> None:
    case_id = _intake(world.worker, world.pp_village)["id"]
    _consent(world.worker, case_id)
    response = _refer(world.worker, case_id, world.other_ngo)
    assert response.status_code == 201, response.content
    referral_id = response.json()["id"]
    if reader == "receiver_after":
        accepted = api_client(world.other_worker).post(
            f"/api/v1/referrals/{referral_id}/accept/", {"assigned_to": world.other_worker.pk}
        )
        assert accepted.status_code == 200, accepted.content
    user = world.worker if reader == "sender" else world.other_worker
    referral = referral_list(user=user).get(pk=referral_id)
    load_details([referral.case], concerns=True)
    serializer = ReferralSerializer(referral, context={"user": user})

    built, walked = serializer.data, _walked(serializer, referral)

    # The walk sends the case number to everyone; the sender alone gets it.
    if reader != "sender":
        del walked["case_number"]
    assert list(built) == list(walked)
    assert built == walked
    assert Referral.objects.get(pk=referral_id).status == (
        "accepted" if reader == "receiver_after" else "sent"
    )


def test_a_follow_up_is_represented_as_the_declared_fields_would_in_every_state(
    world: World,
) -> None:
    """Visits past and to come, recorded (with Khmer notes and a time), missed and the one
    scheduled in its place, each as the list reads it (its columns only)."""
    reintegration = reintegrate(world, on=months_ago(7), months=[1, 3, 6, 12])
    first, second, third, _fourth = visits(reintegration)
    reintegration_services.follow_up_complete(
        actor=world.worker,
        follow_up=first,
        visit_date=first.scheduled_date,
        outcome="at_risk",
        scores=SCORES,
        notes="ម្ដាយ was away; the child cooks alone",
    )
    reintegration_services.follow_up_reschedule(
        actor=world.worker,
        follow_up=second,
        new_date=timezone.localdate() + timedelta(days=3),
        reason="The family had moved for the harvest.",
    )
    listed = (
        FollowUp.objects.filter(reintegration=reintegration)
        .select_related("case__child", "reintegration__placement__location")
        .only(*FOLLOW_UP_COLUMNS)
    )
    assert {row.status for row in listed} == {"completed", "missed", "scheduled"}
    overdue = 0
    for follow_up in listed:
        serializer = FollowUpSerializer(follow_up)
        built, walked = serializer.data, _walked(serializer, follow_up)
        assert list(built) == list(walked)
        assert built == walked
        overdue += built["overdue"]
    assert overdue == 1  # the third visit, six months after, is past and not recorded
    assert third.scheduled_date < timezone.localdate()
