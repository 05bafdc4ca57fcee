"""The objects the access matrix (tests/test_access_matrix.py) asks about, each standing in one
relation to the world's personas, built when a test first asks for it.

Cases: the world's five (the worker's own, her teammate's, another agency's, another
province's, the restricted one) and two more of the worker's: one granted to the other agency's
worker (as an accepted service referral grants it) and one reintegrated into the commune
member's commune (whose follow-ups the commune is given by an area grant). Referrals: of the
worker's own case and of the restricted case to the other agency, in the state each action
needs. Follow-up visits: of the reintegrated case, of the restricted case and of a case in
the other province."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.utils import timezone

from accounts.models import User
from cases.choices import ConsentGiver, ConsentScope, Section, ServiceStatus
from cases.models import (
    Case,
    CaseNamedUser,
    CasePlan,
    CaseService,
    Consent,
    RiskAssessment,
)
from cases.selectors.risk import risk_instrument_with_content
from cases.services.access import case_set_grants
from cases.services.risk import risk_assessment_record
from referrals import services as referral_services
from referrals.choices import ReferralStatus
from referrals.models import Referral
from reintegration.choices import FAMILY_PLACEMENTS, PlacementType
from reintegration.models import FollowUp, Placement
from tests.conftest import World
from tests.factories import CaseFactory
from tests.reintegration.helpers import months_ago, reintegrate
from trafficking.models import Repatriation

T = TypeVar("T")

# What the other agency's worker holds on the granted case: what a service referral sharing the
# child's profile, concerns and notes gives its receiver, with the right to add notes and services.
GRANTED_SECTIONS = frozenset({Section.PROFILE, Section.CONCERNS, Section.NOTES})

CASE_RELATIONS = (
    "own",
    "teammates",
    "other_agency",
    "other_province",
    "restricted",
    "granted",
    "area_granted",
)
REFERRAL_RELATIONS = ("own_case", "restricted_case")
FOLLOW_UP_RELATIONS = ("area_granted", "restricted", "other_province")


class Scene:
    """The world, and the objects of each relation, each built once on first use."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._built: dict[tuple[str, ...], Any] = {}

    def _once(self, key: tuple[str, ...], build: Callable[[], T]) -> T:
        if key not in self._built:
            self._built[key] = build()
        result: T = self._built[key]
        return result

    def persona(self, name: str) -> User:
        user: User = getattr(self.world, name)
        return user

    # --- Cases and what they hold ----------------------------------------------------------

    def case(self, relation: str) -> Case:
        world = self.world
        given = {
            "own": world.own_case,
            "teammates": world.teammates_case,
            "other_agency": world.other_agency_case,
            "other_province": world.other_province_case,
            "restricted": world.restricted_case,
        }
        if relation in given:
            return given[relation]
        if relation == "granted":
            return self._once(("case", relation), self._granted_case)
        if relation == "area_granted":
            return self._once(("case", relation), lambda: self._reintegrated("area_granted").case)
        raise KeyError(relation)

    def _granted_case(self) -> Case:
        case = CaseFactory.create(owner=self.world.worker, location=self.world.pp_village)
        case_set_grants(
            actor=self.world.worker,
            case=case,
            grantee=self.world.other_worker,
            sections=GRANTED_SECTIONS,
            contribute=True,
            reason="referral",
        )
        return case

    def plan(self, case: Case) -> CasePlan:
        return self._once(
            ("plan", str(case.pk)),
            lambda: CasePlan.objects.create(case=case, created_by=case.owner),
        )

    def service(self, case: Case) -> CaseService:
        return self._once(
            ("service", str(case.pk)),
            lambda: CaseService.objects.create(
                case=case,
                service_id="psychosocial",
                status=ServiceStatus.PLANNED,
                agency=case.agency,
                recorded_by=case.owner,
            ),
        )

    def repatriation(self, case: Case) -> Repatriation:
        return self._once(
            ("repatriation", str(case.pk)),
            lambda: Repatriation.objects.create(
                case=case, direction="to_cambodia", country="TH", created_by=case.owner
            ),
        )

    def consent(self, case: Case) -> Consent:
        return self._once(("consent", str(case.pk)), lambda: self._consent(case))

    def _consent(self, case: Case) -> Consent:
        return Consent.objects.create(
            case=case,
            given_by=ConsentGiver.CAREGIVER,
            giver_name="Meas Sophal",
            scope=[ConsentScope.REFERRAL, ConsentScope.SERVICES],
            date=timezone.localdate(),
            recorded_by=case.owner,
        )

    def assessment(self, case: Case) -> RiskAssessment:
        return self._once(
            ("assessment", str(case.pk)),
            lambda: risk_assessment_record(
                actor=case.owner,
                case=case,
                instrument=self.instrument(),
                answers=self.lowest_answers(),
            ),
        )

    def family_placement(self, case: Case) -> Placement:
        """A family home the child may be reintegrated into: the current one, or her parents'
        since last month in the case's village."""
        return self._once(("family_placement", str(case.pk)), lambda: self._family_home(case))

    def _family_home(self, case: Case) -> Placement:
        current = Placement.objects.filter(case=case, end_date__isnull=True).first()
        if current is not None and current.type in FAMILY_PLACEMENTS:
            return current
        if current is not None:
            current.end_date = months_ago(1)
            current.save(update_fields=["end_date"])
        return Placement.objects.create(
            case=case,
            type=PlacementType.PARENTS,
            start_date=months_ago(1),
            location=case.location,
            caregiver="Her mother",
            recorded_by=case.owner,
        )

    def instrument(self) -> Any:
        return self._once(
            ("instrument",), lambda: risk_instrument_with_content().get(is_current=True)
        )

    def lowest_answers(self) -> dict[str, str]:
        return {
            question.code: min(question.options.all(), key=lambda o: o.score).code
            for question in self.instrument().questions.all()
        }

    # --- Referrals -------------------------------------------------------------------------

    def referral(self, relation: str, status: str) -> Referral:
        """A service referral of the worker's ``relation`` case to the other agency, made by the
        worker, in ``status``: sent, waiting for her supervisor's approval, or accepted by the
        other agency's worker."""
        return self._once(("referral", relation, status), lambda: self._refer(relation, status))

    def _refer(self, relation: str, status: str) -> Referral:
        world = self.world
        # A case has one live referral to an agency: each state gets a case of its own, the
        # worker's like her own case or restricted and named on her like the restricted one.
        if status == ReferralStatus.SENT:
            case = world.own_case if relation == "own_case" else world.restricted_case
        else:
            case = CaseFactory.create(
                owner=world.worker,
                location=world.pp_village,
                restricted=relation == "restricted_case",
            )
            if case.restricted:
                CaseNamedUser.objects.create(case=case, user=world.worker)
        self.consent(case)
        waits = status == ReferralStatus.PENDING_APPROVAL
        if waits and case.restricted:
            # The approving supervisor is named first, as the referral service demands.
            CaseNamedUser.objects.create(case=case, user=world.supervisor, named_by=world.worker)
        # The worker's agency asks its supervisors to approve referrals for this one only.
        world.ngo.requires_referral_approval = waits
        world.ngo.save(update_fields=["requires_referral_approval"])
        referral = referral_services.referral_create(
            actor=world.worker,
            case=case,
            to_agency=world.other_ngo,
            type="service",
            urgency="routine",
            services=["psychosocial"],
            reason="Needs counselling.",
            shared_sections=sorted(GRANTED_SECTIONS),
        )
        world.ngo.requires_referral_approval = False
        world.ngo.save(update_fields=["requires_referral_approval"])
        if status == ReferralStatus.ACCEPTED:
            referral = referral_services.referral_accept(
                actor=world.other_worker, referral=referral, assigned_to=world.other_worker
            )
        assert referral.status == status, (relation, status, referral.status)
        return referral

    # --- Follow-up visits ------------------------------------------------------------------

    def follow_up(self, relation: str) -> FollowUp:
        """The first visit, still scheduled, of the child reintegrated in ``relation``."""
        reintegration = self._reintegrated(relation)
        visit = reintegration.follow_ups.order_by("scheduled_date").first()
        assert visit is not None
        return visit

    def _reintegrated(self, relation: str) -> Any:
        return self._once(("reintegration", relation), lambda: self._reintegrate(relation))

    def _reintegrate(self, relation: str) -> Any:
        world = self.world
        on = months_ago(2)
        if relation == "area_granted":
            case = CaseFactory.create(owner=world.worker, location=world.pp_village)
            return reintegrate(world, on=on, case=case, follow_up_worker=world.worker)
        if relation == "restricted":
            return reintegrate(
                world, on=on, case=world.restricted_case, follow_up_worker=world.worker
            )
        if relation == "other_province":
            return reintegrate(
                world,
                on=on,
                case=world.other_province_case,
                follow_up_worker=world.bmc_worker,
                location=world.bmc_village,
            )
        raise KeyError(relation)


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def today() -> str:
    return timezone.localdate().isoformat()
