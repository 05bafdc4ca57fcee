"""Keeping a partner system in step: ``?updated_since=`` paged by cursor on (updated_at, id),
with changes made between pages, and the gone feed after a transfer, an assignment, a grant
ended and a person taken off a restricted case, with their webhooks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from cases.models import Case, CaseDeparture, CaseExternalId, CaseNamedUser
from cases.services.case import case_assign, case_transfer, case_update
from cases.services.restricted import case_unname_person
from notifications.models import WebhookDelivery, WebhookEndpoint
from referrals import services as referrals
from tests.api.test_cases_api import CASES
from tests.conftest import World, api_client
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

GONE = f"{CASES}gone/"


def _pages(user: User, since: datetime, *, size: int, between: Any = None) -> list[list[int]]:
    """Every page of the changed-cases list, following ``next``; ``between(n)`` runs after
    page ``n`` is read."""
    client = api_client(user)
    url: str | None = CASES
    params: dict[str, Any] | None = {"updated_since": since.isoformat(), "page_size": size}
    pages: list[list[int]] = []
    while url is not None:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([case["id"] for case in body["results"]])
        if between is not None:
            between(len(pages))
        url, params = body["next"], None
    return pages


def _worker_cases(world: World, count: int) -> list[Case]:
    """``count`` cases of the worker, in the order of their last change."""
    cases = [
        CaseFactory.create(owner=world.worker, location=world.pp_village) for _ in range(count)
    ]
    for case in cases:  # one after the other, so the order is known
        case.save(update_fields=["updated_at"])
    return cases


def _edit(world: World, case: Case, summary: str) -> None:
    case_update(actor=world.worker, case=case, changes={"summary": summary})


def test_the_changed_cases_come_oldest_change_first_and_only_since_the_time(world: World) -> None:
    before = timezone.now()
    cases = _worker_cases(world, 5)
    pages = _pages(world.worker, before, size=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [pk for page in pages for pk in page] == [case.pk for case in cases]
    later = _pages(world.worker, timezone.now(), size=2)
    assert later == [[]]


def test_changes_between_pages_skip_nothing_and_repeat_only_what_changed(world: World) -> None:
    before = timezone.now()
    cases = _worker_cases(world, 6)
    passed, ahead = cases[0], cases[4]

    def edit_after_first_page(page: int) -> None:
        if page == 1:
            _edit(world, passed, "Seen on page one, changed since.")
            _edit(world, ahead, "Not reached yet, changed meanwhile.")

    pages = _pages(world.worker, before, size=2, between=edit_after_first_page)
    seen = [pk for page in pages for pk in page]
    # Everything is seen; the case edited after it was read comes once more, at the end, and
    # the one edited before it was reached is seen once, in its new place.
    assert set(seen) == {case.pk for case in cases}
    assert seen.count(passed.pk) == 2
    assert seen.count(ahead.pk) == 1
    assert seen[-2:] == [passed.pk, ahead.pk]
    assert len(seen) == len(cases) + 1


def test_the_changed_cases_are_only_those_the_caller_sees(world: World) -> None:
    before = timezone.now()
    _edit(world, world.own_case, "Changed.")
    world.other_agency_case.save(update_fields=["updated_at"])
    seen = {pk for page in _pages(world.worker, before, size=50) for pk in page}
    assert seen == {world.own_case.pk}


def test_a_case_assignment_concern_and_closure_move_it_up_the_changed_list(world: World) -> None:
    case = world.teammates_case
    before = timezone.now()
    case_assign(actor=world.supervisor, case=case, owner=world.worker)
    assert Case.objects.get(pk=case.pk).updated_at >= before
    update_time = Case.objects.get(pk=case.pk).updated_at
    case_update(actor=world.worker, case=case, changes={"concerns": ["neglect"]})
    assert Case.objects.get(pk=case.pk).updated_at > update_time


def test_a_bad_time_or_cursor_is_refused(world: World) -> None:
    client = api_client(world.worker)
    assert client.get(CASES, {"updated_since": "yesterday"}).status_code == 400
    refused = client.get(CASES, {"updated_since": timezone.now().isoformat(), "cursor": "x!"})
    assert refused.status_code == 400
    assert "cursor" in refused.json()


# --- The gone feed ---------------------------------------------------------------------------


def _gone(user: User, since: datetime) -> list[dict[str, Any]]:
    response = api_client(user).get(GONE, {"since": since.isoformat()})
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def test_the_gone_feed_needs_a_time(world: World) -> None:
    client = api_client(world.worker)
    assert client.get(GONE).status_code == 400
    assert client.get(GONE, {"since": "last week"}).status_code == 400


def test_a_transfer_takes_the_case_from_its_owner_her_supervisor_and_agency_admin(
    world: World,
) -> None:
    CaseExternalId.objects.create(case=world.own_case, system="oscar", external_id="42")
    WebhookEndpoint.objects.create(
        agency_id=world.ngo.pk, url="https://ngo.example.org/hook", events=["case.gone"]
    )
    before = timezone.now()
    case_transfer(
        actor=world.other_worker,
        case=world.own_case,
        owner=world.other_worker,
        agency=world.other_ngo,
        reason="Moved",
    )
    for person in (world.worker, world.supervisor, world.agency_admin):
        gone = _gone(person, before)
        assert [entry["id"] for entry in gone] == [world.own_case.pk], person.username
        assert gone[0]["external_ids"] == [{"system": "oscar", "id": "42"}]
    assert _gone(world.other_worker, before) == []
    assert _gone(world.teammate, before) == []  # never saw it
    payload = WebhookDelivery.objects.get(event="case.gone").payload
    assert payload["case"]["id"] == world.own_case.pk
    assert payload["case"]["external_ids"] == [{"system": "oscar", "id": "42"}]
    assert _gone(world.worker, timezone.now()) == []


def test_an_assignment_out_of_the_team_takes_it_from_the_previous_owner_only(
    world: World,
) -> None:
    other_team = UserFactory.create(username="other_team", agency=world.ngo)
    before = timezone.now()
    case_assign(actor=world.agency_admin, case=world.own_case, owner=other_team)
    assert [entry["id"] for entry in _gone(world.worker, before)] == [world.own_case.pk]
    assert [entry["id"] for entry in _gone(world.supervisor, before)] == [world.own_case.pk]
    assert _gone(world.agency_admin, before) == []  # her agency keeps it
    CaseDeparture.objects.all().delete()
    case_assign(actor=world.agency_admin, case=world.teammates_case, owner=world.worker)
    assert _gone(world.supervisor, before) == []  # still her team's


def test_a_grant_ended_takes_the_case_from_the_receiving_worker(world: World) -> None:
    UserFactory.create(username="receiving_supervisor", role=Role.SUPERVISOR,
                       agency=world.other_ngo)  # fmt: skip
    WebhookEndpoint.objects.create(
        agency_id=world.other_ngo.pk,
        url="https://partner.example.org/hook",
        events=["case.gone", "case.updated"],
    )
    referral = referrals.referral_create(
        actor=world.supervisor, case=world.own_case, to_agency=world.other_ngo, type="service",
        urgency="urgent", services=["shelter"], reason="Safety", shared_sections=["profile"],
        consent_override_reason="Emergency",
    )  # fmt: skip
    referrals.referral_accept(
        actor=world.other_worker, referral=referral, assigned_to=world.other_worker
    )
    before = timezone.now()
    _edit(world, world.own_case, "The receiving agency is told it changed.")
    updated = WebhookDelivery.objects.get(event="case.updated").payload
    assert updated["case"]["id"] == world.own_case.pk
    assert set(updated["case"]) == {"id", "external_ids", "updated_at"}
    assert _gone(world.other_worker, before) == []
    referrals.referral_complete(actor=world.other_worker, referral=referral, outcome="Done.")
    gone = _gone(world.other_worker, before)
    assert [entry["id"] for entry in gone] == [world.own_case.pk]
    assert WebhookDelivery.objects.filter(event="case.gone").count() == 1
    assert _gone(world.worker, before) == []


def test_taken_off_a_restricted_case_a_person_finds_it_in_the_gone_feed(world: World) -> None:
    case = world.restricted_case
    CaseNamedUser.objects.create(case=case, user=world.supervisor)
    CaseNamedUser.objects.create(case=case, user=world.teammate)
    before = timezone.now()
    case_unname_person(actor=world.supervisor, case=case, person=world.teammate)
    assert [entry["id"] for entry in _gone(world.teammate, before)] == [case.pk]
    assert _gone(world.supervisor, before) == []


def test_a_case_back_in_reach_leaves_the_gone_feed(world: World) -> None:
    before = timezone.now() - timedelta(seconds=1)
    CaseDeparture.objects.create(user=world.worker, case=world.own_case, reason="transfer")
    assert _gone(world.worker, before) == []  # she owns it: it came back
