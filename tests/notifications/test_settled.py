"""Notifications settle when their work is done: recording a visit clears its reminders for
everyone, answering a referral clears its "received", and the list says what each asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from notifications.models import Notification, NotificationKind
from notifications.reminders import run_sweep
from referrals import services as referral_services
from reintegration import services as reintegration_services
from tests.conftest import World
from tests.factories import UserFactory
from tests.reintegration.helpers import months_ago, reintegrate, visits
from tests.web.conftest import signed_in
from tests.web.test_referral_pages import refer

pytestmark = pytest.mark.django_db


def _unread(**about: object) -> set[tuple[str, str]]:
    return set(
        Notification.objects.filter(read_at__isnull=True, **about).values_list(
            "kind", "recipient__username"
        )
    )


def test_recording_a_visit_settles_its_reminders_for_everyone(world: World) -> None:
    reintegration = reintegrate(world, on=months_ago(2))
    first = visits(reintegration)[0]
    run_sweep(now=timezone.now() + timedelta(days=1))
    before = _unread(follow_up_id=first.pk)
    assert (NotificationKind.FOLLOW_UP_OVERDUE, world.teammate.username) in before
    assert (NotificationKind.FOLLOW_UP_OVERDUE, world.commune_member.username) in before
    reintegration_services.follow_up_complete(
        actor=world.teammate,
        follow_up=first,
        visit_date=timezone.localdate(),
        outcome="stable",
        scores=dict.fromkeys(
            [
                "safety",
                "care",
                "health",
                "education",
                "family_relationships",
                "economic",
                "child_view",
            ],
            4,
        ),
        notes="",
    )
    assert not _unread(follow_up_id=first.pk), "every reminder of the visit is settled"
    second = visits(reintegration)[1]
    assert Notification.objects.filter(follow_up_id=second.pk).count() == _count_unread(second.pk)


def _count_unread(follow_up_id: int) -> int:
    return Notification.objects.filter(follow_up_id=follow_up_id, read_at__isnull=True).count()


def _receiving_supervisor(world: World) -> User:
    return UserFactory.create(
        username="receiving_supervisor", role=Role.SUPERVISOR, agency=world.other_ngo
    )


def test_answering_a_referral_settles_the_receivers_notice(world: World) -> None:
    supervisor = _receiving_supervisor(world)
    referral = refer(world)
    colleague = UserFactory.create(username="colleague", agency=world.other_ngo)
    assert _unread(referral_id=referral.pk, kind=NotificationKind.REFERRAL_RECEIVED)
    referral_services.referral_accept(actor=supervisor, referral=referral, assigned_to=colleague)
    assert not _unread(referral_id=referral.pk, kind=NotificationKind.REFERRAL_RECEIVED)
    # The sender's news of the answer is new, and stays so until she reads it.
    assert (NotificationKind.REFERRAL_ACCEPTED, world.worker.username) in _unread(
        referral_id=referral.pk
    )


def test_the_list_says_what_each_notification_asks(world: World) -> None:
    _receiving_supervisor(world)
    referral = refer(world)
    receiver = Notification.objects.filter(
        referral_id=referral.pk, kind=NotificationKind.REFERRAL_RECEIVED
    ).first()
    assert receiver is not None
    page = signed_in(receiver.recipient).get("/notifications/").content.decode()
    assert "Answer the referral" in page
