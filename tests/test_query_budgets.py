"""What a request of the case file costs in SQL, on a case with a realistic file: a child with a
family, concerns, risk assessments, notes, services, consents, plans with goals and actions, a
referral, and a reintegration with its follow-up visits.

The budgets are the acceptance of the "one door" work: saving a plan from its page at most 20
statements, opening a tab of the case file at most 12 (whatever the number of rows it lists),
recording a follow-up visit at most 21 (20 when it was set, and one more since a recorded visit
settles its reminders for everyone). What they count is said at ``counted``. Besides the
count, each request evaluates the visibility query once (the door, or the section filter of a
follow-up), and a request that writes records its write and no reading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ServiceType, User
from audit.models import AuditEvent
from cases.choices import PlanStatus, Section
from cases.models import (
    Case,
    CaseConcern,
    CaseNote,
    CasePlan,
    CaseService,
    ConcernType,
    Consent,
    FamilyMember,
    PlanAction,
    PlanGoal,
)
from cases.policy import case_access, section_readable, visible_cases
from cases.services.access import case_set_grants
from cases.services.risk import risk_assessment_record
from referrals import services as referral_services
from reintegration import services as reintegration_services
from reintegration.choices import FollowUpStatus, WellbeingDomain
from reintegration.models import FollowUp, Reintegration
from tests.cases.test_risk import current_instrument, lowest_answers
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, UserFactory
from tests.reintegration.helpers import another_commune
from tests.web.conftest import signed_in

PLAN_SAVE_BUDGET = 20
TAB_BUDGET = 12
VISIT_BUDGET = 23  # 20, the UPDATE that settles the visit's reminders, and one query each to
# learn whether a partner system listens for case.updated or follow_up.recorded
# Through the API: the child, family, case, concerns and audit event written, the reminders
# and the partner systems' subscriptions settled, the district's namesakes read in one
# statement, the case read back through the door.
REGISTER_BUDGET = 24
# The referral read (its agencies, then the reader's side of it), locked and answered, the
# grants it gives written (the reason, then the permissions, one statement each), two audit
# events, the sender notified, and the referral read again for the answer.
ACCEPT_BUDGET = 26

# Every tab the owner of a case sees, in their order.
OWNER_TABS = [
    "profile",
    "concerns",
    "risk",
    "plan",
    "services",
    "notes",
    "consent",
    "trafficking",
    "legal",
    "placements",
    "custody",
    "referrals",
    "documents",
    "history",
]

# The visibility query (cases.policy.visible_cases, section_readable and readable_filter) always
# holds the branch of the people named on a restricted case: the named-user table joined to the
# case to keep the restricted cases only (``_named_branch``). No other query of the project
# joins that table to the case: the access computed for a case reads the named-user rows by case
# id, a referral's reader is matched by an EXISTS on the same table, neither joining the case.
# So each occurrence of that join is one evaluation of the visibility condition, whether it is
# a statement of its own or a subquery of another one;
# test_the_marker_counts_each_evaluation_of_the_visibility_query keeps this true.
VISIBILITY_MARKER = re.compile(r'FROM "cases_casenameduser"(?: \w+)? INNER JOIN "cases_case"')


def visibility_evaluations(queries: CaptureQueriesContext) -> int:
    return sum(len(VISIBILITY_MARKER.findall(query["sql"])) for query in queries.captured_queries)


# What every signed-in page costs before and after its own work, left out of the budgets: the
# session read and, as every request prolongs it (SESSION_SAVE_EVERY_REQUEST), written back;
# the signed-in person read by the authentication middleware; and the savepoints into which the
# test's own transaction turns each transaction (in production the outermost is a BEGIN and a
# COMMIT, which no query log counts). Without them the budgets of the issue hold nothing: they
# take seven of a tab's twelve statements. Everything else counts, the audit trail included.
SAVEPOINTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")
SESSION = '"django_session"'
SIGNED_IN_USER = re.compile(r'FROM "accounts_user" WHERE "accounts_user"\."id" = \d+ LIMIT 21$')


def counted(queries: CaptureQueriesContext) -> list[str]:
    """The statements a request's budget counts: all but the session's, the signed-in
    person's first reading and the savepoints."""
    statements = [query["sql"] for query in queries.captured_queries]
    kept = [sql for sql in statements if not sql.startswith(SAVEPOINTS) and SESSION not in sql]
    signed_in_user = next((sql for sql in kept if SIGNED_IN_USER.search(sql)), None)
    if signed_in_user is not None:
        kept.remove(signed_in_user)
    return kept


