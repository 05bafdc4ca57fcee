"""The tables a case's history fills, and the risk instrument it is assessed with."""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.dataset.tables import Table
from cases.choices import RISK_ORDER, RiskLevel
from cases.models import Case as CaseModel
from cases.models import (
    CaseAreaGrant,
    CaseConcern,
    CaseGrantBasis,
    CaseNamedUser,
    CaseNote,
    CasePlan,
    CaseService,
    CaseUserObjectPermission,
    Child,
    Consent,
    FamilyMember,
    PlanAction,
    PlanGoal,
    RiskAssessment,
    RiskInstrument,
)
from notifications.models import Notification
from referrals.models import CustodyTransfer, Referral
from reintegration.models import FollowUp, Placement, Reintegration
from trafficking.models import VictimIdentification

# Answers that set the level to at least high are kept this share of the times they are drawn;
# drawn freely, they would make most children high risk.
FORCING_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})
FORCING_SHARE = 0.4


def make_tables() -> dict[str, Table]:
    """One table per model, with the columns generated and the defaults of the rest."""
    return {
        "child": Table(
            Child,
            [
                "id",
                "given_name",
                "family_name",
                "given_name_km",
                "family_name_km",
                "sex",
                "date_of_birth",
                "estimated_age",
                "age_estimated_on",
                "age_disputed",
                "nationality",
                "ethnicity",
                "birth_registration",
                "disability",
                "languages",
                "location_id",
                "location_path",
                "district_path",
                "address",
                "birth_certificate_number",
                "national_id_number",
                "id_poor_number",
                "search_name",
                "search_name_km",
                "created_at",
            ],
        ),
        "family": Table(
            FamilyMember,
            [
                "id",
                "child_id",
                "name",
                "name_km",
                "relation",
                "contact",
                "lives_with_child",
                "is_caregiver",
                "notes",
            ],
            {"notes": ""},
        ),
        "case": Table(
            CaseModel,
            [
                "id",
                "case_number",
                "child_id",
                "status",
                "stage",
                "source",
                "summary",
                "labour_sector",
                "agency_id",
                "owner_id",
                "location_id",
                "location_path",
                "restricted",
                "risk_level",
                "respond_by",
                "reassess_by",
                "review_by",
                "last_contact_at",
                "follow_up_pending",
                "reminder_at",
                "closure_reason",
                "closure_note",
                "closure_requested_by_id",
                "closure_requested_at",
                "closed_at",
                "created_by_id",
                "created_at",
                "updated_at",
                "version",
            ],
            {"closure_note": ""},
        ),
        "concern": Table(CaseConcern, ["id", "case_id", "concern_id"]),
        "identification": Table(
            VictimIdentification,
            [
                "id",
                "case_id",
                "date",
                "indicators",
                "status",
                "identifying_agency_id",
                "reference",
                "notes",
                "recorded_by_id",
                "recorded_at",
            ],
            {"identifying_agency_id": None, "reference": "", "notes": ""},
        ),
        "named": Table(CaseNamedUser, ["id", "case_id", "user_id", "named_at"]),
        "assessment": Table(
            RiskAssessment,
            [
                "id",
                "case_id",
                "instrument_id",
                "answers",
                "score",
                "max_score",
                "risk_level",
                "respond_within_hours",
                "respond_by",
                "reassess_by",
                "notes",
                "assessed_by_id",
                "assessed_at",
            ],
            {"notes": ""},
        ),
        "plan": Table(
            CasePlan,
            [
                "id",
                "case_id",
                "status",
                "created_by_id",
                "created_at",
                "submitted_by_id",
                "submitted_at",
                "decided_by_id",
                "decided_at",
                "decision_comment",
                "version",
            ],
            {"decision_comment": "", "version": 1},
        ),
        "goal": Table(PlanGoal, ["id", "plan_id", "order", "description"]),
        "action": Table(
            PlanAction,
            [
                "id",
                "goal_id",
                "order",
                "description",
                "responsible_id",
                "due_date",
                "done_at",
            ],
        ),
        "note": Table(
            CaseNote,
            [
                "id",
                "case_id",
                "kind",
                "date",
                "text",
                "agency_id",
                "author_id",
                "created_at",
            ],
        ),
        "service": Table(
            CaseService,
            [
                "id",
                "case_id",
                "service_id",
                "provider_agency_id",
                "status",
                "start_date",
                "end_date",
                "notes",
                "agency_id",
                "recorded_by_id",
                "recorded_at",
                "version",
            ],
            {"notes": "", "version": 1},
        ),
        "consent": Table(
            Consent,
            [
                "id",
                "case_id",
                "given_by",
                "giver_name",
                "scope",
                "date",
                "withdrawn",
                "withdrawn_on",
                "notes",
                "recorded_by_id",
                "recorded_at",
            ],
            {"giver_name": "", "notes": "", "withdrawn": False, "withdrawn_on": None},
        ),
        "referral": Table(
            Referral,
            [
                "id",
                "case_id",
                "from_agency_id",
                "to_agency_id",
                "type",
                "urgency",
                "services",
                "reason",
                "shared_sections",
                "consent_override_reason",
                "status",
                "respond_by",
                "created_by_id",
                "created_at",
                "sent_at",
                "approved_by_id",
                "answered_by_id",
                "answered_at",
                "assigned_to_id",
                "decline_reason",
                "outcome",
                "completed_at",
                "cancelled_by_id",
                "cancel_reason",
                "closed_at",
                "updated_at",
                "reminder_at",
            ],
            {
                "consent_override_reason": "",
                "approved_by_id": None,
                "answered_by_id": None,
                "answered_at": None,
                "assigned_to_id": None,
                "decline_reason": "",
                "outcome": "",
                "completed_at": None,
                "cancelled_by_id": None,
                "cancel_reason": "",
                "closed_at": None,
                "reminder_at": None,
            },
        ),
        "custody": Table(
            CustodyTransfer,
            [
                "id",
                "case_id",
                "referral_id",
                "to_agency_id",
                "legal_basis",
                "authorising_official",
                "authorising_official_title",
                "date",
                "family_consent",
                "no_consent_reason",
                "recorded_by_id",
                "recorded_at",
            ],
            {"referral_id": None},
        ),
        "placement": Table(
            Placement,
            [
                "id",
                "case_id",
                "type",
                "start_date",
                "end_date",
                "location_id",
                "caregiver",
                "agency_id",
                "gatekeeping_reason",
                "gatekeeping_alternatives",
                "gatekeeping_approved_by_id",
                "recorded_by_id",
                "recorded_at",
            ],
            {
                "gatekeeping_reason": "",
                "gatekeeping_alternatives": "",
                "gatekeeping_approved_by_id": None,
            },
        ),
        "reintegration": Table(
            Reintegration,
            [
                "id",
                "case_id",
                "date",
                "placement_id",
                "from_placement_id",
                "commune_id",
                "readiness_assessment",
                "family_assessment",
                "preparation_visits",
                "follow_up_worker_id",
                "commune_focal_point_id",
                "schedule_months",
                "created_by_id",
                "created_at",
            ],
        ),
        "follow_up": Table(
            FollowUp,
            [
                "id",
                "reintegration_id",
                "case_id",
                "sequence",
                "scheduled_date",
                "status",
                "visit_date",
                "visited_by_id",
                "outcome",
                "scores",
                "notes",
                "completed_at",
                "missed_reason",
                "rescheduled_from_id",
                "reminder_at",
                "created_at",
                "updated_at",
            ],
            {
                "visit_date": None,
                "visited_by_id": None,
                "outcome": "",
                "scores": "{}",
                "notes": "",
                "completed_at": None,
                "missed_reason": "",
                "rescheduled_from_id": None,
                "reminder_at": None,
            },
        ),
        "grant": Table(
            CaseUserObjectPermission,
            [
                "id",
                "permission_id",
                "user_id",
                "content_object_id",
            ],
        ),
        "grant_basis": Table(
            CaseGrantBasis,
            [
                "id",
                "case_id",
                "user_id",
                "reason",
                "sections",
                "contribute",
            ],
        ),
        "area_grant": Table(
            CaseAreaGrant,
            [
                "id",
                "case_id",
                "location_id",
                "location_path",
                "section",
                "reason",
                "created_at",
            ],
        ),
        "notification": Table(
            Notification,
            [
                "id",
                "recipient_id",
                "kind",
                "key",
                "case_id",
                "case_number",
                "referral_id",
                "follow_up_id",
                "due_at",
                "created_at",
                "batch",
                "read_at",
                "email_status",
                "email_attempts",
                "email_claimed_until",
                "emailed_at",
            ],
            {
                "referral_id": None,
                "follow_up_id": None,
                "due_at": None,
                "email_claimed_until": None,
            },
        ),
    }


