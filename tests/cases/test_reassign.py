"""Moving a worker's cases to others, all or none: the service (each case through the door
with the ``assign`` action, audited and told as a single assignment) and its page, reached
from the team caseload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import Stage, Status
from cases.models import Case
from cases.services.case import case_assign
from cases.services.reassign import cases_reassign
from core.errors import StateConflictError
from notifications.models import Notification, NotificationKind
from tests.conftest import World
from tests.factories import CaseFactory, UserFactory

# The page's reads, with six cases listed as with one: the session and the reader, the
# worker, the cases with their children, the reader's team and grants, the colleagues to
# choose from, the list read's audit event, and what every page shows (its menu, the bell).
QUERIES = 17


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(worker: User) -> str:
    return reverse("case-reassign-page", kwargs={"worker_id": worker.pk})


def _closed_case(world: World) -> Case:
    return CaseFactory.create(
        owner=world.worker,
        location=world.pp_village,
        status=Status.CLOSED,
        stage=Stage.CLOSURE,
        closed_at=timezone.now(),
    )


def _owner_of(case: Case) -> int:
    return Case.objects.values_list("owner_id", flat=True).get(pk=case.pk)


def _told(user: User) -> set[int | None]:
    return set(
        Notification.objects.filter(
            recipient=user, kind=NotificationKind.CASE_ASSIGNED
        ).values_list("case_id", flat=True)
    )


def _assign_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="case.assign").order_by("case_id"))


# --- the service ------------------------------------------------------------------------------


def test_a_supervisor_moves_her_workers_cases_each_audited_and_the_new_owner_told(
    world: World,
) -> None:
    second = CaseFactory.create(owner=world.worker, location=world.pp_village)
    moved = cases_reassign(
        actor=world.supervisor,
        from_worker=world.worker,
        case_ids=[second.pk, world.own_case.pk],
        to_worker=world.teammate,
    )
    assert sorted(case.pk for case in moved) == sorted([world.own_case.pk, second.pk])
    assert _owner_of(world.own_case) == _owner_of(second) == world.teammate.pk
    events = _assign_events()
    assert [(event.case_id, event.actor_id, event.changes) for event in events] == [
        (case.pk, world.supervisor.pk, {"owner": [world.worker.pk, world.teammate.pk]})
        for case in sorted([world.own_case, second], key=lambda case: case.pk)
    ]
    assert _told(world.teammate) == {world.own_case.pk, second.pk}
    assert _told(world.worker) == set()


def test_an_agency_admin_moves_a_workers_cases_too(world: World) -> None:
    cases_reassign(
        actor=world.agency_admin,
        from_worker=world.worker,
        case_ids=[world.own_case.pk],
        to_worker=world.teammate,
    )
    assert _owner_of(world.own_case) == world.teammate.pk


def test_a_single_assignment_tells_the_new_owner_as_a_batch_does(world: World) -> None:
    case_assign(actor=world.supervisor, case=world.own_case, owner=world.teammate)
    assert _told(world.teammate) == {world.own_case.pk}


def test_one_case_the_actor_may_not_assign_refuses_them_all(world: World) -> None:
    # A provincial office's supervisor sees every case of the province, but assigns only her
    # own team's: an NGO's case in the batch stops the whole move.
    dosvy_worker = UserFactory.create(agency=world.dosvy_pp, supervisor=world.dosvy_officer)
    dosvy_colleague = UserFactory.create(agency=world.dosvy_pp, supervisor=world.dosvy_officer)
    hers = CaseFactory.create(owner=dosvy_worker, location=world.pp_village)
    ngo_case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    assert hers.pk < ngo_case.pk  # hers is given first, then undone with the refusal
    with pytest.raises(PermissionDenied) as refused:
        cases_reassign(
            actor=world.dosvy_officer,
            from_worker=dosvy_worker,
            case_ids=[hers.pk, ngo_case.pk],
            to_worker=dosvy_colleague,
        )
    assert str(ngo_case.pk) in str(refused.value)
    assert "supervisor or an agency admin" in str(refused.value)
    assert _owner_of(hers) == dosvy_worker.pk
    assert _assign_events() == []
    assert _told(dosvy_colleague) == set()


def test_a_case_the_actor_does_not_see_refuses_them_all_as_missing(world: World) -> None:
    # The supervisor is not named on the restricted case: it is missing to her.
    with pytest.raises(Http404):
        cases_reassign(
            actor=world.supervisor,
            from_worker=world.worker,
            case_ids=[world.own_case.pk, world.restricted_case.pk],
            to_worker=world.teammate,
        )
    assert _owner_of(world.own_case) == world.worker.pk
    assert _assign_events() == []


def test_a_case_of_another_worker_in_the_batch_is_refused_by_its_number(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        cases_reassign(
            actor=world.supervisor,
            from_worker=world.worker,
            case_ids=[world.own_case.pk, world.teammates_case.pk],
            to_worker=world.teammate,
        )
    assert world.teammates_case.case_number in str(refused.value)
    assert _owner_of(world.own_case) == world.worker.pk


def test_a_closed_case_in_the_batch_refuses_them_all_with_its_reason(world: World) -> None:
    closed = _closed_case(world)
    with pytest.raises(StateConflictError, match="closed") as refused:
        cases_reassign(
            actor=world.supervisor,
            from_worker=world.worker,
            case_ids=[world.own_case.pk, closed.pk],
            to_worker=world.teammate,
        )
    assert str(closed.pk) in str(refused.value)
    assert _owner_of(world.own_case) == world.worker.pk


def test_a_social_worker_may_not_reassign(world: World) -> None:
    with pytest.raises(PermissionDenied):
        cases_reassign(
            actor=world.worker,
            from_worker=world.worker,
            case_ids=[world.own_case.pk],
            to_worker=world.teammate,
        )
    assert _owner_of(world.own_case) == world.worker.pk


def test_the_new_owner_must_hold_cases_in_the_cases_agency(world: World) -> None:
    for stranger in (world.other_worker, world.agency_admin):
        with pytest.raises(ValidationError) as refused:
            cases_reassign(
                actor=world.supervisor,
                from_worker=world.worker,
                case_ids=[world.own_case.pk],
                to_worker=stranger,
            )
        assert world.own_case.case_number in str(refused.value)
    assert _owner_of(world.own_case) == world.worker.pk
    assert _assign_events() == []


def test_an_empty_batch_or_the_same_worker_is_a_clear_refusal(world: World) -> None:
    with pytest.raises(ValidationError, match="at least one case"):
        cases_reassign(
            actor=world.supervisor, from_worker=world.worker, case_ids=[], to_worker=world.teammate
        )
    with pytest.raises(ValidationError, match="other than"):
        cases_reassign(
            actor=world.supervisor,
            from_worker=world.worker,
            case_ids=[world.own_case.pk],
            to_worker=world.worker,
        )


# --- the page ---------------------------------------------------------------------------------


def test_the_page_lists_only_the_open_cases_the_reader_may_assign(
    world: World, django_assert_max_num_queries: Any
) -> None:
    closed = _closed_case(world)
    client = _signed_in(world.supervisor)
    # A fixed number of queries, whatever the number of cases listed.
    more = CaseFactory.create_batch(5, owner=world.worker, location=world.pp_village)
    with django_assert_max_num_queries(QUERIES):
        answer = client.get(_page(world.worker))
    assert answer.status_code == 200
    body = answer.content.decode()
    assert world.own_case.case_number in body
    for hidden in (world.restricted_case, closed, world.teammates_case, world.other_agency_case):
        assert hidden.case_number not in body
    # The new worker is chosen among the worker's colleagues who hold cases.
    assert f'value="{world.teammate.pk}"' in body
    assert f'value="{world.other_worker.pk}"' not in body
    # The children named on it are a reading of their cases, traced.
    (event,) = AuditEvent.objects.filter(action="case.list_read", actor_id=world.supervisor.pk)
    assert sorted(event.changes["case_ids"]) == sorted(
        [world.own_case.pk, *(case.pk for case in more)]
    )


def test_the_agency_admin_sees_the_case_numbers_without_the_childrens_names(
    world: World,
) -> None:
    body = _signed_in(world.agency_admin).get(_page(world.worker)).content.decode()
    assert world.own_case.case_number in body
    assert world.own_case.child.given_name not in body
    assert not AuditEvent.objects.filter(action="case.list_read").exists()


def test_a_worker_outside_the_readers_reach_is_missing(world: World) -> None:
    assert _signed_in(world.supervisor).get(_page(world.other_worker)).status_code == 404
    assert _signed_in(world.agency_admin).get(_page(world.other_worker)).status_code == 404
    assert _signed_in(world.supervisor).get(_page(world.supervisor)).status_code == 404


@pytest.mark.parametrize("persona", ["worker", "police", "analyst", "commune_member"])
def test_people_who_assign_no_case_are_refused_the_page(world: World, persona: str) -> None:
    client = _signed_in(getattr(world, persona))
    assert client.get(_page(world.worker)).status_code == 403
    answer = client.post(
        _page(world.worker), {"cases": [world.own_case.pk], "owner": world.teammate.pk}
    )
    assert answer.status_code == 403
    assert _owner_of(world.own_case) == world.worker.pk


def test_posting_moves_the_cases_ticked_and_shows_the_result(world: World) -> None:
    second = CaseFactory.create(owner=world.worker, location=world.pp_village)
    client = _signed_in(world.supervisor)
    answer = client.post(
        _page(world.worker), {"cases": [world.own_case.pk], "owner": world.teammate.pk}
    )
    assert answer.status_code == 302
    assert _owner_of(world.own_case) == world.teammate.pk
    assert _owner_of(second) == world.worker.pk
    shown = client.get(answer["Location"]).content.decode()
    assert f"1 case moved to {world.teammate}: {world.own_case.case_number}." in shown


def test_move_all_moves_every_case_listed(world: World) -> None:
    second = CaseFactory.create(owner=world.worker, location=world.pp_village)
    answer = _signed_in(world.supervisor).post(
        _page(world.worker), {"all": "1", "owner": world.teammate.pk}
    )
    assert answer.status_code == 302
    assert _owner_of(world.own_case) == _owner_of(second) == world.teammate.pk
    # The restricted case she is not named on was not listed, so it stays.
    assert _owner_of(world.restricted_case) == world.worker.pk


def test_a_new_owner_of_another_agency_is_a_400_and_nothing_moves(world: World) -> None:
    answer = _signed_in(world.supervisor).post(
        _page(world.worker), {"cases": [world.own_case.pk], "owner": world.other_worker.pk}
    )
    assert answer.status_code == 400
    assert _owner_of(world.own_case) == world.worker.pk


def test_the_team_caseload_links_to_each_workers_reassignment(world: World) -> None:
    body = _signed_in(world.supervisor).get(reverse("caseload-page")).content.decode()
    assert _page(world.worker) in body
    assert _page(world.supervisor) not in body  # her own cases are not hers to reassign
