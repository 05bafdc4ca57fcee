"""The child, the case and what is recorded on it."""

from cases.models.case import (
    CONTRIBUTE_PERMISSION,
    SECTION_PERMISSIONS,
    Case,
    CaseAreaGrant,
    CaseConcern,
    CaseGrantBasis,
    CaseGroupObjectPermission,
    CaseNamedUser,
    CaseNumberSequence,
    CaseUserObjectPermission,
    ConcernType,
)
from cases.models.child import (
    Child,
    FamilyMember,
    district_of,
    khmer_search_key,
    latin_search_key,
)
from cases.models.departures import CaseDeparture, DepartureReason
from cases.models.external import CaseExternalId
from cases.models.plan import CasePlan, PlanAction, PlanGoal
from cases.models.records import CaseNote, CaseService, Consent
from cases.models.risk import RiskAssessment, RiskBand, RiskInstrument, RiskOption, RiskQuestion

__all__ = [
    "CONTRIBUTE_PERMISSION",
    "SECTION_PERMISSIONS",
    "Case",
    "CaseAreaGrant",
    "CaseConcern",
    "CaseDeparture",
    "CaseExternalId",
    "CaseGrantBasis",
    "CaseGroupObjectPermission",
    "CaseNamedUser",
    "CaseNote",
    "CaseNumberSequence",
    "CasePlan",
    "CaseService",
    "CaseUserObjectPermission",
    "Child",
    "ConcernType",
    "Consent",
    "DepartureReason",
    "FamilyMember",
    "PlanAction",
    "PlanGoal",
    "RiskAssessment",
    "RiskBand",
    "RiskInstrument",
    "RiskOption",
    "RiskQuestion",
    "district_of",
    "khmer_search_key",
    "latin_search_key",
]