# A drawn assessment: the answers, the score, the level, hours to respond, days to reassess.
Assessment = tuple[dict[str, str], int, str, int, int]


@dataclass(frozen=True)
class Instrument:
    """The current risk instrument, flattened to score thousands of assessments a second by
    the rules of cases.services.risk.risk_score (the tests compare the two)."""

    id: int
    # (question code, ((option code, score, minimum level), ...))
    questions: tuple[tuple[str, tuple[tuple[str, int, str], ...]], ...]
    max_score: int
    # (level, from percent, respond within hours, reassess after days), lowest first
    bands: tuple[tuple[str, int, int, int], ...]

    @classmethod
    def current(cls) -> Instrument:
        instrument = RiskInstrument.objects.prefetch_related("questions__options", "bands").get(
            is_current=True
        )
        questions = tuple(
            (q.code, tuple((o.code, o.score, o.minimum_level) for o in q.options.all()))
            for q in instrument.questions.all()
        )
        bands = sorted(instrument.bands.all(), key=lambda band: band.from_percent)
        return cls(
            id=instrument.pk,
            questions=questions,
            max_score=sum(max(score for _c, score, _m in options) for _q, options in questions),
            bands=tuple(
                (b.level, b.from_percent, b.respond_within_hours, b.reassess_after_days)
                for b in bands
            ),
        )

    def assess(self, rng: random.Random, severity: float) -> Assessment:
        """Answers drawn for a case of this severity (the chance of each answer being a
        worrying one), scored."""
        answers: dict[str, str] = {}
        score, floor = 0, -1
        for code, options in self.questions:
            option = options[0]
            if rng.random() < severity:
                option = options[1 + int(rng.random() ** 1.5 * (len(options) - 1))]
                if option[2] in FORCING_LEVELS and rng.random() > FORCING_SHARE:
                    option = options[0] if options[1][2] in FORCING_LEVELS else options[1]
            answers[code] = option[0]
            score += option[1]
            if option[2]:
                floor = max(floor, RISK_ORDER.index(RiskLevel(option[2])))
        reached = [band for band in self.bands if band[1] * self.max_score <= 100 * score]
        level = (reached[-1] if reached else self.bands[0])[0]
        if floor > RISK_ORDER.index(RiskLevel(level)):
            level = str(RISK_ORDER[floor])
        _level, _from, hours, days = next(band for band in self.bands if band[0] == level)
        return answers, score, level, hours, days
