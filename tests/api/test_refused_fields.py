"""Edits that name fields the caller cannot change (read-only ones such as a case's owner or
status, or names the API does not know) are refused by name with a 400 and change nothing;
an edit that changes nothing leaves the case's version, and so everybody's ETag, alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import Stage, Status
from cases.models import Case, CasePlan
from tests.conftest import World, api_client

REFUSED = ["This field cannot be changed."]


def _case_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/"


def _state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.owner_id,
        case.agency_id,
        case.status,
        case.case_number,
        case.summary,
        case.version,
    )


def test_a_case_edit_naming_read_only_fields_answers_400_naming_each_and_changes_nothing(
    world: World,
) -> None:
    case = world.own_case
    client = api_client(world.worker)
    etag = client.get(_case_url(case)).headers["ETag"]
    before, events = _state(case), AuditEvent.objects.filter(action="case.update").count()

    response = client.patch(
        _case_url(case),
        {
            "owner": world.teammate.pk,
            "agency": world.other_ngo.pk,
            "status": Status.CLOSED,
            "case_number": "01-2026-99999",
            "summary": "Edited along the way",
        },
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "agency": REFUSED,
        "case_number": REFUSED,
        "owner": REFUSED,
        "status": REFUSED,
    }
    assert _state(case) == before
    assert AuditEvent.objects.filter(action="case.update").count() == events
    assert client.get(_case_url(case)).headers["ETag"] == etag


def test_an_unknown_field_is_refused_by_name_even_inside_the_child(world: World) -> None:
    case = world.own_case
    given_name = case.child.given_name

    response = api_client(world.worker).patch(
        _case_url(case), {"sumary": "A typo", "child": {"id": 1, "given_name": "Dara"}}
    )

    assert response.status_code == 400, response.content
    assert response.json() == {"sumary": REFUSED}
    response = api_client(world.worker).patch(
        _case_url(case), {"child": {"id": 1, "given_name": "Dara"}}
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"child": {"id": REFUSED}}
    case.child.refresh_from_db()
    assert case.child.given_name == given_name


def test_an_edit_that_changes_nothing_keeps_the_version_and_the_etag(world: World) -> None:
    case = world.own_case
    client = api_client(world.worker)
    first = client.patch(_case_url(case), {"summary": "Met the grandmother."})
    assert first.status_code == 200, first.content
    events = AuditEvent.objects.filter(action="case.update").count()

    again = client.patch(
        _case_url(case),
        {"summary": "Met the grandmother.", "child": {"given_name": case.child.given_name}},
        headers={"If-Match": first.headers["ETag"]},
    )

    assert again.status_code == 200, again.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.json()["version"] == first.json()["version"]
    assert AuditEvent.objects.filter(action="case.update").count() == events


def test_a_plan_edit_with_the_same_goals_keeps_the_plan_and_its_etag(world: World) -> None:
    case = world.own_case
    case.stage = Stage.ASSESSMENT
    case.save(update_fields=["stage"])
    client = api_client(world.worker)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    goals = {
        "goals": [
            {
                "description": "Back to school",
                "actions": [
                    {"description": "Enrol", "responsible": world.worker.pk, "due_date": due}
                ],
            }
        ]
    }
    created = client.post(f"/api/v1/cases/{case.pk}/case-plans/", goals)
    assert created.status_code == 201, created.content
    url = f"/api/v1/cases/{case.pk}/case-plans/{created.json()['id']}/"
    etag = client.get(url).headers["ETag"]

    again = client.patch(url, goals, headers={"If-Match": etag})

    assert again.status_code == 200, again.content
    assert again.headers["ETag"] == etag
    assert again.json()["goals"] == created.json()["goals"]
    assert not AuditEvent.objects.filter(action="plan.update").exists()


def _plan(world: World) -> str:
    case = world.own_case
    plan = CasePlan.objects.create(case=case, created_by=world.worker)
    return f"/api/v1/cases/{case.pk}/case-plans/{plan.pk}/"


def _service(world: World) -> str:
    url = f"/api/v1/cases/{world.own_case.pk}/services/"
    created = api_client(world.worker).post(url, {"service": "psychosocial"})
    assert created.status_code == 201, created.content
    return f"{url}{created.json()['id']}/"


# (who edits, the address, the refused field with a value a caller might try)
EDITS: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "user": ("system_admin", lambda w: f"/api/v1/users/{w.worker.pk}/", {"username": "boss"}),
    "own preferences": ("worker", lambda w: "/api/v1/users/me/", {"role": "system_admin"}),
    "agency": ("system_admin", lambda w: f"/api/v1/agencies/{w.ngo.pk}/", {"id": 999}),
    "service delivered": ("worker", _service, {"agency": 1}),
    "case plan": ("worker", _plan, {"status": "approved"}),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_every_edit_of_the_api_refuses_fields_it_does_not_take(world: World, what: str) -> None:
    persona, address, body = EDITS[what]
    url = address(world)
    events = AuditEvent.objects.count()

    response = api_client(getattr(world, persona)).patch(url, body)

    assert response.status_code == 400, response.content
    assert response.json() == dict.fromkeys(body, REFUSED)
    assert AuditEvent.objects.count() == events
