"""The access policy as a matrix: every endpoint and every page that takes the id of a case, a
referral or a follow-up visit (or of a record kept on a case), asked by every persona of the
world about an object in each relation to them, answers as the documented rules say
(docs/architecture.md "The access policy" and its sections table, docs/api.md):

- 404 outside reach, exactly as for a missing object;
- 403 when the object is visible but the section or the action is not the caller's;
- 200 for a read inside reach; a write by someone with the right is not refused (whatever the
  input or the object's state then say), and one by someone without it never succeeds.

Writes are sent with a minimal valid body inside a savepoint that is rolled back, so every cell
asks about the same objects. A route that takes an id and has no entry in ``MATRIX`` (or in
``NOT_CASE_DATA``, with the reason) fails the first test: a new endpoint cannot be added
without deciding who reaches it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from cases.choices import Section
from documents import vault
from documents.models import Document
from legal.models import LegalProceeding
from referrals.choices import ReferralStatus
from tests.access_matrix_scene import (
    CASE_RELATIONS,
    FOLLOW_UP_RELATIONS,
    GRANTED_SECTIONS,
    REFERRAL_RELATIONS,
    Scene,
    today,
    tomorrow,
)
from tests.conftest import World, api_client
from tests.reintegration.helpers import DOMAINS

pytestmark = pytest.mark.django_db

PERSONAS = (
    "worker",
    "teammate",
    "supervisor",
    "other_worker",
    "dosvy_officer",
    "bmc_worker",
    "agency_admin",
    "commune_member",
    "police",
    "analyst",
    "system_admin",
)

# --- What each persona holds on each object -------------------------------------------------


@dataclass(frozen=True)
class Holds:
    """What a persona holds on a case she sees (the sections table of docs/architecture.md)."""

    sections: frozenset[str]
    history: bool = False
    owner: bool = False
    manage: bool = False  # edit, plan, assess, record consent and placements
    contribute: bool = False  # add notes and services
    assign: bool = False
    approve: bool = False  # decide plans and closures


ALL_SECTIONS = frozenset(Section.values)
OWNER = Holds(ALL_SECTIONS, history=True, owner=True, manage=True, contribute=True)
SUPERVISOR = Holds(
    ALL_SECTIONS, history=True, manage=True, contribute=True, assign=True, approve=True
)
OVERSIGHT = Holds(ALL_SECTIONS, history=True)  # a DoSVY supervisor's territory: reads only
AGENCY_ADMIN = Holds(frozenset(), assign=True)  # administrative fields only
GRANTEE = Holds(GRANTED_SECTIONS, contribute=True)  # an accepted service referral's receiver

# Who sees each case, and as what; everyone not named answers 404. The commune member, the
# police officer, the analyst and the system admin have no scope over case files at all (the
# commune's area grant opens the follow-ups alone), and a restricted case is seen by the people
# named on it only, whatever their scope.
CASE_HOLDINGS: dict[str, dict[str, Holds]] = {
    "own": {
        "worker": OWNER,
        "supervisor": SUPERVISOR,
        "dosvy_officer": OVERSIGHT,
        "agency_admin": AGENCY_ADMIN,
    },
    "teammates": {
        "teammate": OWNER,
        "supervisor": SUPERVISOR,
        "dosvy_officer": OVERSIGHT,
        "agency_admin": AGENCY_ADMIN,
    },
    "other_agency": {"other_worker": OWNER, "dosvy_officer": OVERSIGHT},
    "other_province": {"bmc_worker": OWNER},
    "restricted": {"worker": OWNER},
    "granted": {
        "worker": OWNER,
        "supervisor": SUPERVISOR,
        "dosvy_officer": OVERSIGHT,
        "agency_admin": AGENCY_ADMIN,
        "other_worker": GRANTEE,
    },
    "area_granted": {
        "worker": OWNER,
        "supervisor": SUPERVISOR,
        "dosvy_officer": OVERSIGHT,
        "agency_admin": AGENCY_ADMIN,
    },
}
# Each persona is asked about one case in each relation it stands in to her: a second case in
# the same relation (another agency's case of Phnom Penh, and another province's, to a worker)
# would ask her the same question again. The restricted case is asked about by the worker named
# on it and by those whose scope would hold it were it not restricted.
ASKED_ABOUT: dict[str, tuple[str, ...]] = {
    # Her own, her teammate's, another agency's, the restricted one she is named on, her own
    # opened to another agency, her own followed up in the commune.
    "worker": ("own", "teammates", "other_agency", "restricted", "granted", "area_granted"),
    # Her own, her teammate's (as is the followed-up one), her teammate's opened to another
    # agency (the grant is the grantee's alone), another agency's.
    "teammate": ("teammates", "own", "granted", "other_agency"),
    # Her team's, her team's followed up (she closes it at once), her team's restricted one she
    # is not named on, another agency's.
    "supervisor": ("own", "area_granted", "restricted", "other_agency"),
    # Her own, the one granted to her, another agency's.
    "other_worker": ("other_agency", "granted", "own"),
    # In her territory, restricted in her territory, outside it.
    "dosvy_officer": ("own", "restricted", "other_province"),
    # Her own, another province's.
    "bmc_worker": ("other_province", "own"),
    # Her agency's, her agency's restricted one, another agency's.
    "agency_admin": ("own", "restricted", "other_agency"),
    # Followed up in her commune, in her commune but not opened to it.
    "commune_member": ("area_granted", "own"),
    # People with no scope over case files at all.
    "police": ("own",),
    "analyst": ("own",),
    "system_admin": ("own",),
}

# Cases whose follow-up schedule runs: the owner cannot ask for closure (409), her supervisor
# closes at once.
FOLLOWED_UP = frozenset({"area_granted"})

# Who reads ("read") and who records ("record") each visit: the case's owner and her supervisor,
# the commune the follow-ups were opened to, and oversight from the territory, which reads only.
FOLLOW_UP_HOLDINGS: dict[str, dict[str, str]] = {
    "area_granted": {
        "worker": "record",
        "supervisor": "record",
        "commune_member": "record",
        "dosvy_officer": "read",
    },
    "restricted": {"worker": "record"},
    "other_province": {"bmc_worker": "record"},
}

# Where each persona stands on a referral the worker made of her case to the other agency. The
# sending side: the sender (also the case's owner), her supervisor, the agency admin; the
# receiving side: its case workers once it is sent. Of a restricted case, only the people named
# on it on the sending side.
REFERRAL_SIDES: dict[str, dict[str, str]] = {
    "own_case": {
        "worker": "sender",
        "supervisor": "sender_supervisor",
        "agency_admin": "sending_admin",
        "other_worker": "receiver",
    },
    "restricted_case": {"worker": "sender", "other_worker": "receiver"},
}
REFERRAL_RIGHTS: dict[str, frozenset[str]] = {
    "read": frozenset({"sender", "sender_supervisor", "sending_admin", "receiver"}),
    "approve": frozenset({"sender_supervisor"}),
    "answer": frozenset({"receiver"}),  # accept, decline, complete
    "cancel": frozenset({"sender", "sender_supervisor"}),
}


def referral_side(persona: str, relation: str, status: str) -> str | None:
    side = REFERRAL_SIDES[relation].get(persona)
    if status == ReferralStatus.PENDING_APPROVAL:
        if side == "receiver":
            return None  # the receiver sees it once it is sent
        if relation == "restricted_case" and persona == "supervisor":
            return "sender_supervisor"  # named on the case so that she can approve
    return side


# --- Expected answers ------------------------------------------------------------------------

ALLOWED = "allowed"  # a write by someone with the right: anything but 403, 404 and 5xx
Expected = int | str


@dataclass(frozen=True)
class Needs:
    """What a case route asks of the caller beyond seeing the case."""

    section: str | None = None
    history: bool = False
    right: str | None = None  # a Holds flag, "request_closure" or "identify_victim"
    restricted_only: bool = False  # the page exists for restricted cases only


def _has_right(holds: Holds, right: str, relation: str) -> bool:
    if right == "request_closure":
        # The owner asks; while visits run she cannot (409) and her supervisor closes at once.
        return holds.owner or (relation in FOLLOWED_UP and holds.approve)
    if right == "identify_victim":
        # Those working on the case, and the oversight office's supervisor (the one holder
        # with the history who neither manages nor contributes).
        return holds.contribute or holds.history
    has: bool = getattr(holds, right)
    return has


def case_answer(persona: str, relation: str, needs: Needs, *, write: bool) -> Expected:
    holds = CASE_HOLDINGS[relation].get(persona)
    if holds is None or (needs.restricted_only and relation != "restricted"):
        return 404
    if needs.section is not None and needs.section not in holds.sections:
        return 403
    if needs.history and not holds.history:
        return 403
    if needs.right is not None and not _has_right(holds, needs.right, relation):
        return 403
    return ALLOWED if write else 200


def follow_up_answer(persona: str, relation: str, need: str, *, write: bool) -> Expected:
    holds = FOLLOW_UP_HOLDINGS[relation].get(persona)
    if holds is None:
        return 404
    if need == "record" and holds != "record":
        return 403
    return ALLOWED if write else 200


def referral_answer(
    persona: str, relation: str, need: str, status: str, *, write: bool
) -> Expected:
    side = referral_side(persona, relation, status)
    if side is None:
        return 404
    if side not in REFERRAL_RIGHTS[need]:
        return 403
    return ALLOWED if write else 200


# --- The matrix ------------------------------------------------------------------------------

Kind = Literal["case", "referral", "follow_up"]
Kwargs = Callable[[Scene, Any], dict[str, Any]]
Body = Callable[[Scene, Any], dict[str, Any]]


def _no_body(scene: Scene, obj: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Probe:
    """One request to check for every persona and relation: the route's kwargs for an object,
    the method, what it needs, and the body of a write."""

    kind: Kind
    method: str
    kwargs: Kwargs
    need: Needs | str = field(default_factory=Needs)
    body: Body = _no_body
    web: bool = False
    status: str = ReferralStatus.SENT  # for referrals: the state the action needs
    variant: str = ""  # tells apart probes of one route (a tab, an action)
    # Whether to ask the people who cannot see the case: a route's further variants (another
    # tab, another action) change what is shown or done, not what is reached, which its first
    # variant asks them.
    outsiders: bool = True
    # Whether to ask the people who may: no, where only a whole form filled in would show it
    # and the same page's GET asks them.
    insiders: bool = True
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def write(self) -> bool:
        return self.method != "get"

    def relations(self) -> tuple[str, ...]:
        return {
            "case": CASE_RELATIONS,
            "referral": REFERRAL_RELATIONS,
            "follow_up": FOLLOW_UP_RELATIONS,
        }[self.kind]

    def target(self, scene: Scene, relation: str) -> Any:
        if self.kind == "case":
            return scene.case(relation)
        if self.kind == "referral":
            return scene.referral(relation, self.status)
        return scene.follow_up(relation)

    def asks(self, persona: str, relation: str) -> bool:
        if self.kind == "case" and relation not in ASKED_ABOUT[persona]:
            return False
        expected = self.expected(persona, relation)
        if expected == 404:
            return self.outsiders
        return self.insiders or expected != ALLOWED

    def expected(self, persona: str, relation: str) -> Expected:
        if self.kind == "case":
            assert isinstance(self.need, Needs)
            return case_answer(persona, relation, self.need, write=self.write)
        assert isinstance(self.need, str)
        if self.kind == "referral":
            return referral_answer(persona, relation, self.need, self.status, write=self.write)
        return follow_up_answer(persona, relation, self.need, write=self.write)


def case_id(key: str = "case_id") -> Kwargs:
    return lambda scene, case: {key: case.pk}


def record_id(record: str, key: str = "pk", case_key: str = "case_id") -> Kwargs:
    """The case and one of its records (``record`` names the Scene method that makes it)."""
    return lambda scene, case: {case_key: case.pk, key: getattr(scene, record)(case).pk}


def with_slug(kwargs: Kwargs, **slugs: str) -> Kwargs:
    return lambda scene, obj: {**kwargs(scene, obj), **slugs}


def own_id(scene: Scene, obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


def case_probe(method: str, kwargs: Kwargs, needs: Needs = Needs(), **extra: Any) -> Probe:
    return Probe("case", method, kwargs, needs, **extra)


def page(kwargs: Kwargs, needs: Needs = Needs(), **extra: Any) -> Probe:
    return Probe("case", "get", kwargs, needs, web=True, **extra)


def form(kwargs: Kwargs, needs: Needs, body: Body = _no_body, **extra: Any) -> Probe:
    return Probe("case", "post", kwargs, needs, body=body, web=True, **extra)


# Minimal valid bodies, so that a refusal is the access decision and not the input's.


def _in_a_month() -> str:
    return (timezone.localdate() + timedelta(days=30)).isoformat()


def plan_body(scene: Scene, case: Any) -> dict[str, Any]:
    action = {"description": "Enrol her", "responsible": case.owner_id, "due_date": _in_a_month()}
    return {"goals": [{"description": "Back to school", "actions": [action]}]}


def identification_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"date": today(), "status": "presumed", "indicators": ["deception"]}


def repatriation_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"direction": "to_cambodia", "country": "TH", "border_point": "poipet"}


def advance_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"status": "documents_ready", "date": today()}


def identification_form(scene: Scene, case: Any) -> dict[str, Any]:
    return {"identification-status": "presumed", "identification-date": today()}


def repatriation_form(scene: Scene, case: Any) -> dict[str, Any]:
    return {"repatriation-direction": "to_cambodia", "repatriation-country": "TH"}


def advance_form(scene: Scene, case: Any) -> dict[str, Any]:
    prefix = f"advance-{scene.repatriation(case).pk}"
    return {f"{prefix}-status": "documents_ready", f"{prefix}-date": today()}


def note_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"kind": "home_visit", "date": today(), "text": "Visited the family."}


def consent_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"given_by": "child", "scope": ["services"], "date": today()}


def risk_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"instrument": scene.instrument().pk, "answers": scene.lowest_answers()}


def custody_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {
        "to_agency": scene.world.ngo.pk,
        "legal_basis": "Order of the provincial court",
        "authorising_official": "Judge Chan Dara",
        "date": today(),
        "family_consent": True,
    }


def reintegration_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {
        "date": today(),
        "placement": scene.family_placement(case).pk,
        "follow_up_worker": case.owner_id,
    }


def visit_body(scene: Scene, visit: Any) -> dict[str, Any]:
    return {"visit_date": today(), "outcome": "stable", "scores": dict.fromkeys(DOMAINS, 4)}


def visit_form(scene: Scene, visit: Any) -> dict[str, Any]:
    scores = {f"score_{domain}": "4" for domain in DOMAINS}
    return {"visit_date": today(), "outcome": "stable", "notes": "", **scores}


def reschedule_body(scene: Scene, visit: Any) -> dict[str, Any]:
    return {"new_date": tomorrow(), "reason": "The family was away."}


def accept_body(scene: Scene, referral: Any) -> dict[str, Any]:
    return {"assigned_to": scene.world.other_worker.pk}


def body(**values: Any) -> Body:
    return lambda scene, obj: values


def owner_body(key: str) -> Body:
    return lambda scene, case: {key: scene.world.teammate.pk}


def versioned(**values: Any) -> Body:
    return lambda scene, case: {"version": case.version, **values}


def assign_form(scene: Scene, case: Any) -> dict[str, Any]:
    return {"version": case.version, "owner": scene.world.teammate.pk}


def placement_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"type": "kinship", "start_date": today(), "caregiver": "Her aunt"}


def service_status_form(scene: Scene, case: Any) -> dict[str, Any]:
    return {f"service-{scene.service(case).pk}-status": "delivered"}


def legal_record(scene: Scene, case: Any) -> dict[str, Any]:
    """The case and a proceeding of it, made once per case."""
    proceeding = scene._once(
        ("legal_proceeding", str(case.pk)),
        lambda: LegalProceeding.objects.create(
            case=case, court="Provincial court", child_role="victim", created_by=case.owner
        ),
    )
    return {"case_id": case.pk, "pk": proceeding.pk}


def proceeding_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"court": "Provincial court", "child_role": "witness"}


def hearing_body(scene: Scene, case: Any) -> dict[str, Any]:
    return {"date": tomorrow(), "kind": "trial"}


def document_record(scene: Scene, case: Any) -> dict[str, Any]:
    """The case and a document of it (its file encrypted in the documents storage), made once
    per case."""

    def make() -> Document:
        stored = vault.store(b"%PDF-1.7 a birth certificate")
        return Document.objects.create(
            case=case,
            kind="birth_certificate",
            title="Birth certificate",
            content_type="application/pdf",
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.name,
            uploaded_by=case.owner,
        )

    document = scene._once(("document", str(case.pk)), make)
    return {"case_id": case.pk, "pk": document.pk}


READ = Needs()
MANAGE = Needs(right="manage")
CONTRIBUTE = Needs(right="contribute")
APPROVE = Needs(right="approve")
RISK = Needs(section=Section.RISK)
PLAN = Needs(section=Section.CASE_PLAN)
NOTES = Needs(section=Section.NOTES)
PLACEMENTS = Needs(section=Section.PLACEMENTS)
# A plan is reached through its section before anything is done with it.
PLAN_MANAGE = Needs(section=Section.CASE_PLAN, right="manage")
PLAN_APPROVE = Needs(section=Section.CASE_PLAN, right="approve")
NOTES_CONTRIBUTE = Needs(section=Section.NOTES, right="contribute")
NOTES_MANAGE = Needs(section=Section.NOTES, right="manage")
DOCUMENTS = Needs(section=Section.DOCUMENTS)
DOCUMENTS_CONTRIBUTE = Needs(section=Section.DOCUMENTS, right="contribute")
DOCUMENTS_MANAGE = Needs(section=Section.DOCUMENTS, right="manage")
REPATRIATION_MANAGE = Needs(section=Section.REPATRIATION, right="manage")
# Court proceedings: the legal section to read, and to it the right to add to the case.
LEGAL = Needs(section=Section.LEGAL)
LEGAL_CONTRIBUTE = Needs(section=Section.LEGAL, right="contribute")

PLAN_RECORD = record_id("plan")
CASE_PAGE = case_id("pk")

TAB_NEEDS = {
    "profile": Needs(section=Section.PROFILE),
    "concerns": Needs(section=Section.CONCERNS),
    "risk": RISK,
    "plan": PLAN,
    "services": NOTES,
    "notes": NOTES,
    "consent": NOTES,
    "placements": PLACEMENTS,  # or the follow-ups: nobody here holds one without the other
    "referrals": Needs(history=True),  # with full access to the file
    "history": Needs(history=True),
}


def referral_probe(method: str, need: str, **extra: Any) -> Probe:
    return Probe("referral", method, own_id, need, **extra)


def visit_probe(method: str, need: str, **extra: Any) -> Probe:
    return Probe("follow_up", method, own_id, need, **extra)


SENT, PENDING, ACCEPTED = (
    ReferralStatus.SENT,
    ReferralStatus.PENDING_APPROVAL,
    ReferralStatus.ACCEPTED,
)

MATRIX: dict[str, tuple[Probe, ...]] = {
    # --- The API: a case and its actions --------------------------------------------------
    "case-detail": (
        case_probe("get", case_id("pk")),
        case_probe("patch", case_id("pk"), MANAGE, body=body(summary="Seen again.")),
    ),
    "case-history": (case_probe("get", case_id("pk"), Needs(history=True)),),
    "case-assign": (
        case_probe("post", case_id("pk"), Needs(right="assign"), body=owner_body("owner")),
    ),
    "case-close": (
        case_probe(
            "post", case_id("pk"), Needs(right="request_closure"), body=body(reason="other")
        ),
    ),
    "case-close-approve": (case_probe("post", case_id("pk"), APPROVE, body=body(comment="")),),
    "case-close-reject": (
        case_probe("post", case_id("pk"), APPROVE, body=body(comment="Not yet.")),
    ),
    "case-reopen": (case_probe("post", case_id("pk"), MANAGE, body=body(reason="A new concern.")),),
    "case-named-people": (
        case_probe("get", case_id()),
        case_probe("post", case_id(), MANAGE, body=owner_body("user")),
    ),
    "case-named-person": (
        case_probe(
            "delete",
            lambda scene, case: {"case_id": case.pk, "user_id": scene.world.teammate.pk},
            MANAGE,
        ),
    ),
    # --- The API: what a case holds -------------------------------------------------------
    "case-risk-assessment-list": (
        case_probe("get", case_id(), RISK),
        case_probe("post", case_id(), Needs(right="manage"), body=risk_body),
    ),
    "case-risk-assessment-detail": (case_probe("get", record_id("assessment"), RISK),),
    "case-plan-list": (
        case_probe("get", case_id(), PLAN),
        case_probe("post", case_id(), MANAGE, body=plan_body),
    ),
    "case-plan-detail": (
        case_probe("get", PLAN_RECORD, PLAN),
        case_probe("patch", PLAN_RECORD, PLAN_MANAGE, body=plan_body),
    ),
    "case-plan-submit": (case_probe("post", PLAN_RECORD, PLAN_MANAGE),),
    "case-plan-approve": (case_probe("post", PLAN_RECORD, PLAN_APPROVE, body=body(comment="")),),
    "case-plan-reject": (
        case_probe("post", PLAN_RECORD, PLAN_APPROVE, body=body(comment="Say more.")),
    ),
    "case-service-list": (
        case_probe("get", case_id(), NOTES),
        case_probe("post", case_id(), CONTRIBUTE, body=body(service="psychosocial")),
    ),
    # The record is the case agency's: a grantee of another agency edits only her own ones.
    "case-service-detail": (
        case_probe("get", record_id("service"), NOTES),
        case_probe("patch", record_id("service"), NOTES_MANAGE, body=body(status="delivered")),
    ),
    "case-identification-list": (
        case_probe("get", case_id(), Needs(section=Section.CONCERNS)),
        case_probe(
            "post",
            case_id(),
            Needs(section=Section.CONCERNS, right="identify_victim"),
            body=identification_body,
        ),
    ),
    "case-repatriation-list": (
        case_probe("get", case_id(), Needs(section=Section.REPATRIATION)),
        case_probe("post", case_id(), REPATRIATION_MANAGE, body=repatriation_body),
    ),
    "case-repatriation-detail": (
        case_probe("get", record_id("repatriation"), Needs(section=Section.REPATRIATION)),
    ),
    "case-repatriation-advance": (
        case_probe("post", record_id("repatriation"), REPATRIATION_MANAGE, body=advance_body),
    ),
    "case-identification-add": (
        form(
            case_id("pk"),
            Needs(section=Section.CONCERNS, right="identify_victim"),
            body=identification_form,
        ),
    ),
    "case-repatriation-add": (form(case_id("pk"), REPATRIATION_MANAGE, body=repatriation_form),),
    "case-repatriation-advance-page": (
        form(
            record_id("repatriation", "repatriation_id", "pk"),
            REPATRIATION_MANAGE,
            body=advance_form,
        ),
    ),
    "case-note-list": (
        case_probe("get", case_id(), NOTES),
        case_probe("post", case_id(), CONTRIBUTE, body=note_body),
    ),
    "case-consent-list": (
        case_probe("get", case_id(), NOTES),
        case_probe("post", case_id(), MANAGE, body=consent_body),
    ),
    "case-consent-withdraw": (case_probe("post", record_id("consent"), NOTES_MANAGE),),
    "case-consent-withdraw-page": (form(record_id("consent", "consent_id", "pk"), NOTES_MANAGE),),
    "case-custody-transfer-list": (
        case_probe("get", case_id(), PLACEMENTS),
        case_probe("post", case_id(), MANAGE, body=custody_body),
    ),
    "case-placement-list": (
        case_probe("get", case_id(), PLACEMENTS),
        case_probe("post", case_id(), MANAGE, body=placement_body),
    ),
    "case-reintegration": (
        case_probe("get", case_id(), PLACEMENTS),
        case_probe("post", case_id(), MANAGE, body=reintegration_body),
    ),
    "case-legal-proceeding-list": (
        case_probe("get", case_id(), LEGAL),
        case_probe("post", case_id(), LEGAL_CONTRIBUTE, body=proceeding_body),
    ),
    "case-legal-proceeding-detail": (
        case_probe("get", legal_record, LEGAL),
        case_probe("patch", legal_record, LEGAL_CONTRIBUTE, body=body(outcome="Adjourned.")),
    ),
    "case-legal-hearing-list": (
        case_probe("get", legal_record, LEGAL),
        case_probe("post", legal_record, LEGAL_CONTRIBUTE, body=hearing_body),
    ),
    # The court case tab's forms, on the proceeding made once per case and a hearing of it.
    "case-legal-proceeding-add": (
        form(
            CASE_PAGE,
            LEGAL_CONTRIBUTE,
            body(**{"proceeding-court": "Provincial court", "proceeding-child_role": "witness"}),
        ),
    ),
    "case-legal-proceeding-change": (
        form(
            lambda scene, case: {"pk": case.pk, "proceeding_id": legal_record(scene, case)["pk"]},
            LEGAL_CONTRIBUTE,
            body(**{"change-version": 1, "change-outcome": "Adjourned."}),
        ),
    ),
    "case-legal-hearing-add": (
        form(
            lambda scene, case: {"pk": case.pk, "proceeding_id": legal_record(scene, case)["pk"]},
            LEGAL_CONTRIBUTE,
            body(**{"hearing-date": tomorrow(), "hearing-kind": "trial"}),
        ),
    ),
    "case-legal-hearing-reschedule": (
        form(
            lambda scene, case: {
                "pk": case.pk,
                "proceeding_id": legal_record(scene, case)["pk"],
                "hearing_id": scene._once(
                    ("legal_hearing", str(case.pk)),
                    lambda: LegalProceeding(pk=legal_record(scene, case)["pk"]).hearings.create(
                        date=timezone.localdate(), kind="trial", created_by=case.owner
                    ),
                ).pk,
            },
            LEGAL_CONTRIBUTE,
            body(**{"reschedule-date": tomorrow()}),
        ),
    ),
    # Uploads are multipart: a JSON body is refused (415) once the right to add is granted.
    "case-document-list": (
        case_probe("get", case_id(), DOCUMENTS),
        case_probe("post", case_id(), DOCUMENTS_CONTRIBUTE, body=body(kind="photo")),
    ),
    "case-document-detail": (case_probe("get", document_record, DOCUMENTS),),
    "case-document-download": (case_probe("get", document_record, DOCUMENTS),),
    "case-document-withdraw": (
        case_probe("post", document_record, DOCUMENTS_MANAGE, body=body(reason="Wrong child.")),
    ),
    # The documents tab's forms and the file it links to, and the custody tab's form.
    "case-document-add": (form(CASE_PAGE, DOCUMENTS_CONTRIBUTE),),
    "case-document-file": (
        page(
            lambda scene, case: {"pk": case.pk, "document_id": document_record(scene, case)["pk"]},
            DOCUMENTS,
        ),
    ),
    "case-document-withdraw-page": (
        form(
            lambda scene, case: {"pk": case.pk, "document_id": document_record(scene, case)["pk"]},
            DOCUMENTS_MANAGE,
            lambda scene, case: {
                f"withdraw-{document_record(scene, case)['pk']}-reason": "Wrong child."
            },
        ),
    ),
    "case-custody-add": (
        form(
            CASE_PAGE,
            Needs(section=Section.PLACEMENTS, right="manage"),
            lambda scene, case: {
                f"custody-{key}": value for key, value in custody_body(scene, case).items()
            },
        ),
    ),
    # --- The API: referrals and follow-up visits ------------------------------------------
    "referral-detail": (referral_probe("get", "read"),),
    "referral-approve": (referral_probe("post", "approve", status=PENDING),),
    "referral-accept": (referral_probe("post", "answer", body=accept_body),),
    "referral-decline": (referral_probe("post", "answer", body=body(reason="We are full.")),),
    "referral-complete": (
        referral_probe("post", "answer", status=ACCEPTED, body=body(outcome="Counselled.")),
    ),
    "referral-cancel": (referral_probe("post", "cancel", body=body(reason="Resolved.")),),
    "follow-up-detail": (visit_probe("get", "read"),),
    "follow-up-complete": (visit_probe("post", "record", body=visit_body),),
    "follow-up-reschedule": (visit_probe("post", "record", body=reschedule_body),),
    # --- The pages of a case ---------------------------------------------------------------
    "case-page": (page(CASE_PAGE),),
    "case-print-page": (page(CASE_PAGE),),
    "case-print-pdf": (page(CASE_PAGE),),
    "case-edit-page": (page(CASE_PAGE, MANAGE), form(CASE_PAGE, MANAGE, insiders=False)),
    "case-named-page": (page(CASE_PAGE, Needs(restricted_only=True)),),
    "case-act": (
        form(
            with_slug(CASE_PAGE, action="assign"),
            Needs(right="assign"),
            assign_form,
            variant="assign",
        ),
        form(
            with_slug(CASE_PAGE, action="close"),
            Needs(right="request_closure"),
            versioned(reason="other"),
            variant="close",
            outsiders=False,
        ),
    ),
    "case-note-add": (form(CASE_PAGE, CONTRIBUTE, note_body),),
    "case-service-add": (
        form(CASE_PAGE, CONTRIBUTE, body(service="psychosocial", status="planned")),
    ),
    "case-service-status": (
        form(record_id("service", "service_id", "pk"), NOTES_MANAGE, service_status_form),
    ),
    "case-consent-add": (form(CASE_PAGE, MANAGE, consent_body),),
    "case-risk-new-page": (page(CASE_PAGE, Needs(section=Section.RISK, right="manage")),),
    # What the form's answers come to: asked as the form is, and writing nothing.
    "case-risk-preview-page": (form(CASE_PAGE, Needs(section=Section.RISK, right="manage")),),
    "case-risk-page": (page(record_id("assessment", "assessment_id", "pk"), RISK),),
    "case-plan-new-page": (page(CASE_PAGE, PLAN_MANAGE),),
    "case-plan-edit-page": (page(record_id("plan", "plan_id", "pk"), PLAN_MANAGE),),
    "case-plan-decide": (
        form(
            with_slug(record_id("plan", "plan_id", "pk"), decision="submit"),
            PLAN_MANAGE,
            variant="submit",
        ),
        form(
            with_slug(record_id("plan", "plan_id", "pk"), decision="approve"),
            PLAN_APPROVE,
            variant="approve",
            outsiders=False,
        ),
        form(
            with_slug(record_id("plan", "plan_id", "pk"), decision="reject"),
            PLAN_APPROVE,
            body(comment="Say more."),
            variant="reject",
            outsiders=False,
        ),
    ),
    # The first tab as a whole page; the others as htmx asks for them, the tab alone, which the
    # same check decides.
    "case-tab": tuple(
        page(
            with_slug(CASE_PAGE, tab=slug),
            needs,
            variant=slug,
            outsiders=slug == "profile",
            headers={} if slug == "profile" else {"HX-Request": "true"},
        )
        for slug, needs in TAB_NEEDS.items()
    ),
    "case-placement-add": (form(CASE_PAGE, MANAGE, placement_body),),
    "case-reintegration-add": (form(CASE_PAGE, MANAGE, reintegration_body),),
    # --- The pages of referrals and visits -------------------------------------------------
    "referral-page": (Probe("referral", "get", own_id, "read", web=True),),
    # Of the actions on a sent referral, the first asks those who cannot see it.
    "referral-act": tuple(
        Probe(
            "referral",
            "post",
            with_slug(own_id, action=action),
            need,
            body=action_body,
            web=True,
            status=status,
            variant=action,
            outsiders=outsiders,
        )
        for action, need, status, action_body, outsiders in (
            ("approve", "approve", PENDING, _no_body, True),
            ("accept", "answer", SENT, accept_body, True),
            ("decline", "answer", SENT, body(reason="We are full."), False),
            ("complete", "answer", ACCEPTED, body(outcome="Counselled."), True),
            ("cancel", "cancel", SENT, body(reason="Resolved."), False),
        )
    ),
    "follow-up-page": (visit_probe("get", "read", web=True),),
    "follow-up-complete-page": (visit_probe("post", "record", body=visit_form, web=True),),
    "follow-up-reschedule-page": (visit_probe("post", "record", body=reschedule_body, web=True),),
}

# Routes that take an id but hold no case data, each with where its access is tested.
NOT_CASE_DATA = {
    "user-detail": "a person's account (tests/api/test_users.py)",
    "agency-detail": "an organisation (tests/api/test_agencies.py)",
    "location-detail": "a place of the gazetteer (tests/api/test_locations.py)",
    "webhook-detail": "an agency's partner endpoint (tests/notifications/test_webhook_api.py)",
    "webhook-deliveries": "an endpoint's deliveries (tests/notifications/test_webhook_api.py)",
    "webhook-rotate-secret": "an endpoint's secret (tests/notifications/test_webhook_api.py)",
    "webhook-redeliver": "an endpoint's delivery (tests/notifications/test_webhook_redeliver.py)",
    **dict.fromkeys(
        [
            "manage-webhook",
            "manage-webhook-rotate-secret",
            "manage-webhook-delete",
            "manage-webhook-redeliver",
        ],
        "an agency's partner endpoint (tests/notifications/test_webhook_pages.py)",
    ),
    "notification-read": "the caller's own notice (tests/reintegration/test_notifications_api.py)",
    "notification-open-page": "the caller's own notice, which opens its subject's page",
    "export-detail": "the caller's own export (tests/exports/test_exports.py)",
    "export-download": "the caller's own export's file (tests/exports/test_exports.py)",
    "export-page": "the caller's own export (tests/exports/test_pages.py)",
    "export-download-page": "the caller's own export's file (tests/exports/test_pages.py)",
    "import-detail": "the caller's own import (tests/imports/test_imports.py)",
    "import-page": "the caller's own import (tests/imports/test_pages_and_command.py)",
    "case-reassign-page": "a worker's cases, through the policy (tests/cases/test_reassign.py)",
    "session-end": "the caller's own signed-in session (tests/accounts/test_self_service.py)",
    "token-revoke": "the caller's own API token (tests/accounts/test_self_service.py)",
    "manage-user": "a person's account (tests/accounts/test_manage_pages.py)",
    "manage-user-action": "a person's account (tests/accounts/test_manage_pages.py)",
    "manage-agency": "an organisation (tests/accounts/test_manage_pages.py)",
    # A child reported at risk before any case exists: seen by its reporter (status only) and
    # the office it went to, 404 for everyone else.
    **dict.fromkeys(
        ["concern-report-detail", "concern-report-open-case", "concern-report-close"],
        "a report of a child at risk (tests/intake/test_concern_reports_api.py)",
    ),
    **dict.fromkeys(
        ["concern-report-page", "concern-report-open-case-page", "concern-report-close-page"],
        "a report of a child at risk (tests/intake/test_report_pages.py)",
    ),
}


# --- Walking the URL resolver ----------------------------------------------------------------


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, parameters: frozenset[str]
) -> Iterator[tuple[str, str, frozenset[str]]]:
    for pattern in patterns:
        here = parameters | frozenset(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), here)
        elif pattern.name:
            yield prefix + str(pattern.pattern), pattern.name, here


def routes_taking_an_id() -> set[str]:
    """The named routes whose address holds an object's id (``pk``, ``case_id``, ...). The
    admin site is left out: it edits configuration, never case data."""
    return {
        name
        for path, name, parameters in _walk(get_resolver().url_patterns, "", frozenset())
        if not path.startswith("admin/")
        and any(parameter == "pk" or parameter.endswith("_id") for parameter in parameters)
    }


def test_every_endpoint_and_page_that_takes_an_id_has_an_entry_in_the_access_matrix() -> None:
    routes = routes_taking_an_id()
    missing = sorted(routes - set(MATRIX) - set(NOT_CASE_DATA))
    assert not missing, (
        f"every endpoint that takes an id needs an entry in the access matrix: {missing}"
    )
    stale = sorted((set(MATRIX) | set(NOT_CASE_DATA)) - routes)
    assert not stale, f"the access matrix names routes that no longer exist: {stale}"
    assert not set(MATRIX) & set(NOT_CASE_DATA)


def test_each_case_is_asked_about_by_someone_who_sees_it_and_by_someone_who_does_not() -> None:
    for relation in CASE_RELATIONS:
        askers = [persona for persona in PERSONAS if relation in ASKED_ABOUT[persona]]
        seeing = [persona for persona in askers if persona in CASE_HOLDINGS[relation]]
        assert seeing, relation
        assert len(seeing) < len(askers), relation
    assert set(ASKED_ABOUT) == set(PERSONAS)


# --- Asking ------------------------------------------------------------------------------------


class Callers:
    """One signed-in client per persona and channel (API token or browser session)."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self._clients: dict[tuple[str, bool], Any] = {}

    def of(self, persona: str, *, web: bool) -> Any:
        key = (persona, web)
        if key not in self._clients:
            user: User = self.scene.persona(persona)
            client: Any
            if web:
                client = Client(raise_request_exception=False)
                client.force_login(user)
            else:
                client = api_client(user)
                client.raise_request_exception = False
            self._clients[key] = client
        return self._clients[key]


