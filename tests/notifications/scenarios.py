"""Moments, recipients and people for the reminder tests; the children back home come from
the reintegration tests' builders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.choices import Role
from notifications.models import Notification
from tests.conftest import World
from tests.factories import UserFactory
from tests.reintegration.helpers import reintegrate, visits


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


__all__ = ["at", "received", "reintegrate", "supervisor_of_other_ngo", "visits"]
