"""The case services called directly: what they refuse, what they record, and the derived
data they keep in step (search keys, location paths, age estimates, duplicates)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.choices import LocationLevel, Role
from accounts.models import Location
from audit.models import AuditEvent
from cases.choices import Stage, Status
from cases.models import Case, CaseNamedUser, Child
from cases.policy import visible_cases
from cases.search import search_cases
from cases.selectors.case import possible_duplicates
from cases.services import case as services
from cases.services.restricted import case_name_person
from core.errors import StateConflictError
from tests.conftest import World, api_client
from tests.factories import ChildFactory, LocationFactory, UserFactory

GIVEN_KM, FAMILY_KM = "ស្រីមុំ", "ច័ន្ទ"


def _child(**values: Any) -> dict[str, Any]:
    return {
        "given_name": "Sophea",
        "family_name": "Chan",
        "given_name_km": GIVEN_KM,
        "family_name_km": FAMILY_KM,
        "sex": "female",
        "estimated_age": 12,
        **values,
    }


def _open(world: World, actor: Any = None, **child: Any) -> Case:
    child.setdefault("location", world.pp_village)
    return services.case_open(
        actor=actor or world.worker,
        child=_child(**child),
        concerns=["neglect"],
        source="community",
    )


# --- opening ----------------------------------------------------------------------------------


def test_opening_records_the_case_with_identifiers_masked(world: World) -> None:
    case = _open(world, national_id_number="010203040", birth_certificate_number="BC-77")
    event = AuditEvent.objects.get(action="case.create", case_id=case.pk)
    assert event.actor_id == world.worker.pk
    assert event.changes["child"]["given_name_km"] == GIVEN_KM
    assert "010203040" not in str(event.changes)
    assert "BC-77" not in str(event.changes)
    services.case_update(
        actor=world.worker, case=case, changes={"child": {"national_id_number": "998877665"}}
    )
    update = AuditEvent.objects.get(action="case.update", case_id=case.pk)
    assert update.changes["child"] == {"national_id_number": "***"}


def test_an_estimated_age_is_dated_so_the_child_grows_older(world: World) -> None:
    case = _open(world)
    assert case.child.age_estimated_on == timezone.localdate()
    assert case.child.age_on(timezone.localdate() + timedelta(days=800)) == 14


def test_the_search_keys_follow_the_names(world: World) -> None:
    child = _open(world, given_name="  Sreÿ ", family_name="MOM").child
    assert child.search_name == "srey mom"
    assert child.search_name_km == FAMILY_KM + GIVEN_KM


def test_a_service_caller_gets_the_childs_errors_under_child_dot_field(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _open(world, given_name="", given_name_km="")
    assert "child.given_name" in error.value.message_dict
    assert not Child.objects.filter(family_name_km=FAMILY_KM).exists()


def test_an_inactive_concern_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.case_open(
            actor=world.worker,
            child=_child(location=world.pp_village),
            concerns=["no_such_concern"],
            source="community",
        )
    assert "concerns" in error.value.message_dict


def test_a_user_without_an_agency_cannot_open_a_case(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _open(world, actor=world.system_admin)


def test_a_restricted_case_names_its_creator(world: World) -> None:
    case = services.case_open(
        actor=world.worker,
        child=_child(location=world.pp_village),
        concerns=["neglect"],
        source="police",
        restricted=True,
    )
    assert CaseNamedUser.objects.filter(case=case, user=world.worker).exists()
    assert case in visible_cases(world.worker)
    assert case not in visible_cases(world.supervisor)


# --- duplicates -------------------------------------------------------------------------------


def test_a_child_known_only_by_a_khmer_name_is_found_again(world: World) -> None:
    first = _open(world, given_name="", family_name="")
    second = _open(world, given_name="", family_name="", family_name_km=FAMILY_KM + " ")
    found = possible_duplicates(user=world.worker, child=second.child)
    assert [duplicate.case_id for duplicate in found] == [first.pk]


def test_the_right_age_is_found_among_many_namesakes(world: World) -> None:
    """Many older namesakes in the district must not crowd out the one who may be this child."""
    for _ in range(12):
        ChildFactory.create(
            given_name="Sophea",
            family_name="Chan",
            given_name_km=GIVEN_KM,
            family_name_km=FAMILY_KM,
            estimated_age=3,
            location=world.pp_village,
        )
    earlier = _open(world)
    later = _open(world)
    found = possible_duplicates(user=world.worker, child=later.child)
    assert [duplicate.case_id for duplicate in found] == [earlier.pk]


def test_a_child_of_the_other_sex_is_no_duplicate(world: World) -> None:
    _open(world)
    boy = _open(world, sex="male")
    assert possible_duplicates(user=world.worker, child=boy.child) == []


# --- search -----------------------------------------------------------------------------------


def test_a_khmer_name_typed_with_a_zero_width_space_is_found_without_it(world: World) -> None:
    """Khmer keyboards put invisible word breaks between names; search ignores them."""
    case = _open(world, given_name="", family_name="", given_name_km="ស្រី\u200bមុំ")
    cases = Case.objects.all()
    assert case in search_cases(cases, FAMILY_KM + GIVEN_KM)
    assert case in search_cases(cases, f"{FAMILY_KM}\u200b{GIVEN_KM}")


# --- editing ----------------------------------------------------------------------------------


def test_an_edit_by_someone_without_the_manage_right_is_refused(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.case_update(
            actor=world.dosvy_officer, case=world.own_case, changes={"summary": "x"}
        )


def test_fields_outside_the_editable_set_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.case_update(actor=world.worker, case=world.own_case, changes={"owner": 1})
    assert "owner" in error.value.message_dict


def test_moving_the_child_moves_the_case(world: World) -> None:
    village = LocationFactory.village_in(world.banteay_meanchey)
    case = services.case_update(
        actor=world.worker, case=world.own_case, changes={"child": {"location": village}}
    )
    case.refresh_from_db()
    assert case.location == village
    assert case.location_path == village.path
    assert Child.objects.get(pk=case.child_id).location_path == village.path


def test_a_new_estimated_age_is_dated_today(world: World) -> None:
    child = world.own_case.child
    child.age_estimated_on = timezone.localdate() - timedelta(days=3 * 365 + 1)
    child.save()
    services.case_update(
        actor=world.worker, case=world.own_case, changes={"child": {"estimated_age": 16}}
    )
    child.refresh_from_db()
    assert (child.estimated_age, child.age_estimated_on, child.age) == (
        16,
        timezone.localdate(),
        16,
    )


def test_a_new_estimated_age_is_accepted_through_the_api(world: World) -> None:
    child = world.own_case.child
    child.age_estimated_on = timezone.localdate() - timedelta(days=3 * 365 + 1)
    child.save()
    response = api_client(world.worker).patch(
        f"/api/v1/cases/{world.own_case.pk}/", {"child": {"estimated_age": 16}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["child"]["age"] == 16


def test_editing_concerns_keeps_the_labour_sector_rule(world: World) -> None:
    case = services.case_update(
        actor=world.worker,
        case=world.own_case,
        changes={"concerns": ["child_labour"], "labour_sector": "fishing"},
    )
    with pytest.raises(ValidationError) as error:
        services.case_update(actor=world.worker, case=case, changes={"concerns": ["neglect"]})
    assert "labour_sector" in error.value.message_dict


def test_each_change_bumps_the_version_and_is_audited(world: World) -> None:
    version = world.own_case.version
    case = services.case_update(
        actor=world.worker, case=world.own_case, changes={"stage": Stage.ASSESSMENT}
    )
    assert case.version == version + 1
    event = AuditEvent.objects.get(action="case.update", case_id=case.pk)
    assert event.changes == {"stage": ["intake", "assessment"]}


# --- assignment and closure -------------------------------------------------------------------


def test_a_restricted_case_names_its_new_owner(world: World) -> None:
    with pytest.raises(Http404):  # not named on it, the supervisor does not see it
        services.case_assign(
            actor=world.supervisor, case=world.restricted_case, owner=world.teammate
        )
    case_name_person(actor=world.worker, case=world.restricted_case, person=world.supervisor)
    services.case_assign(actor=world.supervisor, case=world.restricted_case, owner=world.teammate)
    assert world.restricted_case in visible_cases(world.teammate)


def test_only_case_workers_take_over_a_case(world: World) -> None:
    with pytest.raises(ValidationError):
        services.case_assign(actor=world.supervisor, case=world.own_case, owner=world.agency_admin)


def test_only_the_owner_asks_for_closure(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.case_request_closure(
            actor=world.supervisor, case=world.own_case, reason="reintegrated"
        )


def test_the_whole_closure_cycle(world: World) -> None:
    case = world.own_case
    services.case_request_closure(actor=world.worker, case=case, reason="reintegrated")
    with pytest.raises(PermissionDenied):
        services.case_approve_closure(actor=world.agency_admin, case=case)
    case = services.case_approve_closure(actor=world.supervisor, case=case, comment="Agreed")
    assert (case.status, case.stage, case.closed_at is not None) == (
        Status.CLOSED,
        Stage.CLOSURE,
        True,
    )
    with pytest.raises(StateConflictError):
        services.case_update(actor=world.worker, case=case, changes={"summary": "late"})
    with pytest.raises(StateConflictError):
        services.case_approve_closure(actor=world.supervisor, case=case)
    services.case_reopen(actor=world.worker, case=case, reason="Came back")
    case.refresh_from_db()
    assert (case.status, case.stage, case.closed_at, case.closure_pending) == (
        Status.OPEN,
        Stage.ASSESSMENT,
        None,
        False,
    )
    actions = AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True)
    assert list(actions.order_by("id")) == [
        "case.closure_request",
        "case.close",
        "case.reopen",
    ]


def test_a_commune_is_a_childs_location_but_a_district_is_not(world: World) -> None:
    assert _open(world, location=world.pp_commune).location == world.pp_commune
    district = Location.objects.filter(level=LocationLevel.DISTRICT).first()
    with pytest.raises(ValidationError):
        _open(world, location=district)


def test_a_restricted_case_is_not_hinted_at_in_another_agencys_duplicate_report(
    world: World,
) -> None:
    hidden = services.case_open(
        actor=world.other_worker,
        child=_child(location=world.pp_village),
        concerns=["sexual_abuse"],
        source="community",
        restricted=True,
    )
    second = _open(world)
    assert possible_duplicates(user=world.worker, child=second.child) == []
    # The people named on the restricted case are still told of the match.
    third = _open(world, actor=world.other_worker)
    reported = possible_duplicates(user=world.other_worker, child=third.child)
    assert hidden.pk in {duplicate.case_id for duplicate in reported}


def test_a_police_intake_case_can_be_reassigned_within_the_police_agency(world: World) -> None:
    police_supervisor = UserFactory.create(role=Role.SUPERVISOR, agency=world.police_agency)
    world.police.supervisor = police_supervisor
    world.police.save()
    colleague = UserFactory.create(role=Role.POLICE, agency=world.police_agency)
    case = _open(world, actor=world.police)
    services.case_assign(actor=police_supervisor, case=case, owner=colleague)
    case.refresh_from_db()
    assert case.owner == colleague


# --- Transactions ----------------------------------------------------------------------------


def test_a_service_owns_its_transaction_and_refuses_to_run_inside_another(world: World) -> None:
    """A service commits what it did, with its audit event, when it returns: a transaction of
    the caller's around it could still roll back a change reported done, so nesting is refused
    outright (the services one calls inside its own are not durable, and say why)."""
    version = world.own_case.version

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.case_update(actor=world.worker, case=world.own_case, changes={"summary": "x"})

    world.own_case.refresh_from_db()
    assert world.own_case.version == version
    assert not AuditEvent.objects.filter(action="case.update").exists()
