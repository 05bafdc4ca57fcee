"""My work, the home page: overdue visits, referrals to answer, approvals waiting, high-risk
children without recent contact and unread notifications, each for the people concerned, in a
fixed number of queries whatever the lists' lengths."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Agency, User
from cases.models import Case, CasePlan
from notifications.outbox import Notice, notify
from referrals.models import Referral
from tests.conftest import World
from tests.factories import AgencyFactory, CaseFactory, UserFactory
from tests.reintegration.helpers import another_commune, months_ago, reintegrate
from tests.web.conftest import signed_in
from tests.web.test_referral_pages import refer


def home(user: User) -> str:
    answer = signed_in(user).get("/")
    assert answer.status_code == 200
    return str(answer.content.decode())


def submitted_plan(case: Case) -> CasePlan:
    now = timezone.now()
    return CasePlan.objects.create(
        case=case,
        status="submitted",
        created_by=case.owner,
        submitted_by=case.owner,
        submitted_at=now,
    )


def closure_requested(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(
        closure_reason="reintegrated",
        closure_requested_by=case.owner,
        closure_requested_at=timezone.now(),
    )


def high_risk(case: Case, *, last_contact_days_ago: int | None) -> None:
    """The case, registered a month ago, is at high risk; without a contact, the silence is
    counted from its registration (as the reminder counts it)."""
    last_contact = (
        None
        if last_contact_days_ago is None
        else timezone.now() - timedelta(days=last_contact_days_ago)
    )
    Case.objects.filter(pk=case.pk).update(
        risk_level="high",
        last_contact_at=last_contact,
        created_at=timezone.now() - timedelta(days=30),
    )


def test_signed_out_the_home_page_leads_to_the_login(db: None) -> None:
    answer = Client().get("/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_the_owner_sees_her_overdue_follow_up_visits(world: World) -> None:
    reintegration = reintegrate(world, on=months_ago(2), months=[1, 3])

    page = home(world.worker)

    [overdue] = reintegration.follow_ups.filter(scheduled_date__lt=timezone.localdate())
    assert f"/follow-ups/{overdue.pk}/" in page
    [upcoming] = reintegration.follow_ups.filter(scheduled_date__gte=timezone.localdate())
    assert f"/follow-ups/{upcoming.pk}/" not in page
    assert f"/follow-ups/{overdue.pk}/" not in home(world.other_worker)


def test_the_receiving_worker_sees_the_referral_waiting_for_an_answer(world: World) -> None:
    referral = refer(world)

    page = home(world.other_worker)

    assert f"/referrals/{referral.pk}/" in page
    assert world.own_case.case_number not in page  # the receiver learns it once accepted
    assert f"/referrals/{referral.pk}/" not in home(world.worker)


def test_the_supervisor_sees_the_approvals_waiting(world: World) -> None:
    Agency.objects.filter(pk=world.ngo.pk).update(requires_referral_approval=True)
    world.worker.refresh_from_db()
    referral = refer(world)
    submitted_plan(world.teammates_case)
    closure_requested(world.own_case)

    page = home(world.supervisor)

    assert f"/referrals/{referral.pk}/" in page
    assert f"/cases/{world.teammates_case.pk}/plan/" in page
    assert f'/cases/{world.own_case.pk}/"' in page
    worker_page = home(world.worker)
    assert "Waiting for my approval" not in worker_page
    assert f"/cases/{world.teammates_case.pk}/plan/" not in worker_page


def test_high_risk_children_without_recent_contact_are_listed(world: World, settings: Any) -> None:
    settings.NO_CONTACT_DAYS = 14
    never = CaseFactory.create(owner=world.worker, location=world.pp_village)
    long_ago = CaseFactory.create(owner=world.worker, location=world.pp_village)
    recently = CaseFactory.create(owner=world.worker, location=world.pp_village)
    high_risk(never, last_contact_days_ago=None)
    high_risk(long_ago, last_contact_days_ago=20)
    high_risk(recently, last_contact_days_ago=3)

    page = home(world.worker)

    assert never.case_number in page
    assert long_ago.case_number in page
    assert long_ago.child.given_name in page
    assert recently.case_number not in page
    assert never.case_number not in home(world.other_worker)


def test_the_agency_admin_sees_the_case_numbers_and_not_the_children(world: World) -> None:
    high_risk(world.own_case, last_contact_days_ago=None)

    page = home(world.agency_admin)

    assert world.own_case.case_number in page
    assert world.own_case.child.given_name not in page


def test_only_the_latest_unread_notifications_are_shown_with_a_link_to_all(
    world: World,
) -> None:
    notify(
        Notice(
            kind="review_due",
            recipient_id=world.worker.pk,
            subject=f"case:{number}",
            case_number=f"CASE-{number:02d}",
        )
        for number in range(8)
    )

    page = home(world.worker)

    assert page.count("/open/") == 5
    assert 'href="/notifications/"' in page


@pytest.mark.parametrize(
    "persona",
    # The analyst's home is the statistics dashboard (tests/reporting/test_dashboard.py).
    ["commune_member", "police", "dosvy_officer", "agency_admin", "system_admin"],
)
def test_my_work_opens_for_every_role(world: World, persona: str) -> None:
    assert "My work" in home(getattr(world, persona))


@pytest.mark.parametrize("count", [1, 20])
def test_my_work_costs_the_same_queries_for_1_and_20_rows(
    world: World, count: int, django_assert_max_num_queries: Any
) -> None:
    Agency.objects.filter(pk=world.ngo.pk).update(requires_referral_approval=True)
    world.worker.refresh_from_db()
    for _number in range(count):
        case = CaseFactory.create(owner=world.worker, location=world.pp_village)
        high_risk(case, last_contact_days_ago=None)
        refer(world, case=case)  # waiting for the supervisor's approval
        refer(world, case=CaseFactory.create(owner=world.other_worker), to=world.ngo)
        submitted_plan(case)
        closure_requested(case)
        reintegrate(world, on=months_ago(2), months=[1], case=case)
    assert Referral.objects.filter(status="sent", to_agency=world.ngo).count() == count
    client = signed_in(world.supervisor)

    # The team's caseload (reporting.caseload) costs five of them.
    with django_assert_max_num_queries(25):
        page = client.get("/").content.decode()

    assert page.count("/follow-ups/") >= min(count, 10)
    assert page.count("Closure ·") == min(count, 10)  # the first ten; the queue has the rest


# --- A home for each role ---------------------------------------------------------------------


def test_the_system_admin_sees_the_administration_and_no_case(world: World) -> None:
    UserFactory.create(username="gone", agency=world.ngo, is_active=False)
    high_risk(world.own_case, last_contact_days_ago=None)
    notify([Notice(kind="review_due", recipient_id=world.system_admin.pk, subject="s")])

    page = home(world.system_admin)

    agencies, active = Agency.objects.count(), User.objects.filter(is_active=True).count()
    assert f"{agencies} agencies" in page
    assert f"{active} active users" in page
    assert 'href="/admin/"' in page
    assert 'href="/manage/users/"' in page
    assert 'href="/manage/agencies/"' in page
    assert world.own_case.case_number not in page
    assert "All my cases" not in page
    assert "Unread notifications" not in page
    assert "High-risk children" not in page


def test_the_analyst_is_sent_to_the_statistics(world: World) -> None:
    answer = signed_in(world.analyst).get("/")

    assert answer.status_code == 302
    assert answer["Location"] == "/statistics/"


def test_the_agency_admin_sees_her_agencys_people_and_her_directory_entry(
    world: World,
) -> None:
    User.objects.filter(pk=world.teammate.pk).update(
        last_login=timezone.now().replace(year=2026, month=3, day=4, hour=9)
    )
    UserFactory.create(username="left", full_name="Gone Person", agency=world.ngo, is_active=False)

    page = home(world.agency_admin)

    assert world.supervisor.full_name in page
    assert "Supervisor" in page
    assert "4 Mar 2026" in page  # the day first, as every date of the pages in English
    assert "Never" in page
    assert "Gone Person" not in page
    assert world.other_worker.full_name not in page
    assert f'href="/manage/agencies/{world.ngo.pk}/"' in page
    assert "Hope Shelter in the service directory" in page
    assert 'href="/manage/users/"' in page
    assert f'href="/manage/users/{world.supervisor.pk}/"' in page
    assert 'href="/statistics/caseload/"' in page
    assert "All my cases" not in page


def test_the_commune_member_sees_only_the_visits_due_in_her_commune(world: World) -> None:
    ours = reintegrate(world, on=months_ago(2), months=[1, 3])
    village, other_member = another_commune(world)
    theirs = reintegrate(
        world, on=months_ago(2), months=[1], location=village, focal_point=other_member
    )
    high_risk(world.own_case, last_contact_days_ago=None)
    notify([Notice(kind="review_due", recipient_id=world.commune_member.pk, subject="s")])

    page = home(world.commune_member)

    for visit in ours.follow_ups.all():
        assert f"/follow-ups/{visit.pk}/" in page
    assert page.count("Overdue") == 1  # the first visit; the second is still to come
    assert ours.case.child.given_name in page
    [their_visit] = theirs.follow_ups.all()
    assert f"/follow-ups/{their_visit.pk}/" not in page
    assert ours.case.case_number not in page
    assert world.own_case.case_number not in page
    assert "All my cases" not in page
    assert "Unread notifications" not in page
    assert "High-risk children" not in page


def test_the_police_officer_sees_the_children_to_refer_on_and_her_referrals(
    world: World,
) -> None:
    held = CaseFactory.create(owner=world.police, location=world.pp_village)
    referred = CaseFactory.create(owner=world.police, location=world.pp_village)
    referral = refer(world, case=referred)
    handed_over = CaseFactory.create(
        owner=world.worker, created_by=world.police, location=world.pp_village
    )
    closed = CaseFactory.create(
        owner=world.police, location=world.pp_village, status="closed", closed_at=timezone.now()
    )

    page = home(world.police)

    assert held.case_number in page
    assert held.child.given_name in page
    assert f"/referrals/{referral.pk}/" in page
    assert "To Family First" in page
    assert referral.get_status_display() in page
    assert handed_over.case_number not in page
    assert closed.case_number not in page
    assert "All my cases" in page
    assert "Unread notifications" in page
    other_referral = refer(world)
    assert f"/referrals/{other_referral.pk}/" not in home(world.police)


@pytest.mark.parametrize(
    ("persona", "holds_cases"),
    [
        ("worker", True),
        ("supervisor", True),
        ("police", True),
        ("agency_admin", False),
        ("commune_member", False),
        ("system_admin", False),
    ],
)
def test_only_those_who_hold_cases_see_all_my_cases(
    world: World, persona: str, holds_cases: bool
) -> None:
    assert ("All my cases" in home(getattr(world, persona))) is holds_cases


@pytest.mark.parametrize("role", [Role.LABOUR_INSPECTOR, Role.HELPLINE_OPERATOR])
def test_labour_inspectors_and_helpline_operators_have_the_referrers_home(
    world: World, role: str
) -> None:
    referrer = UserFactory.create(username="referrer", role=role, agency=world.police_agency)
    held = CaseFactory.create(owner=referrer, location=world.pp_village)

    page = home(referrer)

    assert "Children to refer on" in page
    assert held.case_number in page
    assert "Referrals I made" in page


def _rows_for(world: World, persona: str, count: int) -> None:
    """``count`` rows in each list the persona's home shows."""
    for number in range(count):
        if persona == "system_admin":
            agency = AgencyFactory.create(name=f"Agency {number}")
            UserFactory.create(username=f"person{number}", agency=agency)
        elif persona == "agency_admin":
            UserFactory.create(
                username=f"person{number}", agency=world.ngo, last_login=timezone.now()
            )
            case = CaseFactory.create(owner=world.worker, location=world.pp_village)
            high_risk(case, last_contact_days_ago=None)
        elif persona == "commune_member":
            reintegrate(world, on=months_ago(2), months=[1, 3])
        elif persona == "police":
            CaseFactory.create(owner=world.police, location=world.pp_village)
            refer(world, case=CaseFactory.create(owner=world.police, location=world.pp_village))
    if persona != "system_admin":
        user: User = getattr(world, persona)
        notify(
            Notice(kind="review_due", recipient_id=user.pk, subject=f"s{number}")
            for number in range(count)
        )


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize(
    ("persona", "budget"),
    # The session, the user and the header's unread count come with every page.
    [("system_admin", 8), ("agency_admin", 11), ("commune_member", 9), ("police", 14)],
)
def test_each_roles_home_costs_the_same_queries_for_1_and_20_rows(
    world: World, persona: str, budget: int, count: int, django_assert_max_num_queries: Any
) -> None:
    _rows_for(world, persona, count)
    client = signed_in(getattr(world, persona))

    with django_assert_max_num_queries(budget):
        answer = client.get("/")

    assert answer.status_code == 200