def listing(statements: list[str]) -> str:
    """The statements, numbered: what a failed budget shows."""
    return "\n".join(f"{number:3}. {sql[:300]}" for number, sql in enumerate(statements, start=1))


@dataclass
class Measure:
    queries: CaptureQueriesContext
    events: list[str]
    answer: Any = None

    @property
    def statements(self) -> list[str]:
        return counted(self.queries)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def visibility(self) -> int:
        return visibility_evaluations(self.queries)

    @property
    def readings(self) -> list[str]:
        return [
            action
            for action in self.events
            if action.startswith("case.view") or action.endswith(".list_read")
        ]

    def __str__(self) -> str:
        return f"{self.count} statements counted:\n{listing(self.statements)}"


def measured(request: Any) -> Measure:
    """Runs ``request`` (a call of the test client), counting its statements and collecting
    the audit events it wrote."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        answer = request()
    assert answer.status_code in {200, 201, 302}, getattr(answer, "content", answer)[:2000]
    events = list(
        AuditEvent.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True)
    )
    return Measure(queries=queries, events=events, answer=answer)


# --- A realistic case file --------------------------------------------------------------------


def _in_the_past(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _add_records(world: World, case: Case, *, count: int, people: list[User]) -> None:
    """``count`` more rows of every kind the case file lists: family members, concerns, risk
    assessments, notes, services, consents, an approved plan whose actions name ``people``."""
    child = case.child
    for number in range(count):
        FamilyMember.objects.create(
            child=child, name=f"Relative {number}", relation="other_relative"
        )
        CaseNote.objects.create(
            case=case,
            kind="home_visit",
            date=_in_the_past(number),
            text=f"Visit {number}",
            agency=world.ngo,
            author=people[number % len(people)],
        )
        CaseService.objects.create(
            case=case,
            service=ServiceType.objects.order_by("code")[number % 3],
            provider_agency=world.other_ngo,
            agency=world.ngo,
            recorded_by=people[number % len(people)],
        )
        Consent.objects.create(
            case=case,
            given_by="caregiver",
            giver_name=f"Caregiver {number}",
            scope=["data_sharing", "referral", "services"],
            date=_in_the_past(number),
            recorded_by=case.owner,
        )
    known = set(case.concern_rows.values_list("concern_id", flat=True))
    for concern in ConcernType.objects.exclude(code__in=known).order_by("code")[:count]:
        CaseConcern.objects.create(case=case, concern=concern)
    for _number in range(count):
        risk_assessment_record(
            actor=case.owner,
            case=case,
            instrument=current_instrument(),
            answers=lowest_answers(current_instrument()),
        )
    plan = CasePlan.objects.create(
        case=case,
        status=PlanStatus.APPROVED,
        created_by=case.owner,
        submitted_by=case.owner,
        submitted_at=timezone.now(),
        decided_by=world.supervisor,
        decided_at=timezone.now(),
    )
    _goals(plan, goals=count, actions=count, people=people)


def _goals(plan: CasePlan, *, goals: int, actions: int, people: list[User]) -> None:
    for g in range(goals):
        goal = PlanGoal.objects.create(plan=plan, order=g, description=f"Goal {g}")
        for a in range(actions):
            PlanAction.objects.create(
                goal=goal,
                order=a,
                description=f"Action {g}.{a}",
                responsible=people[(g + a) % len(people)],
                due_date=timezone.localdate() + timedelta(days=30 + a),
            )


def _refer(case: Case, to: Any) -> None:
    referral_services.referral_create(
        actor=case.owner,
        case=case,
        to_agency=to,
        type="service",
        urgency="urgent",
        services=["shelter"],
        reason="Needs a safe place.",
        shared_sections=["profile", "concerns"],
    )


def _reintegrate(world: World, case: Case, *, on: date, home: str = "parents") -> Reintegration:
    """The child goes to a family (her parents unless ``home`` says otherwise) in the commune
    member's commune, followed up by the teammate."""
    family = reintegration_services.placement_create(
        actor=case.owner,
        case=case,
        type=home,
        start_date=on,
        location=world.pp_village,
        caregiver="Sokha",
    )
    return reintegration_services.reintegration_create(
        actor=case.owner,
        case=case,
        date=on,
        placement=family,
        follow_up_worker=world.teammate,
        commune_focal_point=world.commune_member,
    )


