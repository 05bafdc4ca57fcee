"""The statistics dashboard (/statistics/) and the team caseload (the supervisor's home and
/statistics/caseload/): who sees them, what they count, what they never show."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Location
from cases.choices import RiskLevel
from cases.models import Case, CaseConcern
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from reintegration.choices import FollowUpOutcome
from reporting.facts import facts_refresh
from tests.conftest import World
from tests.factories import CaseFactory, ChildFactory, LocationFactory, UserFactory
from tests.reporting.helpers import reintegrated, visit
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

PANELS = ["opened", "risk", "referrals", "follow_ups", "places"]
# A suppressed cell's text: a dash, and the word for screen readers.
SUPPRESSED = "\N{EN DASH}suppressed"


def cases(
    world: World,
    n: int,
    *,
    village: Location | None = None,
    concern: str | None = None,
    risk: str = "",
    owner: Any = None,
) -> list[Case]:
    village = village or world.pp_village
    made = []
    for _number in range(n):
        case = CaseFactory.create(
            owner=owner or world.worker,
            location=village,
            child=ChildFactory.create(location=village),
            risk_level=risk,
        )
        if concern:
            CaseConcern.objects.create(case=case, concern_id=concern)
        made.append(case)
    return made


def referrals(world: World, made: list[Case], *, urgency: str, on_time: bool) -> None:
    now = timezone.now()
    for case in made:
        Referral.objects.create(
            case=case,
            from_agency=world.ngo,
            to_agency=world.other_ngo,
            type=ReferralType.SERVICE,
            urgency=urgency,
            reason="Needs shelter",
            status=ReferralStatus.ACCEPTED,
            created_by=world.worker,
            sent_at=now - timedelta(days=5),
            respond_by=now - timedelta(days=2),
            answered_at=now - timedelta(days=4 if on_time else 1),
        )


def first_visits(world: World, made: list[Case], *, outcome: str) -> None:
    for case in made:
        visit(reintegrated(world, case, days_ago=40), sequence=1, days_ago=10, outcome=outcome)


def scene(world: World) -> None:
    """Besides the world's five cases (four in Phnom Penh, one in Banteay Meanchey, no risk
    level, no concern): in Phnom Penh 7 sex trafficking cases at high risk, 6 labour
    trafficking cases at low risk and 2 at critical risk (a small count); in Banteay Meanchey
    6 cases of child labour at medium risk. 6 urgent referrals answered on time, 5 routine
    ones late; 6 first follow-up visits, the child stable."""
    trafficked = cases(world, 7, concern="sex_trafficking", risk=RiskLevel.HIGH)
    labour = cases(world, 6, concern="labour_trafficking", risk=RiskLevel.LOW)
    cases(world, 2, risk=RiskLevel.CRITICAL)
    cases(world, 6, village=world.bmc_village, concern="child_labour", risk=RiskLevel.MEDIUM)
    referrals(world, trafficked[:6], urgency=Urgency.URGENT, on_time=True)
    referrals(world, labour[:5], urgency=Urgency.ROUTINE, on_time=False)
    first_visits(world, labour, outcome=FollowUpOutcome.STABLE)
    facts_refresh(full=True)


def dashboard(user: Any, language: str | None = None, **query: str) -> Any:
    return signed_in(user, language).get("/statistics/", query)


def row(page: str, label: str) -> list[str]:
    """The cells of the table row headed ``label`` in the first table that has one."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert found, f"no row {label!r}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", found[1], re.S)
    ]


def panel(page: str, key: str) -> str:
    found = re.search(rf'<section class="panel" id="panel-{key}".*?</section>', page, re.S)
    assert found, f"no panel {key}"
    return found[0]


# --- Who sees it -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["worker", "commune_member", "police", "system_admin"])
def test_people_without_statistics_get_403(world: World, persona: str) -> None:
    answer = dashboard(getattr(world, persona))

    assert answer.status_code == 403
    assert "Statistics are for analysts, supervisors and agency admins." in answer.content.decode()


@pytest.mark.parametrize("persona", ["analyst", "dosvy_officer", "supervisor", "agency_admin"])
def test_people_with_a_statistics_scope_get_the_page_and_a_link_to_it(
    world: World, persona: str
) -> None:
    answer = dashboard(getattr(world, persona))

    assert answer.status_code == 200
    assert 'href="/statistics/" aria-current="page"' in answer.content.decode()


def test_the_link_to_statistics_is_not_offered_to_a_social_worker(world: World) -> None:
    page = signed_in(world.worker).get("/").content.decode()

    assert 'href="/statistics/"' not in page


