"""The intake pages: a commune member or a village chief reports a child on a short form; the
office's social worker finds it in the queue and answers it with a case (the registration
form, filled from the report, with its duplicate check) or closes it; the reporter sees only
that it was acted on, and nobody else sees it at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.models import User
from cases.models import Case
from intake.models import ConcernReport
from tests.conftest import World
from tests.factories import CaseFactory, UserFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

SEEN = "កុមារីម្នាក់ត្រូវបានគេវាយ ហើយមិនបានទៅសាលារៀន"


def _form(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "urgency": "urgent",
        "location": str(world.pp_village.pk),
        "concern": "physical_abuse",
        "description": SEEN,
        "child_name": "ស្រីនិច",
        "age": "10",
        "sex": "female",
        "reporter_contact": "097 111 222",
        **changes,
    }


def _reported(world: World, reporter: User | None = None) -> ConcernReport:
    answer = signed_in(reporter or world.commune_member).post("/concerns/new/", _form(world))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return ConcernReport.objects.latest("pk")


def _office_opens_a_case(office: Client, report: ConcernReport, **changes: Any) -> Any:
    data = {
        "given_name_km": "ស្រីនិច",
        "family_name_km": "សុខ",
        "sex": "female",
        "estimated_age": "10",
        "location": str(report.location_id),
        "birth_registration": "unknown",
        "concerns": ["physical_abuse"],
        "source": "ccwc",
        "summary": SEEN,
        "family-TOTAL_FORMS": "0",
        "family-INITIAL_FORMS": "0",
        **changes,
    }
    return office.post(f"/concerns/{report.pk}/open-case/", data)


def test_a_commune_member_reports_a_child_from_her_commune_without_searching(
    world: World,
) -> None:
    member = signed_in(world.commune_member)
    form = member.get("/concerns/new/").content.decode()
    # Her commune and its villages are offered at once.
    assert f'value="{world.pp_commune.pk}"' in form
    assert f'value="{world.pp_village.pk}"' in form

    answer = member.post("/concerns/new/", _form(world))

    report = ConcernReport.objects.get()
    assert answer["Location"] == f"/concerns/{report.pk}/"
    assert report.description == SEEN
    assert report.office == world.dosvy_pp
    page = member.get(answer["Location"]).content.decode()
    assert SEEN in page
    assert "has your report" in page
    assert "My reports" in member.get("/").content.decode()


def test_a_village_chief_has_his_village_chosen_and_a_home_to_report_from(
    world: World,
) -> None:
    chief = UserFactory.create(
        username="chief", role=Role.VILLAGE_CHIEF, agency=world.ccwc, location=world.pp_village
    )
    client = signed_in(chief)

    home = client.get("/").content.decode()
    form = client.get("/concerns/new/").content.decode()

    assert "/concerns/new/" in home
    assert f'value="{world.pp_village.pk}" id="id_location_0" checked' in form
    assert 'href="/cases/"' not in home


def test_a_bad_report_keeps_what_was_typed_and_saves_nothing(world: World) -> None:
    answer = signed_in(world.commune_member).post(
        "/concerns/new/", _form(world, description="", concern="")
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Say what was seen or heard." in page
    assert "097 111 222" in page
    assert not ConcernReport.objects.exists()


def test_the_office_opens_a_case_from_the_report_and_the_reporter_learns_only_that(
    world: World,
) -> None:
    report = _reported(world)
    office = signed_in(world.dosvy_officer)
    queue = office.get("/concerns/").content.decode()
    assert f"/concerns/{report.pk}/" in queue

    form = office.get(f"/concerns/{report.pk}/open-case/").content.decode()
    assert 'value="ស្រីនិច"' in form  # the name the report gave, as Khmer script
    assert SEEN in form

    answer = _office_opens_a_case(office, report)

    assert answer.status_code == 302, answer.content.decode()[:3000]
    report.refresh_from_db()
    assert report.status == "case_opened"
    assert report.case_id is not None
    case = Case.objects.get(pk=report.case_id)
    assert answer["Location"] == f"/cases/{case.pk}/"
    assert case.owner == world.dosvy_officer

    member = signed_in(world.commune_member)
    seen = member.get(f"/concerns/{report.pk}/").content.decode()
    assert "acted on your report" in seen
    assert case.case_number not in seen
    assert f"/cases/{case.pk}/" not in seen
    assert member.get(f"/cases/{case.pk}/").status_code == 404
    # Answered: the form is not offered again, and a second answer is a conflict.
    assert office.get(f"/concerns/{report.pk}/open-case/").status_code == 409


def test_opening_a_case_warns_of_a_child_already_known_before_saving(world: World) -> None:
    known = CaseFactory.create(owner=world.bmc_worker, location=world.pp_village)
    known.child.given_name_km = "ស្រីនិច"
    known.child.family_name_km = "សុខ"
    known.child.sex = "female"
    known.child.estimated_age = 10
    known.child.save()
    report = _reported(world)
    office = signed_in(world.dosvy_officer)

    warned = _office_opens_a_case(office, report)

    assert warned.status_code == 200
    assert "This child may already be known" in warned.content.decode()
    report.refresh_from_db()
    assert report.status == "new"


def test_the_office_closes_a_report_with_a_reason_the_reporter_does_not_see(
    world: World,
) -> None:
    report = _reported(world)
    office = signed_in(world.dosvy_officer)

    refused = office.post(f"/concerns/{report.pk}/close/", {"reason": ""})
    assert refused.status_code == 400
    closed = office.post(f"/concerns/{report.pk}/close/", {"reason": "ការងារនេះមានអង្គការតាមដានហើយ"})

    assert closed.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.close_reason == "ការងារនេះមានអង្គការតាមដានហើយ"
    seen = signed_in(world.commune_member).get(f"/concerns/{report.pk}/").content.decode()
    assert "closed it" in seen
    assert "ការងារនេះមានអង្គការតាមដានហើយ" not in seen


def test_nobody_else_sees_or_answers_the_report(world: World) -> None:
    report = _reported(world)
    for outsider in (world.bmc_worker, world.worker, world.police):
        client = signed_in(outsider)
        assert client.get(f"/concerns/{report.pk}/").status_code == 404
        assert client.get(f"/concerns/{report.pk}/open-case/").status_code == 404
        assert client.post(f"/concerns/{report.pk}/close/", {"reason": "x"}).status_code == 404
        assert f"/concerns/{report.pk}/" not in client.get("/concerns/").content.decode()
    # The reporter reads her report but does not answer it.
    member = signed_in(world.commune_member)
    assert member.get(f"/concerns/{report.pk}/open-case/").status_code == 403
    assert member.post(f"/concerns/{report.pk}/close/", {"reason": "x"}).status_code == 403
    for no_reporter in (world.analyst, world.agency_admin):
        assert signed_in(no_reporter).get("/concerns/").status_code == 403
        assert signed_in(no_reporter).get("/concerns/new/").status_code == 403


@pytest.mark.parametrize("count", [1, 15])
def test_the_list_costs_the_same_queries_whatever_its_length(
    world: World, count: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        _reported(world)
    office = signed_in(world.dosvy_officer)

    with django_assert_max_num_queries(12):
        page = office.get("/concerns/").content.decode()

    assert page.count('href="/concerns/') >= count
