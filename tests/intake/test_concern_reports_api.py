"""Children reported at risk over the API: who may report, which office receives the report,
how the office answers it, and what the reporter, the other offices and everyone else learn."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.choices import AgencyType, Role
from accounts.models import User
from audit.models import AuditEvent
from cases.models import Case
from intake.models import ConcernReport
from notifications.models import Notification
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, LocationFactory, UserFactory, province

pytestmark = pytest.mark.django_db

URL = "/api/v1/concern-reports/"


def office_with_reports(reports: int) -> tuple[User, list[int]]:
    """A district office of its own with a supervisor, and ``reports`` children reported to it
    from one of its villages (the query-count guards read its queue and one report)."""
    province = LocationFactory.create(level="province")
    village = LocationFactory.village_in(province)
    assert village.parent is not None
    office = AgencyFactory.create(
        name=f"District office of {reports}", type=AgencyType.DOSVY, location=village.parent.parent
    )
    supervisor = UserFactory.create(
        username=f"office_of_{reports}", role=Role.SUPERVISOR, agency=office
    )
    now = timezone.now()
    made = ConcernReport.objects.bulk_create(
        ConcernReport(
            child_name=f"Child {n}",
            location=village,
            concern_id="neglect",
            urgency="routine",
            description="Seen alone",
            reporter=supervisor,
            office=office,
            triage_by=now,
        )
        for n in range(reports)
    )
    return supervisor, [report.pk for report in made]


def _body(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "child_name": "ស.ម",
        "age": 9,
        "sex": "female",
        "location": world.pp_village.pk,
        "concern": "neglect",
        "urgency": "urgent",
        "description": "កុមារីនៅផ្ទះម្នាក់ឯង គ្មានអាហារ ៣ ថ្ងៃហើយ",
        "reporter_contact": "012 345 678",
        **overrides,
    }


def _report(world: World, reporter: User | None = None, **overrides: Any) -> dict[str, Any]:
    answer = api_client(reporter or world.commune_member).post(
        URL, _body(world, **overrides), format="json"
    )
    assert answer.status_code == 201, answer.content
    body: dict[str, Any] = answer.json()
    return body


def test_a_commune_member_reports_a_child_and_the_provincial_office_receives_it(
    world: World,
) -> None:
    before = timezone.now()

    body = _report(world)

    report = ConcernReport.objects.get(pk=body["id"])
    assert body["status"] == "new"
    assert report.office == world.dosvy_pp
    assert report.reporter == world.commune_member
    assert report.description == "កុមារីនៅផ្ទះម្នាក់ឯង គ្មានអាហារ ៣ ថ្ងៃហើយ"
    # Urgent: two days by default.
    assert 47 * 3600 < (report.triage_by - before).total_seconds() <= 48 * 3600 + 5
    # The office's supervisors hear of it at once; the reporter's contact stays out of the trail.
    assert Notification.objects.filter(
        kind="report_received", recipient=world.dosvy_officer, concern_report_id=report.pk
    ).exists()
    event = AuditEvent.objects.get(action="concern_report.create")
    assert "012 345 678" not in str(event.changes)


def test_a_district_office_receives_the_reports_of_its_district_before_the_province(
    world: World,
) -> None:
    district = world.pp_commune.parent
    district_office = AgencyFactory.create(
        name="OSVY district", type=AgencyType.DOSVY, location=district
    )

    body = _report(world)

    assert ConcernReport.objects.get(pk=body["id"]).office == district_office


def test_a_place_no_office_covers_goes_to_the_ministry_and_none_at_all_is_refused(
    world: World,
) -> None:
    far_province = province("17")
    far_village = LocationFactory.village_in(far_province)

    body = _report(world, location=far_village.pk)
    assert ConcernReport.objects.get(pk=body["id"]).office == world.mosvy

    world.mosvy.is_active = False
    world.mosvy.save(update_fields=["is_active"])
    answer = api_client(world.commune_member).post(
        URL, _body(world, location=far_village.pk), format="json"
    )
    assert answer.status_code == 400
    assert "location" in answer.json()


def test_a_village_chief_reports_and_sees_only_his_own_reports(world: World) -> None:
    chief = UserFactory.create(
        username="chief", role=Role.VILLAGE_CHIEF, agency=world.ccwc, location=world.pp_village
    )
    mine = _report(world, reporter=chief)
    _report(world)

    listed = api_client(chief).get(URL).json()["results"]

    assert [row["id"] for row in listed] == [mine["id"]]


@pytest.mark.parametrize("persona", ["analyst", "agency_admin", "system_admin"])
def test_roles_that_hold_no_children_do_not_report(world: World, persona: str) -> None:
    answer = api_client(getattr(world, persona)).post(URL, _body(world), format="json")

    assert answer.status_code == 403
    assert not ConcernReport.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"location": None}, "location"),
        ({"concern": "no_such_concern"}, "concern"),
        ({"urgency": "tomorrow"}, "urgency"),
        ({"age": 19}, "age"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_input_is_refused_with_400_and_nothing_saved(
    world: World, change: dict[str, Any], field: str
) -> None:
    answer = api_client(world.commune_member).post(URL, _body(world, **change), format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    assert not ConcernReport.objects.exists()


def test_a_province_is_too_vague_a_place(world: World) -> None:
    answer = api_client(world.commune_member).post(
        URL, _body(world, location=world.phnom_penh.pk), format="json"
    )

    assert answer.status_code == 400
    assert "location" in answer.json()


def test_the_same_idempotency_key_reports_once(world: World) -> None:
    client = api_client(world.commune_member)
    first = client.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="visit-7")
    again = client.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="visit-7")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert ConcernReport.objects.count() == 1


def test_the_office_triages_the_report_into_a_case_and_the_reporter_sees_only_that(
    world: World,
) -> None:
    report = _report(world)
    office = api_client(world.dosvy_officer)
    queue = office.get(URL, {"status": "new"}).json()["results"]
    assert [row["id"] for row in queue] == [report["id"]]

    answer = office.post(
        f"{URL}{report['id']}/open-case/",
        {"child": {"given_name_km": "សុខា", "family_name_km": "ម៉ៅ"}},
        format="json",
    )

    assert answer.status_code == 201, answer.content
    case = Case.objects.get(pk=answer.json()["id"])
    assert case.owner == world.dosvy_officer
    assert case.source == "ccwc"
    assert case.child.given_name_km == "សុខា"
    assert case.child.sex == "female"
    assert case.child.location == world.pp_village
    assert list(case.concerns.values_list("code", flat=True)) == ["neglect"]
    assert "possible_duplicates" in answer.json()
    assert ConcernReport.objects.get(pk=report["id"]).case == case
    assert AuditEvent.objects.filter(action="concern_report.open_case", case_id=case.pk).exists()
    # The queue is empty again, and the notice that asked for it is settled.
    assert office.get(URL, {"status": "new"}).json()["results"] == []
    assert not Notification.objects.filter(
        kind="report_received", concern_report_id=report["id"], read_at__isnull=True
    ).exists()

    reporter = api_client(world.commune_member)
    seen = reporter.get(f"{URL}{report['id']}/").json()
    assert seen["status"] == "case_opened"
    assert seen["case"] is None
    told = Notification.objects.get(kind="report_answered", recipient=world.commune_member)
    assert told.case_id is None
    assert told.case_number == ""
    assert reporter.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_a_second_office_neither_sees_nor_answers_the_report(world: World) -> None:
    report = _report(world)
    other_office = api_client(world.bmc_worker)

    assert other_office.get(f"{URL}{report['id']}/").status_code == 404
    assert other_office.get(URL).json()["results"] == []
    assert other_office.post(f"{URL}{report['id']}/close/", {"reason": "x"}).status_code == 404
    assert other_office.post(f"{URL}{report['id']}/open-case/", {}).status_code == 404
    for outsider in (world.worker, world.analyst, world.police):
        assert api_client(outsider).get(f"{URL}{report['id']}/").status_code == 404


def test_the_reporter_cannot_answer_her_own_report(world: World) -> None:
    report = _report(world)

    answer = api_client(world.commune_member).post(
        f"{URL}{report['id']}/close/", {"reason": "Never mind"}, format="json"
    )

    assert answer.status_code == 403
    assert ConcernReport.objects.get(pk=report["id"]).status == "new"


def test_a_report_without_a_name_needs_one_before_a_case_is_opened(world: World) -> None:
    report = _report(world, child_name="")

    answer = api_client(world.dosvy_officer).post(
        f"{URL}{report['id']}/open-case/", {}, format="json"
    )

    assert answer.status_code == 400
    assert "child" in answer.json()
    assert ConcernReport.objects.get(pk=report["id"]).status == "new"
    assert not Case.objects.filter(created_by=world.dosvy_officer).exists()


def test_closing_says_why_and_the_reporter_does_not_learn_it(world: World) -> None:
    report = _report(world)
    office = api_client(world.dosvy_officer)

    assert office.post(f"{URL}{report['id']}/close/", {"reason": " "}).status_code == 400
    answer = office.post(
        f"{URL}{report['id']}/close/", {"reason": "Already followed by an NGO"}, format="json"
    )

    assert answer.status_code == 200
    assert answer.json()["close_reason"] == "Already followed by an NGO"
    seen = api_client(world.commune_member).get(f"{URL}{report['id']}/").json()
    assert seen["status"] == "closed"
    assert seen["close_reason"] == ""
    again = office.post(f"{URL}{report['id']}/close/", {"reason": "Twice"}, format="json")
    assert again.status_code == 409
    assert office.post(f"{URL}{report['id']}/open-case/", {}, format="json").status_code == 409


@pytest.mark.parametrize("size", [1, 25])
def test_the_list_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any, size: int
) -> None:
    for _ in range(size):
        _report(world)
    office = api_client(world.dosvy_officer)

    with django_assert_max_num_queries(5):
        answer = office.get(URL)

    assert len(answer.json()["results"]) == size
