"""The one door to a case (cases.policy.case_get) and the one rule of what may be done on it
(case_actions): the API returns the actions, the services enforce them, 403 for the person and
409 for the case's state, 412 for a stale version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseConcern, CasePlan
from cases.policy import CASE_ACTIONS, case_actions, case_get
from cases.services import case as case_services
from cases.services.access import case_set_grants
from cases.services.records import case_note_create
from core.errors import StaleVersionError, StateConflictError
from tests.conftest import World, api_client
from tests.test_query_budgets import visibility_evaluations

OWNER_ACTIONS = {
    "edit",
    "request_closure",
    "assess_risk",
    "write_plan",
    "add_note",
    "add_service",
    "add_document",
    "record_consent",
    "refer",
    "place",
    "reintegrate",
    "identify_victim",
    "repatriate",
}


def _actions(world: World, persona: str, case: Case) -> set[str]:
    user = getattr(world, persona)
    found, access = case_get(user, case.pk)
    return set(case_actions(user, found, access))


def test_each_person_may_do_what_their_relation_to_the_case_allows(world: World) -> None:
    case = world.own_case
    assert _actions(world, "worker", case) == OWNER_ACTIONS
    supervisor = OWNER_ACTIONS - {"request_closure"} | {"assign", "approve_plan", "export"}
    assert _actions(world, "supervisor", case) == supervisor
    assert _actions(world, "agency_admin", case) == {"assign"}
    # Oversight reads, and writes only a victim identification; it may export what it reads.
    assert _actions(world, "dosvy_officer", case) == {"export", "identify_victim"}


def test_the_actions_are_those_each_rule_gives_alone(world: World) -> None:
    """case_actions tests the rules sharing their tests once (cases.policy._by_tests): for
    every relation to the case and every state it gives what testing each rule alone gives."""
    case = world.own_case
    states = [
        {},
        {"closure_requested_at": timezone.now(), "closure_requested_by": world.worker},
        {"closure_requested_at": timezone.now(), "closure_requested_by": world.supervisor},
        {"status": "closed", "closed_at": timezone.now()},
    ]
    case_set_grants(
        actor=world.worker,
        case=case,
        grantee=world.other_worker,
        sections={"profile", "documents"},
        contribute=True,
        reason="referral",
    )
    seen = set()
    for state in states:
        Case.objects.filter(pk=case.pk).update(**state)
        for persona in ("worker", "supervisor", "agency_admin", "dosvy_officer", "other_worker"):
            user = getattr(world, persona)
            found, access = case_get(user, case.pk)
            alone = {
                code
                for code, rule in CASE_ACTIONS.items()
                if rule.who(user, found, access) and rule.when(found, access)
            }
            assert case_actions(user, found, access) == alone, (persona, state)
            seen.add(frozenset(alone))
    # The states and relations differ in what they allow: every branch is compared.
    assert len(seen) >= 8


def test_a_referral_receiver_adds_notes_and_services_only(world: World) -> None:
    case_set_grants(
        actor=world.worker,
        case=world.own_case,
        grantee=world.other_worker,
        sections={"profile"},
        contribute=True,
        reason="referral",
    )
    # The profile alone is shared: no document may be added, nor a victim identified,
    # without the documents and concerns sections.
    assert _actions(world, "other_worker", world.own_case) == {"add_note", "add_service"}


def test_a_closed_case_may_only_be_reopened_and_the_api_says_so(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(status="closed", closed_at="2026-01-01T00:00Z")
    answer = api_client(world.worker).get(f"/api/v1/cases/{world.own_case.pk}/")
    assert answer.json()["actions"] == ["reopen"]
    with pytest.raises(StateConflictError):  # the person may; the case's state forbids it
        case_note_create(
            actor=world.worker,
            case=world.own_case,
            kind="other",
            date=world.own_case.created_at.date(),
            text="Late",
        )
    with pytest.raises(PermissionDenied):  # oversight may not, whatever the state
        case_get(world.dosvy_officer, world.own_case.pk, action="reopen")
    with pytest.raises(Http404):  # nor may anybody who does not see it
        case_get(world.other_worker, world.own_case.pk, action="reopen")


def test_the_api_lists_the_actions_of_each_case_on_the_list_and_the_detail(world: World) -> None:
    listed = api_client(world.supervisor).get("/api/v1/cases/").json()["results"]
    own = next(row for row in listed if row["id"] == world.own_case.pk)
    assert set(own["actions"]) == OWNER_ACTIONS - {"request_closure"} | {
        "assign",
        "approve_plan",
        "export",
    }
    detail = api_client(world.agency_admin).get(f"/api/v1/cases/{world.own_case.pk}/").json()
    assert detail["actions"] == ["assign"]


def test_a_stale_version_is_refused_by_the_service_and_answered_412(world: World) -> None:
    case = world.own_case
    with pytest.raises(StaleVersionError):
        case_services.case_update(
            actor=world.worker,
            case=case,
            changes={"summary": "x"},
            expected_version=case.version + 1,
        )
    url = f"/api/v1/cases/{case.pk}/"
    client = api_client(world.worker)
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"summary": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(url, {"summary": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    other_case = f'"{world.teammates_case.pk}-1"'
    assert client.patch(url, {"summary": "Third"}, HTTP_IF_MATCH=other_case).status_code == 412
    fresh = client.get(url)["ETag"]
    assert client.patch(url, {"summary": "Fourth"}, HTTP_IF_MATCH=f"W/{fresh}").status_code == 200


def test_an_action_endpoint_checks_the_rule_before_reading_the_input(world: World) -> None:
    url = f"/api/v1/cases/{world.own_case.pk}/reopen/"
    assert api_client(world.worker).post(url, {"reason": "Again"}).status_code == 409
    assert api_client(world.dosvy_officer).post(url, {"reason": "Again"}).status_code == 403
    assert api_client(world.other_worker).post(url, {"reason": "Again"}).status_code == 404


# --- A write request records its write, not reads ----------------------------------------------


def _plan_form(world: World, description: str) -> dict[str, object]:
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    return {
        "goals": "1",
        "goal-0-actions": "1",
        "goal-0-description": description,
        "goal-0-action-0-description": "Enrol her",
        "goal-0-action-0-responsible": world.worker.pk,
        "goal-0-action-0-due_date": due,
    }


def test_saving_a_plan_from_its_page_records_the_update_and_no_reading(
    world: World, client: Client
) -> None:
    client.force_login(world.worker)
    client.post(f"/cases/{world.own_case.pk}/plan/new/", _plan_form(world, "Back to school"))
    plan = CasePlan.objects.get()
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            f"/cases/{world.own_case.pk}/plan/{plan.pk}/edit/",
            {**_plan_form(world, "Safe at home"), "version": plan.version},
        )
    assert answer.status_code == 302
    written = list(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True))
    assert written == ["plan.update"]
    # The door once: the service's, under its lock.
    assert visibility_evaluations(queries) == 1


def test_editing_a_case_from_its_page_records_the_update_and_no_reading(
    world: World, client: Client
) -> None:
    client.force_login(world.worker)
    case = world.own_case
    CaseConcern.objects.create(case=case, concern_id="neglect")
    form = client.get(f"/cases/{case.pk}/edit/")
    assert form.status_code == 200
    before = AuditEvent.objects.count()
    initial = {
        key: value for key, value in form.context["form"].initial.items() if value is not None
    }
    answer = client.post(
        f"/cases/{case.pk}/edit/", {**initial, "summary": "Seen at school", "version": case.version}
    )
    assert answer.status_code == 302, answer.context["form"].errors if answer.context else answer
    written = list(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True))
    assert written == ["case.update"]


@pytest.mark.parametrize("tab", ["risk", "plan", "services", "notes", "consent", "placements"])
def test_opening_a_tab_of_the_case_file_opens_the_case_once(
    world: World, client: Client, tab: str
) -> None:
    client.force_login(world.worker)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/cases/{world.own_case.pk}/{tab}/").status_code == 200
    assert visibility_evaluations(queries) == 1
    readings = AuditEvent.objects.filter(case_id=world.own_case.pk, action__startswith="case.view")
    assert readings.count() == 1


def _door_statements() -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements reading one case
    with its place and the place's parents."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements")
        return [
            (generic, custom)
            for generic, custom, statement in cursor.fetchall()
            if statement.lstrip().startswith('SELECT "cases_case"."id"')
            and statement.count('"accounts_location"') > 3
        ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_doors_lookup_by_key_keeps_its_generic_plan_and_still_hides_what_is_out_of_reach(
    world: World,
) -> None:
    """Opening a case's file is one statement of ten tables that PostgreSQL, left to choose,
    planned again on every run (2 to 3 ms at a million cases, for 0.1 ms of running): the door
    has it keep the generic plan of its prepared statement, outside a transaction, with the
    same answers."""
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    cases = [world.own_case, world.teammates_case]
    for run in range(threshold + 3):
        case, _access = case_get(world.supervisor, cases[run % 2].pk, detail="header")
        assert case.pk == cases[run % 2].pk
        assert case.location is not None
    with pytest.raises(Http404):
        case_get(world.supervisor, world.other_agency_case.pk, detail="header")
    with pytest.raises(Http404):
        case_get(world.supervisor, 10**9, detail="header")

    (plans,) = _door_statements()
    generic, custom = plans
    assert generic >= 3
    assert custom == 0
