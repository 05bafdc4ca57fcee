"""The API as a partner system meets it: a Python client generated from the project's own OpenAPI
schema by openapi-python-client must import, then do a day's work against the live test server.

Every answer is read through the client's typed models (attributes, never raw dicts), and the
client raises on any status the schema does not declare, so an answer, an error or a header the
schema mis-describes fails here."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from accounts.choices import Role
from accounts.models import User
from cases.models import Case
from tests.conftest import World
from tests.factories import PASSWORD, UserFactory
from tests.reintegration.helpers import months_ago, reintegrate

PACKAGE = "cpims_client"
GIVEN_NAME_KM, FAMILY_NAME_KM = "ស្រីលក្ខណ៍", "មាស"
Model = TypeVar("Model")


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client, generated once per session from the schema the server publishes, and put on
    the import path. Any warning of the generator (an operation or a model it had to skip) is a
    failure: a partner would get a client with pieces missing."""
    folder = tmp_path_factory.mktemp("generated_client")
    schema = folder / "schema.json"
    document = SchemaGenerator().get_schema(public=True)
    schema.write_bytes(OpenApiJsonRenderer().render(document))
    scripts = Path(sys.executable).parent
    generation = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        # The generator formats its output with ruff, installed beside it.
        env={**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert generation.returncode == 0, generation.stdout + generation.stderr
    sys.path.insert(0, str(folder))
    return folder / PACKAGE


def test_the_generated_client_imports_with_a_module_for_every_operation(
    generated_client: Path,
) -> None:
    package = importlib.import_module(PACKAGE)
    modules = [
        importlib.import_module(module.name).__name__
        for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")
    ]
    schema = json.loads((generated_client.parent / "schema.json").read_text())
    operations = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    generated = {name.rsplit(".", 1)[1] for name in modules if name.startswith(f"{PACKAGE}.api.")}
    assert operations <= generated


def _undeclared(answer: Any, path: str) -> list[str]:
    """The keys of an answer that the schema does not declare: the generated models keep them
    aside, untyped, in ``additional_properties``."""
    if isinstance(answer, list):
        return [key for i, item in enumerate(answer) for key in _undeclared(item, f"{path}[{i}]")]
    if not attrs.has(type(answer)):
        return []
    found = [f"{path}.{key}" for key in getattr(answer, "additional_properties", {})]
    for field in attrs.fields(type(answer)):
        if field.name != "additional_properties":
            found += _undeclared(getattr(answer, field.name), f"{path}.{field.name}")
    return found


def _typed(answer: Any, model: type[Model]) -> Model:
    """The answer, parsed into ``model`` with every key it carries declared by the schema."""
    assert isinstance(answer, model), answer
    assert _undeclared(answer, model.__name__) == []
    return answer


def _refusal(answer: Any, status: int) -> None:
    """A refusal as the client parses it: the schema's ``Error``, saying why."""
    from cpims_client.models import Error

    assert answer.status_code == status, answer.content
    assert _typed(answer.parsed, Error).detail


def _token(base_url: str, user: User) -> str:
    from cpims_client import Client
    from cpims_client.api.auth import auth_token_create
    from cpims_client.models import CredentialsRequest, Token

    with Client(base_url=base_url, raise_on_unexpected_status=True) as anonymous:
        issued = auth_token_create.sync(
            client=anonymous,
            body=CredentialsRequest(username=user.username, password=PASSWORD),
        )
    assert _typed(issued, Token).expires_at > timezone.now()
    return issued.token


@pytest.fixture
def sign_in(generated_client: Path, live_server: Any) -> Iterator[Callable[[User], Any]]:
    """Signs a person in through the client (a token from the API), as a partner system does."""
    from cpims_client import AuthenticatedClient

    clients: list[Any] = []

    def signed_in(user: User) -> Any:
        client = AuthenticatedClient(
            base_url=live_server.url,
            token=_token(live_server.url, user),
            raise_on_unexpected_status=True,
        )
        clients.append(client)
        return client

    yield signed_in
    for client in clients:
        client.get_httpx_client().close()


# The live server commits for real: the test empties the tables afterwards, and the data the
# migrations loaded is put back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_partner_system_works_a_day_through_the_generated_client(
    world: World, sign_in: Callable[[User], Any]
) -> None:
    from cpims_client.api.cases import (
        cases_consents_create,
        cases_create,
        cases_list,
        cases_notes_create,
        cases_partial_update,
        cases_retrieve,
    )
    from cpims_client.api.follow_ups import follow_ups_list
    from cpims_client.api.notifications import notifications_list
    from cpims_client.api.referrals import referrals_accept_create, referrals_create, referrals_list
    from cpims_client.models import (
        AcceptRequest,
        CaseCreated,
        CaseCreateRequest,
        CaseNote,
        CaseNoteCreateKindEnum,
        CaseNoteCreateRequest,
        CaseSectionEnum,
        ChildInputRequest,
        Consent,
        ConsentCreateRequest,
        FollowUpStatusEnum,
        GivenByEnum,
        NoteKindEnum,
        NotificationKindEnum,
        PaginatedCaseList,
        PaginatedFollowUpList,
        PaginatedNotificationList,
        PaginatedReferralList,
        PatchedCaseUpdateRequest,
        Referral,
        ReferralCreateRequest,
        ReferralsListDirection,
        ReferralStatusEnum,
        ReferralTypeEnum,
        ScopeEnum,
        SexEnum,
        SourceEnum,
        UrgencyEnum,
    )
    from cpims_client.models import Case as CaseModel

    today = timezone.localdate()
    receiving_supervisor = UserFactory.create(
        username="family_first_supervisor", role=Role.SUPERVISOR, agency=world.other_ngo
    )
    # A child of the worker's back home for a month, with visits scheduled.
    reintegrate(world, on=months_ago(1), case=world.own_case, follow_up_worker=world.worker)
    worker = sign_in(world.worker)

    # The cases the worker may see, a page of typed cases.
    page = _typed(cases_list.sync(client=worker, page_size=50), PaginatedCaseList)
    listed = {case.id: case for case in page.results}
    assert listed[world.own_case.pk].child.given_name == world.own_case.child.given_name

    # A new case, the child's names in Khmer script.
    created = cases_create.sync(
        client=worker,
        body=CaseCreateRequest(
            child=ChildInputRequest(
                given_name="Srey Leak",
                family_name="Meas",
                given_name_km=GIVEN_NAME_KM,
                family_name_km=FAMILY_NAME_KM,
                sex=SexEnum.FEMALE,
                estimated_age=15,
                location=world.pp_village.pk,
            ),
            concerns=["sex_trafficking"],
            source=SourceEnum.POLICE,
            summary="Found at a bus station in Phnom Penh.",
        ),
    )
    created = _typed(created, CaseCreated)
    assert created.possible_duplicates == []
    assert created.owner == world.worker.pk
    assert (created.child.given_name_km, created.child.family_name_km) == (
        GIVEN_NAME_KM,
        FAMILY_NAME_KM,
    )
    assert created.concerns == ["sex_trafficking"]

    # Read back: the same names, byte for byte.
    case = _typed(cases_retrieve.sync(client=worker, id=created.id), CaseModel)
    assert (case.child.given_name_km, case.child.family_name_km) == (GIVEN_NAME_KM, FAMILY_NAME_KM)
    assert case.access.manage is True

    note = cases_notes_create.sync(
        client=worker,
        case_id=case.id,
        body=CaseNoteCreateRequest(
            kind=CaseNoteCreateKindEnum.HOME_VISIT, date=today, text="បានជួបម្ដាយ។ Met the mother."
        ),
    )
    note = _typed(note, CaseNote)
    assert (note.case, note.kind, note.date) == (case.id, NoteKindEnum.HOME_VISIT, today)

    consent = cases_consents_create.sync(
        client=worker,
        case_id=case.id,
        body=ConsentCreateRequest(
            given_by=GivenByEnum.CAREGIVER,
            giver_name="មាស សុផល",
            scope=[ScopeEnum.REFERRAL, ScopeEnum.SERVICES],
            date=today,
        ),
    )
    consent = _typed(consent, Consent)
    assert set(consent.scope) == {ScopeEnum.REFERRAL, ScopeEnum.SERVICES}
    assert consent.withdrawn is False

    # A referral to another NGO for counselling, sharing the child's profile and concerns.
    referral = referrals_create.sync(
        client=worker,
        body=ReferralCreateRequest(
            case=case.id,
            to_agency=world.other_ngo.pk,
            type_=ReferralTypeEnum.SERVICE,
            urgency=UrgencyEnum.URGENT,
            reason="Needs counselling after the journey.",
            services=["psychosocial"],
            shared_sections=[CaseSectionEnum.PROFILE, CaseSectionEnum.CONCERNS],
        ),
    )
    referral = _typed(referral, Referral)
    assert referral.status == ReferralStatusEnum.SENT
    assert (referral.case, referral.case_number) == (case.id, case.case_number)
    assert referral.consent_overridden is False
    assert referral.respond_by > timezone.now()

    # Family First's supervisor is told, sees only a summary of the child until she accepts
    # for a worker of hers, who then reads the two shared sections.
    supervisor = sign_in(receiving_supervisor)
    told = _typed(notifications_list.sync(client=supervisor), PaginatedNotificationList)
    assert [(n.kind, n.referral) for n in told.results] == [
        (NotificationKindEnum.REFERRAL_RECEIVED, referral.id)
    ]
    incoming = referrals_list.sync(client=supervisor, direction=ReferralsListDirection.INCOMING)
    [waiting] = _typed(incoming, PaginatedReferralList).results
    assert (waiting.id, waiting.case, waiting.child.initials) == (referral.id, None, "S.M.")
    accepted = referrals_accept_create.sync(
        client=supervisor, id=referral.id, body=AcceptRequest(assigned_to=world.other_worker.pk)
    )
    accepted = _typed(accepted, Referral)
    assert (accepted.status, accepted.assigned_to) == (
        ReferralStatusEnum.ACCEPTED,
        world.other_worker.pk,
    )
    receiver = sign_in(world.other_worker)
    shared = _typed(cases_retrieve.sync(client=receiver, id=case.id), CaseModel)
    assert shared.child.given_name_km == GIVEN_NAME_KM
    assert shared.concerns == ["sex_trafficking"]
    assert shared.access.sections == [CaseSectionEnum.CONCERNS, CaseSectionEnum.PROFILE]

    # The worker's visits to make, and the news of the acceptance.
    visits = _typed(
        follow_ups_list.sync(client=worker, case=world.own_case.pk), PaginatedFollowUpList
    )
    first = visits.results[0]
    assert (first.status, first.visit_date) == (FollowUpStatusEnum.SCHEDULED, None)
    assert first.child.given_name == world.own_case.child.given_name
    news = _typed(notifications_list.sync(client=worker), PaginatedNotificationList)
    assert [(n.kind, n.referral, n.case) for n in news.results] == [
        (NotificationKindEnum.REFERRAL_ACCEPTED, referral.id, case.id)
    ]

    # A case that does not exist: a 404 the client parses into the error model.
    _refusal(cases_retrieve.sync_detailed(client=worker, id=_unused_case_id()), 404)

    # Writing against the version read: once one write is in, the same ETag is stale (412).
    etag = cases_retrieve.sync_detailed(client=worker, id=case.id).headers["ETag"]
    changed = cases_partial_update.sync_detailed(
        client=worker,
        id=case.id,
        body=PatchedCaseUpdateRequest(summary="Found at a bus station; mother traced."),
        if_match=etag,
    )
    assert changed.status_code == 200
    assert _typed(changed.parsed, CaseModel).summary == "Found at a bus station; mother traced."
    assert changed.headers["ETag"] != etag
    stale = cases_partial_update.sync_detailed(
        client=worker,
        id=case.id,
        body=PatchedCaseUpdateRequest(summary="A second writer, too late."),
        if_match=etag,
    )
    _refusal(stale, 412)


def _unused_case_id() -> int:
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return last + 1000
