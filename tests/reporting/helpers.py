"""Children back home with their visits, written straight to the tables: the statistics tests
count what the store makes of them, not how the reintegration services make them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from reintegration.choices import FollowUpStatus, PlacementType
from reintegration.models import FollowUp, Placement, Reintegration
from tests.conftest import World


def reintegrated(world: World, case: Case, *, days_ago: int) -> Reintegration:
    """The child went home to her parents in the world's Phnom Penh commune ``days_ago``."""
    day = timezone.localdate() - timedelta(days=days_ago)
    home = Placement.objects.create(
        case=case,
        type=PlacementType.PARENTS,
        start_date=day,
        location=world.pp_village,
        recorded_by=world.worker,
    )
    return Reintegration.objects.create(
        case=case,
        date=day,
        placement=home,
        commune=world.pp_commune,
        follow_up_worker=world.worker,
        schedule_months=[1, 3, 6, 12],
        created_by=world.worker,
    )


def visit(
    reintegration: Reintegration, *, sequence: int, days_ago: int, outcome: str = ""
) -> FollowUp:
    """The visit planned ``days_ago``: made the day after with ``outcome``, or still to make."""
    scheduled = timezone.localdate() - timedelta(days=days_ago)
    made = {
        "status": FollowUpStatus.COMPLETED,
        "visit_date": scheduled + timedelta(days=1),
        "outcome": outcome,
    }
    return FollowUp.objects.create(
        reintegration=reintegration,
        case=reintegration.case,
        sequence=sequence,
        scheduled_date=scheduled,
        **(made if outcome else {}),
    )
