"""The follow-up pages and the notifications page, through Django's test client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from notifications.models import Notification, NotificationKind
from notifications.outbox import Notice, notify
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp
from tests.conftest import World
from tests.factories import LocationFactory, UserFactory
from tests.notifications.scenarios import reintegrate, visits

SCORES = {
    f"score_{domain}": "4"
    for domain in [
        "safety",
        "care",
        "health",
        "education",
        "family_relationships",
        "economic",
        "child_view",
    ]
}


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _past_visit(world: World) -> FollowUp:
    return visits(reintegrate(world, on=timezone.localdate() - timedelta(days=60)))[0]


def test_a_commune_member_sees_the_visits_in_her_commune_and_records_one(world: World) -> None:
    visit = _past_visit(world)
    client = _signed_in(world.commune_member)

    listing = client.get("/follow-ups/")
    assert listing.status_code == 200
    assert f"/follow-ups/{visit.pk}/" in listing.content.decode()
    assert client.get(f"/follow-ups/{visit.pk}/").status_code == 200

    answer = client.post(
        f"/follow-ups/{visit.pk}/complete/",
        {
            "visit_date": visit.scheduled_date.isoformat(),
            "outcome": "stable",
            "notes": "ស្ថិរភាព",
            **SCORES,
        },
    )

    assert answer.status_code == 302
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.COMPLETED
    assert visit.notes == "ស្ថិរភាព"
    assert visit.scores["child_view"] == 4


def test_a_form_with_an_error_says_where_and_keeps_what_was_typed(world: World) -> None:
    visit = _past_visit(world)
    client = _signed_in(world.commune_member)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    answer = client.post(
        f"/follow-ups/{visit.pk}/complete/",
        {
            "visit_date": future,
            "outcome": "at_risk",
            "notes": "Father drinks again",
            **SCORES,
        },
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "This date is in the future." in page
    assert "Father drinks again" in page
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.SCHEDULED


def test_a_missed_visit_is_rescheduled_from_its_page(world: World) -> None:
    visit = _past_visit(world)
    client = _signed_in(world.teammate)
    new_date = (timezone.localdate() + timedelta(days=7)).isoformat()

    answer = client.post(
        f"/follow-ups/{visit.pk}/reschedule/",
        {"new_date": new_date, "reason": "Family away for the harvest"},
    )

    assert answer.status_code == 302
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.MISSED
    assert FollowUp.objects.get(rescheduled_from=visit).scheduled_date.isoformat() == new_date


def test_the_visit_of_a_child_in_another_commune_answers_404(world: World) -> None:
    visit = _past_visit(world)
    elsewhere = LocationFactory.village_in(world.phnom_penh).parent
    stranger = UserFactory.create(
        role=Role.COMMUNE_COMMITTEE, agency=world.ccwc, location=elsewhere
    )
    client = _signed_in(stranger)

    assert client.get(f"/follow-ups/{visit.pk}/").status_code == 404
    assert client.post(f"/follow-ups/{visit.pk}/complete/", SCORES).status_code == 404
    assert f"/follow-ups/{visit.pk}/" not in client.get("/follow-ups/").content.decode()


def test_the_case_of_a_visit_stays_closed_to_the_commune_member(world: World) -> None:
    visit = _past_visit(world)
    client = _signed_in(world.commune_member)

    assert client.get(f"/api/v1/cases/{visit.case_id}/").status_code == 404


@pytest.mark.parametrize("reintegrations", [1, 6])
def test_the_visit_list_runs_a_bounded_number_of_queries(
    world: World, reintegrations: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(reintegrations):
        reintegrate(world, on=timezone.localdate() - timedelta(days=60))
    client = _signed_in(world.commune_member)

    # The page (12), and its reading in the audit trail (4).
    with django_assert_max_num_queries(16):
        assert client.get("/follow-ups/").status_code == 200


def test_my_notifications_lead_to_their_page_and_are_marked_read(world: World) -> None:
    visit = _past_visit(world)
    (mine,) = notify(
        [
            Notice(
                kind=NotificationKind.FOLLOW_UP_DUE,
                recipient_id=world.worker.pk,
                subject=f"follow_up:{visit.pk}",
                follow_up_id=visit.pk,
                case_number="PP-2026-00007",
            )
        ]
    )
    (theirs,) = notify(
        [
            Notice(
                kind=NotificationKind.REVIEW_DUE,
                recipient_id=world.teammate.pk,
                subject="case:1",
                case_number="PP-2026-00008",
            )
        ]
    )
    client = _signed_in(world.worker)

    page = client.get("/notifications/").content.decode()
    assert "PP-2026-00007" in page
    assert "PP-2026-00008" not in page

    answer = client.post(f"/notifications/{mine}/open/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/follow-ups/{visit.pk}/"
    assert Notification.objects.get(pk=mine).read_at is not None
    assert client.post(f"/notifications/{theirs}/open/").status_code == 404
    assert Notification.objects.get(pk=theirs).read_at is None


def test_the_bell_shows_how_many_notifications_are_unread(world: World) -> None:
    notify(
        Notice(
            kind=NotificationKind.REVIEW_DUE,
            recipient_id=world.worker.pk,
            subject=f"case:{n}",
            case_number=f"PP-2026-0000{n}",
        )
        for n in range(1, 4)
    )
    client = _signed_in(world.worker)

    page = client.get("/follow-ups/").content.decode()
    assert 'class="count" aria-hidden="true">3<' in page

    client.post("/notifications/read-all/")
    assert 'class="count"' not in client.get("/follow-ups/").content.decode()