@pytest.fixture
def full_case(world: World) -> Case:
    """The worker's case with a file of every kind, and a draft plan of two goals of two
    actions each in the making."""
    case = world.own_case
    people = [world.worker, world.teammate, world.supervisor]
    _add_records(world, case, count=3, people=people)
    draft = CasePlan.objects.create(case=case, created_by=case.owner)
    _goals(draft, goals=2, actions=2, people=people)
    _refer(case, world.other_ngo)
    reintegration_services.placement_create(
        actor=case.owner,
        case=case,
        type="shelter",
        start_date=_in_the_past(150),
        agency=world.ngo,
        caregiver="Hope Shelter",
    )
    _reintegrate(world, case, on=_in_the_past(60))
    return case


def _more_of_everything(world: World, case: Case) -> None:
    """Several times the rows of every list of the file, naming more people, so that a count
    that grows with them shows."""
    people = [
        UserFactory.create(username=f"colleague{n}", agency=world.ngo, supervisor=world.supervisor)
        for n in range(4)
    ]
    _add_records(world, case, count=6, people=[*people, world.worker])
    _refer(case, AgencyFactory.create(name="Second Shelter"))
    _reintegrate(world, case, on=_in_the_past(30), home="kinship")


# --- The marker -------------------------------------------------------------------------------


def test_the_marker_counts_each_evaluation_of_the_visibility_query(world: World) -> None:
    def marks(sql: str) -> int:
        return len(VISIBILITY_MARKER.findall(sql))

    user = world.worker
    visits = FollowUp.objects.filter(section_readable(user, Section.FOLLOW_UPS, through="case"))
    assert marks(str(visible_cases(user).query)) == 1
    assert marks(str(visits.query)) == 1
    nested = visible_cases(user).filter(pk__in=visible_cases(user).values("pk"))
    assert marks(str(nested.query)) == 2
    # The access to a case reads the named-user rows too, but is not the visibility query.
    with CaptureQueriesContext(connection) as queries:
        case_access(user, world.restricted_case)
    assert any("cases_casenameduser" in query["sql"] for query in queries.captured_queries)
    assert visibility_evaluations(queries) == 0


# --- Opening a tab ----------------------------------------------------------------------------


# Each tab the owner opens, and the placements tab with each of the forms it opens on asking.
PAGES = [
    *((tab, "") for tab in OWNER_TABS),
    ("trafficking", "?record=identification"),
    ("trafficking", "?record=repatriation"),
    ("placements", "?record=placement"),
    ("placements", "?record=reintegration"),
]


def _open_tab(client: Client, case: Case, tab: str, query: str) -> Measure:
    return measured(lambda: client.get(f"/cases/{case.pk}/{tab}/{query}"))


def test_the_owner_sees_every_tab_measured_here(world: World, full_case: Case) -> None:
    answer = signed_in(world.worker).get(f"/cases/{full_case.pk}/")
    assert [tab.slug for tab in answer.context["tabs"]] == OWNER_TABS


@pytest.mark.parametrize(("tab", "query"), PAGES)
def test_a_tab_of_the_case_file_keeps_its_budget_whatever_the_file_holds(
    world: World, full_case: Case, tab: str, query: str
) -> None:
    client = signed_in(world.worker)
    client.get(f"/cases/{full_case.pk}/{tab}/")  # the session, as a reader's next page finds it
    first = _open_tab(client, full_case, tab, query)
    assert first.count <= TAB_BUDGET, str(first)
    assert first.visibility == 1, str(first)
    assert len(first.readings) == 1, first.events

    _more_of_everything(world, full_case)
    again = _open_tab(client, full_case, tab, query)
    assert again.count == first.count, str(again)
    assert again.visibility == 1


