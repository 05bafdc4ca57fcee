"""Children back home, built through the reintegration services, for the API tests of this
folder. Each helper does one thing; the tests read what they set up."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.choices import Role
from accounts.models import Location, User
from cases.models import Case
from reintegration import services
from reintegration.models import FollowUp, Placement, Reintegration
from reintegration.services import add_months
from tests.conftest import World
from tests.factories import CaseFactory, LocationFactory, UserFactory

DOMAINS = [
    "safety",
    "care",
    "health",
    "education",
    "family_relationships",
    "economic",
    "child_view",
]
SCORES = dict.fromkeys(DOMAINS, 4)


def months_ago(months: int) -> date:
    return add_months(timezone.localdate(), -months)


def visit_body(day: date, outcome: str = "stable", **changes: object) -> dict[str, object]:
    """A complete visit as the API takes it."""
    return {
        "visit_date": day.isoformat(),
        "outcome": outcome,
        "scores": dict(SCORES),
        "notes": "",
        **changes,
    }


def family_placement(
    world: World, case: Case, *, on: date, location: Location | None = None
) -> Placement:
    """The child leaves a shelter for her parents' home on ``on`` (two placements, each
    recorded in its own transaction, as the pages and the API record them)."""
    services.placement_create(
        actor=case.owner,
        case=case,
        type="shelter",
        start_date=on - timedelta(days=90),
        agency=world.ngo,
        caregiver="Hope Shelter",
    )
    return services.placement_create(
        actor=case.owner,
        case=case,
        type="parents",
        start_date=on,
        location=location or world.pp_village,
        caregiver="ម្ដាយ Sokha",
    )


def reintegrate(
    world: World,
    *,
    on: date,
    case: Case | None = None,
    months: list[int] | None = None,
    follow_up_worker: User | None = None,
    focal_point: User | None = None,
    location: Location | None = None,
) -> Reintegration:
    """A child of the worker's (unless ``case`` says whose) back with her parents in the commune
    member's commune (unless ``location`` says where), followed up by the teammate."""
    case = case or CaseFactory.create(owner=world.worker, location=world.pp_village)
    home = family_placement(world, case, on=on, location=location)
    return services.reintegration_create(
        actor=case.owner,
        case=case,
        date=on,
        placement=home,
        follow_up_worker=follow_up_worker or world.teammate,
        commune_focal_point=focal_point if location else focal_point or world.commune_member,
        schedule_months=months,
    )


def visits(reintegration: Reintegration) -> list[FollowUp]:
    return list(FollowUp.objects.filter(reintegration=reintegration).order_by("scheduled_date"))


def another_commune(world: World) -> tuple[Location, User]:
    """A village of another commune of Phnom Penh, and a committee member of that commune."""
    village = LocationFactory.village_in(world.phnom_penh)
    member = UserFactory.create(
        username="other_commune_member",
        role=Role.COMMUNE_COMMITTEE,
        agency=world.ccwc,
        location=village.parent,
    )
    return village, member
