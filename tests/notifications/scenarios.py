"""Cases with deadlines, built through the services, for the reminder tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from cases.models import Case
from notifications.models import Notification
from reintegration import services as reintegration
from reintegration.models import FollowUp, Reintegration
from tests.conftest import World
from tests.factories import CaseFactory, UserFactory


def reintegrate(
    world: World, *, on: date, months: list[int] | None = None, case: Case | None = None
) -> Reintegration:
    """A child of the worker's, from a shelter back to her parents in the commune member's
    commune on ``on``, followed up by the teammate."""
    case = case or CaseFactory.create(owner=world.worker, location=world.pp_village)
    with transaction.atomic():
        reintegration.placement_create(
            actor=world.worker, case=case, type="shelter", start_date=on - timedelta(days=90),
            agency=world.ngo,
        )  # fmt: skip
        home = reintegration.placement_create(
            actor=world.worker, case=case, type="parents", start_date=on,
            location=world.pp_village, caregiver="ម្ដាយ Sokha",
        )  # fmt: skip
        return reintegration.reintegration_create(
            actor=world.worker, case=case, date=on, placement=home,
            follow_up_worker=world.teammate, commune_focal_point=world.commune_member,
            schedule_months=months,
        )  # fmt: skip


def visits(reintegration_: Reintegration) -> list[FollowUp]:
    return list(FollowUp.objects.filter(reintegration=reintegration_).order_by("scheduled_date"))


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def received(kind: str, **filters: object) -> set[str]:
    """Usernames of the people who received notifications of ``kind``."""
    return set(
        Notification.objects.filter(kind=kind, **filters).values_list(
            "recipient__username", flat=True
        )
    )


def supervisor_of_other_ngo(world: World) -> str:
    boss = UserFactory.create(
        username="ff_supervisor", role=Role.SUPERVISOR, agency=world.other_ngo
    )
    world.other_worker.supervisor = boss
    world.other_worker.save(update_fields=["supervisor"])
    return boss.username
