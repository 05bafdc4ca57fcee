"""The referral list of a side and a status, compiled once for each shape: for every caller,
side, status and window, the very referrals the ORM's statement of the same list finds, each
with whether the caller is named on its case (which decides what a restricted case's referral
shows) bound to the caller, not to whoever asked first."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Agency, User
from cases.models import Case, CaseNamedUser
from referrals import selectors
from referrals.api.serializers import REFERRAL_COLUMNS
from referrals.choices import ReferralDirection, ReferralStatus
from referrals.models import Referral
from tests.conftest import World, api_client
from tests.factories import CaseFactory, UserFactory

STATUSES = [None, *ReferralStatus.values]
DIRECTIONS = [None, *ReferralDirection.values]
WINDOWS = [(0, 51), (1, 3), (2, 4)]

_minutes = count(1)


def _referral(case: Case, to: Agency, by: User, status: str) -> Referral:
    return Referral.objects.create(
        case=case,
        from_agency=case.agency,
        to_agency=to,
        type="service",
        urgency="urgent",
        reason="Needs a shelter tonight.",
        status=status,
        created_by=by,
        # Each a minute older than the last: the list's order is known.
        created_at=timezone.now() - timedelta(minutes=next(_minutes)),
    )


@pytest.fixture
def referrals(world: World) -> list[Referral]:
    """Referrals both ways between the NGO and others, of every kind of case the NGO's people
    hold or see, in several statuses; the restricted case's named on it besides its owner:
    the NGO's supervisor."""
    CaseNamedUser.objects.create(case=world.restricted_case, user=world.supervisor)
    ngo, dosvy = world.ngo, world.dosvy_pp
    return [
        _referral(world.own_case, dosvy, world.worker, ReferralStatus.SENT),
        _referral(
            world.own_case, world.police_agency, world.worker, ReferralStatus.PENDING_APPROVAL
        ),
        _referral(world.own_case, world.other_ngo, world.worker, ReferralStatus.ACCEPTED),
        _referral(world.restricted_case, dosvy, world.worker, ReferralStatus.SENT),
        _referral(world.restricted_case, world.other_ngo, world.worker, ReferralStatus.DECLINED),
        _referral(world.teammates_case, dosvy, world.teammate, ReferralStatus.COMPLETED),
        _referral(world.other_agency_case, ngo, world.other_worker, ReferralStatus.SENT),
        _referral(
            CaseFactory.create(owner=world.other_worker, location=world.pp_village),
            ngo,
            world.other_worker,
            ReferralStatus.PENDING_APPROVAL,
        ),
        _referral(world.other_province_case, ngo, world.bmc_worker, ReferralStatus.ACCEPTED),
        _referral(world.other_province_case, ngo, world.bmc_worker, ReferralStatus.CANCELLED),
    ]


def _callers(world: World) -> list[User]:
    return [
        world.worker,
        world.teammate,
        world.supervisor,
        world.agency_admin,
        world.other_worker,
        world.dosvy_officer,
        world.bmc_worker,
        world.police,
        world.commune_member,
        world.analyst,
        UserFactory.create(username="left", agency=world.ngo, is_active=False),
        world.system_admin,  # of no agency
    ]


def _orm_window(
    user: User, direction: str | None, status: str | None, start: int, stop: int
) -> list[Referral]:
    """The list as the FilterSet and the ORM make it, statement by statement."""
    directions = ReferralDirection.values if direction is None else [direction]
    sides = [
        selectors.referral_list(user=user, direction=side, columns=REFERRAL_COLUMNS)
        for side in directions
    ]
    if status is not None:
        sides = [side.filter(status=status) for side in sides]
    both = selectors.referral_list_both(user=user, sides=sides, columns=REFERRAL_COLUMNS)
    return list(both.window(start, stop))


def _seen(referrals: list[Referral]) -> list[tuple[int, bool, str, str]]:
    return [
        (
            referral.pk,
            referral.reader_named,  # type: ignore[attr-defined]
            referral.case.case_number,
            referral.case.child.given_name,
        )
        for referral in referrals
    ]


def test_every_window_is_the_orms_for_every_caller_side_and_status(
    world: World, referrals: list[Referral]
) -> None:
    found_any = 0
    for user in _callers(world):
        for direction in DIRECTIONS:
            for status in STATUSES:
                listed = selectors.SideAndStatusList(
                    user=user, direction=direction, status=status, columns=REFERRAL_COLUMNS
                )
                for start, stop in WINDOWS:
                    expected = _seen(_orm_window(user, direction, status, start, stop))
                    assert _seen(listed[start:stop]) == expected, (user, direction, status)
                    found_any += len(expected)
    # The fixture's referrals are seen by someone in some window: the test compares lists.
    assert found_any > 50


def test_named_on_the_case_is_each_callers_own(world: World, referrals: list[Referral]) -> None:
    """The restricted case's referrals: of two admins of the sending agency, the one named on
    the case reads them and the other does not, whoever of them asked first."""
    named, unnamed = (
        world.agency_admin,
        UserFactory.create(username="second_admin", role=Role.AGENCY_ADMIN, agency=world.ngo),
    )
    CaseNamedUser.objects.create(case=world.restricted_case, user=named)
    restricted = {r.pk for r in referrals if r.case_id == world.restricted_case.pk}
    for first, then in ((named, unnamed), (unnamed, named)):
        selectors._window_statement.cache_clear()
        for user in (first, then):
            listed = selectors.SideAndStatusList(
                user=user, direction=None, status=None, columns=REFERRAL_COLUMNS
            )
            seen = {referral.pk for referral in listed[0:51]}
            assert seen  # the agency's other referrals
            if user == named:
                assert restricted <= seen
            else:
                assert not restricted & seen


def test_compiled_once_for_a_shape_and_read_in_one_statement(
    world: World, referrals: list[Referral]
) -> None:
    selectors._window_statement.cache_clear()
    for user in (world.worker, world.teammate, world.other_worker):  # three social workers
        listed = selectors.SideAndStatusList(
            user=user, direction=None, status=ReferralStatus.SENT, columns=REFERRAL_COLUMNS
        )
        with CaptureQueriesContext(connection) as statements:
            listed[0:51]
        assert len(statements) == 1
    info = selectors._window_statement.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_the_api_answers_every_side_and_status_and_refuses_what_the_filters_refuse(
    world: World, referrals: list[Referral]
) -> None:
    client = api_client(world.supervisor)
    for query, expected in (
        ("", _orm_window(world.supervisor, None, None, 0, 50)),
        ("?direction=outgoing", _orm_window(world.supervisor, "outgoing", None, 0, 50)),
        (
            "?direction=incoming&status=sent",
            _orm_window(world.supervisor, "incoming", "sent", 0, 50),
        ),
        ("?status=declined&page_size=1", _orm_window(world.supervisor, None, "declined", 0, 1)),
        # An empty value filters nothing (django-filter's rule): the FilterSet's list.
        ("?status=", _orm_window(world.supervisor, None, None, 0, 50)),
    ):
        answer = client.get(f"/api/v1/referrals/{query}")
        assert answer.status_code == 200, query
        assert [row["id"] for row in answer.json()["results"]] == [r.pk for r in expected], query
    for query in ("?status=lost", "?direction=sideways", "?status=sent&status=gone"):
        answer = client.get(f"/api/v1/referrals/{query}")
        assert answer.status_code == 400, query
