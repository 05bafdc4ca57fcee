"""The access policy as a matrix: every persona x every relation to a case, through the API.

A case the persona may not see answers 404 on detail and is absent from the list, exactly as a
case that does not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts.choices import AgencyType, Role
from accounts.models import User
from audit.models import AuditEvent
from cases import policy
from cases.models import Case, CaseNamedUser
from cases.policy import ALL_SECTIONS, case_access, visible_cases
from cases.services.access import case_set_grants
from cases.services.records import consent_create
from referrals import services as referral_services
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, LocationFactory, UserFactory, province

RELATIONS = [
    "own_case",
    "teammates_case",
    "other_agency_case",
    "other_province_case",
    "restricted_case",
]

# persona -> the relations whose case it may open. Everything else must be 404.
EXPECTED_VISIBLE: dict[str, set[str]] = {
    # A social worker: her own cases, and the restricted one because she is named on it.
    "worker": {"own_case", "restricted_case"},
    "teammate": {"teammates_case"},
    # An NGO supervisor: her team's cases, not the restricted one she is not named on.
    "supervisor": {"own_case", "teammates_case"},
    "other_worker": {"other_agency_case"},
    # The provincial DoSVY officer: every unrestricted case in Phnom Penh, none elsewhere.
    "dosvy_officer": {"own_case", "teammates_case", "other_agency_case"},
    "bmc_worker": {"other_province_case"},
    # The agency admin sees her agency's caseload (for assignment), not restricted cases.
    "agency_admin": {"own_case", "teammates_case"},
    # Commune members, police, analysts and system admins have no scope over case files.
    "commune_member": set(),
    "far_commune_member": set(),
    "police": set(),
    "analyst": set(),
    "system_admin": set(),
    # Admins of a provincial office and of a commune committee: their agency holds no case.
    "dosvy_admin": set(),
    "ccwc_admin": set(),
}


@pytest.fixture
def personas(world: World) -> dict[str, User]:
    """The world's people, and an agency admin of each other kind and a commune member of
    another province."""
    far_commune = world.bmc_village.parent
    assert far_commune is not None
    far_ccwc = AgencyFactory.create(
        name="CCWC far", type=AgencyType.COMMUNE_COMMITTEE, location=far_commune
    )
    extra = {
        "dosvy_admin": UserFactory.create(
            username="dosvy_admin", role=Role.AGENCY_ADMIN, agency=world.dosvy_pp
        ),
        "ccwc_admin": UserFactory.create(
            username="ccwc_admin", role=Role.AGENCY_ADMIN, agency=world.ccwc
        ),
        "far_commune_member": UserFactory.create(
            username="far_commune_member",
            role=Role.COMMUNE_COMMITTEE,
            agency=far_ccwc,
            location=far_commune,
        ),
    }
    return {name: extra.get(name) or getattr(world, name) for name in EXPECTED_VISIBLE}


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
@pytest.mark.parametrize("relation", RELATIONS)
def test_case_detail_answers_200_inside_reach_and_404_outside(
    world: World, personas: dict[str, User], persona: str, relation: str
) -> None:
    case: Case = getattr(world, relation)
    response = api_client(personas[persona]).get(f"/api/v1/cases/{case.pk}/")
    expected = 200 if relation in EXPECTED_VISIBLE[persona] else 404
    assert response.status_code == expected, (persona, relation, response.content)


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_case_list_holds_exactly_the_cases_in_reach(
    world: World, personas: dict[str, User], persona: str
) -> None:
    response = api_client(personas[persona]).get("/api/v1/cases/")
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert listed == {getattr(world, rel).pk for rel in EXPECTED_VISIBLE[persona]}


# Who reads a referral of the restricted case, sent by its owner to the DoSVY office: the
# sender (named), and the receiving office's people who answer referrals; not the sender's
# unnamed supervisor or agency admin, nor anybody else.
RESTRICTED_REFERRAL_READERS = {"worker", "dosvy_officer", "dosvy_admin"}


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_a_restricted_cases_referral_is_read_only_by_its_named_sender_and_its_receiver(
    world: World, personas: dict[str, User], persona: str
) -> None:
    consent_create(
        actor=world.worker,
        case=world.restricted_case,
        given_by="child",
        scope=["referral"],
        date=world.restricted_case.created_at.date(),
    )
    referral = referral_services.referral_create(
        actor=world.worker,
        case=world.restricted_case,
        to_agency=world.dosvy_pp,
        type="service",
        urgency="urgent",
        services=["shelter"],
        reason="Official implicated",
        shared_sections=["profile"],
        consent_override_reason="",
    )
    client = api_client(personas[persona])
    detail = client.get(f"/api/v1/referrals/{referral.pk}/")
    expected = 200 if persona in RESTRICTED_REFERRAL_READERS else 404
    assert detail.status_code == expected, persona
    if expected == 200 and persona != "worker":
        assert detail.json()["case"] is None


def test_missing_and_invisible_cases_answer_identically(world: World) -> None:
    client = api_client(world.worker)
    invisible = client.get(f"/api/v1/cases/{world.other_agency_case.pk}/")
    missing = client.get("/api/v1/cases/99999999/")
    not_a_number = client.get("/api/v1/cases/abc/")
    assert invisible.status_code == missing.status_code == not_a_number.status_code == 404
    assert invisible.json() == missing.json()


def test_anonymous_caller_gets_401_on_cases(world: World) -> None:
    assert api_client().get("/api/v1/cases/").status_code == 401
    assert api_client().get(f"/api/v1/cases/{world.own_case.pk}/").status_code == 401


def test_granted_case_becomes_visible_and_disappears_when_grant_is_removed(world: World) -> None:
    case, worker = world.other_province_case, world.worker
    client = api_client(worker)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404

    case_set_grants(
        actor=world.bmc_worker,
        case=case,
        grantee=worker,
        sections={"profile"},
        contribute=False,
        reason="referral",
    )
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert case.pk in {row["id"] for row in client.get("/api/v1/cases/").json()["results"]}

    case_set_grants(
        actor=world.bmc_worker,
        case=case,
        grantee=worker,
        sections=set(),
        contribute=False,
        reason="referral",
    )
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert case.pk not in {row["id"] for row in client.get("/api/v1/cases/").json()["results"]}


def test_grants_for_two_reasons_add_up_and_withdrawing_one_keeps_the_other(world: World) -> None:
    case, worker = world.other_province_case, world.worker
    case_set_grants(
        actor=world.bmc_worker,
        case=case,
        grantee=worker,
        sections={"profile"},
        contribute=False,
        reason="referral",
    )
    case_set_grants(
        actor=world.bmc_worker,
        case=case,
        grantee=worker,
        sections={"follow_ups"},
        contribute=True,
        reason="reintegration",
    )
    access = case_access(worker, case)
    assert access.sections == {"profile", "follow_ups"}
    assert access.contribute

    case_set_grants(
        actor=world.bmc_worker,
        case=case,
        grantee=worker,
        sections=set(),
        contribute=False,
        reason="referral",
    )
    access = case_access(worker, case)
    assert access.sections == {"follow_ups"}
    assert access.contribute


def test_a_grant_to_a_group_opens_the_case_to_its_members(world: World) -> None:
    group = Group.objects.create(name="Commune focal points")
    world.commune_member.groups.add(group)
    assign_perm("cases.view_case", group, world.other_province_case)
    client = api_client(world.commune_member)
    assert client.get(f"/api/v1/cases/{world.other_province_case.pk}/").status_code == 200


def test_a_grant_does_not_open_a_restricted_case(world: World) -> None:
    case_set_grants(
        actor=world.worker,
        case=world.restricted_case,
        grantee=world.supervisor,
        sections=ALL_SECTIONS,
        contribute=True,
        reason="test",
    )
    client = api_client(world.supervisor)
    assert client.get(f"/api/v1/cases/{world.restricted_case.pk}/").status_code == 404


def test_naming_a_person_on_a_restricted_case_opens_it_to_them_alone(world: World) -> None:
    CaseNamedUser.objects.create(case=world.restricted_case, user=world.other_worker)
    assert (
        api_client(world.other_worker).get(f"/api/v1/cases/{world.restricted_case.pk}/").status_code
        == 200
    )
    assert (
        api_client(world.dosvy_officer)
        .get(f"/api/v1/cases/{world.restricted_case.pk}/")
        .status_code
        == 404
    )


def test_grants_are_audited(world: World) -> None:
    case_set_grants(
        actor=world.bmc_worker,
        case=world.other_province_case,
        grantee=world.worker,
        sections={"risk"},
        contribute=True,
        reason="referral accepted",
    )
    event = AuditEvent.objects.get(action="case.grants")
    assert event.case_id == world.other_province_case.pk
    assert event.actor_id == world.bmc_worker.pk
    assert event.changes == {
        "grantee": world.worker.pk,
        "reason": "referral accepted",
        "granted": ["contribute_case", "view_case_risk"],
    }


def test_national_ministry_supervisor_sees_every_unrestricted_case(world: World) -> None:
    national = UserFactory.create(role=Role.SUPERVISOR, agency=world.mosvy)
    visible = set(visible_cases(national).values_list("pk", flat=True))
    unrestricted = set(Case.objects.filter(restricted=False).values_list("pk", flat=True))
    assert visible == unrestricted


def test_ngo_supervisor_gets_no_territorial_reach(world: World) -> None:
    located = UserFactory.create(
        role=Role.SUPERVISOR, agency=world.other_ngo, location=world.phnom_penh
    )
    assert not visible_cases(located).exists()


def test_provincial_office_without_a_location_sees_nothing_rather_than_everything(
    world: World,
) -> None:
    unplaced = AgencyFactory.create(name="DoSVY unplaced", type=AgencyType.DOSVY, location=None)
    officer = UserFactory.create(role=Role.SUPERVISOR, agency=unplaced)
    assert not visible_cases(officer).exists()


def test_deactivated_user_sees_no_case(world: World) -> None:
    world.worker.is_active = False
    world.worker.save()
    assert not visible_cases(world.worker).exists()


# count, page, concerns, family, supervisees, user grants, group grants, named users; and the
# page's reading in the audit trail (savepoint, chain lock, chain head, the event)
CASE_LIST_QUERIES = 12


def test_case_list_runs_the_same_number_of_queries_whatever_the_page_size(world: World) -> None:
    village = LocationFactory.village_in(province("12"))
    for _ in range(60):
        CaseFactory.create(owner=world.dosvy_officer, location=village)
    client = api_client(world.dosvy_officer)
    counts = []
    for page_size in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/cases/?page_size={page_size}")
        assert len(response.json()["results"]) == page_size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= CASE_LIST_QUERIES


@pytest.mark.parametrize("persona", ["worker", "supervisor", "dosvy_officer", "agency_admin"])
def test_scoped_case_query_is_answered_from_indexes(world: World, persona: str) -> None:
    """With sequential scans priced out, the planner must still find an index path for every
    branch of the policy: proof that each scope is served by an index, not a table walk."""
    sql, params = visible_cases(getattr(world, persona)).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan


def test_a_territory_holder_sees_the_same_cases_whether_her_teams_ids_are_listed_or_not(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside a territory, the narrow scopes' ids are read first (a short list) or, past
    RESOLVED_IDS, left as a subquery: the answer is the same either way."""
    supervisor = world.dosvy_officer
    member = UserFactory.create(role=Role.SOCIAL_WORKER, agency=supervisor.agency)
    member.supervisor = supervisor
    member.save()
    # A case of her team outside her territory: only the narrow branch finds it.
    elsewhere = CaseFactory.create(owner=member, location=world.bmc_village)
    assert not elsewhere.location_path.startswith(world.phnom_penh.path)

    with CaptureQueriesContext(connection) as listed_queries:
        listed = set(visible_cases(supervisor).values_list("pk", flat=True))
    monkeypatch.setattr(policy, "RESOLVED_IDS", 0)
    with CaptureQueriesContext(connection) as subquery_queries:
        as_subquery = set(visible_cases(supervisor).values_list("pk", flat=True))

    assert elsewhere.pk in listed
    assert listed == as_subquery
    # The ids are read first either way (no more than RESOLVED_IDS + 1 of them); listed, the
    # cases' statement holds them, else it holds the union again.
    assert "UNION ALL" not in listed_queries.captured_queries[-1]["sql"]
    assert "UNION ALL" in subquery_queries.captured_queries[-1]["sql"]