def ask(client: Any, probe: Probe, path: str, data: dict[str, Any]) -> int:
    if not probe.write:
        return int(client.get(path, headers=probe.headers).status_code)
    # Every cell asks about the same objects: what a write did is undone, back to a savepoint of
    # the test's transaction (the services open their own durable transactions, which may not
    # sit inside another atomic block).
    before = transaction.savepoint()
    try:
        send = getattr(client, probe.method)
        if probe.web:
            response = send(path, data, headers=probe.headers)
        else:
            response = send(path, data, format="json")
    finally:
        transaction.savepoint_rollback(before)
    return int(response.status_code)


def matches(got: int, expected: Expected) -> bool:
    if expected == ALLOWED:
        return got not in {403, 404} and got < 500
    return got == expected


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_persona_gets_what_the_access_rules_give_on_every_object_of(
    route: str, scene: Scene
) -> None:
    callers = Callers(scene)
    disagreements = []
    for probe in MATRIX[route]:
        for relation in probe.relations():
            target = probe.target(scene, relation)
            path = reverse(route, kwargs=probe.kwargs(scene, target))
            data = probe.body(scene, target)
            for persona in PERSONAS:
                if not probe.asks(persona, relation):
                    continue
                expected = probe.expected(persona, relation)
                got = ask(callers.of(persona, web=probe.web), probe, path, data)
                if not matches(got, expected):
                    disagreements.append(
                        f"{route} {probe.variant} {probe.method.upper()} {path}: {persona} on "
                        f"{relation}: got {got}, expected {expected}"
                    )
    assert not disagreements, "\n".join(disagreements)