def test_a_reader_of_the_follow_ups_alone_reads_the_visits_once_through_the_door(
    world: World, full_case: Case
) -> None:
    """Given the follow-ups without the placements, a reader finds the visits on the
    placements tab: the door that opened the tab to her decided, and nothing asks again."""
    case_set_grants(
        actor=world.worker,
        case=full_case,
        grantee=world.other_worker,
        sections={Section.FOLLOW_UPS},
        contribute=False,
        reason="referral",
    )
    client = signed_in(world.other_worker)
    tab = f"/cases/{full_case.pk}/placements/"
    answer = client.get(tab)
    assert answer.context["sees_placements"] is False
    assert len(answer.context["visits"]) == FollowUp.objects.filter(case=full_case).count() > 0

    reading = measured(lambda: client.get(tab))

    assert reading.count <= TAB_BUDGET, str(reading)
    assert reading.visibility == 1, str(reading)


def test_the_placements_tab_opens_each_form_on_asking(world: World, full_case: Case) -> None:
    client = signed_in(world.worker)
    tab = f"/cases/{full_case.pk}/placements/"

    reading = client.get(tab)
    placing = client.get(f"{tab}?record=placement")
    returning = client.get(f"{tab}?record=reintegration")

    assert "placement_form" not in reading.context
    assert "reintegration_form" not in reading.context
    assert f'href="{tab}?record=placement"' in reading.content.decode()
    assert "placement_form" in placing.context
    assert "reintegration_form" in returning.context


def test_the_reintegration_form_offers_the_committee_of_the_familys_commune(
    world: World, full_case: Case
) -> None:
    """The family lives in a village of the commune member's commune: its committee members,
    placed at the commune or at one of its villages, are offered; another commune's are not."""
    in_a_village = UserFactory.create(
        username="village_member",
        role=Role.COMMUNE_COMMITTEE,
        agency=world.ccwc,
        location=world.pp_village,
    )
    _village, elsewhere = another_commune(world)

    answer = signed_in(world.worker).get(f"/cases/{full_case.pk}/placements/?record=reintegration")

    offered = set(answer.context["reintegration_form"].fields["commune_focal_point"].queryset)
    assert offered == {world.commune_member, in_a_village}
    assert elsewhere not in offered


# --- Saving a plan from its page --------------------------------------------------------------


def _plan_form(responsible: list[User]) -> dict[str, object]:
    due = (timezone.localdate() + timedelta(days=45)).isoformat()
    form: dict[str, object] = {"goals": "2"}
    for g in range(2):
        form[f"goal-{g}-description"] = f"Safe at home, step {g}"
        form[f"goal-{g}-actions"] = "2"
        for a in range(2):
            where = f"goal-{g}-action-{a}"
            form[f"{where}-description"] = f"Visit the family ({g}.{a})"
            form[f"{where}-responsible"] = str(responsible[(g + a) % len(responsible)].pk)
            form[f"{where}-due_date"] = due
    return form


def test_saving_a_plan_from_its_page_keeps_its_budget_and_records_only_the_write(
    world: World, full_case: Case
) -> None:
    client = signed_in(world.worker)
    client.get(f"/cases/{full_case.pk}/plan/")
    draft = CasePlan.objects.get(case=full_case, status=PlanStatus.DRAFT)
    form = {**_plan_form([world.worker, world.teammate]), "version": draft.version}

    saved = measured(lambda: client.post(f"/cases/{full_case.pk}/plan/{draft.pk}/edit/", form))

    assert saved.count <= PLAN_SAVE_BUDGET, str(saved)
    assert saved.visibility == 1, str(saved)
    assert saved.events == ["plan.update"]
    assert PlanAction.objects.filter(goal__plan=draft).count() == 4


def test_saving_a_plan_through_the_api_records_only_the_write(
    world: World, full_case: Case
) -> None:
    draft = CasePlan.objects.get(case=full_case, status=PlanStatus.DRAFT)
    due = (timezone.localdate() + timedelta(days=45)).isoformat()
    body = {
        "goals": [
            {
                "description": "Back to school",
                "actions": [
                    {"description": "Enrol her", "responsible": world.teammate.pk, "due_date": due}
                ],
            }
        ]
    }
    url = f"/api/v1/cases/{full_case.pk}/case-plans/{draft.pk}/"

    saved = measured(lambda: api_client(world.worker).patch(url, body, format="json"))

    assert saved.events == ["plan.update"]
    assert saved.visibility == 1, str(saved)