def test_ids_listed_beside_a_territory_go_as_one_array_parameter(world: World) -> None:
    """``__any_of`` (core.lookups) finds exactly the ids given, binding them as one array."""
    wanted = [world.own_case.pk, world.other_agency_case.pk]
    found = Case.objects.filter(pk__any_of=wanted)
    sql, params = found.query.sql_with_params()

    assert set(found.values_list("pk", flat=True)) == set(wanted)
    assert "= ANY(%s)" in sql
    assert params == (wanted,)
    assert not Case.objects.filter(pk__any_of=[]).exists()


def test_a_scope_found_large_is_not_read_again_until_the_note_expires(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RESOLVED_IDS, the narrow scopes' ids would be read on every request only to be
    dropped: the size is noted for a while, and the union goes in the statement at once. The
    note changes the statement's shape, never the cases found."""
    supervisor = world.dosvy_officer
    member = UserFactory.create(role=Role.SOCIAL_WORKER, agency=supervisor.agency)
    member.supervisor = supervisor
    member.save()
    elsewhere = CaseFactory.create(owner=member, location=world.bmc_village)
    monkeypatch.setattr(policy, "RESOLVED_IDS", 0)
    first = set(visible_cases(supervisor).values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as noted:
        again = set(visible_cases(supervisor).values_list("pk", flat=True))
    monkeypatch.setattr(policy, "LARGE_SCOPE_SECONDS", -1.0)
    policy.forget_scope_sizes()
    visible_cases(supervisor).exists()  # noted again, already expired
    with CaptureQueriesContext(connection) as expired:
        after = set(visible_cases(supervisor).values_list("pk", flat=True))

    assert elsewhere.pk in first
    assert first == again == after
    assert len(noted.captured_queries) == 1
    assert "UNION ALL" in noted.captured_queries[0]["sql"]
    assert len(expired.captured_queries) == 2


@pytest.mark.parametrize(
    "persona", ["worker", "supervisor", "dosvy_officer", "agency_admin", "commune_member"]
)
def test_the_scopes_union_is_built_once_a_shape_and_finds_the_same_cases(
    world: World, monkeypatch: pytest.MonkeyPatch, persona: str
) -> None:
    """Each shape of narrow scopes is compiled once a process (core.compiled); later requests
    bind their own values into it and find what a freshly built union finds."""
    user = getattr(world, persona)
    assign_perm("view_case", world.teammate, world.other_agency_case)  # a grant to someone else
    built: list[object] = []
    build = policy._Scopes.union

    def counted(scopes: policy._Scopes, **values: object) -> object:
        built.append(scopes)
        return build(scopes, **values)

    monkeypatch.setattr(policy._Scopes, "union", counted)
    monkeypatch.setattr(policy, "_UNIONS", {})
    first = set(visible_cases(user).values_list("pk", flat=True))
    readable = set(
        Case.objects.filter(policy.section_readable(user, "profile")).values_list("pk", flat=True)
    )
    assert built  # compiled on first use
    built.clear()

    again = set(visible_cases(user).values_list("pk", flat=True))
    readable_again = set(
        Case.objects.filter(policy.section_readable(user, "profile")).values_list("pk", flat=True)
    )
    assert built == []
    assert (again, readable_again) == (first, readable)
    # The same as a union built for the call, from another person's values too.
    monkeypatch.setattr(policy, "_UNIONS", {})
    assert set(visible_cases(user).values_list("pk", flat=True)) == first
    assert set(visible_cases(world.teammate).values_list("pk", flat=True)) == {
        *Case.objects.filter(owner=world.teammate, restricted=False).values_list("pk", flat=True),
        world.other_agency_case.pk,
    }