def test_the_analysts_home_is_the_dashboard(world: World) -> None:
    answer = signed_in(world.analyst).get("/")

    assert answer.status_code == 302
    assert answer["Location"] == "/statistics/"


# --- What it counts --------------------------------------------------------------------------


def test_the_analyst_sees_the_five_panels_with_the_counts(world: World) -> None:
    scene(world)

    answer = dashboard(world.analyst)

    assert answer.status_code == 200
    page = answer.content.decode()
    for key in PANELS:
        assert f'id="panel-{key}"' in page
    assert page.count('role="img"') == 4
    this_month = timezone.localdate().strftime("%Y-%m")
    opened = panel(page, "opened")
    # The concerns in the answer's order (by code, none last); the world's cases have none.
    header = re.findall(r'<th scope="col" class="num">(.*?)</th>', opened)
    assert header == [
        "Worst forms of child labour",
        "Labour trafficking",
        "Sex trafficking",
        "Not recorded",
    ]
    assert row(opened, this_month) == ["6", "6", "7", "7"]
    risk = panel(page, "risk")
    assert row(risk, "High") == ["7"]
    assert row(risk, "Low") == ["6"]
    assert row(risk, "Medium") == ["6"]
    references = panel(page, "referrals")
    assert row(references, "Urgent") == ["6", "0"]
    assert row(references, "Routine") == ["0", "5"]
    assert "Answered on time" in references
    visits = panel(page, "follow_ups")
    assert row(visits, "1 month") == ["6"]
    places = panel(page, "places")
    assert "Cases by province" in places
    assert row(places, world.phnom_penh.name_en) == [str(4 + 15), str(4 + 15)]
    assert row(places, world.banteay_meanchey.name_en) == ["7", "7"]
    assert "Counts as of" in page


def test_a_suppressed_count_never_shows_its_number(world: World) -> None:
    scene(world)

    page = dashboard(world.analyst).content.decode()

    risk = panel(page, "risk")
    # Two children at critical risk: hidden, and so is one more cell, or 2 would be the total
    # minus the others.
    assert row(risk, "Critical") == [SUPPRESSED]
    assert row(risk, "Not recorded") == [SUPPRESSED]
    assert "Critical: 2" not in risk
    assert "risk_level-critical" not in risk.split("</svg>")[0]
    assert "Fewer than 5 children, or hidden so that a small count cannot be worked out" in risk
    assert row(risk, "High") == ["7"]


def test_a_dosvy_supervisor_sees_her_province_by_district_and_no_other_province(
    world: World,
) -> None:
    scene(world)
    other_district = world.bmc_village.parent.parent  # type: ignore[union-attr]
    own_district = world.pp_village.parent.parent  # type: ignore[union-attr]
    assert other_district is not None
    assert own_district is not None

    page = dashboard(world.dosvy_officer).content.decode()

    places = panel(page, "places")
    assert "Cases by district" in places
    assert row(places, own_district.name_en) == [str(4 + 15), str(4 + 15)]
    for name in (
        world.banteay_meanchey.name_en,
        world.banteay_meanchey.name_km,
        other_district.name_en,
        other_district.name_km,
    ):
        assert name not in page
    assert "Worst forms of child labour" not in page  # Banteay Meanchey's concern


def test_the_place_filter_narrows_every_panel(world: World) -> None:
    scene(world)

    answer = dashboard(world.analyst, place=str(world.banteay_meanchey.pk))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert '<th scope="row">High</th>' not in panel(page, "risk")  # Phnom Penh's
    assert "Sex trafficking" not in page
    district = world.bmc_village.parent.parent  # type: ignore[union-attr]
    assert district is not None
    assert row(panel(page, "places"), district.name_en) == [str(1 + 6), str(1 + 6)]


def test_the_period_filter_counts_the_months_chosen(world: World) -> None:
    scene(world)
    Case.objects.filter(risk_level=RiskLevel.HIGH).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    facts_refresh(full=True)
    long_ago = (timezone.localdate() - timedelta(days=400)).strftime("%Y-%m")

    page = dashboard(world.analyst, from_month=long_ago, to_month=long_ago).content.decode()

    opened = panel(page, "opened")
    assert row(opened, long_ago) == ["7"]
    assert f'value="{long_ago}"' in page


