"""GET /api/v1/statistics/{topic}/: who may ask, over what, and what an answer may tell."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import AgencyType, Role
from accounts.models import Location
from cases.choices import ClosureReason, RiskLevel, Sex, Status
from cases.models import Case, CaseConcern
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from reintegration.choices import FollowUpOutcome
from reporting.facts import facts_refresh
from reporting.models import CaseFact
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, ChildFactory, LocationFactory, UserFactory
from tests.reporting.helpers import reintegrated, visit

pytestmark = pytest.mark.django_db


def _cases(world: World, n: int, *, village: Location | None = None, **child: Any) -> list[Case]:
    village = village or world.pp_village
    return [
        CaseFactory.create(
            owner=world.worker,
            location=village,
            child=ChildFactory.create(location=village, **child),
        )
        for _ in range(n)
    ]


def _ask(user: Any, topic: str = "cases", **params: str) -> Any:
    return api_client(user).get(f"/api/v1/statistics/{topic}/", params)


def _cells(answer: dict[str, Any]) -> dict[tuple[str, ...], int | None]:
    return {tuple(row[name] for name in answer["group_by"]): row["count"] for row in answer["rows"]}


# --- Who may ask ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "person", ["worker", "commune_member", "police", "system_admin", "other_worker"]
)
def test_people_statistics_are_not_for_get_403(world: World, person: str) -> None:
    assert _ask(getattr(world, person)).status_code == 403


def test_an_analyst_of_a_province_counts_only_that_province(world: World) -> None:
    _cases(world, 6)
    _cases(world, 7, village=world.bmc_village)
    facts_refresh(full=True)
    provincial = UserFactory.create(
        username="pp_analyst",
        role=Role.DATA_ANALYST,
        agency=world.dosvy_pp,
        location=world.phnom_penh,
    )
    answer = _ask(provincial, group_by="province").json()
    assert _cells(answer) == {("12",): 6 + 4}  # the world's own Phnom Penh cases count too
    assert answer["total"] == 10
    national = _ask(world.analyst, group_by="province").json()
    assert _cells(national) == {("01",): 7 + 1, ("12",): 10}


def test_a_dosvy_supervisor_counts_her_territory_and_an_ngo_its_own_cases(world: World) -> None:
    _cases(world, 5, village=world.bmc_village)
    _cases(world, 3)
    facts_refresh(full=True)
    territory = _ask(world.dosvy_officer).json()
    assert territory["total"] == Case.objects.filter(location_path__startswith="12/").count()
    agency = _ask(world.supervisor).json()
    assert agency["total"] == Case.objects.filter(agency=world.ngo).count()
    assert _ask(world.agency_admin).json()["total"] == agency["total"]


def test_an_oversight_supervisor_without_a_place_sees_nothing(world: World) -> None:
    office = AgencyFactory.create(name="DoSVY nowhere", type=AgencyType.DOSVY, location=None)
    nowhere = UserFactory.create(username="nowhere", role=Role.SUPERVISOR, agency=office)
    assert _ask(nowhere).status_code == 403


# --- What a question may be ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "params", "field"),
    [
        ("nonsense", {}, "topic"),
        ("cases", {"group_by": "shoe_size"}, "group_by"),
        ("cases", {"group_by": "outcome"}, "group_by"),  # a dimension of another topic
        ("cases", {"group_by": "sex,age_band,province"}, "group_by"),
        ("cases", {"group_by": "sex,sex"}, "group_by"),
        ("cases", {"from": "2026-05-01", "to": "2026-01-31"}, "from"),
        ("cases", {"from": "yesterday"}, "from"),
        ("cases", {"concern": "no_such_concern"}, "concern"),
        ("cases", {"location": "999999999"}, "location"),
    ],
)
def test_a_bad_question_gets_400_naming_what_is_wrong(
    world: World, topic: str, params: dict[str, str], field: str
) -> None:
    response = _ask(world.analyst, topic, **params)
    assert response.status_code == 400
    assert field in response.json()


def test_nothing_finer_than_a_district(world: World) -> None:
    commune = world.pp_commune
    district = commune.parent
    assert district is not None
    refused = _ask(world.analyst, location=str(commune.pk))
    assert refused.status_code == 400
    assert "district" in str(refused.json()["location"])
    assert _ask(world.analyst, location=str(district.pk)).status_code == 200


def test_a_period_is_counted_in_whole_months(world: World) -> None:
    answer = _ask(world.analyst, **{"from": "2026-03-15", "to": "2026-04-02"}).json()
    assert answer["period"] == {"from": "2026-03-01", "to": "2026-04-30"}


# --- What an answer tells --------------------------------------------------------------------


def test_counts_by_two_dimensions_and_the_full_grid(world: World) -> None:
    _cases(world, 6, sex=Sex.FEMALE, estimated_age=4)
    _cases(world, 8, sex=Sex.MALE, estimated_age=16)
    _cases(world, 5, sex=Sex.MALE, estimated_age=4)
    _cases(world, 6, sex=Sex.FEMALE, estimated_age=12)
    facts_refresh(full=True)
    answer = _ask(world.dosvy_officer, group_by="sex,age_band").json()
    # With the world's four Phnom Penh cases (girls of 12); zeros are cells like others.
    assert _cells(answer) == {
        ("female", "0-5"): 6,
        ("female", "12-14"): 10,
        ("female", "15-17"): 0,
        ("male", "0-5"): 5,
        ("male", "12-14"): 0,
        ("male", "15-17"): 8,
    }
    assert not any(row["suppressed"] for row in answer["rows"])
    assert answer["total"] == 29
    assert answer["labels"]["sex"]["female"] == "Female"


def test_a_small_count_is_hidden_with_enough_others_to_protect_it(world: World) -> None:
    _cases(world, 6, sex=Sex.FEMALE, estimated_age=4)
    _cases(world, 8, sex=Sex.MALE, estimated_age=16)
    _cases(world, 5, sex=Sex.MALE, estimated_age=4)
    facts_refresh(full=True)
    cells = _cells(_ask(world.dosvy_officer, group_by="sex,age_band").json())
    # The girls of 12 are four; hiding them alone would leave them to the girls' row sum
    # (10, shown by group_by=sex), hiding the girls under 6 with them to the column of the
    # under-6s (11), and so on: the rule hides cells until no sum pins any of them.
    hidden = {cell for cell, count in cells.items() if count is None}
    assert {("female", "0-5"), ("female", "12-14"), ("male", "0-5")} <= hidden
    assert len(hidden) < len(cells)
    assert cells[("male", "15-17")] == 8


def test_a_lone_small_count_is_not_left_to_subtraction_from_the_total(world: World) -> None:
    _cases(world, 9, sex=Sex.FEMALE)
    _cases(world, 2, sex=Sex.MALE, village=world.bmc_village)
    facts_refresh(full=True)
    answer = _ask(world.analyst, group_by="sex").json()
    assert answer["total"] == 9 + 2 + 5  # the world's five cases are girls
    cells = _cells(answer)
    assert cells[("male",)] is None
    assert cells[("female",)] is None, "the total minus the girls would give the boys"


def _peel(known: dict[tuple[str, ...], int], lines: list[tuple[set[tuple[str, ...]], int]]) -> None:
    """What an attacker does with sums: a sum with one unknown cell gives that cell; repeat."""
    progress = True
    while progress:
        progress = False
        for members, total in lines:
            unknown = [cell for cell in members if cell not in known]
            if len(unknown) == 1:
                known[unknown[0]] = total - sum(known[cell] for cell in members if cell in known)
                progress = True


def test_suppressed_cells_cannot_be_recovered_from_this_and_the_one_way_answers(
    world: World,
) -> None:
    """The two-way table, its total, and the row and column sums published by the one-way
    answers of the same question: no hidden cell can be worked out from them."""
    mix = [
        (Sex.FEMALE, 4, 7),
        (Sex.FEMALE, 9, 2),
        (Sex.FEMALE, 16, 12),
        (Sex.MALE, 4, 1),
        (Sex.MALE, 9, 9),
        (Sex.MALE, 16, 3),
        (Sex.UNKNOWN, 9, 6),
    ]
    for sex, age, n in mix:
        _cases(world, n, village=world.bmc_village, sex=sex, estimated_age=age)
    facts_refresh(full=True)
    location = str(world.banteay_meanchey.pk)
    two_way = _ask(world.analyst, group_by="sex,age_band", location=location).json()
    by_sex = _ask(world.analyst, group_by="sex", location=location).json()
    by_age = _ask(world.analyst, group_by="age_band", location=location).json()
    overall = _ask(world.analyst, location=location).json()
    cells = _cells(two_way)
    hidden = {cell for cell, count in cells.items() if count is None}
    assert (Sex.MALE.value, "0-5") in hidden
    assert (Sex.MALE.value, "15-17") in hidden
    known = {cell: count for cell, count in cells.items() if count is not None}
    lines: list[tuple[set[tuple[str, ...]], int]] = []
    for answer in (two_way, overall):
        if answer["total"] is not None:
            lines.append((set(cells), answer["total"]))
    for axis, answer in ((0, by_sex), (1, by_age)):
        for (value,), count in _cells(answer).items():
            if count is not None:
                lines.append(({cell for cell in cells if cell[axis] == value}, count))
    _peel(known, lines)
    assert not hidden & set(known), "a suppressed count was worked out by subtraction"


def test_no_answer_holds_a_childs_row_name_or_id(world: World) -> None:
    cases = _cases(world, 6, given_name="Sreyneang")
    facts_refresh(full=True)
    for topic, group_by in [("cases", "sex,month"), ("open_cases", "risk_level"), ("cases", "")]:
        body = _ask(world.analyst, topic, group_by=group_by).content.decode()
        assert "Sreyneang" not in body
        assert cases[0].case_number not in body
        assert '"id"' not in body


def test_open_cases_count_on_the_last_day_and_closures_by_reason(world: World) -> None:
    closed = _cases(world, 5)
    for case in closed:
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.closure_reason = ClosureReason.REINTEGRATED
        case.save()
    for case in _cases(world, 6):
        case.risk_level = RiskLevel.HIGH
        case.save()
    facts_refresh(full=True)
    open_answer = _ask(world.analyst, "open_cases", group_by="risk_level").json()
    assert _cells(open_answer)[("high",)] == 6
    assert open_answer["total"] == 6 + 5  # the world's cases are open
    last_year = (timezone.localdate() - timedelta(days=400)).isoformat()
    earlier = _ask(world.analyst, "open_cases", to=last_year).json()
    assert earlier["total"] is None or earlier["total"] == 0
    closures = _ask(world.analyst, "closures", group_by="closure_reason").json()
    assert _cells(closures) == {("reintegrated",): 5}


def test_referrals_are_counted_by_how_they_were_answered(world: World) -> None:
    now = timezone.now()
    cases = _cases(world, 12)
    for number, case in enumerate(cases):
        on_time = number < 7
        Referral.objects.create(
            case=case,
            from_agency=world.ngo,
            to_agency=world.other_ngo,
            type=ReferralType.SERVICE,
            urgency=Urgency.URGENT,
            reason="Needs shelter",
            status=ReferralStatus.ACCEPTED,
            created_by=world.worker,
            sent_at=now - timedelta(days=5),
            respond_by=now - timedelta(days=2),
            answered_at=now - timedelta(days=4 if on_time else 1),
        )
    facts_refresh(full=True)
    answer = _ask(world.analyst, "referrals", group_by="response").json()
    assert _cells(answer) == {("on_time",): 7, ("late",): 5}
    assert answer["labels"]["response"]["on_time"] == "Answered on time"
    # The receiving agency counts the referrals sent to it.
    receiver = UserFactory.create(username="receiver", role=Role.SUPERVISOR, agency=world.other_ngo)
    assert _ask(receiver, "referrals").json()["total"] == 12


def test_follow_up_visits_by_months_since_reintegration(world: World) -> None:
    for case in _cases(world, 6):
        back_home = reintegrated(world, case, days_ago=100)
        visit(back_home, sequence=1, days_ago=70, outcome=FollowUpOutcome.STABLE)
        visit(back_home, sequence=2, days_ago=0)
    facts_refresh(full=True)
    answer = _ask(
        world.analyst, "reintegration", group_by="months_since_reintegration,outcome"
    ).json()
    assert _cells(answer) == {("1", "stable"): 6}, "a visit still to make is not counted"


def test_concern_filter_and_dimension(world: World) -> None:
    for case in _cases(world, 6):
        CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    facts_refresh(full=True)
    assert _ask(world.analyst, concern="sex_trafficking").json()["total"] == 6
    by_concern = _ask(world.analyst, group_by="concern").json()
    assert _cells(by_concern)[("sex_trafficking",)] == 6
    assert by_concern["labels"]["concern"]["sex_trafficking"] == "Sex trafficking"


def test_khmer_labels_for_a_khmer_reader(world: World) -> None:
    _cases(world, 6)
    facts_refresh(full=True)
    answer = (
        api_client(world.analyst)
        .get("/api/v1/statistics/cases/", {"group_by": "province"}, HTTP_ACCEPT_LANGUAGE="km")
        .json()
    )
    assert answer["labels"]["province"]["12"] == Location.objects.get(code="12").name_km


def test_the_store_catches_up_with_changes(world: World) -> None:
    first = facts_refresh(full=True)
    assert first is not None
    assert first.full
    case = world.own_case
    case.risk_level = RiskLevel.CRITICAL
    case.save()
    later = facts_refresh()
    assert later is not None
    assert not later.full
    assert later.cases >= 1
    assert CaseFact.objects.get(case=case).risk_level == RiskLevel.CRITICAL
    answer = _ask(world.analyst).json()
    assert answer["as_of"] is not None


def test_a_month_dimension_lists_every_month_of_the_period(world: World) -> None:
    answer = _ask(
        world.analyst, group_by="month", **{"from": "2026-01-01", "to": "2026-03-31"}
    ).json()
    assert [row["month"] for row in answer["rows"]] == ["2026-01", "2026-02", "2026-03"]


def test_a_statistics_request_costs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    _cases(world, 30, village=LocationFactory.village_in(world.phnom_penh))
    facts_refresh(full=True)
    with django_assert_max_num_queries(8):
        response = _ask(world.analyst, group_by="district,sex")
    assert response.status_code == 200


def test_age_bands_at_opening() -> None:
    from reporting.facts import age_band  # noqa: PLC0415

    assert [age_band(age) for age in (None, 0, 5, 6, 11, 12, 14, 15, 17, 18)] == [
        "unknown",
        "0-5",
        "0-5",
        "6-11",
        "6-11",
        "12-14",
        "12-14",
        "15-17",
        "15-17",
        "unknown",
    ]


def test_the_period_default_is_the_twelve_months_ending_this_month(world: World) -> None:
    answer = _ask(world.analyst).json()
    today = timezone.localdate()
    start = date.fromisoformat(answer["period"]["from"])
    assert start.day == 1
    assert (today.year - start.year) * 12 + today.month - start.month == 11


def test_the_refresh_command_reports_what_it_did(world: World) -> None:
    out = io.StringIO()
    call_command("refresh_statistics", "--full", stdout=out)
    assert out.getvalue().startswith(f"full refresh: {Case.objects.count()} cases, as of ")
    out = io.StringIO()
    call_command("refresh_statistics", stdout=out)
    assert out.getvalue().startswith("incremental refresh: ")