def test_submitting_a_plan_from_its_page_records_only_the_decision(
    world: World, full_case: Case
) -> None:
    draft = CasePlan.objects.get(case=full_case, status=PlanStatus.DRAFT)
    client = signed_in(world.worker)

    submitted = measured(
        lambda: client.post(f"/cases/{full_case.pk}/plan/{draft.pk}/submit/", {"comment": ""})
    )

    assert submitted.events == ["plan.submit"]
    assert submitted.visibility == 1, str(submitted)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.SUBMITTED


# --- Recording a follow-up visit --------------------------------------------------------------


def _visit_due(case: Case) -> FollowUp:
    return FollowUp.objects.filter(case=case, status=FollowUpStatus.SCHEDULED).earliest(
        "scheduled_date"
    )


VISIT_FORM = {
    "outcome": "stable",
    "notes": "Settled at home.",
    **{f"score_{domain}": "4" for domain in WellbeingDomain.values},
}


@pytest.mark.parametrize("recorder", ["worker", "teammate", "commune_member"])
def test_recording_a_visit_from_its_page_keeps_its_budget_and_records_only_the_write(
    world: World, full_case: Case, recorder: str
) -> None:
    """By the case's owner, the follow-up worker (a grant) and the commune's member (an area
    grant): the visit's own page, never the case file."""
    client = signed_in(getattr(world, recorder))
    visit = _visit_due(full_case)
    client.get(f"/follow-ups/{visit.pk}/")
    form = {**VISIT_FORM, "visit_date": timezone.localdate().isoformat()}

    recorded = measured(lambda: client.post(f"/follow-ups/{visit.pk}/complete/", form))

    assert recorded.count <= VISIT_BUDGET, str(recorded)
    assert recorded.visibility == 1, str(recorded)
    assert recorded.readings == [], recorded.events
    assert "follow_up.complete" in recorded.events
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.COMPLETED


def test_recording_a_visit_through_the_api_records_only_the_write(
    world: World, full_case: Case
) -> None:
    visit = _visit_due(full_case)
    body = {
        "visit_date": timezone.localdate().isoformat(),
        "outcome": "stable",
        "scores": dict.fromkeys(WellbeingDomain.values, 4),
        "notes": "",
    }

    recorded = measured(
        lambda: api_client(world.teammate).post(
            f"/api/v1/follow-ups/{visit.pk}/complete/", body, format="json"
        )
    )

    assert recorded.readings == [], recorded.events
    assert "follow_up.complete" in recorded.events
    assert recorded.visibility == 1, str(recorded)


# --- Registering a child, accepting a referral ---------------------------------------------------


def test_registering_a_child_through_the_api_keeps_its_budget(world: World) -> None:
    """The checks of what the system set itself (its own rows, the number's sequence) are left
    to PostgreSQL's keys, and the duplicate check reads the district's namesakes in one
    statement: a namesake of the same age is found all the same."""
    namesake = world.own_case.child
    body = {
        "child": {
            "given_name": namesake.given_name,
            "family_name": namesake.family_name,
            "sex": namesake.sex,
            "estimated_age": namesake.age,
            "location": world.pp_village.pk,
        },
        "family": [{"name": "Chea Bopha", "relation": "mother", "is_caregiver": True}],
        "concerns": ["neglect"],
        "source": "community",
    }

    registered = measured(
        lambda: api_client(world.worker).post("/api/v1/cases/", body, format="json")
    )

    assert registered.count <= REGISTER_BUDGET, str(registered)
    assert "case.create" in registered.events
    duplicates = registered.answer.json()["possible_duplicates"]
    assert world.own_case.case_number in [duplicate["case_number"] for duplicate in duplicates]


def test_accepting_a_referral_through_the_api_keeps_its_budget(
    world: World, full_case: Case
) -> None:
    """The grants the acceptance gives are written in one statement each (the reason, the
    permissions), not guardian's five a permission."""
    referral = full_case.referrals.get(to_agency=world.other_ngo)
    assert not case_access(world.other_worker, full_case).sees("profile")

    accepted = measured(
        lambda: api_client(world.other_worker).post(
            f"/api/v1/referrals/{referral.pk}/accept/",
            {"assigned_to": world.other_worker.pk},
            format="json",
        )
    )

    assert accepted.count <= ACCEPT_BUDGET, str(accepted)
    assert "referral.accept" in accepted.events
    assert case_access(world.other_worker, full_case).sees("profile")