def test_khmer_labels_when_the_language_is_khmer(world: World) -> None:
    scene(world)

    page = dashboard(world.analyst, "km").content.decode()

    assert '<html lang="km">' in page
    assert "ការជួញដូរផ្លូវភេទ" in panel(page, "opened")  # sex trafficking
    assert "ខ្ពស់" in panel(page, "risk")  # high
    assert world.phnom_penh.name_km in panel(page, "places")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from_month": "2026-13"}, "from_month", "Enter a month as YYYY-MM"),
        ({"to_month": "yesterday"}, "to_month", "Enter a month as YYYY-MM"),
        ({"from_month": "2026-05", "to_month": "2026-01"}, "from_month", "starts after it ends"),
        ({"from_month": "2000-01", "to_month": "2026-01"}, "from_month", "at most 36 months"),
        ({"from_month": "1900-01"}, "from_month", "at most 36 months"),
        ({"place": "999999999"}, "place", "Select a valid choice"),
        ({"place": "x\u00b2"}, "place", "Select a valid choice"),
    ],
)
def test_a_bad_filter_comes_back_with_its_error_and_a_400(
    world: World, query: dict[str, str], field: str, message: str
) -> None:
    answer = dashboard(world.analyst, **query)

    assert answer.status_code == 400
    assert message in " ".join(answer.context["form"].errors[field])
    assert 'role="img"' not in answer.content.decode()


def test_a_place_outside_the_territory_is_not_offered_and_refused(world: World) -> None:
    answer = dashboard(world.dosvy_officer, place=str(world.banteay_meanchey.pk))

    assert answer.status_code == 400
    assert f'value="{world.phnom_penh.pk}"' in answer.content.decode()


@pytest.mark.parametrize("extra", [1, 20])
def test_the_dashboard_costs_a_fixed_number_of_queries(
    world: World, extra: int, django_assert_max_num_queries: Any
) -> None:
    for number in range(extra):
        district = LocationFactory.village_in(world.phnom_penh)
        concern = ["sex_trafficking", "labour_trafficking", "neglect"][number % 3]
        made = cases(world, 1, village=district, concern=concern, risk=RiskLevel.HIGH)
        referrals(world, made, urgency=Urgency.URGENT, on_time=number % 2 == 0)
        first_visits(world, made, outcome=FollowUpOutcome.AT_RISK)
    facts_refresh(full=True)
    client = signed_in(world.analyst)

    # The session and the signed-in person, the place picker, the place checked by each of the
    # six questions, two or three per answer (its counts, its total, how current the store is,
    # the places' or concerns' names), the bell, and the session's save.
    with django_assert_max_num_queries(30):
        answer = client.get("/statistics/", {"place": str(world.phnom_penh.pk)})

    assert answer.status_code == 200


# --- The team caseload -----------------------------------------------------------------------


def test_the_supervisors_home_shows_her_teams_caseload(world: World) -> None:
    cases(world, 2, risk=RiskLevel.HIGH)
    cases(world, 1, risk=RiskLevel.CRITICAL, owner=world.teammate)

    page = signed_in(world.supervisor).get("/").content.decode()

    assert "My team's caseload" in page
    # Open, low, medium, high, critical, overdue visits and plan actions, referrals waiting,
    # and the link to reassign; the restricted case the supervisor is not named on is not
    # counted.
    reassign = "Reassign cases"
    assert row(page, world.worker.full_name) == ["3", "0", "0", "2", "0", "0", "0", "0", reassign]
    assert row(page, world.teammate.full_name) == ["2", "0", "0", "0", "1", "0", "0", "0", reassign]
    assert page.index("caseload-heading") < page.index("visits-heading")


@pytest.mark.parametrize("persona", ["worker", "agency_admin"])
def test_only_a_supervisors_home_has_the_caseload(world: World, persona: str) -> None:
    page = signed_in(getattr(world, persona)).get("/").content.decode()

    assert "caseload-heading" not in page


def test_the_caseload_page_is_for_supervisors_and_agency_admins(world: World) -> None:
    other = UserFactory.create(username="other_team", agency=world.ngo)
    cases(world, 1, owner=other)

    supervisor = signed_in(world.supervisor).get("/statistics/caseload/")
    admin = signed_in(world.agency_admin).get("/statistics/caseload/")

    assert supervisor.status_code == 200
    assert other.full_name not in supervisor.content.decode()  # not in her team
    assert admin.status_code == 200
    assert row(admin.content.decode(), other.full_name)[0] == "1"
    for persona in ("worker", "analyst", "commune_member"):
        assert signed_in(getattr(world, persona)).get("/statistics/caseload/").status_code == 403
