"""The trafficking pathway over the API: a presumed victim recorded by the police, made an
identified one by the oversight office, the history kept; a repatriation moved one step at a
time (409 on a skip, a step back or a move after it ended); who may read and write each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import AgencyType
from audit.models import AuditEvent
from cases.choices import Section
from cases.models import Case, CaseConcern
from cases.services.access import case_set_grants
from tests.conftest import World, api_client
from tests.factories import CaseFactory
from trafficking.models import VictimIdentification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _trafficking_case(world: World) -> Case:
    """A child the police found at the border, in Phnom Penh's territory."""
    case = CaseFactory.create(owner=world.police, location=world.pp_village)
    CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    return case


def _identifications(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/victim-identifications/"


def _repatriations(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/repatriations/"


def _presumed(**overrides: Any) -> dict[str, Any]:
    return {
        "date": TODAY.isoformat(),
        "status": "presumed",
        "indicators": ["deception", "moved_across_border"],
        "notes": "រកឃើញនៅព្រំដែន",
        **overrides,
    }


def test_the_police_presume_and_the_oversight_office_identifies(world: World) -> None:
    case = _trafficking_case(world)
    police = api_client(world.police)
    answer = police.post(_identifications(case), _presumed(), format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["notes"] == "រកឃើញនៅព្រំដែន"

    oversight = api_client(world.dosvy_officer)
    detail = oversight.get(f"/api/v1/cases/{case.pk}/").json()
    assert "identify_victim" in detail["actions"]
    formal = _presumed(
        status="identified",
        identifying_agency=world.dosvy_pp.pk,
        reference="DoSVY-PP/2026/17",
        indicators=["deception", "coercion"],
    )
    answer = oversight.post(_identifications(case), formal, format="json")
    assert answer.status_code == 201, answer.json()

    history = police.get(_identifications(case)).json()["results"]
    assert [row["status"] for row in history] == ["identified", "presumed"]
    assert history[0]["identifying_agency"] == world.dosvy_pp.pk
    assert AuditEvent.objects.filter(action="identification.create", case_id=case.pk).count() == 2


def test_only_a_competent_agency_identifies_formally(world: World) -> None:
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    ngo = api_client(world.worker)
    own_agency = ngo.post(
        _identifications(case),
        _presumed(status="identified", identifying_agency=world.ngo.pk),
        format="json",
    )
    assert own_agency.status_code == 400
    assert "identifying_agency" in own_agency.json()
    unnamed = ngo.post(_identifications(case), _presumed(status="identified"), format="json")
    assert unnamed.status_code == 400
    # Naming the police is not being the police.
    assert world.police_agency.type == AgencyType.POLICE
    for_another = ngo.post(
        _identifications(case),
        _presumed(status="identified", identifying_agency=world.police_agency.pk),
        format="json",
    )
    assert for_another.status_code == 403
    assert not VictimIdentification.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "body",
    [
        _presumed(indicators=["magic"]),
        _presumed(status="victim"),
        _presumed(date=(TODAY + timedelta(days=1)).isoformat()),
        _presumed(identifying_agency=999_999),
        _presumed(unknown_field=1),
    ],
)
def test_bad_identifications_are_refused(world: World, body: dict[str, Any]) -> None:
    case = _trafficking_case(world)
    answer = api_client(world.police).post(_identifications(case), body, format="json")
    assert answer.status_code == 400
    assert not VictimIdentification.objects.filter(case=case).exists()


def test_those_who_do_not_see_the_case_get_404(world: World) -> None:
    case = _trafficking_case(world)
    for outsider in (world.commune_member, world.other_worker, world.bmc_worker):
        client = api_client(outsider)
        assert client.get(_identifications(case)).status_code == 404
        assert client.post(_identifications(case), _presumed(), format="json").status_code == 404
        assert client.get(_repatriations(case)).status_code == 404


def _start(client: Any, case: Case, **overrides: Any) -> Any:
    body = {
        "direction": "to_cambodia",
        "country": "TH",
        "found_at": "Aranyaprathet",
        "border_point": "poipet",
        "transit_centre": "poipet_transit_centre",
        "foreign_reference": "TH-OSCC-2026-5511",
        **overrides,
    }
    return client.post(_repatriations(case), body, format="json")


def _advance(client: Any, case: Case, repatriation: int, status: str) -> Any:
    return client.post(
        f"{_repatriations(case)}{repatriation}/advance/",
        {"status": status, "date": TODAY.isoformat(), "note": "ជំហានបន្ទាប់"},
        format="json",
    )


def test_a_repatriation_runs_one_step_at_a_time_to_handed_over(world: World) -> None:
    case = _trafficking_case(world)
    police = api_client(world.police)
    started = _start(police, case)
    assert started.status_code == 201, started.json()
    body = started.json()
    assert (body["status"], body["border_point"], body["transit_centre"]) == (
        "requested",
        "poipet",
        "poipet_transit_centre",
    )
    pk = body["id"]
    assert _advance(police, case, pk, "travelling").status_code == 409  # a skip
    assert _start(police, case).status_code == 409  # one under way at a time
    for status in ("documents_ready", "travelling", "received"):
        assert _advance(police, case, pk, status).status_code == 200
    assert _advance(police, case, pk, "documents_ready").status_code == 409  # a step back
    done = _advance(police, case, pk, "handed_over")
    assert done.status_code == 200
    steps = done.json()["steps"]
    assert [step["status"] for step in steps] == [
        "requested",
        "documents_ready",
        "travelling",
        "received",
        "handed_over",
    ]
    assert {step["moved_by"] for step in steps} == {world.police.pk}
    assert _advance(police, case, pk, "cancelled").status_code == 409  # ended
    assert AuditEvent.objects.filter(action="repatriation.advance", case_id=case.pk).count() == 4


def test_a_repatriation_can_be_cancelled_before_it_ends(world: World) -> None:
    case = _trafficking_case(world)
    police = api_client(world.police)
    pk = _start(police, case).json()["id"]
    assert _advance(police, case, pk, "cancelled").json()["status"] == "cancelled"
    # Another may start once it ended.
    assert _start(police, case).status_code == 201


@pytest.mark.parametrize(
    "overrides",
    [
        {"country": "th"},
        {"country": "KH"},
        {"country": "THA"},
        {"direction": "sideways"},
        {"border_point": "poipet_transit_centre"},  # a centre is not a crossing
        {"border_point": "nowhere"},
    ],
)
def test_bad_repatriations_are_refused(world: World, overrides: dict[str, Any]) -> None:
    case = _trafficking_case(world)
    assert _start(api_client(world.police), case, **overrides).status_code == 400


def test_oversight_reads_the_repatriation_but_does_not_move_it(world: World) -> None:
    case = _trafficking_case(world)
    pk = _start(api_client(world.police), case).json()["id"]
    oversight = api_client(world.dosvy_officer)
    assert oversight.get(f"{_repatriations(case)}{pk}/").status_code == 200
    assert _advance(oversight, case, pk, "documents_ready").status_code == 403
    assert _start(oversight, case).status_code == 403


def test_a_reader_without_the_section_is_refused(world: World) -> None:
    case = CaseFactory.create(owner=world.worker, location=world.pp_village)
    case_set_grants(
        actor=world.worker,
        case=case,
        grantee=world.other_worker,
        sections={Section.PROFILE},
        contribute=False,
        reason="referral",
    )
    other = api_client(world.other_worker)
    assert other.get(_repatriations(case)).status_code == 403
    assert other.get(_identifications(case)).status_code == 403


def test_a_closed_case_takes_no_new_step(world: World) -> None:
    case = _trafficking_case(world)
    police = api_client(world.police)
    pk = _start(police, case).json()["id"]
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    assert _advance(police, case, pk, "documents_ready").status_code == 409
    assert police.post(_identifications(case), _presumed(), format="json").status_code == 409


def test_the_lists_cost_the_same_for_many_rows(world: World) -> None:
    case = _trafficking_case(world)
    police = api_client(world.police)
    pk = _start(police, case).json()["id"]
    _advance(police, case, pk, "cancelled")
    police.post(_identifications(case), _presumed(), format="json")
    police.get(_repatriations(case))
    with CaptureQueriesContext(connection) as few:
        police.get(_repatriations(case))
        police.get(_identifications(case))
    for _round in range(3):
        started = _start(police, case).json()["id"]
        _advance(police, case, started, "cancelled")
        police.post(_identifications(case), _presumed(), format="json")
    with CaptureQueriesContext(connection) as many:
        police.get(_repatriations(case))
        police.get(_identifications(case))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_crossings_are_listed_by_code(world: World) -> None:
    rows = api_client(world.police).get("/api/v1/crossings/").json()
    codes = {row["code"]: row for row in rows}
    assert codes["poipet"]["kind"] == "border_point"
    assert codes["poipet"]["name_km"] == "ប៉ោយប៉ែត"
    assert codes["bavet_transit_centre"]["kind"] == "transit_centre"
